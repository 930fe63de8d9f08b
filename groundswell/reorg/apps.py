from django.apps import AppConfig


class ReorgConfig(AppConfig):
    name = "groundswell.reorg"
    label = "reorg"
    verbose_name = "party reorganization"
    default_auto_field = "django.db.models.BigAutoField"

from django.apps import AppConfig


class VotersConfig(AppConfig):
    name = "groundswell.voters"
    label = "voters"
    default_auto_field = "django.db.models.BigAutoField"

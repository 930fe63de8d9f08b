from django.apps import AppConfig


class EndorsementsConfig(AppConfig):
    name = "groundswell.endorsements"
    label = "endorsements"
    default_auto_field = "django.db.models.BigAutoField"

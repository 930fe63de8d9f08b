from django.apps import AppConfig


class TurnoutConfig(AppConfig):
    name = "groundswell.turnout"
    label = "turnout"
    default_auto_field = "django.db.models.BigAutoField"

from django.apps import AppConfig


class FieldConfig(AppConfig):
    name = "groundswell.field"
    label = "field"
    verbose_name = "Field and turnout"
    default_auto_field = "django.db.models.BigAutoField"

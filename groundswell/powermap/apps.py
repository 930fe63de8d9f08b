from django.apps import AppConfig


class PowermapConfig(AppConfig):
    name = "groundswell.powermap"
    label = "powermap"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from groundswell.powermap import jobs  # noqa: F401  # registers the lean job handler

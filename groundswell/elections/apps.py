from django.apps import AppConfig


class ElectionsConfig(AppConfig):
    name = "groundswell.elections"
    label = "elections"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from groundswell.elections import jobs  # noqa: F401  # registers the import job handlers

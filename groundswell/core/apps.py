from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "groundswell.core"
    label = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("jobs")

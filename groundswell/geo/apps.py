from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "groundswell.geo"
    label = "geo"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from groundswell.geo import jobs  # noqa: F401  # registers the boundary import job handler

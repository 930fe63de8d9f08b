from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "groundswell.staff"
    label = "staff"

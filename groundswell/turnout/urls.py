from django.urls import path

from groundswell.turnout import views

app_name = "turnout"
urlpatterns = [
    path("ballots/", views.ballot_imports, name="ballot-imports"),
    path("ballots/<int:import_id>/", views.ballot_import, name="ballot-import"),
    path("ballots/<int:import_id>/progress/", views.ballot_import_progress, name="ballot-import-progress"),
]

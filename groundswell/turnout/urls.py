from django.urls import path

from groundswell.turnout import views

app_name = "turnout"
urlpatterns = [
    path("", views.chase, name="chase"),
    path("chase.csv", views.chase_export, name="chase-export"),
    path("chase/call-list/", views.chase_call_list, name="chase-call-list"),
    path("lift/", views.lift, name="lift"),
    path("lift/campaigns/<int:campaign_id>/costs/", views.campaign_costs, name="campaign-costs"),
    path("dashboards/", views.dashboards, name="dashboards"),
    path("ballots/", views.ballot_imports, name="ballot-imports"),
    path("ballots/<int:import_id>/", views.ballot_import, name="ballot-import"),
    path("ballots/<int:import_id>/progress/", views.ballot_import_progress, name="ballot-import-progress"),
]

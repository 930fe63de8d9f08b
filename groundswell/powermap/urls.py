from django.urls import path

from groundswell.powermap import views

app_name = "powermap"
urlpatterns = [
    path("", views.index, name="index"),
    path("imports/", views.imports_page, name="imports"),
    path("imports/jobs/<int:job_id>/", views.import_job_status, name="import-job"),
    path("district/<path:ocd_id>/map.json", views.district_map_json, name="district-map"),
    path("district/<path:ocd_id>/", views.district_page, name="district"),
    path("<str:state>/", views.state_page, name="state"),
    path("<str:state>/lean/", views.lean_page, name="lean"),
    path("<str:state>/redistricting/<str:plan>/", views.redistricting_edit, name="redistricting"),
    path("<str:state>/<str:chamber>/map/", views.chamber_map_page, name="chamber-map"),
    path("<str:state>/<str:chamber>/map.json", views.chamber_map_json, name="chamber-map-json"),
    path("<str:state>/<str:chamber>/targets.csv", views.targets_csv, name="targets-csv"),
]

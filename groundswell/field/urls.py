from django.urls import path

from groundswell.field import views

app_name = "field"
urlpatterns = [
    path("", views.home, name="home"),
    path("sw.js", views.service_worker, name="service-worker"),
    path("campaigns/new/", views.campaign_new, name="campaign-new"),
    path("campaigns/<int:campaign_id>/", views.campaign_detail, name="campaign"),
    path("campaigns/<int:campaign_id>/scripts/", views.script_new, name="script-new"),
    path("campaigns/<int:campaign_id>/turfs/", views.turfs_cut, name="turfs-cut"),
    path("campaigns/<int:campaign_id>/control-group/", views.control_group, name="control-group"),
    path("campaigns/<int:campaign_id>/call-lists/", views.call_list_new, name="call-list-new"),
    path(
        "campaigns/<int:campaign_id>/turf-cuts/<int:cut_id>/call-list/",
        views.left_off_call_list,
        name="left-off-call-list",
    ),
    path("turfs/<int:turf_id>/", views.turf_detail, name="turf"),
    path("turfs/<int:turf_id>/assign/", views.turf_assign, name="turf-assign"),
    path("turfs/<int:turf_id>/walk-sheet.pdf", views.turf_sheet, name="turf-sheet"),
    path("call-lists/<int:call_list_id>/", views.call_list_detail, name="call-list"),
    path("call-lists/<int:call_list_id>/assign/", views.call_list_assign, name="call-list-assign"),
    path("assignments/<int:assignment_id>/revoke/", views.assignment_revoke, name="assignment-revoke"),
    path("canvass/<int:turf_id>/", views.canvass, name="canvass"),
    path("canvass/<int:turf_id>/data.json", views.canvass_data, name="canvass-data"),
    path("call/<int:call_list_id>/", views.call, name="call"),
    path("call/<int:call_list_id>/data.json", views.call_data, name="call-data"),
    path("contacts/sync/", views.contacts_sync, name="contacts-sync"),
]

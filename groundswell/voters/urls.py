from django.urls import path

from groundswell.voters import views

app_name = "voters"
urlpatterns = [
    path("", views.home, name="home"),
    path("build/", views.builder, name="builder"),
    path("build/count/", views.count, name="count"),
    path("universes/<int:universe_id>/", views.universe_detail, name="universe"),
    path("universes/<int:universe_id>/freeze/", views.universe_freeze, name="universe-freeze"),
    path("universes/<int:universe_id>/delete/", views.universe_delete, name="universe-delete"),
    path("lists/<int:list_id>/", views.list_detail, name="list"),
    path("lists/<int:list_id>/export/", views.list_export, name="list-export"),
    path("lookup/", views.lookup, name="lookup"),
    path("voter/<str:state>/<str:voter_id>/", views.voter_detail, name="voter"),
    path("imports/", views.imports, name="imports"),
    path("imports/<int:import_id>/", views.import_detail, name="import"),
    path("imports/<int:import_id>/confirm/", views.import_confirm, name="import-confirm"),
    path("imports/mappings/", views.mapping_new, name="mapping-new"),
    path("review/", views.review, name="review"),
    path("review/<int:link_id>/", views.review_decide, name="review-decide"),
]

from django.urls import path

from groundswell.people import views, views_import

app_name = "people"
urlpatterns = [
    path("", views.person_list, name="list"),
    path("<int:person_id>/", views.person_detail, name="detail"),
    path("<int:person_id>/edit/", views.person_edit, name="edit"),
    path("<int:person_id>/tags/", views.person_tag, name="tag"),
    path("<int:person_id>/tags/remove/", views.person_untag, name="untag"),
    path("<int:person_id>/consent/", views.person_consent, name="consent"),
    path("duplicates/", views.duplicates, name="duplicates"),
    path("duplicates/refresh/", views.refresh_duplicates, name="refresh-duplicates"),
    path("duplicates/refresh/progress/", views.duplicates_refresh_progress, name="duplicates-refresh-progress"),
    path("duplicates/<int:first_id>/<int:second_id>/", views.merge, name="merge"),
    path("duplicates/<int:first_id>/<int:second_id>/dismiss/", views.dismiss_duplicate, name="dismiss-duplicate"),
    path("import/", views_import.import_upload, name="import"),
    path("import/<int:batch_id>/", views_import.import_status, name="import-status"),
    path("import/<int:batch_id>/mapping/", views_import.import_mapping, name="import-mapping"),
    path("import/<int:batch_id>/preview/", views_import.import_preview, name="import-preview"),
    path(
        "import/<int:batch_id>/preview/progress/", views_import.import_preview_progress, name="import-preview-progress"
    ),
    path("import/<int:batch_id>/commit/", views_import.import_commit, name="import-commit"),
    path("import/<int:batch_id>/progress/", views_import.import_progress, name="import-progress"),
    path("export.csv", views_import.export_people_csv, name="export"),
]

from django.urls import path

from groundswell.people import views, views_import

app_name = "people"
urlpatterns = [
    path("", views.person_list, name="list"),
    path("confirm/<str:token>/", views.confirm_details, name="confirm"),
    path("duplicates/", views.duplicates, name="duplicates"),
    path("duplicates/refresh/", views.refresh_duplicates, name="refresh-duplicates"),
    path("duplicates/refresh/progress/", views.duplicates_refresh_progress, name="duplicates-refresh-progress"),
    path("duplicates/<slug:first_uid>/<slug:second_uid>/", views.merge, name="merge"),
    path("duplicates/<slug:first_uid>/<slug:second_uid>/dismiss/", views.dismiss_duplicate, name="dismiss-duplicate"),
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
    # A person's own pages last: their id is a slug, like the words above.
    path("<slug:uid>/", views.person_detail, name="detail"),
    path("<slug:uid>/edit/", views.person_edit, name="edit"),
    path("<slug:uid>/tags/", views.person_tag, name="tag"),
    path("<slug:uid>/tags/remove/", views.person_untag, name="untag"),
    path("<slug:uid>/consent/", views.person_consent, name="consent"),
    path("<slug:uid>/details/<int:fact_id>/accept/", views.accept_details, name="accept-details"),
    path("<slug:uid>/merges/<int:record_id>/undo/", views.unmerge, name="unmerge"),
]

from django.urls import path

from groundswell.people import views

app_name = "people"
urlpatterns = [
    path("", views.person_list, name="list"),
    path("<int:person_id>/", views.person_detail, name="detail"),
    path("<int:person_id>/edit/", views.person_edit, name="edit"),
    path("<int:person_id>/tags/", views.person_tag, name="tag"),
    path("<int:person_id>/tags/remove/", views.person_untag, name="untag"),
    path("<int:person_id>/consent/", views.person_consent, name="consent"),
    path("duplicates/", views.duplicates, name="duplicates"),
    path("duplicates/<int:first_id>/<int:second_id>/", views.merge, name="merge"),
    path("duplicates/<int:first_id>/<int:second_id>/dismiss/", views.dismiss_duplicate, name="dismiss-duplicate"),
]

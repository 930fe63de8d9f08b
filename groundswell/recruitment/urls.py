from django.urls import path

from groundswell.recruitment import views

app_name = "recruitment"
urlpatterns = [
    path("", views.recruit_list, name="list"),
    path("new/", views.recruit_new, name="new"),
    path("funnel/", views.funnel, name="funnel"),
    path("sync-results/", views.sync_results, name="sync-results"),
    path("<int:recruit_id>/", views.recruit_detail, name="detail"),
    path("<int:recruit_id>/move/", views.recruit_move, name="move"),
    path("<int:recruit_id>/edit/", views.recruit_edit, name="edit"),
    path("trainings/", views.training_list, name="trainings"),
    path("trainings/<int:training_id>/", views.training_detail, name="training"),
    path("run/<slug:slug>/", views.run_form, name="run"),
    path("run/<slug:slug>/thanks/", views.run_thanks, name="run-thanks"),
]

from django.urls import path

from groundswell.webhooks import views

app_name = "webhooks"
urlpatterns = [
    path("", views.subscription_list, name="list"),
    path("new/", views.subscription_new, name="new"),
    path("<int:subscription_id>/", views.subscription_detail, name="detail"),
    path("<int:subscription_id>/pause/", views.subscription_pause, name="pause"),
    path("<int:subscription_id>/resume/", views.subscription_resume, name="resume"),
    path("<int:subscription_id>/delete/", views.subscription_delete, name="delete"),
    path("<int:subscription_id>/deliveries/<int:delivery_id>/replay/", views.delivery_replay, name="replay"),
]

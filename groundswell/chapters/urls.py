from django.urls import path

from groundswell.chapters import views

app_name = "chapters"
urlpatterns = [
    path("", views.finder, name="finder"),
    path("<slug:slug>/", views.detail, name="detail"),
]

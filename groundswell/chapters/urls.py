from django.urls import path

from groundswell.chapters import views

app_name = "chapters"
urlpatterns = [
    path("", views.finder, name="finder"),
    # "mine" comes before the slug patterns; no chapter may take that slug.
    path("mine/", views.my_chapters, name="mine"),
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/join/", views.join, name="join"),
    path("<slug:slug>/thanks/", views.thanks, name="thanks"),
    path("<slug:slug>/manage/", views.manage, name="manage"),
    path("<slug:slug>/manage/edit/", views.edit, name="edit"),
]

from django.urls import path

from groundswell.staff import views

app_name = "staff"
urlpatterns = [
    path("users/", views.user_list, name="users"),
    path("users/new/", views.user_new, name="user-new"),
    path("users/<int:user_id>/", views.user_detail, name="user-detail"),
    path("users/<int:user_id>/roles/", views.user_grant, name="user-grant"),
    path("users/<int:user_id>/invite/", views.user_invite, name="user-invite"),
    path("roles/<int:grant_id>/revoke/", views.grant_revoke, name="grant-revoke"),
    path("audit/", views.audit_log, name="audit"),
]

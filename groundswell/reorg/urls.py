from django.urls import path

from groundswell.reorg import views

app_name = "reorg"
urlpatterns = [
    path("", views.drive_list, name="list"),
    path("<int:drive_id>/", views.drive_detail, name="detail"),
    path("<int:drive_id>/vacancies/", views.vacancies, name="vacancies"),
    path("<int:drive_id>/rules/", views.add_rule, name="add-rule"),
    path("<int:drive_id>/dates/", views.add_date, name="add-date"),
    path("<int:drive_id>/seats/", views.add_seats, name="add-seats"),
    path("<int:drive_id>/leadership/", views.add_leadership, name="add-leadership"),
]

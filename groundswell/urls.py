from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("groundswell.web.urls")),
    path("chapters/", include("groundswell.chapters.urls")),
    path("people/", include("groundswell.people.urls")),
    path("staff/", include("groundswell.staff.urls")),
    path("api/v1/", include("groundswell.api.urls")),
    path("powermap/", include("groundswell.powermap.urls")),
    path("recruitment/", include("groundswell.recruitment.urls")),
    path("reorg/", include("groundswell.reorg.urls")),
    path("endorsements/", include("groundswell.endorsements.urls")),
    path("voters/", include("groundswell.voters.urls")),
    path("field/", include("groundswell.field.urls")),
    path("turnout/", include("groundswell.turnout.urls")),
    path("django-admin/", admin.site.urls),
]

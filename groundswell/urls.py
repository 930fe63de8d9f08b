from django.contrib import admin
from django.urls import include, path, re_path

from groundswell.api.base import ACTION_NETWORK, OSDI, not_found

urlpatterns = [
    path("", include("groundswell.web.urls")),
    path("chapters/", include("groundswell.chapters.urls")),
    path("people/", include("groundswell.people.urls")),
    path("staff/", include("groundswell.staff.urls")),
    path("webhooks/", include("groundswell.webhooks.urls")),
    # The API's two faces over the same views (groundswell.api.base): OSDI, and Action Network's.
    path("api/v1/", include(("groundswell.api.urls", "api"), namespace="api"), {"face": OSDI.key}),
    path("api/v2/", include(("groundswell.api.urls", "api"), namespace="an"), {"face": ACTION_NETWORK.key}),
    # [\s\S], not ".": a path with a newline in it is still the API's (a JSON 404, not an HTML page)
    re_path(r"^api(/[\s\S]*)?$", not_found),
    path("powermap/", include("groundswell.powermap.urls")),
    path("recruitment/", include("groundswell.recruitment.urls")),
    path("reorg/", include("groundswell.reorg.urls")),
    path("endorsements/", include("groundswell.endorsements.urls")),
    path("voters/", include("groundswell.voters.urls")),
    path("field/", include("groundswell.field.urls")),
    path("turnout/", include("groundswell.turnout.urls")),
    path("django-admin/", admin.site.urls),
]

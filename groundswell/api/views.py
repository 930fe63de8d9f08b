"""The API's entry point and chapters, which OSDI lacks (people: api/people.py; tags: api/tags.py).

Every handler reads through the same selectors and writes through the same actions as the pages.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from groundswell.api.base import (
    CURIES,
    ENTRY_LINKS,
    FACES,
    OSDI,
    advertise,
    api_endpoint,
    call_of,
    collection,
    error,
    hal,
)
from groundswell.api.openapi import openapi_document
from groundswell.chapters.models import Chapter
from groundswell.chapters.selectors import public_chapters
from groundswell.core.models import User

advertise("groundswell:chapters", "chapters")


@api_endpoint("GET")
def entry_point(request: HttpRequest, user: User) -> HttpResponse:
    call = call_of(request)
    base = call.base
    return hal({
        "motd": "Groundswell OSDI API",
        "vendor_name": "Groundswell",
        "product_name": "Groundswell",
        "osdi_version": "1.1",
        "max_pagesize": call.face.max_per_page,
        "_links": {
            "self": {"href": f"{base}/"},
            **{rel: {"href": f"{base}/{path}"} for rel, path in ENTRY_LINKS},
            "docs": {"href": f"{base}/openapi.json"},
            "curies": CURIES,
        },
    })  # fmt: skip


@api_endpoint("GET")
def chapters_collection(request: HttpRequest, user: User) -> HttpResponse:
    call = call_of(request)
    base = call.base
    site = settings.BASE_URL

    def render(chapter: Chapter) -> dict[str, Any]:
        return {
            "identifiers": call.identifiers(chapter.slug),
            "name": chapter.name, "status": chapter.status, "country": chapter.country, "state": chapter.state,
            "browser_url": f"{site}{chapter.get_absolute_url()}",
            "_links": {"self": {"href": f"{base}/chapters/{chapter.slug}"}},
        }  # fmt: skip

    return collection(request, "groundswell:chapters", public_chapters().order_by("name"), render)


def openapi_public(request: HttpRequest, face: str = OSDI.key) -> HttpResponse:
    """The API description is public, so tools can read it before they hold a token."""
    if request.method != "GET":
        return error(405, "use GET")
    return JsonResponse(openapi_document(request.build_absolute_uri(FACES[face].prefix)))

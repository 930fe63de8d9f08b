"""The OSDI 1.1 API (HAL+JSON) over Groundswell's people, plus chapters, which OSDI lacks.

Every handler reads through the same selectors and writes through the same actions as the pages.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse

from groundswell.api.base import (
    CURIES,
    ENTRY_LINKS,
    FACES,
    OSDI,
    ApiInputError,
    advertise,
    api_endpoint,
    call_of,
    collection,
    error,
    hal,
    read_body,
)
from groundswell.api.openapi import openapi_document
from groundswell.api.osdi import filter_q, person_details, person_resource
from groundswell.chapters.access import scope_for
from groundswell.chapters.models import Chapter
from groundswell.chapters.selectors import chapters_managed_by, public_chapters
from groundswell.core.audit import record_audit
from groundswell.core.models import AuditEvent, User
from groundswell.people import selectors as people_selectors
from groundswell.people.actions import AddressTaken, do_add_to_person, do_save_person
from groundswell.people.models import EmailAddress, Tag, Via

advertise("osdi:people", "people")
advertise("osdi:tags", "tags")
advertise("osdi:person_signup_helper", "people/signup")
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


def _people_rows(user: User, request: HttpRequest) -> QuerySet[Any]:
    """The caller's people (their own view of each), filtered by OSDI's ``filter``, oldest first."""
    scope = scope_for(user)
    column = people_selectors.person_column(scope)
    rows = people_selectors.visible_rows(scope)

    def emails_in_scope(address: str) -> Q:
        return Q(**{f"{column}__in": EmailAddress.objects.filter(scope.owner_q(), address=address).values("person_id")})

    if request.GET.get("filter"):
        rows = rows.filter(filter_q(request.GET["filter"], emails_in_scope))
    return rows.order_by("created_at", column)


@api_endpoint("GET")
def people_collection(request: HttpRequest, user: User) -> HttpResponse:
    call = call_of(request)
    base = call.base

    def render_page(rows: list[Any]) -> list[dict[str, Any]]:
        return [person_resource(p, base, call.identifiers(p.uid)) for p in people_selectors.seen_people(user, rows)]

    response = collection(request, "osdi:people", _people_rows(user, request), render_page=render_page)
    _audit_people_read(user, request, json.loads(response.content)["_embedded"]["osdi:people"])
    return response


def _groundswell_id(resource: dict[str, Any]) -> str:
    return str(next(i for i in resource["identifiers"] if i.startswith(f"{OSDI.id_prefix}:")))


def _audit_people_read(user: User, request: HttpRequest, people: list[dict[str, Any]]) -> None:
    """A tool reading people through the API is an export in all but name: log who read whom."""
    record_audit(
        AuditEvent.API_PEOPLE_READ,
        actor=user,
        summary=f"read {len(people)} people through the API",
        details={
            "path": request.get_full_path(),
            "ids": [next(i for i in p["identifiers"] if i.startswith("groundswell:")) for p in people],
        },
    )


@api_endpoint("GET", "PUT")
def person_item(request: HttpRequest, user: User, uid: str) -> HttpResponse:
    person = people_selectors.get_person(user, uid)
    if request.method == "PUT":
        try:
            do_add_to_person(person, person_details(read_body(request)), actor=user, source="API")
        except AddressTaken as error:
            raise ApiInputError("person.email_addresses", str(error)) from None
    call = call_of(request)
    resource = person_resource(people_selectors.seen_person(user, person), call.base, call.identifiers(person.uid))
    _audit_people_read(user, request, [resource])
    return hal(resource)


@api_endpoint("POST")
def person_signup(request: HttpRequest, user: User) -> HttpResponse:
    """OSDI's person signup helper: record what was sent as the caller's facts, about the person the
    email matches or someone new, and tag. The answer is the same either way: the caller's own view
    of the person (for a match outside their scope, only what they sent) and the same status."""
    body = read_body(request)
    if not isinstance(body, dict):
        raise ApiInputError("body", "must be an object")
    details = person_details(body.get("person"))
    tags = body.get("add_tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) and t.strip() for t in tags):
        raise ApiInputError("add_tags", "must be a list of tag names")
    chapter = _signup_chapter(user, body.get("groundswell:chapter"))
    details.tags = [t.strip() for t in tags]
    saved = do_save_person(details, source="API signup", actor=user, chapter=chapter, via=Via.API)
    call = call_of(request)
    resource = person_resource(
        people_selectors.seen_person(user, saved.person), call.base, call.identifiers(saved.person.uid)
    )
    _audit_people_read(user, request, [resource])
    return hal(resource, status=200)


def _signup_chapter(user: User, slug: Any) -> Chapter | None:
    """Staff may sign people up without a chapter; anyone else signs them up into a chapter they run,
    so that the person they add stays in their sight."""
    managed = chapters_managed_by(user)
    if slug:
        chapter = managed.filter(slug=str(slug)).first()
        if chapter is None:
            raise ApiInputError("groundswell:chapter", f"you do not manage a chapter {slug!r}")
        return chapter
    if scope_for(user).national:
        return None
    only = list(managed[:2])
    if len(only) == 1:
        return only[0]
    if not only:
        raise Http404
    raise ApiInputError("groundswell:chapter", "you manage several chapters: say which one")


@api_endpoint("GET")
def person_taggings(request: HttpRequest, user: User, uid: str) -> HttpResponse:
    """The tags the caller's scope put on a person (audited: it is a read of a person)."""
    seen = people_selectors.get_seen_person(user, uid)
    call = call_of(request)
    base = call.base
    items = [
        {"_links": {"self": {"href": f"{base}/people/{seen.uid}/taggings/{n}"}, "osdi:tag": {"href": f"{base}/tags"}},
         "tag": n}
        for n in seen.tags
    ]  # fmt: skip
    record_audit(
        AuditEvent.API_PEOPLE_READ, actor=user, summary="read 1 person's taggings through the API",
        details={"path": request.get_full_path(), "ids": [f"groundswell:{seen.uid}"]},
    )  # fmt: skip
    return hal({"total_records": len(items), "_embedded": {"osdi:taggings": items}, "_links": {"curies": CURIES}})


@api_endpoint("GET")
def tags_collection(request: HttpRequest, user: User) -> HttpResponse:
    call = call_of(request)
    base = call.base
    tags = people_selectors.tags_in_use_by(user)

    def render(tag: Tag) -> dict[str, Any]:
        return {"name": tag.name, "identifiers": call.identifiers(tag.pk),
                "_links": {"self": {"href": f"{base}/tags/{tag.pk}"}}}  # fmt: skip

    return collection(request, "osdi:tags", tags, render)


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

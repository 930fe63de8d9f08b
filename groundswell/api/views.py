"""The OSDI 1.1 API (HAL+JSON) over Groundswell's people, plus chapters, which OSDI lacks.

Every handler reads through the same selectors and writes through the same actions as the pages.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from groundswell.api.auth import api_user
from groundswell.api.openapi import openapi_document
from groundswell.api.osdi import CURIES, OsdiInputError, filter_q, person_details, person_resource
from groundswell.chapters.access import scope_for
from groundswell.chapters.models import Chapter
from groundswell.chapters.selectors import chapters_managed_by, public_chapters
from groundswell.core.audit import record_audit
from groundswell.core.models import AuditEvent, User
from groundswell.people import selectors as people_selectors
from groundswell.people.actions import do_save_person, do_tag_person
from groundswell.people.models import Person, Tag

HAL = "application/hal+json"
DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 100

Handler = Callable[..., HttpResponse]


def _hal(data: dict[str, Any], status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, content_type=HAL, json_dumps_params={"ensure_ascii": False})


def _error(status: int, message: str, field: str = "") -> JsonResponse:
    body = {"request_type": "error", "error": message}
    if field:
        body["field"] = field
    return JsonResponse(body, status=status)


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/api/v1").rstrip("/")


def api_endpoint(*methods: str) -> Callable[[Handler], Handler]:
    """Resolve the acting user from the token, refuse other methods, and turn errors into JSON."""

    def decorate(view: Handler) -> Handler:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in methods:
                return _error(405, f"{request.method} is not allowed here; use {', '.join(methods)}")
            user = api_user(request)
            if isinstance(user, AnonymousUser):
                return _error(401, "Send a valid API token in the OSDI-API-Token header.")
            try:
                return view(request, user, *args, **kwargs)
            except OsdiInputError as exc:
                return _error(400, exc.reason, exc.field)
            except (Http404, PermissionDenied):
                return _error(404, "Not found.")

        return wrapper

    return decorate


def _body(request: HttpRequest) -> Any:
    try:
        return json.loads(request.body or b"{}")
    except ValueError:
        raise OsdiInputError("body", "is not valid JSON") from None


def _page_numbers(request: HttpRequest) -> tuple[int, int]:
    try:
        page = int(request.GET.get("page", "1"))
        per_page = int(request.GET.get("per_page", str(DEFAULT_PER_PAGE)))
    except ValueError:
        raise OsdiInputError("page", "page and per_page must be whole numbers") from None
    if page < 1 or per_page < 1:
        raise OsdiInputError("page", "page and per_page start at 1")
    return page, min(per_page, MAX_PER_PAGE)


def _collection(
    request: HttpRequest, rel: str, rows: QuerySet[Any], render: Callable[[Any], dict[str, Any]]
) -> JsonResponse:
    page, per_page = _page_numbers(request)
    total = rows.count()
    items = [render(row) for row in rows[(page - 1) * per_page : page * per_page]]
    total_pages = max(1, math.ceil(total / per_page))
    self_href = request.build_absolute_uri(request.path)

    def page_href(number: int) -> str:
        query = request.GET.copy()
        query["page"], query["per_page"] = str(number), str(per_page)
        return f"{self_href}?{query.urlencode()}"

    links: dict[str, Any] = {"self": {"href": page_href(page)}, "curies": CURIES}
    if page < total_pages:
        links["next"] = {"href": page_href(page + 1)}
    if page > 1:
        links["prev"] = {"href": page_href(page - 1)}
    links[rel] = [{"href": item["_links"]["self"]["href"]} for item in items]
    return _hal({
        "total_pages": total_pages, "per_page": per_page, "page": page, "total_records": total,
        "_links": links, "_embedded": {rel: items},
    })  # fmt: skip


@api_endpoint("GET")
def entry_point(request: HttpRequest, user: User) -> HttpResponse:
    base = _base(request)
    return _hal({
        "motd": "Groundswell OSDI API",
        "vendor_name": "Groundswell",
        "product_name": "Groundswell",
        "osdi_version": "1.1",
        "max_pagesize": MAX_PER_PAGE,
        "_links": {
            "self": {"href": f"{base}/"},
            "osdi:people": {"href": f"{base}/people"},
            "osdi:tags": {"href": f"{base}/tags"},
            "osdi:person_signup_helper": {"href": f"{base}/people/signup"},
            "groundswell:chapters": {"href": f"{base}/chapters"},
            "docs": {"href": f"{base}/openapi.json"},
            "curies": CURIES,
        },
    })  # fmt: skip


def _people_with_details(people: QuerySet[Person]) -> QuerySet[Person]:
    return people.prefetch_related("emails", "phones", "tags").order_by("id")


@api_endpoint("GET")
def people_collection(request: HttpRequest, user: User) -> HttpResponse:
    people = people_selectors.people_visible_to(user)
    if request.GET.get("filter"):
        people = people.filter(filter_q(request.GET["filter"])).distinct()
    base = _base(request)
    response = _collection(request, "osdi:people", _people_with_details(people), lambda p: person_resource(p, base))
    _audit_people_read(user, request, json.loads(response.content)["_embedded"]["osdi:people"])
    return response


def _audit_people_read(user: User, request: HttpRequest, people: list[dict[str, Any]]) -> None:
    """A tool reading people through the API is an export in all but name: log who read whom."""
    record_audit(
        AuditEvent.API_PEOPLE_READ,
        actor=user,
        summary=f"read {len(people)} people through the API",
        details={"path": request.get_full_path(), "ids": [p["identifiers"][0] for p in people]},
    )


@api_endpoint("GET", "PUT")
def person_item(request: HttpRequest, user: User, person_id: int) -> HttpResponse:
    person = people_selectors.get_person(user, person_id)
    if request.method == "PUT":
        details = person_details(_body(request))
        details.emails = [e for e in details.emails if not _belongs_to_someone_else(e, person, "emails__address")]
        details.phones = [p for p in details.phones if not _belongs_to_someone_else(p, person, "phones__number")]
        if details.emails or details.phones:
            do_save_person(details, source="API", actor=user)
        else:
            _update_without_contact(person, details, user)
    person = _people_with_details(people_selectors.people_visible_to(user)).get(pk=person_id)
    resource = person_resource(person, _base(request))
    if request.method == "GET":
        _audit_people_read(user, request, [resource])
    return _hal(resource)


def _belongs_to_someone_else(value: str, person: Person, lookup: str) -> bool:
    return Person.objects.filter(**{lookup: value}).exclude(pk=person.pk).exists()


def _update_without_contact(person: Person, details: Any, user: User) -> None:
    from groundswell.people.actions import ADDRESS_FIELDS, NAME_FIELDS, do_update_person

    changes = {name: getattr(details, name) for name in (*NAME_FIELDS, *ADDRESS_FIELDS) if getattr(details, name)}
    do_update_person(person, actor=user, **changes)


@api_endpoint("POST")
def person_signup(request: HttpRequest, user: User) -> HttpResponse:
    """OSDI's person signup helper: create or (matched by email or phone) update, and tag."""
    body = _body(request)
    if not isinstance(body, dict):
        raise OsdiInputError("body", "must be an object")
    details = person_details(body.get("person"))
    tags = body.get("add_tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) and t.strip() for t in tags):
        raise OsdiInputError("add_tags", "must be a list of tag names")
    chapter = _signup_chapter(user, body.get("groundswell:chapter"))
    person, created = do_save_person(details, source="API signup", actor=user, chapter=chapter)
    for tag in tags:
        do_tag_person(person, tag_name=tag.strip(), actor=user)
    person = _people_with_details(Person.objects.filter(pk=person.pk)).get()
    return _hal(person_resource(person, _base(request)), status=201 if created else 200)


def _signup_chapter(user: User, slug: Any) -> Chapter | None:
    """Staff may sign people up without a chapter; anyone else signs them up into a chapter they run,
    so that the person they add stays in their sight."""
    managed = chapters_managed_by(user)
    if slug:
        chapter = managed.filter(slug=str(slug)).first()
        if chapter is None:
            raise OsdiInputError("groundswell:chapter", f"you do not manage a chapter {slug!r}")
        return chapter
    if scope_for(user).national:
        return None
    only = list(managed[:2])
    if len(only) == 1:
        return only[0]
    if not only:
        raise Http404
    raise OsdiInputError("groundswell:chapter", "you manage several chapters: say which one")


@api_endpoint("GET")
def person_taggings(request: HttpRequest, user: User, person_id: int) -> HttpResponse:
    person = people_selectors.get_person(user, person_id)
    base = _base(request)
    names = list(person.tags.values_list("name", flat=True))
    items = [
        {"_links": {"self": {"href": f"{base}/people/{person.pk}/taggings/{n}"}, "osdi:tag": {"href": f"{base}/tags"}},
         "tag": n}
        for n in names
    ]  # fmt: skip
    return _hal({"total_records": len(items), "_embedded": {"osdi:taggings": items}, "_links": {"curies": CURIES}})


@api_endpoint("GET")
def tags_collection(request: HttpRequest, user: User) -> HttpResponse:
    base = _base(request)
    tags = people_selectors.tags_in_use_by(user)

    def render(tag: Tag) -> dict[str, Any]:
        return {"name": tag.name, "identifiers": [f"groundswell:{tag.pk}"],
                "_links": {"self": {"href": f"{base}/tags/{tag.pk}"}}}  # fmt: skip

    return _collection(request, "osdi:tags", tags, render)


@api_endpoint("GET")
def chapters_collection(request: HttpRequest, user: User) -> HttpResponse:
    base = _base(request)
    site = settings.BASE_URL

    def render(chapter: Chapter) -> dict[str, Any]:
        return {
            "identifiers": [f"groundswell:{chapter.slug}"],
            "name": chapter.name, "status": chapter.status, "country": chapter.country, "state": chapter.state,
            "browser_url": f"{site}{chapter.get_absolute_url()}",
            "_links": {"self": {"href": f"{base}/chapters/{chapter.slug}"}},
        }  # fmt: skip

    return _collection(request, "groundswell:chapters", public_chapters().order_by("name"), render)


def openapi_public(request: HttpRequest) -> HttpResponse:
    """The API description is public, so tools can read it before they hold a token."""
    if request.method != "GET":
        return _error(405, "use GET")
    return JsonResponse(openapi_document(_base(request)))

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
from django.db.models import Q, QuerySet
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
from groundswell.people.actions import AddressTaken, do_add_to_person, do_save_person
from groundswell.people.models import EmailAddress, Tag, Via

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
    request: HttpRequest,
    rel: str,
    rows: QuerySet[Any],
    render: Callable[[Any], dict[str, Any]] | None = None,
    *,
    render_page: Callable[[list[Any]], list[dict[str, Any]]] | None = None,
) -> JsonResponse:
    """One page of a collection, rendered a row at a time (``render``) or a page at a time."""
    page, per_page = _page_numbers(request)
    total = rows.count()
    page_rows = list(rows[(page - 1) * per_page : page * per_page])
    if render_page is None:
        assert render is not None
        items = [render(row) for row in page_rows]
    else:
        items = render_page(page_rows)
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
    base = _base(request)

    def render_page(rows: list[Any]) -> list[dict[str, Any]]:
        return [person_resource(p, base) for p in people_selectors.seen_people(user, rows)]

    response = _collection(request, "osdi:people", _people_rows(user, request), render_page=render_page)
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
def person_item(request: HttpRequest, user: User, uid: str) -> HttpResponse:
    person = people_selectors.get_person(user, uid)
    if request.method == "PUT":
        try:
            do_add_to_person(person, person_details(_body(request)), actor=user, source="API")
        except AddressTaken as error:
            raise OsdiInputError("person.email_addresses", str(error)) from None
    resource = person_resource(people_selectors.seen_person(user, person), _base(request))
    _audit_people_read(user, request, [resource])
    return _hal(resource)


@api_endpoint("POST")
def person_signup(request: HttpRequest, user: User) -> HttpResponse:
    """OSDI's person signup helper: record what was sent as the caller's facts, about the person the
    email matches or someone new, and tag. The answer is the same either way: the caller's own view
    of the person (for a match outside their scope, only what they sent) and the same status."""
    body = _body(request)
    if not isinstance(body, dict):
        raise OsdiInputError("body", "must be an object")
    details = person_details(body.get("person"))
    tags = body.get("add_tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) and t.strip() for t in tags):
        raise OsdiInputError("add_tags", "must be a list of tag names")
    chapter = _signup_chapter(user, body.get("groundswell:chapter"))
    details.tags = [t.strip() for t in tags]
    saved = do_save_person(details, source="API signup", actor=user, chapter=chapter, via=Via.API)
    resource = person_resource(people_selectors.seen_person(user, saved.person), _base(request))
    _audit_people_read(user, request, [resource])
    return _hal(resource, status=200)


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
def person_taggings(request: HttpRequest, user: User, uid: str) -> HttpResponse:
    """The tags the caller's scope put on a person (audited: it is a read of a person)."""
    seen = people_selectors.get_seen_person(user, uid)
    base = _base(request)
    items = [
        {"_links": {"self": {"href": f"{base}/people/{seen.uid}/taggings/{n}"}, "osdi:tag": {"href": f"{base}/tags"}},
         "tag": n}
        for n in seen.tags
    ]  # fmt: skip
    record_audit(
        AuditEvent.API_PEOPLE_READ, actor=user, summary="read 1 person's taggings through the API",
        details={"path": request.get_full_path(), "ids": [f"groundswell:{seen.uid}"]},
    )  # fmt: skip
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

"""OSDI's lists and items over Groundswell's saved lists of people (groundswell.lists): /lists,
/lists/<id>, /lists/<id>/items and /lists/<id>/items/<id>, read and written on both faces.

A list out of the caller's scope, and an item whose person they cannot see, is a 404 like a missing one;
``total_items`` counts only the people the caller can see. Reading items reveals who is on a list, so every
read of them is audited as a read of those people.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse

from groundswell.api.base import CURIES, ApiInputError, advertise, api_endpoint, call_of, collection, hal, read_object
from groundswell.api.filters import DATES, filter_rows
from groundswell.api.openapi import describe
from groundswell.api.osdi import osdi_date
from groundswell.chapters.models import Chapter
from groundswell.chapters.selectors import chapters_managed_by
from groundswell.core.audit import record_audit
from groundswell.core.models import AuditEvent, User
from groundswell.lists import actions, selectors
from groundswell.lists.models import ListItem, PeopleList
from groundswell.people import selectors as people_selectors
from groundswell.people.models import Via

advertise("osdi:lists", "lists")

ORIGIN = "Groundswell"
_PERSON_HREF = re.compile(r"/people/([0-9a-f]{16})/?$")


def _list_resource(request: HttpRequest, people_list: PeopleList, seen_items: int) -> dict[str, Any]:
    call = call_of(request)
    href = f"{call.base}/lists/{people_list.uid}"
    return {
        "identifiers": call.identifiers(people_list.uid),
        "origin_system": ORIGIN,
        "name": people_list.name,
        "description": people_list.description,
        "total_items": seen_items,
        "created_date": osdi_date(people_list.created_at),
        "modified_date": osdi_date(people_list.updated_at),
        "_links": {"self": {"href": href}, "osdi:items": {"href": f"{href}/items"}, "curies": CURIES},
    }


def _item_resource(request: HttpRequest, item: ListItem) -> dict[str, Any]:
    call = call_of(request)
    list_href = f"{call.base}/lists/{item.people_list.uid}"
    resource: dict[str, Any] = {
        "identifiers": call.identifiers(item.uid),
        "origin_system": ORIGIN,
        "item_type": "osdi:person",
        "created_date": osdi_date(item.recorded_at),
        "modified_date": osdi_date(item.recorded_at),
        "_links": {
            "self": {"href": f"{list_href}/items/{item.uid}"},
            "osdi:list": {"href": list_href},
            "osdi:person": {"href": f"{call.base}/people/{item.person.uid}"},
            "curies": CURIES,
        },
    }
    if call.face.key == "action_network":
        # Action Network names the person and the list on each item; tools read these columns.
        resource["action_network:person_id"] = item.person.uid
        resource["action_network:list_id"] = item.people_list.uid
    return resource


def _audit_items_read(user: User, request: HttpRequest, items: list[ListItem]) -> None:
    """Who is on a list is a fact about those people: a read of them through the API, logged."""
    record_audit(
        AuditEvent.API_PEOPLE_READ,
        actor=user,
        summary=f"read {len(items)} people on a list through the API",
        details={"path": request.get_full_path(), "ids": [f"groundswell:{item.person.uid}" for item in items]},
    )


def _filtered(request: HttpRequest, rows: QuerySet[Any]) -> QuerySet[Any]:
    return filter_rows(rows, request.GET.get("filter"), DATES)


def _text(body: dict[str, Any], key: str, *, required: bool = False) -> str | None:
    value = body.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        raise ApiInputError(key, "give the list a name" if key == "name" else "must be a string")
    return value


def _chapter_named(user: User, slug: Any) -> Chapter | None:
    if slug is None or slug == "":
        return None
    chapter = chapters_managed_by(user).filter(slug=str(slug)).first()
    if chapter is None:
        raise ApiInputError("groundswell:chapter", f"you do not manage a chapter {slug!r}")
    return chapter


@api_endpoint("GET", "POST")
def lists_collection(request: HttpRequest, user: User) -> HttpResponse:
    """GET: the lists in the caller's scope, oldest first. POST: make one (name, description and, for
    a caller who could make it for several owners, ``groundswell:chapter``)."""
    if request.method == "POST":
        return _create_list(request, user)
    rows = _filtered(request, selectors.lists_visible_to(user))
    return collection(request, "osdi:lists", rows, lambda row: _list_resource(request, row, row.seen_items))


def _create_list(request: HttpRequest, user: User) -> HttpResponse:
    body = read_object(request)
    name = _text(body, "name", required=True) or ""
    description = _text(body, "description") or ""
    chapter = _chapter_named(user, body.get("groundswell:chapter"))
    try:
        made = actions.do_create_people_list(name=name, description=description, chapter=chapter, actor=user)
    except actions.ListOwnerUnclear as exc:
        raise ApiInputError("groundswell:chapter", str(exc)) from None
    except ValueError as exc:
        raise ApiInputError("name", str(exc)) from None
    return hal(_list_resource(request, made, 0), status=201)


@api_endpoint("GET", "PUT", "DELETE")
def list_item(request: HttpRequest, user: User, list_uid: str) -> HttpResponse:
    """One list: read it, rename or describe it (PUT name, description), or delete it with its items."""
    people_list = selectors.get_people_list(user, list_uid)
    if request.method == "DELETE":
        actions.do_delete_people_list(people_list, actor=user)
        return hal({"notice": "This list was successfully deleted."})
    if request.method == "PUT":
        body = read_object(request)
        name, description = _text(body, "name"), _text(body, "description")
        if name is not None and not name.strip():
            raise ApiInputError("name", "give the list a name")
        try:
            actions.do_update_people_list(people_list, name=name, description=description, actor=user)
        except ValueError as exc:
            raise ApiInputError("name", str(exc)) from None
        people_list = selectors.get_people_list(user, list_uid)
    return hal(_list_resource(request, people_list, getattr(people_list, "seen_items", 0)))


@api_endpoint("GET", "POST")
def list_items(request: HttpRequest, user: User, list_uid: str) -> HttpResponse:
    """GET: the list's items whose person the caller can see (audited). POST: put a person on the list,
    given by an ``osdi:person`` link; a person out of the caller's sight is a 404 and changes nothing."""
    people_list = selectors.get_people_list(user, list_uid)
    if request.method == "POST":
        return _add_item(request, user, people_list)
    rows = _filtered(request, selectors.items_seen(user, people_list))
    shown: list[ListItem] = []

    def render_page(page: list[ListItem]) -> list[dict[str, Any]]:
        shown.extend(page)
        return [_item_resource(request, item) for item in page]

    response = collection(request, "osdi:items", rows, render_page=render_page)
    _audit_items_read(user, request, shown)
    return response


def _person_uid(body: dict[str, Any]) -> str:
    links = body.get("_links")
    person = links.get("osdi:person") if isinstance(links, dict) else None
    href = person.get("href") if isinstance(person, dict) else None
    if not isinstance(href, str):
        raise ApiInputError("_links.osdi:person", 'link the person to add: {"osdi:person": {"href": ...}}')
    match = _PERSON_HREF.search(href.split("?", 1)[0])
    if match is None:
        raise ApiInputError("_links.osdi:person", "must be a link to a person of this API (…/people/<id>)")
    return match.group(1)


def _add_item(request: HttpRequest, user: User, people_list: PeopleList) -> HttpResponse:
    body = read_object(request)
    person = people_selectors.get_person(user, _person_uid(body))
    try:
        item, _ = actions.do_add_to_people_list(people_list, person, actor=user, via=Via.API, source="API")
    except actions.PersonUnknownToOwner as exc:
        raise ApiInputError("_links.osdi:person", str(exc)) from None
    item.person, item.people_list = person, people_list
    _audit_items_read(user, request, [item])
    return hal(_item_resource(request, item))


@api_endpoint("GET", "DELETE")
def list_item_member(request: HttpRequest, user: User, list_uid: str, item_uid: str) -> HttpResponse:
    """One item (audited as a read of its person), or DELETE to take the person off the list."""
    people_list = selectors.get_people_list(user, list_uid)
    item = selectors.get_item(user, people_list, item_uid)
    item.people_list = people_list
    if request.method == "DELETE":
        try:
            actions.do_remove_from_people_list(item, actor=user)
        except PermissionDenied:
            raise Http404 from None
        return hal({"notice": "This item was successfully deleted."})
    _audit_items_read(user, request, [item])
    return hal(_item_resource(request, item))


# ---- the OpenAPI description --------------------------------------------------------------------

_ERROR = {
    "type": "object",
    "required": ["request_type", "error"],
    "properties": {"request_type": {"const": "error"}, "error": {"type": "string"}, "field": {"type": "string"}},
}
_LINK = {"type": "object", "required": ["href"], "properties": {"href": {"type": "string"}}}
_IDENTIFIERS = {"type": "array", "items": {"type": "string"}, "minItems": 1}
_DATE = {"type": "string", "format": "date-time"}
_LIST = {
    "type": "object",
    "required": ["identifiers", "name", "total_items", "created_date", "modified_date", "_links"],
    "properties": {
        "identifiers": _IDENTIFIERS,
        "origin_system": {"type": "string"},
        "name": {"type": "string"},
        "description": {"type": "string"},
        "total_items": {"type": "integer", "minimum": 0, "description": "People on the list the caller can see"},
        "created_date": _DATE,
        "modified_date": _DATE,
        "_links": {"type": "object", "required": ["self", "osdi:items"],
                   "properties": {"self": _LINK, "osdi:items": _LINK}},
    },
}  # fmt: skip
_ITEM = {
    "type": "object",
    "required": ["identifiers", "item_type", "created_date", "_links"],
    "properties": {
        "identifiers": _IDENTIFIERS,
        "origin_system": {"type": "string"},
        "item_type": {"const": "osdi:person"},
        "created_date": _DATE,
        "modified_date": _DATE,
        "action_network:person_id": {"type": "string", "description": "On the Action Network face (/api/v2)"},
        "action_network:list_id": {"type": "string", "description": "On the Action Network face (/api/v2)"},
        "_links": {"type": "object", "required": ["self", "osdi:list", "osdi:person"],
                   "properties": {"self": _LINK, "osdi:list": _LINK, "osdi:person": _LINK}},
    },
}  # fmt: skip
_NOTICE = {"type": "object", "required": ["notice"], "properties": {"notice": {"type": "string"}}}


def _paged(rel: str, item: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["total_pages", "per_page", "page", "total_records", "_links", "_embedded"],
        "properties": {
            "total_pages": {"type": "integer", "minimum": 1}, "per_page": {"type": "integer", "minimum": 1},
            "page": {"type": "integer", "minimum": 1}, "total_records": {"type": "integer", "minimum": 0},
            "_links": {"type": "object", "required": ["self", rel],
                       "properties": {"self": _LINK, "next": _LINK, "prev": _LINK,
                                      rel: {"type": "array", "items": _LINK}}},
            "_embedded": {"type": "object", "required": [rel], "properties": {rel: {"type": "array", "items": item}}},
        },
    }  # fmt: skip


_PAGING = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
    {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
    {"name": "filter", "in": "query", "schema": {"type": "string"},
     "description": "OData-style: modified_date gt '2024-01-01', created_date lt '...'; join with 'and'"},
]  # fmt: skip
_UID = {"in": "path", "required": True, "schema": {"type": "string", "pattern": "^[0-9a-f]{16}$"}}
_LIST_UID = {"name": "list_uid", **_UID, "description": "The list's id, as in its identifier groundswell:<id>"}
_ITEM_UID = {"name": "item_uid", **_UID, "description": "The item's id, as in its identifier groundswell:<id>"}
_NEW_LIST = {
    "type": "object",
    "required": ["name"],
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 200},
        "description": {"type": "string"},
        "groundswell:chapter": {"type": "string", "description": "Slug of the chapter the list is for; needed by "
                                "a caller who manages several"},
    },
}  # fmt: skip
_LIST_CHANGES = {
    "type": "object",
    "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 200}, "description": {"type": "string"}},
}
_NEW_ITEM = {
    "type": "object",
    "required": ["_links"],
    "properties": {
        "item_type": {"const": "osdi:person"},
        "_links": {"type": "object", "required": ["osdi:person"], "properties": {"osdi:person": _LINK}},
    },
}

describe(
    "/lists", "get", "Saved lists of people in the caller's scope (osdi:lists), oldest first", parameters=_PAGING,
    responses={200: _paged("osdi:lists", _LIST), 400: _ERROR, 401: _ERROR},
)  # fmt: skip
describe(
    "/lists", "post", "Make a list of people (name, description; groundswell:chapter to say whose)",
    request=_NEW_LIST, responses={201: _LIST, 400: _ERROR, 401: _ERROR, 404: _ERROR},
)  # fmt: skip
describe(
    "/lists/{list_uid}", "get", "One list of people", parameters=[_LIST_UID],
    responses={200: _LIST, 401: _ERROR, 404: _ERROR},
)  # fmt: skip
describe(
    "/lists/{list_uid}", "put", "Rename a list or change its description", parameters=[_LIST_UID],
    request=_LIST_CHANGES, responses={200: _LIST, 400: _ERROR, 401: _ERROR, 404: _ERROR},
)  # fmt: skip
describe(
    "/lists/{list_uid}", "delete", "Delete a list and its items (the people stay)", parameters=[_LIST_UID],
    responses={200: _NOTICE, 401: _ERROR, 404: _ERROR},
)  # fmt: skip
describe(
    "/lists/{list_uid}/items", "get", "The people on a list the caller can see (osdi:items; audited)",
    parameters=[_LIST_UID, *_PAGING], responses={200: _paged("osdi:items", _ITEM), 400: _ERROR, 401: _ERROR,
                                                 404: _ERROR},
)  # fmt: skip
describe(
    "/lists/{list_uid}/items", "post", "Put a person on a list, by an osdi:person link (once; again answers "
    "the same item)", parameters=[_LIST_UID], request=_NEW_ITEM,
    responses={200: _ITEM, 400: _ERROR, 401: _ERROR, 404: _ERROR},
)  # fmt: skip
describe(
    "/lists/{list_uid}/items/{item_uid}", "get", "One item of a list (audited)", parameters=[_LIST_UID, _ITEM_UID],
    responses={200: _ITEM, 401: _ERROR, 404: _ERROR},
)  # fmt: skip
describe(
    "/lists/{list_uid}/items/{item_uid}", "delete", "Take a person off a list", parameters=[_LIST_UID, _ITEM_UID],
    responses={200: _NOTICE, 401: _ERROR, 404: _ERROR},
)  # fmt: skip

"""The voter endpoints of the JSON API: saved universes (/universes, ``groundswell:universes``), frozen
voter lists (/voter_lists, ``groundswell:voter_lists``; /lists is OSDI's lists of people) and the voter
lookup: the same selectors and actions as the pages, behind the API's token check."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse

from groundswell.api.base import ApiInputError, advertise, api_endpoint, call_of, collection, hal
from groundswell.api.openapi import describe
from groundswell.api.osdi import osdi_date
from groundswell.core.models import User
from groundswell.voterfile.targeting import LOOKUP_FIELDS, Lookup, LookupInvalid, Universe, UniverseError
from groundswell.voters import actions, selectors
from groundswell.voters.engine import NoVoterData
from groundswell.voters.models import SavedUniverse, VoterList

OsdiInputError = ApiInputError

advertise("groundswell:universes", "universes")
advertise("groundswell:voter_lists", "voter_lists")


def _body(request: HttpRequest) -> dict[str, Any]:
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        raise OsdiInputError("body", "is not valid JSON") from None
    if not isinstance(body, dict):
        raise OsdiInputError("body", "must be an object")
    return body


def _names(body: dict[str, Any], key: str) -> tuple[str, ...]:
    value = body.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise OsdiInputError(key, "must be a list of tag names")
    return tuple(value)


def _target(body: dict[str, Any]) -> actions.Target:
    definition = body.get("definition", {})
    if not isinstance(definition, dict):
        raise OsdiInputError("definition", "must be an object (a universe: parties, age_min, history, ...)")
    try:
        universe = Universe.from_dict(definition)
    except UniverseError as exc:
        raise OsdiInputError("definition", str(exc)) from None
    return actions.Target(universe, _names(body, "tags"), _names(body, "exclude_tags"))


def _workspace(user: User, body: dict[str, Any]) -> selectors.Workspace:
    selectors.require_voter_access(user)
    where = body.get("where")
    if not isinstance(where, str) or not where:
        raise OsdiInputError("where", "say where: 'chapter:<slug>' or 'state:<XX>'")
    return selectors.get_workspace(user, where)


def _universe_resource(request: HttpRequest, universe: SavedUniverse) -> dict[str, Any]:
    call = call_of(request)
    return {
        "identifiers": call.identifiers(universe.pk), "name": universe.name, "state": universe.state,
        "chapter": universe.chapter.slug if universe.chapter else None, "definition": universe.definition,
        "tags": universe.tags, "exclude_tags": universe.exclude_tags,
        "created_date": osdi_date(universe.created_at), "modified_date": osdi_date(universe.updated_at),
        "browser_url": f"{settings.BASE_URL}{universe.get_absolute_url()}",
        "_links": {"self": {"href": f"{call.base}/universes/{universe.pk}"}},
    }  # fmt: skip


def _voter_list_resource(request: HttpRequest, voter_list: VoterList) -> dict[str, Any]:
    call = call_of(request)
    links: dict[str, Any] = {"self": {"href": f"{call.base}/voter_lists/{voter_list.pk}"}}
    if voter_list.universe_id is not None:
        links["groundswell:universe"] = {"href": f"{call.base}/universes/{voter_list.universe_id}"}
    return {
        "identifiers": call.identifiers(voter_list.pk), "name": voter_list.name, "state": voter_list.state,
        "chapter": voter_list.chapter.slug if voter_list.chapter else None, "voter_count": voter_list.voter_count,
        "frozen_at": osdi_date(voter_list.frozen_at), "created_date": osdi_date(voter_list.frozen_at),
        "definition": voter_list.definition, "browser_url": f"{settings.BASE_URL}{voter_list.get_absolute_url()}",
        "_links": links,
    }  # fmt: skip


@api_endpoint("POST")
def universe_count(request: HttpRequest, user: User) -> HttpResponse:
    """Count a universe in a place (audited as a search), with its breakdown by party and age."""
    body = _body(request)
    workspace = _workspace(user, body)
    try:
        result = actions.do_count_voters(workspace, _target(body), actor=user, via="api")
    except NoVoterData:
        raise Http404 from None
    return JsonResponse({
        "where": workspace.key, "count": result.count, "by_party": dict(result.by_party), "by_age": dict(result.by_age),
    })  # fmt: skip


@api_endpoint("GET", "POST")
def universes(request: HttpRequest, user: User) -> HttpResponse:
    """GET: saved universes in the caller's scope, newest first. POST: save one (where, name, definition,
    tags)."""
    selectors.require_voter_access(user)
    if request.method == "POST":
        body = _body(request)
        workspace, target = _workspace(user, body), _target(body)
        name = body.get("name")
        if not isinstance(name, str) or not name.strip():
            raise OsdiInputError("name", "give the universe a name")
        saved = actions.do_save_universe(workspace, target, name=name, actor=user)
        return hal(_universe_resource(request, saved), status=201)
    rows = selectors.universes_visible_to(user)
    return collection(request, "groundswell:universes", rows, lambda u: _universe_resource(request, u))


@api_endpoint("GET")
def universe_item(request: HttpRequest, user: User, universe_id: int) -> HttpResponse:
    return hal(_universe_resource(request, selectors.get_universe(user, universe_id)))


@api_endpoint("GET")
def voter_lists(request: HttpRequest, user: User) -> HttpResponse:
    """Frozen lists in the caller's scope, newest first (their voters are exported from the list page,
    audited)."""
    selectors.require_voter_access(user)
    rows = selectors.lists_visible_to(user)
    return collection(request, "groundswell:voter_lists", rows, lambda v: _voter_list_resource(request, v))


@api_endpoint("GET")
def voter_list_item(request: HttpRequest, user: User, list_id: int) -> HttpResponse:
    return hal(_voter_list_resource(request, selectors.get_voter_list(user, list_id)))


@api_endpoint("GET")
def voter_lookup(request: HttpRequest, user: User) -> HttpResponse:
    """Quick lookup by name or voter id (query: where, last_name, first_name, address, zip, birth_year,
    voter_id), audited."""
    workspace = _workspace(user, {"where": request.GET.get("where")})
    try:
        who = Lookup.from_fields({name: request.GET.get(name, "") for name in LOOKUP_FIELDS})
    except LookupInvalid as exc:
        raise OsdiInputError(exc.field, exc.message) from None
    try:
        rows, more = actions.do_lookup_voters(workspace, who, actor=user)
    except NoVoterData:
        raise Http404 from None
    voters = [{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()} for row in rows]
    return JsonResponse({"where": workspace.key, "total_records": len(voters), "more": more, "voters": voters})


# ---- the OpenAPI description --------------------------------------------------------------------

_ERROR = {
    "type": "object",
    "required": ["request_type", "error"],
    "properties": {"request_type": {"const": "error"}, "error": {"type": "string"}, "field": {"type": "string"}},
}
_LINK = {"type": "object", "required": ["href"], "properties": {"href": {"type": "string"}}}
_PAGING = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
    {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
]
_UNIVERSE = {
    "type": "object",
    "required": ["identifiers", "name", "state", "definition", "_links"],
    "properties": {
        "identifiers": {"type": "array", "items": {"type": "string"}},
        "name": {"type": "string"},
        "state": {"type": "string"},
        "chapter": {"type": ["string", "null"], "description": "The chapter's slug, or null for a whole state"},
        "definition": {"type": "object"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "exclude_tags": {"type": "array", "items": {"type": "string"}},
        "created_date": {"type": "string", "format": "date-time"},
        "modified_date": {"type": "string", "format": "date-time"},
        "browser_url": {"type": "string"},
        "_links": {"type": "object", "required": ["self"], "properties": {"self": _LINK}},
    },
}
_VOTER_LIST = {
    "type": "object",
    "required": ["identifiers", "name", "state", "voter_count", "frozen_at", "_links"],
    "properties": {
        "identifiers": {"type": "array", "items": {"type": "string"}},
        "name": {"type": "string"},
        "state": {"type": "string"},
        "chapter": {"type": ["string", "null"]},
        "voter_count": {"type": "integer", "minimum": 0},
        "frozen_at": {"type": "string", "format": "date-time"},
        "created_date": {"type": "string", "format": "date-time"},
        "definition": {"type": "object"},
        "browser_url": {"type": "string"},
        "_links": {
            "type": "object",
            "required": ["self"],
            "properties": {"self": _LINK, "groundswell:universe": _LINK},
        },
    },
}


def _paged(rel: str, item: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["total_pages", "per_page", "page", "total_records", "_links", "_embedded"],
        "properties": {
            "total_pages": {"type": "integer"}, "per_page": {"type": "integer"}, "page": {"type": "integer"},
            "total_records": {"type": "integer"},
            "_links": {"type": "object", "properties": {rel: {"type": "array", "items": _LINK}}},
            "_embedded": {"type": "object", "required": [rel], "properties": {rel: {"type": "array", "items": item}}},
        },
    }  # fmt: skip


_SAVE_UNIVERSE = {
    "type": "object",
    "required": ["where", "name"],
    "properties": {
        "where": {"type": "string", "description": "chapter:<slug> or state:<XX>"},
        "name": {"type": "string", "minLength": 1},
        "definition": {"type": "object", "description": "groundswell.voterfile.targeting.Universe as data"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "exclude_tags": {"type": "array", "items": {"type": "string"}},
    },
}
_ID = {"in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}

describe(
    "/universes", "get", "Saved voter universes in the caller's scope (groundswell:universes), newest first",
    parameters=_PAGING, responses={200: _paged("groundswell:universes", _UNIVERSE), 400: _ERROR, 404: _ERROR},
)  # fmt: skip
describe(
    "/universes", "post", "Save a voter universe (where, name, definition, tags)", request=_SAVE_UNIVERSE,
    responses={201: _UNIVERSE, 400: _ERROR, 404: _ERROR},
)  # fmt: skip
describe(
    "/universes/{universe_id}", "get", "One saved voter universe", parameters=[{"name": "universe_id", **_ID}],
    responses={200: _UNIVERSE, 404: _ERROR},
)  # fmt: skip
describe(
    "/voter_lists", "get", "Frozen voter lists in the caller's scope (groundswell:voter_lists), newest first",
    parameters=_PAGING, responses={200: _paged("groundswell:voter_lists", _VOTER_LIST), 400: _ERROR, 404: _ERROR},
)  # fmt: skip
describe(
    "/voter_lists/{list_id}", "get", "One frozen voter list", parameters=[{"name": "list_id", **_ID}],
    responses={200: _VOTER_LIST, 404: _ERROR},
)  # fmt: skip

"""The voter endpoints of the JSON API (/api/v1/universes, /api/v1/lists, /api/v1/voters/lookup): the
same selectors and actions as the pages, behind the API's token check (groundswell.api.views.api_endpoint)."""

from __future__ import annotations

import json
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse

from groundswell.api.osdi import OsdiInputError
from groundswell.api.views import api_endpoint
from groundswell.core.models import User
from groundswell.voterfile.targeting import LOOKUP_FIELDS, Lookup, LookupInvalid, Universe, UniverseError
from groundswell.voters import actions, selectors
from groundswell.voters.engine import NoVoterData
from groundswell.voters.models import SavedUniverse, VoterList


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


def _universe_json(universe: SavedUniverse) -> dict[str, Any]:
    return {
        "id": universe.pk, "name": universe.name, "state": universe.state,
        "chapter": universe.chapter.slug if universe.chapter else None, "definition": universe.definition,
        "tags": universe.tags, "exclude_tags": universe.exclude_tags,
        "updated_at": universe.updated_at.isoformat(),
    }  # fmt: skip


def _list_json(voter_list: VoterList) -> dict[str, Any]:
    return {
        "id": voter_list.pk, "name": voter_list.name, "state": voter_list.state,
        "chapter": voter_list.chapter.slug if voter_list.chapter else None, "voter_count": voter_list.voter_count,
        "frozen_at": voter_list.frozen_at.isoformat(), "universe": voter_list.universe_id,
        "definition": voter_list.definition,
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
    """GET: saved universes in the caller's scope. POST: save one (where, name, definition, tags)."""
    selectors.require_voter_access(user)
    if request.method == "POST":
        body = _body(request)
        workspace, target = _workspace(user, body), _target(body)
        name = body.get("name")
        if not isinstance(name, str) or not name.strip():
            raise OsdiInputError("name", "give the universe a name")
        saved = actions.do_save_universe(workspace, target, name=name, actor=user)
        return JsonResponse(_universe_json(saved), status=201)
    items = [_universe_json(u) for u in selectors.universes_visible_to(user)[:500]]
    return JsonResponse({"total_records": len(items), "universes": items})


@api_endpoint("GET")
def voter_lists(request: HttpRequest, user: User) -> HttpResponse:
    """Frozen lists in the caller's scope (their voters are exported from the list page, audited)."""
    selectors.require_voter_access(user)
    items = [_list_json(v) for v in selectors.lists_visible_to(user)[:500]]
    return JsonResponse({"total_records": len(items), "lists": items})


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

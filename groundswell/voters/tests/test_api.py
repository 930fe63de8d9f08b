"""The voter API over HTTP against a live server: count, save and list universes, lists; scoped and audited."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest

from groundswell.api.actions import do_create_api_token
from groundswell.core.models import AuditEntry, AuditEvent
from groundswell.voters.models import SavedUniverse

pytestmark = pytest.mark.django_db(transaction=True)


def call(url: str, token: str | None = None, method: str = "GET", body: Any = None) -> tuple[int, Any]:
    headers = {"Accept": "application/json"}
    if token:
        headers["OSDI-API-Token"] = token
    data = json.dumps(body).encode() if body is not None else None
    if data is not None:
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture
def tokens(personas):
    return {
        name: do_create_api_token(user=getattr(personas, name), name="test", actor=None)[1]
        for name in ("staff", "leader_a", "leader_b", "volunteer")
    }


def test_count_over_http_is_scoped_and_audited(live_server, pa_voters, tokens, personas):
    api = f"{live_server.url}/api/v1"
    body = {"where": "chapter:pittsburgh", "definition": {"parties": ["REP"], "statuses": []}}
    status, answer = call(f"{api}/universes/count", tokens["leader_a"], "POST", body)
    assert status == 200
    assert answer["count"] == sum(1 for i in [*range(40), 60, 61, 62] if i % 5 == 1)
    assert answer["by_party"] == {"REP": answer["count"]}
    entry = AuditEntry.objects.get(event_type=AuditEvent.VOTERS_SEARCHED)
    assert entry.details["via"] == "api" and entry.details["definition"]["parties"] == ["REP"]
    assert call(f"{api}/universes/count", None, "POST", body)[0] == 401
    assert call(f"{api}/universes/count", tokens["leader_b"], "POST", body)[0] == 404
    assert call(f"{api}/universes/count", tokens["volunteer"], "POST", body)[0] == 404


def test_a_bad_definition_names_the_field_and_saves_nothing(live_server, pa_voters, tokens):
    api = f"{live_server.url}/api/v1"
    bad = {"where": "chapter:pittsburgh", "name": "x", "definition": {"parties": ["DEM"], "sql": "DROP TABLE voters"}}
    status, answer = call(f"{api}/universes", tokens["leader_a"], "POST", bad)
    assert status == 400 and answer["field"] == "definition" and "unknown fields: sql" in answer["error"]
    bad_age = {"where": "chapter:pittsburgh", "name": "x", "definition": {"age_min": 70, "age_max": 30}}
    assert call(f"{api}/universes", tokens["leader_a"], "POST", bad_age)[1]["error"] == "age_min: greater than age_max"
    assert not SavedUniverse.objects.exists()


def test_saved_universes_and_lists_are_listed_for_their_owners_only(live_server, pa_voters, tokens):
    api = f"{live_server.url}/api/v1"
    body = {"where": "chapter:pittsburgh", "name": "Young Dems", "definition": {"parties": ["DEM"], "age_max": 35}}
    status, saved = call(f"{api}/universes", tokens["leader_a"], "POST", body)
    assert status == 201 and saved["chapter"] == "pittsburgh" and saved["definition"]["age_max"] == 35
    assert [u["name"] for u in call(f"{api}/universes", tokens["leader_a"])[1]["universes"]] == ["Young Dems"]
    assert call(f"{api}/universes", tokens["leader_b"])[1]["universes"] == []
    assert call(f"{api}/universes", tokens["staff"])[1]["total_records"] == 1
    assert call(f"{api}/lists", tokens["leader_a"])[1] == {"total_records": 0, "lists": []}
    assert call(f"{api}/lists", tokens["volunteer"])[0] == 404


def test_lookup_over_http_is_scoped_audited_and_names_a_bad_field(live_server, pa_voters, tokens):
    api = f"{live_server.url}/api/v1"
    status, answer = call(f"{api}/voters/lookup?where=chapter:pittsburgh&last_name=voter01", tokens["leader_a"])
    assert status == 200 and answer["more"] is False
    assert [(v["voter_id"], v["last_name"], v["registration_date"]) for v in answer["voters"]] == [
        ("PA000001", "VOTER01", "2010-01-02")
    ]
    status, answer = call(f"{api}/voters/lookup?where=chapter:pittsburgh&last_name=voter45", tokens["leader_a"])
    assert status == 200 and answer["voters"] == []  # Philadelphia, outside the chapter's area
    assert call(f"{api}/voters/lookup?where=state:PA&last_name=voter45", tokens["staff"])[1]["total_records"] == 1
    status, answer = call(f"{api}/voters/lookup?where=state:PA&voter_id=pa000045", tokens["staff"])
    assert [v["voter_id"] for v in answer["voters"]] == ["PA000045"]
    searched = AuditEntry.objects.filter(event_type=AuditEvent.VOTERS_SEARCHED, details__via="lookup")
    assert searched.count() == 4
    status, answer = call(f"{api}/voters/lookup?where=chapter:pittsburgh&last_name=x&zip=152O6", tokens["leader_a"])
    assert status == 400 and "zip" in json.dumps(answer)
    assert call(f"{api}/voters/lookup?where=chapter:pittsburgh&last_name=voter01", tokens["leader_b"])[0] == 404
    assert call(f"{api}/voters/lookup?where=chapter:pittsburgh&last_name=voter01", tokens["volunteer"])[0] == 404
    assert call(f"{api}/voters/lookup?where=chapter:pittsburgh&last_name=voter01", None)[0] == 401
    assert call(f"{api}/voters/lookup?last_name=voter01", tokens["leader_a"])[0] == 400  # where is required
    assert searched.count() == 4

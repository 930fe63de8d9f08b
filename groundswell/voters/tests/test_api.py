"""The voter API over HTTP against a live server: count, save and list universes, frozen voter lists; scoped and
audited."""

from __future__ import annotations

import json

import pytest

from groundswell.api.actions import do_create_api_token
from groundswell.api.tests.http import call
from groundswell.core.models import AuditEntry, AuditEvent
from groundswell.voterfile.targeting import Universe
from groundswell.voters.actions import Target, do_freeze_list, do_save_universe
from groundswell.voters.models import SavedUniverse
from groundswell.voters.selectors import get_workspace

pytestmark = pytest.mark.django_db(transaction=True)


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
    universe_id = saved["identifiers"][0].removeprefix("groundswell:")
    assert saved["_links"]["self"]["href"] == f"{api}/universes/{universe_id}"
    mine = call(f"{api}/universes", tokens["leader_a"])[1]
    assert [u["name"] for u in mine["_embedded"]["groundswell:universes"]] == ["Young Dems"]
    assert mine["_links"]["groundswell:universes"] == [{"href": saved["_links"]["self"]["href"]}]
    assert call(saved["_links"]["self"]["href"], tokens["leader_a"])[1]["name"] == "Young Dems"
    assert call(f"{api}/universes", tokens["leader_b"])[1]["_embedded"]["groundswell:universes"] == []
    assert call(saved["_links"]["self"]["href"], tokens["leader_b"])[0] == 404
    assert call(f"{api}/universes", tokens["staff"])[1]["total_records"] == 1
    assert call(f"{api}/voter_lists", tokens["leader_a"])[1]["_embedded"] == {"groundswell:voter_lists": []}
    assert call(f"{api}/voter_lists", tokens["volunteer"])[0] == 404


def test_frozen_voter_lists_are_hal_on_both_faces_and_scoped(live_server, pa_voters, tokens, personas):
    workspace = get_workspace(personas.leader_a, "chapter:pittsburgh")
    universe = do_save_universe(
        workspace, Target(Universe.from_dict({"parties": ["DEM"]}), (), ()), name="Dems", actor=personas.leader_a
    )
    frozen = do_freeze_list(universe, name="Dems, frozen", actor=personas.leader_a)
    for face, prefix in (("v1", "groundswell"), ("v2", "action_network")):
        api = f"{live_server.url}/api/{face}"
        status, page = call(f"{api}/voter_lists", tokens["leader_a"])
        assert status == 200 and page["total_records"] == 1
        [shown] = page["_embedded"]["groundswell:voter_lists"]
        assert shown["identifiers"][0] == f"{prefix}:{frozen.pk}"
        assert (shown["name"], shown["voter_count"], shown["chapter"]) == (
            "Dems, frozen",
            frozen.voter_count,
            "pittsburgh",
        )
        assert shown["_links"]["self"]["href"] == f"{api}/voter_lists/{frozen.pk}"
        assert shown["_links"]["groundswell:universe"]["href"] == f"{api}/universes/{universe.pk}"
        assert call(shown["_links"]["self"]["href"], tokens["leader_a"])[1]["name"] == "Dems, frozen"
        assert call(shown["_links"]["self"]["href"], tokens["leader_b"])[0] == 404
        assert call(shown["_links"]["self"]["href"], tokens["volunteer"])[0] == 404
        assert call(f"{api}/voter_lists", tokens["leader_b"])[1]["total_records"] == 0
        entry = call(f"{api}/", tokens["leader_a"])[1]["_links"]
        assert entry["groundswell:voter_lists"]["href"] == f"{api}/voter_lists"
        assert entry["groundswell:universes"]["href"] == f"{api}/universes"


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

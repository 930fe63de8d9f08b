"""Who sees which voters: leaders inside their chapter's area, coordinators their state, staff all,
volunteers, candidates and partners nothing; every read audited."""

from __future__ import annotations

import csv
import io

import pytest
from django.http import Http404

from groundswell.core.models import AuditEntry, AuditEvent
from groundswell.voterfile.targeting import Universe
from groundswell.voters import selectors
from groundswell.voters.actions import Target, do_count_voters, do_freeze_list, do_save_universe

pytestmark = pytest.mark.django_db

ALLEGHENY_OR_15213 = 43  # 40 Allegheny voters and 3 Westmoreland voters in ZIP 15213 (conftest.pa_rows)


def count(user, where, definition=None):
    workspace = selectors.get_workspace(user, where)
    return do_count_voters(workspace, Target(Universe.from_dict(definition or {"statuses": []})), actor=user).count


def test_leader_counts_only_voters_inside_their_chapters_area(pa_voters, personas):
    assert pa_voters.status == "imported" and pa_voters.inserted == 63
    assert count(personas.leader_a, "chapter:pittsburgh") == ALLEGHENY_OR_15213
    assert count(personas.staff, "state:PA") == 63
    assert count(personas.coordinator, "state:PA") == 63
    dems = count(personas.leader_a, "chapter:pittsburgh", {"parties": ["DEM"], "statuses": []})
    in_area = [*range(40), 60, 61, 62]
    assert dems == sum(1 for i in in_area if i % 5 in (0, 3))  # PARTIES cycles DEM, REP, UNA, DEM, GRE


def test_leader_cannot_target_a_whole_state_or_another_chapter(pa_voters, personas):
    with pytest.raises(Http404):
        selectors.get_workspace(personas.leader_a, "state:PA")
    with pytest.raises(Http404):
        selectors.get_workspace(personas.leader_b, "chapter:pittsburgh")
    with pytest.raises(Http404):
        selectors.get_workspace(personas.coordinator, "chapter:providence")


def test_other_chapters_leader_gets_404_on_universes_and_lists(client, pa_voters, personas):
    workspace = selectors.get_workspace(personas.leader_a, "chapter:pittsburgh")
    universe = do_save_universe(workspace, Target(Universe()), name="Everyone", actor=personas.leader_a)
    voter_list = do_freeze_list(universe, name="", actor=personas.leader_a)
    client.force_login(personas.leader_b)
    assert client.get(f"/voters/universes/{universe.pk}/").status_code == 404
    assert client.post(f"/voters/universes/{universe.pk}/freeze/").status_code == 404
    assert client.get(f"/voters/lists/{voter_list.pk}/").status_code == 404
    assert client.post(f"/voters/lists/{voter_list.pk}/export/").status_code == 404
    client.force_login(personas.leader_a)
    assert client.get(f"/voters/lists/{voter_list.pk}/").status_code == 200


@pytest.mark.parametrize("persona", ["volunteer", "candidate", "partner"])
def test_volunteers_candidates_and_partners_get_404_everywhere(client, pa_voters, personas, persona):
    workspace = selectors.get_workspace(personas.leader_a, "chapter:pittsburgh")
    universe = do_save_universe(workspace, Target(Universe()), name="Everyone", actor=personas.leader_a)
    voter_list = do_freeze_list(universe, name="", actor=personas.leader_a)
    client.force_login(getattr(personas, persona))
    for url in ("/voters/", "/voters/build/?where=chapter:pittsburgh", "/voters/build/count/?where=chapter:pittsburgh",
                f"/voters/universes/{universe.pk}/", f"/voters/lists/{voter_list.pk}/", "/voters/imports/",
                "/voters/review/", "/voters/voter/pa/PA000001/"):  # fmt: skip
        assert client.get(url).status_code == 404, url
    assert client.post(f"/voters/lists/{voter_list.pk}/export/").status_code == 404


def test_voter_page_inside_the_area_is_shown_and_audited_outside_is_404(client, pa_voters, personas):
    client.force_login(personas.leader_a)
    response = client.get("/voters/voter/pa/PA000001/")
    assert response.status_code == 200 and b"VOTER01" in response.content.upper()
    assert client.get("/voters/voter/pa/PA000045/").status_code == 404  # Philadelphia
    viewed = AuditEntry.objects.filter(event_type=AuditEvent.VOTER_VIEWED)
    assert [e.details["voter_id"] for e in viewed] == ["PA000001"]
    assert viewed.get().actor == personas.leader_a


def test_live_count_is_audited_once_per_distinct_search(client, pa_voters, personas):
    client.force_login(personas.leader_a)
    url = "/voters/build/count/?where=chapter:pittsburgh&statuses=A&statuses=I"
    first = client.get(url + "&parties=DEM")
    assert first.status_code == 200 and b"vb-total" in first.content
    client.get(url + "&parties=DEM")  # the same search again: nothing new read
    client.get(url + "&parties=REP")
    searched = list(AuditEntry.objects.filter(event_type=AuditEvent.VOTERS_SEARCHED).order_by("id"))
    assert [e.details["definition"]["parties"] for e in searched] == [["DEM"], ["REP"]]
    assert all(e.details["where"] == "chapter:pittsburgh" and e.actor == personas.leader_a for e in searched)


def test_export_is_audited_neutralized_and_cut_to_the_area(client, pa_voters, personas):
    workspace = selectors.get_workspace(personas.leader_a, "chapter:pittsburgh")
    universe = do_save_universe(
        workspace, Target(Universe.from_dict({"statuses": []})), name="All", actor=personas.leader_a
    )
    voter_list = do_freeze_list(universe, name="All of them", actor=personas.leader_a)
    assert voter_list.voter_count == ALLEGHENY_OR_15213
    client.force_login(personas.leader_a)
    response = client.post(f"/voters/lists/{voter_list.pk}/export/")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == ALLEGHENY_OR_15213
    assert {r["county"] for r in rows} == {"ALLEGHENY", "WESTMORELAND"}
    assert any(r["last_name"] == "'=HYPERLINK(1)" for r in rows)  # a formula is shown as text
    exported = AuditEntry.objects.get(event_type=AuditEvent.VOTERS_EXPORTED)
    assert exported.details["count"] == ALLEGHENY_OR_15213 and exported.actor == personas.leader_a
    frozen = AuditEntry.objects.get(event_type=AuditEvent.VOTER_LIST_FROZEN)
    assert frozen.details["definition"]["area"]["zips"] == ["15213"]


def test_list_and_home_pages_use_a_fixed_number_of_queries(client, pa_voters, personas, django_assert_num_queries):
    workspace = selectors.get_workspace(personas.leader_a, "chapter:pittsburgh")
    universe = do_save_universe(workspace, Target(Universe()), name="Everyone", actor=personas.leader_a)
    voter_list = do_freeze_list(universe, name="", actor=personas.leader_a)
    client.force_login(personas.leader_a)
    client.get("/voters/")
    with django_assert_num_queries(8):
        assert client.get("/voters/").status_code == 200
    with django_assert_num_queries(8):
        assert client.get(f"/voters/lists/{voter_list.pk}/").status_code == 200

"""Who sees which voters: leaders inside their chapter's area, coordinators their state, staff all,
volunteers, candidates and partners nothing; every read audited."""

from __future__ import annotations

import csv
import io

import pytest
from django.http import Http404

from groundswell.core.models import AuditEntry, AuditEvent
from groundswell.voterfile.targeting import Lookup, Universe
from groundswell.voters import selectors
from groundswell.voters.actions import Target, do_count_voters, do_freeze_list, do_lookup_voters, do_save_universe
from groundswell.voters.models import SavedUniverse
from groundswell.voters.tests.conftest import PA_HEADER, import_pa, pa_rows

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
                "/voters/review/", "/voters/voter/pa/PA000001/", "/voters/lookup/?last_name=voter01"):  # fmt: skip
        assert client.get(url).status_code == 404, url
    assert client.post(f"/voters/lists/{voter_list.pk}/export/").status_code == 404
    assert client.post(f"/voters/universes/{universe.pk}/delete/").status_code == 404
    assert SavedUniverse.objects.filter(pk=universe.pk).exists()


def test_a_leader_deletes_their_universe_and_its_frozen_lists_stay(client, pa_voters, personas):
    workspace = selectors.get_workspace(personas.leader_a, "chapter:pittsburgh")
    universe = do_save_universe(workspace, Target(Universe.from_dict({"parties": ["DEM"]})), name="Dems",
                                actor=personas.leader_a)  # fmt: skip
    voter_list = do_freeze_list(universe, name="Dems today", actor=personas.leader_a)
    url = f"/voters/universes/{universe.pk}/delete/"
    client.force_login(personas.leader_b)  # another chapter's leader: not found, nothing deleted
    assert client.post(url).status_code == 404 and SavedUniverse.objects.filter(pk=universe.pk).exists()
    client.force_login(personas.leader_a)
    assert client.get(url).status_code == 405
    response = client.post(url, follow=True)
    assert response.redirect_chain == [("/voters/", 302)]
    assert "Deleted “Dems”; its 1 frozen list stays." in response.content.decode()
    assert not SavedUniverse.objects.filter(pk=universe.pk).exists()
    voter_list.refresh_from_db()
    assert voter_list.universe is None and voter_list.definition["universe"]["parties"] == ["DEM"]
    assert client.get(f"/voters/lists/{voter_list.pk}/").status_code == 200
    deleted = AuditEntry.objects.get(event_type=AuditEvent.VOTER_UNIVERSE_DELETED)
    assert deleted.actor == personas.leader_a and deleted.details["lists_kept"] == 1
    assert deleted.details["definition"]["parties"] == ["DEM"] and deleted.details["where"] == "chapter:pittsburgh"


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
    # 9: the builder's tags are those the leader's own chapter put on people (the owners of its facts)
    with django_assert_num_queries(9):
        assert client.get("/voters/").status_code == 200
    with django_assert_num_queries(8):
        assert client.get(f"/voters/lists/{voter_list.pk}/").status_code == 200


def lookup_ids(client, query):
    response = client.get("/voters/lookup/?" + query)
    assert response.status_code == 200
    return [row["voter_id"] for row in response.context["rows"]]


def test_lookup_finds_voters_by_name_inside_the_area_only_and_is_audited(client, pa_voters, personas):
    client.force_login(personas.leader_a)
    assert lookup_ids(client, "where=chapter:pittsburgh&last_name=voter01") == ["PA000001"]  # any letter case
    assert lookup_ids(client, "where=chapter:pittsburgh&last_name=VOTER45") == []  # Philadelphia: outside
    assert lookup_ids(client, "where=chapter:pittsburgh&last_name=Voter61&zip=15213") == ["PA000061"]  # by ZIP
    assert lookup_ids(client, "where=chapter:pittsburgh&last_name=Voter61&zip=15206") == []
    assert lookup_ids(client, "last_name=voter07&first_name=pa&address=107 main&birth_year=1955") == ["PA000007"]
    assert lookup_ids(client, "last_name=voter07&birth_year=1956") == []
    assert lookup_ids(client, "voter_id=pa000007") == ["PA000007"]  # the id alone, any letter case
    assert lookup_ids(client, "voter_id=PA000045") == []  # Philadelphia: outside
    page = client.get("/voters/lookup/?last_name=voter01").content.decode()
    assert 'href="/voters/voter/pa/PA000001/"' in page and "Active" in page
    searched = AuditEntry.objects.filter(event_type=AuditEvent.VOTERS_SEARCHED, details__via="lookup")
    assert searched.count() == 9 and {e.actor for e in searched} == {personas.leader_a}
    first = searched.order_by("id").first()
    assert first.details == {"where": "chapter:pittsburgh", "lookup": {"last_name": "VOTER01"}, "found": 1,
                             "more": False, "via": "lookup"}  # fmt: skip

    assert client.get("/voters/lookup/?where=state:PA&last_name=voter45").status_code == 404
    client.force_login(personas.coordinator)
    assert lookup_ids(client, "where=state:PA&last_name=voter45") == ["PA000045"]
    client.force_login(personas.leader_b)
    assert client.get("/voters/lookup/?where=chapter:pittsburgh&last_name=voter01").status_code == 404


def test_lookup_says_what_is_wrong_and_reads_nothing(client, pa_voters, personas):
    client.force_login(personas.leader_a)
    response = client.get("/voters/lookup/?where=chapter:pittsburgh&last_name=voter01&birth_year=19x")
    assert response.context["error"] == ("birth_year", "a year such as 1971") and not response.context["rows"]
    assert b'aria-invalid="true"' in response.content
    response = client.get("/voters/lookup/?where=chapter:pittsburgh&first_name=pat")
    assert response.context["error"] == ("last_name", "give at least a last name (or the voter id)")
    assert not AuditEntry.objects.filter(event_type=AuditEvent.VOTERS_SEARCHED).exists()
    blank = client.get("/voters/lookup/")  # the empty form: nothing asked, nothing read
    assert blank.status_code == 200 and not blank.context["searched"]


def test_lookup_shows_at_most_its_limit_by_name_and_says_there_are_more(client, voter_dirs, personas, tmp_path):
    # 52 Kowalskis, listed in reverse: 50 born in 1980 (F00..F49) and two in 1981 (F50, F51)
    family = [f"PA90{n:04d},KOWALSKI,F{n:02d},2,ALLEGHENY,P1,DEM,{1980 + n // 50},44,F,15206,PITTSBURGH,"
              f"9 ELM ST,2010-01-01,A" for n in reversed(range(52))]  # fmt: skip
    path = tmp_path / "family.csv"
    path.write_text("\n".join([PA_HEADER, *pa_rows(), *family]) + "\n")
    assert import_pa(personas, path).inserted == 63 + 52
    client.force_login(personas.leader_a)
    response = client.get("/voters/lookup/?where=chapter:pittsburgh&last_name=kowalski")
    assert [r["first_name"] for r in response.context["rows"]] == [f"F{n:02d}" for n in range(50)]
    assert response.context["more"] and "Showing the first 50, by name." in response.content.decode()
    entry = AuditEntry.objects.get(event_type=AuditEvent.VOTERS_SEARCHED)
    assert entry.details["found"] == 50 and entry.details["more"] is True
    workspace = selectors.get_workspace(personas.leader_a, "chapter:pittsburgh")
    rows, more = do_lookup_voters(workspace, Lookup("KOWALSKI", birth_year=1980), actor=personas.leader_a)
    assert len(rows) == 50 and not more  # exactly the limit: nothing more to say
    rows, more = do_lookup_voters(workspace, Lookup("KOWALSKI", birth_year=1981), actor=personas.leader_a)
    assert [r["first_name"] for r in rows] == ["F50", "F51"] and not more

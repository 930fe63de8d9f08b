"""The chase list, GOTV progress, dashboards and lift pages over a synthetic election, as each role sees them."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from groundswell.chapters.actions import do_create_chapter, do_grant_role
from groundswell.chapters.models import AreaKind, ChapterStatus, Role
from groundswell.core.models import AuditEntry, AuditEvent
from groundswell.testing import make_user
from groundswell.turnout.tests.conftest import LIFT_ELECTION, Election, supporters_of
from groundswell.voters import engine as voter_engine


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_chase_list_is_supporters_without_an_accepted_ballot(gotv, personas) -> None:
    _election, supporters, voted = gotv
    client = signed_in(personas.staff)
    response = client.get(reverse("turnout:chase"), {"where": "state:NC"})
    assert response.status_code == 200
    chase = response.context["chase"]
    assert chase.supporters == len(supporters) and chase.voted == len(voted)
    assert {r.voter["voter_id"] for r in chase.rows} == supporters - set(voted)
    notes = {r.voter["voter_id"]: r.ballot_note for r in chase.rows}
    assert notes[sorted(supporters)[-1]] == "Spoiled, not accepted"
    by_day = response.context["charts"]["by_day"]
    assert by_day["labels"] == ["Oct 17", "Oct 18", "Oct 19"]
    assert sum(by_day["datasets"][0]["data"]) == len(voted)
    assert AuditEntry.objects.filter(event_type=AuditEvent.CHASE_LIST_READ, actor=personas.staff).count() == 1
    assert b'data-turnout-chart="bar" data-source="chart-by-day"' in response.content
    assert b'id="chart-by-precinct"' in response.content


@pytest.mark.django_db
def test_export_is_leaders_only_and_audited(gotv, personas) -> None:
    _election, supporters, voted = gotv
    response = signed_in(personas.staff).get(reverse("turnout:chase-export"), {"where": "state:NC"})
    assert response.status_code == 200
    rows = list(
        csv.DictReader(
            io.StringIO(
                b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]  # a StreamingHttpResponse
            )
        )
    )
    assert {r["voter_id"] for r in rows} == supporters - set(voted)
    assert {r["support"] for r in rows} <= {"1", "2"}
    entry = AuditEntry.objects.get(event_type=AuditEvent.CHASE_LIST_EXPORTED)
    assert set(entry.details["voter_ids"]) == supporters - set(voted)
    for user in (personas.volunteer, personas.candidate, personas.partner):
        assert signed_in(user).get(reverse("turnout:chase-export")).status_code == 404
        assert signed_in(user).get(reverse("turnout:chase")).status_code == 404


@pytest.mark.django_db
def test_a_leader_sees_only_supporters_in_their_chapters_area(gotv, personas) -> None:
    _election, supporters, voted = gotv
    with voter_engine.using_engine("NC") as engine:
        v = engine.table("voters")
        rows = engine.backend.to_pyarrow(v.select("voter_id", "county")).to_pylist()
    county_of = {r["voter_id"]: r["county"] for r in rows}
    county = max({county_of[s] for s in supporters}, key=lambda c: sum(county_of[s] == c for s in supporters))
    chapter = do_create_chapter(name="Raleigh Groundswell", slug="raleigh", state="NC", status=ChapterStatus.ACTIVE,
                                areas=[(AreaKind.COUNTY, county.title())], actor=None)  # fmt: skip
    leader = make_user("leader.nc@example.org", "Nia Carolina")
    do_grant_role(leader, Role.CHAPTER_LEADER, chapter=chapter, actor=None)
    client = signed_in(leader)
    response = client.get(reverse("turnout:chase"))
    assert response.context["workspace"].key == "chapter:raleigh"
    chase = response.context["chase"]
    inside = {s for s in supporters if county_of[s] == county}
    assert chase.supporters == len(inside)
    assert {r.voter["voter_id"] for r in chase.rows} == inside - set(voted)
    assert client.get(reverse("turnout:chase"), {"where": "state:NC"}).status_code == 404
    assert signed_in(personas.leader_a).get(reverse("turnout:chase"), {"where": "chapter:raleigh"}).status_code == 404


@pytest.mark.django_db
def test_chase_page_query_count_is_pinned(gotv, personas, django_assert_num_queries) -> None:
    client = signed_in(personas.staff)
    client.get(reverse("turnout:chase"), {"where": "state:NC"})  # warm the session and the engine
    with django_assert_num_queries(12):  # the 12th: the campaigns a call list of the chase list may go into
        assert client.get(reverse("turnout:chase"), {"where": "state:NC"}).status_code == 200


@pytest.mark.django_db
def test_dashboards_count_doors_contacts_and_supporters(election: Election, personas, django_assert_num_queries):
    client = signed_in(personas.staff)
    client.get(reverse("turnout:dashboards"))
    with django_assert_num_queries(5):
        response = client.get(reverse("turnout:dashboards"))
    board = response.context["board"]
    assert board.totals == {
        "doors": len(election.reached) + len(election.attempted),
        "contacts": len(election.reached),
        "supporters": len(supporters_of(election)),
    }
    by_volunteer = response.context["charts"]["by_volunteer"]
    assert by_volunteer["labels"] == ["Val Volunteer"]
    assert by_volunteer["datasets"][1]["data"] == [len(election.reached)]
    assert len(response.context["charts"]["by_turf"]["labels"]) == min(20, election.campaign.turfs.count())
    assert signed_in(personas.volunteer).get(reverse("turnout:dashboards")).status_code == 404


@pytest.mark.django_db
def test_a_leader_sees_no_other_chapters_field_work(election: Election, personas) -> None:
    board = signed_in(personas.leader_a).get(reverse("turnout:dashboards")).context["board"]
    assert board.totals == {"doors": 0, "contacts": 0, "supporters": 0}


@pytest.mark.django_db
def test_lift_page_and_costs(election: Election, personas) -> None:
    client = signed_in(personas.staff)
    response = client.get(reverse("turnout:lift"), {"state": "NC", "election": LIFT_ELECTION.isoformat()})
    assert response.status_code == 200
    report = response.context["report"]
    assert [c.campaign for c in report.campaigns] == [election.campaign]
    assert b"Newcombe" in response.content and b"pts" in response.content
    assert client.get(reverse("turnout:lift"), {"state": "NC", "election": "1999-01-01"}).status_code == 404
    costs = reverse("turnout:campaign-costs", args=[election.campaign.pk])
    assert client.post(costs, {"h-worked_on": "2026-10-20", "h-hours": "6", "hours": "1"}).status_code == 302
    assert client.post(costs, {"c-hourly_value": "30", "c-money_spent": "500", "cost": "1"}).status_code == 302
    assert client.post(costs, {"h-worked_on": "2026-10-20", "h-hours": "99", "hours": "1"}).status_code == 400
    row = (
        client.get(reverse("turnout:lift"), {"state": "NC", "election": LIFT_ELECTION.isoformat()})
        .context["report"]
        .campaigns[0]
    )
    assert row.cost == 6 * 30 + 500
    assert signed_in(personas.leader_a).get(costs).status_code == 404
    assert date.fromisoformat(LIFT_ELECTION.isoformat()) == LIFT_ELECTION


@pytest.mark.django_db
def test_staff_turn_the_chase_list_into_a_call_list_without_anyone_who_opted_out(gotv, personas) -> None:
    from groundswell.field.actions import do_save_campaign
    from groundswell.field.models import CallList, DoNotContact

    election, supporters, voted = gotv
    not_yet = supporters - set(voted)
    with voter_engine.using_engine("NC") as engine:
        v = engine.table("voters")
        rows = engine.backend.to_pyarrow(v.select("voter_id", "phone")).to_pylist()
    phones = {r["voter_id"]: r["phone"] for r in rows}
    callable_ = sorted(s for s in not_yet if phones.get(s))
    assert len(callable_) > 2 and len(callable_) < len(not_yet)  # some of them have no phone
    DoNotContact.objects.create(state="NC", voter_id=callable_[0], reason="asked at the door")
    DoNotContact.objects.create(phone=phones[callable_[1]], reason="asked on the phone")
    client = signed_in(personas.staff)
    page = client.get(reverse("turnout:chase"), {"where": "state:NC"}).content.decode()
    assert 'action="/turnout/chase/call-list/"' in page and f"Make a call list from these {len(not_yet)} voters" in page

    response = client.post(reverse("turnout:chase-call-list"),
                           {"where": "state:NC", "campaign": election.campaign.pk, "name": "Chase calls"})  # fmt: skip
    made = CallList.objects.get(name="Chase calls")
    assert response.status_code == 302 and response["Location"] == election.campaign.get_absolute_url()
    assert made.campaign == election.campaign and made.kind == "voters" and made.voter_list is None
    assert sorted(e["voter_id"] for e in made.entries) == callable_[2:]
    assert made.entry_count == len(callable_) - 2
    assert all(e["phone"] == phones[e["voter_id"]] and e["key"] == f"v:{e['voter_id']}" for e in made.entries)
    entry = AuditEntry.objects.get(event_type=AuditEvent.FIELD_CALL_LIST_MADE)
    assert "the chase list of All of NC" in entry.summary and entry.details["entries"] == made.entry_count

    # a campaign in another state is not offered, and posting it anyway makes nothing
    elsewhere = do_save_campaign(name="Ohio doors", state="OH", chapter=None, actor=personas.staff)
    assert "Ohio doors" not in page
    client.post(reverse("turnout:chase-call-list"), {"where": "state:NC", "campaign": elsewhere.pk})
    assert CallList.objects.count() == 1
    for user in (personas.volunteer, personas.candidate, personas.partner):
        refused = signed_in(user).post(reverse("turnout:chase-call-list"),
                                       {"where": "state:NC", "campaign": election.campaign.pk})  # fmt: skip
        assert refused.status_code == 404
    assert CallList.objects.count() == 1

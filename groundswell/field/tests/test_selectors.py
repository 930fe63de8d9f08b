"""Who may record results on a turf: the volunteer it is live-assigned to, and whoever manages it (leaders,
coordinators and staff knock doors too) — the same people who may open its canvassing page."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from groundswell.chapters.actions import do_create_chapter, do_grant_role
from groundswell.chapters.models import AreaKind, ChapterStatus, Role
from groundswell.core.models import User
from groundswell.field.actions import do_cut_turfs, do_make_call_list, do_save_campaign, do_submit_contacts
from groundswell.field.models import Contact
from groundswell.field.selectors import live_targets_for_submission
from groundswell.field.tests.conftest import assign
from groundswell.testing import make_user

pytestmark = pytest.mark.django_db


@dataclass
class Raleigh:
    leader: User
    coordinator: User
    durham_leader: User
    campaign: Any
    turfs: list[Any]

    @property
    def turf(self) -> Any:
        return self.turfs[0]


@pytest.fixture
def raleigh(personas: Any, voter_list: Any) -> Raleigh:
    """A Raleigh chapter with its leader, a North Carolina coordinator, a Durham leader, and the Raleigh
    chapter's campaign with turfs cut from the NC list."""
    chapter = do_create_chapter(
        name="Raleigh Groundswell", slug="raleigh", state="NC", status=ChapterStatus.ACTIVE,
        areas=[(AreaKind.CITY, "Raleigh")], actor=personas.staff,
    )  # fmt: skip
    durham = do_create_chapter(name="Durham Groundswell", slug="durham", state="NC", actor=personas.staff)
    leader, nc_coordinator, durham_leader = (
        make_user("leader.raleigh@example.org", "Rae Raleigh"),
        make_user("coordinator.nc@example.org", "Nico Carolina"),
        make_user("leader.durham@example.org", "Dee Durham"),
    )
    do_grant_role(leader, Role.CHAPTER_LEADER, chapter=chapter, actor=personas.staff)
    do_grant_role(nc_coordinator, Role.STATE_COORDINATOR, state="NC", actor=personas.staff)
    do_grant_role(durham_leader, Role.CHAPTER_LEADER, chapter=durham, actor=personas.staff)
    campaign = do_save_campaign(name="Raleigh doors", state="NC", chapter=chapter, actor=leader)
    turfs = do_cut_turfs(voter_list, campaign, target=12, unit="doors", actor=personas.staff).turfs
    return Raleigh(leader, nc_coordinator, durham_leader, campaign, turfs)


def _item(turf: Any, voter_id: str) -> dict[str, Any]:
    return {"uuid": str(uuid.uuid4()), "turf": turf.pk, "voter_id": voter_id, "method": "door", "result": "not_home"}


def test_leader_coordinator_and_staff_in_scope_record_results_without_an_assignment(raleigh, personas):
    turf = raleigh.turf
    for index, user in enumerate((raleigh.leader, raleigh.coordinator, personas.staff)):
        item = _item(turf, turf.voter_ids[index])
        outcome = do_submit_contacts([item], actor=user)
        assert outcome.errors == {} and outcome.created == 1
        contact = Contact.objects.get(client_uuid=item["uuid"])
        assert (contact.canvasser, contact.turf, contact.campaign) == (user, turf, raleigh.campaign)


def test_managers_out_of_scope_and_unassigned_volunteers_are_refused(raleigh, personas):
    turf = raleigh.turf
    for user in (raleigh.durham_leader, personas.leader_a, personas.coordinator, personas.volunteer):
        outcome = do_submit_contacts([_item(turf, turf.voter_ids[0])], actor=user)
        assert "no live assignment of this turf or call list to you" in next(iter(outcome.errors.values()))
    assert not Contact.objects.exists()


def test_a_manager_is_held_to_the_turfs_voters_and_the_campaigns_results(raleigh):
    turf = raleigh.turf
    outsider = _item(turf, "NOT-A-VOTER")
    wrong_number = {**_item(turf, turf.voter_ids[0]), "result": "wrong_number"}
    outcome = do_submit_contacts([outsider, wrong_number], actor=raleigh.leader)
    assert "not a voter of this turf" in outcome.errors[outsider["uuid"]]
    assert "not one of this campaign's results" in outcome.errors[wrong_number["uuid"]]
    assert not Contact.objects.exists()


def test_the_leader_who_opens_the_canvassing_page_records_from_it_over_http(raleigh):
    client = Client()
    client.force_login(raleigh.leader)
    assert client.get(reverse("field:canvass", args=[raleigh.turf.pk])).status_code == 200
    body = json.dumps({"contacts": [_item(raleigh.turf, v) for v in raleigh.turf.voter_ids[:3]]})
    response = client.post(reverse("field:contacts-sync"), body, content_type="application/json")
    assert response.status_code == 200 and response.json()["created"] == 3 and response.json()["errors"] == {}
    assert set(Contact.objects.values_list("canvasser", flat=True)) == {raleigh.leader.pk}


def test_an_assigned_volunteers_targets_are_one_query_with_no_role_lookup(raleigh, personas, django_assert_num_queries):
    assign(raleigh.turf, personas.volunteer, raleigh.leader)
    volunteer = User.objects.get(pk=personas.volunteer.pk)  # no roles cached on it
    with django_assert_num_queries(1) as captured:
        targets = live_targets_for_submission(volunteer, [raleigh.turf.pk], [], timezone.now())
    assert [t.turf_id for t in targets] == [raleigh.turf.pk]
    assert "rolegrant" not in captured.captured_queries[0]["sql"].lower()


def test_a_manager_assigned_one_turf_records_on_it_and_on_the_others_they_manage(raleigh):
    assigned, managed = raleigh.turfs[:2]
    assign(assigned, raleigh.leader, raleigh.leader)
    targets = live_targets_for_submission(raleigh.leader, [assigned.pk, managed.pk], [], timezone.now())
    assert sorted(t.turf_id for t in targets) == sorted([assigned.pk, managed.pk])
    assert all(t.campaign_id == raleigh.campaign.pk and t.state == "NC" for t in targets)


def test_a_leader_records_calls_on_a_call_list_of_their_campaign(raleigh, voter_list, personas):
    calls = do_make_call_list(raleigh.campaign, name="Raleigh calls", kind="voters", voter_list=voter_list,
                              actor=raleigh.leader)  # fmt: skip
    entry = calls.entries[0]
    item = {"uuid": str(uuid.uuid4()), "call_list": calls.pk, "voter_id": entry["voter_id"], "method": "phone",
            "result": "wrong_number"}  # fmt: skip
    assert do_submit_contacts([item], actor=raleigh.durham_leader).created == 0
    outcome = do_submit_contacts([item], actor=raleigh.leader)
    assert outcome.errors == {} and outcome.created == 1
    assert Contact.objects.get(client_uuid=item["uuid"]).call_list == calls


def test_the_home_page_lists_a_volunteers_live_assignments_and_nothing_else(raleigh, personas):
    from groundswell.chapters.models import Chapter
    from groundswell.field.actions import do_revoke_assignment

    volunteer = make_user("walker@example.org", "Wally Walker")
    do_grant_role(volunteer, Role.VOLUNTEER, chapter=Chapter.objects.get(slug="raleigh"), actor=personas.staff)
    live = assign(raleigh.turfs[0], volunteer, raleigh.leader)
    revoked = assign(raleigh.turfs[1], volunteer, raleigh.leader)
    do_revoke_assignment(revoked, actor=raleigh.leader)
    expired = assign(raleigh.turfs[2], volunteer, raleigh.leader, hours=1)
    type(expired).objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(minutes=1))  # time passes
    client = Client()
    client.force_login(volunteer)
    html = client.get("/home/").content.decode()
    assert "Your assignments" in html and "You volunteer with Raleigh Groundswell" in html
    assert f'href="{reverse("field:canvass", args=[live.turf_id])}"' in html
    assert f"Knock doors: {raleigh.turfs[0].name}" in html
    for gone in (raleigh.turfs[1], raleigh.turfs[2]):
        assert reverse("field:canvass", args=[gone.pk]) not in html and gone.name not in html
    do_revoke_assignment(live, actor=raleigh.leader)
    html = client.get("/home/").content.decode()
    assert "Nothing is assigned to you right now" in html and raleigh.turfs[0].name not in html

    # a leader who is also given a turf sees it above the chapter's figures
    assign(raleigh.turfs[3], raleigh.leader, personas.staff)
    client.force_login(raleigh.leader)
    html = client.get("/home/").content.decode()
    assert html.index(f"Knock doors: {raleigh.turfs[3].name}") < html.index("new in the last 30 days")

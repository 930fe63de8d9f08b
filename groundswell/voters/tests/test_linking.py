"""Matching voters to people: sure pairs linked, unsure ones reviewed, decisions remembered."""

from __future__ import annotations

import pytest

from groundswell.core.models import AuditEntry, AuditEvent
from groundswell.people.actions import PersonDetails, do_save_person
from groundswell.voters.actions import do_link_voters
from groundswell.voters.linking import split_address
from groundswell.voters.models import LinkStatus, VoterPersonLink

pytestmark = pytest.mark.django_db


def member(personas, first, last, address, zip_code, birth_year):
    person, _ = do_save_person(
        PersonDetails(first_name=first, last_name=last, address_line1=address, zip_code=zip_code, state="PA",
                      birth_year=birth_year, city="Pittsburgh"),
        source="test", actor=None, chapter=personas.chapter_a,
    )  # fmt: skip
    return person


def test_address_is_split_into_house_number_and_normalized_street():
    assert split_address("101 Main Street Apt 4") == (101, "main st")
    assert split_address("PO Box 7") == (None, "")


def test_sure_matches_link_unsure_ones_wait_and_rejections_are_remembered(client, pa_voters, personas):
    # conftest voter 1: PAT VOTER01, 101 MAIN ST, ZIP 15206, born 2024 - 27 = 1997
    sure = member(personas, "Pat", "Voter01", "101 Main Street", "15206", 1997)
    # voter 2: PAT VOTER02 at 102 MAIN ST born 1990; this person gives no address: name, ZIP and year only
    unsure = member(personas, "Patricia", "Voter02", "", "15206", 1990)
    counts = do_link_voters("PA", actor=personas.staff)
    assert counts == {"auto": 1, "review": 1}
    link = VoterPersonLink.objects.get(person=sure)
    assert (link.voter_id, link.status, link.confidence) == ("PA000001", LinkStatus.AUTO, 100)
    waiting = VoterPersonLink.objects.get(person=unsure)
    assert waiting.status == LinkStatus.REVIEW and "same first initial" in waiting.reasons

    client.force_login(personas.leader_b)
    assert client.post(f"/voters/review/{waiting.pk}/", {"decision": "reject"}).status_code == 404
    client.force_login(personas.leader_a)
    page = client.get("/voters/review/").content.decode()
    assert "Patricia" in page and "PA000002" in page
    assert client.post(f"/voters/review/{waiting.pk}/", {"decision": "reject"}).status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == LinkStatus.REJECTED and waiting.reviewed_by == personas.leader_a
    assert AuditEntry.objects.filter(event_type=AuditEvent.VOTER_LINK_REVIEWED).count() == 1

    assert do_link_voters("PA", actor=None) == {"auto": 1, "review": 0}  # the rejected pair stays rejected
    waiting.refresh_from_db()
    assert waiting.status == LinkStatus.REJECTED
    assert "PA000002" not in client.get("/voters/review/").content.decode()


def test_a_confirmed_link_shows_on_the_voter_page_and_tags_target_linked_voters(client, pa_voters, personas):
    from groundswell.people.actions import do_tag_person
    from groundswell.voterfile.targeting import Universe
    from groundswell.voters import selectors
    from groundswell.voters.actions import Target, do_count_voters

    person = member(personas, "Pat", "Voter03", "103 Main St", "15206", 2024 - (20 + 21 % 60))
    do_link_voters("PA", actor=None)
    do_tag_person(person, tag_name="canvasser", actor=personas.leader_a)
    do_tag_person(person, tag_name="donor", actor=personas.staff)
    client.force_login(personas.leader_a)
    page = client.get("/voters/voter/pa/PA000003/").content.decode()
    assert "Pat Voter03" in page
    workspace = selectors.get_workspace(personas.leader_a, "chapter:pittsburgh")
    everyone = Universe.from_dict({"statuses": []})
    assert do_count_voters(workspace, Target(everyone, tags=("canvasser",)), actor=personas.leader_a).count == 1
    assert (
        do_count_voters(workspace, Target(everyone, exclude_tags=("canvasser",)), actor=personas.leader_a).count == 42
    )
    # National's own tag is national's: it shapes national's counts, never a chapter's.
    assert do_count_voters(workspace, Target(everyone, tags=("donor",)), actor=personas.leader_a).count == 0
    state = selectors.get_workspace(personas.staff, "state:PA")
    assert do_count_voters(state, Target(everyone, tags=("donor",)), actor=personas.staff).count == 1
    assert "donor" not in selectors.tag_choices(personas.leader_a)

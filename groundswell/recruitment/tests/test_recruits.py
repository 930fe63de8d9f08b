"""Recruits: the public form, stages and filing into a race, the funnel, trainings, and who may see them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from groundswell.core.models import AuditEntry, AuditEvent
from groundswell.elections.models import ElectionKind, Outcome, Race
from groundswell.people.actions import PersonDetails, do_save_person
from groundswell.people.models import Person
from groundswell.recruitment.actions import (
    RecruitDetails,
    do_create_recruit,
    do_create_training,
    do_move_recruit,
    do_record_attendance,
)
from groundswell.recruitment.candidacies import ensure_election, ensure_office, ensure_race, record_result
from groundswell.recruitment.models import Recruit, RecruitSource, Stage
from groundswell.recruitment.selectors import recruit_funnel, recruits_visible_to
from groundswell.testing import Personas

pytestmark = pytest.mark.django_db


def _race() -> Race:
    election = ensure_election("PA", timezone.localdate() + dt.timedelta(days=90), ElectionKind.PRIMARY)
    return ensure_race(election, ensure_office("PA", "State House", district="98"))


def _recruit(personas: Personas, person: Person | None = None, chapter: Any = None) -> Recruit:
    return do_create_recruit(
        person or personas.member_a,
        chapter=chapter or personas.chapter_a,
        details=RecruitDetails(office_sought="State House 98", party="DEM"),
        actor=personas.leader_a if chapter is None else personas.leader_b,
    )


def test_i_want_to_run_form_creates_a_recruit_in_that_chapter(personas: Personas) -> None:
    client = Client()
    response = client.post(
        "/recruitment/run/providence/",
        {
            "first_name": "Rosa",
            "last_name": "Lima",
            "email": "Rosa@Example.net",
            "zip_code": "02903",
            "office_type": "party",
            "office_sought": "Ward committee",
            "why": "Nobody ran last time",
            "email_consent": "on",
        },
    )
    assert response.status_code == 302
    recruit = Recruit.objects.get(person__emails__address="rosa@example.net")
    assert recruit.chapter == personas.chapter_b
    assert (recruit.stage, recruit.source, recruit.office_type) == (Stage.INTERESTED, RecruitSource.RUN_FORM, "party")
    assert "Nobody ran last time" in recruit.notes
    assert recruit.person.memberships.filter(chapter=personas.chapter_b).exists()
    assert AuditEntry.objects.filter(event_type=AuditEvent.RUN_FORM_SUBMITTED).count() == 1
    client.post(
        "/recruitment/run/providence/",
        {
            "first_name": "Rosa",
            "last_name": "Lima",
            "email": "rosa@example.net",
            "zip_code": "02903",
            "office_type": "party",
            "why": "Still keen",
        },
    )
    assert Recruit.objects.filter(person=recruit.person).count() == 1


def test_run_form_shows_errors_and_keeps_nothing(personas: Personas) -> None:
    response = Client().post(
        "/recruitment/run/providence/", {"first_name": "", "email": "nope", "office_type": "public"}
    )
    assert response.status_code == 400
    assert Recruit.objects.count() == 0


def test_filing_makes_the_recruit_a_candidacy_in_the_race(personas: Personas) -> None:
    recruit = _recruit(personas)
    race = _race()
    with pytest.raises(ValidationError):
        do_move_recruit(recruit, stage=Stage.FILING, actor=personas.leader_a)
    do_move_recruit(recruit, stage=Stage.FILING, race=race, actor=personas.leader_a)
    recruit.refresh_from_db()
    assert recruit.candidacy is not None
    assert (recruit.candidacy.race, recruit.candidacy.name, recruit.candidacy.party) == (
        race,
        "Maria Alvarez",
        "Democratic",
    )
    assert recruit.office_level == "state_legislature"
    assert list(recruit.stage_changes.values_list("to_stage", flat=True)) == ["filing", "identified"]


def test_other_chapters_leader_gets_404_and_cannot_move(personas: Personas) -> None:
    recruit = _recruit(personas)
    other = Client()
    other.force_login(personas.leader_b)
    assert other.get(f"/recruitment/{recruit.pk}/").status_code == 404
    assert other.post(f"/recruitment/{recruit.pk}/move/", {"stage": "asked"}).status_code == 404
    with pytest.raises(PermissionDenied):
        do_move_recruit(recruit, stage=Stage.ASKED, actor=personas.leader_b)
    volunteer = Client()
    volunteer.force_login(personas.volunteer)
    assert volunteer.get(f"/recruitment/{recruit.pk}/").status_code == 404
    assert volunteer.get("/recruitment/").status_code == 404


def test_coordinators_see_their_states_recruits_and_staff_see_all(personas: Personas) -> None:
    pa = _recruit(personas)
    ri = _recruit(personas, personas.member_b, personas.chapter_b)
    assert list(recruits_visible_to(personas.coordinator)) == [pa]
    assert set(recruits_visible_to(personas.staff)) == {pa, ri}
    assert list(recruits_visible_to(personas.leader_b)) == [ri]


def test_national_staff_see_every_chapters_trainings(personas: Personas) -> None:
    training = do_create_training(
        title="How to file", held_on=timezone.localdate(), chapter=personas.chapter_b, actor=personas.leader_b
    )
    staff, coordinator = Client(), Client()
    staff.force_login(personas.staff)
    coordinator.force_login(personas.coordinator)
    assert staff.get(f"/recruitment/trainings/{training.pk}/").status_code == 200
    assert "How to file" in staff.get("/recruitment/trainings/").content.decode()
    assert coordinator.get(f"/recruitment/trainings/{training.pk}/").status_code == 404  # Rhode Island's


def test_a_leader_syncing_results_moves_only_their_chapters_recruits(personas: Personas) -> None:
    race = _race()
    ours = _recruit(personas)
    theirs = _recruit(personas, personas.member_b, personas.chapter_b)
    do_move_recruit(ours, stage=Stage.FILING, race=race, actor=personas.leader_a)
    do_move_recruit(theirs, stage=Stage.FILING, race=race, actor=personas.leader_b)
    for recruit in (ours, theirs):
        assert recruit.candidacy is not None
        record_result(recruit.candidacy, Outcome.WON)
    client = Client()
    client.force_login(personas.leader_a)
    page = client.post("/recruitment/sync-results/", follow=True)
    assert "1 recruit updated" in page.content.decode()
    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert (ours.stage, theirs.stage) == (Stage.WON, Stage.FILING)


def test_funnel_counts_stages_and_conversion(personas: Personas) -> None:
    people = [personas.member_a] + [Person.objects.create(first_name=f"P{i}", last_name="Q") for i in range(3)]
    recruits = [_recruit(personas, p) for p in people]
    for r in recruits[:3]:
        do_move_recruit(r, stage=Stage.ASKED, actor=personas.leader_a)
    do_move_recruit(recruits[0], stage=Stage.INTERESTED, actor=personas.leader_a)
    do_move_recruit(recruits[1], stage=Stage.DECLINED, actor=personas.leader_a)
    funnel = recruit_funnel(recruits_visible_to(personas.leader_a))
    steps = {s.stage: s for s in funnel.steps}
    assert (steps["identified"].reached, steps["asked"].reached, steps["interested"].reached) == (4, 3, 1)
    assert steps["asked"].conversion.label == "3 of 4, 75%"  # type: ignore[union-attr]  # not the first step
    assert steps["interested"].conversion.label == "1 of 3, 33%"  # type: ignore[union-attr]  # not the first step
    assert (steps["asked"].current, funnel.declined) == (1, 1)


def test_training_attendance_moves_recruits_to_trained(personas: Personas) -> None:
    recruit = _recruit(personas)
    training = do_create_training(
        title="Run for precinct committee",
        held_on=timezone.localdate(),
        chapter=personas.chapter_a,
        actor=personas.leader_a,
    )
    do_record_attendance(training, person=personas.member_a, actor=personas.leader_a)
    recruit.refresh_from_db()
    assert recruit.stage == Stage.TRAINED


def test_recruit_pages_render_with_pinned_queries(personas: Personas, django_assert_num_queries: Any) -> None:
    for i in range(5):
        person = do_save_person(
            PersonDetails(first_name=f"R{i}", last_name="S"), source="test", actor=None, chapter=personas.chapter_a
        ).person
        _recruit(personas, person)
    client = Client()
    client.force_login(personas.leader_a)
    client.get("/recruitment/")
    # Session, user, roles, the recruits, the funnel, and the recruits' names as the leader sees them
    # (the owners of the leader's facts, then their views).
    with django_assert_num_queries(8):
        page = client.get("/recruitment/")
    assert page.status_code == 200 and "R4 S" in page.content.decode()
    recruit = Recruit.objects.first()
    assert recruit is not None
    assert client.get(f"/recruitment/{recruit.pk}/").status_code == 200
    assert client.get("/recruitment/funnel/").status_code == 200

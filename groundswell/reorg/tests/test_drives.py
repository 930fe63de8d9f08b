"""Reorganization drives: rules as data, seats in play, vacancies and progress; who may see and run them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from groundswell.elections.models import Candidacy, Outcome, Term
from groundswell.geo.actions import DivisionSpec, state_specs, upsert_divisions
from groundswell.geo.importing import ImportReport
from groundswell.geo.models import DivisionKind
from groundswell.recruitment.actions import RecruitDetails, do_create_recruit, do_move_recruit
from groundswell.recruitment.models import OfficeType, Stage
from groundswell.reorg.actions import (
    do_add_leadership_office,
    do_add_precinct_seats,
    do_create_drive,
    do_save_reorg_rule,
)
from groundswell.reorg.models import ReorganizationDrive, SelectionMethod, Tier
from groundswell.reorg.selectors import progress_by_area, progress_by_chapter, seat_rows, totals
from groundswell.testing import Personas

pytestmark = pytest.mark.django_db
RI = "ocd-division/country:us/state:ri"


def _precincts() -> None:
    specs = [
        *state_specs("ri"),
        DivisionSpec(f"{RI}/place:providence", DivisionKind.PLACE, "Providence", "RI", RI),
        DivisionSpec(f"{RI}/place:warwick", DivisionKind.PLACE, "Warwick", "RI", RI),
    ]
    for town, n in (("providence", 3), ("warwick", 2)):
        specs += [
            DivisionSpec(
                f"{RI}/place:{town}/precinct:{i}",
                DivisionKind.PRECINCT,
                f"{town.title()} {i}",
                "RI",
                f"{RI}/place:{town}",
            )
            for i in range(1, n + 1)
        ]
    upsert_divisions(specs, report=ImportReport())


def _drive(personas: Personas) -> ReorganizationDrive:
    _precincts()
    drive = do_create_drive(
        name="Rhode Island 2026 reorganization",
        state="RI",
        party="Democratic",
        election_date=timezone.localdate() + dt.timedelta(days=120),
        actor=personas.staff,
    )
    do_save_reorg_rule(
        drive, seats_per_precinct=2, selection=SelectionMethod.ELECTED, signatures_required=25, actor=personas.staff
    )
    do_save_reorg_rule(
        drive, county="Warwick", seats_per_precinct=3, selection=SelectionMethod.CAUCUS, actor=personas.staff
    )
    do_add_precinct_seats(drive, actor=personas.staff)
    return drive


def test_seats_follow_the_rule_of_their_area(personas: Personas) -> None:
    drive = _drive(personas)
    rows = seat_rows(drive)
    seats = {r.office_name: r.seats for r in rows}
    assert seats["Providence 1 Democratic precinct committee"] == 2
    assert seats["Warwick 2 Democratic precinct committee"] == 3
    assert totals(rows).seats == 3 * 2 + 2 * 3


def test_vacancies_are_seats_with_no_holder_and_no_candidate(personas: Personas) -> None:
    drive = _drive(personas)
    rows = {r.office_name: r for r in seat_rows(drive)}
    p1 = rows["Providence 1 Democratic precinct committee"]
    Term.objects.create(office_id=p1.office_id, holder_name="Old Timer")
    Candidacy.objects.create(race=drive.election.races.get(office_id=p1.office_id), name="Someone Else")
    rows = {r.office_name: r for r in seat_rows(drive)}
    assert rows["Providence 1 Democratic precinct committee"].vacant == 0
    assert rows["Providence 2 Democratic precinct committee"].vacant == 2
    assert totals(list(rows.values())).vacant == 12 - 2


def test_progress_counts_our_recruits_filed_and_won_by_area_and_chapter(personas: Personas) -> None:
    drive = _drive(personas)
    do_add_leadership_office(drive, tier=Tier.STATE_CHAIR, actor=personas.staff)
    races = {r.office.name: r for r in drive.election.races.select_related("office")}
    recruit = do_create_recruit(
        personas.member_b,
        chapter=personas.chapter_b,
        actor=personas.leader_b,
        details=RecruitDetails(office_type=OfficeType.PARTY),
    )
    do_move_recruit(
        recruit, stage=Stage.FILING, race=races["Providence 2 Democratic precinct committee"], actor=personas.leader_b
    )
    chair = do_create_recruit(
        personas.member_a,
        chapter=personas.chapter_b,
        actor=personas.staff,
        details=RecruitDetails(office_type=OfficeType.PARTY),
    )
    do_move_recruit(chair, stage=Stage.FILING, race=races["Rhode Island Democratic Party Chair"], actor=personas.staff)
    Candidacy.objects.filter(recruit=chair).update(outcome=Outcome.WON)
    rows = seat_rows(drive)
    by_area = {p.label: p for p in progress_by_area(rows)}
    assert by_area["Providence"].filed_rate.label == "1 of 6, 17%"
    assert by_area["Statewide"].leaders_elected == 1
    by_chapter = {p.label: p for p in progress_by_chapter(rows)}
    assert (by_chapter["Providence Groundswell"].filed, by_chapter["Providence Groundswell"].won) == (2, 1)


def test_only_staff_and_the_states_coordinator_run_a_drive(personas: Personas) -> None:
    with pytest.raises(PermissionDenied):
        do_create_drive(
            name="x", state="RI", party="Democratic", election_date=timezone.localdate(), actor=personas.coordinator
        )
    drive = _drive(personas)
    leader_b, leader_a = Client(), Client()
    leader_b.force_login(personas.leader_b)
    leader_a.force_login(personas.leader_a)
    assert leader_b.get(f"/reorg/{drive.pk}/").status_code == 200
    assert leader_b.get(f"/reorg/{drive.pk}/vacancies/").status_code == 200
    assert leader_a.get(f"/reorg/{drive.pk}/").status_code == 404  # a Pennsylvania leader
    leader_b.post(
        f"/reorg/{drive.pk}/rules/",
        {"county": "", "seats_per_precinct": 9, "selection": "elected", "signatures_required": 0},
    )
    assert drive.rules.get(county="").seats_per_precinct == 2


def test_a_leader_who_sees_the_drive_gets_404_on_its_changes(personas: Personas) -> None:
    drive = _drive(personas)
    seats = drive.drive_offices.count()
    leader_b = Client()
    leader_b.force_login(personas.leader_b)  # leads Providence: sees Rhode Island's drive, does not run it
    posts = {
        "rules/": {"county": "", "seats_per_precinct": 9, "selection": "elected", "signatures_required": 0},
        "dates/": {"label": "Petitions due", "on": "2026-03-01"},
        "seats/": {"area": ""},
        "leadership/": {"tier": Tier.STATE_CHAIR, "seats": 1},
    }
    for step, data in posts.items():
        assert leader_b.post(f"/reorg/{drive.pk}/{step}", data).status_code == 404, step
    assert drive.rules.get(county="").seats_per_precinct == 2
    assert (drive.dates.count(), drive.drive_offices.count()) == (0, seats)
    coordinator = Client()
    coordinator.force_login(personas.coordinator)  # Pennsylvania's
    assert coordinator.post(f"/reorg/{drive.pk}/seats/", {"area": ""}).status_code == 404

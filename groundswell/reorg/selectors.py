"""Reads of reorganization drives: seats, vacancies and progress, scoped to the acting user."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from groundswell.chapters.access import AnyUser, scope_for
from groundswell.chapters.models import Chapter
from groundswell.elections.models import Candidacy, Outcome, Term
from groundswell.recruitment.models import CANDIDATE_STAGES, Recruit
from groundswell.recruitment.rates import Rate
from groundswell.reorg.models import LEADERSHIP_TIERS, DriveOffice, ReorganizationDrive, Tier


def drives_visible_to(user: AnyUser) -> QuerySet[ReorganizationDrive]:
    """National staff see every drive; coordinators their states'; chapter leaders the drives of their
    chapters' states (they recruit for the seats)."""
    scope = scope_for(user)
    if not scope.is_leader_or_above:
        return ReorganizationDrive.objects.none()
    if scope.national:
        return ReorganizationDrive.objects.all()
    led_states = set(Chapter.objects.filter(pk__in=scope.led_chapter_ids).values_list("state", flat=True))
    return ReorganizationDrive.objects.filter(state__in=scope.coordinator_states | led_states)


def get_drive(user: AnyUser, drive_id: int) -> ReorganizationDrive:
    return get_object_or_404(drives_visible_to(user).select_related("election"), pk=drive_id)


def drives_run_by(user: AnyUser) -> QuerySet[ReorganizationDrive]:
    """The drives a user may change: national staff every drive, coordinators their states'. Chapter
    leaders see their states' drives but do not run them."""
    scope = scope_for(user)
    if scope.national:
        return ReorganizationDrive.objects.all()
    return ReorganizationDrive.objects.filter(state__in=scope.coordinator_states)


def get_drive_to_run(user: AnyUser, drive_id: int) -> ReorganizationDrive:
    return get_object_or_404(drives_run_by(user).select_related("election"), pk=drive_id)


def can_run_drive(user: AnyUser, drive: ReorganizationDrive) -> bool:
    scope = scope_for(user)
    return scope.national or drive.state in scope.coordinator_states


@dataclass
class SeatRow:
    """One office in play and who is on it or running for it."""

    drive_office_id: int
    office_id: int
    office_name: str
    tier: str
    area: str
    division_ocd_id: str
    seats: int
    holders: list[str] = field(default_factory=list)
    candidates: list[str] = field(default_factory=list)
    our_recruits: list[tuple[str, str, str]] = field(default_factory=list)  # (name, chapter, outcome)

    @property
    def vacant(self) -> int:
        """Seats with no holder and no candidate: where to recruit."""
        taken = {n.strip().lower() for n in (*self.holders, *self.candidates)}
        return max(0, self.seats - len(taken))

    @property
    def ours_filed(self) -> int:
        return len(self.our_recruits)

    @property
    def ours_won(self) -> int:
        return sum(1 for *_, outcome in self.our_recruits if outcome == Outcome.WON)

    @property
    def status(self) -> str:
        if self.ours_won:
            return "won"
        if self.our_recruits:
            return "ours"
        if self.vacant == self.seats:
            return "vacant"
        return "partly" if self.vacant else "covered"


def seat_rows(drive: ReorganizationDrive, *, area: str = "", tier: str = "") -> list[SeatRow]:
    """Every office in play with holders, candidates and our recruits, in four queries."""
    drive_offices = DriveOffice.objects.filter(drive=drive).select_related("office__division")
    if area:
        drive_offices = drive_offices.filter(county__iexact=area)
    if tier:
        drive_offices = drive_offices.filter(tier=tier)
    rows = {
        d.office_id: SeatRow(
            d.pk, d.office_id, d.office.name, d.tier, d.county, d.office.division.ocd_id, d.office.seats
        )
        for d in drive_offices
    }
    for office_id, name in Term.objects.filter(office_id__in=rows, end_date__isnull=True).values_list(
        "office_id", "holder_name"
    ):
        rows[office_id].holders.append(name)
    candidacies = Candidacy.objects.filter(race__election=drive.election, race__office_id__in=rows)
    for office_id, name in candidacies.values_list("race__office_id", "name"):
        rows[office_id].candidates.append(name)
    recruits = Recruit.objects.filter(candidacy__in=candidacies, stage__in=CANDIDATE_STAGES).values_list(
        "candidacy__race__office_id", "person__first_name", "person__last_name", "chapter__name", "candidacy__outcome"
    )
    for office_id, first, last, chapter, outcome in recruits:
        rows[office_id].our_recruits.append((f"{first} {last}".strip(), chapter, outcome))
    return sorted(rows.values(), key=lambda r: (r.tier != Tier.PRECINCT, r.area, r.office_name))


@dataclass
class ProgressRow:
    label: str
    seats: int = 0
    vacant: int = 0
    filed: int = 0
    won: int = 0
    leaders_elected: int = 0

    @property
    def filed_rate(self) -> Rate:
        return Rate(self.filed, self.seats)

    @property
    def won_rate(self) -> Rate:
        return Rate(self.won, self.seats)


def progress_by_area(rows: list[SeatRow]) -> list[ProgressRow]:
    table: dict[str, ProgressRow] = {}
    for row in rows:
        label = row.area or "Statewide"
        progress = table.setdefault(label, ProgressRow(label))
        progress.seats += row.seats
        progress.vacant += row.vacant
        progress.filed += row.ours_filed
        progress.won += row.ours_won
        if row.tier in LEADERSHIP_TIERS:
            progress.leaders_elected += row.ours_won
    return sorted(table.values(), key=lambda p: p.label)


def progress_by_chapter(rows: list[SeatRow]) -> list[ProgressRow]:
    table: dict[str, ProgressRow] = defaultdict(lambda: ProgressRow(""))
    for row in rows:
        for _name, chapter, outcome in row.our_recruits:
            progress = table[chapter]
            progress.label = chapter
            progress.filed += 1
            if outcome == Outcome.WON:
                progress.won += 1
                if row.tier in LEADERSHIP_TIERS:
                    progress.leaders_elected += 1
    return sorted(table.values(), key=lambda p: (-p.filed, p.label))


def totals(rows: list[SeatRow]) -> ProgressRow:
    total = ProgressRow("All")
    for progress in progress_by_area(rows):
        total.seats += progress.seats
        total.vacant += progress.vacant
        total.filed += progress.filed
        total.won += progress.won
        total.leaders_elected += progress.leaders_elected
    return total


def areas_of(drive: ReorganizationDrive) -> list[str]:
    return list(
        DriveOffice.objects.filter(drive=drive)
        .exclude(county="")
        .order_by("county")
        .values_list("county", flat=True)
        .distinct()
    )


def vacancy_map_data(rows: list[SeatRow]) -> dict[str, Any]:
    """Precinct outlines (GeoJSON) coloured by status, for the vacancy map."""
    from groundswell.geo.models import Division

    by_ocd = {r.division_ocd_id: r for r in rows if r.tier == Tier.PRECINCT}
    features = []
    for ocd_id, geometry in (
        Division.objects.filter(ocd_id__in=by_ocd).exclude(geometry="").values_list("ocd_id", "geometry")
    ):
        row = by_ocd[ocd_id]
        features.append(
            {
                "type": "Feature",
                "geometry": json.loads(geometry),
                "properties": {
                    "name": row.office_name,
                    "area": row.area,
                    "status": row.status,
                    "seats": row.seats,
                    "vacant": row.vacant,
                    "filed": row.ours_filed,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}

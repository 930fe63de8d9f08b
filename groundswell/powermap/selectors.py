"""Reads for the power map. Its civic data is public: any signed-in user may read it. Member counts
go through people.selectors, so a leader counts only the members they may see."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from groundswell.chapters.access import AnyUser, scope_for
from groundswell.chapters.geo import STATE_NAMES
from groundswell.chapters.models import AreaKind, Chapter, ChapterStatus
from groundswell.core.models import Job
from groundswell.elections.chambers import chamber_size, legislature_size
from groundswell.elections.models import (
    Candidacy,
    Election,
    ElectionKind,
    Office,
    OfficeLevel,
    PrecinctResult,
    Race,
    Term,
)
from groundswell.elections.offices import CHAMBER_TITLES
from groundswell.elections.parties import party_family
from groundswell.geo import ocd
from groundswell.geo.models import DISTRICT_KINDS, Division, DivisionKind, PrecinctDistrict
from groundswell.people.selectors import people_visible_to
from groundswell.powermap.analysis import ChamberView, RaceSummary, Seat, classify_seats, count_by_party
from groundswell.powermap.models import DistrictLean, PlanKind, RedistrictingAuthority, ReferenceRace, lean_label

IMPORT_JOB_KINDS = (
    "geo.import_boundaries",
    "elections.import_legislators",
    "elections.import_results",
    "elections.import_boundary_votes",
    "powermap.compute_lean",
)
CHAMBER_ORDER = ("lower", "upper", "legislature")


def _readers_only(user: AnyUser) -> None:
    if not scope_for(user).is_authenticated:
        raise Http404


def _staff_only(user: AnyUser) -> None:
    if not scope_for(user).national:
        raise Http404


def _known_state(state: str) -> str:
    """The upper-case code of a US state or territory; anything else is not found."""
    if state.upper() not in STATE_NAMES:
        raise Http404
    return state.upper()


def states_with_legislators(user: AnyUser) -> list[tuple[str, str, int]]:
    """(state code, name, legislative seats) for every state with legislative offices or statewide
    results, by name. Seats are the chambers' full sizes (elections.chambers), not the offices imported."""
    _readers_only(user)
    seats: dict[str, int] = defaultdict(int)
    for state, count in Office.objects.filter(level=OfficeLevel.STATE_LEGISLATURE).values_list(
        "division__state", "seats"
    ):
        seats[state] += count
    with_races = Race.objects.filter(office__level__in=STATEWIDE_LEVELS).values_list("election__division__state")
    for (state,) in with_races.distinct():
        seats.setdefault(state, 0)
    return sorted(
        ((s, ocd.state_name(s), legislature_size(s) or n) for s, n in seats.items() if s), key=lambda row: row[1]
    )


def reference_race(state: str) -> Race | None:
    chosen = ReferenceRace.objects.filter(state=state.upper()).select_related("race__election", "race__office").first()
    return chosen.race if chosen else None


def _seats(
    state: str, chamber: str | None, race: Race | None, offices: QuerySet[Office], *, with_shapes: bool = False
) -> list[Seat]:
    today = timezone.localdate()
    if not with_shapes:
        # A chamber's outlines are hundreds of kilobytes: only the map reads them.
        offices = offices.defer("division__geometry")
    offices = offices.select_related("division").prefetch_related(
        Prefetch(
            "terms",
            queryset=Term.objects.filter(Q(end_date__isnull=True) | Q(end_date__gte=today)),
            to_attr="current_terms",
        )
    )
    office_list = list(offices)
    leans = {}
    if race is not None:
        leans = {
            lean.district_id: lean
            for lean in DistrictLean.objects.filter(race=race, district__in=[o.division_id for o in office_list])
        }
    last_races = _last_general_races(office_list)
    seats = [
        Seat(
            office=o,
            district=o.division,
            holders=list(o.current_terms),
            lean=leans.get(o.division_id),
            last_race=last_races.get(o.pk),
        )
        for o in office_list
    ]
    return classify_seats(seats, today=today)


def _last_general_races(offices: Sequence[Office]) -> dict[int, RaceSummary]:
    races = (
        Race.objects.filter(office__in=offices, election__kind__in=[ElectionKind.GENERAL, ElectionKind.SPECIAL])
        .select_related("election")
        .prefetch_related(Prefetch("candidacies", queryset=Candidacy.objects.order_by("-votes", "name")))
        .order_by("office_id", "-election__date")
    )
    latest: dict[int, RaceSummary] = {}
    for race in races:
        latest.setdefault(race.office_id, RaceSummary(race, tuple(race.candidacies.all())))
    return latest


def chamber_views(user: AnyUser, state: str, *, with_shapes: bool = False) -> list[ChamberView]:
    _readers_only(user)
    state = state.upper()
    race = reference_race(state)
    offices = Office.objects.filter(level=OfficeLevel.STATE_LEGISLATURE, division__state=state).order_by("id")
    seats = _seats(state, None, race, offices, with_shapes=with_shapes)
    by_chamber: dict[str, list[Seat]] = defaultdict(list)
    for seat in seats:
        by_chamber[seat.office.chamber].append(seat)
    views = []
    for chamber in CHAMBER_ORDER:
        if chamber in by_chamber:
            chamber_seats = sorted(by_chamber[chamber], key=lambda s: _district_sort_key(s.district))
            title = f"{ocd.state_name(state)} {CHAMBER_TITLES.get(chamber, chamber)}"
            size = chamber_size(state, chamber)
            views.append(ChamberView(state, chamber, title, chamber_seats, count_by_party(chamber_seats), size))
    return views


def chamber_view(user: AnyUser, state: str, chamber: str, *, with_shapes: bool = False) -> ChamberView:
    for view in chamber_views(user, state, with_shapes=with_shapes):
        if view.chamber == chamber:
            return view
    raise Http404


# Federal and statewide offices, in the order a ballot lists them; others follow by name.
STATEWIDE_LEVELS = (OfficeLevel.FEDERAL, OfficeLevel.STATE_EXECUTIVE)
_BALLOT_ORDER = ("president", "us_senate", "us_house", "governor", "lieutenant_governor", "attorney_general")


@dataclass
class ElectionRaces:
    election: Election
    races: list[RaceSummary]


def statewide_races(user: AnyUser, state: str) -> list[ElectionRaces]:
    """Each of the state's elections, newest first, with its federal and statewide races (president,
    U.S. Senate and House, governor, ...): the races that belong to no legislative district."""
    _readers_only(user)
    races = (
        Race.objects.filter(election__division__ocd_id=ocd.state_ocd_id(state), office__level__in=STATEWIDE_LEVELS)
        .select_related("election", "office__division")
        .defer("office__division__geometry")
        .prefetch_related(Prefetch("candidacies", queryset=Candidacy.objects.order_by("-votes", "name")))
        .order_by("-election__date", "election__kind")
    )
    grouped: dict[int, ElectionRaces] = {}
    for race in races:
        entry = grouped.setdefault(race.election_id, ElectionRaces(race.election, []))
        entry.races.append(RaceSummary(race, tuple(race.candidacies.all())))
    for entry in grouped.values():
        entry.races.sort(key=_ballot_position)
    return list(grouped.values())


def _ballot_position(summary: RaceSummary) -> tuple[int, tuple[int, str], str]:
    office = summary.race.office
    rank = _BALLOT_ORDER.index(office.role) if office.role in _BALLOT_ORDER else len(_BALLOT_ORDER)
    return (rank, _district_sort_key(office.division), office.name)


def _district_sort_key(division: Division) -> tuple[int, str]:
    code = division.short_code
    return (int(code), "") if code.isdigit() else (10_000, code)


def redistricting_authorities(user: AnyUser, state: str) -> list[RedistrictingAuthority]:
    _readers_only(user)
    return list(RedistrictingAuthority.objects.filter(state=state.upper()))


def get_redistricting_authority(user: AnyUser, state: str, plan: str) -> RedistrictingAuthority | None:
    _staff_only(user)
    if plan not in PlanKind.values:
        raise Http404
    return RedistrictingAuthority.objects.filter(state=_known_state(state), plan=plan).first()


def get_district(user: AnyUser, ocd_id: str) -> Division:
    _readers_only(user)
    return get_object_or_404(Division.objects.filter(kind__in=DISTRICT_KINDS), ocd_id=ocd_id)


@dataclass
class DistrictPage:
    district: Division
    seat: Seat | None
    history: list[RaceSummary]
    chapters: list[Chapter]
    chapters_match: str  # 'area' (a chapter's county or city lies in the district) or 'state'
    member_count: int | None  # None: the user may not see members
    precinct_count: int


def district_page(user: AnyUser, district: Division) -> DistrictPage:
    _readers_only(user)
    race = reference_race(district.state)
    offices = Office.objects.filter(division=district, level=OfficeLevel.STATE_LEGISLATURE)
    seats = _seats(district.state, None, race, offices)
    seat = seats[0] if seats else None
    history = _race_history(seat.office) if seat else []
    chapters, match = _chapters_near(district)
    return DistrictPage(
        district,
        seat,
        history,
        chapters,
        match,
        _member_count(user, chapters),
        PrecinctDistrict.objects.filter(district=district).count(),
    )


def _race_history(office: Office) -> list[RaceSummary]:
    races = (
        Race.objects.filter(office=office)
        .select_related("election")
        .prefetch_related(Prefetch("candidacies", queryset=Candidacy.objects.order_by("-votes", "name")))
        .order_by("-election__date")
    )
    return [RaceSummary(r, tuple(r.candidacies.all())) for r in races]


def _area_names(district: Division) -> set[str]:
    """Names of the towns and counties the district's precincts lie in, lower case."""
    parents = Division.objects.filter(
        children__district_links__district=district, kind__in=[DivisionKind.PLACE, DivisionKind.COUNTY]
    ).values_list("name", flat=True)
    return {name.lower().removesuffix(" county") for name in parents}


def _chapters_near(district: Division) -> tuple[list[Chapter], str]:
    """Chapters whose county or city is in the district; failing that, the state's chapters. An
    approximation: without geocoding members' addresses we cannot say who lives inside the lines."""
    live = Chapter.objects.exclude(status=ChapterStatus.INACTIVE).filter(state=district.state)
    names = _area_names(district)
    in_area = [
        c
        for c in live.filter(areas__kind__in=[AreaKind.COUNTY, AreaKind.CITY]).prefetch_related("areas").distinct()
        if any(a.value.lower().removesuffix(" county") in names for a in c.areas.all() if a.kind != AreaKind.ZIP)
    ]
    if in_area:
        return in_area, "area"
    return list(live), "state"


def _member_count(user: AnyUser, chapters: list[Chapter]) -> int | None:
    if not scope_for(user).is_leader_or_above:
        return None
    return (
        people_visible_to(user)
        .filter(memberships__chapter__in=chapters, memberships__status__in=["active", "lapsed"])
        .distinct()
        .count()
    )


# ---------------------------------------------------------------- maps


def chamber_map(user: AnyUser, state: str, chamber: str) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of the chamber's district outlines, with lean and holder."""
    view = chamber_view(user, state, chamber, with_shapes=True)
    features = []
    for seat in view.seats:
        if not seat.district.geometry:
            continue
        features.append(
            _feature(
                seat.district.geometry,
                {
                    "name": seat.district.name,
                    "code": seat.district.short_code,
                    "lean": seat.lean_points,
                    "lean_label": lean_label(seat.lean_points),
                    "holder": ", ".join(f"{t.holder_name} ({party_family(t.party)[:1] or '?'})" for t in seat.holders)
                    or "Vacant",
                    "target": seat.kind_label,
                    "url": reverse("powermap:district", args=[seat.district.ocd_id]),
                },
            )
        )
    return {"type": "FeatureCollection", "features": features}


def district_map(user: AnyUser, district: Division) -> dict[str, Any]:
    """The district's outline and its precincts, each precinct shaded by its own lean."""
    _readers_only(user)
    race = reference_race(district.state)
    precincts = list(
        Division.objects.filter(district_links__district=district, kind=DivisionKind.PRECINCT).only(
            "id", "name", "geometry"
        )
    )
    votes: dict[int, dict[str, int]] = defaultdict(dict)
    if race is not None:
        rows = PrecinctResult.objects.filter(race=race, precinct__in=precincts).values_list(
            "precinct_id", "candidacy__party", "votes"
        )
        for precinct_id, party, count in rows:
            votes[precinct_id][party_family(party)] = votes[precinct_id].get(party_family(party), 0) + count
    features = []
    if district.geometry:
        features.append(_feature(district.geometry, {"role": "district", "name": district.name}))
    for precinct in precincts:
        if not precinct.geometry:
            continue
        dem, rep = votes[precinct.pk].get("Democratic", 0), votes[precinct.pk].get("Republican", 0)
        lean = 100 * (dem - rep) / (dem + rep) if dem + rep else None
        features.append(
            _feature(
                precinct.geometry,
                {
                    "role": "precinct",
                    "name": precinct.name,
                    "lean": lean,
                    "lean_label": lean_label(lean),
                    "dem": dem,
                    "rep": rep,
                },
            )
        )
    return {"type": "FeatureCollection", "features": features}


def _feature(geometry: str, properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "geometry": json.loads(geometry), "properties": properties}


# ---------------------------------------------------------------- imports


def import_jobs_visible_to(user: AnyUser) -> QuerySet[Job]:
    _staff_only(user)
    return Job.objects.filter(kind__in=IMPORT_JOB_KINDS).select_related("created_by")


def get_import_job(user: AnyUser, job_id: int) -> Job:
    return get_object_or_404(import_jobs_visible_to(user), pk=job_id)


def require_staff(user: AnyUser) -> None:
    """Imports and redistricting edits are national staff's: anyone else gets a 404."""
    _staff_only(user)


def find_race(state: str, year: int, role: str) -> Race | None:
    """The general-election race for an office role in a state's election of that year (for the CLI
    and the demo, which act as the system, not as a user)."""
    return (
        Race.objects.filter(
            election__division__ocd_id=ocd.state_ocd_id(state),
            election__date__year=year,
            election__kind=ElectionKind.GENERAL,
            office__role=role,
            party="",
        )
        .select_related("election", "office")
        .first()
    )


def reference_races(user: AnyUser, state: str) -> list[Race]:
    """Statewide-or-wider general races with precinct results in the state: choices for the lean."""
    _staff_only(user)
    _known_state(state)
    return list(
        Race.objects.filter(
            election__division__ocd_id=ocd.state_ocd_id(state),
            office__division__kind__in=[DivisionKind.COUNTRY, DivisionKind.STATE],
            precinct_results__isnull=False,
        )
        .select_related("election", "office")
        .distinct()
        .order_by("-election__date", "office__name")
    )

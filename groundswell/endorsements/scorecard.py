"""The scorecard: how endorsed candidates did, by year, office level, election kind, district lean and chapter.

Every figure is a count out of a total and its rate ("12 of 40, 30%"). A race without a result yet
is counted apart as undecided, never as a loss. Withdrawn endorsements are left out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from groundswell.chapters.access import AnyUser
from groundswell.elections.models import ElectionKind, OfficeLevel, Outcome
from groundswell.endorsements.models import Endorsement
from groundswell.endorsements.selectors import require_national
from groundswell.powermap.models import DistrictLean, ReferenceRace
from groundswell.recruitment.rates import Rate

# Lean in points of the two-party vote (Democratic minus Republican). Beyond five points a district
# is no longer a toss-up; a win where it leans the other way is the movement's proudest kind.
LEAN_MARGIN = 5.0
LEAN_AGAINST = "Leans against us (R+5 or more)"
LEAN_COMPETITIVE = "Competitive (within 5 points)"
LEAN_FOR = "Leans our way (D+5 or more)"
LEAN_UNKNOWN = "Lean not known"
LEAN_ORDER = (LEAN_AGAINST, LEAN_COMPETITIVE, LEAN_FOR, LEAN_UNKNOWN)


@dataclass(frozen=True)
class ScoredEndorsement:
    year: int
    level: str
    kind: str
    lean: str
    chapter: str
    endorser: str
    outcome: str


@dataclass
class ScoreRow:
    label: str
    won: int = 0
    lost: int = 0
    undecided: int = 0

    @property
    def rate(self) -> Rate:
        return Rate(self.won, self.won + self.lost)


@dataclass
class Scorecard:
    overall: ScoreRow
    dimensions: dict[str, list[ScoreRow]] = field(default_factory=dict)

    def chart_data(self) -> dict[str, Any]:
        return {
            name: {
                "labels": [r.label for r in rows],
                "won": [r.won for r in rows],
                "lost": [r.lost for r in rows],
                "undecided": [r.undecided for r in rows],
                "rates": [r.rate.label for r in rows],
            }
            for name, rows in self.dimensions.items()
        }


def lean_bucket(points: float | None) -> str:
    if points is None:
        return LEAN_UNKNOWN
    if points <= -LEAN_MARGIN:
        return LEAN_AGAINST
    if points >= LEAN_MARGIN:
        return LEAN_FOR
    return LEAN_COMPETITIVE


def _kind_label(kind: str) -> str:
    if kind in (ElectionKind.PRIMARY, ElectionKind.GENERAL):
        return str(ElectionKind(kind).label)
    return "Other (special, runoff, party)"


def _district_leans(division_ids: set[int]) -> dict[int, float]:
    """Each district's lean in its state's reference race, else in the latest race it was computed for."""
    references = dict(ReferenceRace.objects.values_list("state", "race_id"))
    leans: dict[int, tuple[bool, Any, float]] = {}
    rows = DistrictLean.objects.filter(district_id__in=division_ids).values_list(
        "district_id", "district__state", "race_id", "race__election__date", "lean"
    )
    for district_id, state, race_id, day, lean in rows:
        key = (references.get(state) == race_id, day, lean)
        if district_id not in leans or key[:2] > leans[district_id][:2]:
            leans[district_id] = key
    return {district_id: value[2] for district_id, value in leans.items()}


def scored_endorsements(endorsements: QuerySet[Endorsement]) -> list[ScoredEndorsement]:
    rows = list(
        endorsements.filter(withdrawn_at__isnull=True).values_list(
            "candidacy__race__election__date",
            "candidacy__race__office__level",
            "candidacy__race__election__kind",
            "candidacy__race__office__division_id",
            "chapter__name",
            "endorser",
            "candidacy__outcome",
        )
    )
    leans = _district_leans({row[3] for row in rows})
    levels = dict(OfficeLevel.choices)
    return [
        ScoredEndorsement(
            day.year,
            str(levels.get(level, level)),
            _kind_label(kind),
            lean_bucket(leans.get(division)),
            chapter or "No chapter (national or historical)",
            endorser,
            outcome,
        )
        for day, level, kind, division, chapter, endorser, outcome in rows
    ]


def _group(scored: list[ScoredEndorsement], key: Callable[[ScoredEndorsement], str]) -> dict[str, ScoreRow]:
    rows: dict[str, ScoreRow] = defaultdict(lambda: ScoreRow(""))
    for item in scored:
        row = rows[key(item)]
        row.label = key(item)
        _count(row, item.outcome)
    return rows


def _count(row: ScoreRow, outcome: str) -> None:
    if outcome == Outcome.WON:
        row.won += 1
    elif outcome == Outcome.LOST:
        row.lost += 1
    else:
        row.undecided += 1


def build_scorecard(scored: list[ScoredEndorsement]) -> Scorecard:
    overall = ScoreRow("All endorsements")
    for item in scored:
        _count(overall, item.outcome)
    by_year = _group(scored, lambda s: str(s.year))
    by_lean = _group(scored, lambda s: s.lean)
    by_chapter = _group(scored, lambda s: s.chapter)
    level_order = [str(label) for _, label in OfficeLevel.choices]
    dimensions = {
        "year": [by_year[k] for k in sorted(by_year, reverse=True)],
        "level": sorted(
            _group(scored, lambda s: s.level).values(),
            key=lambda r: level_order.index(r.label) if r.label in level_order else 99,
        ),
        "kind": sorted(_group(scored, lambda s: s.kind).values(), key=lambda r: r.label),
        "lean": [by_lean[k] for k in LEAN_ORDER if k in by_lean],
        "chapter": sorted(by_chapter.values(), key=lambda r: (-(r.won + r.lost + r.undecided), r.label)),
        "endorser": sorted(_group(scored, lambda s: s.endorser).values(), key=lambda r: r.label),
    }
    return Scorecard(overall, dimensions)


DIMENSION_TITLES = {
    "year": "By year",
    "level": "By office level",
    "kind": "By election kind",
    "lean": "By district lean",
    "chapter": "By chapter",
    "endorser": "By endorser",
}


def scorecard_for(user: AnyUser, *, state: str = "", endorser: str = "") -> Scorecard:
    """The scorecard national staff watch. (Endorsements and results are public facts; the page is
    staff-only because it is their instrument, not because the figures are secret.)"""
    require_national(user)
    endorsements = Endorsement.objects.all()
    if state:
        endorsements = endorsements.filter(candidacy__race__office__division__state=state.upper())
    if endorser:
        endorsements = endorsements.filter(endorser=endorser)
    return build_scorecard(scored_endorsements(endorsements))


def endorsers() -> list[str]:
    return list(Endorsement.objects.order_by("endorser").values_list("endorser", flat=True).distinct())

"""Where the movement can win: district leans, chamber control and target seats. Pure functions
over rows the selectors fetched, so the rules are tested without a database."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from groundswell.elections.models import Candidacy, Office, Race, Term
from groundswell.elections.parties import DEMOCRATIC, party_family
from groundswell.geo.models import Division
from groundswell.powermap.models import DistrictLean

# The party line the movement's candidates mostly run on in general elections. Targets are read
# from its side: a "flip" is a seat another party holds that leans close enough to win.
ALLY_PARTY = DEMOCRATIC

# Lean thresholds in points of the two-party margin of the reference race (D minus R, from the
# ally party's side). Within 10 points a seat is winnable with a strong campaign; 10-20 points is
# ground to build for the next cycle; an ally seat under +10 needs defending.
FLIP_WITHIN = 10.0
INROADS_WITHIN = 20.0
HOLD_BELOW = 10.0


class TargetKind:
    FLIP = "flip"
    HOLD = "hold"
    INROADS = "inroads"
    UNCONTESTED = "uncontested"
    SAFE = "safe"
    OUT_OF_REACH = "out_of_reach"

    LABELS = {
        FLIP: "Flip",
        HOLD: "Hold",
        INROADS: "Inroads",
        UNCONTESTED: "Uncontested",
        SAFE: "Safe",
        OUT_OF_REACH: "Out of reach",
    }
    TARGETS = (FLIP, HOLD, INROADS, UNCONTESTED)


@dataclass(frozen=True)
class LeanTotals:
    democratic: int
    republican: int
    total: int
    precincts: int
    registered: int | None
    ballots: int | None

    @property
    def lean(self) -> float:
        two_party = self.democratic + self.republican
        return 0.0 if not two_party else 100 * (self.democratic - self.republican) / two_party


def sum_district_votes(
    links: Iterable[tuple[int, int]],
    precinct_votes: dict[int, dict[str, int]],
    precinct_facts: dict[int, tuple[int | None, int | None]],
) -> dict[int, LeanTotals]:
    """links: (district id, precinct id); precinct_votes: precinct id -> party -> votes in the reference
    race; precinct_facts: precinct id -> (registered, ballots cast) in that race's year, if known.
    Every precinct's votes go to each district it lies in, once."""
    by_district: dict[int, set[int]] = defaultdict(set)
    for district_id, precinct_id in links:
        by_district[district_id].add(precinct_id)
    totals = {}
    for district_id, precincts in by_district.items():
        dem = rep = total = 0
        registered: int | None = 0
        ballots: int | None = 0
        for precinct_id in precincts:
            votes = precinct_votes.get(precinct_id, {})
            dem += votes.get(DEMOCRATIC, 0)
            rep += votes.get("Republican", 0)
            total += sum(votes.values())
            reg, cast = precinct_facts.get(precinct_id, (None, None))
            registered = None if registered is None or reg is None else registered + reg
            ballots = None if ballots is None or cast is None else ballots + cast
        totals[district_id] = LeanTotals(dem, rep, total, len(precincts), registered, ballots)
    return totals


@dataclass(frozen=True)
class RaceSummary:
    """A past race for a seat: who ran, the winner's margin, contested or not."""

    race: Race
    candidacies: tuple[Candidacy, ...]

    @property
    def named_candidates(self) -> list[Candidacy]:
        return [c for c in self.candidacies if not c.is_write_in]

    @property
    def contested(self) -> bool:
        return len(self.named_candidates) >= 2

    @property
    def total_votes(self) -> int:
        return sum(c.votes or 0 for c in self.candidacies)

    @property
    def margin(self) -> float | None:
        """Winner minus runner-up, in points of all votes cast; 100 when unopposed."""
        ranked = sorted((c.votes or 0 for c in self.candidacies), reverse=True)
        if not ranked or not self.total_votes:
            return None
        second = ranked[1] if len(ranked) > 1 else 0
        return 100 * (ranked[0] - second) / self.total_votes

    @property
    def winner(self) -> Candidacy | None:
        ranked = sorted(self.candidacies, key=lambda c: -(c.votes or 0))
        return ranked[0] if ranked and ranked[0].votes else None


@dataclass
class Seat:
    """One legislative district as the power map sees it."""

    office: Office
    district: Division
    holders: list[Term]
    lean: DistrictLean | None
    last_race: RaceSummary | None
    kind: str = ""
    open_seat: bool = False

    @property
    def holder_party(self) -> str:
        parties = {party_family(t.party) for t in self.holders}
        return parties.pop() if len(parties) == 1 else ("Split" if parties else "")

    @property
    def vacancies(self) -> int:
        return max(0, self.office.seats - len(self.holders))

    @property
    def lean_points(self) -> float | None:
        return self.lean.lean if self.lean else None

    @property
    def contested(self) -> bool | None:
        return self.last_race.contested if self.last_race else None

    @property
    def last_margin(self) -> float | None:
        return self.last_race.margin if self.last_race else None

    @property
    def kind_label(self) -> str:
        return TargetKind.LABELS.get(self.kind, self.kind)


def classify_seat(*, holder_party: str, lean: float | None, contested: bool | None, ally: str = ALLY_PARTY) -> str:
    """Flip: another party holds it (or nobody does) and it leans within FLIP_WITHIN of even or our way.
    Hold: we hold it and it leans our way by less than HOLD_BELOW. Inroads: another party's seat
    within INROADS_WITHIN. Uncontested: none of those, but its last race had a single candidate —
    a seat to run someone for. Without a lean, only the uncontested test applies."""
    ours = holder_party == ally
    if lean is not None:
        if not ours and lean >= -FLIP_WITHIN:
            return TargetKind.FLIP
        if ours and lean < HOLD_BELOW:
            return TargetKind.HOLD
        if not ours and lean >= -INROADS_WITHIN:
            return TargetKind.INROADS
    if contested is False:
        return TargetKind.UNCONTESTED
    return TargetKind.SAFE if ours else TargetKind.OUT_OF_REACH


def classify_seats(seats: list[Seat], *, today: date) -> list[Seat]:
    for seat in seats:
        seat.open_seat = seat.vacancies > 0
        seat.kind = classify_seat(holder_party=seat.holder_party, lean=seat.lean_points, contested=seat.contested)
    return seats


def rank_targets(seats: list[Seat], kind: str) -> list[Seat]:
    """Flip, inroads and uncontested: the friendliest lean first, then the closest last margin.
    Hold: the most exposed (lowest lean) first."""
    chosen = [s for s in seats if s.kind == kind]

    def key(seat: Seat) -> tuple[float, float]:
        lean = seat.lean_points if seat.lean_points is not None else -999.0
        margin = seat.last_margin if seat.last_margin is not None else 999.0
        return (lean, margin) if kind == TargetKind.HOLD else (-lean, margin)

    return sorted(chosen, key=key)


@dataclass
class ChamberView:
    state: str
    chamber: str
    title: str
    seats: list[Seat]
    by_party: dict[str, int] = field(default_factory=dict)
    size: int | None = None  # the chamber's seats by the state's constitution or law (elections.chambers)

    @property
    def seats_on_record(self) -> int:
        """Seats of the offices imported: after a results file alone, only the seats that were up."""
        return sum(s.office.seats for s in self.seats)

    @property
    def total_seats(self) -> int:
        return self.size or self.seats_on_record

    @property
    def vacancies(self) -> int:
        return sum(s.vacancies for s in self.seats)

    @property
    def members_on_record(self) -> int:
        return sum(len(s.holders) for s in self.seats)

    @property
    def seats_without_record(self) -> int:
        """Seats of the chamber with no office or member imported (a vacancy the source does not list,
        or districts not in any file yet)."""
        return max(0, self.total_seats - self.members_on_record - self.vacancies)

    @property
    def majority(self) -> int:
        return self.total_seats // 2 + 1

    @property
    def ally_seats(self) -> int:
        return self.by_party.get(ALLY_PARTY, 0)

    @property
    def controlling_party(self) -> str:
        return next((p for p, n in self.by_party.items() if n >= self.majority), "No majority")

    @property
    def seats_to_flip(self) -> int:
        """Seats the ally party must gain to reach a majority (0 if it has one)."""
        return max(0, self.majority - self.ally_seats)

    @property
    def cushion(self) -> int:
        """Seats the ally party can lose and keep its majority (negative: it has none)."""
        return self.ally_seats - self.majority

    @property
    def party_bars(self) -> list[tuple[str, int, float]]:
        """(party, seats, percent of the chamber) for a seats bar, largest first, vacancies last."""
        total = self.total_seats or 1
        bars = [(p, n, 100 * n / total) for p, n in sorted(self.by_party.items(), key=lambda kv: -kv[1])]
        if self.vacancies:
            bars.append(("Vacant", self.vacancies, 100 * self.vacancies / total))
        if self.seats_without_record:
            bars.append(("Not on record", self.seats_without_record, 100 * self.seats_without_record / total))
        return bars

    @property
    def majority_percent(self) -> float:
        return 100 * self.majority / (self.total_seats or 1)

    def targets(self, kind: str) -> list[Seat]:
        return rank_targets(self.seats, kind)

    @property
    def target_groups(self) -> list[tuple[str, str, list[Seat]]]:
        return [(k, TargetKind.LABELS[k], self.targets(k)) for k in TargetKind.TARGETS]


def count_by_party(seats: list[Seat]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for seat in seats:
        for term in seat.holders:
            counts[party_family(term.party) or "Unknown"] += 1
    return dict(counts)

"""The chase list and GOTV progress: our supporters, who among them has voted, who has not yet.

A supporter is a voter whose latest support answer (1 strong us ... 5 strong them) among all contacts
recorded for them in the state is 1 or 2; a later contact that did not ask the support question does
not change it. A supporter has voted when a ballot of theirs is returned and accepted (BallotReturn).
Everything is cut to a place (voters.selectors.Workspace: a whole state, or a chapter's area), through
the voters app's area, so a leader sees the supporters living in their chapter's area and no one else.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Count, QuerySet

from groundswell.chapters.models import Chapter
from groundswell.field.models import Contact, Result, Script
from groundswell.turnout import voterdata
from groundswell.turnout.models import BallotReturn
from groundswell.voterfile.engines import Engine
from groundswell.voters.queries import VoterArea

SUPPORTER_SCORES = (1, 2)
LOOKUP_CHUNK = 2000
TOP_PRECINCTS = 30


@dataclass(frozen=True)
class Support:
    score: int
    at: datetime
    chapter_id: int | None


def support_keys(questions: Sequence[Mapping[str, Any]]) -> tuple[str, ...]:
    return tuple(str(q["key"]) for q in questions if q.get("kind") == "support")


def support_score(answers: Mapping[str, Any], keys: Sequence[str]) -> int | None:
    for key in keys:
        value = answers.get(key)
        if value is None or value == "":
            continue
        try:
            return int(value)
        except (TypeError, ValueError):
            continue
    return None


def latest_support(state: str) -> dict[str, Support]:
    """voter id -> the latest support answer recorded for them in the state (two queries)."""
    contacts = (
        Contact.objects.filter(state=state, result=Result.CONTACTED)
        .exclude(voter_id="")
        .exclude(answers={})
        .order_by("received_at", "id")
        .values_list("voter_id", "answers", "script_id", "received_at", "campaign__chapter_id")
    )
    rows = list(contacts)
    script_ids = {script_id for _, _, script_id, _, _ in rows if script_id}
    keys = {pk: support_keys(q) for pk, q in Script.objects.filter(pk__in=script_ids).values_list("pk", "questions")}
    latest: dict[str, Support] = {}
    for voter_id, answers, script_id, received_at, chapter_id in rows:
        score = support_score(answers or {}, keys.get(script_id, ("support",)))
        if score is not None:
            latest[voter_id] = Support(score, received_at, chapter_id)  # rows are in order: the last one wins
    return latest


def supporters(state: str) -> dict[str, Support]:
    return {v: s for v, s in latest_support(state).items() if s.score in SUPPORTER_SCORES}


def ballots_of(state: str, voter_ids: Iterable[str]) -> dict[str, BallotReturn]:
    """The ballot records of these voters (chunked: a chase list may hold tens of thousands)."""
    ids = sorted(set(voter_ids))
    found: dict[str, BallotReturn] = {}
    for start in range(0, len(ids), LOOKUP_CHUNK):
        chunk = ids[start : start + LOOKUP_CHUNK]
        for ballot in BallotReturn.objects.filter(state=state, voter_id__in=chunk):
            found[ballot.voter_id] = ballot
    return found


def accepted_returns(state: str) -> QuerySet[BallotReturn]:
    return BallotReturn.objects.filter(state=state, accepted=True)


@dataclass
class ChaseRow:
    voter: dict[str, Any]
    support: Support
    ballot: BallotReturn | None

    @property
    def ballot_note(self) -> str:
        if self.ballot is None:
            return "No ballot yet"
        if self.ballot.returned_on is None:
            requested = f" {self.ballot.requested_on:%b %-d}" if self.ballot.requested_on else ""
            return f"Mail ballot requested{requested}, not returned"
        return f"{self.ballot.status.title() or 'Returned'}, not accepted"


@dataclass
class Chase:
    """Supporters in the place: who has voted, who has not yet, and the progress figures."""

    supporters: int
    voted: int
    rows: list[ChaseRow]
    by_day: dict[str, Any]
    by_chapter: dict[str, Any]
    by_precinct: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    @property
    def not_yet(self) -> int:
        return self.supporters - self.voted

    @property
    def voted_percent(self) -> int:
        return round(100 * self.voted / self.supporters) if self.supporters else 0


def _returns_by_day(engine: Engine, state: str, area: VoterArea | None) -> Counter[date]:
    """Accepted ballots per day of every voter in the place (counted in the database for a whole state)."""
    returns = accepted_returns(state).exclude(returned_on=None)
    if area is None:
        counts = returns.values_list("returned_on").annotate(n=Count("id")).order_by()
        return Counter({day: n for day, n in counts})
    returned = dict(returns.values_list("voter_id", "returned_on"))
    here = voterdata.precincts_of(engine, returned, area)
    return Counter(day for voter_id, day in returned.items() if voter_id in here and day is not None)


def _by_day(ours: Iterable[date], all_: Counter[date]) -> dict[str, Any]:
    mine = Counter(ours)
    days = sorted(set(mine) | set(all_))
    return {
        "labels": [f"{d:%b %-d}" for d in days],
        "datasets": [
            {"label": "Our supporters", "data": [mine.get(d, 0) for d in days]},
            {"label": "All voters here", "data": [all_.get(d, 0) for d in days], "yAxisID": "y1"},
        ],
    }


def _split(labels: list[str], voted: Mapping[str, int], waiting: Mapping[str, int]) -> dict[str, Any]:
    return {
        "labels": labels,
        "datasets": [
            {"label": "Voted", "data": [voted.get(k, 0) for k in labels]},
            {"label": "Not yet", "data": [waiting.get(k, 0) for k in labels]},
        ],
    }


def build_chase(engine: Engine, state: str, area: VoterArea | None) -> Chase:
    """The chase list and progress of a place: a handful of queries whatever the number of supporters."""
    found = supporters(state)
    precinct_of = voterdata.precincts_of(engine, found, area)  # also the cut to the place
    inside = {v: found[v] for v in precinct_of}
    ballots = ballots_of(state, inside)
    voted = {v for v, b in ballots.items() if b.accepted}
    waiting = sorted(set(inside) - voted)
    voters = voterdata.voters_of(engine, waiting, area)
    rows = [ChaseRow(v, inside[v["voter_id"]], ballots.get(v["voter_id"])) for v in voters]
    ours = [ballots[v].returned_on for v in voted]
    return Chase(
        supporters=len(inside), voted=len(voted), rows=rows,
        by_day=_by_day([d for d in ours if d is not None], _returns_by_day(engine, state, area)),
        by_chapter=_chapters(inside, voted, chapter_names(s.chapter_id for s in inside.values())),
        by_precinct=_precincts(precinct_of, voted),
    )  # fmt: skip


def _chapters(inside: Mapping[str, Support], voted: set[str], names: Mapping[int | None, str]) -> dict[str, Any]:
    done: Counter[str] = Counter()
    waiting: Counter[str] = Counter()
    for voter_id, support in inside.items():
        label = names.get(support.chapter_id, "State campaigns")
        (done if voter_id in voted else waiting)[label] += 1
    return _split(sorted(set(done) | set(waiting)), done, waiting)


def _precincts(precinct_of: Mapping[str, str], voted: set[str]) -> dict[str, Any]:
    done: Counter[str] = Counter()
    waiting: Counter[str] = Counter()
    for voter_id, precinct in precinct_of.items():
        (done if voter_id in voted else waiting)[precinct or "?"] += 1
    # The precincts with the most supporters still to vote, where a chase shift does the most.
    top = sorted(set(done) | set(waiting), key=lambda p: (-waiting[p], -done[p], p))[:TOP_PRECINCTS]
    return _split(top, done, waiting)


def chapter_names(chapter_ids: Iterable[int | None]) -> dict[int | None, str]:
    ids = {c for c in chapter_ids if c is not None}
    return defaultdict(lambda: "State campaigns", Chapter.objects.filter(pk__in=ids).values_list("pk", "name"))

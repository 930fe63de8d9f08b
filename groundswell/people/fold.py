"""Folding facts into one owner's view of a person: plain Python over plain rows, no database.

The same rules serve every write (people/facts.py rebuilds views with them), the data migration that
first gave existing rows their owners, and the property test that checks every stored view against
a fold of its facts.

Which facts reach an owner (``reaches``): a chapter sees its own facts; a state its own and its
chapters'; national everything. Details the person shared with their chapters reach every chapter
they are a member of, and those chapters' states.

Details: each field takes its value from the latest fact (by time, then id) that gives that field,
so a form that gives only a ZIP code never blanks a street an import gave, except that the address
moves as one: a later fact giving another town, state or ZIP code leaves out the street held from
before (``overlay``).

Consent, per channel and address or number: the latest event among the owner's own events and the
grants of the owners below it. A grant given to a chapter reaches its state and national (people
joined through the chapter's form, which says so); a withdrawal binds only the owner it was given
to, so leaving a chapter's list is not leaving national's, nor the reverse. An event with no value
(recorded before consent was kept per value) speaks for every value of its channel.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

DETAIL_FIELDS = (
    "first_name", "middle_name", "last_name", "suffix", "address_line1", "address_line2", "city", "state",
    "zip_code", "birth_year",
)  # fmt: skip
EMAIL, SMS = "email", "sms"


@dataclass(frozen=True)
class OwnerInfo:
    id: int
    kind: str  # "national", "state" or "chapter"
    state: str = ""
    chapter_id: int | None = None


@dataclass(frozen=True)
class DetailRow:
    owner_id: int
    at: dt.datetime
    id: int
    values: Mapping[str, Any]
    shared: bool = False


@dataclass(frozen=True)
class ConsentRow:
    owner_id: int
    channel: str
    value: str
    granted: bool
    at: dt.datetime
    id: int
    pending: bool = False


@dataclass
class PersonFacts:
    """Everything about one person that a fold needs."""

    details: list[DetailRow] = field(default_factory=list)
    consents: list[ConsentRow] = field(default_factory=list)
    # (owner id, address or number)
    emails: list[tuple[int, str]] = field(default_factory=list)
    phones: list[tuple[int, str]] = field(default_factory=list)
    # owner id -> when the owner first and last wrote anything about the person
    seen: dict[int, tuple[dt.datetime, dt.datetime]] = field(default_factory=dict)
    member_chapter_ids: set[int] = field(default_factory=set)

    def saw(self, owner_id: int, at: dt.datetime) -> None:
        first, last = self.seen.get(owner_id, (at, at))
        self.seen[owner_id] = (min(first, at), max(last, at))


@dataclass(frozen=True)
class FoldedView:
    values: dict[str, Any]
    email_opt_in: bool
    sms_opt_in: bool
    created_at: dt.datetime
    updated_at: dt.datetime


class Owners:
    """Every owner by id, and who is above whom."""

    def __init__(self, owners: Iterable[OwnerInfo]) -> None:
        self.by_id = {o.id: o for o in owners}
        self.state_ids = {o.state: o.id for o in self.by_id.values() if o.kind == "state"}
        self.chapter_owner_ids = {o.chapter_id: o.id for o in self.by_id.values() if o.kind == "chapter"}
        self.national_id = next((o.id for o in self.by_id.values() if o.kind == "national"), None)

    def reaches(self, fact_owner_id: int, viewer_id: int) -> bool:
        """Whether a fact of ``fact_owner_id`` reaches ``viewer_id``: its own, or from below."""
        if fact_owner_id == viewer_id:
            return True
        viewer, fact_owner = self.by_id[viewer_id], self.by_id[fact_owner_id]
        if viewer.kind == "national":
            return True
        return viewer.kind == "state" and fact_owner.kind == "chapter" and fact_owner.state == viewer.state

    def viewers_of(self, owner_id: int) -> list[int]:
        """The owners that keep a view reached by this owner's facts (national keeps none: its view
        is the person record)."""
        owner = self.by_id[owner_id]
        if owner.kind == "national":
            return []
        state_id = self.state_ids.get(owner.state) if owner.kind == "chapter" else None
        return [owner_id, *([state_id] if state_id is not None else [])]

    def member_reaches(self, chapter_id: int, viewer_id: int) -> bool:
        owner_id = self.chapter_owner_ids.get(chapter_id)
        return owner_id is not None and self.reaches(owner_id, viewer_id)


def viewers_knowing(facts: PersonFacts, owners: Owners) -> set[int]:
    """The owners that have a view of this person: every owner that wrote about them or whose chapter
    they belong to, and the states above those chapters."""
    viewers: set[int] = set()
    for owner_id in facts.seen:
        viewers.update(owners.viewers_of(owner_id))
    return viewers


ADDRESS_FIELDS = ("address_line1", "address_line2", "city", "state", "zip_code")
# A different town, state or ZIP code is a move: the street held from before is nobody's address there.
_PLACE_FIELDS = ("city", "state", "zip_code")


def _same(a: Any, b: Any) -> bool:
    return str(a or "").strip().casefold() == str(b or "").strip().casefold()


def overlay(held: Mapping[str, Any], given: Mapping[str, Any]) -> dict[str, Any]:
    """``held`` with what a later fact ``given`` gives laid over it. Fields it does not give keep their
    value, except the address's: a new town, state or ZIP code drops the rest of the old address, and
    a new street drops the old second line."""
    values = dict(held)
    moved = any(n in given and n in held and not _same(given[n], held[n]) for n in _PLACE_FIELDS)
    new_street = (
        "address_line1" in given
        and "address_line1" in held
        and not _same(given["address_line1"], held["address_line1"])
    )
    for name in ADDRESS_FIELDS:
        if name not in given and (moved or (new_street and name == "address_line2")):
            values.pop(name, None)
    values.update((n, given[n]) for n in DETAIL_FIELDS if n in given)
    return values


def fold_details(rows: Iterable[DetailRow]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for row in sorted(rows, key=lambda r: (r.at, r.id)):
        values = overlay(values, row.values)
    return values


def _reaching_details(facts: PersonFacts, owners: Owners, viewer_id: int) -> list[DetailRow]:
    shares_here = any(owners.member_reaches(c, viewer_id) for c in facts.member_chapter_ids)
    return [r for r in facts.details if owners.reaches(r.owner_id, viewer_id) or (r.shared and shares_here)]


def consent_of(events: Iterable[ConsentRow], owners: Owners, viewer_id: int, channel: str, value: str) -> bool | None:
    """The effective consent for one value (None: never asked)."""
    latest: ConsentRow | None = None
    for event in events:
        if event.pending or event.channel != channel or event.value not in (value, ""):
            continue
        own = event.owner_id == viewer_id
        if not own and not (event.granted and owners.reaches(event.owner_id, viewer_id)):
            continue
        if latest is None or (event.at, event.id) > (latest.at, latest.id):
            latest = event
    return None if latest is None else latest.granted


def opted_in(facts: PersonFacts, owners: Owners, viewer_id: int, channel: str) -> bool:
    """Whether any address (or number) of the person that reaches the viewer may be written to."""
    known = facts.emails if channel == EMAIL else facts.phones
    values = {value for owner_id, value in known if owners.reaches(owner_id, viewer_id)}
    return any(consent_of(facts.consents, owners, viewer_id, channel, v) for v in values)


def fold_view(facts: PersonFacts, owners: Owners, viewer_id: int) -> FoldedView:
    seen = [span for owner_id, span in facts.seen.items() if owners.reaches(owner_id, viewer_id)]
    shared_from = [r.at for r in _reaching_details(facts, owners, viewer_id)]
    first = min([s[0] for s in seen] + shared_from)
    last = max([s[1] for s in seen] + shared_from)
    return FoldedView(
        values=fold_details(_reaching_details(facts, owners, viewer_id)),
        email_opt_in=opted_in(facts, owners, viewer_id, EMAIL),
        sms_opt_in=opted_in(facts, owners, viewer_id, SMS),
        created_at=first,
        updated_at=last,
    )

"""Universes (saved targeting queries) as validated data, compiled once to Ibis, run on any engine.

A universe is never SQL: it is a frozen dataclass built from a plain dict (``Universe.from_dict``),
checked field by field, and turned into one Ibis predicate over the ``voters`` table. The same
expression runs on DuckDB, PostgreSQL and Spark (engines.py).

Vote history: the importer keeps, per voter, a bit per general election and per primary with the
NEWEST election as bit 0 (``general_bits``/``primary_bits``). "Voted in at least N of the last M
generals" is then a sum of M bit tests on the voters table itself, with no join over 25 million
history rows. Rules about one election, a voting method or a party ballot read ``vote_history``.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import reduce
from itertools import repeat
from pathlib import Path
from typing import Any, NamedTuple

import ibis
import ibis.expr.types as ir
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from groundswell.voterfile import layouts
from groundswell.voterfile.engines import Engine

HISTORY_TYPES = ("GENERAL", "PRIMARY")
DIMENSIONS: dict[str, str] = {
    "county": "county_id",
    "county_name": "county",
    "precinct": "precinct",
    "party": "party",
    "gender": "gender",
    "status": "status",
    "race": "race",
    "ethnicity": "ethnicity",
    "age_band": "age_band",
    **{kind: column for kind, column in layouts.DISTRICT_COLUMNS.items() if kind not in {"county", "precinct"}},
}
AGE_BANDS = ((18, 24), (25, 34), (35, 44), (45, 54), (55, 64), (65, 74), (75, 200))


class UniverseError(ValueError):
    """A universe that does not make sense; the message names the field."""


def _strs(data: Mapping[str, Any], key: str, upper: bool = True) -> tuple[str, ...]:
    value = data.get(key, ())
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise UniverseError(f"{key}: expected a list of values")
    return tuple(sorted({(str(v).strip().upper() if upper else str(v).strip()) for v in value}))


def _ints(data: Mapping[str, Any], key: str) -> tuple[int, ...]:
    if isinstance(data.get(key, ()), str | bytes):
        raise UniverseError(f"{key}: expected a list of whole numbers")
    try:
        return tuple(sorted({int(v) for v in data.get(key, ())}))
    except (TypeError, ValueError):
        raise UniverseError(f"{key}: expected a list of whole numbers") from None


def _opt_int(data: Mapping[str, Any], key: str) -> int | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise UniverseError(f"{key}: expected a whole number") from None


def _opt_date(data: Mapping[str, Any], key: str) -> date | None:
    value = data.get(key)
    if value is None or value == "" or isinstance(value, date):
        return value or None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise UniverseError(f"{key}: expected a date as YYYY-MM-DD") from None


def _districts(data: Mapping[str, Any]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    value = data.get("districts", {})
    if not isinstance(value, Mapping):
        raise UniverseError("districts: expected {kind: [codes]}")
    out = []
    for kind, codes in sorted(value.items()):
        if kind not in layouts.DISTRICT_COLUMNS or kind in {"county", "precinct"}:
            raise UniverseError(f"districts: unknown kind {kind!r}; known: {', '.join(layouts.DISTRICT_COLUMNS)}")
        out.append((kind, _strs({"codes": codes}, "codes")))
    return tuple(out)


@dataclass(frozen=True)
class Area:
    """A piece of the map: any of these counties, precincts or districts (a chapter's area)."""

    counties: tuple[int, ...] = ()
    precincts: tuple[str, ...] = ()
    districts: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Area:
        area = cls(_ints(data, "counties"), _strs(data, "precincts"), _districts(data))
        if not (area.counties or area.precincts or area.districts):
            raise UniverseError("area: name at least one county, precinct or district")
        return area

    def to_dict(self) -> dict[str, Any]:
        return {
            "counties": list(self.counties),
            "precincts": list(self.precincts),
            "districts": {k: list(v) for k, v in self.districts},
        }


@dataclass(frozen=True)
class HistoryRule:
    """One vote-history condition.

    - ``at_least`` of the last ``of_last`` elections of ``election_type`` (GENERAL or PRIMARY), or
    - voted in the election on ``election_date`` (optionally by ``methods``, with ``party_ballot``);
    ``voted=False`` turns either into "did not".
    """

    election_type: str | None = None
    at_least: int | None = None
    of_last: int | None = None
    election_date: date | None = None
    methods: tuple[str, ...] = ()
    party_ballot: str | None = None
    voted: bool = True

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> HistoryRule:
        ballot = data.get("party_ballot")
        rule = cls(
            election_type=(str(data["election_type"]).upper() if data.get("election_type") else None),
            at_least=_opt_int(data, "at_least"),
            of_last=_opt_int(data, "of_last"),
            election_date=_opt_date(data, "election_date"),
            methods=_strs(data, "methods"),
            party_ballot=str(ballot).upper() if ballot else None,
            voted=bool(data.get("voted", True)),
        )
        rule.validate()
        return rule

    def validate(self) -> None:
        counting = self.at_least is not None or self.of_last is not None
        if counting == (self.election_date is not None):
            raise UniverseError("history: give either at_least/of_last or election_date")
        if counting:
            if self.election_type not in HISTORY_TYPES:
                raise UniverseError(f"history.election_type: one of {', '.join(HISTORY_TYPES)}")
            if self.at_least is None or self.of_last is None or not 1 <= self.at_least <= self.of_last <= 62:
                raise UniverseError("history: need 1 <= at_least <= of_last <= 62")
            if self.methods or self.party_ballot:
                raise UniverseError("history: methods and party_ballot apply to one election (election_date)")
        bad = [m for m in self.methods if m not in layouts.VOTING_METHODS]
        if bad:
            raise UniverseError(f"history.methods: unknown {bad}; known: {', '.join(layouts.VOTING_METHODS)}")
        if self.party_ballot and self.party_ballot not in layouts.PARTY_CODES:
            raise UniverseError(f"history.party_ballot: unknown party {self.party_ballot}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "election_type": self.election_type,
            "at_least": self.at_least,
            "of_last": self.of_last,
            "election_date": self.election_date.isoformat() if self.election_date else None,
            "methods": list(self.methods),
            "party_ballot": self.party_ballot,
            "voted": self.voted,
        }


@dataclass(frozen=True)
class Universe:
    """Who to target. Empty fields do not filter; every non-empty field must hold (AND)."""

    counties: tuple[int, ...] = ()
    precincts: tuple[str, ...] = ()
    districts: tuple[tuple[str, tuple[str, ...]], ...] = ()
    parties: tuple[str, ...] = ()
    genders: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ("A", "I")
    age_min: int | None = None
    age_max: int | None = None
    registered_after: date | None = None
    registered_before: date | None = None
    history: tuple[HistoryRule, ...] = ()
    exclude: tuple[Universe, ...] = ()
    exclude_voter_ids: tuple[str, ...] = ()
    areas: tuple[Area, ...] = field(default=())  # scoping: the voter must be inside every one of these

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        if unknown := [p for p in self.parties if p not in layouts.PARTY_CODES]:
            raise UniverseError(f"parties: unknown {unknown}; known: {', '.join(layouts.PARTY_CODES)}")
        if unknown := [s for s in self.statuses if s not in layouts.STATUS_CODES]:
            raise UniverseError(f"statuses: unknown {unknown}; known: {', '.join(layouts.STATUS_CODES)}")
        if unknown := [g for g in self.genders if g not in ("F", "M", "U")]:
            raise UniverseError(f"genders: unknown {unknown}; known: F, M, U")
        for name in ("age_min", "age_max"):
            value = getattr(self, name)
            if value is not None and not 0 <= value <= 130:
                raise UniverseError(f"{name}: between 0 and 130")
        if self.age_min is not None and self.age_max is not None and self.age_min > self.age_max:
            raise UniverseError("age_min: greater than age_max")
        if self.registered_after and self.registered_before and self.registered_after > self.registered_before:
            raise UniverseError("registered_after: later than registered_before")
        for rule in self.history:
            rule.validate()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Universe:
        known = set(cls.__dataclass_fields__)
        if unknown := sorted(set(data) - known):
            raise UniverseError(f"unknown fields: {', '.join(unknown)}")
        statuses = _strs(data, "statuses") if "statuses" in data else ("A", "I")
        return cls(
            counties=_ints(data, "counties"),
            precincts=_strs(data, "precincts"),
            districts=_districts(data),
            parties=_strs(data, "parties"),
            genders=_strs(data, "genders"),
            statuses=statuses,
            age_min=_opt_int(data, "age_min"),
            age_max=_opt_int(data, "age_max"),
            registered_after=_opt_date(data, "registered_after"),
            registered_before=_opt_date(data, "registered_before"),
            history=tuple(HistoryRule.from_dict(r) for r in data.get("history", ())),
            exclude=tuple(cls.from_dict(u) for u in data.get("exclude", ())),
            exclude_voter_ids=_strs(data, "exclude_voter_ids"),
            areas=tuple(Area.from_dict(a) for a in data.get("areas", ())),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "counties": list(self.counties),
            "precincts": list(self.precincts),
            "districts": {k: list(v) for k, v in self.districts},
            "parties": list(self.parties),
            "genders": list(self.genders),
            "statuses": list(self.statuses),
            "age_min": self.age_min,
            "age_max": self.age_max,
            "registered_after": self.registered_after.isoformat() if self.registered_after else None,
            "registered_before": self.registered_before.isoformat() if self.registered_before else None,
            "history": [r.to_dict() for r in self.history],
            "exclude": [u.to_dict() for u in self.exclude],
            "exclude_voter_ids": list(self.exclude_voter_ids),
            "areas": [a.to_dict() for a in self.areas],
        }

    def within(self, area: Area) -> Universe:
        """This universe cut to an area: how the web side keeps a chapter leader inside their chapter."""
        return Universe(**{**self.__dict__, "areas": (*self.areas, area)})


# ------------------------------------------------------------------------------------------- compiling


def _any(preds: list[ir.BooleanValue]) -> ir.BooleanValue:
    return reduce(lambda a, b: a | b, preds)


def _all(preds: list[ir.BooleanValue]) -> ir.BooleanValue | None:
    return reduce(lambda a, b: a & b, preds) if preds else None


def _area_predicate(v: ir.Table, area: Area) -> ir.BooleanValue:
    parts: list[ir.BooleanValue] = []
    if area.counties:
        parts.append(v.county_id.isin(area.counties))
    if area.precincts:
        parts.append(v.precinct.isin(area.precincts))
    for kind, codes in area.districts:
        parts.append(v[layouts.DISTRICT_COLUMNS[kind]].isin(codes))
    return _any(parts)


def _bits_at_least(bits: ir.IntegerValue, at_least: int, of_last: int) -> ir.BooleanValue:
    if at_least == 1:
        return (bits & ((1 << of_last) - 1)) != 0
    voted = [((bits & (1 << i)) != 0).cast("int32") for i in range(of_last)]
    return reduce(lambda a, b: a + b, voted) >= at_least


def _history_predicate(v: ir.Table, h: ir.Table, rule: HistoryRule) -> ir.BooleanValue:
    if rule.election_date is None:
        assert rule.at_least is not None and rule.of_last is not None
        bits = v.general_bits if rule.election_type == "GENERAL" else v.primary_bits
        pred = _bits_at_least(bits, rule.at_least, rule.of_last)
    else:
        wanted = [h.election_date == ibis.literal(rule.election_date)]
        if rule.methods:
            wanted.append(h.voting_method.isin(rule.methods))
        if rule.party_ballot:
            wanted.append(h.party_ballot == rule.party_ballot)
        pred = v.voter_id.isin(h.filter(*wanted).voter_id)
    return pred if rule.voted else ~pred


def universe_predicate(u: Universe, v: ir.Table, h: ir.Table) -> ir.BooleanValue | None:
    """The universe as one boolean expression over voters (v), reading vote history (h) if needed."""
    preds: list[ir.BooleanValue] = []
    if u.counties:
        preds.append(v.county_id.isin(u.counties))
    if u.precincts:
        preds.append(v.precinct.isin(u.precincts))
    for kind, codes in u.districts:
        preds.append(v[layouts.DISTRICT_COLUMNS[kind]].isin(codes))
    for column, values in (("party", u.parties), ("gender", u.genders), ("status", u.statuses)):
        if values:
            preds.append(v[column].isin(values))
    if u.age_min is not None:
        preds.append(v.age >= u.age_min)
    if u.age_max is not None:
        preds.append(v.age <= u.age_max)
    if u.registered_after:
        preds.append(v.registration_date >= ibis.literal(u.registered_after))
    if u.registered_before:
        preds.append(v.registration_date <= ibis.literal(u.registered_before))
    preds.extend(_history_predicate(v, h, rule) for rule in u.history)
    for other in u.exclude:
        excluded = universe_predicate(other, v, h)
        preds.append(~excluded if excluded is not None else ibis.literal(False))
    if u.exclude_voter_ids:
        preds.append(~v.voter_id.isin(u.exclude_voter_ids))
    preds.extend(_area_predicate(v, area) for area in u.areas)
    return _all(preds)


def voters_in(engine: Engine, u: Universe) -> ir.Table:
    v, h = engine.table("voters"), engine.table("vote_history")
    pred = universe_predicate(u, v, h)
    return v.filter(pred) if pred is not None else v


def _age_band(v: ir.Table) -> ir.StringValue:
    cases = [(v.age.between(low, high), f"{low}-{high}" if high < 200 else f"{low}+") for low, high in AGE_BANDS]
    return ibis.cases(*cases, else_="unknown")


# ----------------------------------------------------------------------------------------------- queries


def count(engine: Engine, u: Universe) -> int:
    if _rollup_answers(engine, u):
        return int(engine.scalar(("count", u), lambda: _rollup_in(engine, u).voters.sum().fill_null(0)))
    return int(engine.scalar(("count", u), lambda: voters_in(engine, u).count()))


def count_by(engine: Engine, u: Universe, dimensions: Sequence[str]) -> list[dict[str, Any]]:
    """Counts of the universe grouped by dimensions (see DIMENSIONS), largest first."""
    if unknown := [d for d in dimensions if d not in DIMENSIONS]:
        raise UniverseError(f"dimensions: unknown {unknown}; known: {', '.join(DIMENSIONS)}")

    def build() -> ir.Table:
        t = voters_in(engine, u)
        keys = {d: (_age_band(t) if d == "age_band" else t[DIMENSIONS[d]]) for d in dimensions}
        grouped = t.group_by(**keys).aggregate(voters=t.count())
        return grouped.order_by(ibis.desc("voters"), *dimensions)

    rows: list[dict[str, Any]] = engine.run(("count_by", u, tuple(dimensions)), build).to_pylist()
    return rows


def precinct_party_counts(engine: Engine, u: Universe | None = None) -> dict[str, dict[str, int]]:
    """For every precinct: voters by party (from the import's rollup when the universe allows). Voters
    with no precinct (a removed or denied registration, as NC writes it) are in no precinct's counts."""
    universe = u or Universe()

    def build() -> ir.Table:
        if _rollup_answers(engine, universe):
            r = _rollup_in(engine, universe)
            r = r.filter(r.precinct.notnull())
            return r.group_by("precinct", "party").aggregate(voters=r.voters.sum())
        t = voters_in(engine, universe)
        t = t.filter(t.precinct.notnull())
        return t.group_by("precinct", "party").aggregate(voters=t.count())

    table = engine.run(("precinct_party", universe), build)
    out: dict[str, dict[str, int]] = {}
    columns = (table.column(name).to_pylist() for name in ("precinct", "party", "voters"))
    for precinct, party, voters in zip(*columns, strict=True):
        out.setdefault(precinct, {})[party] = int(voters)
    return out


# The import keeps voters counted by county, precinct, party and status (``precinct_party``). A universe
# that filters on nothing else is answered from its few thousand rows instead of every voter.
ROLLUP_TABLE = "precinct_party"


def _rollup_answers(engine: Engine, u: Universe) -> bool:
    plain = Universe(counties=u.counties, precincts=u.precincts, parties=u.parties, statuses=u.statuses, areas=u.areas)
    return u == plain and not any(area.districts for area in u.areas) and engine.has_table(ROLLUP_TABLE)


def _rollup_in(engine: Engine, u: Universe) -> ir.Table:
    r = engine.table(ROLLUP_TABLE)  # county_id, precinct, party, status: the voters columns of the same names
    pred = universe_predicate(u, r, r)  # no history rule reaches here, so the history table is never read
    return r.filter(pred) if pred is not None else r


LOOKUP_FIELDS = ("last_name", "first_name", "address", "zip", "birth_year", "voter_id")  # what a lookup asks


class LookupInvalid(ValueError):
    """A lookup field that is wrong: ``field`` names it, ``message`` says what it should be."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


@dataclass(frozen=True)
class Lookup:
    """Who to look up (a quick lookup, the same on every engine): a last name, and what else the
    organizer has from a sign-in sheet or a doorstep: a first name's start, part of the street
    address, the ZIP code, the birth year; or the state's voter id alone. Letter case and extra
    spaces do not matter."""

    last_name: str
    first_name: str = ""
    address: str = ""
    zip: str = ""
    birth_year: int | None = None
    voter_id: str = ""

    @classmethod
    def from_fields(cls, data: Mapping[str, str]) -> Lookup:
        """From form fields; LookupInvalid names the field that is wrong."""

        def text(name: str) -> str:
            return " ".join(str(data.get(name) or "").split()).upper()[:80]

        last, voter_id = text("last_name"), text("voter_id").replace(" ", "")
        if not (last or voter_id):
            raise LookupInvalid("last_name", "give at least a last name (or the voter id)")
        zip_code = text("zip")
        if zip_code and not (zip_code.isdigit() and len(zip_code) <= 5):
            raise LookupInvalid("zip", "a ZIP code is up to five digits")
        year = text("birth_year")
        if year and not (year.isdigit() and 1890 <= int(year) <= 2030):
            raise LookupInvalid("birth_year", "a year such as 1971")
        return cls(last, text("first_name"), text("address"), zip_code, int(year) if year else None, voter_id)

    def as_dict(self) -> dict[str, Any]:
        found = {"last_name": self.last_name, "first_name": self.first_name, "address": self.address,
                 "zip": self.zip, "birth_year": self.birth_year, "voter_id": self.voter_id}  # fmt: skip
        return {k: v for k, v in found.items() if v}

    def predicate(self, v: ir.Table) -> ir.BooleanValue:
        pred = ibis.literal(True)
        if self.last_name:
            pred &= v.last_name.upper() == self.last_name.upper()
        if self.voter_id:
            pred &= v.voter_id == self.voter_id.upper()  # imports store ids upper-cased
        if self.first_name:
            pred &= v.first_name.upper().startswith(self.first_name.upper())
        if self.address:
            pred &= v.address.upper().contains(self.address.upper())
        if self.zip:
            pred &= v.zip.cast("string").startswith(self.zip)
        if self.birth_year is not None:
            pred &= v.birth_year == self.birth_year
        return pred


class DoorVoter(NamedTuple):
    voter_id: str
    name: str
    age: int | None
    party: str | None


class Unit(NamedTuple):
    apartment: str | None
    voters: tuple[DoorVoter, ...]


class Door(NamedTuple):
    """One building: its street side, number, and the units (apartments) behind the door."""

    street_name: str
    side: str  # "odd" or "even"
    house_number: int | None
    address: str
    units: tuple[Unit, ...]

    @property
    def voters(self) -> tuple[DoorVoter, ...]:
        return tuple(voter for unit in self.units for voter in unit.voters)


# What a walk list reads of each voter: ``walk_table`` derives the rest once the rows are fetched
WALK_COLUMNS = ("voter_id", "first_name", "last_name", "age", "party", "street_name", "house_number", "apartment",
                "address")  # fmt: skip


def walk_rows(engine: Engine, precinct: str, u: Universe | None = None) -> ir.Table:
    """The stored columns (``WALK_COLUMNS``) of one precinct's walk list, in no order."""
    universe = (u or Universe()).within(Area(precincts=(precinct,)))
    return voters_in(engine, universe).select(*WALK_COLUMNS)


def walk_table(rows: pa.Table) -> pa.Table:
    """Fetched ``walk_rows`` -> the rows of a walk list, in no order (``in_walk_order`` sorts them).

    A row is one voter: ``voter_id``, ``name``, ``age``, ``party``, then the door's ``street_name``,
    ``house_number``, ``apartment``, ``address``, ``odd`` (which side of the street) and ``along`` (the
    house number up the odd side, its negative down the even side). The name, side and place along are
    derived here by Arrow, by the rules of ``_walk_parts`` (which the engines' ORDER BY use): over a
    precinct's few thousand rows this costs a tenth of what the same expressions cost in the query.
    """
    first, last, number = rows.column("first_name"), rows.column("last_name"), rows.column("house_number")
    name = pc.coalesce(pc.binary_join_element_wise(first, last, " "), first, last, "")
    odd = pc.fill_null(pc.equal(pc.bit_wise_and(number, 1), 1), False)  # house numbers are never negative
    along = pc.if_else(odd, number, pc.negate(number))
    return pa.table({
        "voter_id": rows.column("voter_id"), "name": name, "age": rows.column("age"), "party": rows.column("party"),
        "street_name": rows.column("street_name"), "house_number": number, "apartment": rows.column("apartment"),
        "address": rows.column("address"), "odd": odd, "along": along,
    })  # fmt: skip


def _walk_parts(t: ir.Table) -> tuple[ir.BooleanValue, ir.IntegerValue, ir.StringValue]:
    """A voter row's side of the street (odd?), its place along the walk, and the name it is listed by.

    An address with no house number ("PO BOX 5", "REMOVED" for a confidential voter) has the even side,
    never a NULL side, which would leave the door with no side at all; such doors come after every
    numbered door of the precinct (``in_walk_order``, ``walk_order``), as there is nothing to walk to.
    """
    odd = (t.house_number % 2).fill_null(0) == 1
    along = ibis.ifelse(odd, t.house_number, -t.house_number)
    first, last = t.first_name, t.last_name
    name = ibis.ifelse(first.notnull() & last.notnull(), first.concat(" ", last), first.coalesce(last, ""))
    return odd, along, name


# Walk order: street by street, up the odd side then down the even, a building's units together and,
# inside a unit, voters by name; doors with no house number after all the streets. Sorted by Arrow once
# the rows are fetched, the same whichever engine fetched them (byte order, NULLs last): a few thousand
# rows sort faster there than in a SQL ORDER BY.
WALK_SORT = (("street_name", "ascending"), ("odd", "descending"), ("along", "ascending"), ("apartment", "ascending"),
             ("name", "ascending"), ("voter_id", "ascending"))  # fmt: skip


def walk_indices(table: pa.Table) -> pa.Array:
    """The order of ``walk_table``'s rows on a walk list; doors with no house number last, after every street."""
    if not table.column("house_number").null_count:  # the common precinct: no extra sort key
        return pc.sort_indices(table, sort_keys=WALK_SORT)
    keyed = table.append_column("unnumbered", pc.is_null(table.column("house_number")))
    return pc.sort_indices(keyed, sort_keys=(("unnumbered", "ascending"), *WALK_SORT))


def in_walk_order(table: pa.Table) -> pa.Table:
    """Rows of ``walk_table`` in walk order (``walk_indices``)."""
    return table.take(walk_indices(table))


def walk_order(t: ir.Table) -> list[ir.Value]:
    """Sort keys that put voter rows of any number of precincts in walk order, precinct by precinct:
    inside a precinct, the order ``in_walk_order`` gives its walk list (NULLs last on every engine)."""
    odd, along, name = _walk_parts(t)
    keys = (t.county_id, t.precinct, t.house_number.isnull(), t.street_name, odd, along, t.apartment, name, t.voter_id)
    return [ibis.desc(k, nulls_first=False) if k is odd else ibis.asc(k, nulls_first=False) for k in keys]


SIDES = ("even", "odd")  # indexed by a door's ``odd`` flag


def doors(engine: Engine, precinct: str, u: Universe | None = None) -> list[Door]:
    """One precinct's doors in walk order; the apartments of a building are grouped under its door."""
    table = walk_table(engine.run(("doors", precinct, u), lambda: walk_rows(engine, precinct, u)))
    return doors_of(table, walk_indices(table))


def doors_of(table: pa.Table, order: pa.Array | None = None) -> list[Door]:
    """Rows of ``walk_table`` -> doors, each with its units and voters; the rows are in walk order
    (``in_walk_order``) or ``order`` gives it (``walk_indices``).

    Walk order keeps a building's rows together and a unit's rows together inside it: where a building
    or a unit starts is found over whole Arrow columns, then the tuples are made by C-level ``map``
    calls (``tuple.__new__`` of the named tuple classes, slices of tuples) with no Python-level loop
    per voter or per unit. Given ``order``, only the columns read for every row are put in that order:
    a door's address is read for its first row alone.
    """
    if table.num_rows == 0:
        return []
    table = table.combine_chunks()  # one chunk per column: each column below is read once, without joining
    address = table.column("address")
    if order is not None:
        table = table.select(DOOR_ROW_COLUMNS).take(order)
    building = _changes(table, ("street_name", "odd", "house_number"))
    unit = building | _changes(table, ("apartment",))
    b_starts = np.flatnonzero(building)
    u_starts = np.flatnonzero(unit)
    u_bounds = [*u_starts.tolist(), table.num_rows]
    # which units each building holds: building starts are unit starts too, so they index u_starts
    b_units = [*np.searchsorted(u_starts, b_starts).tolist(), len(u_starts)]

    col, made = table.column, tuple.__new__
    collecting = gc.isenabled()
    gc.disable()  # only acyclic tuples are made: the cycle collector would rescan the heap for nothing
    try:
        voters = tuple(map(made, repeat(DoorVoter), zip(
            *(col(n).to_pylist() for n in ("voter_id", "name", "age", "party")), strict=True)))  # fmt: skip
        apartments = pc.take(col("apartment"), pa.array(u_starts)).to_pylist()
        unit_voters = map(voters.__getitem__, map(slice, u_bounds[:-1], u_bounds[1:]))  # slices of a tuple are tuples
        units = tuple(map(made, repeat(Unit), zip(apartments, unit_voters, strict=True)))
        firsts = pa.array(b_starts)
        streets, odds, numbers = (pc.take(col(n), firsts).to_pylist() for n in ("street_name", "odd", "house_number"))
        sides = list(map(SIDES.__getitem__, odds))
        first_rows = firsts if order is None else pc.take(order, firsts)
        addresses = _building_addresses(pc.take(address, first_rows), pc.take(col("apartment"), firsts))
        door_units = map(units.__getitem__, map(slice, b_units[:-1], b_units[1:]))
        return list(map(made, repeat(Door), zip(streets, sides, numbers, addresses, door_units, strict=True)))
    finally:
        if collecting:
            gc.enable()


# The columns of ``walk_table`` that ``doors_of`` reads for every row
DOOR_ROW_COLUMNS = ("voter_id", "name", "age", "party", "street_name", "odd", "house_number", "apartment")


# A unit at the end of a street address, read as the importer reads it: a unit word, then at most one
# word ("APT 2", "STE 100", "# 4", "APT" alone). One word only: "100 N STEWART ST APT 2" has a unit, but
# its street does not end at "STE".
_UNIT_WORDS = "|".join(layouts.UNIT_WORDS)
# "123 1/2 MAIN ST APT 2" -> "123 MAIN ST": a building's door without the unit of its first voter
BUILDING = rf"^(\d+[A-Z]?)(?:\s+\d/\d+)?\s+(.+?)(?:\s+(?:{_UNIT_WORDS})\.?\s*#?\s*[A-Z0-9-]*)?$"
# A unit word with nothing after it ("12 OAK ST APT", "9 MAIN ST #"), which the importer reads as no unit
BARE_UNIT_WORD = rf"\s(?:{_UNIT_WORDS})\.?\s*#?$"


def _building_addresses(addresses: pa.Array, apartments: pa.Array) -> list[str | None]:
    """Each door's address as titled on a walk list: the street address without a unit, where its first
    row has one or ends in a bare unit word. The capturing pattern runs (in C) over those few addresses
    only: RE2's capture groups cost over a microsecond a value, a few milliseconds over every door of a
    large precinct, where the match-only test for a bare unit word costs a tenth of that."""
    out: list[str | None] = addresses.to_pylist()
    unit = pc.or_(pc.is_valid(apartments), pc.fill_null(pc.match_substring_regex(addresses, BARE_UNIT_WORD), False))
    with_unit = np.flatnonzero(unit.to_numpy(zero_copy_only=False))
    if len(with_unit):
        bare = pc.replace_substring_regex(
            pc.take(addresses, pa.array(with_unit)), pattern=BUILDING, replacement=r"\1 \2"
        )
        for at, address in zip(with_unit.tolist(), bare.to_pylist(), strict=True):
            out[at] = address
    return out


def _changes(table: pa.Table, names: Sequence[str]) -> np.ndarray:
    """Per row, whether any of the columns differs from the row before (the first row always does).

    Compared by Arrow over whole columns (text is never turned into Python strings here); NULL is a
    value of its own: NULL after NULL is no change, NULL after a value is one.
    """
    n = table.num_rows
    changed = np.zeros(n, dtype=bool)
    changed[0] = True
    for name in names:
        column = table.column(name)
        before, after = column.slice(0, n - 1), column.slice(1)
        differs = pc.fill_null(pc.not_equal(after, before), False)
        null_flip = pc.not_equal(pc.is_null(after), pc.is_null(before))
        changed[1:] |= pc.or_(differs, null_flip).to_numpy(zero_copy_only=False)
    return changed


@dataclass(frozen=True)
class VoterList:
    """A frozen snapshot of a universe: who was in it, what it was, and when."""

    name: str
    definition: dict[str, Any]
    created_at: datetime
    engine: str
    generation: str | None
    voter_ids: tuple[str, ...]

    def save(self, path: Path) -> None:
        meta = {
            "name": self.name,
            "definition": self.definition,
            "created_at": self.created_at.isoformat(),
            "engine": self.engine,
            "generation": self.generation,
        }
        table = pa.table({"voter_id": pa.array(self.voter_ids, pa.string())})
        table = table.replace_schema_metadata({"groundswell": json.dumps(meta)})
        pq.write_table(table, path)

    @classmethod
    def load(cls, path: Path) -> VoterList:
        table = pq.read_table(path)
        meta = json.loads((table.schema.metadata or {})[b"groundswell"])
        return cls(
            name=meta["name"],
            definition=meta["definition"],
            created_at=datetime.fromisoformat(meta["created_at"]),
            engine=meta["engine"],
            generation=meta["generation"],
            voter_ids=tuple(table.column("voter_id").to_pylist()),
        )


def materialize(engine: Engine, u: Universe, name: str) -> VoterList:
    ids = engine.run(("ids", u), lambda: voters_in(engine, u).select("voter_id").order_by("voter_id"))
    return VoterList(
        name=name,
        definition=u.to_dict(),
        created_at=datetime.now(UTC),
        engine=engine.name,
        generation=engine.generation.name if engine.generation else None,
        voter_ids=tuple(ids.column("voter_id").to_pylist()),
    )

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
import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import reduce
from pathlib import Path
from typing import Any, TypeVar

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
    """For every precinct: voters by party (from the import's rollup when the universe allows)."""
    universe = u or Universe()

    def build() -> ir.Table:
        if _rollup_answers(engine, universe):
            r = _rollup_in(engine, universe)
            return r.group_by("precinct", "party").aggregate(voters=r.voters.sum())
        t = voters_in(engine, universe)
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


@dataclass(frozen=True)
class DoorVoter:
    voter_id: str
    name: str
    age: int | None
    party: str | None


@dataclass(frozen=True)
class Unit:
    apartment: str | None
    voters: tuple[DoorVoter, ...]


@dataclass(frozen=True)
class Door:
    """One building: its street side, number, and the units (apartments) behind the door."""

    street_name: str
    side: str  # "odd" or "even"
    house_number: int | None
    address: str
    units: tuple[Unit, ...]


def walk_list(engine: Engine, precinct: str, u: Universe | None = None) -> ir.Table:
    """The rows of one precinct in walk order: street by street, up the odd side then down the even."""
    universe = (u or Universe()).within(Area(precincts=(precinct,)))
    t = voters_in(engine, universe)
    odd = (t.house_number % 2) == 1
    along = ibis.ifelse(odd, t.house_number, -t.house_number)
    cols = t.select(
        "voter_id", "first_name", "last_name", "age", "party", "street_name", "house_number", "apartment", "address",
        odd=odd, along=along,
    )  # fmt: skip
    return cols.order_by(
        "street_name", ibis.desc("odd"), "along", "apartment", "last_name", "first_name", "voter_id"
    ).drop("along")


DOOR_COLUMNS = ("voter_id", "first_name", "last_name", "age", "party", "street_name", "house_number", "apartment",
                "address", "odd")  # fmt: skip


def doors(engine: Engine, precinct: str, u: Universe | None = None) -> list[Door]:
    """One precinct's doors in walk order; the apartments of a building are grouped under its door.

    Walk order keeps a building's rows together: where the street, side or number changes is found
    over whole Arrow columns, then one pass makes the objects. Thousands of small objects are made
    here: see ``_made`` and the collector note below for why it is written this way.
    """
    table = engine.run(("doors", precinct, u), lambda: walk_list(engine, precinct, u))
    starts = [*_building_starts(table), table.num_rows]
    ids, firsts, lasts, ages, parties, streets, numbers, apartments, addresses, odds = (
        table.column(name).to_pylist() for name in DOOR_COLUMNS
    )
    out: list[Door] = []
    new, put = object.__new__, object.__setattr__
    collecting = gc.isenabled()
    gc.disable()  # only acyclic objects are made: the cycle collector would rescan the heap for nothing
    try:
        voters: list[DoorVoter] = []
        for voter_id, first, last, age, party in zip(ids, firsts, lasts, ages, parties, strict=True):
            voter = new(DoorVoter)  # see _made: what DoorVoter(...) does, without its per-field lookups
            put(voter, "voter_id", voter_id)
            put(voter, "name", f"{first} {last}" if first and last else (first or last or ""))
            put(voter, "age", age)
            put(voter, "party", party)
            voters.append(voter)
        for start, end in itertools.pairwise(starts):
            units: tuple[Unit, ...]
            if end - start == 1 or apartments[start] == apartments[end - 1]:  # one unit (apartments are sorted)
                units = (_made(Unit, {"apartment": apartments[start], "voters": tuple(voters[start:end])}),)
            else:
                grouped: dict[str | None, list[DoorVoter]] = {}
                for i in range(start, end):
                    grouped.setdefault(apartments[i], []).append(voters[i])
                units = tuple(_made(Unit, {"apartment": a, "voters": tuple(vs)}) for a, vs in grouped.items())
            address = str(addresses[start])
            if apartments[start]:
                address = address.split(" APT ")[0]
            door = {
                "street_name": streets[start],
                "side": "odd" if odds[start] else "even",
                "house_number": numbers[start],
                "address": address,
                "units": units,
            }
            out.append(_made(Door, door))
    finally:
        if collecting:
            gc.enable()
    return out


def _building_starts(table: pa.Table) -> list[int]:
    """Row numbers where a building starts: the street, side or house number differs from the row before."""
    if table.num_rows == 0:
        return []
    changed = np.zeros(table.num_rows - 1, dtype=bool)
    for name, blank in (("street_name", ""), ("odd", False), ("house_number", -1)):
        column = table.column(name).combine_chunks()
        values = pc.fill_null(column, blank).to_numpy(zero_copy_only=False)
        nulls = column.is_null().to_numpy(zero_copy_only=False)
        changed |= (values[1:] != values[:-1]) | (nulls[1:] != nulls[:-1])  # NULL is its own value here
    return [0, *(np.flatnonzero(changed) + 1).tolist()]


_T = TypeVar("_T")


def _made(cls: type[_T], fields: dict[str, Any]) -> _T:
    """An instance of a frozen dataclass from all its fields: what ``cls(**fields)`` makes, faster.

    A frozen dataclass's generated __init__ looks up ``object.__setattr__`` through a global for every
    field; with thousands of doors that lookup is much of the cost. The fields go in through the same
    ``object.__setattr__`` (never through ``__dict__``, which would give every instance a dict of its
    own for the collector to walk), so the instance is the same: equal, hashable, frozen afterwards.
    ``fields`` must name every field.
    """
    made = object.__new__(cls)
    put = object.__setattr__
    for name, value in fields.items():
        put(made, name, value)
    return made


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

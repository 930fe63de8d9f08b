"""Reads of one state's voter database, always cut to an area, built on the engine's public functions.

The engine's ``Area`` names counties, precincts and districts; a chapter's area is counties, cities and
ZIP codes (chapters.ChapterArea). Cities and ZIP codes have no place in ``Area``, so ``VoterArea`` here
is the chapter's area as data, applied as one more filter on the engine's ``voters_in`` table: a voter is
inside when their county, their residential city or their ZIP code is one of the area's. Every read in
this module takes the area (None only for a whole-state view), so there is no read that forgets it.

Plain Python: no Django here, like the engine.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from groundswell.voterfile import targeting as tg
from groundswell.voterfile.engines import Engine
from groundswell.voterfile.targeting import Universe, VoterList

SAMPLE_COLUMNS = (
    "voter_id", "first_name", "middle_name", "last_name", "name_suffix", "age", "gender", "party", "status",
    "address", "city", "zip", "precinct",
)  # fmt: skip
EXPORT_COLUMNS = (
    "voter_id", "first_name", "middle_name", "last_name", "name_suffix", "birth_year", "age", "gender", "party",
    "status", "registration_date", "address", "apartment", "city", "zip", "phone", "county", "precinct",
    "precinct_name", "cong_dist", "state_senate", "state_house", "municipality", "ward",
)  # fmt: skip
# The district kinds the builder offers, with their labels (keys are the engine's district kinds).
DISTRICT_LABELS = {
    "congressional": "Congressional district",
    "state_senate": "State senate district",
    "state_house": "State house district",
    "municipality": "Municipality",
    "ward": "Ward",
    "school": "School district",
    "township": "Township",
    "county_commission": "County commission district",
}
DISTRICT_COLUMNS = {"congressional": "cong_dist", "state_senate": "state_senate", "state_house": "state_house",
                    "municipality": "municipality", "ward": "ward", "school": "school_dist", "township": "township",
                    "county_commission": "county_commission"}  # fmt: skip


def squeeze(text: str) -> str:
    """Letters and digits only, upper case: 'New Hanover' and 'NEWHANOVER' are the same county."""
    return re.sub(r"[^A-Z0-9]", "", text.upper())


@dataclass(frozen=True)
class VoterArea:
    """A chapter's area in voter-file terms: any of these county ids, squeezed city names or ZIP codes."""

    counties: tuple[int, ...] = ()
    cities: tuple[str, ...] = ()
    zips: tuple[str, ...] = ()
    label: str = field(default="", compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {"counties": list(self.counties), "cities": list(self.cities), "zips": list(self.zips)}

    @property
    def is_empty(self) -> bool:
        return not (self.counties or self.cities or self.zips)

    def predicate(self, v: ir.Table) -> ir.BooleanValue:
        if self.is_empty:
            return ibis.literal(False)  # an area that matches nothing in the file shows nothing
        parts: list[ir.BooleanValue] = []
        if self.counties:
            parts.append(v.county_id.isin(self.counties))
        if self.cities:
            # cast: a mapped file without a city or ZIP column leaves it untyped (NULL)
            parts.append(v.city.cast("string").upper().re_replace(r"[^A-Z0-9]", "").isin(self.cities))
        if self.zips:
            parts.append(v.zip.cast("string").substr(0, 5).isin(self.zips))
        result = parts[0]
        for part in parts[1:]:
            result = result | part
        return result


@dataclass(frozen=True)
class VoterQuery:
    """What to read: a universe, the area it is cut to (None: the whole state), and optionally only
    these voter ids (voters linked to tagged people)."""

    universe: Universe
    area: VoterArea | None
    only_ids: tuple[str, ...] | None = None

    def table(self, engine: Engine) -> ir.Table:
        t = tg.voters_in(engine, self.universe)
        if self.area is not None:
            t = t.filter(self.area.predicate(t))
        if self.only_ids is not None:
            t = t.filter(t.voter_id.isin(self.only_ids) if self.only_ids else ibis.literal(False))
        return t

    def as_dict(self) -> dict[str, Any]:
        return {
            "universe": self.universe.to_dict(),
            "area": self.area.to_dict() if self.area is not None else None,
            "only_ids": None if self.only_ids is None else len(self.only_ids),
        }


def resolve_area(engine: Engine, counties: Sequence[str], cities: Sequence[str], zips: Sequence[str]) -> VoterArea:
    """County names become the voter file's county ids (names compared squeezed); cities are squeezed;
    ZIP codes keep their first five digits."""
    ids: tuple[int, ...] = ()
    if counties:
        wanted = sorted({squeeze(c) for c in counties})
        v = engine.table("voters")
        expr = (
            v.filter(v.county.cast("string").upper().re_replace(r"[^A-Z0-9]", "").isin(wanted))
            .select("county_id")
            .distinct()
        )
        ids = tuple(
            sorted(int(x) for x in engine.run(("area_counties", tuple(wanted)), lambda: expr)["county_id"].to_pylist())
        )
    return VoterArea(
        counties=ids,
        cities=tuple(sorted({squeeze(c) for c in cities if squeeze(c)})),
        zips=tuple(sorted({z.strip()[:5] for z in zips if z.strip()})),
    )


def count(engine: Engine, query: VoterQuery) -> int:
    return int(engine.scalar(("gs_count", query), lambda: query.table(engine).count()))


def _age_band(t: ir.Table) -> ir.StringValue:
    cases = [(t.age.between(low, high), f"{low}-{high}" if high < 200 else f"{low}+") for low, high in tg.AGE_BANDS]
    return ibis.cases(*cases, else_="unknown")


def breakdown(engine: Engine, query: VoterQuery, dimension: str) -> list[tuple[str, int]]:
    """Voters by party, age band or gender: (value, voters), in the dimension's natural order."""
    if dimension not in ("party", "age_band", "gender"):
        raise ValueError(f"unknown dimension {dimension}")

    def build() -> ir.Table:
        t = query.table(engine)
        key = _age_band(t) if dimension == "age_band" else t[dimension].fill_null("?")
        return t.group_by(value=key).aggregate(voters=t.count()).order_by("value")

    rows = engine.run(("gs_by", dimension, query), build).to_pylist()
    pairs = [(str(r["value"]), int(r["voters"])) for r in rows]
    if dimension == "party":
        pairs.sort(key=lambda p: -p[1])
    return pairs


def sample(engine: Engine, query: VoterQuery, limit: int = 25) -> list[dict[str, Any]]:
    """The first voters of the query in walk order (see ``targeting.walk_order``): what a page shows."""

    def build() -> ir.Table:
        t = query.table(engine)
        ordered = t.order_by(tg.walk_order(t))
        return ordered.select(*SAMPLE_COLUMNS).limit(limit)

    rows: list[dict[str, Any]] = engine.run(("gs_sample", query, limit), build).to_pylist()
    return rows


def freeze(engine: Engine, query: VoterQuery, name: str) -> VoterList:
    """The query's voter ids now, with its exact definition (area included) and the generation read."""
    ids = engine.run(("gs_ids", query), lambda: query.table(engine).select("voter_id").order_by("voter_id"))
    return VoterList(
        name=name,
        definition=query.as_dict(),
        created_at=datetime.now(UTC),
        engine=engine.name,
        generation=engine.generation.name if engine.generation else None,
        voter_ids=tuple(ids.column("voter_id").to_pylist()),
    )


def _ids_table(ids: Sequence[str]) -> ir.Table:
    return ibis.memtable(pa.table({"voter_id": pa.array(list(ids), pa.string())}))


def list_rows(
    engine: Engine, ids: Sequence[str], area: VoterArea | None, *, limit: int | None = None
) -> list[dict[str, Any]]:
    """The current voter rows of a frozen list's ids (still cut to the area), in walk order."""
    v = engine.table("voters")
    t = v.semi_join(_ids_table(ids), "voter_id")
    if area is not None:
        t = t.filter(area.predicate(t))
    t = t.order_by(tg.walk_order(t))
    t = t.select(*EXPORT_COLUMNS)
    if limit is not None:
        t = t.limit(limit)
    rows: list[dict[str, Any]] = engine.backend.to_pyarrow(t).to_pylist()
    return rows


def voter_detail(engine: Engine, voter_id: str, area: VoterArea | None) -> dict[str, Any] | None:
    """One voter, if inside the area, with their vote history newest first; None otherwise."""
    v = engine.table("voters")
    t = v.filter(v.voter_id == voter_id)
    if area is not None:
        t = t.filter(area.predicate(t))
    rows = engine.backend.to_pyarrow(t.limit(1)).to_pylist()
    if not rows:
        return None
    h = engine.table("vote_history")
    history = h.filter(h.voter_id == voter_id).order_by(ibis.desc("election_date"))
    history = history.select("election_date", "election_type", "election_desc", "voting_method", "party_ballot")
    return {**rows[0], "history": engine.backend.to_pyarrow(history).to_pylist()}


LOOKUP_COLUMNS = (*SAMPLE_COLUMNS, "birth_year", "registration_date")
LOOKUP_LIMIT = 50


def lookup(engine: Engine, who: tg.Lookup, area: VoterArea | None, limit: int = LOOKUP_LIMIT) -> list[dict[str, Any]]:
    """Voters of every status matching ``who`` inside the area (None: the whole state), by name, at
    most ``limit`` of them (one more is fetched so a caller can tell there are more)."""

    def build() -> ir.Table:
        v = engine.table("voters")
        t = v.filter(who.predicate(v))
        if area is not None:
            t = t.filter(area.predicate(t))
        order = [ibis.asc(t[c], nulls_first=False) for c in ("last_name", "first_name", "birth_year", "voter_id")]
        return t.order_by(order).select(*LOOKUP_COLUMNS).limit(limit + 1)

    rows: list[dict[str, Any]] = engine.run(("gs_lookup", who, area, limit), build).to_pylist()
    return rows


@dataclass(frozen=True)
class Facets:
    """What the builder offers inside an area: its counties, precincts, districts and elections."""

    counties: list[tuple[int, str]]
    precincts: list[tuple[str, str]]
    districts: dict[str, list[str]]
    elections: list[tuple[date, str, str]]
    parties: list[str]


def facets(engine: Engine, area: VoterArea | None) -> Facets:
    v = engine.table("voters")
    inside = v.filter(area.predicate(v)) if area is not None else v

    def distinct(*columns: str) -> list[dict[str, Any]]:
        expr = inside.select(*columns).distinct().order_by(*columns)
        return list(engine.run(("gs_facet", columns, area), lambda: expr).to_pylist())

    counties = [(int(r["county_id"]), str(r["county"] or r["county_id"])) for r in distinct("county_id", "county")]
    precincts = [
        (str(r["precinct"]), str(r["precinct_name"] or r["precinct"]))
        for r in distinct("precinct", "precinct_name")
        if r["precinct"] is not None  # a removed or denied NC registration has no precinct
    ]
    districts = {}
    for kind, column in DISTRICT_COLUMNS.items():
        values = [str(r[column]) for r in distinct(column) if r[column] is not None]
        if values:
            districts[kind] = values
    parties = [str(r["party"]) for r in distinct("party") if r["party"]]
    e = engine.table("elections")
    rows = engine.run(("gs_elections",), lambda: e.order_by(ibis.desc("election_date"))).to_pylist()
    elections = [(r["election_date"], str(r["election_type"]), str(r["election_desc"] or "")) for r in rows]
    return Facets(counties, precincts, districts, elections, parties)


def batch_rejects(engine: Engine, batch_id: int, *, offset: int, limit: int) -> list[dict[str, Any]]:
    """Rejected rows of one import batch, by line (every one is kept in the generation)."""
    r = engine.table("import_rejects")
    expr = r.filter(r.batch_id == batch_id).order_by("line").limit(limit, offset=offset)
    rows: list[dict[str, Any]] = engine.backend.to_pyarrow(expr).to_pylist()
    return rows

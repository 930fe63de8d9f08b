"""The turnout app's reads of the voter file, as Ibis expressions on the engine's tables (no Django here).

Who voted in an election is the engine's ``vote_history`` (appended by each history import, one row per
voter per election); names, addresses and precincts are its ``voters``. Ids are joined as an in-memory
table (a semi-join), never as an IN (...) list, so a list of 100,000 voters compiles as fast as one of 10.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import ibis
import ibis.expr.types as ir

from groundswell.voterfile.engines import Engine
from groundswell.voterfile.targeting import walk_order
from groundswell.voters.queries import VoterArea

CHASE_COLUMNS = ("voter_id", "first_name", "last_name", "address", "city", "zip", "phone", "precinct", "age", "party")


def _ids(voter_ids: Iterable[str]) -> ir.Table:
    return ibis.memtable({"voter_id": sorted(set(voter_ids))}, schema={"voter_id": "string"})


def elections(engine: Engine) -> list[tuple[date, str, str]]:
    """The elections in the history, newest first: (date, type, description)."""
    e = engine.table("elections")
    expr = e.select("election_date", "election_type", "election_desc").order_by(ibis.desc("election_date"))
    rows = engine.backend.to_pyarrow(expr).to_pylist()
    return [(r["election_date"], str(r["election_type"]), str(r["election_desc"] or "")) for r in rows]


def voted_in(engine: Engine, voter_ids: Iterable[str], election_date: date) -> set[str]:
    """The voters among these ids with a vote in the history on that date."""
    ids = sorted(set(voter_ids))
    if not ids:
        return set()
    h = engine.table("vote_history")
    expr = h.filter(h.election_date == election_date).semi_join(_ids(ids), "voter_id").select("voter_id").distinct()
    return {str(v) for v in engine.backend.to_pyarrow(expr).column("voter_id").to_pylist()}


def _inside(engine: Engine, voter_ids: Iterable[str], area: VoterArea | None) -> ir.Table:
    v = engine.table("voters").semi_join(_ids(voter_ids), "voter_id")
    return v.filter(area.predicate(v)) if area is not None else v


def voters_of(engine: Engine, voter_ids: Iterable[str], area: VoterArea | None) -> list[dict[str, Any]]:
    """The voters among these ids inside the area (all of them for None), in walk order."""
    ids = sorted(set(voter_ids))
    if not ids:
        return []
    t = _inside(engine, ids, area)
    t = t.order_by(walk_order(t))
    rows: list[dict[str, Any]] = engine.backend.to_pyarrow(t.select(*CHASE_COLUMNS)).to_pylist()
    return rows


def precincts_of(engine: Engine, voter_ids: Iterable[str], area: VoterArea | None) -> dict[str, str]:
    """voter id -> precinct, for the voters among these ids inside the area."""
    ids = sorted(set(voter_ids))
    if not ids:
        return {}
    expr = _inside(engine, ids, area).select("voter_id", "precinct")
    return {str(r["voter_id"]): str(r["precinct"] or "") for r in engine.backend.to_pyarrow(expr).to_pylist()}

"""The field app's reads of the voter file, through the engine's public functions (no Django here).

A frozen list is a Parquet file of voter ids (``targeting.VoterList``); the names, addresses and walk
order come from the engine's current generation of the list's state.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import ibis

from groundswell.voterfile.engines import Engine
from groundswell.voterfile.targeting import Door, VoterList, doors


def list_voter_ids(path: str | Path) -> tuple[str, ...]:
    return VoterList.load(Path(path)).voter_ids


def _of_ids(engine: Engine, voter_ids: Sequence[str]) -> ibis.Table:
    # A semi-join against an in-memory table: a list of 100,000 ids would make an IN (...) too big to compile.
    ids = ibis.memtable({"voter_id": list(voter_ids)}, schema={"voter_id": "string"})
    voters = engine.table("voters")
    return voters.semi_join(ids, "voter_id")


def precincts_of(engine: Engine, voter_ids: Sequence[str]) -> list[str]:
    """The precincts the voters live in, sorted."""
    if not voter_ids:
        return []
    expr = _of_ids(engine, voter_ids).select("precinct").distinct().order_by("precinct")
    return [p for p in engine.backend.to_pyarrow(expr).column("precinct").to_pylist() if p is not None]


def walk_doors(engine: Engine, precinct: str) -> list[Door]:
    """One precinct's doors in the engine's walk order, every active or inactive voter behind them."""
    return doors(engine, precinct)


def phones_of(engine: Engine, voter_ids: Sequence[str]) -> list[dict[str, Any]]:
    """Voter id, name and phone of the voters that have a phone, by last then first name."""
    if not voter_ids:
        return []
    t = _of_ids(engine, voter_ids)
    t = t.filter(t.phone.notnull() & (t.phone != ""))
    expr = t.select("voter_id", "first_name", "last_name", "phone").order_by("last_name", "first_name", "voter_id")
    rows: list[dict[str, Any]] = engine.backend.to_pyarrow(expr).to_pylist()
    return rows

"""How many seats each state's legislative chambers have, from a table shipped with Groundswell.

A chamber's size is a fact of the state's constitution or law, not the number of seats that were on
one ballot (Delaware elects 11 of its 21 senators in a general) or the members seated today (a
vacancy is still a seat). data/chamber_sizes.csv gives each chamber's size and its source: Open
States' seated members plus listed vacancies where that is the full size, else the constitution or
statute that fixes it."""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

TABLE = Path(__file__).resolve().parent / "data" / "chamber_sizes.csv"


@lru_cache(maxsize=1)
def _sizes() -> dict[tuple[str, str], tuple[int, str]]:
    with TABLE.open(encoding="utf-8", newline="") as handle:
        return {(r["state"].upper(), r["chamber"]): (int(r["seats"]), r["source"]) for r in csv.DictReader(handle)}


def chamber_size(state: str, chamber: str) -> int | None:
    """Seats in a state's chamber ('lower', 'upper', 'legislature'), or None if the table lacks it."""
    found = _sizes().get((state.upper(), chamber))
    return found[0] if found else None


def chamber_size_source(state: str, chamber: str) -> str:
    found = _sizes().get((state.upper(), chamber))
    return found[1] if found else ""


def legislature_size(state: str) -> int | None:
    """Seats in all of a state's chambers together."""
    sizes = [n for (code, _), (n, _) in _sizes().items() if code == state.upper()]
    return sum(sizes) if sizes else None

"""Matching voters to the people we know: by name, address and birth year, with a score and reasons.

People come in as a plain Arrow table (this module hands the engine data, never Django objects); the
blocking join — same squeezed last name and same ZIP code or same birth year — runs in the voter
database through Ibis, so only plausible pairs come back. Each pair is then scored:

    first name   same 30, same initial 15          address  same house number and street 30
    ZIP code     same 15                            birth year  same 25, one off 10, further apart -40

A pair scoring AUTO_LINK or more is linked; REVIEW or more goes to the review queue. Pairs already
decided by a person (confirmed or rejected) are never proposed again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import ibis
import pyarrow as pa

from groundswell.people.dedupe import normalize_street
from groundswell.voterfile.engines import Engine
from groundswell.voters.queries import squeeze

AUTO_LINK = 85
REVIEW = 50
_HOUSE = re.compile(r"^\s*(\d+)[A-Za-z]?\s+(.*)$")
_UNIT = re.compile(r"\s+(apt|unit|ste|suite|lot|rm|#)\b.*$", re.I)


@dataclass(frozen=True)
class PersonRow:
    person_id: int
    first_name: str
    last_name: str
    address_line1: str
    zip_code: str
    birth_year: int | None


@dataclass(frozen=True)
class Proposal:
    person_id: int
    voter_id: str
    score: int
    reasons: tuple[str, ...]
    voter: dict[str, Any] = field(compare=False)


def split_address(line: str) -> tuple[int | None, str]:
    """'12 Oak Street Apt 3' -> (12, 'oak st'): the house number and the normalized street."""
    match = _HOUSE.match(line or "")
    if not match:
        return None, ""
    return int(match.group(1)), normalize_street(_UNIT.sub("", match.group(2)))


def people_table(people: Iterable[PersonRow]) -> pa.Table:
    rows = list(people)
    return pa.table({
        "person_id": pa.array([p.person_id for p in rows], pa.int64()),
        "p_last": pa.array([squeeze(p.last_name) for p in rows], pa.string()),
        "p_zip": pa.array([(p.zip_code or "")[:5] for p in rows], pa.string()),
        "p_birth_year": pa.array([p.birth_year for p in rows], pa.int64()),
    })  # fmt: skip


def candidate_pairs(engine: Engine, people: pa.Table) -> list[dict[str, Any]]:
    """Voters sharing a squeezed last name with a person, and their ZIP code or birth year."""
    p = ibis.memtable(people)
    v = engine.table("voters")
    # cast: a mapped file without a column leaves it untyped (NULL) in the voters table
    v = v.filter(v.status != "R").mutate(
        v_last=v.last_name.cast("string").upper().re_replace(r"[^A-Z0-9]", ""),
        v_zip=v.zip.cast("string").substr(0, 5),
        v_birth=v.birth_year.cast("int64"),
    )
    joined = v.join(
        p, (v.v_last == p.p_last) & ((v.v_zip == p.p_zip) | (v.v_birth == p.p_birth_year))
    ).select(
        "person_id", "voter_id", "first_name", "last_name", "house_number", "street_name", "zip", "birth_year",
        "address", "city",
    )  # fmt: skip
    rows: list[dict[str, Any]] = engine.backend.to_pyarrow(joined).to_pylist()
    return rows


def score(person: PersonRow, voter: dict[str, Any]) -> tuple[int, tuple[str, ...]]:
    points, reasons = 0, ["same last name"]
    first, v_first = squeeze(person.first_name), squeeze(voter["first_name"] or "")
    if first and first == v_first:
        points += 30
        reasons.append("same first name")
    elif first and v_first and first[0] == v_first[0]:
        points += 15
        reasons.append("same first initial")
    else:
        return 0, ("first names differ",)
    number, street = split_address(person.address_line1)
    if (
        number is not None
        and number == voter["house_number"]
        and street == normalize_street(voter["street_name"] or "")
    ):
        points += 30
        reasons.append("same street address")
    if person.zip_code and person.zip_code[:5] == (voter["zip"] or "")[:5]:
        points += 15
        reasons.append("same ZIP code")
    if person.birth_year and voter["birth_year"]:
        gap = abs(person.birth_year - int(voter["birth_year"]))
        points += 25 if gap == 0 else 10 if gap == 1 else -40
        reasons.append("same birth year" if gap == 0 else "birth year one apart" if gap == 1 else "birth years differ")
    return max(points, 0), tuple(reasons)


def propose(engine: Engine, people: list[PersonRow]) -> list[Proposal]:
    """Every pair worth linking or reviewing, best first; a person's best voter only when it stands out."""
    by_id = {p.person_id: p for p in people}
    proposals = []
    for row in candidate_pairs(engine, people_table(people)):
        points, reasons = score(by_id[row["person_id"]], row)
        if points >= REVIEW:
            voter = {k: row[k] for k in ("first_name", "last_name", "address", "city", "zip", "birth_year")}
            proposals.append(Proposal(row["person_id"], row["voter_id"], points, reasons, voter))
    proposals.sort(key=lambda p: (-p.score, p.person_id, p.voter_id))
    return proposals

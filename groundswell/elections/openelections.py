"""Reading OpenElections precinct results files, in the column variants they come in.

Columns: ``county``, a precinct column (``precinct``, ``precinct_name`` or ``election_district``),
``office``, ``district``, ``party``, ``candidate``, ``votes`` and optional vote-mode columns
(``election_day``, ``absentee``, ``provisional``, ``mail``, ``early_voting`` ...). Aggregate rows
(a "Total" precinct or candidate, registered voters, ballots cast, over/under votes) are not
candidates' precinct votes: they are skipped and counted, so no vote is counted twice."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import date
from typing import IO

from groundswell.elections.parties import normalize_party
from groundswell.geo.importing import ImportRejected, RowError

PRECINCT_COLUMNS = ("precinct", "precinct_name", "election_district")
VOTE_MODE_COLUMNS = (
    "election_day",
    "absentee",
    "provisional",
    "mail",
    "mail_in",
    "early_voting",
    "early_vote",
    "one_stop",
    "in_person",
    "polling",
    "absentee_by_mail",
)
_AGGREGATE_WORDS = {"total", "totals", "total votes", "total votes cast", "grand total", "county total", "sum"}
_TURNOUT_WORDS = {"registered voters", "ballots cast", "total ballots cast", "times cast", "voters"}
_OVER_UNDER_WORDS = {"over votes", "under votes", "overvotes", "undervotes", "blank votes", "blank", "over", "under"}
_WRITE_IN = re.compile(r"^write[- ]?ins?$|^scattered$", re.IGNORECASE)
_FILENAME = re.compile(r"(?P<date>\d{8})__(?P<state>[a-z]{2})__(?P<kind>[a-z_]+?)(?:__(?P<county>[a-z_]+?))?__precinct")


@dataclass(frozen=True)
class ResultRow:
    line: int
    county: str
    precinct: str
    office: str
    district: str
    party: str
    candidate: str
    votes: int
    votes_by_mode: dict[str, int]

    @property
    def is_write_in(self) -> bool:
        return bool(_WRITE_IN.match(self.candidate))


@dataclass
class ParsedResults:
    rows: list[ResultRow]
    skipped: dict[str, int] = field(default_factory=dict)
    mode_columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class FileFacts:
    """What an OpenElections file name says: 20201103__pa__general__allegheny__precinct.csv."""

    election_date: date
    state: str
    kind: str
    county: str


def facts_from_filename(name: str) -> FileFacts | None:
    match = _FILENAME.search(name.lower())
    if not match:
        return None
    raw = match.group("date")
    county = (match.group("county") or "").replace("_", " ").title()
    return FileFacts(date(int(raw[:4]), int(raw[4:6]), int(raw[6:])), match.group("state"), match.group("kind"), county)


def read_results(handle: IO[str], *, default_county: str = "") -> ParsedResults:
    reader = csv.DictReader(handle)
    columns = [c.strip().lower() for c in reader.fieldnames or []]
    reader.fieldnames = columns
    precinct_column = next((c for c in PRECINCT_COLUMNS if c in columns), None)
    header_errors = [
        RowError(1, c, "column missing from the header") for c in ("office", "candidate") if c not in columns
    ]
    if precinct_column is None:
        header_errors.append(RowError(1, "precinct", f"no precinct column (one of {', '.join(PRECINCT_COLUMNS)})"))
    if "votes" not in columns and not any(c in columns for c in VOTE_MODE_COLUMNS):
        header_errors.append(RowError(1, "votes", "no votes column"))
    if header_errors:
        raise ImportRejected(header_errors)
    assert precinct_column is not None
    modes = tuple(c for c in VOTE_MODE_COLUMNS if c in columns)
    parsed = ParsedResults(rows=[], mode_columns=modes)
    errors: list[RowError] = []
    first_line: dict[tuple[str, ...], int] = {}
    for line, record in enumerate(reader, start=2):
        reason = _aggregate_reason(record, precinct_column)
        if reason:
            parsed.skipped[reason] = parsed.skipped.get(reason, 0) + 1
            continue
        row = _row(line, record, precinct_column, modes, default_county, errors)
        if row is None:
            continue
        key = (
            row.county.lower(),
            row.precinct.lower(),
            row.office.lower(),
            row.district,
            row.candidate.lower(),
            row.party,
        )
        if key in first_line:
            errors.append(RowError(line, "candidate", f"same precinct, office and candidate as row {first_line[key]}"))
            continue
        first_line[key] = line
        parsed.rows.append(row)
    if errors:
        raise ImportRejected(errors)
    return parsed


def _aggregate_reason(record: dict[str, str], precinct_column: str) -> str:
    precinct = (record.get(precinct_column) or "").strip().lower()
    candidate = (record.get("candidate") or "").strip().lower()
    office = (record.get("office") or "").strip().lower()
    if precinct in _AGGREGATE_WORDS or candidate in _AGGREGATE_WORDS:
        return "total rows"
    if candidate in _TURNOUT_WORDS or office in _TURNOUT_WORDS:
        return "turnout rows"
    if candidate in _OVER_UNDER_WORDS:
        return "over/under vote rows"
    if office == "straight party":
        return "straight-party rows"
    return ""


def _row(
    line: int,
    record: dict[str, str],
    precinct_column: str,
    modes: tuple[str, ...],
    default_county: str,
    errors: list[RowError],
) -> ResultRow | None:
    before = len(errors)
    precinct = (record.get(precinct_column) or "").strip()
    if not precinct:
        errors.append(RowError(line, precinct_column, "is empty"))
    county = (record.get("county") or "").strip() or default_county
    if not county:
        errors.append(RowError(line, "county", "is empty and no county was given for the file"))
    office = (record.get("office") or "").strip()
    if not office:
        errors.append(RowError(line, "office", "is empty"))
    candidate = (record.get("candidate") or "").strip()
    if not candidate:
        errors.append(RowError(line, "candidate", "is empty"))
    by_mode: dict[str, int] = {}
    for mode in modes:
        value = _count(record.get(mode), line, mode, errors)
        if value is not None:
            by_mode[mode] = value
    votes = _count(record.get("votes"), line, "votes", errors)
    if votes is None:
        votes = sum(by_mode.values()) if by_mode else None
        if votes is None and len(errors) == before:
            errors.append(RowError(line, "votes", "is empty"))
    if len(errors) > before or votes is None:
        return None
    district = (record.get("district") or "").strip()
    return ResultRow(
        line, county, precinct, office, district, normalize_party(record.get("party") or ""), candidate, votes, by_mode
    )


def _count(raw: str | None, line: int, column: str, errors: list[RowError]) -> int | None:
    text = (raw or "").strip().replace(",", "")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        errors.append(RowError(line, column, f"{raw!r} is not a number"))
        return None
    if value < 0 or value != int(value):
        errors.append(RowError(line, column, f"{raw!r} is not a whole, non-negative count"))
        return None
    return int(value)

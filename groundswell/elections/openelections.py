"""Reading OpenElections precinct results files, in the column variants they come in.

Columns: ``county``, a precinct column (``precinct``, ``precinct_name`` or ``election_district``),
``office``, ``district``, ``party``, ``candidate``, ``votes`` and optional vote-mode columns
(``election_day``, ``absentee``, ``provisional``, ``mail``, ``early_voting`` ...). Aggregate rows
(a "Total" precinct or candidate, registered voters, ballots cast, over/under votes) are not
candidates' precinct votes: they are skipped and counted, so no vote is counted twice."""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import IO, NamedTuple

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
# The largest count a vote column holds (PostgreSQL's integer): a bigger number is a typo or a
# misread column, and it is named by its row instead of failing the whole write.
MAX_VOTES = 2_147_483_647
# Column widths of the tables a row lands in (Division.name, Office.name, Candidacy.name and party).
_MAX_LENGTHS = {"county": 150, "office": 150, "district": 40, "candidate": 200, "party": 40}
_FILENAME = re.compile(r"(?P<date>\d{8})__(?P<state>[a-z]{2})__(?P<kind>[a-z_]+?)(?:__(?P<county>[a-z_]+?))?__precinct")


class ResultRow(NamedTuple):
    """One candidate's votes in one precinct (a tuple: a county file makes tens of thousands)."""

    line: int
    county: str
    precinct: str
    office: str
    district: str
    party: str  # normalized: 'DEMOCRATIC' -> 'Democratic'
    candidate: str
    votes: int
    votes_by_mode: dict[str, int]
    party_as_written: str = ""

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
    """Rows of a results file. A file that is not UTF-8 CSV text (a spreadsheet, a zip, a PDF) is
    rejected naming the line it broke on, as is every row that cannot be used."""
    lines = _NumberedLines(handle)
    try:
        return _read_results(lines, default_county)
    except UnicodeDecodeError as exc:
        problem = f"is not UTF-8 text past line {lines.number} ({exc.reason}): save it as CSV (UTF-8)"
        raise ImportRejected([RowError(lines.number, "file", problem)]) from exc
    except csv.Error as exc:
        raise ImportRejected([RowError(lines.number, "file", f"is not CSV text ({exc})")]) from exc


class _NumberedLines:
    """The file's lines, remembering how far reading got, so that a decoding error names its line."""

    def __init__(self, handle: IO[str]) -> None:
        self.handle = handle
        self.number = 1

    def __iter__(self) -> Iterator[str]:
        for number, text in enumerate(self.handle, start=1):
            self.number = number
            yield text


def _read_results(lines: _NumberedLines, default_county: str) -> ParsedResults:
    reader = csv.DictReader(lines)
    columns = [(c or "").strip().lower() for c in reader.fieldnames or []]
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
    totals: dict[tuple[str, ...], int] = {}
    for line, record in enumerate(reader, start=2):
        reason = _aggregate_reason(record, precinct_column)
        if reason:
            parsed.skipped[reason] = parsed.skipped.get(reason, 0) + 1
            continue
        row = _row(line, record, precinct_column, modes, default_county, errors)
        if row is None:
            continue
        total_key = (row.office.lower(), row.district, row.candidate.lower(), row.party)
        totals[total_key] = totals.get(total_key, 0) + row.votes
        if totals[total_key] > MAX_VOTES:
            errors.append(RowError(line, "votes", f"brings {row.candidate}'s total past {MAX_VOTES:,} votes"))
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
    district = (record.get("district") or "").strip()
    party = " ".join((record.get("party") or "").split())
    if max(len(county), len(office), len(district), len(candidate), len(party), len(precinct)) > 40:
        values = {"county": county, "office": office, "district": district, "candidate": candidate, "party": party,
                  precinct_column: precinct}  # fmt: skip
        _check_lengths(line, values, errors)
    if len(errors) > before or votes is None:
        return None
    return ResultRow(line, county, precinct, office, district, normalize_party(party), candidate, votes, by_mode, party)


def _check_lengths(line: int, values: dict[str, str], errors: list[RowError]) -> None:
    for column, value in values.items():
        longest = _MAX_LENGTHS.get(column, 150)
        if len(value) > longest:
            errors.append(RowError(line, column, f"is {len(value)} characters long (at most {longest})"))


def _count(raw: str | None, line: int, column: str, errors: list[RowError]) -> int | None:
    text = (raw or "").strip()
    if text.isascii() and text.isdigit() and len(text) < 10:  # the common case: a plain count
        return int(text)
    text = text.replace(",", "")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        errors.append(RowError(line, column, f"{raw!r} is not a number"))
        return None
    if not math.isfinite(value) or value < 0 or value != int(value):
        errors.append(RowError(line, column, f"{raw!r} is not a whole, non-negative count"))
        return None
    if value > MAX_VOTES:
        errors.append(RowError(line, column, f"{raw!r} is more votes than any count holds (at most {MAX_VOTES:,})"))
        return None
    return int(value)

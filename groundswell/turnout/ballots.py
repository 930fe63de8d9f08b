"""Reading early-vote and absentee-ballot files: North Carolina's public file, or any CSV with its columns
chosen. Plain Python (no Django): the actions decide what to write.

Header-driven: columns are found by name (case, spaces and quotes aside), in any order, and columns we
do not use are ignored, so a state adding or reordering columns does not break the import. The columns
of North Carolina's file that we rely on are listed in ``NC_COLUMNS``; their source is in
README.md beside this module.

Rows are numbered as a spreadsheet shows them (the header is row 1). Every bad row is reported with its
row and column; the caller writes nothing when there is one.

A voter may have several rows in one file (a spoiled ballot, then a new one; a mail request, then an
early vote): the row that says the most wins (see ``_rank``).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

MAX_ERRORS_KEPT = 200
SNIFF_BYTES = 1 << 16

METHODS = ("mail", "early", "election_day", "other")  # ReturnMethod's values

# North Carolina (NCSBE absentee_<date>.csv): our name -> the file's column, and whether it must be there.
NC_COLUMNS: dict[str, tuple[str, bool]] = {
    "voter_id": ("ncid", True),
    "method": ("ballot_req_type", True),
    "returned_on": ("ballot_rtn_dt", True),
    "status": ("ballot_rtn_status", True),
    "requested_on": ("ballot_req_dt", False),
    "county": ("county_desc", False),
    "precinct": ("precinct_desc", False),
}
# Statuses that mean "this ballot counts": NC writes ACCEPTED and ACCEPTED - CURED.
DEFAULT_ACCEPTED = ("ACCEPTED", "ACCEPTED - CURED", "VOTED", "COUNTED", "RETURNED")
FILE_DATE_IN_NAME = re.compile(r"(20\d\d)[-_]?(\d\d)[-_]?(\d\d)")
DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%Y%m%d", "%m-%d-%Y", "%Y/%m/%d")


class BallotFileError(ValueError):
    """The file as a whole cannot be read (no header, a required column missing)."""


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"Row {self.row}, {self.column}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass(frozen=True)
class GenericMapping:
    """Which column of a generic file holds what. voter_id and returned_on are required; without a
    status column every row with a date counts as an accepted ballot; without a method column every
    row gets ``default_method``."""

    voter_id: str
    returned_on: str
    method: str = ""
    status: str = ""
    requested_on: str = ""
    county: str = ""
    precinct: str = ""
    default_method: str = "other"
    accepted: tuple[str, ...] = DEFAULT_ACCEPTED

    def __post_init__(self) -> None:
        if not self.voter_id.strip():
            raise BallotFileError("Say which column holds the voter id.")
        if not self.returned_on.strip():
            raise BallotFileError("Say which column holds the date the ballot was returned or cast.")
        if self.default_method not in METHODS:
            raise BallotFileError(f"The default method must be one of {', '.join(METHODS)}.")

    def columns(self) -> dict[str, tuple[str, bool]]:
        named = {
            "voter_id": (self.voter_id, True), "returned_on": (self.returned_on, True),
            "method": (self.method, True), "status": (self.status, True), "requested_on": (self.requested_on, True),
            "county": (self.county, True), "precinct": (self.precinct, True),
        }  # fmt: skip
        return {key: value for key, value in named.items() if value[0].strip()}

    def to_dict(self) -> dict[str, Any]:
        return {
            "voter_id": self.voter_id, "returned_on": self.returned_on, "method": self.method, "status": self.status,
            "requested_on": self.requested_on, "county": self.county, "precinct": self.precinct,
            "default_method": self.default_method, "accepted": list(self.accepted),
        }  # fmt: skip

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> GenericMapping:
        accepted = tuple(str(v).strip().upper() for v in data.get("accepted") or DEFAULT_ACCEPTED if str(v).strip())
        return cls(
            voter_id=str(data.get("voter_id", "")), returned_on=str(data.get("returned_on", "")),
            method=str(data.get("method", "")), status=str(data.get("status", "")),
            requested_on=str(data.get("requested_on", "")), county=str(data.get("county", "")),
            precinct=str(data.get("precinct", "")), default_method=str(data.get("default_method", "other")),
            accepted=accepted,
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class BallotRow:
    """One voter's ballot as a file states it, cleaned; compared field by field with what is stored."""

    voter_id: str
    method: str
    requested_on: date | None
    returned_on: date | None
    status: str
    accepted: bool
    county: str
    precinct: str

    def key(self) -> tuple[Any, ...]:
        return (
            self.method,
            self.requested_on,
            self.returned_on,
            self.status,
            self.accepted,
            self.county,
            self.precinct,
        )


@dataclass
class ReadResult:
    """The best row of each voter in the file, and every problem found."""

    rows: dict[str, BallotRow] = field(default_factory=dict)
    rows_read: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0

    def add_error(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(error)


def normalize_header(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.strip().strip('"').lower()).strip("_")


def detect_encoding(path: Path) -> str:
    """utf-8-sig when the whole file decodes as UTF-8, else cp1252 (which the states' exports use)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as handle:
            while block := handle.read(1 << 20):
                decoder.decode(block)
        decoder.decode(b"", final=True)  # a character cut off at the very end is not UTF-8 either
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8-sig"


def detect_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", "\t", ";", "|")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


@dataclass(frozen=True)
class CsvSource:
    path: Path
    encoding: str
    delimiter: str
    headers: list[str]

    @classmethod
    def open(cls, path: Path) -> CsvSource:
        encoding = detect_encoding(path)
        with path.open(encoding=encoding, errors="replace", newline="") as handle:
            first = handle.readline()
        if not first.strip():
            raise BallotFileError("The file is empty: its first row should name the columns.")
        delimiter = detect_delimiter(first)
        headers = next(csv.reader(io.StringIO(first), delimiter=delimiter))
        return cls(path, encoding, delimiter, [h.strip() for h in headers])

    def records(self) -> Iterator[tuple[int, list[str]]]:
        with self.path.open(encoding=self.encoding, errors="replace", newline="") as handle:
            reader = csv.reader(handle, delimiter=self.delimiter)
            next(reader, None)
            for number, record in enumerate(reader, start=2):
                if any(cell.strip() for cell in record):  # blank lines are not rows
                    yield number, record

    def positions(self, wanted: Mapping[str, tuple[str, bool]]) -> dict[str, tuple[int, str]]:
        """Our field -> (index, the file's header) for each wanted column; a missing required one is an error."""
        index = {normalize_header(h): i for i, h in reversed(list(enumerate(self.headers)))}
        found: dict[str, tuple[int, str]] = {}
        missing = []
        for name, (column, required) in wanted.items():
            at = index.get(normalize_header(column))
            if at is not None:
                found[name] = (at, self.headers[at])
            elif required:
                missing.append(column)
        if missing:
            raise BallotFileError(
                f"The file has no column {', '.join(repr(m) for m in missing)}. "
                f"Its columns are: {', '.join(self.headers[:40])}."
            )
        return found


def parse_date(text: str) -> date | None:
    """A date in any of the states' usual spellings; None for a blank; ValueError for nonsense."""
    value = text.strip()
    if not value:
        return None
    value = value.split(" ")[0].split("T")[0]  # "11/02/2024 00:00:00"
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"{text.strip()!r} is not a date (use YYYY-MM-DD or MM/DD/YYYY)")


def method_of(text: str, default: str = "other") -> str:
    """NC's ballot_req_type (MAIL, ONE-STOP, EMAIL, FAX) and the usual generic spellings."""
    value = re.sub(r"[^A-Z]", "", text.upper())
    if not value:
        return default
    if "ONESTOP" in value or "EARLY" in value or value in {"INPERSON", "EV", "E"}:
        return "early"
    if "MAIL" in value or "ABSENTEE" in value or value in {"FAX", "VBM", "A", "M"}:
        return "mail"
    if "ELECTIONDAY" in value or value in {"ED", "POLLS"}:
        return "election_day"
    return "other"


def file_date_from_name(name: str) -> date | None:
    """absentee_20241105.csv -> 2024-11-05 (the NCSBE names its daily files by date)."""
    match = FILE_DATE_IN_NAME.search(name)
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def _rank(row: BallotRow) -> tuple[bool, bool, date, date]:
    """Which of a voter's rows wins: an accepted ballot, then any returned one, then the latest."""
    return (row.accepted, row.returned_on is not None, row.returned_on or date.min, row.requested_on or date.min)


Reader = Callable[[int, list[str], ReadResult], BallotRow | None]


def _cell(record: list[str], at: tuple[int, str] | None) -> str:
    if at is None or at[0] >= len(record):
        return ""
    return record[at[0]].strip()


def _row_reader(
    positions: dict[str, tuple[int, str]], accepted: frozenset[str], default_method: str, status_known: bool
) -> Reader:
    def read(number: int, record: list[str], result: ReadResult) -> BallotRow | None:
        voter_id = _cell(record, positions["voter_id"]).upper()
        if not voter_id:
            result.add_error(RowError(number, positions["voter_id"][1], "the voter id is blank"))
            return None
        dates: dict[str, date | None] = {}
        for name in ("returned_on", "requested_on"):
            try:
                dates[name] = parse_date(_cell(record, positions.get(name)))
            except ValueError as exc:
                result.add_error(RowError(number, positions[name][1], str(exc)))
                return None
        status = _cell(record, positions.get("status")).upper()[:40]
        is_accepted = (status in accepted) if status_known else dates["returned_on"] is not None
        if is_accepted and dates["returned_on"] is None:
            column = positions["returned_on"][1]
            result.add_error(RowError(number, column, f"the ballot is {status or 'counted'} but has no date"))
            return None
        return BallotRow(
            voter_id=voter_id[:32],
            method=method_of(_cell(record, positions.get("method")), default_method),
            requested_on=dates["requested_on"],
            returned_on=dates["returned_on"],
            status=status or ("ACCEPTED" if is_accepted and not status_known else ""),
            accepted=is_accepted,
            county=_cell(record, positions.get("county")).upper()[:60],
            precinct=_cell(record, positions.get("precinct")).upper()[:80],
        )

    return read


def read_ballots(
    path: Path, layout: str, mapping: GenericMapping | None = None, *, advance: Callable[[int], None] | None = None
) -> ReadResult:
    """Read and check every row; keep each voter's best row. Raises BallotFileError for a bad file."""
    source = CsvSource.open(path)
    if layout == "nc_absentee":
        positions = source.positions(NC_COLUMNS)
        reader = _row_reader(positions, frozenset(s for s in DEFAULT_ACCEPTED if s.startswith("ACCEPTED")), "other",
                             status_known=True)  # fmt: skip
    elif layout == "generic":
        if mapping is None:
            raise BallotFileError("A generic file needs its columns chosen.")
        positions = source.positions(mapping.columns())
        reader = _row_reader(positions, frozenset(mapping.accepted), mapping.default_method, "status" in positions)
    else:
        raise BallotFileError(f"Unknown layout {layout!r}.")
    result = ReadResult()
    for number, record in source.records():
        result.rows_read += 1
        if advance is not None and result.rows_read % 1000 == 0:
            advance(1000)
        row = reader(number, record, result)
        if row is None:
            continue
        kept = result.rows.get(row.voter_id)
        if kept is None or _rank(row) >= _rank(kept):
            result.rows[row.voter_id] = row
    if advance is not None:
        advance(result.rows_read % 1000)
    return result


def count_rows(path: Path) -> int:
    return sum(1 for _ in CsvSource.open(path).records())

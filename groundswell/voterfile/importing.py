# ruff: noqa: S608  # SQL here is built from layout constants and identifiers; values go through lit() or params
"""Import voter files into a new DuckDB generation: read with explicit types, validate, merge, publish.

Reading: DuckDB's CSV reader with the layout's columns declared (text stays text: no type guessing,
so ids, ZIP codes and phone numbers keep their leading zeros), quoted or unquoted fields, a UTF-8 BOM,
Latin-1 (chosen when the start of the file is not UTF-8, or when DuckDB finds invalid UTF-8 later),
ragged rows padded with blanks, zip archives extracted first. Rows DuckDB cannot read (too many
columns, a date or number that does not parse) are captured by its reject tables with line, column
and reason; rows it reads but that break our rules (no voter id, an unknown status, a duplicate id)
are rejected by a validation pass in SQL. Every rejected row is stored with its batch, never dropped.
Voter and history files are staged in whatever order DuckDB's parallel reader finishes; when a row
was rejected, a second, in-order reading of the few columns that decide it gives each reject its
line, and a repeated voter id its first row (``_rows_in_file_order``).

All-or-nothing: everything happens in a new generation file (see store.py). If more rows are rejected
than the caller allows, or anything fails, the file is deleted and nothing changes. Otherwise the new
generation is published in one step, with an ``import_batches`` row describing where it came from.

Re-importing a newer registration file updates changed voters (``changed_batch``), marks voters who
left the file as removed (status R, ``removed_batch``) and keeps them and their history.

Speed: a new generation starts as a byte copy of the published one, so an import rewrites only the
tables it changes (a history file appends to ``vote_history`` and updates two bit columns of voters;
a voter file never touches the history). A first voter file is read, cleaned and validated in one
INSERT ... SELECT into a staging table that becomes ``voters`` in place; a first history file is read straight into
``vote_history``. History keeps one row per voter per election (voter id + election date); repeats
are found by the same GROUP BY voter that computes the vote bits, not by comparing whole rows.
``precinct_party`` (voters counted by county, precinct, party and status) is rebuilt whenever voters
change, for whole-map counts.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import threading
import zipfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal

import blake3
import duckdb

from groundswell.voterfile import layouts
from groundswell.voterfile.layouts import Layout
from groundswell.voterfile.store import VoterStore

Progress = Callable[[str, int, int], None]
FileKind = Literal["ncvoter", "ncvhis", "ohio_swvf", "mapped"]
MEMORY_LIMIT = "3GB"  # the import's DuckDB memory; the bench checks the process stays under 4 GiB
KEPT_REJECTS = 1000  # rejects returned to the caller; all of them are stored in import_rejects

# The canonical voters table, the same on every engine.
VOTER_COLUMNS: dict[str, str] = {
    "state": "VARCHAR", "voter_id": "VARCHAR", "county_id": "INTEGER", "county": "VARCHAR",
    "reg_num": "VARCHAR", "last_name": "VARCHAR", "first_name": "VARCHAR", "middle_name": "VARCHAR",
    "name_suffix": "VARCHAR", "status": "VARCHAR", "status_reason": "VARCHAR", "party": "VARCHAR",
    "race": "VARCHAR", "ethnicity": "VARCHAR", "gender": "VARCHAR", "birth_year": "INTEGER", "age": "INTEGER",
    "registration_date": "DATE", "address": "VARCHAR", "house_number": "INTEGER", "street_name": "VARCHAR",
    "apartment": "VARCHAR", "city": "VARCHAR", "zip": "VARCHAR", "phone": "VARCHAR", "precinct": "VARCHAR",
    "precinct_code": "VARCHAR", "precinct_name": "VARCHAR", "municipality": "VARCHAR", "ward": "VARCHAR",
    "cong_dist": "VARCHAR", "state_senate": "VARCHAR", "state_house": "VARCHAR",
    "county_commission": "VARCHAR", "school_dist": "VARCHAR", "township": "VARCHAR", "vtd": "VARCHAR",
    "row_hash": "BIGINT", "general_bits": "BIGINT", "primary_bits": "BIGINT",
    "first_batch": "INTEGER", "changed_batch": "INTEGER", "removed_batch": "INTEGER",
}  # fmt: skip
HISTORY_COLUMNS: dict[str, str] = {
    "voter_id": "VARCHAR", "election_date": "DATE", "election_type": "VARCHAR", "election_desc": "VARCHAR",
    "voting_method": "VARCHAR", "voting_method_raw": "VARCHAR", "party_ballot": "VARCHAR",
    "county_id": "INTEGER", "precinct": "VARCHAR", "batch_id": "INTEGER",
}  # fmt: skip
# Fields a file supplies; the rest (parsed address parts, change hash, vote bits, batches) are derived.
SOURCE_FIELDS = tuple(
    name
    for name in VOTER_COLUMNS
    if name not in {"house_number", "street_name", "row_hash", "general_bits", "primary_bits"}
    and not name.endswith("_batch")
)
WALK_ORDER = "county_id, precinct, street_name, house_number % 2, house_number, apartment"
# Columns with a value of their own for almost every voter (ids, the street address, the phone, the
# change hash) are stored uncompressed: DuckDB's dictionary and FSST analysis of millions of distinct values
# costs about a tenth of a statewide import and saves little space; the repetitive columns (names,
# codes, districts, streets) keep DuckDB's automatic choice.
UNCOMPRESSED = frozenset({"voter_id", "reg_num", "address", "phone", "row_hash"})
REJECT_COLUMNS = {"reject_column": "VARCHAR", "reject_reason": "VARCHAR"}


def voters_table_sql(name: str, *, with_rejects: bool = False) -> str:
    """CREATE TABLE for the voters table (or its staging copy, with the two reject columns)."""
    columns = {**VOTER_COLUMNS, **(REJECT_COLUMNS if with_rejects else {})}
    defs = ", ".join(
        f"{column} {kind}" + (" USING COMPRESSION uncompressed" if column in UNCOMPRESSED else "")
        for column, kind in columns.items()
    )
    return f"CREATE TABLE {name} ({defs})"


SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS import_batches (
    batch_id INTEGER PRIMARY KEY, kind VARCHAR, file_name VARCHAR, checksum VARCHAR, file_date DATE,
    file_bytes BIGINT, encoding VARCHAR, started_at TIMESTAMP, finished_at TIMESTAMP, rows_read BIGINT,
    inserted BIGINT, updated BIGINT, removed BIGINT, unchanged BIGINT, rejected BIGINT);
CREATE TABLE IF NOT EXISTS import_rejects (
    batch_id INTEGER, line BIGINT, column_name VARCHAR, reason VARCHAR, raw VARCHAR);
CREATE TABLE IF NOT EXISTS elections (
    election_date DATE, election_type VARCHAR, election_desc VARCHAR, ordinal INTEGER, voters BIGINT);
"""


@dataclass(frozen=True)
class Reject:
    line: int | None
    column: str | None
    reason: str
    raw: str | None = None


@dataclass
class ImportResult:
    batch_id: int
    kind: str
    file_name: str
    checksum: str
    rows_read: int = 0
    inserted: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejects: list[Reject] = field(default_factory=list)
    encoding: str = "utf-8"
    generation: int = 0


class UnreadableFile(ValueError):
    """The file is not one the layout can read (binary data, another layout's header, no text): the message
    says what is wrong with it. Nothing was imported."""


class ImportHeld(ValueError):
    """The file would remove or change more of what is there than the caller allows (or is much shorter
    than the last file of its kind): nothing was imported. ``result`` holds what the import would do
    (``removed``: the voters it would mark removed) and ``reasons`` says why, one sentence each."""

    def __init__(self, result: ImportResult, reasons: list[str], share: float) -> None:
        self.result, self.reasons, self.share = result, reasons, share
        super().__init__(
            f"{result.file_name} was not applied: {'; '.join(reasons)} (the limit is {share:.0%}). "
            "Nothing was imported; confirm the import to apply it."
        )


class ImportRefused(ValueError):
    """Too many rows were rejected: nothing was imported. ``result.rejects`` says which and why."""

    def __init__(self, result: ImportResult, limit: int) -> None:
        self.result = result
        first = result.rejects[0] if result.rejects else None
        where = f" First: line {first.line}, {first.column}: {first.reason}." if first else ""
        super().__init__(
            f"{result.rejected:,} of {result.rows_read:,} rows of {result.file_name} were rejected "
            f"(at most {limit:,} allowed); nothing was imported.{where}"
        )


@dataclass(frozen=True)
class ColumnMapping:
    """How any delimited file's columns become voter fields; saved as a plain dict (``to_dict``)."""

    fields: Mapping[str, str]  # voter field -> source column name
    state: str
    delimiter: str = ","
    date_format: str = "%Y-%m-%d"
    name: str = "mapped"

    def __post_init__(self) -> None:
        unknown = sorted(set(self.fields) - set(SOURCE_FIELDS))
        if unknown:
            raise ValueError(f"unknown voter fields in mapping: {', '.join(unknown)}")
        if "voter_id" not in self.fields:
            raise ValueError("a column mapping must say which column holds the voter id (voter_id)")

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "fields": dict(self.fields)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ColumnMapping:
        return cls(
            fields=dict(data["fields"]),
            state=str(data["state"]),
            delimiter=str(data.get("delimiter", ",")),
            date_format=str(data.get("date_format", "%Y-%m-%d")),
            name=str(data.get("name", "mapped")),
        )


def q(name: str) -> str:
    """A quoted SQL identifier (Ohio's election columns contain '-' and '/')."""
    return '"' + name.replace('"', '""') + '"'


def lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _trimmed(col: str) -> str:
    """trim(col), calling trim only where it can change something.

    DuckDB's trim() strips Unicode space separators and costs about 50 ns a value: most of the
    import's own work beside the parse. A value needs it only if it starts or ends with a space or
    has any non-ASCII character (the other space separators are non-ASCII); the rest pass unchanged.
    """
    c = q(col)
    guard = f"prefix({c}, ' ') OR suffix({c}, ' ') OR {c} >= chr(128) OR strlen({c}) <> length({c})"
    return f"CASE WHEN {guard} THEN trim({c}) ELSE {c} END"


def _text(col: str) -> str:
    return f"nullif({_trimmed(col)}, '')"


def _upper(col: str) -> str:
    return f"nullif(upper({_trimmed(col)}), '')"


# "001-" ... "999-": a precinct key starts with its county number, padded to three digits. Looked up in
# a constant list rather than formatted per row (lpad of a cast costs about as much as reading the field).
COUNTY_PREFIXES = "[" + ", ".join(f"'{n:03d}-'" for n in range(1000)) + "]"


def county_prefix(county: str) -> str:
    """'<county number, at least 3 digits>-' for an INTEGER county column."""
    c = q(county)
    return f"CASE WHEN {c} BETWEEN 0 AND 999 THEN {COUNTY_PREFIXES}[{c} + 1] ELSE {c}::VARCHAR || '-' END"


def nc_voter_fields() -> dict[str, str]:
    status = f"upper({_trimmed('status_cd')})"
    return {
        "state": "'NC'",
        "voter_id": _upper("ncid"),
        "county_id": "county_id",
        "county": _upper("county_desc"),
        "reg_num": _text("voter_reg_num"),
        "last_name": _text("last_name"),
        "first_name": _text("first_name"),
        "middle_name": _text("middle_name"),
        "name_suffix": _text("name_suffix_lbl"),
        "status": status,
        "status_reason": _text("voter_status_reason_desc"),
        "party": f"coalesce({_upper('party_cd')}, 'UNA')",
        "race": _upper("race_code"),
        "ethnicity": _upper("ethnic_code"),
        "gender": _upper("gender_code"),
        "birth_year": "birth_year",
        "age": "age_at_year_end",
        "registration_date": "registr_dt",
        "address": _upper("res_street_address"),
        "apartment": "NULL",
        "city": _upper("res_city_desc"),
        "zip": _text("zip_code"),
        "phone": _text("full_phone_number"),
        "precinct": f"{county_prefix('county_id')} || {_upper('precinct_abbrv')}",
        "precinct_code": _upper("precinct_abbrv"),
        "precinct_name": _text("precinct_desc"),
        "municipality": _upper("municipality_abbrv"),
        "ward": _upper("ward_abbrv"),
        "cong_dist": _upper("cong_dist_abbrv"),
        "state_senate": _upper("nc_senate_abbrv"),
        "state_house": _upper("nc_house_abbrv"),
        "county_commission": _upper("county_commiss_abbrv"),
        "school_dist": _upper("school_dist_abbrv"),
        "township": _upper("township_abbrv"),
        "vtd": _upper("vtd_abbrv"),
    }


def _case_map(expr: str, mapping: Mapping[str, str], default: str) -> str:
    whens = " ".join(f"WHEN {lit(k)} THEN {lit(v)}" for k, v in mapping.items())
    return f"CASE {expr} {whens} ELSE {default} END"


def ohio_voter_fields(file_date: date) -> dict[str, str]:
    party = _case_map("coalesce(upper(trim(PARTY_AFFILIATION)), '')", layouts.OHIO_PARTY_TO_PARTY, "'UNA'")
    status = _case_map("upper(trim(VOTER_STATUS))", layouts.OHIO_STATUS_TO_STATUS, "upper(trim(VOTER_STATUS))")
    counties = "[" + ", ".join(lit(name) for name in layouts.OHIO_COUNTIES) + "][COUNTY_NUMBER]"
    return {
        "state": "'OH'",
        "voter_id": _upper("SOS_VOTERID"),
        "county_id": "COUNTY_NUMBER",
        "county": counties,
        "reg_num": _text("COUNTY_ID"),
        "last_name": _text("LAST_NAME"),
        "first_name": _text("FIRST_NAME"),
        "middle_name": _text("MIDDLE_NAME"),
        "name_suffix": _text("SUFFIX"),
        "status": status,
        "status_reason": "NULL",
        "party": party,
        "race": "NULL",
        "ethnicity": "NULL",
        "gender": "NULL",
        "birth_year": "year(DATE_OF_BIRTH)",
        "age": f"date_diff('year', DATE_OF_BIRTH, DATE {lit(file_date.isoformat())})",
        "registration_date": "REGISTRATION_DATE",
        "address": _upper("RESIDENTIAL_ADDRESS1"),
        "apartment": _upper("RESIDENTIAL_SECONDARY_ADDR"),
        "city": _upper("RESIDENTIAL_CITY"),
        "zip": _text("RESIDENTIAL_ZIP"),
        "phone": "NULL",
        "precinct": f"{county_prefix('COUNTY_NUMBER')} || {_upper('PRECINCT_CODE')}",
        "precinct_code": _upper("PRECINCT_CODE"),
        "precinct_name": _text("PRECINCT_NAME"),
        "municipality": _upper("CITY"),
        "ward": _upper("WARD"),
        "cong_dist": _upper("CONGRESSIONAL_DISTRICT"),
        "state_senate": _upper("STATE_SENATE_DISTRICT"),
        "state_house": _upper("STATE_REPRESENTATIVE_DISTRICT"),
        "county_commission": "NULL",
        "school_dist": _upper("LOCAL_SCHOOL_DISTRICT"),
        "township": _upper("TOWNSHIP"),
        "vtd": "NULL",
    }


def mapped_voter_fields(mapping: ColumnMapping) -> dict[str, str]:
    fields = {name: "NULL" for name in SOURCE_FIELDS}
    for name, column in mapping.fields.items():
        kind = VOTER_COLUMNS[name]
        fields[name] = q(column) if kind != "VARCHAR" else _upper(column)
    fields["state"] = lit(mapping.state.upper())
    if "status" not in mapping.fields:  # a list without statuses lists registered (active) voters
        fields["status"] = "'A'"
    if "party" in mapping.fields:
        fields["party"] = f"coalesce({fields['party']}, 'UNA')"
    if "precinct" in mapping.fields and "county_id" in mapping.fields:
        fields["precinct"] = f"{county_prefix(mapping.fields['county_id'])} || {fields['precinct']}"
    fields["precinct_code"] = fields["precinct_code"] if "precinct_code" in mapping.fields else fields["precinct"]
    return fields


# house number, half, street, unit: "3317 SHILOH WAY APT 2", "12B ELM ST # 4", "700 W MAIN ST STE 100",
# "123 1/2 MAIN ST" (a half-numbered house beside 123), "12 OAK ST APT" (a unit word with no unit)
UNIT_WORDS = layouts.UNIT_WORDS
ADDRESS_PATTERN = (
    r"^(\d+)[A-Z]?(?:\s+(\d/\d+))?\s+(.+?)"
    rf"(?:\s+({'|'.join(UNIT_WORDS)})\.?\s*#?\s*([A-Z0-9-]*))?$"
)
ADDRESS_PARTS = ["num", "half", "street", "kind", "unit"]  # ADDRESS_PATTERN's groups
# Most addresses are "<number> <street>" with no unit: two match-only patterns (RE2's fast automaton,
# no capture groups) and a '/' test pick those out, and plain string functions split them exactly as
# ADDRESS_PATTERN would. Capturing groups with a lazy repeat cost RE2 several times more per value, so
# only the rest (units, halves, odd shapes) go through ADDRESS_PATTERN itself.
PLAIN_ADDRESS = r"\d+[A-Z]? \S.*"
UNIT_WORD = rf"\s(?:{'|'.join(UNIT_WORDS)})"


def address_parts_sql(address: str) -> str:
    """STRUCT(num, half, street, kind, unit) of an upper-cased street address; '' where a part is absent."""
    plain = (
        f"regexp_full_match({address}, {lit(PLAIN_ADDRESS)}) AND NOT regexp_matches({address}, {lit(UNIT_WORD)}) "
        f"AND NOT contains({address}, '/')"
    )
    split = (
        f"{{'num': regexp_extract({address}, '^\\d+'), 'half': '', "
        f"'street': substr({address}, instr({address}, ' ') + 1), 'kind': '', 'unit': ''}}"
    )
    names = ", ".join(lit(name) for name in ADDRESS_PARTS)
    return f"CASE WHEN {plain} THEN {split} ELSE regexp_extract({address}, {lit(ADDRESS_PATTERN)}, [{names}]) END"


def address_unit_sql(parts: str) -> str:
    """The unit of ``address_parts_sql``'s struct as a walk list shows it, NULL for none: "APT 2", "STE 100",
    "#4", "1/2" for a half-numbered house, "1/2 APT 2"; a unit word with nothing after it is no unit."""
    kind, unit = f"{parts}.kind", f"{parts}.unit"
    unit = f"CASE WHEN {unit} <> '' THEN {kind} || CASE WHEN {kind} = '#' THEN '' ELSE ' ' END || {unit} END"
    return f"nullif(concat_ws(' ', nullif({parts}.half, ''), {unit}), '')"


def _voter_select(fields: Mapping[str, str], source: str, batch_id: int) -> str:
    """SELECT the canonical voter columns, plus the reason a row breaks our rules, from a source.

    Every voters column comes out of this one pass, the batch columns included, so a first import
    turns this table into ``voters`` by deleting its rejects and dropping the two reason columns.
    """
    exprs = ",\n  ".join(f"{expr} AS {name}" for name, expr in fields.items())
    statuses = ", ".join(lit(code) for code in layouts.STATUS_CODES)
    unplaced = ", ".join(lit(code) for code in layouts.NO_PRECINCT_STATUSES)  # kept without a precinct
    parsed, unit = address_parts_sql("address"), address_unit_sql("p")
    hashed = ", ".join(name for name in SOURCE_FIELDS)
    return f"""
WITH src AS NOT MATERIALIZED (SELECT {exprs} FROM {source}),
parsed AS NOT MATERIALIZED (SELECT *, {parsed} AS p FROM src)
SELECT * EXCLUDE (p, street_name, apartment, house_number_text),
  TRY_CAST(house_number_text AS INTEGER) AS house_number,
  street_name,
  apartment,
  (hash({hashed}) >> 1)::BIGINT AS row_hash,
  0::BIGINT AS general_bits, 0::BIGINT AS primary_bits, {batch_id}::INTEGER AS first_batch,
  {batch_id}::INTEGER AS changed_batch, NULL::INTEGER AS removed_batch,
  CASE WHEN voter_id IS NULL THEN 'voter id' WHEN coalesce(status, '') NOT IN ({statuses}) THEN 'status'
       WHEN county_id IS NULL THEN 'county'
       WHEN precinct IS NULL AND status NOT IN ({unplaced}) THEN 'precinct' END AS reject_column,
  CASE WHEN voter_id IS NULL THEN 'missing voter id'
       WHEN coalesce(status, '') NOT IN ({statuses}) THEN 'unknown status code ' || coalesce(status, '(blank)')
       WHEN county_id IS NULL THEN 'missing county'
       WHEN precinct IS NULL AND status NOT IN ({unplaced}) THEN 'missing precinct' END AS reject_reason
FROM (SELECT * EXCLUDE (apartment),
        nullif(p.num, '') AS house_number_text,
        coalesce(nullif(p.street, ''), address) AS street_name,
        coalesce(apartment, {unit}) AS apartment
      FROM parsed)
"""


# ---------------------------------------------------------------------------------------------- reading


CHECKSUM = "blake3"  # the algorithm named in front of every stored checksum: "blake3:<64 hex digits>"


def checksum_of(path: Path) -> str:
    """The file's BLAKE3 checksum, "blake3:<hex>" (the hex digits are what ``b3sum`` prints).

    A cryptographic hash like SHA-256, about three times cheaper per byte here (a statewide history
    file of 4.5 GB: 1.9 s of CPU against 4.8 s). It runs on a thread beside DuckDB's reading threads,
    on a two-core machine, so its CPU comes out of the import's: one thread (the library's default),
    the GIL released, the file read in blocks into one reused buffer. Not mapped into memory: the
    mapped pages of a 4.5 GB file would count in the import's resident memory.
    """
    digest = blake3.blake3(max_threads=1)
    block = bytearray(1 << 22)
    view = memoryview(block)
    with open(path, "rb", buffering=0) as handle:
        while size := handle.readinto(block):
            digest.update(view[:size])
    return f"{CHECKSUM}:{digest.hexdigest()}"


@contextmanager
def opened_source(path: Path, workdir: Path, member: str | None = None) -> Iterator[tuple[Path, str]]:
    """The readable text file and its display name; zip archives are extracted to a temporary file."""
    if not zipfile.is_zipfile(path):
        yield path, path.name
        return
    with zipfile.ZipFile(path) as archive:
        names = [n for n in archive.namelist() if not n.endswith("/")]
        chosen = member or (names[0] if len(names) == 1 else None)
        if chosen is None or chosen not in names:
            raise ValueError(f"{path.name} holds {len(names)} files ({', '.join(names[:5])}); say which to import")
        with tempfile.TemporaryDirectory(dir=workdir) as tmp:
            target = Path(tmp) / Path(chosen).name
            with archive.open(chosen) as src, open(target, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 22)
            yield target, f"{path.name}!{chosen}"


KIND_NAMES = {
    "ncvoter": "a North Carolina voter registration file (ncvoter)",
    "ncvhis": "a North Carolina voter history file (ncvhis)",
    "ohio_swvf": "an Ohio statewide voter file (SWVF)",
    "mapped": "a delimited file through its column mapping",
}
NC_LAYOUTS = {"ncvoter": layouts.NCVOTER, "ncvhis": layouts.NCVHIS}


def _kind_name(kind: str) -> str:
    return KIND_NAMES.get(kind, kind)


def _plain(exc: Exception) -> str:
    """The first line of a reader's error without its class ("Invalid Input Error: ..."), for a person."""
    first = str(exc).strip().split("\n")[0]
    return re.sub(r"^[A-Za-z ]*(Error|Exception): ", "", first)


def check_readable(path: Path, display_name: str, kind: str, mapping: ColumnMapping | None = None) -> None:
    """Raise UnreadableFile when the file cannot be the kind asked for: empty, binary, or (an NC layout)
    a header that is not the layout's. Reading is by position, so another header would misread every row."""
    with open(path, "rb") as handle:
        head = handle.read(1 << 20)
    if not head.strip():
        raise UnreadableFile(f"{display_name} is empty: there is no header and no rows to read")
    if (nul := head.find(b"\x00")) >= 0:
        raise UnreadableFile(
            f"{display_name} is not a text file (byte {nul + 1:,} is a NUL byte, which no delimited text holds): "
            f"give {_kind_name(kind)} as published, delimited text or a zip of it"
        )
    layout = NC_LAYOUTS.get(kind)
    if layout is not None:
        _check_header(read_header(path, layout.delimiter, guess_encoding(path)), layout, display_name, kind)


def _check_header(header: list[str], layout: Layout, display_name: str, kind: str) -> None:
    got = [name.lower() for name in header]
    while got and not got[-1]:
        got.pop()
    if tuple(got) == layout.columns:
        return
    for number, (found, expected) in enumerate(zip(got, layout.columns, strict=False), start=1):
        if found != expected:
            shown = found if len(found) <= 40 else found[:40] + "…"
            raise UnreadableFile(
                f"{display_name} is not {_kind_name(kind)}: column {number} of its header is {shown!r} "
                f"where the layout has {expected!r}"
            )
    raise UnreadableFile(
        f"{display_name} is not {_kind_name(kind)}: its header has {len(got)} columns where the layout has "
        f"{len(layout.columns)}"
    )


def guess_encoding(path: Path) -> str:
    """utf-8 unless the first megabyte is not valid UTF-8 (then Latin-1, which decodes any byte)."""
    with open(path, "rb") as handle:
        head = handle.read(1 << 20)
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(head) - 4:  # not just a character cut at the end of the sample
            return "latin-1"
    return "utf-8"


def read_header(path: Path, delimiter: str, encoding: str) -> list[str]:
    with open(path, encoding="utf-8-sig" if encoding == "utf-8" else encoding, newline="") as handle:
        first = handle.readline().rstrip("\r\n")
    return [part.strip().strip('"') for part in first.split(delimiter)]


def read_csv_sql(path: Path, layout: Layout, encoding: str, rejects: str) -> str:
    """read_csv with every column declared: nothing is sniffed, and bad rows go to the rejects tables."""
    columns = ", ".join(f"{lit(name)}: {lit(kind)}" for name, kind in layout.column_types().items())
    return (
        f"read_csv({lit(str(path))}, auto_detect = false, header = true, delim = {lit(layout.delimiter)}, "
        f"quote = '\"', escape = '\"', columns = {{{columns}}}, dateformat = {lit(layout.date_format)}, "
        f"null_padding = true, ignore_errors = true, store_rejects = true, "
        f"rejects_table = {lit(rejects + '_errors')}, rejects_scan = {lit(rejects + '_scans')}, "
        f"encoding = {lit(encoding)}, max_line_size = 1048576)"
    )


# DuckDB's words for a value that does not convert: 'Could not convert string "99999999999" to 'INTEGER''
UNCONVERTED = re.compile(r'Could not convert string "(.*)" to')
INTEGER_RANGE = "a whole number from -2,147,483,648 to 2,147,483,647"


def cast_reason(value: str | None, kind: str | None, date_format: str) -> str | None:
    """Why a value does not fit its column, in the words of the layout (None: not known)."""
    if value is None or kind not in ("INTEGER", "DATE"):
        return None
    shown = value if len(value) <= 40 else value[:40] + "…"
    if kind == "INTEGER":
        return f"not a valid value: {shown!r} is not {INTEGER_RANGE}"
    written = date_format.replace("%m", "MM").replace("%d", "DD").replace("%Y", "YYYY")
    return f"not a valid value: {shown!r} is not a date written {written}"


def csv_rejects(con: duckdb.DuckDBPyConnection, rejects: str, layout: Layout | None = None) -> list[Reject]:
    types: dict[str, str] = dict(layout.column_types()) if layout else {}
    rows = con.execute(
        f"SELECT line, column_name, error_type, error_message, csv_line FROM {rejects}_errors ORDER BY line"
    ).fetchall()
    out: list[Reject] = []
    for line, column, kind, message, raw in rows:
        reason = {
            "TOO MANY COLUMNS": "too many fields",
            "INVALID ENCODING": "not valid text in this encoding",
            "CAST": "not a valid value",
            "UNQUOTED VALUE": "badly quoted field",
        }.get(kind, kind.lower())
        detail = str(message).split("\n")[0]
        found = UNCONVERTED.search(detail) if kind == "CAST" else None
        plain = (
            cast_reason(found.group(1) if found else None, types.get(column), layout.date_format) if layout else None
        )
        out.append(Reject(int(line), column, plain or f"{reason}: {detail}", raw))
    return out


def line_numbers(row_indexes: list[int], rejected_lines: list[int], header_lines: int = 1) -> list[int]:
    """File line of each loaded row (0-based, in file order), skipping the lines DuckDB rejected.

    Assumes one line per record (true of these layouts); a field with an embedded newline would
    shift the numbers after it.
    """
    out = []
    skipped = sorted(rejected_lines)
    for row in row_indexes:
        line = row + header_lines + 1
        for bad in skipped:
            if bad <= line:
                line += 1
            else:
                break
        out.append(line)
    return out


# --------------------------------------------------------------------------------------------- importing


@dataclass
class Batch:
    """One import in progress: its connection to the new generation, the old one attached as prev."""

    con: duckdb.DuckDBPyConnection
    batch_id: int
    has_prev: bool
    result: ImportResult
    progress: Progress | None
    rejects: list[Reject] = field(default_factory=list)
    max_rejected_share: float = 0.01
    # The destructive-change guard: None applies whatever the file says; a share stops the import
    # (ImportHeld) before it removes or changes more than that share of the voters there.
    max_change_share: float | None = None

    def step(self, phase: str, done: int, total: int) -> None:
        if self.progress:
            self.progress(phase, done, total)

    def has(self, table: str) -> bool:
        """Whether the new generation holds the table (copied forward or made by this import)."""
        sql = "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() AND table_name = ?"
        row = self.con.execute(sql, [table]).fetchone()
        return bool(row and row[0])

    def prev_has(self, table: str) -> bool:
        if not self.has_prev:
            return False
        sql = "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'prev' AND table_name = ?"
        row = self.con.execute(sql, [table]).fetchone()
        return bool(row and row[0])


def import_file(
    store: VoterStore,
    path: Path | str,
    kind: FileKind,
    *,
    mapping: ColumnMapping | None = None,
    file_date: date | None = None,
    encoding: str = "auto",
    member: str | None = None,
    max_rejected_share: float = 0.01,
    max_change_share: float | None = None,
    progress: Progress | None = None,
    lock_timeout: float = 0.0,
) -> ImportResult:
    """Import one file as one batch, into a new generation published only if the whole batch is good.

    With ``max_change_share``, a file that would mark removed, or change, more than that share of the
    voters there, or that has that share fewer rows than the last file of its kind, raises ImportHeld
    and nothing changes (the guard against a truncated or wrong file emptying a state)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no file at {path}")
    if kind == "mapped" and mapping is None:
        raise ValueError("a mapped import needs a column mapping")
    with store.writer_lock(lock_timeout):
        previous, number = store.current(), store.current_number() + 1
        target = store.generation_path(number)
        target.unlink(missing_ok=True)
        try:
            shares = (max_rejected_share, max_change_share)
            result = _build_generation(
                store, target, previous, path, kind, mapping, file_date, encoding, member, shares, progress
            )
        except BaseException:
            target.unlink(missing_ok=True)
            Path(str(target) + ".wal").unlink(missing_ok=True)
            raise
        store.publish(target)
        result.generation = number
        return result


def _build_generation(
    store: VoterStore,
    target: Path,
    previous: Path | None,
    path: Path,
    kind: FileKind,
    mapping: ColumnMapping | None,
    file_date: date | None,
    encoding: str,
    member: str | None,
    shares: tuple[float, float | None],
    progress: Progress | None,
) -> ImportResult:
    started = datetime.now(UTC).replace(tzinfo=None)
    if previous is not None:
        # Copy forward: the new generation starts as a byte copy of the published one, so the tables
        # this import does not change (history under a voter file, voters under a history file,
        # provenance) are kept without being read and written again row by row. The original stays
        # attached read-only as ``prev`` for the merges that compare old and new.
        shutil.copyfile(previous, target)
    con = duckdb.connect(str(target), config={"memory_limit": MEMORY_LIMIT, "preserve_insertion_order": True})
    try:
        con.execute(f"SET temp_directory = {lit(str(store.path.parent / 'duckdb_tmp'))}")
        if previous is not None:
            con.execute(f"ATTACH {lit(str(previous))} AS prev (READ_ONLY)")
        con.execute(SCHEMA_SQL)
        _upgrade_schema(con)
        batch_id = _next_batch_id(con, previous is not None)
        with opened_source(path, store.path.parent, member) as (text_path, display_name):
            checksum: dict[str, str] = {}
            hasher = threading.Thread(target=lambda: checksum.update(value=checksum_of(path)), daemon=True)
            hasher.start()
            result = ImportResult(batch_id, kind, display_name, "")
            batch = Batch(con, batch_id, previous is not None, result, progress, [], *shares)
            when = file_date or date.fromtimestamp(path.stat().st_mtime)
            batch.step("read", 0, 1)
            try:
                check_readable(text_path, display_name, kind, mapping)
                _import_kind(batch, text_path, kind, mapping, when, encoding)
            except duckdb.Error as exc:
                raise UnreadableFile(f"{display_name} could not be read as {_kind_name(kind)}: {_plain(exc)}") from exc
            finally:
                hasher.join()
            result.checksum = checksum["value"]
        _check_rejects(batch)
        _store_rejects(batch)
        _record_batch(batch, kind, when, path.stat().st_size, started)
        con.execute("CHECKPOINT")
        batch.step("done", 1, 1)
        result.rejects = batch.rejects[:KEPT_REJECTS]
        return result
    finally:
        con.close()


def _upgrade_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Bring tables copied from a generation written by an earlier release up to this schema.

    Earlier releases kept each batch's SHA-256 in a ``sha256`` column: it becomes ``checksum``, its
    values marked "sha256:" so they are never mistaken for BLAKE3 checksums.
    """
    sql = """SELECT count(*) FROM duckdb_columns() WHERE database_name = current_database()
             AND table_name = 'import_batches' AND column_name = 'sha256'"""
    row = con.execute(sql).fetchone()
    if row and row[0]:
        con.execute("ALTER TABLE import_batches RENAME COLUMN sha256 TO checksum")
        con.execute("UPDATE import_batches SET checksum = 'sha256:' || checksum WHERE checksum <> ''")


def _next_batch_id(con: duckdb.DuckDBPyConnection, has_prev: bool) -> int:
    if not has_prev:
        return 1
    row = con.execute("SELECT coalesce(max(batch_id), 0) + 1 FROM prev.import_batches").fetchone()
    return int(row[0]) if row else 1


def _import_kind(
    batch: Batch, path: Path, kind: FileKind, mapping: ColumnMapping | None, when: date, encoding: str
) -> None:
    chosen = guess_encoding(path) if encoding == "auto" else encoding
    batch.result.encoding = chosen
    if kind == "ncvoter":
        _load_voters(batch, path, layouts.NCVOTER, nc_voter_fields(), chosen, encoding == "auto")
        _copy_history(batch)
        if batch.prev_has("vote_history") and not batch.prev_has("voters"):
            _refresh_bits(batch)  # history came first: give the new voters their bits
    elif kind == "ncvhis":
        _copy_voters(batch, history_changes=True)
        _load_nc_history(batch, path, chosen, encoding == "auto")
    elif kind == "ohio_swvf":
        layout = layouts.ohio_layout(read_header(path, ",", chosen))
        elections = layout.columns[len(layouts.OHIO_FIXED_COLUMNS) :]
        _load_voters(batch, path, layout, ohio_voter_fields(when), chosen, encoding == "auto", elections)
        _load_ohio_history(batch, layout)
    else:
        assert mapping is not None
        header = read_header(path, mapping.delimiter, chosen)
        missing = sorted(set(mapping.fields.values()) - set(header))
        if missing:
            raise ValueError(f"{path.name} has no column {', '.join(missing)} named in the mapping")
        typed: dict[str, layouts.ColumnType] = {}
        for name, column in mapping.fields.items():
            if VOTER_COLUMNS[name] in ("INTEGER", "DATE"):
                typed[column] = "INTEGER" if VOTER_COLUMNS[name] == "INTEGER" else "DATE"
        layout = Layout(mapping.name, tuple(header), typed, mapping.delimiter, mapping.date_format, "")
        _load_voters(batch, path, layout, mapped_voter_fields(mapping), chosen, encoding == "auto")
        _copy_history(batch)
    _refresh_rollup(batch, voters_changed=kind != "ncvhis")
    _refresh_elections(batch)


def _read_staged(
    batch: Batch,
    path: Path,
    layout: Layout,
    select: Callable[[str], str],
    encoding: str,
    auto: bool,
    table: str = "stage",
    create: str | None = None,
) -> None:
    """Fill table ``table`` from the file (made by ``create``, else as the SELECT's result); retried as
    Latin-1 when DuckDB finds the file is not UTF-8."""
    con = batch.con
    for attempt, enc in enumerate([encoding, "latin-1"]):
        rejects = f"rejects_{attempt}"
        query = select(read_csv_sql(path, layout, enc, rejects))
        if create is None:
            con.execute(f"CREATE OR REPLACE TABLE {table} AS {query}")
        else:
            con.execute(f"DROP TABLE IF EXISTS {table}")
            con.execute(create)
            con.execute(f"INSERT INTO {table} BY NAME {query}")
        found = csv_rejects(con, rejects, layout)
        bad_text = any("encoding" in r.reason for r in found)
        if not (bad_text and auto and enc == "utf-8"):
            batch.result.encoding = enc
            batch.rejects.extend(found)
            return
        con.execute(f"DROP TABLE {table}")


def _load_voters(
    batch: Batch,
    path: Path,
    layout: Layout,
    fields: dict[str, str],
    encoding: str,
    auto: bool,
    keep_cells: tuple[str, ...] = (),
) -> None:
    con = batch.con
    with _insertion_order(con, keep=False):  # rows in any order: _reject_in_file_order finds their lines
        if keep_cells:  # Ohio: read the whole row once, then voters and their election cells from it
            _read_staged(batch, path, layout, lambda source: f"SELECT * FROM {source}", encoding, auto, table="raw")
        else:
            select = lambda source: _voter_select(fields, source, batch.batch_id)  # noqa: E731
            create = voters_table_sql("stage", with_rejects=True)
            _read_staged(batch, path, layout, select, encoding, auto, create=create)
    if keep_cells:  # in raw's order, for the POSITIONAL JOIN below
        con.execute(voters_table_sql("stage", with_rejects=True))
        con.execute(f"INSERT INTO stage BY NAME {_voter_select(fields, 'raw', batch.batch_id)}")
    read_lines = [r.line for r in batch.rejects if r.line is not None]
    batch.step("validate", 0, 1)
    _reject_in_file_order(batch, path, layout, fields, read_lines)
    row = con.execute("SELECT count(*) FROM stage").fetchone()
    batch.result.rows_read = (int(row[0]) if row else 0) + len(read_lines)
    _check_rejects(batch)  # before the merge: a refused file reports no voters as new or removed
    held = _length_reasons(batch)
    if keep_cells:
        cells = ", ".join(f"r.{q(c)}" for c in keep_cells)
        con.execute(f"""CREATE TEMP TABLE ohio_cells AS SELECT s.voter_id, s.county_id, s.precinct, {cells}
                        FROM raw r POSITIONAL JOIN stage s WHERE s.reject_reason IS NULL""")
        con.execute("DROP TABLE raw")
    batch.step("merge", 0, 1)
    _merge_voters(batch, held)


@contextmanager
def _insertion_order(con: duckdb.DuckDBPyConnection, keep: bool) -> Iterator[None]:
    """Run the statements inside with DuckDB keeping (or free to change) the order rows arrive in."""
    con.execute(f"SET preserve_insertion_order = {str(keep).lower()}")
    try:
        yield
    finally:
        con.execute("SET preserve_insertion_order = true")


def _rows_in_file_order(
    batch: Batch,
    path: Path,
    layout: Layout,
    select: Callable[[str], str],
    columns: str,
    where: str,
    read_lines: list[int],
) -> list[tuple[int, tuple[Any, ...]]]:
    """(line, row) of ``columns`` of the select's rows matching ``where``, read again from the file in order.

    A stage table read in no particular order (about a sixth faster at statewide size) no longer
    tells a row's line by its position: this second reading keeps the file's order and, selecting a
    few columns, reads only those (DuckDB's reader skips the rest). Rows the first reading could not
    parse are left out by line: a bad date in a column the second reading skips does not reject the
    row there.
    """
    con = batch.con
    rejects = "rejects_in_order"
    source = read_csv_sql(path, layout, batch.result.encoding, rejects)
    with _insertion_order(con, keep=True):
        con.execute(f"CREATE TEMP TABLE file_rows AS SELECT {columns} FROM ({select(source)})")
    found = con.execute(f"SELECT rowid, * FROM file_rows WHERE {where} ORDER BY rowid").fetchall()
    con.execute("DROP TABLE file_rows")
    skipped = [r.line for r in csv_rejects(con, rejects, layout) if r.line is not None]
    first_read_rejected = set(read_lines)
    lines = line_numbers([int(r[0]) for r in found], skipped)
    return [(line, r[1:]) for line, r in zip(lines, found, strict=True) if line not in first_read_rejected]


def _reject_in_file_order(
    batch: Batch, path: Path, layout: Layout, fields: Mapping[str, str], read_lines: list[int]
) -> None:
    """Duplicate ids and the rejected rows' lines, for a stage table read in no particular order.

    A clean file needs neither. Otherwise the file is read once more, in order (``_rows_in_file_order``),
    for the few columns that decide a reject (the voter id, status, county and precinct: about a sixth
    of the first reading), plus each row's change hash when some id repeats, to tell which staged row
    is the first of its id (about two fifths).
    """
    con = batch.con
    con.execute("""
        CREATE TEMP TABLE repeated_ids AS
        SELECT voter_id FROM stage WHERE voter_id IS NOT NULL GROUP BY voter_id HAVING count(*) > 1""")
    repeats = _count(con, "repeated_ids")
    rule_rejects = _count(con, "stage WHERE reject_reason IS NOT NULL")
    if repeats == 0 and rule_rejects == 0:
        con.execute("DROP TABLE repeated_ids")
        return
    rows = _rows_in_file_order(
        batch, path, layout, lambda source: _voter_select(fields, source, 0),
        "voter_id, reject_column, reject_reason, " + ("row_hash" if repeats else "NULL AS row_hash"),
        "reject_reason IS NOT NULL OR voter_id IN (SELECT voter_id FROM repeated_ids)", read_lines,
    )  # fmt: skip
    firsts: dict[str, Any] = {}  # voter id -> the change hash of its first row, None if that row is a reject
    found: list[Reject] = []
    repeated = 0  # of found, the rows that repeat an id
    for line, (voter_id, column, reason, row_hash) in rows:
        if reason is not None:
            found.append(Reject(line, column, reason, f"voter id {voter_id}"))
        if voter_id is None or not repeats:
            continue
        if voter_id not in firsts:
            firsts[voter_id] = None if reason is not None else row_hash
        elif reason is None:
            found.append(Reject(line, "voter id", f"duplicate voter id {voter_id}", f"voter id {voter_id}"))
            repeated += 1
    con.execute("CREATE TEMP TABLE first_rows (voter_id VARCHAR, row_hash BIGINT)")
    kept = [(voter_id, row_hash) for voter_id, row_hash in firsts.items() if row_hash is not None]
    if kept:
        con.executemany("INSERT INTO first_rows VALUES (?, ?)", kept)
    # of an id's rows, the one matching its first row's content stays; every other unrejected row is a repeat
    row = con.execute("""
        UPDATE stage SET reject_column = 'voter id', reject_reason = 'duplicate voter id ' || voter_id
        WHERE reject_reason IS NULL AND voter_id IN (SELECT voter_id FROM repeated_ids)
          AND rowid NOT IN (
              SELECT min(s.rowid) FROM stage s JOIN first_rows f USING (voter_id)
              WHERE s.reject_reason IS NULL AND s.row_hash = f.row_hash GROUP BY s.voter_id)""").fetchone()
    marked = int(row[0]) if row else 0
    con.execute("DROP TABLE repeated_ids")
    con.execute("DROP TABLE first_rows")
    _check_second_reading(path, len(found) - repeated, rule_rejects)
    _check_second_reading(path, repeated, marked)
    batch.rejects.extend(found)


def _check_second_reading(path: Path, found: int, expected: int) -> None:
    if found != expected:
        raise RuntimeError(
            f"reading {path.name} in order found {found} rejected rows where the first reading found {expected}"
        )


# Each election a voter took part in is one bit of a 128-bit integer (HUGEINT, or a BIGINT for up to 62
# dates; 126 keeps clear of the sign bit): fewer bits set than rows means the voter has a repeated election.
MAX_ELECTIONS_AS_BITS = 126


def _bits_sql(batch: Batch) -> str:
    """Per voter, a bit per general and per primary, newest election = bit 0 (see targeting.py)."""
    if not batch.prev_has("vote_history"):
        return "SELECT NULL::VARCHAR AS voter_id, 0::BIGINT AS general_bits, 0::BIGINT AS primary_bits LIMIT 0"
    return _bits_from("prev.vote_history")


def _bits_from(history: str, repeats: bool = False, dates: int = MAX_ELECTIONS_AS_BITS) -> str:
    """Per voter, the vote bits; with ``repeats``, also whether a (voter, election) key appears twice
    (counted with a bit per election date: at most MAX_ELECTIONS_AS_BITS dates), else ``repeats`` false.

    Every bit a history row can set comes from one small table of its elections (one row per date and
    type), joined once: the pass over the history is a single join and a single GROUP BY voter. A
    history of at most 62 election ``dates`` (every file seen so far) counts its dates in a BIGINT,
    which the GROUP BY folds faster than a HUGEINT.
    """
    kind = "BIGINT" if dates <= 62 else "HUGEINT"
    date_bit = f"(1::{kind} << (dense_rank() OVER (ORDER BY election_date) - 1)::INTEGER)" if repeats else "0"
    repeated = "bit_count(bit_or(e.date_bit)) < count(*)" if repeats else "false"
    return f"""
        WITH kinds AS (SELECT DISTINCT election_date, election_type FROM {history}),
        numbered AS (
            SELECT election_date, election_type, {date_bit}::{kind} AS date_bit,
                   row_number() OVER (PARTITION BY election_type ORDER BY election_date DESC) - 1 AS ordinal
            FROM kinds),
        e AS (
            SELECT election_date, election_type, date_bit,
                   CASE WHEN election_type = 'GENERAL' AND ordinal < 63 THEN 1::BIGINT << ordinal ELSE 0 END
                       AS general_bit,
                   CASE WHEN election_type = 'PRIMARY' AND ordinal < 63 THEN 1::BIGINT << ordinal ELSE 0 END
                       AS primary_bit
            FROM numbered)
        SELECT h.voter_id, bit_or(e.general_bit)::BIGINT AS general_bits,
               bit_or(e.primary_bit)::BIGINT AS primary_bits, {repeated} AS repeats
        FROM {history} h JOIN e USING (election_date, election_type)
        GROUP BY h.voter_id"""


def _merge_voters(batch: Batch, held: list[str]) -> None:
    """Build voters from the valid staged rows and the previous generation, sorted in walk order; first
    hold the import (ImportHeld) for ``held`` and for what the guard finds it would remove or change."""
    con, b = batch.con, batch.batch_id
    cols = [c for c in VOTER_COLUMNS]
    plain = [
        c for c in cols if c not in {"general_bits", "primary_bits", "first_batch", "changed_batch", "removed_batch"}
    ]
    if not batch.prev_has("voters"):
        # The first import keeps the staged order and turns the staging table into the voters table in
        # place instead of copying it: this is most of its speed. The staged order is the file's within
        # each of DuckDB's reading threads (the states write their files grouped by county and precinct,
        # which the targeting queries' min/max pruning uses; with the threads' pieces interleaved, a
        # precinct falls in two or three row groups instead of one). A re-import writes walk order.
        # Deleting marks rows; dropping a column drops its segments: neither rewrites the table.
        batch.result.inserted = _count(con, "stage WHERE reject_reason IS NULL")
        _hold(batch, held)
        con.execute("DELETE FROM stage WHERE reject_reason IS NOT NULL")
        for name in ("reject_column", "reject_reason"):
            con.execute(f"ALTER TABLE stage DROP COLUMN {name}")
        con.execute("ALTER TABLE stage RENAME TO voters")
        batch.result.inserted = _count(con, "voters")
        return
    else:
        s_cols = ", ".join(f"s.{c}" for c in plain)
        o_cols = ", ".join(f"o.{c}" if c != "status" else "'R' AS status" for c in plain)
        con.execute("""
            CREATE TEMP TABLE kept AS SELECT voter_id, row_hash, removed_batch FROM prev.voters""")
        counts = con.execute("""
            SELECT count(*) FILTER (WHERE o.voter_id IS NULL),
                   count(*) FILTER (WHERE o.voter_id IS NOT NULL
                                    AND (o.row_hash <> s.row_hash OR o.removed_batch IS NOT NULL)),
                   count(*) FILTER (WHERE o.voter_id IS NOT NULL
                                    AND o.row_hash = s.row_hash AND o.removed_batch IS NULL)
            FROM stage s LEFT JOIN kept o USING (voter_id) WHERE s.reject_reason IS NULL""").fetchone()
        assert counts is not None
        batch.result.inserted, batch.result.updated, batch.result.unchanged = (int(x) for x in counts)
        _hold(batch, held + _change_reasons(batch))
        con.execute("DROP TABLE IF EXISTS voters")  # the copy carried forward; the merge reads prev.voters
        con.execute(voters_table_sql("voters"))
        con.execute(f"""
            INSERT INTO voters BY NAME
            WITH bits AS ({_bits_sql(batch)}),
            s AS (SELECT * FROM stage WHERE reject_reason IS NULL),
            incoming AS (
                SELECT {s_cols}, coalesce(bits.general_bits, 0) AS general_bits,
                       coalesce(bits.primary_bits, 0) AS primary_bits,
                       coalesce(o.first_batch, {b}) AS first_batch,
                       CASE WHEN o.voter_id IS NULL OR o.row_hash <> s.row_hash OR o.removed_batch IS NOT NULL
                            THEN {b} ELSE o.changed_batch END AS changed_batch,
                       NULL::INTEGER AS removed_batch
                FROM s LEFT JOIN prev.voters o USING (voter_id) LEFT JOIN bits USING (voter_id)),
            departed AS (
                SELECT {o_cols}, o.general_bits, o.primary_bits, o.first_batch,
                       CASE WHEN o.removed_batch IS NULL THEN {b} ELSE o.changed_batch END AS changed_batch,
                       coalesce(o.removed_batch, {b}) AS removed_batch
                FROM prev.voters o ANTI JOIN s USING (voter_id))
            SELECT * FROM incoming UNION ALL SELECT * FROM departed ORDER BY {WALK_ORDER}""")
        row = con.execute(f"SELECT count(*) FROM voters WHERE removed_batch = {b}").fetchone()
        batch.result.removed = int(row[0]) if row else 0
    con.execute("DROP TABLE stage")


def _change_reasons(batch: Batch) -> list[str]:
    """The guard's reasons about what a re-import would do to the voters there (not already removed)."""
    share = batch.max_change_share
    if share is None:
        return []
    row = batch.con.execute("""
        SELECT count(*), count(*) FILTER (WHERE s.voter_id IS NULL)
        FROM kept o LEFT JOIN (SELECT voter_id FROM stage WHERE reject_reason IS NULL) s USING (voter_id)
        WHERE o.removed_batch IS NULL""").fetchone()
    there, leaving = (int(x) for x in row) if row else (0, 0)
    batch.result.removed = leaving
    reasons = []
    if leaving > there * share:
        reasons.append(f"this file would mark {leaving:,} of {there:,} voters removed")
    if batch.result.updated > there * share:
        reasons.append(f"it would change {batch.result.updated:,} of {there:,} voters")
    return reasons


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(row[0]) if row else 0


def _empty_history(con: duckdb.DuckDBPyConnection) -> None:
    cols = ", ".join(f"{name} {kind}" for name, kind in HISTORY_COLUMNS.items())
    con.execute(f"CREATE TABLE IF NOT EXISTS vote_history ({cols})")


def _copy_history(batch: Batch) -> None:
    """The history of the previous generation: already in the copied file, or none yet."""
    if not batch.has("vote_history"):
        _empty_history(batch.con)


def _copy_voters(batch: Batch, history_changes: bool) -> None:
    """The voters of the previous generation, unchanged (their vote bits are refreshed after history)."""
    if not batch.has("voters"):
        batch.con.execute(voters_table_sql("voters"))


# NC's most common voting_method labels, matched whole before the general rules below (a comparison
# costs a fraction of the LIKE chain); test_importing checks each agrees with the general rules.
COMMON_METHODS = {
    "IN-PERSON": "ELECTION_DAY",
    "ABSENTEE ONESTOP": "EARLY",
    "EARLY VOTING IN-PERSON": "EARLY",
    "ABSENTEE BY MAIL": "ABSENTEE",
    "PROVISIONAL": "PROVISIONAL",
}


def voting_method_sql(raw: str, common: bool = True) -> str:
    """NC's voting_method labels (old and new) as ELECTION_DAY, EARLY, ABSENTEE, PROVISIONAL or OTHER."""
    rules = f"""CASE
        WHEN {raw} IS NULL THEN NULL
        WHEN {raw} LIKE '%ONESTOP%' OR {raw} LIKE '%ONE STOP%' OR {raw} LIKE '%EARLY%' THEN 'EARLY'
        WHEN {raw} LIKE '%PROVISIONAL%' THEN 'PROVISIONAL'
        WHEN {raw} LIKE '%ABSENTEE%' OR {raw} LIKE '%MAIL%' THEN 'ABSENTEE'
        WHEN {raw} LIKE '%IN-PERSON%' OR {raw} LIKE '%IN PERSON%' OR {raw} LIKE '%ELECTION DAY%' THEN 'ELECTION_DAY'
        ELSE 'OTHER' END"""
    if not common:
        return rules
    return _case_map(raw, COMMON_METHODS, rules)


def election_type_sql(desc: str) -> str:
    """GENERAL, PRIMARY, MUNICIPAL, SPECIAL or OTHER from an election's description, in any case.

    Descriptions are almost always upper case already: those are matched as they are, and only the
    rest pay for upper-casing."""
    rules = "".join(
        f"WHEN upper({desc}) LIKE '%{kind}%' THEN '{kind}' " for kind in ("GENERAL", "PRIMARY", "MUNICIPAL", "SPECIAL")
    )
    return (
        f"CASE WHEN contains({desc}, 'GENERAL') THEN 'GENERAL' WHEN contains({desc}, 'PRIMARY') THEN 'PRIMARY' "
        f"{rules}ELSE 'OTHER' END"
    )


def _load_nc_history(batch: Batch, path: Path, encoding: str, auto: bool) -> None:
    con, b = batch.con, batch.batch_id

    def select(source: str) -> str:
        return f"""
            SELECT voter_id, election_date, election_type, election_desc,
                   {voting_method_sql("voting_method_raw")} AS voting_method, voting_method_raw,
                   CASE WHEN election_type = 'PRIMARY' THEN voted_party END AS party_ballot, county_id, precinct,
                   {b} AS batch_id,
                   CASE WHEN voter_id IS NULL THEN 'ncid' WHEN election_date IS NULL THEN 'election_lbl' END
                       AS reject_column,
                   CASE WHEN voter_id IS NULL THEN 'missing voter id'
                        WHEN election_date IS NULL THEN 'missing election date' END AS reject_reason
            FROM (SELECT *, {election_type_sql("election_desc")} AS election_type FROM (
                  SELECT {_upper("ncid")} AS voter_id, election_lbl AS election_date,
                         {_text("election_desc")} AS election_desc, {_upper("voting_method")} AS voting_method_raw,
                         {_upper("voted_party_cd")} AS voted_party, county_id,
                         {county_prefix("county_id")} || upper({_trimmed("pct_label")}) AS precinct
                  FROM {source}))"""

    first = _history_empty(batch)
    table = "vote_history" if first else "stage"
    if first:
        con.execute("DROP TABLE IF EXISTS vote_history")
    with _insertion_order(con, keep=False):  # rows in any order: lines come from a second reading if needed
        _read_staged(batch, path, layouts.NCVHIS, select, encoding, auto, table=table)
    read_lines = [r.line for r in batch.rejects if r.line is not None]
    expected = _count(con, f"{table} WHERE reject_reason IS NOT NULL")
    if expected:
        found = _rows_in_file_order(
            batch, path, layouts.NCVHIS, select, "reject_column, reject_reason, voter_id",
            "reject_reason IS NOT NULL", read_lines,
        )  # fmt: skip
        _check_second_reading(path, len(found), expected)
        batch.rejects.extend(Reject(line, col, reason, f"voter id {vid}") for line, (col, reason, vid) in found)
    batch.result.rows_read = _count(con, table) + len(read_lines)
    _check_rejects(batch)
    _hold(batch, _length_reasons(batch))
    _add_history(batch, table, first)


def _history_empty(batch: Batch) -> bool:
    return not batch.has("vote_history") or _count(batch.con, "vote_history") == 0


def _add_history(batch: Batch, table: str, first: bool) -> None:
    """Add a staged table of history rows (HISTORY_COLUMNS + reject_column, reject_reason) to vote_history.

    One row per voter per election (the natural key, voter id + election date): of a repeat inside the
    file one row stays (REPEAT_ORDER); a row already in the history is not added again. When the history was
    empty the staged table IS vote_history (loaded in place, never copied). Repeats inside the file are
    found by the same pass over the history that gives voters their vote bits (``_refresh_bits``).
    """
    con = batch.con
    batch.step("history", 0, 1)
    con.execute(f"DELETE FROM {table} WHERE reject_reason IS NOT NULL")
    if first:
        for name in ("reject_column", "reject_reason"):
            con.execute(f"ALTER TABLE {table} DROP COLUMN {name}")
        added = _count(con, "vote_history")
    else:
        cols = ", ".join(HISTORY_COLUMNS)
        row = con.execute(f"""
            INSERT INTO vote_history ({cols}) SELECT {", ".join(f"n.{c}" for c in HISTORY_COLUMNS)}
            FROM {table} n ANTI JOIN vote_history o USING (voter_id, election_date)""").fetchone()
        added = int(row[0]) if row else 0
        con.execute(f"DROP TABLE {table}")
    added -= _refresh_bits(batch)
    valid = batch.result.rows_read - len(batch.rejects)
    if batch.result.kind == "ncvhis":
        batch.result.inserted, batch.result.unchanged = added, max(valid - added, 0)


# Of the rows a history file repeats for one voter and election, the one that stays: chosen by what the
# rows say (a known voting method first), never by where they stand in the file, so the same rows give
# the same history however the file is sorted and in whatever order DuckDB's threads staged them.
REPEAT_ORDER = "voting_method, voting_method_raw, party_ballot, election_type, election_desc, county_id, precinct"


def _refresh_bits(batch: Batch) -> int:
    """Rewrite the voters' vote bits from the full history, keeping walk order; drop repeated history rows.

    One GROUP BY voter over the history gives both the bits and whether any (voter, election) key
    appears twice, which only rows added by this import can do; all but one row of such a key are
    deleted (REPEAT_ORDER picks the one that stays). Returns how many were deleted.
    """
    con = batch.con
    batch.step("vote bits", 0, 1)
    dates = _count(con, "(SELECT DISTINCT election_date FROM vote_history)")
    as_bits = dates <= MAX_ELECTIONS_AS_BITS
    con.execute(f"CREATE TEMP TABLE bits AS {_bits_from('vote_history', repeats=as_bits, dates=dates)}")
    if not as_bits:  # a long history: find repeated keys by grouping on a 64-bit hash of the key instead
        con.execute("""
            UPDATE bits SET repeats = true WHERE voter_id IN (
                SELECT DISTINCT voter_id FROM vote_history WHERE hash(voter_id, election_date) IN (
                    SELECT hash(voter_id, election_date) FROM vote_history GROUP BY 1 HAVING count(*) > 1))""")
    row = con.execute(f"""
        DELETE FROM vote_history WHERE rowid IN (
            SELECT rowid FROM (
                SELECT rowid, row_number() OVER (PARTITION BY voter_id, election_date ORDER BY {REPEAT_ORDER}) AS n
                FROM vote_history WHERE voter_id IN (SELECT voter_id FROM bits WHERE repeats))
            WHERE n > 1)""").fetchone()
    dropped = int(row[0]) if row else 0
    con.execute("""
        UPDATE voters SET general_bits = bits.general_bits, primary_bits = bits.primary_bits
        FROM bits WHERE voters.voter_id = bits.voter_id
          AND (voters.general_bits <> bits.general_bits OR voters.primary_bits <> bits.primary_bits)""")
    con.execute("DROP TABLE bits")
    return dropped


def _load_ohio_history(batch: Batch, layout: Layout) -> None:
    """Ohio keeps history in one column per election: unpivot the marked cells into rows."""
    elections = layout.columns[len(layouts.OHIO_FIXED_COLUMNS) :]
    con, b = batch.con, batch.batch_id
    if not elections:
        _copy_history(batch)
        return
    parts = []
    for column in elections:
        match = layouts.OHIO_ELECTION_COLUMN.match(column)
        assert match
        kind, month, day, year = match.groups()
        ballot = _case_map(
            f"upper(trim({q(column)}))", {k: v for k, v in layouts.OHIO_PARTY_TO_PARTY.items() if k}, "NULL"
        )
        parts.append(
            f"SELECT voter_id, DATE '{year}-{month}-{day}' AS election_date, {lit(kind)} AS election_type, "
            f"{lit(column)} AS election_desc, NULL::VARCHAR AS voting_method, NULL::VARCHAR AS voting_method_raw, "
            f"{ballot if kind == 'PRIMARY' else 'NULL'} AS party_ballot, county_id, precinct, {b} AS batch_id "
            f"FROM ohio_cells WHERE nullif(trim({q(column)}), '') IS NOT NULL"
        )
    first = _history_empty(batch)
    table = "vote_history" if first else "stage_history"
    con.execute(f"DROP TABLE IF EXISTS {table}")
    con.execute(f"""CREATE TABLE {table} AS SELECT *, NULL::VARCHAR AS reject_column, NULL::VARCHAR AS reject_reason
                    FROM ({" UNION ALL ".join(parts)})""")
    _add_history(batch, table, first)
    con.execute("DROP TABLE ohio_cells")


def _refresh_rollup(batch: Batch, voters_changed: bool) -> None:
    """precinct_party: voters counted by county, precinct, party and status, for whole-map counts.

    A few thousand rows that answer "every precinct by party" (and counts by county, precinct, party,
    status) without reading 8.5 million voters; a history import leaves voters as they were, so the
    previous generation's rollup is still right.
    """
    con = batch.con
    if not voters_changed and batch.has("precinct_party"):
        return  # copied forward with the voters it counts
    con.execute("""
        CREATE OR REPLACE TABLE precinct_party AS
        SELECT county_id, precinct, party, status, count(*)::INTEGER AS voters
        FROM voters GROUP BY ALL ORDER BY ALL""")


def _refresh_elections(batch: Batch) -> None:
    con = batch.con
    con.execute("DELETE FROM elections")
    con.execute("""
        INSERT INTO elections
        SELECT election_date, election_type, any_value(election_desc),
               row_number() OVER (PARTITION BY election_type ORDER BY election_date DESC) - 1, count(*)
        FROM vote_history GROUP BY election_date, election_type""")


def _length_reasons(batch: Batch) -> list[str]:
    """The guard's reasons about the file's length: no rows at all, or far fewer than the last file of
    its kind (the same source: this state's registration file, or its history file)."""
    if batch.max_change_share is None:
        return []
    rows, kind = batch.result.rows_read, batch.result.kind
    if rows == 0:
        return ["the file holds no rows after its header"]
    if not batch.prev_has("import_batches"):
        return []
    last = batch.con.execute(
        "SELECT batch_id, file_name, rows_read FROM prev.import_batches WHERE kind = ? ORDER BY batch_id DESC LIMIT 1",
        [kind],
    ).fetchone()
    if last is None or rows >= last[2] * (1 - batch.max_change_share):
        return []
    fewer = 1 - rows / last[2]
    return [f"it has {rows:,} rows, {fewer:.0%} fewer than the {last[2]:,} of the last {kind} file ({last[1]}, "
            f"batch {last[0]})"]  # fmt: skip


def _hold(batch: Batch, reasons: list[str]) -> None:
    if reasons:
        assert batch.max_change_share is not None
        raise ImportHeld(batch.result, reasons, batch.max_change_share)


def _check_rejects(batch: Batch) -> None:
    result = batch.result
    batch.rejects.sort(key=lambda r: (r.line is None, r.line or 0))
    result.rejected = len(batch.rejects)
    limit = int(result.rows_read * batch.max_rejected_share)
    if result.rejected > limit:
        result.rejects = batch.rejects[:KEPT_REJECTS]
        raise ImportRefused(result, limit)


def _store_rejects(batch: Batch) -> None:
    con = batch.con  # earlier batches' rejects came with the copied file
    if batch.rejects:
        con.executemany(
            "INSERT INTO import_rejects VALUES (?, ?, ?, ?, ?)",
            [(batch.batch_id, r.line, r.column, r.reason, r.raw) for r in batch.rejects],
        )


def _record_batch(batch: Batch, kind: str, when: date, size: int, started: datetime) -> None:
    con, r = batch.con, batch.result  # earlier batches came with the copied file
    con.execute(
        "INSERT INTO import_batches VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            r.batch_id, kind, r.file_name, r.checksum, when, size, r.encoding, started,
            datetime.now(UTC).replace(tzinfo=None), r.rows_read, r.inserted, r.updated, r.removed,
            r.unchanged, r.rejected,
        ],
    )  # fmt: skip

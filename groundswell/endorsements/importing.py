"""Historical endorsements from a CSV, with a column mapping, so an organization sees its record at once.

One row is one candidate in one race. One or more endorser columns say Yes or No; the race columns
(state, date or year, office, district, kind) find or make the race in the power map; the result
column says won, lost, or something undecided (blank, "pending", "runoff" ...), which is counted
apart and never as a loss. All or nothing: any bad row rejects the file, naming row and column.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import transaction
from django.utils import timezone

from groundswell.chapters.geo import STATE_NAMES
from groundswell.core.audit import record_audit
from groundswell.core.models import AuditEvent, User
from groundswell.elections.models import ElectionKind, OfficeLevel, Outcome
from groundswell.endorsements.models import Endorsement, EndorsementSource, HistoricalImport
from groundswell.geo.importing import ImportRejected, ProgressFn, RowError, no_progress
from groundswell.recruitment.candidacies import (
    ensure_election,
    ensure_office,
    ensure_race,
    file_candidacy,
    record_result,
)

YES = {"yes", "y", "true", "1", "x", "endorsed"}
NO = {"no", "n", "false", "0", ""}
WON = {"won", "win", "w", "elected", "winner"}
LOST = {"lost", "lose", "l", "defeated", "loser"}
KINDS = {
    "primary": ElectionKind.PRIMARY,
    "general": ElectionKind.GENERAL,
    "special": ElectionKind.SPECIAL,
    "runoff": ElectionKind.RUNOFF,
    "caucus": ElectionKind.CAUCUS,
}
LEVELS = {
    **{code: code for code in OfficeLevel.values},
    **{str(label).lower(): code for code, label in OfficeLevel.choices},
    "state house": OfficeLevel.STATE_LEGISLATURE,
    "state senate": OfficeLevel.STATE_LEGISLATURE,
    "city": OfficeLevel.MUNICIPAL,
    "local": OfficeLevel.MUNICIPAL,
    "party": OfficeLevel.PARTY,
}

# The fields a mapping can name a column for; endorser columns are listed separately.
FIELDS = {
    "candidate": "Candidate name",
    "state": "State (two letters or name)",
    "date": "Election date (YYYY-MM-DD) or year",
    "kind": "Election kind (primary, general ...)",
    "office": "Office",
    "district": "District",
    "level": "Office level",
    "party": "Party",
    "result": "Result (won / lost / anything else: undecided)",
}
REQUIRED = ("candidate", "date", "office", "result")


@dataclass
class Mapping:
    """Which column holds what. Column names are compared without surrounding spaces."""

    endorsers: list[str]
    columns: dict[str, str] = field(default_factory=dict)  # field -> column header
    default_state: str = ""
    default_kind: str = ElectionKind.GENERAL
    default_level: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "endorsers": self.endorsers,
            "columns": self.columns,
            "default_state": self.default_state,
            "default_kind": self.default_kind,
            "default_level": self.default_level,
        }


@dataclass(frozen=True)
class HistoricalRow:
    line: int
    candidate: str
    state: str
    date: dt.date
    kind: str
    office: str
    district: str
    level: str
    party: str
    outcome: str
    endorsers: tuple[str, ...]


@dataclass
class HistoricalReport:
    rows: int = 0
    endorsements: int = 0
    candidacies: int = 0
    won: int = 0
    lost: int = 0
    undecided: int = 0
    not_endorsed: int = 0

    def summary(self) -> str:
        return (
            f"{self.rows} rows: {self.endorsements} endorsements of {self.candidacies} candidates — "
            f"{self.won} won, {self.lost} lost, {self.undecided} undecided (counted apart); "
            f"{self.not_endorsed} rows with no endorsement"
        )


def clean_header(header: str) -> str:
    return header.strip().lstrip("\ufeff").strip()


def read_csv(handle: IO[str]) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.reader(handle)
    try:
        headers = [clean_header(h) for h in next(reader)]
    except StopIteration:
        raise ImportRejected([RowError(1, "header", "the file is empty")]) from None
    records = [{h: (row[i] if i < len(row) else "") for i, h in enumerate(headers)} for row in reader if any(row)]
    return headers, records


def guess_mapping(headers: list[str], records: list[dict[str, str]]) -> Mapping:
    """A first guess from the headers' names; yes/no columns are taken for endorsers."""
    hints = {
        "candidate": ("candidate", "name"),
        "state": ("state",),
        "date": ("date", "year"),
        "kind": ("kind", "type", "election"),
        "office": ("office", "seat"),
        "district": ("district",),
        "level": ("level",),
        "party": ("party",),
        "result": ("result", "outcome", "won"),
    }
    columns: dict[str, str] = {}
    for name, words in hints.items():
        for header in headers:
            if header not in columns.values() and any(w in header.lower() for w in words):
                columns[name] = header
                break
    yes_no = YES | NO
    endorsers = [
        h
        for h in headers
        if h not in columns.values() and records and all(r.get(h, "").strip().lower() in yes_no for r in records)
    ]
    return Mapping(endorsers=endorsers, columns=columns)


def _value(record: dict[str, str], mapping: Mapping, name: str) -> str:
    column = mapping.columns.get(name, "")
    return record.get(clean_header(column), "").strip() if column else ""


def _state(raw: str, default: str) -> str | None:
    text = (raw or default).strip()
    if text.upper() in STATE_NAMES:
        return text.upper()
    by_name = {name.lower(): code for code, name in STATE_NAMES.items()}
    return by_name.get(text.lower())


def _date(raw: str) -> dt.date | None:
    text = raw.strip()
    if text.isdigit() and len(text) == 4:
        return general_election_day(int(text))
    for fmt in ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def general_election_day(year: int) -> dt.date:
    """The Tuesday after the first Monday in November (federal law, 2 U.S.C. 7)."""
    first = dt.date(year, 11, 1)
    first_monday = first + dt.timedelta(days=(7 - first.weekday()) % 7)
    return first_monday + dt.timedelta(days=1)


def _outcome(raw: str) -> str:
    text = raw.strip().lower()
    if text in WON:
        return Outcome.WON
    if text in LOST:
        return Outcome.LOST
    return Outcome.PENDING


def parse_rows(records: list[dict[str, str]], mapping: Mapping) -> list[HistoricalRow]:
    """Validate every row; raise ImportRejected naming each bad row and column."""
    errors: list[RowError] = []
    _check_mapping(records, mapping, errors)
    if errors:
        raise ImportRejected(errors)
    rows = []
    for index, record in enumerate(records, start=2):  # line 1 is the header
        row = _parse_row(index, record, mapping, errors)
        if row is not None:
            rows.append(row)
    if errors:
        raise ImportRejected(errors)
    return rows


def _check_mapping(records: list[dict[str, str]], mapping: Mapping, errors: list[RowError]) -> None:
    headers = set(records[0]) if records else set()
    if not mapping.endorsers:
        errors.append(RowError(1, "endorsers", "choose at least one endorser column"))
    for name in REQUIRED:
        if not mapping.columns.get(name):
            errors.append(RowError(1, FIELDS[name], "choose the column that holds it"))
    named = [*mapping.endorsers, *mapping.columns.values()]
    for column in named:
        if records and column and clean_header(column) not in headers:
            errors.append(RowError(1, column, "no such column in the file"))


def _parse_row(index: int, record: dict[str, str], mapping: Mapping, errors: list[RowError]) -> HistoricalRow | None:
    before = len(errors)
    column = mapping.columns.get
    candidate = _value(record, mapping, "candidate")
    if not candidate:
        errors.append(RowError(index, column("candidate", ""), "missing candidate name"))
    state = _state(_value(record, mapping, "state"), mapping.default_state)
    if state is None:
        errors.append(RowError(index, column("state", "state"), f"unknown state {_value(record, mapping, 'state')!r}"))
    date = _date(_value(record, mapping, "date"))
    if date is None:
        errors.append(RowError(index, column("date", ""), f"not a date or year: {_value(record, mapping, 'date')!r}"))
    kind_text = _value(record, mapping, "kind").lower() or mapping.default_kind
    kind = KINDS.get(kind_text)
    if kind is None:
        errors.append(RowError(index, column("kind", "kind"), f"unknown election kind {kind_text!r}"))
    level_text = _value(record, mapping, "level").lower() or mapping.default_level
    level = LEVELS.get(level_text, "") if level_text else ""
    if level_text and not level:
        errors.append(RowError(index, column("level", "level"), f"unknown office level {level_text!r}"))
    office = _value(record, mapping, "office")
    if not office:
        errors.append(RowError(index, column("office", ""), "missing office"))
    endorsers = []
    for header in mapping.endorsers:
        answer = record.get(clean_header(header), "").strip().lower()
        if answer in YES:
            endorsers.append(clean_header(header))
        elif answer not in NO:
            errors.append(RowError(index, clean_header(header), f"expected Yes or No, found {answer!r}"))
    if len(errors) > before:
        return None
    assert state is not None and date is not None and kind is not None
    return HistoricalRow(
        index,
        candidate,
        state,
        date,
        kind,
        office,
        _value(record, mapping, "district"),
        level,
        _value(record, mapping, "party"),
        _outcome(_value(record, mapping, "result")),
        tuple(endorsers),
    )


def do_import_historical_endorsements(
    handle: IO[str],
    *,
    mapping: Mapping,
    file_name: str,
    actor: User | None,
    dry_run: bool = False,
    progress: ProgressFn = no_progress,
) -> HistoricalReport:
    """Load a file of past endorsements: all rows or none."""
    progress("reading", 0, None)
    _, records = read_csv(handle)
    rows = parse_rows(records, mapping)
    report = HistoricalReport(rows=len(rows))
    with transaction.atomic():
        batch = HistoricalImport.objects.create(
            file_name=file_name, mapping=mapping.as_dict(), rows=len(rows), created_by=actor
        )
        for done, row in enumerate(rows, start=1):
            _load_row(row, batch, report)
            progress("endorsements", done, len(rows))
        batch.endorsements, batch.undecided = report.endorsements, report.undecided
        batch.save(update_fields=["endorsements", "undecided"])
        record_audit(
            AuditEvent.ENDORSEMENTS_IMPORTED,
            actor=actor,
            target=batch,
            summary=f"historical endorsements from {file_name}: {report.summary()}",
            details={"dry_run": dry_run},
        )
        if dry_run:
            transaction.set_rollback(True)
    return report


def _load_row(row: HistoricalRow, batch: HistoricalImport, report: HistoricalReport) -> None:
    if not row.endorsers:
        report.not_endorsed += 1
        return
    election = ensure_election(row.state, row.date, row.kind)
    office = ensure_office(row.state, row.office, district=row.district, level=row.level)
    candidacy = file_candidacy(ensure_race(election, office), name=row.candidate, party=row.party)
    record_result(candidacy, row.outcome)
    report.candidacies += 1
    outcome = candidacy.outcome
    decided_at = timezone.make_aware(dt.datetime.combine(row.date, dt.time(12)))
    for endorser in row.endorsers:
        Endorsement.objects.update_or_create(
            candidacy=candidacy,
            endorser=endorser,
            defaults={"source": EndorsementSource.HISTORICAL, "decided_at": decided_at, "historical_import": batch},
        )
        report.endorsements += 1
        if outcome == Outcome.WON:
            report.won += 1
        elif outcome == Outcome.LOST:
            report.lost += 1
        else:
            report.undecided += 1


def text_of(data: bytes) -> io.StringIO:
    """Uploaded bytes as text: UTF-8 (with or without a byte-order mark), else Windows-1252."""
    try:
        return io.StringIO(data.decode("utf-8-sig"), newline="")
    except UnicodeDecodeError:
        return io.StringIO(data.decode("cp1252"), newline="")

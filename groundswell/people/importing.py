"""Importing people from a CSV file, as organizers export them from Action Network or VAN.

The steps: store the upload (``do_upload_people_file``), map its columns to Person fields
(``guess_mapping``, ``do_save_column_mapping``), read and check every row (``read_people_rows``),
match rows to people already known and to earlier rows of the same file (``plan_import``), and
apply the plan in one transaction (``do_import_people``). An import with any bad row writes nothing.

Every row's values become facts of the import's owner (its chapter; else the importer's state, or
national), never written over another owner's (people/facts.py). Matching is by email alone, as
``facts.person_for_emails`` does, looked up in bulk. What the preview and the report say is counted
from what the owner itself holds, so an upload never learns whether another chapter knew an address.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, models, transaction
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from groundswell.chapters.access import AnyUser, scope_for
from groundswell.chapters.geo import STATE_NAMES
from groundswell.chapters.models import Chapter, Owner, OwnerKind
from groundswell.core.audit import record_audit
from groundswell.core.jobs import NoProgress, ProgressReporter
from groundswell.core.models import AuditEvent, Job, User
from groundswell.people import fold, formats
from groundswell.people.actions import PersonDetails, owner_for_write
from groundswell.people.facts import all_owners, given_values, national_consent_of, person_for_emails, rebuild_views
from groundswell.people.models import (
    DETAIL_FIELDS,
    Acceptance,
    ColumnMapping,
    ConsentChannel,
    ConsentEvent,
    DetailFact,
    EmailAddress,
    ImportBatch,
    ImportStatus,
    Membership,
    MembershipStatus,
    Person,
    PersonNote,
    PersonTag,
    PersonView,
    PhoneKind,
    PhoneNumber,
    Tag,
    TimelineEntry,
    TimelineKind,
    Via,
    new_person_uid,
    reversed_digits,
    sort_name_for,
)
from groundswell.people.normalize import normalize_email, normalize_phone, normalize_zip
from groundswell.people.proposals import do_queue_duplicate_refresh

# --------------------------------------------------------------------------- fields and mapping

IGNORE = "ignore"
FIELD_LABELS: dict[str, str] = {
    "first_name": "First name",
    "middle_name": "Middle name",
    "last_name": "Last name",
    "full_name": "Full name",
    "email": "Email",
    "phone": "Phone",
    "address_line1": "Address line 1",
    "address_line2": "Address line 2",
    "city": "City",
    "state": "State",
    "zip_code": "ZIP code",
    "birth_year": "Birth year",
    "tags": "Tags (comma-separated)",
    "notes": "Notes",
    "email_consent": "Email consent",
    "sms_consent": "SMS consent",
    **formats.FIELD_LABELS,
    IGNORE: "Ignore this column",
}
# Fields that may come from several columns (Email, Email 2, Home phone, Cell phone ...).
REPEATABLE_FIELDS = frozenset({"email", "phone", "tags", "notes", IGNORE})

# Header names seen in Action Network, VAN/EveryAction and hand-made spreadsheets, normalized
# (lower case, letters and digits only). Exact names are checked first, then word patterns.
_HEADER_NAMES: dict[str, str] = {
    "first_name": "first firstname fname givenname forename",
    "middle_name": "middle middlename mname middleinitial mi",
    "last_name": "last lastname lname surname familyname",
    "full_name": "name fullname contactname displayname",
    "email": "email emailaddress preferredemail personalemail workemail email1 email2 email3 mail emailaddr",
    "phone": "phone phonenumber cellphone mobile mobilephone cell homephone workphone preferredphone can2phone "
    "telephone tel phone1 phone2 mobilenumber cellnumber",
    "address_line1": "address address1 addressline1 street streetaddress mailingaddress homeaddress line1",
    "address_line2": "address2 addressline2 apt unit aptunit apartment line2 suite",
    "city": "city town mailingcity homecity locality",
    "state": "state st statecode stateprovince province region mailingstate homestate stateabbreviation",
    "zip_code": "zip zipcode zip5 postalcode postcode postal mailingzip homezip zippostalcode",
    "birth_year": "birthyear yearofbirth yob dob dateofbirth birthdate birthday",
    "tags": "tags tag can2usertags activistcodes activistcode labels groups",
    "notes": "notes note comments comment memo notetext",
    "email_consent": "emailconsent emailoptin emailsubscribed subscribed canemail emailok emailsubscriptionstatus "
    "optinemail emailpermission",
    "sms_consent": "smsconsent smsoptin textoptin smssubscribed cantext smsok mobileoptin textconsent optinsms "
    "smspermission mobilemessageoptin",
}
_EXACT_HEADERS = {name: field_name for field_name, names in _HEADER_NAMES.items() for name in names.split()}
_HEADER_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(sms|text).*(opt|consent|subscri|permission)"), "sms_consent"),
    (re.compile(r"(email).*(opt|consent|subscri|permission)"), "email_consent"),
    (re.compile(r"e-?mail"), "email"),
    (re.compile(r"phone|mobile|cell"), "phone"),
    (re.compile(r"first.*name"), "first_name"),
    (re.compile(r"last.*name|surname"), "last_name"),
    (re.compile(r"middle"), "middle_name"),
    (re.compile(r"zip|postal"), "zip_code"),
    (re.compile(r"birth"), "birth_year"),
    (re.compile(r"address.*2|apt|unit"), "address_line2"),
    (re.compile(r"address|street"), "address_line1"),
    (re.compile(r"city"), "city"),
    (re.compile(r"^state"), "state"),
    (re.compile(r"tag"), "tags"),
    (re.compile(r"note|comment"), "notes"),
)


def normalize_header(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.strip().lower())


def _guess_field(header: str) -> str:
    key = normalize_header(header)
    if key in _EXACT_HEADERS:
        return _EXACT_HEADERS[key]
    words = header.strip().lower()
    for pattern, field_name in _HEADER_PATTERNS:
        if pattern.search(words):
            return field_name
    return IGNORE


def guess_mapping(headers: Sequence[str]) -> list[str]:
    """A field for every column, from its header (a tool's export by its own table, formats.py); a
    single-valued field goes to its first column only."""
    mapping, taken, known = [], set(), formats.recognize(headers)
    for header in headers:
        field_name = (known.field_for(header) if known else None) or _guess_field(header)
        if field_name not in REPEATABLE_FIELDS and field_name in taken:
            field_name = IGNORE
        taken.add(field_name)
        mapping.append(field_name)
    return mapping


def headers_key(headers: Sequence[str]) -> str:
    """The same set of headers gives the same key, whatever their order or case."""
    normalized = sorted(normalize_header(h) for h in headers)
    return hashlib.sha256("\x1f".join(normalized).encode()).hexdigest()


def saved_or_guessed_mapping(headers: Sequence[str]) -> tuple[list[str], bool]:
    """The mapping saved for these headers (re-ordered to this file's columns), else a guess."""
    saved = ColumnMapping.objects.filter(headers_key=headers_key(headers)).first()
    if saved is None or len(saved.headers) != len(headers):
        return guess_mapping(headers), formats.recognize(headers) is not None
    by_header: dict[str, list[str]] = {}
    for header, field_name in zip(saved.headers, saved.mapping, strict=False):
        by_header.setdefault(normalize_header(header), []).append(field_name)
    return [by_header[normalize_header(h)].pop(0) for h in headers], True


def validate_mapping(headers: Sequence[str], mapping: Sequence[str]) -> list[str]:
    """Problems with a mapping, as sentences; empty when it can be used."""
    problems = []
    if len(mapping) != len(headers):
        problems.append(f"The mapping has {len(mapping)} columns but the file has {len(headers)}.")
    for header, field_name in zip(headers, mapping, strict=False):
        if field_name not in FIELD_LABELS:
            problems.append(f"Column {header!r}: {field_name!r} is not a field people can be imported into.")
    used = [f for f in mapping if f not in REPEATABLE_FIELDS]
    for field_name in sorted({f for f in used if used.count(f) > 1}):
        problems.append(f"{FIELD_LABELS[field_name]} is chosen for more than one column.")
    if not any(
        f in mapping for f in ("first_name", "last_name", "full_name", "email", "phone", *formats.CONTACT_FIELDS)
    ):
        problems.append("Map at least one column to a name, an email or a phone.")
    return problems


def do_save_column_mapping(headers: Sequence[str], mapping: Sequence[str], *, actor: AnyUser | None) -> None:
    ColumnMapping.objects.update_or_create(
        headers_key=headers_key(headers),
        defaults={
            "headers": list(headers),
            "mapping": list(mapping),
            "updated_by": actor if isinstance(actor, User) else None,
        },
    )


# --------------------------------------------------------------------------- reading the file

# Excel writes "Latin-1" files as Windows-1252 (curly quotes, the euro sign); both decode every byte.
_ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")
_SNIFF_BYTES = 64 * 1024


class ImportFileError(ValueError):
    """The file itself cannot be read as a CSV of people (not a row problem)."""


# Python's csv module refuses a cell over 128 KB with an error that names neither row nor column, so
# the reader takes cells of any size and the check names the one that is too long. No person field
# holds anything near this; a cell this long is nearly always a quote left open, which makes the rest
# of the file one cell.
MAX_CELL_CHARS = 128 * 1024
csv.field_size_limit(max(csv.field_size_limit(), 1 << 30))
# Every column is a choice on the mapping page, sent back as one form field: a form may send at most
# DATA_UPLOAD_MAX_NUMBER_FIELDS (1,000) fields, and a page of thousands of choices is too big to use.
MAX_COLUMNS = 500
MAX_HEADER_CHARS = 1000


def _column_name(headers: Sequence[str], index: int) -> str:
    header = headers[index] if index < len(headers) else ""
    return header[:60] or f"column {index + 1} (no header)"


@dataclass(frozen=True)
class CsvFormat:
    encoding: str
    delimiter: str


def detect_format(head: bytes) -> CsvFormat:
    """The encoding (UTF-8 with or without BOM, else Windows-1252/Latin-1) and the delimiter."""
    encoding = _detect_encoding(head)
    text = head.decode(encoding, errors="ignore")
    return CsvFormat(encoding, _sniff_delimiter(text))


def _detect_encoding(head: bytes) -> str:
    for encoding in _ENCODINGS:
        try:
            head.decode(encoding)
        except UnicodeDecodeError as exc:
            # A multi-byte character cut by the end of the sample is still UTF-8.
            if encoding == "utf-8-sig" and exc.start >= len(head) - 3:
                return encoding
            continue
        return encoding
    return "latin-1"


def _sniff_delimiter(text: str) -> str:
    sample = "\n".join(text.splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


class CsvTable:
    """A stored CSV file: its format, headers, and its records numbered as a spreadsheet shows them
    (the header is row 1, so the first person is row 2)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with path.open("rb") as handle:
            self.format = detect_format(handle.read(_SNIFF_BYTES))
        self._check_whole_file_decodes()
        with self._open() as handle:
            first = next(csv.reader(handle, delimiter=self.format.delimiter), None)
        if not first or not any(cell.strip() for cell in first):
            raise ImportFileError("The file is empty: the first row should name the columns.")
        self.headers = [cell.strip() for cell in first]
        self._check_headers()

    def _check_headers(self) -> None:
        if len(self.headers) > MAX_COLUMNS:
            raise ImportFileError(
                f"The file has {len(self.headers):,} columns; Groundswell reads at most {MAX_COLUMNS:,}. "
                "Keep the columns you want to import (names, emails, phones, address, tags, consent) and "
                "upload it again."
            )
        for index, header in enumerate(self.headers):
            if len(header) > MAX_HEADER_CHARS:
                raise ImportFileError(
                    f"Row 1, column {index + 1}: the header is {len(header):,} characters long; the first row "
                    'should name the columns (is a quote (") left open in it?).'
                )

    def _check_whole_file_decodes(self) -> None:
        if self.format.encoding != "utf-8-sig":
            return
        try:
            with self._open(errors="strict") as handle:
                for _ in handle:
                    pass
        except UnicodeDecodeError:
            self.format = CsvFormat("cp1252", self.format.delimiter)

    def _open(self, errors: str = "replace") -> io.TextIOWrapper:
        return self.path.open(encoding=self.format.encoding, errors=errors, newline="")

    def records(self) -> Iterator[tuple[int, list[str]]]:
        with self._open() as handle:
            reader = csv.reader(handle, delimiter=self.format.delimiter)
            next(reader, None)
            number = 1
            try:
                for number, record in enumerate(reader, start=2):
                    yield number, record
            except csv.Error as exc:
                raise ImportFileError(f"Row {number + 1}: the file cannot be read as CSV from here ({exc}).") from None

    def count_records(self) -> int:
        return sum(1 for _ in self.records())


# --------------------------------------------------------------------------- checking rows


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"Row {self.row}, {self.column}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass(slots=True)
class ImportRow:
    """One good row, cleaned. Kept small (slots) because a file may hold hundreds of thousands."""

    row: int
    first_name: str = ""
    middle_name: str = ""
    last_name: str = ""
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    address_line1: str = ""
    address_line2: str = ""
    city: str = ""
    state: str = ""
    zip_code: str = ""
    birth_year: int | None = None
    tags: list[str] = field(default_factory=list)
    notes: str = ""
    email_consent: bool | None = None
    sms_consent: bool | None = None

    def as_details(self) -> PersonDetails:
        return PersonDetails(
            first_name=self.first_name, middle_name=self.middle_name, last_name=self.last_name,
            emails=list(self.emails), phones=list(self.phones), address_line1=self.address_line1,
            address_line2=self.address_line2, city=self.city, state=self.state, zip_code=self.zip_code,
            birth_year=self.birth_year, tags=list(self.tags), notes=self.notes,
            email_consent=self.email_consent, sms_consent=self.sms_consent,
        )  # fmt: skip


MAX_LENGTHS = {
    "first_name": 80, "middle_name": 80, "last_name": 80, "address_line1": 150, "address_line2": 150,
    "city": 80, "email": 254, "tag": 60,
}  # fmt: skip
_YES = frozenset({"yes", "y", "true", "t", "1", "subscribed", "opted in", "opt in", "on"})
_NO = frozenset({"no", "n", "false", "f", "0", "unsubscribed", "opted out", "opt out", "off"})
_STATE_BY_NAME = {name.lower(): code for code, name in STATE_NAMES.items()}
_EXTRA_STATE_CODES = frozenset({"AS", "GU", "MP", "VI", "AA", "AE", "AP"})
_FORMULA_GUARD = re.compile(r"^'(?=[=+\-@\t\r])")


@dataclass
class CheckedFile:
    rows: list[ImportRow]
    errors: list[RowError]
    blank_rows: int = 0

    @property
    def row_count(self) -> int:
        return len(self.rows) + len({e.row for e in self.errors})


def read_people_rows(
    table: CsvTable, mapping: Sequence[str], *, progress: ProgressReporter | None = None
) -> CheckedFile:
    """Every record checked against the mapping: the good rows cleaned, the bad ones as errors."""
    progress = progress or NoProgress()
    checked = CheckedFile(rows=[], errors=[])
    for number, record in table.records():
        if not any(cell.strip() for cell in record):
            checked.blank_rows += 1
            continue
        row, errors = check_record(number, record, table.headers, mapping)
        if errors:
            checked.errors.extend(errors)
        else:
            checked.rows.append(row)
        progress.advance()
    return checked


def check_record(
    number: int, record: Sequence[str], headers: Sequence[str], mapping: Sequence[str]
) -> tuple[ImportRow, list[RowError]]:
    row, errors = ImportRow(row=number), []
    too_long = [index for index, cell in enumerate(record) if len(cell) > MAX_CELL_CHARS]
    if too_long:
        return row, [_cell_too_long(number, headers, index, record[index]) for index in too_long]
    if len(record) > len(headers) and any(cell.strip() for cell in record[len(headers) :]):
        errors.append(RowError(number, "(whole row)", f"has {len(record)} cells but the header has {len(headers)}"))
    full_name = ""
    for index, field_name in enumerate(mapping):
        raw = record[index] if index < len(record) else ""
        value = _FORMULA_GUARD.sub("", raw.strip())
        if not value or field_name == IGNORE:
            continue
        if field_name == "full_name":
            full_name = value
            continue
        try:
            _set_field(row, field_name, value)
        except ValueError as exc:
            errors.append(RowError(number, headers[index], str(exc)))
    if full_name:
        _fill_from_full_name(row, full_name)
    if not (row.first_name or row.last_name or row.emails or row.phones) and not errors:
        errors.append(RowError(number, "(whole row)", "has no name and no email or phone"))
    return row, errors


def _set_field(row: ImportRow, field_name: str, value: str) -> None:
    if field_name in formats.FIELD_LABELS:
        for name, part in formats.expand_field(field_name, value):
            _set_field(row, name, part)
    elif field_name == "email":
        for part in re.split(r"[;,\s]+", value):
            _append_unique(row.emails, normalize_email(part) if len(part) <= 254 else _too_long(part, 254))
    elif field_name == "phone":
        for part in re.split(r"[;,/]+", value):
            if part.strip():
                _append_unique(row.phones, normalize_phone(part))
    elif field_name == "state":
        row.state = clean_state(value)
    elif field_name == "zip_code":
        row.zip_code = clean_zip(value)
    elif field_name == "birth_year":
        row.birth_year = clean_birth_year(value)
    elif field_name in ("email_consent", "sms_consent"):
        setattr(row, field_name, clean_consent(value))
    elif field_name == "tags":
        for tag in (t.strip() for t in value.split(",")):
            if tag:
                _append_unique(row.tags, tag if len(tag) <= 60 else _too_long(tag, 60))
    elif field_name == "notes":
        row.notes = f"{row.notes}\n{value}".strip()
    else:
        limit = MAX_LENGTHS[field_name]
        setattr(row, field_name, value if len(value) <= limit else _too_long(value, limit))


def _cell_too_long(number: int, headers: Sequence[str], index: int, cell: str) -> RowError:
    lines = cell.count("\n")
    hint = f'; it runs over {lines + 1:,} lines of the file, so a quote (") is probably left open' if lines else ""
    message = f"the cell holds {len(cell):,} characters, more than a cell may ({MAX_CELL_CHARS:,}){hint}"
    return RowError(number, _column_name(headers, index), message)


def _too_long(value: str, limit: int) -> str:
    raise ValueError(f"{value[:30]!r}… is longer than {limit} characters")


def _append_unique(values: list[str], value: str) -> None:
    if value not in values:
        values.append(value)


def _fill_from_full_name(row: ImportRow, full_name: str) -> None:
    """'Last, First Middle' or 'First Middle Last'; separate name columns win where both are given."""
    if "," in full_name:
        last, _, rest = (p.strip() for p in full_name.partition(","))
        parts = rest.split()
        first, middle = (parts[0] if parts else ""), " ".join(parts[1:])
    else:
        parts = full_name.split()
        first = parts[0]
        last = parts[-1] if len(parts) > 1 else ""
        middle = " ".join(parts[1:-1])
    row.first_name = row.first_name or first[:80]
    row.middle_name = row.middle_name or middle[:80]
    row.last_name = row.last_name or last[:80]


def clean_state(value: str) -> str:
    code = value.strip().upper()
    if code in STATE_NAMES or code in _EXTRA_STATE_CODES:
        return code
    by_name = _STATE_BY_NAME.get(value.strip().lower())
    if by_name:
        return by_name
    raise ValueError(f"{value!r} is not a US state code (use two letters, like PA)")


def clean_zip(value: str) -> str:
    digits = value.replace("-", "").strip()
    if digits.isdigit() and len(digits) in (3, 4, 7, 8):
        raise ValueError(f"{value!r} is not a ZIP code (a spreadsheet may have dropped its leading zeros)")
    return normalize_zip(value)


def clean_birth_year(value: str) -> int:
    """A year (1987) or a date that contains one (1987-04-02, 4/2/1987)."""
    found = re.fullmatch(r"(\d{4})(?:[-/.]\d{1,2}[-/.]\d{1,2})?|\d{1,2}[-/.]\d{1,2}[-/.](\d{4})", value.strip())
    year = int(found.group(1) or found.group(2)) if found else None
    if year is None or not 1900 <= year <= timezone.now().year:
        raise ValueError(f"{value!r} is not a birth year")
    return year


def clean_consent(value: str) -> bool | None:
    """Yes or no, or a tool's status word (formats.py), which may say nothing."""
    is_status, granted = formats.status_consent(value)
    return granted if is_status else clean_yes_no(value)


def clean_yes_no(value: str) -> bool:
    answer = value.strip().lower().replace("_", " ")
    if answer in _YES:
        return True
    if answer in _NO:
        return False
    raise ValueError(f"{value!r} is not yes or no (use yes/no, true/false, y/n or 1/0)")


# --------------------------------------------------------------------------- matching


@dataclass
class ImportPlan:
    """Each good row assigned to a person: one already known anywhere (matched by email only), or one
    of the people to create. ``local`` says, per row, only what the import's owner could tell by
    itself — "known" (an address it already holds), "repeat" (an address an earlier row of the file
    gave) or "new" — and is all that a preview, a count or a report shows anyone but national: the
    answer is the same whether or not another chapter knew the address (docs/privacy.md)."""

    rows: list[ImportRow]
    # For each row: ("person", id) or ("new", index into new_people).
    targets: list[tuple[str, int]]
    new_count: int
    existing_ids: set[int]
    local: list[str] = field(default_factory=list)

    @property
    def new_rows(self) -> int:
        return self.local.count("new")

    @property
    def known_rows(self) -> int:
        return self.local.count("known")

    @property
    def repeat_rows(self) -> int:
        return self.local.count("repeat")


_LOOKUP_CHUNK = 900  # below SQLite's old 999-parameter limit


def plan_import(
    rows: list[ImportRow], *, owner: Owner | None = None, progress: ProgressReporter | None = None
) -> ImportPlan:
    """Match every row in bulk, by email alone: addresses are looked up a chunk at a time."""
    progress = progress or NoProgress()
    progress.phase("Matching people already known", total=len(rows))
    all_emails = {e for r in rows for e in r.emails}
    emails = _known_emails(all_emails)
    merged = _merge_targets(set(emails.values()))
    file_emails: dict[str, int] = {}
    plan = ImportPlan(rows=rows, targets=[], new_count=0, existing_ids=set())
    for row in rows:
        target = _match_row(row, emails, merged, file_emails)
        if target is None:
            target = ("new", plan.new_count)
            plan.new_count += 1
        elif target[0] == "person":
            plan.existing_ids.add(target[1])
        if target[0] == "new":
            for email in row.emails:
                file_emails.setdefault(email, target[1])
        plan.targets.append(target)
        progress.advance()
    plan.local = _local_labels(rows, plan.targets, owner, all_emails)
    return plan


def _local_labels(
    rows: list[ImportRow], targets: list[tuple[str, int]], owner: Owner | None, all_emails: set[str]
) -> list[str]:
    """Per row, what the owner alone could tell of it. National sees every fact, so its labels follow
    the real matches; any other owner's follow its own addresses and the file."""
    if owner is None or owner.kind == OwnerKind.NATIONAL:
        seen_new: set[int] = set()
        labels = []
        for kind, key in targets:
            if kind == "person":
                labels.append("known")
            else:
                labels.append("repeat" if key in seen_new else "new")
                seen_new.add(key)
        return labels
    held = _owner_emails(owner, all_emails)
    given: set[str] = set()
    labels = []
    for row in rows:
        if any(e in held for e in row.emails):
            labels.append("known")
        elif any(e in given for e in row.emails):
            labels.append("repeat")
        else:
            labels.append("new")
        given.update(row.emails)
    return labels


def _owner_emails(owner: Owner, addresses: set[str]) -> set[str]:
    held: set[str] = set()
    ordered = sorted(addresses)
    for start in range(0, len(ordered), _LOOKUP_CHUNK):
        chunk = ordered[start : start + _LOOKUP_CHUNK]
        held.update(EmailAddress.objects.filter(owner=owner, address__in=chunk).values_list("address", flat=True))
    return held


def _known_emails(values: set[str]) -> dict[str, int]:
    """Address -> the person it belongs to (every owner's fact of an address names the same person)."""
    found: dict[str, int] = {}
    ordered = sorted(values)
    for start in range(0, len(ordered), _LOOKUP_CHUNK):
        chunk = ordered[start : start + _LOOKUP_CHUNK]
        for address, person_id in (
            EmailAddress.objects.filter(address__in=chunk).order_by("-id").values_list("address", "person_id")
        ):
            found[address] = person_id  # newest first, so the oldest fact of an address wins
    return found


def _merge_targets(person_ids: set[int]) -> dict[int, int]:
    """For each of these people merged into someone else, whom they live on as now."""
    merged_into: dict[int, int] = {}
    pending = sorted(person_ids)
    while pending:
        found: dict[int, int] = {}
        for start in range(0, len(pending), _LOOKUP_CHUNK):
            chunk = pending[start : start + _LOOKUP_CHUNK]
            found.update(
                Person.objects.filter(pk__in=chunk, merged_into__isnull=False).values_list("pk", "merged_into_id")
            )
        merged_into.update(found)
        pending = sorted(set(found.values()) - merged_into.keys())
    resolved = {}
    for person_id in merged_into:
        target = person_id
        while target in merged_into:
            target = merged_into[target]
        resolved[person_id] = target
    return resolved


def _match_row(
    row: ImportRow, emails: dict[str, int], merged: dict[int, int], file_emails: dict[str, int]
) -> tuple[str, int] | None:
    """People already stored before earlier rows; a phone never matches (a shared landline is two
    people). Where a row's addresses belong to several people, the oldest address decides, as
    facts.person_for_emails does."""
    people = [merged.get(emails[e], emails[e]) for e in row.emails if e in emails]
    if people:
        if len(set(people)) > 1:
            person = person_for_emails(row.emails)
            assert person is not None
            return ("person", person.pk)
        return ("person", people[0])
    earlier = sorted({file_emails[e] for e in row.emails if e in file_emails})
    if earlier:
        return ("new", earlier[0])
    return None


# --------------------------------------------------------------------------- applying


@dataclass
class ImportCounts:
    """Rows new to the import's owner, rows it knew that brought something new, rows that did not.
    Counted from what the owner itself knew (ImportPlan.local), never from other owners' facts."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"inserted": self.inserted, "updated": self.updated, "unchanged": self.unchanged}


_BATCH = 1000


@dataclass
class _Target:
    """A person as the rows find them: what the import's owner already holds of them."""

    person: Person | None  # None for someone the import creates: their row is written without a model
    is_new: bool
    pk: int = 0
    view: dict[str, Any] = field(default_factory=dict)
    opted_in: tuple[bool, bool] = (False, False)  # national's email and SMS consent, for a new person
    phones: set[str] = field(default_factory=set)
    tags: set[str] = field(default_factory=set)
    consent: dict[tuple[str, str], bool] = field(default_factory=dict)
    has_email: bool = False
    has_phone: bool = False
    touched: bool = False


_INSERT_BATCH = 5000


def _column(model: type[models.Model], field_name: str) -> str:
    model_field = model._meta.get_field(field_name)
    assert isinstance(model_field, models.Field) and model_field.column is not None
    return model_field.column


def _copy_many(table: str, names: str, rows: Iterable[Sequence[Any]]) -> None:
    """PostgreSQL's COPY: several times faster than INSERTs, and inside the same transaction."""
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _insert_many(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """INSERT by executemany: what bulk_create writes, without building and preparing a model object
    per row, which is most of an import's time when each person brings five or six rows with them."""
    ops = connection.ops
    table = ops.quote_name(model._meta.db_table)
    names = ", ".join(ops.quote_name(_column(model, c)) for c in columns)
    if connection.vendor == "postgresql":
        _copy_many(table, names, rows)
        return
    # Table and column names come from our models, quoted; every value is a parameter.
    sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
    with connection.cursor() as cursor:
        batch: list[Sequence[Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) == _INSERT_BATCH:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


def _ids_by_uid(uids: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(uids), _LOOKUP_CHUNK):
        found.update(Person.objects.filter(uid__in=uids[start : start + _LOOKUP_CHUNK]).values_list("uid", "pk"))
    return found


def _agreed(granted: bool) -> str:
    return "Agreed to" if granted else "Withdrew from"


_FACT_COLUMNS = ("owner", "via", "source", "recorded_at", "recorded_by")


class _ImportApplier:
    """Turns a plan into facts of the import's owner, written in bulk, then rebuilds the views of
    everyone it touched. National's view changes only for people it creates. Runs inside the
    caller's transaction."""

    def __init__(
        self, plan: ImportPlan, *, owner: Owner, chapter: Chapter | None, actor: User | None, label: str
    ) -> None:
        self.plan, self.owner, self.chapter, self.actor = plan, owner, chapter, actor
        self.source = f"import: {label}"[:120]
        self.now = timezone.now()
        self.db_now = connection.ops.adapt_datetimefield_value(self.now)
        self.fact = (owner.pk, Via.IMPORT, self.source, self.db_now, actor.pk if actor is not None else None)
        self.emails: list[tuple[_Target, str, bool]] = []
        self.phones: list[tuple[_Target, str, bool]] = []
        self.consents: list[tuple[_Target, str, str, bool]] = []
        self.tags: list[tuple[_Target, str]] = []
        self.details: list[tuple[_Target, dict[str, Any]]] = []
        self.notes: list[tuple[_Target, str]] = []
        self.claimed_emails: dict[str, int | None] = {}

    def apply(self) -> ImportCounts:
        existing = self._load_existing()
        new = [_Target(None, is_new=True) for _ in range(self.plan.new_count)]
        addresses = {e for r in self.plan.rows for e in r.emails}
        self.claimed_emails = dict.fromkeys(
            _known_emails(addresses) if self._is_national else _owner_emails(self.owner, addresses)
        )
        counts = ImportCounts()
        for row, (kind, key), local in zip(self.plan.rows, self.plan.targets, self.plan.local, strict=True):
            target = existing[key] if kind == "person" else new[key]
            changed = self._apply_row(target, row)
            if local == "new":
                counts.inserted += 1
            elif local == "known":
                counts.updated += changed
                counts.unchanged += not changed
        owners = all_owners()
        created = self._facts_of_new(new)
        for target in new:
            target.opted_in = national_consent_of(created[id(target)], owners)
        self._create_people(new)
        self._update_national_view(existing.values())
        self._write_facts()
        joined = self._write_memberships([*new, *existing.values()])
        self._write_timeline(new, existing.values(), joined)
        rebuild_views(
            [t.pk for t in existing.values() if t.touched or t.pk in joined],
            created={t.pk: created[id(t)] for t in new},
        )
        return counts

    def _facts_of_new(self, new: list[_Target]) -> dict[int, fold.PersonFacts]:
        """Everything the people this import creates will have (keyed by target): all of it is the
        rows' facts of the import's owner, in the order they are written, so nothing is read back."""
        owner, at = self.owner.pk, self.now
        facts: dict[int, fold.PersonFacts] = {id(t): fold.PersonFacts() for t in new}

        def of(target: _Target) -> fold.PersonFacts | None:
            found = facts.get(id(target))
            if found is not None:
                found.saw(owner, at)
            return found

        for i, (target, values) in enumerate(self.details):
            if (f := of(target)) is not None:
                f.details.append(fold.DetailRow(owner, at, i, values))
        for i, (target, channel, value, granted) in enumerate(self.consents):
            if (f := of(target)) is not None:
                f.consents.append(fold.ConsentRow(owner, channel, value, granted, at, i))
        for target, address, _ in self.emails:
            if (f := of(target)) is not None:
                f.emails.append((owner, address))
        for target, number, _ in self.phones:
            if (f := of(target)) is not None:
                f.phones.append((owner, number))
        for target in [t for t, _ in self.tags] + [t for t, _ in self.notes]:
            of(target)
        if self.chapter is not None:  # every new person joins the chapter (_write_memberships)
            for target in new:
                f = facts[id(target)]
                f.saw(owner, at)
                f.member_chapter_ids.add(self.chapter.pk)
        return facts

    def _load_existing(self) -> dict[int, _Target]:
        ids = sorted(self.plan.existing_ids)
        targets: dict[int, _Target] = {}
        for start in range(0, len(ids), _LOOKUP_CHUNK):
            chunk = ids[start : start + _LOOKUP_CHUNK]
            for person in Person.objects.filter(pk__in=chunk):
                targets[person.pk] = _Target(person, is_new=False, pk=person.pk)
            self._load_owner_facts(chunk, targets)
        return targets

    def _load_owner_facts(self, chunk: Sequence[int], targets: dict[int, _Target]) -> None:
        """What the import's owner already holds of these people, so that a row repeating it writes
        nothing. National sees every owner's facts, so for its import every fact counts as held."""
        mine: dict[str, Any] = {"person_id__in": chunk}
        if self._is_national:
            for person_id in chunk:
                targets[person_id].view = {n: getattr(targets[person_id].person, n) for n in DETAIL_FIELDS}
        else:
            mine["owner"] = self.owner
            for view in PersonView.objects.filter(**mine):
                targets[view.person_id].view = {n: getattr(view, n) for n in DETAIL_FIELDS}
        for person_id in EmailAddress.objects.filter(**mine).values_list("person_id", flat=True):
            targets[person_id].has_email = True
        for person_id, number in PhoneNumber.objects.filter(**mine).values_list("person_id", "number"):
            targets[person_id].phones.add(number)
            targets[person_id].has_phone = True
        for person_id, tag_name in PersonTag.objects.filter(**mine).values_list("person_id", "tag__name"):
            targets[person_id].tags.add(tag_name)
        # The owner's consent per value: its own events, and (for national) the grants below it (fold.py).
        events = ConsentEvent.objects.filter(**mine).order_by("occurred_at", "id")
        for person_id, channel, value, granted, owner_id in events.values_list(
            "person_id", "channel", "value", "granted", "owner_id"
        ):
            if owner_id == self.owner.pk or granted:
                targets[person_id].consent[(channel, value)] = granted

    def _apply_row(self, target: _Target, row: ImportRow) -> bool:
        """Queue the row's facts of the owner. Returns whether it brought anything the owner lacked."""
        before = (len(self.emails), len(self.phones), len(self.tags), len(self.consents), len(self.details))
        given = given_values(**{n: getattr(row, n) for n in DETAIL_FIELDS if hasattr(row, n)})
        if any(target.view.get(n) != v for n, v in given.items()):
            self.details.append((target, given))
            target.view.update(given)
        self._add_contacts(target, row)
        for tag_name in row.tags:
            if tag_name not in target.tags:
                target.tags.add(tag_name)
                self.tags.append((target, tag_name))
        self._add_consents(target, row)
        if row.notes:
            self.notes.append((target, row.notes))
        after = (len(self.emails), len(self.phones), len(self.tags), len(self.consents), len(self.details))
        changed = after != before or bool(row.notes)
        target.touched = target.touched or changed
        return changed

    def _add_contacts(self, target: _Target, row: ImportRow) -> None:
        """Every address and number the row gives, as the owner's facts of the row's person, but for an
        address the owner already holds (on this person or, by its own earlier row, on another). A
        row giving two people's addresses keeps both on one: the duplicates refresh proposes the pair."""
        for address in row.emails:
            if address in self.claimed_emails:
                continue
            self.claimed_emails[address] = None
            self.emails.append((target, address, not target.has_email))
            target.has_email = True
        for number in row.phones:
            if number not in target.phones:
                target.phones.add(number)
                self.phones.append((target, number, not target.has_phone))
                target.has_phone = True

    def _add_consents(self, target: _Target, row: ImportRow) -> None:
        """An event when the owner's answer for an address or number changes, or was never recorded."""
        for channel, granted, values in (
            (ConsentChannel.EMAIL.value, row.email_consent, row.emails),
            (ConsentChannel.SMS.value, row.sms_consent, row.phones),
        ):
            if granted is None:
                continue
            for value in values:
                if target.consent.get((channel, value)) != granted:
                    target.consent[(channel, value)] = granted
                    self.consents.append((target, channel, value, granted))

    def _create_people(self, new: list[_Target]) -> None:
        """New people take their first details as national's view (later rows of the file fill in).
        Their rows go in as plain parameters, like the facts, and their ids are read back by uid."""
        rows: list[tuple[Any, ...]] = []
        uids: list[str] = []
        for target in new:
            values = {n: target.view.get(n, None if n == "birth_year" else "") for n in DETAIL_FIELDS}
            uid = new_person_uid()
            uids.append(uid)
            sort_name = sort_name_for(str(values["first_name"]), str(values["last_name"]))
            rows.append(
                (uid, *values.values(), sort_name, "US", self.source, *target.opted_in, self.db_now, self.db_now)
            )
            target.pk = -len(rows)  # the row's place, until its id is known
        columns = ("uid", *DETAIL_FIELDS, "sort_name", "country", "source", "email_opt_in", "sms_opt_in",
                   "created_at", "updated_at")  # fmt: skip
        _insert_many(Person, columns, rows)
        ids = _ids_by_uid(uids)
        for target, uid in zip(new, uids, strict=True):
            target.pk = ids[uid]

    def _update_national_view(self, existing: Iterable[_Target]) -> None:
        """National's own import is national's view of the people it knew: the Person rows take the
        rows' values. Any other owner's import never touches them (docs/privacy.md)."""
        if not self._is_national:
            return
        people = [(t.person, t.view) for t in existing if t.person is not None]
        changed = [(p, view) for p, view in people if any(getattr(p, n) != v for n, v in view.items())]
        for person, view in changed:
            for name, value in view.items():
                setattr(person, name, value)
            person.sort_name = sort_name_for(person.first_name, person.last_name)
            person.updated_at = self.now
        fields = ["sort_name", "updated_at", *DETAIL_FIELDS]
        Person.objects.bulk_update([p for p, _ in changed], fields, batch_size=_BATCH)

    @property
    def _is_national(self) -> bool:
        return self.owner.kind == OwnerKind.NATIONAL

    def _acceptance(self, target: _Target) -> tuple[Any, str]:
        """New people's first details are national's view; so is whatever national's own import gives."""
        if target.is_new:
            return self.db_now, Acceptance.CREATED
        if self._is_national:
            return self.db_now, Acceptance.STAFF
        return None, ""

    def _write_facts(self) -> None:
        f = self.fact
        _insert_many(
            DetailFact, ("person", "values", "shared", "accepted_at", "accepted_how", *_FACT_COLUMNS),
            ((t.pk, json.dumps(values), False, *self._acceptance(t), *f) for t, values in self.details),
        )  # fmt: skip
        _insert_many(
            EmailAddress, ("person", "address", "is_primary", "created_at", *_FACT_COLUMNS),
            ((t.pk, address, primary, self.db_now, *f) for t, address, primary in self.emails),
        )  # fmt: skip
        _insert_many(
            PhoneNumber, ("person", "number", "digits_reversed", "kind", "is_primary", "created_at", *_FACT_COLUMNS),
            ((t.pk, number, reversed_digits(number), PhoneKind.OTHER, primary, self.db_now, *f)
             for t, number, primary in self.phones),
        )  # fmt: skip
        _insert_many(PersonNote, ("person", "text", *_FACT_COLUMNS), ((t.pk, text, *f) for t, text in self.notes))
        self._write_tags()
        self._write_consents()

    def _write_tags(self) -> None:
        names = sorted({name for _, name in self.tags})
        if not names:
            return
        Tag.objects.bulk_create([Tag(name=n) for n in names], ignore_conflicts=True, batch_size=_BATCH)
        tag_ids = dict(Tag.objects.filter(name__in=names).values_list("name", "pk"))
        # Only tags the owner has not put on the person yet are listed (see _apply_row): no pair repeats.
        _insert_many(
            PersonTag, ("person", "tag", "added_at", *_FACT_COLUMNS),
            ((t.pk, tag_ids[name], self.db_now, *self.fact) for t, name in self.tags),
        )  # fmt: skip

    def _write_consents(self) -> None:
        _insert_many(
            ConsentEvent,
            ("person", "channel", "value", "granted", "method", "wording", "occurred_at", "pending", *_FACT_COLUMNS),
            ((t.pk, channel, value, granted, self.source, "", self.db_now, False, *self.fact)
             for t, channel, value, granted in self.consents),
        )  # fmt: skip
        self._insert_timeline(
            (t.pk, TimelineKind.CONSENT, f"{_agreed(granted)} {channel} ({value})")
            for t, channel, value, granted in self.consents
        )

    def _write_memberships(self, targets: list[_Target]) -> set[int]:
        """Every imported person an active member of the chapter. Returns who joined (or rejoined)."""
        if self.chapter is None:
            return set()
        person_ids = [t.pk for t in targets]
        current: dict[int, Membership] = {}
        for start in range(0, len(person_ids), _LOOKUP_CHUNK):
            chunk = person_ids[start : start + _LOOKUP_CHUNK]
            current.update(
                (m.person_id, m) for m in Membership.objects.filter(chapter=self.chapter, person_id__in=chunk)
            )
        rejoining = [m for m in current.values() if m.status != MembershipStatus.ACTIVE]
        for membership in rejoining:
            membership.status = MembershipStatus.ACTIVE
        Membership.objects.bulk_update(rejoining, ["status"], batch_size=_BATCH)
        joining = [pid for pid in person_ids if pid not in current]
        joined_on = connection.ops.adapt_datefield_value(self.now.date())
        _insert_many(
            Membership, ("person", "chapter", "status", "joined_on", "source", "via", "recorded_by", "created_at"),
            ((pid, self.chapter.pk, MembershipStatus.ACTIVE, joined_on, self.source, Via.IMPORT, self.fact[4],
              self.db_now) for pid in joining),
        )  # fmt: skip
        return {*joining, *(m.person_id for m in rejoining)}

    def _write_timeline(self, new: list[_Target], existing: Iterable[_Target], joined: set[int]) -> None:
        entries = [(t.pk, TimelineKind.IMPORTED, f"Imported from {self.source}") for t in new]
        entries += [(t.pk, TimelineKind.UPDATED, f"Updated from {self.source}") for t in existing if t.touched]
        if self.chapter is not None:
            entries += [(pid, TimelineKind.JOINED, f"Joined {self.chapter.name}") for pid in sorted(joined)]
        self._insert_timeline(entries)

    def _insert_timeline(self, entries: Iterable[tuple[int, str, str]]) -> None:
        _insert_many(
            TimelineEntry, ("person", "kind", "occurred_at", "summary", "owner", "actor"),
            ((pid, kind, self.db_now, summary[:300], self.owner.pk, self.fact[4]) for pid, kind, summary in entries),
        )  # fmt: skip


# --------------------------------------------------------------------------- the actions


def can_import_people(user: AnyUser) -> bool:
    return scope_for(user).is_leader_or_above


def require_chapter_choice(user: AnyUser, chapter: Chapter | None) -> None:
    """Staff and coordinators may import without a chapter; a chapter leader must pick one of theirs."""
    scope = scope_for(user)
    if chapter is not None and not scope.manages_chapter(chapter):
        raise ImportFileError("You can import only into a chapter you manage.")
    if chapter is None and not (scope.national or len(scope.coordinator_states) == 1):
        raise ImportFileError("Choose which of your chapters these people are joining.")


def import_owner(user: AnyUser | None, chapter: Chapter | None) -> Owner:
    """Whose the imported facts become: the chapter's; else a coordinator's state's, or national's."""
    try:
        return owner_for_write(user, chapter=chapter)
    except PermissionDenied as error:
        raise ImportFileError(str(error)) from None


def uploads_dir() -> Path:
    path = Path(settings.DATA_DIR) / "uploads" / "people"
    path.mkdir(parents=True, exist_ok=True)
    return path


def do_upload_people_file(
    upload: UploadedFile | Path, *, chapter: Chapter | None, actor: AnyUser | None, file_name: str = ""
) -> ImportBatch:
    """Keep the file under DATA_DIR/uploads and start a batch with a mapping guessed or saved."""
    if actor is not None and actor.is_authenticated:
        require_chapter_choice(actor, chapter)
    owner = import_owner(actor, chapter)
    name = file_name or (upload.name if isinstance(upload, Path) else (upload.name or "upload.csv"))
    stored = uploads_dir() / f"{uuid.uuid4().hex}.csv"
    digest, size = hashlib.sha256(), 0
    with stored.open("wb") as out:
        for chunk in _chunks_of(upload):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    try:
        table = CsvTable(stored)
    except ImportFileError:
        stored.unlink()
        raise
    mapping, _ = saved_or_guessed_mapping(table.headers)
    return ImportBatch.objects.create(
        file_name=Path(name).name[:255], stored_path=str(stored.relative_to(settings.DATA_DIR)),
        sha256=digest.hexdigest(), size_bytes=size, encoding=table.format.encoding,
        delimiter=table.format.delimiter, headers=table.headers, mapping=mapping, chapter=chapter, owner=owner,
        created_by=actor if isinstance(actor, User) else None,
    )  # fmt: skip


def _chunks_of(upload: UploadedFile | Path) -> Iterator[bytes]:
    if isinstance(upload, Path):
        with upload.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                yield chunk
    else:
        yield from upload.chunks()


def table_for(batch: ImportBatch) -> CsvTable:
    return CsvTable(Path(settings.DATA_DIR) / batch.stored_path)


def do_set_import_mapping(batch: ImportBatch, mapping: Sequence[str], *, actor: AnyUser | None) -> list[str]:
    """Choose the columns' fields; saved for the next file with these headers. Returns problems, if any."""
    problems = validate_mapping(batch.headers, mapping)
    if problems:
        return problems
    batch.mapping = list(mapping)
    # A new mapping needs a new check; a check still running for the old one is not kept.
    batch.error_count, batch.preview, batch.preview_job = 0, {}, None
    batch.save(update_fields=["mapping", "error_count", "preview", "preview_job"])
    do_save_column_mapping(batch.headers, mapping, actor=actor)
    return []


PREVIEW_FIELDS = ("first_name", "middle_name", "last_name", "email", "phone", "address_line1", "address_line2",
                  "city", "state", "zip_code", "birth_year", "tags", "email_consent", "sms_consent")  # fmt: skip
PREVIEW_ERRORS = 1000
# What a preview says of a row: only what the import's owner could tell by itself (ImportPlan.local).
LOCAL_LABELS = {"new": "new here", "known": "already here", "repeat": "repeats an earlier row"}
PREVIEW_SAMPLE = 10


def _preview_cell(row: ImportRow, field_name: str) -> str:
    if field_name in ("email", "phone", "tags"):
        return ", ".join(getattr(row, {"email": "emails", "phone": "phones"}.get(field_name, field_name)))
    value = getattr(row, field_name)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)


@dataclass
class ImportPreview:
    checked: CheckedFile
    plan: ImportPlan
    sample_size: int

    @property
    def sample(self) -> list[tuple[int, str, list[str]]]:
        """The first rows as they will be imported: (row number, what the owner knew, cells)."""
        return [
            (row.row, LOCAL_LABELS[local], [_preview_cell(row, f) for f in PREVIEW_FIELDS])
            for row, local in zip(self.checked.rows[: self.sample_size], self.plan.local, strict=False)
        ]

    def stored(self, mapping: Sequence[str]) -> StoredPreview:
        errors = self.checked.errors
        return StoredPreview(
            mapping=list(mapping), rows=self.checked.row_count, good_rows=len(self.checked.rows),
            new=self.plan.new_rows, matched=self.plan.known_rows, repeated=self.plan.repeat_rows,
            error_count=len(errors),
            errors=[e.as_dict() for e in errors[:PREVIEW_ERRORS]],
            sample=[[row, status, cells] for row, status, cells in self.sample],
        )  # fmt: skip


@dataclass(frozen=True)
class StoredPreview:
    """What the check of a batch found, as kept on ``ImportBatch.preview`` for the preview page."""

    mapping: list[str]  # the mapping it was checked with: a preview of another mapping is no preview
    rows: int
    good_rows: int
    new: int
    matched: int
    repeated: int
    error_count: int
    errors: list[dict[str, Any]]  # the first PREVIEW_ERRORS, as RowError.as_dict
    sample: list[list[Any]]  # [row number, one of LOCAL_LABELS' values, cells]

    @classmethod
    def of(cls, batch: ImportBatch) -> StoredPreview | None:
        stored = batch.preview
        if not stored or stored.get("mapping") != batch.mapping:
            return None
        return cls(**{name: stored[name] for name in cls.__dataclass_fields__})

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def _check_and_plan(batch: ImportBatch, progress: ProgressReporter, sample_size: int) -> ImportPreview:
    table = table_for(batch)
    progress.phase("Checking rows", total=table.count_records())
    checked = read_people_rows(table, batch.mapping, progress=progress)
    plan = plan_import(checked.rows, owner=batch_owner(batch), progress=progress)
    return ImportPreview(checked=checked, plan=plan, sample_size=sample_size)


def preview_import(batch: ImportBatch, *, sample_size: int = PREVIEW_SAMPLE) -> ImportPreview:
    """Check every row and match the good ones, writing nothing but the counts on the batch."""
    preview = _check_and_plan(batch, NoProgress(), sample_size)
    batch.row_count, batch.error_count = preview.checked.row_count, len(preview.checked.errors)
    batch.save(update_fields=["row_count", "error_count"])
    return preview


def do_check_import(
    batch: ImportBatch, *, job: Job | None = None, progress: ProgressReporter | None = None
) -> StoredPreview:
    """The preview, run by the preview job: check and match every row, then keep the result on the
    batch. Nothing else is written. A result for a batch whose mapping changed meanwhile (it has
    another check queued, or none) or that is already being imported is not kept."""
    preview = _check_and_plan(batch, progress or NoProgress(), PREVIEW_SAMPLE)
    stored = preview.stored(batch.mapping)
    still_wanted = ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.UPLOADED)
    if job is not None:
        still_wanted = still_wanted.filter(preview_job=job)
    still_wanted.update(preview=stored.as_dict(), row_count=stored.rows, error_count=stored.error_count)
    batch.refresh_from_db()
    return stored


SAMPLE_CELL_CHARS = 200


def sample_records(batch: ImportBatch, count: int) -> list[list[str]]:
    """The first few records as they are in the file (each cell cut short), for the mapping page."""
    try:
        table = table_for(batch)
    except OSError:
        raise ImportFileError("The uploaded file is no longer kept; upload it again.") from None
    records: list[list[str]] = []
    for _, record in table.records():
        if len(records) == count:
            break
        records.append([cell[:SAMPLE_CELL_CHARS] for cell in record])
    return records


class ImportAlreadyApplied(Exception):
    """The batch was imported already (a second job, or a run again of one whose worker died after
    committing): nothing is applied twice."""


class ImportRowsInvalid(ValueError):
    """Some rows are bad, so nothing was imported."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        listed = "\n".join(str(e) for e in errors[:50])
        more = f"\n… and {len(errors) - 50} more" if len(errors) > 50 else ""
        super().__init__(f"Nothing was imported: {len(errors)} problem(s) in the file.\n{listed}{more}")


@dataclass
class ImportResult:
    counts: ImportCounts
    row_count: int
    dry_run: bool = False


class _DryRunRollback(Exception):
    pass


STORED_ERRORS = 1000


def do_import_people(
    batch: ImportBatch, *, actor: AnyUser | None, progress: ProgressReporter | None = None, dry_run: bool = False
) -> ImportResult:
    """Check every row, then apply them all in one transaction, or raise ImportRowsInvalid and write
    nothing. A dry run applies and rolls back, so its counts are the real ones."""
    progress = progress or NoProgress()
    table = table_for(batch)
    progress.phase("Checking rows", total=table.count_records())
    checked = read_people_rows(table, batch.mapping, progress=progress)
    if checked.errors:
        _finish_batch(batch, ImportStatus.FAILED, checked, None, dry_run=dry_run)
        raise ImportRowsInvalid(checked.errors)
    owner = batch_owner(batch)
    plan = plan_import(checked.rows, owner=owner, progress=progress)
    progress.phase("Saving", total=None)
    user = actor if isinstance(actor, User) else None
    chapter = batch.chapter
    counts = ImportCounts()
    try:
        with transaction.atomic():
            _claim_batch_for_applying(batch)
            label = formats.source_label(batch.headers, batch.file_name)
            counts = _ImportApplier(plan, owner=owner, chapter=chapter, actor=user, label=label).apply()
            _finish_batch(batch, ImportStatus.SUCCEEDED, checked, counts, dry_run=dry_run)
            record_audit(
                AuditEvent.PEOPLE_IMPORTED, actor=actor, target=batch,
                summary=f"imported {batch.file_name}: {counts.inserted} new, {counts.updated} updated, "
                        f"{counts.unchanged} unchanged",
                details={"file_name": batch.file_name, "sha256": batch.sha256, "rows": checked.row_count,
                         "chapter": chapter.slug if chapter else None, "owner": owner.label, **counts.as_dict(),
                         "people_created": plan.new_count, "people_matched_by_email": len(plan.existing_ids)},
            )  # fmt: skip
            if dry_run:
                raise _DryRunRollback
            # New and changed people may be someone already here: rescore them (committed with the import).
            do_queue_duplicate_refresh(actor=actor)
    except _DryRunRollback:
        batch.refresh_from_db()
    else:
        _refresh_planner_statistics(counts)
    return ImportResult(counts=counts, row_count=checked.row_count, dry_run=dry_run)


def _claim_batch_for_applying(batch: ImportBatch) -> None:
    """The first statement of the import's transaction: a batch is applied at most once. On PostgreSQL a
    second transaction's UPDATE waits on the row's lock until the first commits, then finds the batch
    imported and updates nothing; on SQLite the write lock taken at BEGIN queues them the same way."""
    if (
        not ImportBatch.objects.filter(pk=batch.pk)
        .exclude(status=ImportStatus.SUCCEEDED)
        .update(status=ImportStatus.RUNNING)
    ):
        raise ImportAlreadyApplied(f"{batch.file_name} was imported already")


def result_of_applied_batch(batch: ImportBatch) -> ImportResult:
    """What an applied batch's import did, as it recorded it."""
    counts = ImportCounts(inserted=batch.inserted, updated=batch.updated, unchanged=batch.unchanged)
    return ImportResult(counts=counts, row_count=batch.row_count)


# Tables whose statistics the people list's query plans depend on (see bench/people_import.py).
_PLANNED_TABLES = (Person, PersonView, EmailAddress, PhoneNumber, PersonTag, Tag, Membership, DetailFact)
ANALYZE_AFTER_INSERTED = 10_000


def _refresh_planner_statistics(counts: ImportCounts) -> None:
    """After a big import, tell the query planner how the tables look now. Without statistics SQLite
    reads the people list through the merged_into index and sorts every row (80 ms at 200,000
    people) instead of walking person_live_by_name (under 1 ms); PostgreSQL's autovacuum would
    catch up, but only later. Skipped for small imports, which do not change the plans."""
    if counts.inserted < ANALYZE_AFTER_INSERTED:
        return
    # PostgreSQL: VACUUM too, so that counting live people is an index-only scan (its visibility map
    # is empty after a bulk load); VACUUM cannot run inside a transaction, where ANALYZE alone will do.
    vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
    with connection.cursor() as cursor:
        for model in _PLANNED_TABLES:
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"VACUUM (ANALYZE) {table}" if vacuum else f"ANALYZE {table}")


def _finish_batch(
    batch: ImportBatch, status: str, checked: CheckedFile, counts: ImportCounts | None, *, dry_run: bool
) -> None:
    if dry_run:
        return
    batch.status = status
    batch.row_count = checked.row_count
    batch.error_count = len(checked.errors)
    batch.errors = [e.as_dict() for e in checked.errors[:STORED_ERRORS]]
    batch.finished_at = timezone.now()
    if counts is not None:
        batch.inserted, batch.updated, batch.unchanged = counts.inserted, counts.updated, counts.unchanged
    batch.save()


def batch_owner(batch: ImportBatch) -> Owner:
    """The owner a batch imports into (batches uploaded before owners were kept: their chapter's, or national)."""
    if batch.owner_id is not None:
        assert batch.owner is not None
        return batch.owner
    return import_owner(None, batch.chapter)


def import_batches_visible_to(user: AnyUser) -> QuerySet[ImportBatch]:
    """Imports the user started (national staff see all); nothing for those who may not import."""
    scope = scope_for(user)
    batches = ImportBatch.objects.select_related("chapter", "job", "created_by")
    if scope.national:
        return batches
    if not scope.is_leader_or_above:
        return batches.none()
    return batches.filter(created_by_id=scope.user_id)


def get_import_batch(user: AnyUser, batch_id: int) -> ImportBatch:
    """One import the user may see, or 404 — the same for another leader's import as for a missing one."""
    return get_object_or_404(import_batches_visible_to(user), pk=batch_id)

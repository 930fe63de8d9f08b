"""Importing people from a CSV file, as organizers export them from Action Network or VAN.

The steps: store the upload (``do_upload_people_file``), map its columns to Person fields
(``guess_mapping``, ``do_save_column_mapping``), read and check every row (``read_people_rows``),
match rows to people already known and to earlier rows of the same file (``plan_import``), and
apply the plan in one transaction (``do_import_people``). An import with any bad row writes nothing.

Matching follows ``actions.find_existing_person`` (any email first, then any phone, following
merges) but looks the file's addresses up in bulk; where a row's contacts point at more than one
known person, it asks ``find_existing_person`` itself, so the tie-break stays one rule.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, models, transaction
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from groundswell.chapters.access import AnyUser, scope_for
from groundswell.chapters.geo import STATE_NAMES
from groundswell.chapters.models import Chapter
from groundswell.core.audit import record_audit
from groundswell.core.jobs import NoProgress, ProgressReporter
from groundswell.core.models import AuditEvent, Job, User
from groundswell.people.actions import PersonDetails, find_existing_person
from groundswell.people.models import (
    ColumnMapping,
    ConsentChannel,
    ConsentEvent,
    EmailAddress,
    ImportBatch,
    ImportStatus,
    Membership,
    MembershipStatus,
    Person,
    PersonTag,
    PhoneKind,
    PhoneNumber,
    Tag,
    TimelineEntry,
    TimelineKind,
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
    """A field for every column, from its header; a single-valued field goes to its first column only."""
    mapping, taken = [], set()
    for header in headers:
        field_name = _guess_field(header)
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
        return guess_mapping(headers), False
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
    if not any(f in mapping for f in ("first_name", "last_name", "full_name", "email", "phone")):
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
            yield from enumerate(reader, start=2)

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
    if field_name == "email":
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
        setattr(row, field_name, clean_yes_no(value))
    elif field_name == "tags":
        for tag in (t.strip() for t in value.split(",")):
            if tag:
                _append_unique(row.tags, tag if len(tag) <= 60 else _too_long(tag, 60))
    elif field_name == "notes":
        row.notes = f"{row.notes}\n{value}".strip()
    else:
        limit = MAX_LENGTHS[field_name]
        setattr(row, field_name, value if len(value) <= limit else _too_long(value, limit))


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


def clean_yes_no(value: str) -> bool:
    answer = value.strip().lower()
    if answer in _YES:
        return True
    if answer in _NO:
        return False
    raise ValueError(f"{value!r} is not yes or no (use yes/no, true/false, y/n or 1/0)")


# --------------------------------------------------------------------------- matching


@dataclass(frozen=True)
class Known:
    """Who an address or number already belongs to: a person in the database or an earlier row."""

    person_id: int | None = None
    new_index: int | None = None


@dataclass
class ImportPlan:
    """Each good row assigned to a target: an existing person, or one of the people to create."""

    rows: list[ImportRow]
    # For each row: ("person", id) or ("new", index into new_people).
    targets: list[tuple[str, int]]
    new_count: int
    existing_ids: set[int]
    matched_rows: int = 0
    repeat_rows: int = 0


_LOOKUP_CHUNK = 900  # below SQLite's old 999-parameter limit


def plan_import(rows: list[ImportRow], *, progress: ProgressReporter | None = None) -> ImportPlan:
    """Match every row in bulk: addresses and numbers are looked up a chunk at a time."""
    progress = progress or NoProgress()
    progress.phase("Matching people already known", total=len(rows))
    emails = _known_contacts(EmailAddress, "address", {e for r in rows for e in r.emails})
    phones = _known_contacts(PhoneNumber, "number", {p for r in rows for p in r.phones})
    merged = _merge_targets({*emails.values(), *phones.values()})
    file_emails: dict[str, int] = {}
    file_phones: dict[str, int] = {}
    plan = ImportPlan(rows=rows, targets=[], new_count=0, existing_ids=set())
    for row in rows:
        target = _match_row(row, emails, phones, merged, file_emails, file_phones)
        if target is None:
            target = ("new", plan.new_count)
            plan.new_count += 1
        elif target[0] == "person":
            plan.existing_ids.add(target[1])
            plan.matched_rows += 1
        else:
            plan.repeat_rows += 1
        if target[0] == "new":
            for email in row.emails:
                if email not in emails:
                    file_emails.setdefault(email, target[1])
            for phone in row.phones:
                if phone not in phones:
                    file_phones.setdefault(phone, target[1])
        plan.targets.append(target)
        progress.advance()
    return plan


def _known_contacts(model: type[EmailAddress] | type[PhoneNumber], column: str, values: set[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    ordered = sorted(values)
    for start in range(0, len(ordered), _LOOKUP_CHUNK):
        chunk = ordered[start : start + _LOOKUP_CHUNK]
        found.update(model.objects.filter(**{f"{column}__in": chunk}).values_list(column, "person_id"))
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
    row: ImportRow,
    emails: dict[str, int],
    phones: dict[str, int],
    merged: dict[int, int],
    file_emails: dict[str, int],
    file_phones: dict[str, int],
) -> tuple[str, int] | None:
    """Email before phone, as find_existing_person does; people already stored before earlier rows."""
    for values, known, from_file in ((row.emails, emails, file_emails), (row.phones, phones, file_phones)):
        people = {merged.get(known[v], known[v]) for v in values if v in known}
        if len(people) == 1:
            return ("person", people.pop())
        if len(people) > 1:
            # The contacts belong to several people: let find_existing_person break the tie.
            person = find_existing_person(row.as_details())
            assert person is not None
            return ("person", person.pk)
        earlier = sorted({from_file[v] for v in values if v in from_file})
        if earlier:
            return ("new", earlier[0])
    return None


# --------------------------------------------------------------------------- applying


@dataclass
class ImportCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"inserted": self.inserted, "updated": self.updated, "unchanged": self.unchanged}


_PERSON_FIELDS = ("first_name", "middle_name", "last_name", "address_line1", "address_line2", "city", "state",
                  "zip_code")  # fmt: skip
_BATCH = 1000


@dataclass
class _Target:
    """A person as the rows leave them: what to write, and whether anything changed."""

    person: Person
    is_new: bool
    changed_fields: set[str] = field(default_factory=set)
    has_email: bool = False
    has_phone: bool = False
    consent_history: set[str] = field(default_factory=set)
    tag_names: set[str] = field(default_factory=set)
    touched: bool = False


@dataclass
class _Writes:
    """Rows to insert, each with its target (whose id is known only once new people are created)."""

    emails: list[tuple[_Target, str, bool]] = field(default_factory=list)
    phones: list[tuple[_Target, str, bool]] = field(default_factory=list)
    consents: list[tuple[_Target, str, bool]] = field(default_factory=list)
    person_tags: list[tuple[_Target, str]] = field(default_factory=list)


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


def _agreed(granted: bool) -> str:
    return "Agreed to" if granted else "Withdrew from"


class _ImportApplier:
    """Turns a plan into rows written in bulk. Runs inside the caller's transaction."""

    def __init__(self, plan: ImportPlan, *, chapter: Chapter | None, actor: User | None, label: str) -> None:
        self.plan, self.chapter, self.actor = plan, chapter, actor
        self.source = f"import: {label}"[:120]
        self.now = timezone.now()
        self.db_now = connection.ops.adapt_datetimefield_value(self.now)
        self.actor_id = actor.pk if actor is not None else None
        self.chapter_id = chapter.pk if chapter is not None else None
        self.writes = _Writes()
        self.claimed_emails: set[str] = set()
        self.claimed_phones: set[str] = set()

    def apply(self) -> ImportCounts:
        existing = self._load_existing()
        new = [
            _Target(Person(source=self.source, created_at=self.now), is_new=True) for _ in range(self.plan.new_count)
        ]
        self._reserve_known_contacts()
        for row, (kind, key) in zip(self.plan.rows, self.plan.targets, strict=True):
            self._apply_row(existing[key] if kind == "person" else new[key], row)
        self._create_people(new)
        self._update_people(existing.values())
        self._write_contacts()
        self._write_tags()
        self._write_consents()
        joined = self._write_memberships([*new, *existing.values()])
        self._write_timeline(new, existing.values(), joined)
        touched = sum(1 for t in existing.values() if t.touched)
        return ImportCounts(inserted=len(new), updated=touched, unchanged=len(existing) - touched)

    def _load_existing(self) -> dict[int, _Target]:
        ids = sorted(self.plan.existing_ids)
        targets: dict[int, _Target] = {}
        for start in range(0, len(ids), _LOOKUP_CHUNK):
            chunk = ids[start : start + _LOOKUP_CHUNK]
            for person in Person.objects.filter(pk__in=chunk):
                targets[person.pk] = _Target(person, is_new=False)
            for person_id in EmailAddress.objects.filter(person_id__in=chunk).values_list("person_id", flat=True):
                targets[person_id].has_email = True
            for person_id in PhoneNumber.objects.filter(person_id__in=chunk).values_list("person_id", flat=True):
                targets[person_id].has_phone = True
            for person_id, channel in ConsentEvent.objects.filter(person_id__in=chunk).values_list(
                "person_id", "channel"
            ):
                targets[person_id].consent_history.add(channel)
            for person_id, tag_name in PersonTag.objects.filter(person_id__in=chunk).values_list(
                "person_id", "tag__name"
            ):
                targets[person_id].tag_names.add(tag_name)
        return targets

    def _reserve_known_contacts(self) -> None:
        """Addresses and numbers someone already has are never moved to another person."""
        self.claimed_emails = set(
            _known_contacts(EmailAddress, "address", {e for r in self.plan.rows for e in r.emails})
        )
        self.claimed_phones = set(_known_contacts(PhoneNumber, "number", {p for r in self.plan.rows for p in r.phones}))

    def _apply_row(self, target: _Target, row: ImportRow) -> None:
        person = target.person
        for name in _PERSON_FIELDS:
            value = getattr(row, name)
            if value and getattr(person, name) != value:
                setattr(person, name, value)
                target.changed_fields.add(name)
        if row.birth_year and person.birth_year != row.birth_year:
            person.birth_year = row.birth_year
            target.changed_fields.add("birth_year")
        if row.notes:
            person.notes = f"{person.notes}\n{row.notes}".strip()
            target.changed_fields.add("notes")
        self._add_contacts(target, row)
        for tag_name in row.tags:
            if tag_name not in target.tag_names:
                target.tag_names.add(tag_name)
                self.writes.person_tags.append((target, tag_name))
                target.touched = True
        for channel, granted in ((ConsentChannel.EMAIL, row.email_consent), (ConsentChannel.SMS, row.sms_consent)):
            if granted is not None:
                self._set_consent(target, channel, granted)
        if target.changed_fields:
            target.touched = True

    def _add_contacts(self, target: _Target, row: ImportRow) -> None:
        for address in row.emails:
            if address not in self.claimed_emails:
                self.claimed_emails.add(address)
                self.writes.emails.append((target, address, not target.has_email))
                target.has_email = target.touched = True
        for number in row.phones:
            if number not in self.claimed_phones:
                self.claimed_phones.add(number)
                self.writes.phones.append((target, number, not target.has_phone))
                target.has_phone = target.touched = True

    def _set_consent(self, target: _Target, channel: str, granted: bool) -> None:
        """As actions._set_consent: an event when the answer changes or none was ever recorded."""
        field_name = "email_opt_in" if channel == ConsentChannel.EMAIL else "sms_opt_in"
        if getattr(target.person, field_name) == granted and channel in target.consent_history:
            return
        target.consent_history.add(channel)
        setattr(target.person, field_name, granted)
        target.changed_fields.add(field_name)
        self.writes.consents.append((target, channel, granted))

    def _create_people(self, new: list[_Target]) -> None:
        for target in new:
            target.person.sort_name = sort_name_for(target.person.first_name, target.person.last_name)
        Person.objects.bulk_create([t.person for t in new], batch_size=_BATCH)

    def _update_people(self, existing: Iterable[_Target]) -> None:
        changed = [t for t in existing if t.changed_fields]
        if not changed:
            return
        fields = sorted({"updated_at", "sort_name"} | set().union(*(t.changed_fields for t in changed)))
        for target in changed:
            target.person.sort_name = sort_name_for(target.person.first_name, target.person.last_name)
            target.person.updated_at = self.now
        Person.objects.bulk_update([t.person for t in changed], fields, batch_size=_BATCH)

    def _write_contacts(self) -> None:
        now = self.db_now
        _insert_many(
            EmailAddress, ("person", "address", "is_primary", "created_at"),
            ((t.person.pk, address, primary, now) for t, address, primary in self.writes.emails),
        )  # fmt: skip
        _insert_many(
            PhoneNumber, ("person", "number", "digits_reversed", "kind", "is_primary", "created_at"),
            ((t.person.pk, number, reversed_digits(number), PhoneKind.OTHER, primary, now)
             for t, number, primary in self.writes.phones),
        )  # fmt: skip

    def _write_tags(self) -> None:
        names = sorted({name for _, name in self.writes.person_tags})
        if not names:
            return
        Tag.objects.bulk_create([Tag(name=n) for n in names], ignore_conflicts=True, batch_size=_BATCH)
        tag_ids = dict(Tag.objects.filter(name__in=names).values_list("name", "pk"))
        # Only tags the person does not have yet are listed (see _apply_row), so no pair repeats.
        _insert_many(
            PersonTag, ("person", "tag", "added_at"),
            ((t.person.pk, tag_ids[name], self.db_now) for t, name in self.writes.person_tags),
        )  # fmt: skip

    def _write_consents(self) -> None:
        _insert_many(
            ConsentEvent, ("person", "channel", "granted", "method", "occurred_at", "recorded_by"),
            ((t.person.pk, channel, granted, self.source, self.db_now, self.actor_id)
             for t, channel, granted in self.writes.consents),
        )  # fmt: skip
        self._insert_timeline(
            (t.person.pk, TimelineKind.CONSENT, f"{_agreed(granted)} {channel} ({self.source})")
            for t, channel, granted in self.writes.consents
        )

    def _write_memberships(self, targets: list[_Target]) -> set[int]:
        """Every imported person an active member of the chapter. Returns who joined (or rejoined)."""
        if self.chapter is None:
            return set()
        person_ids = [t.person.pk for t in targets]
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
            Membership, ("person", "chapter", "status", "joined_on", "source", "created_at"),
            ((pid, self.chapter_id, MembershipStatus.ACTIVE, joined_on, self.source, self.db_now) for pid in joining),
        )  # fmt: skip
        joined = {*joining, *(m.person_id for m in rejoining)}
        for target in targets:
            if target.person.pk in joined and not target.is_new:
                target.touched = True
        return joined

    def _write_timeline(self, new: list[_Target], existing: Iterable[_Target], joined: set[int]) -> None:
        entries = [(t.person.pk, TimelineKind.IMPORTED, f"Imported from {self.source}") for t in new]
        entries += [(t.person.pk, TimelineKind.UPDATED, f"Updated from {self.source}") for t in existing if t.touched]
        if self.chapter is not None:
            entries += [(pid, TimelineKind.JOINED, f"Joined {self.chapter.name}") for pid in sorted(joined)]
        self._insert_timeline(entries)

    def _insert_timeline(self, entries: Iterable[tuple[int, str, str]]) -> None:
        _insert_many(
            TimelineEntry, ("person", "kind", "occurred_at", "summary", "chapter", "actor"),
            ((pid, kind, self.db_now, summary[:300], self.chapter_id, self.actor_id) for pid, kind, summary in entries),
        )  # fmt: skip


# --------------------------------------------------------------------------- the actions


def can_import_people(user: AnyUser) -> bool:
    return scope_for(user).is_leader_or_above


def require_chapter_choice(user: AnyUser, chapter: Chapter | None) -> None:
    """Staff and coordinators may import without a chapter; a chapter leader must pick one of theirs."""
    scope = scope_for(user)
    if chapter is not None and not scope.manages_chapter(chapter):
        raise ImportFileError("You can import only into a chapter you manage.")
    if chapter is None and not (scope.national or scope.coordinator_states):
        raise ImportFileError("Choose which of your chapters these people are joining.")


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
        delimiter=table.format.delimiter, headers=table.headers, mapping=mapping, chapter=chapter,
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
        """The first rows as they will be imported: (row number, new or matched, cells)."""
        labels = {"person": "matches someone known", "new": "new"}
        return [
            (row.row, labels[kind] if kind == "person" or self._first_of_new(i, key) else "repeats an earlier row",
             [_preview_cell(row, f) for f in PREVIEW_FIELDS])
            for i, (row, (kind, key)) in enumerate(
                zip(self.checked.rows[: self.sample_size], self.plan.targets, strict=False)
            )
        ]  # fmt: skip

    def _first_of_new(self, index: int, key: int) -> bool:
        return ("new", key) not in self.plan.targets[:index]

    def stored(self, mapping: Sequence[str]) -> StoredPreview:
        errors = self.checked.errors
        return StoredPreview(
            mapping=list(mapping), rows=self.checked.row_count, good_rows=len(self.checked.rows),
            new=self.plan.new_count, matched=self.plan.matched_rows, repeated=self.plan.repeat_rows,
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
    sample: list[list[Any]]  # [row number, "new" / "matches someone known" / ..., cells]

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
    plan = plan_import(checked.rows, progress=progress)
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


def sample_records(batch: ImportBatch, count: int) -> list[list[str]]:
    """The first few records as they are in the file, for the mapping page."""
    records: list[list[str]] = []
    for _, record in table_for(batch).records():
        if len(records) == count:
            break
        records.append(record)
    return records


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
    plan = plan_import(checked.rows, progress=progress)
    progress.phase("Saving", total=None)
    user = actor if isinstance(actor, User) else None
    chapter = batch.chapter
    counts = ImportCounts()
    try:
        with transaction.atomic():
            counts = _ImportApplier(plan, chapter=chapter, actor=user, label=batch.file_name).apply()
            _finish_batch(batch, ImportStatus.SUCCEEDED, checked, counts, dry_run=dry_run)
            record_audit(
                AuditEvent.PEOPLE_IMPORTED, actor=actor, target=batch,
                summary=f"imported {batch.file_name}: {counts.inserted} new, {counts.updated} updated, "
                        f"{counts.unchanged} unchanged",
                details={"file_name": batch.file_name, "sha256": batch.sha256, "rows": checked.row_count,
                         "chapter": chapter.slug if chapter else None, **counts.as_dict()},
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


# Tables whose statistics the people list's query plans depend on (see bench/people_import.py).
_PLANNED_TABLES = (Person, EmailAddress, PhoneNumber, PersonTag, Tag, Membership)
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

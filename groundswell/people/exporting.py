"""Exporting the people a user may see as CSV, with the people list's filters.

The columns are ones the importer recognises, so an export can be edited and imported back.
Every export is audited with its filters and row count.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet

from groundswell.chapters.access import AnyUser, scope_for
from groundswell.core.audit import record_audit
from groundswell.core.models import AuditEvent
from groundswell.people.normalize import format_phone
from groundswell.people.selectors import SeenPerson, filter_people, get_filter_chapter, get_tag, seen_people

HEADER = ("First Name", "Middle Name", "Last Name", "Email", "Other Emails", "Phone", "Other Phones", "Address",
          "Address 2", "City", "State", "Zip", "Birth Year", "Tags", "Email Opt-in", "SMS Opt-in", "Added")  # fmt: skip
# Spreadsheets run a cell that starts with one of these as a formula (CSV injection, OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_CHUNK = 2000


_YES_NO = {"yes": True, "no": False}


@dataclass(frozen=True)
class ExportFilters:
    """The people list's filters, under the list's own parameter names: search text, chapter and tag
    (ids), and email / sms consent (yes or no)."""

    q: str = ""
    chapter: str = ""
    tag: str = ""
    email: str = ""
    sms: str = ""

    @classmethod
    def from_query(cls, params: Mapping[str, str]) -> ExportFilters:
        return cls(**{name: str(params.get(name, "")).strip() for name in ("q", "chapter", "tag", "email", "sms")})

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in asdict(self).items() if v}


def people_for_export(user: AnyUser, filters: ExportFilters) -> QuerySet[Any]:
    """Exactly the people list's rows (selectors.filter_people); a chapter out of scope is a 404."""
    chapter = get_filter_chapter(user, int(filters.chapter)) if filters.chapter.isdigit() else None
    tag = get_tag(int(filters.tag)) if filters.tag.isdigit() else None
    return filter_people(
        user, query=filters.q, chapter=chapter, tag=tag, email_opt_in=_YES_NO.get(filters.email),
        sms_opt_in=_YES_NO.get(filters.sms),
    )  # fmt: skip


def neutralize(cell: str) -> str:
    """A leading apostrophe makes a spreadsheet show the cell as text instead of running it."""
    return f"'{cell}" if cell.startswith(FORMULA_STARTS) else cell


def person_cells(person: SeenPerson) -> list[str]:
    """One person as the exporter sees them: their scope's view and facts, nothing else."""
    emails = [e.value for e in person.emails]
    phones = [format_phone(p.value) for p in person.phones]
    cells = [
        person.first_name, person.middle_name, person.last_name, emails[0] if emails else "", "; ".join(emails[1:]),
        phones[0] if phones else "", "; ".join(phones[1:]), person.address_line1, person.address_line2, person.city,
        person.state, person.zip_code, str(person.birth_year or ""), ", ".join(person.tags),
        _yes_no(person.email_opt_in), _yes_no(person.sms_opt_in),
        person.created_at.date().isoformat() if person.created_at else "",
    ]  # fmt: skip
    return [neutralize(cell) for cell in cells]


def _yes_no(value: bool) -> str:
    # Blank, not "no", when someone has not opted in: re-importing the file must not record a
    # refusal that the person never gave.
    return "yes" if value else ""


class _Line:
    """csv.writer writes into this and we hand each line on as it is made."""

    def write(self, value: str) -> str:
        return value


def do_export_people(user: AnyUser, *, filters: ExportFilters) -> Iterator[str]:
    """Audit the export (filters and row count), then yield the CSV a line at a time."""
    if not scope_for(user).can_export_people:
        raise PermissionDenied("You may not export people.")
    people = people_for_export(user, filters)
    row_count = people.count()
    with transaction.atomic():
        record_audit(
            AuditEvent.PEOPLE_EXPORTED, actor=user, summary=f"exported {row_count} people",
            details={"filters": filters.as_dict(), "rows": row_count},
        )  # fmt: skip
    return _csv_lines(user, people)


def _csv_lines(user: AnyUser, rows: QuerySet[Any]) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield "\ufeff"  # so that Excel opens the file as UTF-8
    yield writer.writerow(HEADER)
    chunk: list[Any] = []
    for row in rows.iterator(chunk_size=_CHUNK):
        chunk.append(row)
        if len(chunk) == _CHUNK:
            yield from (writer.writerow(person_cells(p)) for p in seen_people(user, chunk))
            chunk = []
    yield from (writer.writerow(person_cells(p)) for p in seen_people(user, chunk))

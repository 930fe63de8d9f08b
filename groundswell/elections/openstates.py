"""Reading Open States people: the legislators CSV and the people repository's YAML layout
(``data/<state>/legislature/*.yml``). Both become the same rows; nothing here writes."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any

import yaml

from groundswell.chapters.geo import STATE_NAMES
from groundswell.geo.importing import ImportRejected, RowError

CHAMBERS = ("lower", "upper", "legislature")
REQUIRED_COLUMNS = ("state", "chamber", "district", "name", "party", "ocd_person_id")


@dataclass(frozen=True)
class LegislatorRow:
    line: int
    state: str
    chamber: str
    district: str
    name: str
    party: str
    ocd_person_id: str
    start_date: date | None
    email: str
    phone: str


def read_legislators_csv(handle: IO[str], *, states: set[str] | None = None) -> list[LegislatorRow]:
    reader = csv.DictReader(handle)
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ImportRejected([RowError(1, c, "column missing from the header") for c in missing])
    rows: list[LegislatorRow] = []
    errors: list[RowError] = []
    for line, record in enumerate(reader, start=2):
        if states and record.get("state", "").strip().lower() not in states:
            continue
        row = _validated(line, record, errors)
        if row is not None:
            rows.append(row)
    if errors:
        raise ImportRejected(errors)
    return rows


def read_legislators_yaml(paths: list[Path], *, today: date, states: set[str] | None = None) -> list[LegislatorRow]:
    """One person per file; the current role is a legislative role without an end date (or ending
    on or after ``today``); the party is every party entry that has not ended, joined with '/'."""
    rows, errors = [], []
    for index, path in enumerate(sorted(paths), start=1):
        try:
            person = yaml.safe_load(path.read_text())
        except yaml.YAMLError as exc:
            errors.append(RowError(index, f"{path.name}: file", f"not valid YAML ({exc})"))
            continue
        record = _record_from_person(person, today=today)
        if record is None:
            continue  # no current legislative role: not a sitting legislator
        if states and record["state"] not in states:
            continue
        row = _validated(index, record, errors, prefix=f"{path.name}: ")
        if row is not None:
            rows.append(row)
    if errors:
        raise ImportRejected(errors)
    return rows


def yaml_paths(root: Path) -> list[Path]:
    """A people-repository folder (or one state's folder, or a single file) -> its legislator files."""
    if root.is_file():
        return [root]
    return sorted(p for p in root.rglob("*.yml") if "legislature" in p.parts or root.name == "legislature")


def _record_from_person(person: Any, *, today: date) -> dict[str, str] | None:
    if not isinstance(person, dict):
        return None
    roles = [
        r
        for r in person.get("roles") or []
        if r.get("type") in CHAMBERS and (not r.get("end_date") or str(r["end_date"]) >= today.isoformat())
    ]
    if not roles:
        return None
    role = roles[-1]
    parties = [
        p["name"] for p in person.get("party") or [] if not p.get("end_date") or str(p["end_date"]) >= today.isoformat()
    ]
    phones = [o.get("voice", "") for o in person.get("offices") or [] if o.get("classification") == "capitol"]
    jurisdiction = str(role.get("jurisdiction", ""))
    state = jurisdiction.split("state:")[-1].split("/")[0] if "state:" in jurisdiction else ""
    if "district:dc" in jurisdiction:
        state = "dc"
    return {
        "state": state,
        "chamber": str(role.get("type", "")),
        "district": str(role.get("district", "")),
        "name": str(person.get("name", "")),
        "party": "/".join(parties),
        "ocd_person_id": str(person.get("id", "")),
        "role_start_date": str(role.get("start_date", "") or ""),
        "email": str(person.get("email", "") or ""),
        "capitol_phone": phones[0] if phones else "",
    }


def _validated(line: int, record: dict[str, str], errors: list[RowError], prefix: str = "") -> LegislatorRow | None:
    before = len(errors)

    def bad(field: str, message: str) -> None:
        errors.append(RowError(line, prefix + field, message))

    state = (record.get("state") or "").strip().lower()
    if state.upper() not in STATE_NAMES:
        bad("state", f"{state!r} is not a US state code")
    chamber = (record.get("chamber") or "").strip().lower()
    if chamber not in CHAMBERS:
        bad("chamber", f"{chamber!r} is not one of {', '.join(CHAMBERS)}")
    for required in ("district", "name"):
        if not (record.get(required) or "").strip():
            bad(required, "is empty")
    person_id = (record.get("ocd_person_id") or "").strip()
    if not person_id.startswith("ocd-person/"):
        bad("ocd_person_id", f"{person_id!r} is not an ocd-person id")
    start = _parse_date(record.get("role_start_date") or "")
    if start is False:
        bad("role_start_date", f"{record.get('role_start_date')!r} is not a date (YYYY-MM-DD)")
    email = (record.get("email") or "").strip()
    if email and "@" not in email:
        bad("email", f"{email!r} is not an email address")
    if len(errors) > before:
        return None
    return LegislatorRow(
        line=line,
        state=state,
        chamber=chamber,
        district=record["district"].strip(),
        name=record["name"].strip(),
        party=(record.get("party") or "").strip(),
        ocd_person_id=person_id,
        start_date=start if isinstance(start, date) else None,
        email=email,
        phone=(record.get("capitol_phone") or "").strip(),
    )


def _parse_date(text: str) -> date | bool | None:
    """None for blank, False for not a date. Open States dates may be 'YYYY', 'YYYY-MM' or full."""
    text = text.strip()
    if not text:
        return None
    parts = text.split("-")
    try:
        numbers = [int(p) for p in parts] + [1] * (3 - len(parts))
        return date(numbers[0], numbers[1], numbers[2])
    except (ValueError, IndexError):
        return False


def text_stream(data: bytes) -> io.StringIO:
    return io.StringIO(data.decode("utf-8-sig"))

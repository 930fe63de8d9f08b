"""Translating between Groundswell's people and OSDI 1.1 person resources (HAL+JSON)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from django.db.models import Q
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.timezone import make_aware

from groundswell.api.base import CURIES, ApiInputError
from groundswell.people.actions import PersonDetails
from groundswell.people.normalize import normalize_email, normalize_phone, normalize_zip
from groundswell.people.selectors import SeenPerson

OsdiInputError = ApiInputError


def _date(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def person_resource(person: SeenPerson, base: str, identifiers: list[str]) -> dict[str, Any]:
    """A person as OSDI shows one: the caller's view of them (people.selectors.seen_people)."""
    self_href = f"{base}/people/{person.uid}"
    return {
        "identifiers": identifiers,
        "given_name": person.first_name,
        "additional_name": person.middle_name,
        "family_name": person.last_name,
        "honorific_suffix": person.suffix,
        "birthdate": {"year": person.birth_year} if person.birth_year else None,
        "email_addresses": [
            {
                "address": email.value,
                "primary": email.is_primary,
                "status": "subscribed" if person.email_opt_in else "unsubscribed",
            }
            for email in person.emails
        ],
        "phone_numbers": [
            {
                "number": phone.value,
                "primary": phone.is_primary,
                "number_type": phone.kind,
                "sms_capable": phone.kind == "mobile",
                "status": "subscribed" if person.sms_opt_in else "unsubscribed",
            }
            for phone in person.phones
        ],
        "postal_addresses": [
            {
                "primary": True,
                "address_lines": [line for line in (person.address_line1, person.address_line2) if line],
                "locality": person.city,
                "region": person.state,
                "postal_code": person.zip_code,
                "country": person.country,
            }
        ]
        if person.address_line1 or person.city or person.zip_code
        else [],
        "custom_fields": {"source": person.source} if person.source else {},
        "groundswell:tags": list(person.tags),
        "created_date": _date(person.created_at) if person.created_at else None,
        "modified_date": _date(person.updated_at) if person.updated_at else None,
        "_links": {
            "self": {"href": self_href},
            "osdi:taggings": {"href": f"{self_href}/taggings"},
            "curies": CURIES,
        },
    }


def _text(payload: dict[str, Any], key: str, field: str, limit: int = 80) -> str:
    value = payload.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise OsdiInputError(field, "must be a string")
    if len(value) > limit:
        raise OsdiInputError(field, f"is longer than {limit} characters")
    return value.strip()


def _list(payload: dict[str, Any], key: str, field: str) -> list[dict[str, Any]]:
    value = payload.get(key) or []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise OsdiInputError(field, "must be a list of objects")
    return value


def _consent(statuses: list[str]) -> bool | None:
    if "subscribed" in statuses:
        return True
    if "unsubscribed" in statuses:
        return False
    return None


def person_details(payload: Any, field: str = "person") -> PersonDetails:
    """Read an OSDI person object into PersonDetails, or raise OsdiInputError naming the field."""
    if not isinstance(payload, dict):
        raise OsdiInputError(field, "must be an object")
    details = PersonDetails(
        first_name=_text(payload, "given_name", f"{field}.given_name"),
        middle_name=_text(payload, "additional_name", f"{field}.additional_name"),
        last_name=_text(payload, "family_name", f"{field}.family_name"),
        suffix=_text(payload, "honorific_suffix", f"{field}.honorific_suffix", 16),
    )
    email_statuses = []
    for i, item in enumerate(_list(payload, "email_addresses", f"{field}.email_addresses")):
        where = f"{field}.email_addresses[{i}].address"
        try:
            details.emails.append(normalize_email(str(item.get("address", ""))))
        except ValueError as exc:
            raise OsdiInputError(where, str(exc)) from None
        email_statuses.append(str(item.get("status", "")))
    phone_statuses = []
    for i, item in enumerate(_list(payload, "phone_numbers", f"{field}.phone_numbers")):
        where = f"{field}.phone_numbers[{i}].number"
        try:
            details.phones.append(normalize_phone(str(item.get("number", ""))))
        except ValueError as exc:
            raise OsdiInputError(where, str(exc)) from None
        phone_statuses.append(str(item.get("status", "")))
    addresses = _list(payload, "postal_addresses", f"{field}.postal_addresses")
    if addresses:
        _read_address(details, addresses[0], f"{field}.postal_addresses[0]")
    details.email_consent = _consent(email_statuses)
    details.sms_consent = _consent(phone_statuses)
    if not (details.first_name or details.last_name or details.emails or details.phones):
        raise OsdiInputError(field, "needs a name, an email address or a phone number")
    return details


def _read_address(details: PersonDetails, address: dict[str, Any], field: str) -> None:
    lines = address.get("address_lines") or []
    if not isinstance(lines, list) or not all(isinstance(line, str) for line in lines):
        raise OsdiInputError(f"{field}.address_lines", "must be a list of strings")
    details.address_line1 = lines[0].strip() if lines else ""
    details.address_line2 = ", ".join(line.strip() for line in lines[1:])
    details.city = _text(address, "locality", f"{field}.locality")
    region = _text(address, "region", f"{field}.region")
    if region and (len(region) != 2 or not region.isalpha()):
        raise OsdiInputError(f"{field}.region", f"{region!r} is not a two-letter state code")
    details.state = region.upper()
    postal_code = _text(address, "postal_code", f"{field}.postal_code")
    if postal_code:
        try:
            details.zip_code = normalize_zip(postal_code)
        except ValueError as exc:
            raise OsdiInputError(f"{field}.postal_code", str(exc)) from None


_FILTER = re.compile(r"^\s*(modified_date|created_date|email_address)\s+(gt|lt|eq)\s+'([^']*)'\s*$")
_DATE_FIELDS = {"modified_date": "updated_at", "created_date": "created_at"}


def filter_q(expression: str, emails_in_scope: Callable[[str], Q]) -> Q:
    """OSDI's OData-style filter: ``modified_date gt '2024-01-01'``; clauses joined by ``and``.
    ``emails_in_scope`` turns an address into a condition on the rows, over the caller's own facts."""
    q = Q()
    for clause in re.split(r"\s+and\s+", expression.strip()):
        match = _FILTER.match(clause)
        if not match:
            raise OsdiInputError("filter", f"cannot read {clause!r}; use e.g. modified_date gt '2024-01-01T00:00:00Z'")
        name, op, value = match.groups()
        if name == "email_address":
            if op != "eq":
                raise OsdiInputError("filter", "email_address supports only eq")
            q &= emails_in_scope(value.strip().lower())
            continue
        q &= Q(**{f"{_DATE_FIELDS[name]}__{'gt' if op == 'gt' else 'lt' if op == 'lt' else 'date'}": _when(value, op)})
    return q


def _when(value: str, op: str) -> dt.datetime | dt.date:
    moment = parse_datetime(value)
    if moment is not None:
        return moment if moment.tzinfo else make_aware(moment, dt.UTC)
    day = parse_date(value)
    if day is None:
        raise OsdiInputError("filter", f"{value!r} is not a date or date-time")
    if op == "eq":
        return day
    return make_aware(dt.datetime.combine(day, dt.time.min), dt.UTC)

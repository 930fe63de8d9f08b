"""Translating between Groundswell's people and OSDI 1.1 person resources (HAL+JSON)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from groundswell.api.base import CURIES, ApiInputError
from groundswell.people.actions import ADDRESS_FIELDS, PersonChanges, PersonDetails
from groundswell.people.custom_fields import NAME_LONGEST, VALUE_LONGEST
from groundswell.people.models import PersonTag, PersonTombstone, Tag
from groundswell.people.normalize import normalize_email, normalize_phone, normalize_zip
from groundswell.people.selectors import SeenPerson

OsdiInputError = ApiInputError


def osdi_date(value: dt.datetime) -> str:
    """A moment as OSDI writes one: UTC, to the second, with Z."""
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
        "custom_fields": {**({"source": person.source} if person.source else {}), **person.custom_fields},
        "groundswell:tags": list(person.tags),
        "created_date": osdi_date(person.created_at) if person.created_at else None,
        "modified_date": osdi_date(person.updated_at) if person.updated_at else None,
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
    details, _ = _read_person(payload, field, nulls=False)
    if not (details.first_name or details.last_name or details.emails or details.phones):
        raise OsdiInputError(field, "needs a name, an email address or a phone number")
    return details


def person_signup(payload: Any, field: str = "person") -> tuple[PersonDetails, dict[str, str | None]]:
    """The person of a signup: its details and its custom fields."""
    details = person_details(payload, field)
    return details, custom_fields(payload.get("custom_fields"), f"{field}.custom_fields")


def person_update(payload: Any, field: str = "person") -> tuple[PersonDetails, PersonChanges]:
    """A PUT's person: what it gives, and what it clears (null). Absent keys change nothing, and
    keys that are not a person's fields (identifiers, _links ...) are ignored, so a client may send
    back what it read."""
    details, changes = _read_person(payload, field, nulls=True)
    value = payload.get("custom_fields")
    if "custom_fields" in payload and value is None:
        changes.clear_custom_fields = True
    else:
        changes.custom_fields = custom_fields(value, f"{field}.custom_fields")
    return details, changes


_NAMES = (("given_name", "first_name", 80), ("additional_name", "middle_name", 80),
          ("family_name", "last_name", 80), ("honorific_suffix", "suffix", 16))  # fmt: skip


def _read_person(payload: Any, field: str, *, nulls: bool) -> tuple[PersonDetails, PersonChanges]:
    if not isinstance(payload, dict):
        raise OsdiInputError(field, "must be an object")
    details, changes = PersonDetails(), PersonChanges()
    for key, name, limit in _NAMES:
        if nulls and key in payload and payload[key] is None:
            changes.cleared.add(name)
        setattr(details, name, _text(payload, key, f"{field}.{key}", limit))
    _read_birthdate(payload, details, changes, field, nulls=nulls)
    changes.clear_emails = nulls and "email_addresses" in payload and payload["email_addresses"] is None
    changes.clear_phones = nulls and "phone_numbers" in payload and payload["phone_numbers"] is None
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
    if nulls and "postal_addresses" in payload and payload["postal_addresses"] is None:
        changes.cleared.update(ADDRESS_FIELDS)
    addresses = _list(payload, "postal_addresses", f"{field}.postal_addresses")
    if addresses:
        _read_address(details, addresses[0], f"{field}.postal_addresses[0]")
    details.email_consent = _consent(email_statuses)
    details.sms_consent = _consent(phone_statuses)
    return details, changes


def _read_birthdate(
    payload: dict[str, Any], details: PersonDetails, changes: PersonChanges, field: str, *, nulls: bool
) -> None:
    if "birthdate" not in payload:
        return
    value = payload["birthdate"]
    if value is None:
        if nulls:
            changes.cleared.add("birth_year")
        return
    year = value.get("year") if isinstance(value, dict) else None
    if year is None and isinstance(value, dict) and not value:
        return
    if not isinstance(year, int) or isinstance(year, bool) or not 1900 <= year <= dt.date.today().year:
        raise OsdiInputError(f"{field}.birthdate.year", f"must be a year from 1900 to {dt.date.today().year}")
    details.birth_year = year


CUSTOM_FIELDS_MOST = 100


def custom_fields(value: Any, field: str) -> dict[str, str | None]:
    """Custom fields as sent: names of 1 to 64 characters, each a string of at most 1,000 characters
    or null (to clear it)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise OsdiInputError(field, "must be an object of names and values")
    if len(value) > CUSTOM_FIELDS_MOST:
        raise OsdiInputError(field, f"may hold at most {CUSTOM_FIELDS_MOST} fields")
    read: dict[str, str | None] = {}
    for name, item in value.items():
        where = f"{field}.{name[: NAME_LONGEST + 16]}"
        if not 1 <= len(name) <= NAME_LONGEST or not name.strip() or not name.isprintable():
            raise OsdiInputError(where, f"a name must be 1 to {NAME_LONGEST} printable characters")
        if item is not None and not isinstance(item, str):
            raise OsdiInputError(where, "must be a string (or null to clear it)")
        if item is not None and len(item) > VALUE_LONGEST:
            raise OsdiInputError(where, f"is longer than {VALUE_LONGEST:,} characters")
        read[name] = item
    return read


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


# ---- tags, taggings and tombstones ----------------------------------------------------------------


def tag_resource(tag: Tag, base: str, identifiers: list[str]) -> dict[str, Any]:
    href = f"{base}/tags/{tag.pk}"
    return {
        "identifiers": identifiers,
        "name": tag.name,
        "_links": {"self": {"href": href}, "osdi:taggings": {"href": f"{href}/taggings"}, "curies": CURIES},
    }


def tagging_resource(tagging: PersonTag, base: str, identifiers: list[str]) -> dict[str, Any]:
    """One tagging: a tag the caller's scope put on a person. Its ``self`` is where it is deleted."""
    tag_href = f"{base}/tags/{tagging.tag_id}"
    return {
        "identifiers": identifiers,
        "item_type": "osdi:person",
        "groundswell:tag": tagging.tag.name,
        "created_date": osdi_date(tagging.added_at),
        "modified_date": osdi_date(tagging.added_at),
        "_links": {
            "self": {"href": f"{tag_href}/taggings/{tagging.pk}"},
            "osdi:tag": {"href": tag_href},
            "osdi:person": {"href": f"{base}/people/{tagging.person.uid}"},
            "curies": CURIES,
        },
    }


def tombstone_resource(tombstone: PersonTombstone, base: str, identifiers: list[str]) -> dict[str, Any]:
    """A person who left the caller's sight: ``deleted``, or ``merged`` into ``groundswell:survivor``."""
    links: dict[str, Any] = {"self": {"href": f"{base}/people/{tombstone.uid}"}, "curies": CURIES}
    if tombstone.survivor_uid:
        links["groundswell:survivor"] = {"href": f"{base}/people/{tombstone.survivor_uid}"}
    return {
        "identifiers": identifiers,
        "groundswell:what": tombstone.kind,
        "groundswell:survivor_identifiers": survivor_identifiers(tombstone, identifiers),
        "created_date": osdi_date(tombstone.occurred_at),
        "modified_date": osdi_date(tombstone.occurred_at),
        "_links": links,
    }


def survivor_identifiers(tombstone: PersonTombstone, identifiers: list[str]) -> list[str]:
    """The survivor's identifiers, in the same order of faces as the tombstone's own."""
    if not tombstone.survivor_uid:
        return []
    return [f"{i.split(':', 1)[0]}:{tombstone.survivor_uid}" for i in identifiers]


def person_uid_from_href(href: Any, field: str) -> str:
    """The person id at the end of a link to a person (``.../people/<id>``), as osdi and Parsons send."""
    if not isinstance(href, str) or not href.strip():
        raise OsdiInputError(field, "must be a link to a person")
    uid = href.strip().rstrip("/").rsplit("/", 1)[-1].split(":")[-1]
    if not re.fullmatch(r"[0-9a-f]{16}", uid):
        raise OsdiInputError(field, f"{href[:200]!r} is not a link to a person")
    return uid

"""Cleaning contact details into the one form they are stored and matched in."""

from __future__ import annotations

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email


def normalize_email(raw: str) -> str:
    """Lower-cased and trimmed; raises ValueError with a reason when it is not an address."""
    email = raw.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValueError(f"{raw.strip()!r} is not an email address") from None
    return email


def normalize_phone(raw: str, region: str = "US") -> str:
    """E.164 (+14155550100); raises ValueError with a reason when it is not a dialable number."""
    try:
        parsed = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        raise ValueError(f"{raw.strip()!r} is not a phone number") from None
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError(f"{raw.strip()!r} is not a valid phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def format_phone(e164: str) -> str:
    """For display: (415) 555-0100 at home, +44 20 7946 0958 abroad."""
    parsed = phonenumbers.parse(e164, None)
    fmt = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if parsed.country_code == 1
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(parsed, fmt)


def normalize_zip(raw: str) -> str:
    """Five digits or ZIP+4, leading zeros kept; raises ValueError otherwise."""
    value = raw.strip()
    digits = value.replace("-", "")
    if not digits.isdigit() or len(digits) not in (5, 9):
        raise ValueError(f"{value!r} is not a ZIP code")
    return digits if len(digits) == 5 else f"{digits[:5]}-{digits[5:]}"

"""The link that lets a person confirm details given in their name, so that national takes them.

A public form that matches someone by email never changes national's view of them: whoever typed
the email may not be its owner. When what was given differs from what national holds, the address
matched gets a signed link; following it shows what was given and, on POST, confirms it.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse

from groundswell.people.models import DETAIL_FIELDS, DetailFact

SALT = "people.confirm-details"
MAX_AGE = 14 * 24 * 3600  # a fortnight: long enough for a holiday, short enough to be about now
_LABELS = {
    "first_name": "First name", "middle_name": "Middle name", "last_name": "Last name", "suffix": "Suffix",
    "address_line1": "Address", "address_line2": "Address line 2", "city": "City", "state": "State",
    "zip_code": "ZIP code", "birth_year": "Birth year",
}  # fmt: skip


def token_for(fact: DetailFact) -> str:
    return signing.dumps({"fact": fact.pk}, salt=SALT, compress=True)


def fact_for_token(token: str) -> DetailFact | None:
    """The details a token is for, or None when it is forged, expired or about a merged-away record."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("fact"), int):
        return None
    return DetailFact.objects.select_related("owner__chapter", "person").filter(pk=payload["fact"]).first()


def labelled_values(fact: DetailFact) -> list[tuple[str, str]]:
    return [
        (_LABELS[name], str(fact.values[name])) for name in DETAIL_FIELDS if fact.values.get(name) not in (None, "")
    ]


def confirmation_email(fact: DetailFact, link_base: str) -> tuple[str, str]:
    link = f"{link_base or settings.BASE_URL}{reverse('people:confirm', args=[token_for(fact)])}"
    given = "\n".join(f"  {label}: {value}" for label, value in labelled_values(fact))
    body = (
        f"Someone, we hope you, gave these details on {fact.source or 'a Groundswell form'}:\n\n{given}\n\n"
        f"If that was you and you would like us to use them everywhere, confirm them here:\n{link}\n\n"
        "If it was not you, ignore this email: nothing about you changes unless you confirm.\n"
    )
    return "Please confirm your details with Groundswell", body


def send_confirmation_on_commit(fact: DetailFact, *, to: str, link_base: str = "") -> None:
    subject, body = confirmation_email(fact, link_base)
    transaction.on_commit(lambda: send_mail(subject, body, None, [to]))

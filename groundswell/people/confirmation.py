"""The link that lets a person confirm what a public form gave in their name.

A public form that matches someone by email never changes national's view of them, and the consent
it gives does not count yet: whoever typed the email may not be its owner. When the details differ
from national's, or consent was asked for, the address matched gets a signed link; following it
shows what was given and, on POST (never on GET, which mail scanners follow), confirms it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse

from groundswell.people.models import DETAIL_FIELDS, ConsentChannel, ConsentEvent, DetailFact, Person

SALT = "people.confirm-details"
MAX_AGE = 14 * 24 * 3600  # a fortnight: long enough for a holiday, short enough to be about now
_LABELS = {
    "first_name": "First name", "middle_name": "Middle name", "last_name": "Last name", "suffix": "Suffix",
    "address_line1": "Address", "address_line2": "Address line 2", "city": "City", "state": "State",
    "zip_code": "ZIP code", "birth_year": "Birth year",
}  # fmt: skip


@dataclass
class Confirmation:
    """What one link asks the person to confirm: the details given, and the consent asked for."""

    person: Person
    fact: DetailFact | None
    consents: list[ConsentEvent] = field(default_factory=list)

    @classmethod
    def of(cls, person: Person, fact: DetailFact | None, consent_ids: Iterable[int]) -> Confirmation:
        consents = list(ConsentEvent.objects.filter(pk__in=list(consent_ids), person=person).select_related("owner"))
        return cls(person=person, fact=fact, consents=consents)

    @property
    def done(self) -> bool:
        details_done = self.fact is None or self.fact.accepted_at is not None
        return details_done and not any(c.pending for c in self.consents)

    @property
    def source(self) -> str:
        if self.fact is not None:
            return self.fact.source
        return self.consents[0].source if self.consents else ""

    def values(self) -> list[tuple[str, str]]:
        given = self.fact.values if self.fact is not None else {}
        shown = [(_LABELS[name], str(given[name])) for name in DETAIL_FIELDS if given.get(name) not in (None, "")]
        for event in self.consents:
            what = "Email" if event.channel == ConsentChannel.EMAIL else "Text messages"
            verb = "yes" if event.granted else "no"
            shown.append((f"{what} from {event.owner.label} to {event.value}", verb))
        return shown


def token_for(confirmation: Confirmation) -> str:
    payload = {
        "p": confirmation.person.pk,
        "f": confirmation.fact.pk if confirmation.fact is not None else None,
        "c": [c.pk for c in confirmation.consents],
    }
    return signing.dumps(payload, salt=SALT, compress=True)


def confirmation_for_token(token: str) -> Confirmation | None:
    """What a token asks to confirm, or None when it is forged, expired or about a merged-away record."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("p"), int):
        return None
    person = Person.objects.filter(pk=payload["p"], merged_into__isnull=True).first()
    if person is None:
        return None
    fact_id = payload.get("f")
    fact = (
        DetailFact.objects.select_related("owner__chapter").filter(pk=fact_id, person=person).first()
        if isinstance(fact_id, int)
        else None
    )
    return Confirmation.of(person, fact, [c for c in payload.get("c") or [] if isinstance(c, int)])


def confirmation_email(confirmation: Confirmation, link_base: str) -> tuple[str, str]:
    link = f"{link_base or settings.BASE_URL}{reverse('people:confirm', args=[token_for(confirmation)])}"
    given = "\n".join(f"  {label}: {value}" for label, value in confirmation.values())
    body = (
        f"Someone, we hope you, gave these details on {confirmation.source or 'a Groundswell form'}:\n\n{given}\n\n"
        f"If that was you and you would like us to use them, confirm them here:\n{link}\n\n"
        "If it was not you, ignore this email: nothing about you changes unless you confirm.\n"
    )
    return "Please confirm your details with Groundswell", body


def send_confirmation_on_commit(confirmation: Confirmation, *, to: str, link_base: str = "") -> None:
    subject, body = confirmation_email(confirmation, link_base)
    transaction.on_commit(lambda: send_mail(subject, body, None, [to]))

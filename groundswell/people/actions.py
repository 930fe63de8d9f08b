"""Every change to people. Views, the API, imports and the command line all come through here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from groundswell.chapters.access import AnyUser, scope_for
from groundswell.chapters.models import Chapter
from groundswell.core.audit import record_audit
from groundswell.core.models import AuditEvent, User
from groundswell.people.models import (
    ConsentChannel,
    ConsentEvent,
    EmailAddress,
    Membership,
    MembershipStatus,
    Person,
    PersonTag,
    PhoneNumber,
    Tag,
    TimelineEntry,
    TimelineKind,
)

ADDRESS_FIELDS = ("address_line1", "address_line2", "city", "state", "zip_code")
NAME_FIELDS = ("first_name", "middle_name", "last_name", "suffix")


@dataclass
class PersonDetails:
    """What a form, an import row or an API call says about a person, already normalized."""

    first_name: str = ""
    middle_name: str = ""
    last_name: str = ""
    suffix: str = ""
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    address_line1: str = ""
    address_line2: str = ""
    city: str = ""
    state: str = ""
    zip_code: str = ""
    birth_year: int | None = None
    tags: list[str] = field(default_factory=list)
    email_consent: bool | None = None
    sms_consent: bool | None = None
    notes: str = ""


def _actor_user(actor: AnyUser | None) -> User | None:
    return actor if isinstance(actor, User) else None


def find_existing_person(details: PersonDetails) -> Person | None:
    """The person this is, matched by any email, then any phone."""
    if details.emails:
        match = EmailAddress.objects.filter(address__in=details.emails).select_related("person").first()
        if match:
            return _follow_merges(match.person)
    if details.phones:
        phone = PhoneNumber.objects.filter(number__in=details.phones).select_related("person").first()
        if phone:
            return _follow_merges(phone.person)
    return None


def _follow_merges(person: Person) -> Person:
    while person.merged_into_id is not None:
        person = Person.objects.get(pk=person.merged_into_id)
    return person


def _apply_details(person: Person, details: PersonDetails) -> list[str]:
    """Fill in what is new. A blank never wipes a known value. Returns the changed field names."""
    changed = []
    for name in (*NAME_FIELDS, *ADDRESS_FIELDS):
        value = getattr(details, name)
        if value and getattr(person, name) != value:
            setattr(person, name, value)
            changed.append(name)
    if details.birth_year and person.birth_year != details.birth_year:
        person.birth_year = details.birth_year
        changed.append("birth_year")
    if details.notes:
        person.notes = f"{person.notes}\n{details.notes}".strip()
        changed.append("notes")
    return changed


def _add_contact_details(person: Person, details: PersonDetails) -> list[str]:
    added = []
    has_email = person.emails.exists()
    for i, address in enumerate(details.emails):
        _, created = EmailAddress.objects.get_or_create(
            address=address, defaults={"person": person, "is_primary": not has_email and i == 0}
        )
        if created:
            added.append(address)
    has_phone = person.phones.exists()
    for i, number in enumerate(details.phones):
        _, created = PhoneNumber.objects.get_or_create(
            number=number, defaults={"person": person, "is_primary": not has_phone and i == 0}
        )
        if created:
            added.append(number)
    return added


def do_save_person(
    details: PersonDetails,
    *,
    source: str,
    actor: AnyUser | None,
    chapter: Chapter | None = None,
    consent_method: str = "",
    timeline_kind: str = TimelineKind.CREATED,
    audit: bool = True,
) -> tuple[Person, bool]:
    """Create a person, or update the one who shares an email or phone. Returns (person, created)."""
    now = timezone.now()
    with transaction.atomic():
        person = find_existing_person(details)
        created = person is None
        if person is None:
            person = Person(source=source)
        changed = _apply_details(person, details)
        if created or changed:
            person.save()
        added = _add_contact_details(person, details)
        for tag_name in details.tags:
            _tag(person, tag_name)
        method = consent_method or source
        if details.email_consent is not None:
            _set_consent(person, ConsentChannel.EMAIL, details.email_consent, method, now, _actor_user(actor))
        if details.sms_consent is not None:
            _set_consent(person, ConsentChannel.SMS, details.sms_consent, method, now, _actor_user(actor))
        if chapter is not None:
            _join(person, chapter, source=source, when=now)
        summary = f"{'Added' if created else 'Updated'} from {source}"
        TimelineEntry.objects.create(
            person=person, kind=timeline_kind if created else TimelineKind.UPDATED, occurred_at=now,
            summary=summary, chapter=chapter, actor=_actor_user(actor),
        )  # fmt: skip
        if audit:
            record_audit(
                AuditEvent.PERSON_CREATED if created else AuditEvent.PERSON_UPDATED,
                actor=actor,
                target=person,
                summary=f"{summary}: {person}",
                details={"changed": changed, "added": added},
            )
    return person, created


def do_sign_up_person(details: PersonDetails, *, chapter: Chapter, source: str = "join form") -> Person:
    """The public join form: anyone may sign up; a known email or phone updates that person."""
    person, _ = do_save_person(
        details,
        source=source,
        actor=None,
        chapter=chapter,
        timeline_kind=TimelineKind.SIGNED_UP,
        audit=False,
    )
    record_audit(
        AuditEvent.PERSON_SIGNED_UP,
        actor=None,
        target=person,
        summary=f"{person} joined {chapter.name}",
    )
    return person


def _tag(person: Person, tag_name: str) -> bool:
    tag, _ = Tag.objects.get_or_create(name=tag_name.strip())
    _, created = PersonTag.objects.get_or_create(person=person, tag=tag)
    return created


def _set_consent(
    person: Person, channel: str, granted: bool, method: str, when: dt.datetime, actor: User | None
) -> None:
    current = person.email_opt_in if channel == ConsentChannel.EMAIL else person.sms_opt_in
    has_history = person.consent_events.filter(channel=channel).exists()
    if current == granted and has_history:
        return
    ConsentEvent.objects.create(
        person=person,
        channel=channel,
        granted=granted,
        method=method,
        occurred_at=when,
        recorded_by=actor,
    )
    field_name = "email_opt_in" if channel == ConsentChannel.EMAIL else "sms_opt_in"
    Person.objects.filter(pk=person.pk).update(**{field_name: granted})
    setattr(person, field_name, granted)
    TimelineEntry.objects.create(
        person=person, kind=TimelineKind.CONSENT, occurred_at=when, actor=actor,
        summary=f"{'Agreed to' if granted else 'Withdrew from'} {channel} ({method})",
    )  # fmt: skip


def _join(person: Person, chapter: Chapter, *, source: str, when: dt.datetime) -> Membership:
    membership, created = Membership.objects.get_or_create(
        person=person, chapter=chapter, defaults={"joined_on": when.date(), "source": source}
    )
    if created or membership.status != MembershipStatus.ACTIVE:
        if not created:
            membership.status = MembershipStatus.ACTIVE
            membership.save(update_fields=["status"])
        TimelineEntry.objects.create(
            person=person, kind=TimelineKind.JOINED, occurred_at=when, chapter=chapter,
            summary=f"Joined {chapter.name}",
        )  # fmt: skip
    return membership


def _require_person_in_scope(person: Person, actor: User) -> None:
    from groundswell.people.selectors import people_visible_to

    if not people_visible_to(actor).filter(pk=person.pk).exists():
        raise PermissionDenied("This person is outside your scope.")


def do_set_consent(person: Person, *, channel: str, granted: bool, method: str, actor: User) -> None:
    _require_person_in_scope(person, actor)
    with transaction.atomic():
        _set_consent(person, channel, granted, method, timezone.now(), actor)
        record_audit(
            AuditEvent.CONSENT_CHANGED,
            actor=actor,
            target=person,
            summary=f"{channel} consent {'granted' if granted else 'withdrawn'} for {person}",
            details={"channel": channel, "granted": granted, "method": method},
        )


def do_tag_person(person: Person, *, tag_name: str, actor: User) -> None:
    _require_person_in_scope(person, actor)
    with transaction.atomic():
        if _tag(person, tag_name):
            TimelineEntry.objects.create(
                person=person, kind=TimelineKind.TAGGED, occurred_at=timezone.now(), actor=actor,
                summary=f"Tagged {tag_name}",
            )  # fmt: skip
            record_audit(
                AuditEvent.TAG_ADDED,
                actor=actor,
                target=person,
                summary=f"tagged {person}: {tag_name}",
            )


def do_untag_person(person: Person, *, tag_name: str, actor: User) -> None:
    _require_person_in_scope(person, actor)
    with transaction.atomic():
        deleted, _ = PersonTag.objects.filter(person=person, tag__name=tag_name).delete()
        if deleted:
            record_audit(
                AuditEvent.TAG_REMOVED,
                actor=actor,
                target=person,
                summary=f"untagged {person}: {tag_name}",
            )


def do_add_membership(person: Person, *, chapter: Chapter, source: str, actor: User) -> Membership:
    if not scope_for(actor).manages_chapter(chapter):
        raise PermissionDenied("You do not manage this chapter.")
    with transaction.atomic():
        membership = _join(person, chapter, source=source, when=timezone.now())
        record_audit(
            AuditEvent.MEMBERSHIP_CREATED,
            actor=actor,
            target=membership,
            summary=f"{person} added to {chapter}",
        )
    return membership


def do_update_person(person: Person, *, actor: User, **fields: str | int | None) -> Person:
    """Edit names, address, birth year or notes. A blank value here does clear the field."""
    _require_person_in_scope(person, actor)
    allowed = {*NAME_FIELDS, *ADDRESS_FIELDS, "birth_year", "notes"}
    with transaction.atomic():
        changed = {}
        for name, value in fields.items():
            if name not in allowed:
                raise ValueError(f"{name} cannot be changed here")
            if getattr(person, name) != value:
                changed[name] = [getattr(person, name), value]
                setattr(person, name, value)
        if changed:
            person.save()
            TimelineEntry.objects.create(
                person=person, kind=TimelineKind.UPDATED, occurred_at=timezone.now(), actor=actor,
                summary="Details updated: " + ", ".join(changed),
            )  # fmt: skip
            record_audit(
                AuditEvent.PERSON_UPDATED, actor=actor, target=person, summary=f"updated {person}",
                details={k: [str(a), str(b)] for k, (a, b) in changed.items()},
            )  # fmt: skip
    return person

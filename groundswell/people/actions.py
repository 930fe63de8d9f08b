"""Every change to people. Views, the API, imports and the command line all come through here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from groundswell.chapters.access import AnyUser, scope_for
from groundswell.chapters.models import Chapter
from groundswell.core.audit import record_audit
from groundswell.core.models import AuditEvent, User
from groundswell.people import proposals
from groundswell.people.models import (
    ConsentChannel,
    ConsentEvent,
    EmailAddress,
    Membership,
    MembershipStatus,
    NotDuplicate,
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


# ---- duplicates and merging -----------------------------------------------------------------

# What the merge page lets the user choose between; the address moves as one block, because a
# street from one record and a ZIP from the other would be nobody's address.
MERGE_FIELDS = (*NAME_FIELDS, "address", "birth_year")
MERGE_SIDES = ("survivor", "other")
# When both records belong to the same chapter, the merged membership takes the best status.
_STATUS_RANK = {MembershipStatus.ACTIVE: 0, MembershipStatus.LAPSED: 1, MembershipStatus.LEFT: 2}


def _check_mergeable(survivor: Person, other: Person, field_choices: Mapping[str, str], actor: User) -> None:
    if survivor.pk == other.pk:
        raise ValueError("A person cannot be merged with themselves.")
    for person in (survivor, other):
        if person.merged_into_id is not None:
            raise ValueError(f"{person} (#{person.pk}) was already merged into #{person.merged_into_id}.")
    _require_person_in_scope(survivor, actor)
    _require_person_in_scope(other, actor)
    for name, side in field_choices.items():
        if name not in MERGE_FIELDS:
            raise ValueError(f"{name!r} is not a field that can be chosen when merging")
        if side not in MERGE_SIDES:
            raise ValueError(f"{name}: choose 'survivor' or 'other', not {side!r}")


def _apply_field_choices(survivor: Person, other: Person, field_choices: Mapping[str, str]) -> dict[str, str]:
    """Copy the other record's values where the user chose them. An unchosen field keeps the
    survivor's value, or takes the other's when the survivor has none."""
    taken = {}
    for name in MERGE_FIELDS:
        names = ADDRESS_FIELDS if name == "address" else (name,)
        survivor_blank = all(getattr(survivor, n) in ("", None) for n in names)
        side = field_choices.get(name, "other" if survivor_blank else "survivor")
        if side == "other" and any(getattr(survivor, n) != getattr(other, n) for n in names):
            for n in names:
                setattr(survivor, n, getattr(other, n))
            taken[name] = "other"
    return taken


def joined_notes(first: str, second: str) -> str:
    parts = [note.strip() for note in (first, second) if note.strip()]
    if len(parts) == 2 and parts[0] == parts[1]:
        parts = parts[:1]
    return "\n\n".join(parts)


def _move_contact_details(survivor: Person, other: Person) -> tuple[list[str], list[str]]:
    emails = list(other.emails.values_list("address", flat=True))
    phones = list(other.phones.values_list("number", flat=True))
    # The survivor's primary address and number stay primary; the moved ones join as extras.
    extra = {"is_primary": False}
    other.emails.update(person=survivor, **(extra if survivor.emails.exists() else {}))
    other.phones.update(person=survivor, **(extra if survivor.phones.exists() else {}))
    return emails, phones


def _move_tags(survivor: Person, other: Person) -> list[str]:
    held = set(PersonTag.objects.filter(person=survivor).values_list("tag_id", flat=True))
    names = []
    for person_tag in PersonTag.objects.filter(person=other).select_related("tag"):
        names.append(person_tag.tag.name)
        if person_tag.tag_id in held:
            person_tag.delete()
        else:
            person_tag.person = survivor
            person_tag.save(update_fields=["person"])
    return names


def _move_memberships(survivor: Person, other: Person) -> list[dict[str, Any]]:
    kept = {m.chapter_id: m for m in Membership.objects.filter(person=survivor)}
    moved = []
    for membership in Membership.objects.filter(person=other).select_related("chapter"):
        same_chapter = kept.get(membership.chapter_id)
        if same_chapter is None:
            membership.person = survivor
            membership.save(update_fields=["person"])
            result = membership
        else:
            same_chapter.joined_on = min(same_chapter.joined_on, membership.joined_on)
            statuses = (same_chapter.status, membership.status)
            same_chapter.status = min(statuses, key=lambda status: _STATUS_RANK[MembershipStatus(status)])
            same_chapter.source = same_chapter.source or membership.source
            same_chapter.save(update_fields=["joined_on", "status", "source"])
            membership.delete()
            result = same_chapter
        moved.append({
            "chapter_id": membership.chapter_id, "chapter": membership.chapter.name,
            "combined": same_chapter is not None, "joined_on": result.joined_on.isoformat(), "status": result.status,
        })  # fmt: skip
    return moved


def _refresh_current_consent(person: Person) -> dict[str, bool]:
    """After a merge the latest event on either record decides: a withdrawal yesterday beats a
    sign-up last year."""
    for channel, field_name in ((ConsentChannel.EMAIL, "email_opt_in"), (ConsentChannel.SMS, "sms_opt_in")):
        latest = person.consent_events.filter(channel=channel).order_by("-occurred_at", "-id").first()
        if latest is not None:
            setattr(person, field_name, latest.granted)
    return {"email": person.email_opt_in, "sms": person.sms_opt_in}


def _carry_not_duplicates(survivor: Person, other: Person, actor: User) -> None:
    """A "not the same person as X" said of the merged record holds for the survivor too."""
    pairs = NotDuplicate.objects.filter(Q(first=other) | Q(second=other)).values_list("first_id", "second_id")
    for first_id, second_id in list(pairs):
        third = second_id if first_id == other.pk else first_id
        if third != survivor.pk:
            low, high = sorted((survivor.pk, third))
            NotDuplicate.objects.get_or_create(first_id=low, second_id=high, defaults={"decided_by": actor})


def do_merge_people(survivor: Person, other: Person, *, field_choices: Mapping[str, str], actor: User) -> Person:
    """Fold ``other`` into ``survivor``, losing nothing: every email, phone, tag, membership,
    consent event and timeline entry moves over. ``field_choices`` maps a MERGE_FIELDS name to
    "survivor" or "other" (whose value wins); notes are joined. ``other`` stays as a tombstone
    pointing at the survivor, so old links and imports that find it land on the right person."""
    _check_mergeable(survivor, other, field_choices, actor)
    with transaction.atomic():
        locked = Person.objects.select_for_update().filter(pk__in=(survivor.pk, other.pk), merged_into__isnull=True)
        if locked.count() != 2:
            raise ValueError("One of these people was merged by someone else a moment ago; reload the page.")
        survivor.refresh_from_db()
        other.refresh_from_db()
        taken = _apply_field_choices(survivor, other, field_choices)
        survivor.notes = joined_notes(survivor.notes, other.notes)
        emails, phones = _move_contact_details(survivor, other)
        tags = _move_tags(survivor, other)
        memberships = _move_memberships(survivor, other)
        consent_ids = list(other.consent_events.values_list("pk", flat=True))
        other.consent_events.update(person=survivor)
        timeline_ids = list(other.timeline.values_list("pk", flat=True))
        other.timeline.update(person=survivor)
        consent = _refresh_current_consent(survivor)
        moved, left = _repoint_references(survivor, other)
        survivor.save()
        other.merged_into = survivor
        other.save(update_fields=["merged_into", "updated_at"])
        # Records merged into ``other`` earlier now point straight at the survivor: one hop.
        Person.objects.filter(merged_into=other).update(merged_into=survivor)
        _carry_not_duplicates(survivor, other, actor)
        proposals.drop_proposals_of([other.pk])
        TimelineEntry.objects.create(
            person=survivor, kind=TimelineKind.MERGED, occurred_at=timezone.now(), actor=actor,
            summary=f"Merged with {other} (#{other.pk})",
        )  # fmt: skip
        record_audit(
            AuditEvent.PERSONS_MERGED,
            actor=actor,
            target=survivor,
            summary=f"merged {other} (#{other.pk}) into {survivor} (#{survivor.pk})",
            details={
                "survivor_id": survivor.pk, "other_id": other.pk, "fields_from_other": sorted(taken),
                "emails": emails, "phones": phones, "tags": tags, "memberships": memberships,
                "consent_event_ids": consent_ids, "timeline_entry_ids": timeline_ids, "consent_now": consent,
                "moved_elsewhere": moved, "left_on_merged_record": left,
            },
        )  # fmt: skip
    return survivor


def _references_elsewhere() -> list[tuple[type[models.Model], str, list[tuple[str, ...]]]]:
    """Every other app's foreign key to Person: (model, field name, the unique field sets it is part of).

    Read from Django's registry, so a new model that points at people is carried by a merge without
    the people app knowing of it (the dependency stays one way).
    """
    found = []
    for rel in Person._meta.related_objects:
        model = rel.related_model
        if not isinstance(model, type) or model._meta.app_label == Person._meta.app_label:
            continue  # the people app's own rows are moved one by one above
        name = rel.field.name
        unique = [tuple(c.fields) for c in model._meta.constraints if isinstance(c, models.UniqueConstraint)]
        unique += [tuple(t) for t in model._meta.unique_together]
        if rel.field.unique:
            unique.append((name,))
        found.append((model, name, [fields for fields in unique if name in fields]))
    return found


def _repoint_references(survivor: Person, other: Person) -> tuple[dict[str, int], dict[str, int]]:
    """Point other apps' rows (recruits, nominations, ballots, contacts, voter links ...) at the survivor.

    A row that would break a uniqueness rule (both records attended the same training, or each got a
    ballot in the same vote) stays on the merged record, which redirects to the survivor, and is
    counted so the audit entry says so. Returns (moved, left) counts by "app.Model.field".
    """
    moved: dict[str, int] = {}
    left: dict[str, int] = {}
    for model, name, unique_sets in _references_elsewhere():
        label = f"{model._meta.label}.{name}"
        rows = model._default_manager.filter(**{name: other})
        clashing = Q(pk__in=[])
        survivors_rows = model._default_manager.filter(**{name: survivor})
        for fields in unique_sets:
            rest = [f for f in fields if f != name]
            if not rest:  # the field alone is unique (one-to-one): any row clashes if the survivor has one
                clashing = Q(pk__isnull=False) if survivors_rows.exists() else clashing
                continue
            for values in survivors_rows.values_list(*rest):
                if None not in values:  # NULLs never clash in a unique constraint
                    clashing |= Q(**dict(zip(rest, values, strict=True)))
        kept = rows.filter(clashing).count() if unique_sets else 0
        count = rows.exclude(clashing).update(**{name: survivor}) if unique_sets else rows.update(**{name: survivor})
        if count:
            moved[label] = count
        if kept:
            left[label] = kept
    return moved, left


def do_dismiss_duplicate(a: Person, b: Person, *, actor: User) -> NotDuplicate:
    """Record that two people are different humans, so they are never proposed as a pair again."""
    if a.pk == b.pk:
        raise ValueError("A person cannot be dismissed as their own duplicate.")
    _require_person_in_scope(a, actor)
    _require_person_in_scope(b, actor)
    first, second = sorted((a, b), key=lambda person: person.pk)
    with transaction.atomic():
        decision, _ = NotDuplicate.objects.get_or_create(first=first, second=second, defaults={"decided_by": actor})
        proposals.drop_proposal(first.pk, second.pk)
        record_audit(
            AuditEvent.DUPLICATE_DISMISSED,
            actor=actor,
            target=first,
            summary=f"{first} (#{first.pk}) and {second} (#{second.pk}) are different people",
            details={"first_id": first.pk, "second_id": second.pk},
        )
    return decision

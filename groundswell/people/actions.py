"""Every change to people. Views, the API, imports and the command line all come through here.

A write never reads or changes what lies outside the writer's scope (docs/privacy.md): the values it
brings become facts of the writer's owner (people/facts.py). A write is matched to a person already
known only by email; the answer a caller gets is the same whether or not it matched.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from groundswell.chapters.access import AnyUser, Scope, scope_for
from groundswell.chapters.models import Chapter, Owner, OwnerKind
from groundswell.chapters.owners import chapter_owner, national_owner, state_owner
from groundswell.core.audit import record_audit
from groundswell.core.models import AuditEvent, User
from groundswell.people import facts, fold, proposals
from groundswell.people.facts import Provenance
from groundswell.webhooks import events as webhook_events

if TYPE_CHECKING:
    from groundswell.people.confirmation import Confirmation
from groundswell.people.custom_fields import clear_all_custom_fields, record_custom_fields
from groundswell.people.models import (
    DETAIL_FIELDS,
    Acceptance,
    ConsentChannel,
    ConsentEvent,
    CustomField,
    DetailFact,
    EmailAddress,
    Membership,
    MembershipStatus,
    MergeRecord,
    NotDuplicate,
    Person,
    PersonNote,
    PersonTag,
    PersonTombstone,
    PersonView,
    PhoneNumber,
    Tag,
    TagListing,
    TimelineEntry,
    TimelineKind,
    TombstoneKind,
    Via,
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

    def given(self) -> dict[str, Any]:
        return facts.given_values(**{name: getattr(self, name) for name in DETAIL_FIELDS})


def user_or_none(actor: AnyUser | None) -> User | None:
    return actor if isinstance(actor, User) else None


# ---- whose a write is ---------------------------------------------------------------------------


def owner_for_write(actor: AnyUser | None, *, chapter: Chapter | None = None, person: Person | None = None) -> Owner:
    """The owner a write's facts belong to: the chapter it is made in, if any (which the writer must
    manage); else national for staff and the system itself (actor None); else a coordinator's state,
    or the chapter a leader knows the person through. PermissionDenied when there is none."""
    scope = scope_for(actor) if actor is not None else None
    if chapter is not None:
        if scope is not None and actor is not None and actor.is_authenticated and not scope.manages_chapter(chapter):
            raise PermissionDenied("You do not manage this chapter.")
        return chapter_owner(chapter)
    if scope is None or scope.national or not (actor is not None and actor.is_authenticated):
        return national_owner()
    return _scoped_owner(scope, person)


def _scoped_owner(scope: Scope, person: Person | None) -> Owner:
    owners = Owner.objects.filter(pk__in=scope.view_owner_ids).select_related("chapter").order_by("kind", "pk")
    if person is not None:
        owners = owners.filter(pk__in=PersonView.objects.filter(person=person).values("owner_id"))
    found = list(owners[:1])
    if found:
        return found[0]
    if person is None and len(scope.coordinator_states) == 1:
        return state_owner(next(iter(scope.coordinator_states)))
    raise PermissionDenied("Say which of your chapters this is for.")


def provenance(
    actor: AnyUser | None,
    *,
    via: str,
    source: str,
    chapter: Chapter | None = None,
    person: Person | None = None,
    owner: Owner | None = None,
) -> Provenance:
    return Provenance(
        owner=owner or owner_for_write(actor, chapter=chapter, person=person),
        via=via,
        source=source,
        actor=user_or_none(actor),
    )


# ---- saving what a form, a row or a call says ---------------------------------------------------


@dataclass(frozen=True)
class SavedPerson:
    """What a save did. ``created`` and ``pending`` are for the audit log and national's review only:
    never tell a caller outside national whether a write matched someone (docs/privacy.md)."""

    person: Person
    created: bool
    details: DetailFact | None
    pending: bool
    # Consent a public form gave for someone already known, waiting for the person's confirmation.
    pending_consents: tuple[int, ...] = ()

    def __iter__(self) -> Iterator[Any]:
        """``person, created = do_save_person(...)``, as callers and tests have always written it."""
        return iter((self.person, self.created))


def _consent_changes(person: Person, details: PersonDetails, owner: Owner) -> list[tuple[str, str, bool]]:
    """(channel, value, granted) for each address or number whose consent to this owner the write
    changes; an unchanged answer is not recorded again."""
    asked = [(ConsentChannel.EMAIL.value, v, details.email_consent) for v in details.emails]
    asked += [(ConsentChannel.SMS.value, v, details.sms_consent) for v in details.phones]
    asked_now = [(c, v, g) for c, v, g in asked if g is not None]
    if not asked_now:
        return []
    own = [
        fold.ConsentRow(owner.pk, c, v, g, at, pk)
        for c, v, g, at, pk in ConsentEvent.objects.filter(person=person, owner=owner).values_list(
            "channel", "value", "granted", "occurred_at", "pk"
        )
    ]
    only_own = fold.Owners([fold.OwnerInfo(owner.pk, owner.kind, owner.state, owner.chapter_id)])
    return [(c, v, g) for c, v, g in asked_now if fold.consent_of(own, only_own, owner.pk, c, v) != g]


def _record_everything(
    person: Person, details: PersonDetails, prov: Provenance, consent: ConsentWords, *, pending: bool = False
) -> tuple[list[str], list[int]]:
    """Every address, number, tag, consent and note given. Returns what was added, and the consent
    events recorded as ``pending`` (to count once the person confirms)."""
    added = facts.record_emails(person, details.emails, prov)
    added += facts.record_phones(person, details.phones, prov)
    for tag_name in details.tags:
        facts.record_tag(person, tag_name, prov)
    waiting = []
    for channel, value, granted in _consent_changes(person, details, prov.owner):
        event = facts.record_consent(
            person, channel=channel, value=value, granted=granted, method=consent.method or prov.source,
            wording=consent.email if channel == ConsentChannel.EMAIL else consent.sms, prov=prov, pending=pending,
        )  # fmt: skip
        if pending:
            waiting.append(event.pk)
        verb = "Asked for" if pending else ("Agreed to" if granted else "Withdrew from")
        facts.record_timeline(person, TimelineKind.CONSENT, f"{verb} {channel} ({value})", prov)
    facts.record_note(person, details.notes, prov)
    return added, waiting


@dataclass(frozen=True)
class ConsentWords:
    """The words a form showed beside its consent boxes, kept with each consent it records."""

    email: str = ""
    sms: str = ""
    method: str = ""


def _differs_from_national(person: Person, fact: DetailFact | None) -> bool:
    return fact is not None and any(getattr(person, name) != value for name, value in fact.values.items())


def do_save_person(
    details: PersonDetails,
    *,
    source: str,
    actor: AnyUser | None,
    chapter: Chapter | None = None,
    via: str | None = None,
    owner: Owner | None = None,
    consent: ConsentWords | None = None,
    timeline_kind: str = TimelineKind.CREATED,
    audit: bool = True,
) -> SavedPerson:
    """Record what a form, row or call says about a person: as someone new, or — matched by email,
    never by phone alone — as new facts of the writer's owner about the person already known, without
    touching what any other owner holds. A phone shared with someone else proposes the pair for a
    human to look at."""
    prov = provenance(
        actor, via=via or (Via.STAFF if user_or_none(actor) else Via.PUBLIC_FORM), source=source, chapter=chapter,
        owner=owner,
    )  # fmt: skip
    with transaction.atomic():
        person = facts.person_for_emails(details.emails)
        created = person is None
        if person is None:
            person, fact = facts.new_person(details.given(), prov)
        else:
            fact = facts.record_details(person, details.given(), prov)
            if fact is not None and prov.owner.kind == OwnerKind.NATIONAL and prov.via != Via.PUBLIC_FORM:
                # National's own write is national's view, as a chapter's is the chapter's.
                facts.accept_details(person, fact, how=Acceptance.STAFF, by=prov.actor, at=prov.at)
        # Whoever typed a known address into a public form may not be its owner: the consent they gave
        # for it counts once the person confirms (by the link sent to that address).
        unconfirmed = not created and prov.via == Via.PUBLIC_FORM
        added, waiting = _record_everything(person, details, prov, consent or ConsentWords(), pending=unconfirmed)
        summary = f"{'Added' if created else 'Updated'} from {source}"
        _join_and_note(person, chapter, prov, summary, timeline_kind if created else TimelineKind.UPDATED, details)
        pending = not created and (_differs_from_national(person, fact) or bool(waiting))
        if audit:
            record_audit(
                AuditEvent.PERSON_CREATED if created else AuditEvent.PERSON_UPDATED,
                actor=actor, target=person, summary=f"{'Added' if created else 'Updated'} from {source}: {person}",
                details={"owner": prov.owner.label, "via": prov.via, "given": sorted(details.given()),
                         "added": added, "pending_for_national": pending},
            )  # fmt: skip
    return SavedPerson(person=person, created=created, details=fact, pending=pending, pending_consents=tuple(waiting))


def _join_and_note(
    person: Person, chapter: Chapter | None, prov: Provenance, summary: str, kind: str, details: PersonDetails
) -> None:
    """The membership and timeline of a write, the views it changes, and the pairs its phones make."""
    if chapter is not None:
        _, joined = facts.record_membership(person, chapter, prov)
        if joined:
            facts.record_timeline(person, TimelineKind.JOINED, f"Joined {chapter.name}", prov)
    facts.record_timeline(person, kind, summary, prov)
    facts.rebuild_views([person.pk])
    proposals.propose_pairs(person, facts.people_sharing(person, details.emails, details.phones))


class AddressTaken(ValueError):
    """An address the writer's own owner already has on another person: theirs to see and to fix."""


def do_add_to_person(person: Person, details: PersonDetails, *, actor: User, source: str, via: str = Via.API) -> Person:
    """Record what a call says about one person already in the actor's scope (the API's PUT): new
    facts of the actor's owner, never another owner's. An address the owner already has on someone
    else is refused (the owner can see that); one another owner has on someone else is kept as given,
    and the two records are proposed as a pair, so the answer never tells that it was known."""
    require_person_in_scope(person, actor)
    with transaction.atomic():
        prov = provenance(actor, via=via, source=source, person=person)
        mine_elsewhere = EmailAddress.objects.filter(owner=prov.owner, address__in=details.emails).exclude(
            person=person
        )
        taken = sorted(set(mine_elsewhere.values_list("address", flat=True)))
        if taken:
            raise AddressTaken(f"{', '.join(taken)} is already another person's in your records")
        current = _current_values(person, prov.owner)
        changed = {name: value for name, value in details.given().items() if current.get(name) != value}
        fact = facts.record_details(person, changed, prov)
        if prov.owner.kind == OwnerKind.NATIONAL and fact is not None:
            facts.accept_details(person, fact, how=Acceptance.STAFF, by=actor, at=prov.at)
        added, _ = _record_everything(person, details, prov, ConsentWords(method=source))
        _join_and_note(person, None, prov, f"Updated from {source}", TimelineKind.UPDATED, details)
        record_audit(
            AuditEvent.PERSON_UPDATED, actor=actor, target=person, summary=f"updated {person} from {source}",
            details={"owner": prov.owner.label, "changed": sorted(changed), "added": added},
        )  # fmt: skip
    return person


def do_sign_up_person(
    details: PersonDetails,
    *,
    chapter: Chapter,
    source: str = "join form",
    consent: ConsentWords | None = None,
    link_base: str = "",
    timeline_kind: str = TimelineKind.SIGNED_UP,
) -> SavedPerson:
    """The public join form: anyone may sign up. What they give is the chapter's; a known email adds
    it to the person already known, whom the form never shows or changes. When the details differ
    from national's, or consent was given, the person is asked by email to confirm them."""
    with transaction.atomic():
        saved = do_save_person(
            details, source=source, actor=None, chapter=chapter, via=Via.PUBLIC_FORM, consent=consent,
            timeline_kind=timeline_kind, audit=False,
        )  # fmt: skip
        record_audit(
            AuditEvent.PERSON_SIGNED_UP,
            actor=None,
            target=saved.person,
            summary=f"{saved.person} signed up on {source}",
            details={"chapter": chapter.slug, "matched_by_email": not saved.created, "pending": saved.pending},
        )
        if saved.pending:
            from groundswell.people.confirmation import Confirmation, send_confirmation_on_commit

            to = _matched_address(saved.person, details.emails)
            asked = Confirmation.of(saved.person, saved.details, saved.pending_consents)
            send_confirmation_on_commit(asked, to=to, link_base=link_base)
    return saved


def _matched_address(person: Person, given: list[str]) -> str:
    """The address the person was matched by: one they had before this write."""
    earlier = EmailAddress.objects.filter(person=person, address__in=given).order_by("id").first()
    return earlier.address if earlier is not None else given[0]


# ---- reads that leave the server -----------------------------------------------------------------


class _HasPk(Protocol):
    pk: int


def do_audit_people_read(actor: User, *, people: Sequence[_HasPk], what: str, details: dict[str, Any]) -> None:
    """Every page, export or API answer that shows people is logged with whom it showed."""
    ids = [p.pk for p in people]
    with transaction.atomic():
        record_audit(
            AuditEvent.PERSON_VIEWED if what == "person page" else AuditEvent.PEOPLE_LISTED,
            actor=actor,
            summary=f"{what}: {len(ids)} {'person' if len(ids) == 1 else 'people'}",
            details={"what": what, "person_ids": ids, **details},
        )


# ---- edits on a person's page -------------------------------------------------------------------


def require_person_in_scope(person: Person, actor: User) -> Scope:
    from groundswell.people.selectors import people_visible_to

    if not people_visible_to(actor).filter(pk=person.pk).exists():
        raise PermissionDenied("This person is outside your scope.")
    return scope_for(actor)


def _edit_provenance(person: Person, actor: User, source: str) -> Provenance:
    return provenance(actor, via=Via.STAFF, source=source, person=person)


def do_set_consent(person: Person, *, channel: str, granted: bool, method: str, actor: User) -> int:
    """Consent said to the writer's owner (on the phone, on paper) for every address or number of the
    channel that reaches the owner (national: all of them). Returns how many were recorded."""
    require_person_in_scope(person, actor)
    with transaction.atomic():
        prov = _edit_provenance(person, actor, f"person page: {method}")
        reaching = facts.owners_reaching(prov.owner)
        model, column = (EmailAddress, "address") if channel == ConsentChannel.EMAIL else (PhoneNumber, "number")
        known = model._default_manager.filter(person=person, owner_id__in=reaching)
        values = sorted(set(known.values_list(column, flat=True)))
        for value in values:
            facts.record_consent(
                person, channel=channel, value=value, granted=granted, method=method, wording="", prov=prov
            )
        if values:
            verb = "Agreed to" if granted else "Withdrew from"
            facts.record_timeline(person, TimelineKind.CONSENT, f"{verb} {channel} ({method})", prov)
            facts.rebuild_views([person.pk])
        record_audit(
            AuditEvent.CONSENT_CHANGED,
            actor=actor,
            target=person,
            summary=f"{channel} consent {'granted' if granted else 'withdrawn'} for {person}",
            details={"channel": channel, "granted": granted, "method": method, "owner": prov.owner.label,
                     "values": values},
        )  # fmt: skip
    return len(values)


def do_tag_person(person: Person, *, tag_name: str, actor: User, chapter: Chapter | None = None) -> None:
    require_person_in_scope(person, actor)
    with transaction.atomic():
        prov = provenance(actor, via=Via.STAFF, source="person page", person=person, chapter=chapter)
        if facts.record_tag(person, tag_name, prov):
            facts.record_timeline(person, TimelineKind.TAGGED, f"Tagged {tag_name}", prov)
            record_audit(
                AuditEvent.TAG_ADDED, actor=actor, target=person, summary=f"tagged {person}: {tag_name}",
                details={"owner": prov.owner.label},
            )  # fmt: skip


def do_untag_person(person: Person, *, tag_name: str, actor: User) -> None:
    """Take the tag off wherever the actor's scope put it (a leader: their chapter's tag; national: all)."""
    scope = require_person_in_scope(person, actor)
    with transaction.atomic():
        tagged = PersonTag.objects.filter(scope.owner_q(), person=person, tag__name=tag_name)
        owner_ids = webhook_events.owners_of_tags(tagged)
        deleted, _ = tagged.delete()
        if deleted:
            webhook_events.tagging_changed(webhook_events.TAGGING_DELETED, person.pk, tag_name, owner_ids)
            record_audit(
                AuditEvent.TAG_REMOVED,
                actor=actor,
                target=person,
                summary=f"untagged {person}: {tag_name}",
            )


def do_add_membership(person: Person, *, chapter: Chapter, source: str, actor: User) -> Membership:
    """Add someone the actor sees to a chapter the actor manages. The chapter is given what the actor
    sees of them — their name, address, emails and phones as the actor's own view has them — as its
    own facts, recorded as the actor's: a disclosure the actor chose, never one the system makes."""
    require_person_in_scope(person, actor)
    from groundswell.people.selectors import seen_person

    with transaction.atomic():
        prov = provenance(actor, via=Via.STAFF, source=f"{source} (given by {actor})", chapter=chapter)
        seen = seen_person(actor, person)
        given = facts.given_values(**{name: getattr(seen, name) for name in DETAIL_FIELDS})
        facts.record_details(person, given, prov)
        facts.record_emails(person, [e.value for e in seen.emails], prov)
        facts.record_phones(person, [p.value for p in seen.phones], prov)
        membership, joined = facts.record_membership(person, chapter, prov)
        if joined:
            facts.record_timeline(person, TimelineKind.JOINED, f"Joined {chapter.name}", prov)
        facts.rebuild_views([person.pk])
        record_audit(
            AuditEvent.MEMBERSHIP_CREATED,
            actor=actor,
            target=membership,
            summary=f"{person} added to {chapter}",
            details={"given_to_chapter": sorted(given), "emails": len(seen.emails), "phones": len(seen.phones)},
        )
    return membership


def do_update_person(person: Person, *, actor: User, notes: str = "", **fields: str | int | None) -> Person:
    """Edit names, address or birth year as the editor's owner sees them, and add a note. National
    staff edit national's view; anyone else their own owner's, leaving every other owner's as it was.
    A blank value here does clear the field (for that owner)."""
    require_person_in_scope(person, actor)
    unknown = set(fields) - {*NAME_FIELDS, *ADDRESS_FIELDS, "birth_year"}
    if unknown:
        raise ValueError(f"{', '.join(sorted(unknown))} cannot be changed here")
    with transaction.atomic():
        prov = _edit_provenance(person, actor, "person page")
        current = _current_values(person, prov.owner)
        changed = {name: value for name, value in fields.items() if current.get(name) != value}
        if changed:
            fact = facts.record_details(person, changed, prov) if changed else None
            if prov.owner.kind == OwnerKind.NATIONAL and fact is not None:
                facts.accept_details(person, fact, how=Acceptance.STAFF, by=actor, at=prov.at)
            facts.record_timeline(person, TimelineKind.UPDATED, "Details updated: " + ", ".join(changed), prov)
        note = facts.record_note(person, notes, prov)
        if note is not None:
            facts.record_timeline(person, TimelineKind.NOTE, "Note added", prov)
        if changed or note is not None:
            facts.rebuild_views([person.pk])
            before_after = {k: [str(current.get(k)), str(v)] for k, v in changed.items()}
            record_audit(
                AuditEvent.PERSON_UPDATED, actor=actor, target=person, summary=f"updated {person}",
                details={"owner": prov.owner.label, "changed": before_after, "note": note is not None},
            )  # fmt: skip
    return person


def _current_values(person: Person, owner: Owner) -> dict[str, Any]:
    if owner.kind == OwnerKind.NATIONAL:
        return {name: getattr(person, name) for name in DETAIL_FIELDS}
    view = PersonView.objects.filter(person=person, owner=owner).first()
    return {name: getattr(view, name) if view else ("" if name != "birth_year" else None) for name in DETAIL_FIELDS}


def do_accept_details(fact: DetailFact, *, actor: User) -> list[str]:
    """National staff make details another owner was given national's view of the person."""
    if not scope_for(actor).national:
        raise PermissionDenied("Only national staff change national's view of a person.")
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=fact.person_id)
        changed = facts.accept_details(person, fact, how=Acceptance.STAFF, by=actor, at=timezone.now())
        record_audit(
            AuditEvent.PERSON_DETAILS_ACCEPTED, actor=actor, target=person,
            summary=f"accepted details from {fact.source or fact.get_via_display()} for {person}",
            details={"fact_id": fact.pk, "changed": changed},
        )  # fmt: skip
    return changed


def do_confirm_details(confirmation: Confirmation, *, share_with_chapters: bool) -> list[str]:
    """The person, through the link emailed to them, confirms what a form gave in their name: national
    takes the details, the consent it asked for counts, and with ``share_with_chapters`` every chapter
    they belong to sees the details too. Returns the fields of national's record that changed."""
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=confirmation.person.pk)
        now = timezone.now()
        changed: list[str] = []
        fact = confirmation.fact
        if fact is not None:
            changed = facts.accept_details(person, fact, how=Acceptance.PERSON, by=None, at=now)
            if share_with_chapters and not fact.shared:
                fact.shared = True
                fact.save(update_fields=["shared"])
        ConsentEvent.objects.filter(pk__in=[c.pk for c in confirmation.consents], person=person).update(pending=False)
        owner = fact.owner if fact is not None else national_owner()
        prov = Provenance(owner=owner, via=Via.PERSON, source="confirmation link", at=now)
        facts.record_timeline(person, TimelineKind.UPDATED, "Confirmed their details", prov)
        facts.rebuild_views([person.pk])
        record_audit(
            AuditEvent.PERSON_DETAILS_CONFIRMED, actor=None, target=person,
            summary=f"{person} confirmed their details",
            details={"fact_id": fact.pk if fact else None, "changed": changed, "shared": share_with_chapters,
                     "consents": [c.pk for c in confirmation.consents]},
        )  # fmt: skip
    return changed


# ---- duplicates, merging and unmerging ------------------------------------------------------------

# What the merge page lets national staff choose between; the address moves as one block, because a
# street from one record and a ZIP from the other would be nobody's address.
MERGE_FIELDS = (*NAME_FIELDS, "address", "birth_year")
MERGE_SIDES = ("survivor", "other")
_STATUS_RANK = {MembershipStatus.ACTIVE: 0, MembershipStatus.LAPSED: 1, MembershipStatus.LEFT: 2}
# The people app's rows that carry facts, moved one by one by a merge (other apps' rows are found in
# Django's registry: _references_elsewhere).
_OWN_ROWS: tuple[type[models.Model], ...] = (
    EmailAddress, PhoneNumber, PersonTag, ConsentEvent, TimelineEntry, DetailFact, PersonNote, Membership,
    CustomField,
)  # fmt: skip


def _check_mergeable(survivor: Person, other: Person, field_choices: Mapping[str, str], actor: User) -> None:
    if survivor.pk == other.pk:
        raise ValueError("A person cannot be merged with themselves.")
    for person in (survivor, other):
        if person.merged_into_id is not None:
            raise ValueError(f"{person} (#{person.pk}) was already merged into #{person.merged_into_id}.")
    require_person_in_scope(survivor, actor)
    require_person_in_scope(other, actor)
    if field_choices and not scope_for(actor).national:
        raise PermissionDenied("Only national staff choose national's values when merging.")
    for name, side in field_choices.items():
        if name not in MERGE_FIELDS:
            raise ValueError(f"{name!r} is not a field that can be chosen when merging")
        if side not in MERGE_SIDES:
            raise ValueError(f"{name}: choose 'survivor' or 'other', not {side!r}")


def _apply_field_choices(survivor: Person, other: Person, field_choices: Mapping[str, str]) -> dict[str, Any]:
    """Copy national's values of the other record where chosen, or where the survivor has none.
    Returns the survivor's values before, for an unmerge."""
    before: dict[str, Any] = {}
    for name in MERGE_FIELDS:
        names = ADDRESS_FIELDS if name == "address" else (name,)
        survivor_blank = all(getattr(survivor, n) in ("", None) for n in names)
        side = field_choices.get(name, "other" if survivor_blank else "survivor")
        if side == "other" and any(getattr(survivor, n) != getattr(other, n) for n in names):
            for n in names:
                before[n] = getattr(survivor, n)
                setattr(survivor, n, getattr(other, n))
    return before


def _clashes(model: type[models.Model], survivor: Person) -> Q:
    """Rows of the other record that would repeat one of the survivor's under a unique constraint
    (the same number for the same owner, the same tag by the same owner, the same chapter): they
    stay on the merged record, where an unmerge finds them as they were."""
    if model is PhoneNumber:
        numbers = PhoneNumber.objects.filter(person=survivor).values_list("number", "owner_id")
        return _any_of([Q(number=n, owner_id=o) for n, o in numbers])
    if model is PersonTag:
        tags = PersonTag.objects.filter(person=survivor).values_list("tag_id", "owner_id")
        return _any_of([Q(tag_id=t, owner_id=o) for t, o in tags])
    if model is CustomField:
        names = CustomField.objects.filter(person=survivor).values_list("name", "owner_id")
        return _any_of([Q(name=n, owner_id=o) for n, o in names])
    if model is Membership:
        return Q(chapter_id__in=list(Membership.objects.filter(person=survivor).values_list("chapter_id", flat=True)))
    return Q(pk__in=[])


def _any_of(qs: list[Q]) -> Q:
    combined = Q(pk__in=[])
    for q in qs:
        combined |= q
    return combined


def _move_own_rows(survivor: Person, other: Person) -> dict[str, list[int]]:
    moved: dict[str, list[int]] = {}
    for model in _OWN_ROWS:
        rows = model._default_manager.filter(person=other).exclude(_clashes(model, survivor))
        ids = list(rows.values_list("pk", flat=True))
        if ids:
            model._default_manager.filter(pk__in=ids).update(person=survivor)
            moved[f"{model._meta.label}.person"] = ids
    return moved


def _combine_memberships(survivor: Person, other: Person) -> dict[str, dict[str, Any]]:
    """Where both were in one chapter, the survivor's membership takes the earlier date and the best
    status; the other's stays on the merged record. Returns the survivor's values before."""
    before: dict[str, dict[str, Any]] = {}
    theirs = {m.chapter_id: m for m in Membership.objects.filter(person=other)}
    for mine in Membership.objects.filter(person=survivor, chapter_id__in=list(theirs)):
        other_m = theirs[mine.chapter_id]
        status = min((mine.status, other_m.status), key=lambda s: _STATUS_RANK[MembershipStatus(s)])
        joined = min(mine.joined_on, other_m.joined_on)
        if (status, joined) != (mine.status, mine.joined_on):
            before[str(mine.pk)] = {"status": mine.status, "joined_on": mine.joined_on.isoformat()}
            mine.status, mine.joined_on = status, joined
            mine.save(update_fields=["status", "joined_on"])
    return before


def _carry_not_duplicates(survivor: Person, other: Person, actor: User) -> None:
    """A "not the same person as X" said of the merged record holds for the survivor too."""
    pairs = NotDuplicate.objects.filter(Q(first=other) | Q(second=other)).values_list("first_id", "second_id")
    for first_id, second_id in list(pairs):
        third = second_id if first_id == other.pk else first_id
        if third != survivor.pk:
            low, high = sorted((survivor.pk, third))
            NotDuplicate.objects.get_or_create(first_id=low, second_id=high, defaults={"decided_by": actor})


def do_merge_people(survivor: Person, other: Person, *, field_choices: Mapping[str, str], actor: User) -> Person:
    """Fold ``other`` into ``survivor``, losing nothing: every fact moves over with its owner, so each
    owner's view of the survivor is what it knew of either. National staff choose national's values
    (``field_choices``: a MERGE_FIELDS name to "survivor" or "other"); a leader's merge leaves them.
    ``other`` stays as a tombstone pointing at the survivor, and a MergeRecord lists every row moved,
    so ``do_unmerge_people`` can split them back."""
    _check_mergeable(survivor, other, field_choices, actor)
    with transaction.atomic():
        locked = Person.objects.select_for_update().filter(pk__in=(survivor.pk, other.pk), merged_into__isnull=True)
        if locked.count() != 2:
            raise ValueError("One of these people was merged by someone else a moment ago; reload the page.")
        survivor.refresh_from_db()
        other.refresh_from_db()
        national_before = _apply_field_choices(survivor, other, field_choices) if scope_for(actor).national else {}
        memberships_before = _combine_memberships(survivor, other)
        moved = _move_own_rows(survivor, other)
        moved.update(_repoint_references(survivor, other))
        survivor.save()
        other.merged_into = survivor
        other.save(update_fields=["merged_into", "updated_at"])
        # Records merged into ``other`` earlier now point straight at the survivor: one hop.
        Person.objects.filter(merged_into=other).update(merged_into=survivor)
        record_tombstone(other, TombstoneKind.MERGED, survivor=survivor)
        PersonView.objects.filter(person=other).delete()
        facts.rebuild_views([survivor.pk])
        _carry_not_duplicates(survivor, other, actor)
        proposals.drop_proposals_of([other.pk])
        record = MergeRecord.objects.create(
            survivor=survivor, other=other, moved=moved, merged_by=actor, merged_at=timezone.now(),
            changed={"person": national_before, "memberships": memberships_before},
        )  # fmt: skip
        prov = provenance(actor, via=Via.STAFF, source="merge", person=survivor)
        facts.record_timeline(survivor, TimelineKind.MERGED, f"Merged with record {other.uid}", prov)
        record_audit(
            AuditEvent.PERSONS_MERGED,
            actor=actor,
            target=survivor,
            summary=f"merged {other} ({other.uid}) into {survivor} ({survivor.uid})",
            details={"survivor_id": survivor.pk, "other_id": other.pk, "merge_record": record.pk,
                     "fields_from_other": sorted(national_before), "moved": {k: len(v) for k, v in moved.items()}},
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


def _repoint_references(survivor: Person, other: Person) -> dict[str, list[int]]:
    """Point other apps' rows (recruits, nominations, ballots, contacts, voter links ...) at the survivor.

    A row that would break a uniqueness rule (both records attended the same training, or each got a
    ballot in the same vote) stays on the merged record, which redirects to the survivor. Returns the
    ids moved by "app.Model.field".
    """
    moved: dict[str, list[int]] = {}
    for model, name, unique_sets in _references_elsewhere():
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
        ids = list(rows.exclude(clashing).values_list("pk", flat=True))
        if ids:
            model._default_manager.filter(pk__in=ids).update(**{name: survivor})
            moved[f"{model._meta.label}.{name}"] = ids
    return moved


def _model_and_field(label: str) -> tuple[type[models.Model], str]:
    from django.apps import apps

    app_model, _, name = label.rpartition(".")
    return apps.get_model(app_model), name


def do_unmerge_people(record: MergeRecord, *, actor: User) -> Person:
    """Split a merge back: every row it moved returns to the record it came from, the survivor's
    memberships and national values it changed are put back, and each owner's views are rebuilt.
    Facts that arrived after the merge stay with the survivor. Returns the restored record."""
    if record.undone_at is not None:
        raise ValueError("This merge was already undone.")
    require_person_in_scope(record.survivor, actor)
    with transaction.atomic():
        survivor = Person.objects.select_for_update().get(pk=record.survivor_id)
        other = Person.objects.select_for_update().get(pk=record.other_id)
        if other.merged_into_id != survivor.pk:
            raise ValueError("This record was merged again since; undo the later merge first.")
        for label, ids in record.moved.items():
            model, name = _model_and_field(label)
            model._default_manager.filter(pk__in=ids, **{name: survivor}).update(**{name: other})
        for pk, values in record.changed.get("memberships", {}).items():
            Membership.objects.filter(pk=int(pk), person=survivor).update(
                status=values["status"], joined_on=dt.date.fromisoformat(values["joined_on"])
            )
        for name, value in record.changed.get("person", {}).items():
            setattr(survivor, name, value)
        survivor.save()
        other.merged_into = None
        other.save(update_fields=["merged_into", "updated_at"])
        facts.rebuild_views([survivor.pk, other.pk])
        record.undone_at, record.undone_by = timezone.now(), actor
        record.save(update_fields=["undone_at", "undone_by"])
        prov = provenance(actor, via=Via.STAFF, source="unmerge", person=survivor)
        facts.record_timeline(survivor, TimelineKind.MERGED, f"Merge with record {other.uid} undone", prov)
        record_audit(
            AuditEvent.PERSONS_UNMERGED, actor=actor, target=other,
            summary=f"split {other} ({other.uid}) back out of {survivor} ({survivor.uid})",
            details={"merge_record": record.pk, "moved_back": {k: len(v) for k, v in record.moved.items()}},
        )  # fmt: skip
    return other


def do_dismiss_duplicate(a: Person, b: Person, *, actor: User) -> NotDuplicate:
    """Record that two people are different humans, so they are never proposed as a pair again."""
    if a.pk == b.pk:
        raise ValueError("A person cannot be dismissed as their own duplicate.")
    require_person_in_scope(a, actor)
    require_person_in_scope(b, actor)
    first, second = sorted((a, b), key=lambda person: person.pk)
    with transaction.atomic():
        decision, _ = NotDuplicate.objects.get_or_create(first=first, second=second, defaults={"decided_by": actor})
        proposals.drop_proposal(first.pk, second.pk)
        record_audit(
            AuditEvent.DUPLICATE_DISMISSED,
            actor=actor,
            target=first,
            summary=f"{first} ({first.uid}) and {second} ({second.uid}) are different people",
            details={"first_id": first.pk, "second_id": second.pk},
        )
    return decision


# ---- the API's writes: signup with custom fields, updates that merge, deleting, tags ------------


def record_tombstone(person: Person, kind: str, *, survivor: Person | None = None) -> PersonTombstone:
    """Note that a person left the sight of the owners holding a view of them now (call it before
    their views go), so that a sync following the API can drop or repoint its copy."""
    owner_ids = set(PersonView.objects.filter(person=person).values_list("owner_id", flat=True))
    tombstone = PersonTombstone.objects.create(
        uid=person.uid, kind=kind, survivor_uid=survivor.uid if survivor else "", occurred_at=timezone.now()
    )
    tombstone.owners.set(owner_ids | {national_owner().pk})
    return tombstone


@dataclass
class PersonChanges:
    """What an API write says beyond PersonDetails: fields cleared (sent as null) and custom fields
    set (a string) or cleared (None); ``clear_custom_fields``: ``"custom_fields": null``."""

    cleared: set[str] = field(default_factory=set)
    custom_fields: dict[str, str | None] = field(default_factory=dict)
    clear_custom_fields: bool = False
    clear_emails: bool = False
    clear_phones: bool = False


def do_sign_up_through_api(
    details: PersonDetails,
    *,
    custom_fields: Mapping[str, str | None],
    remove_tags: Sequence[str],
    actor: User,
    chapter: Chapter | None,
) -> SavedPerson:
    """The API's person signup helper: do_save_person, then the custom fields and the tags to take
    off, all as the writer's owner's facts, in one transaction."""
    with transaction.atomic():
        saved = do_save_person(details, source="API signup", actor=actor, chapter=chapter, via=Via.API)
        prov = provenance(actor, via=Via.API, source="API signup", chapter=chapter)
        if record_custom_fields(saved.person, custom_fields, prov):
            facts.rebuild_views([saved.person.pk])  # the custom fields count among what the owner knows
        for name in remove_tags:
            if name not in details.tags:
                do_untag_person_through_api(saved.person, tag_name=name, actor=actor)
    return saved


def do_change_person_through_api(
    person: Person, details: PersonDetails, changes: PersonChanges, *, actor: User
) -> Person:
    """The API's PUT: what is sent is merged into the writer's owner's facts; what is absent stays;
    a null clears the owner's value (a blank detail, a cleared custom field, the owner's addresses or
    numbers gone). Never another owner's facts. An address the owner has on someone else is refused."""
    require_person_in_scope(person, actor)
    with transaction.atomic():
        prov = provenance(actor, via=Via.API, source="API", person=person)
        taken = EmailAddress.objects.filter(owner=prov.owner, address__in=details.emails).exclude(person=person)
        addresses = sorted(set(taken.values_list("address", flat=True)))
        if addresses:
            raise AddressTaken(f"{', '.join(addresses)} is already another person's in your records")
        current = _current_values(person, prov.owner)
        wanted = {**details.given(), **{name: None if name == "birth_year" else "" for name in changes.cleared}}
        changed = {name: value for name, value in wanted.items() if current.get(name) != value}
        fact = facts.record_details(person, changed, prov)
        if prov.owner.kind == OwnerKind.NATIONAL and fact is not None:
            facts.accept_details(person, fact, how=Acceptance.STAFF, by=actor, at=prov.at)
        if changes.clear_emails:
            EmailAddress.objects.filter(person=person, owner=prov.owner).delete()
        if changes.clear_phones:
            PhoneNumber.objects.filter(person=person, owner=prov.owner).delete()
        added, _ = _record_everything(person, details, prov, ConsentWords(method="API"))
        custom = clear_all_custom_fields(person, prov) if changes.clear_custom_fields else []
        custom += record_custom_fields(person, changes.custom_fields, prov)
        _join_and_note(person, None, prov, "Updated from API", TimelineKind.UPDATED, details)
        record_audit(
            AuditEvent.PERSON_UPDATED, actor=actor, target=person, summary=f"updated {person} from the API",
            details={"owner": prov.owner.label, "changed": sorted(changed), "added": added, "custom_fields": custom,
                     "cleared_emails": changes.clear_emails, "cleared_phones": changes.clear_phones},
        )  # fmt: skip
    return person


class NationalRecord(ValueError):
    """National staff asked to delete a person: national's record is everyone's, not one owner's."""


# The people app's facts a delete takes away, each filtered to the deleting scope's owners.
_DELETED_FACTS: tuple[type[models.Model], ...] = (
    EmailAddress, PhoneNumber, PersonTag, PersonNote, DetailFact, ConsentEvent, TimelineEntry, CustomField,
)  # fmt: skip


def do_delete_person_from_sight(person: Person, *, actor: User) -> PersonTombstone:
    """Take a person out of the actor's sight: every fact of the owners in the actor's scope goes, with
    the memberships of the chapters it manages, so that none of its owners knows them any more. Other
    owners' facts and national's record stay as they were; so does everything of other apps."""
    scope = require_person_in_scope(person, actor)
    if scope.national:
        raise NationalRecord("National's record of a person is not deleted through the API.")
    with transaction.atomic():
        owners = sorted(scope.fact_owner_ids)
        before = set(PersonView.objects.filter(person=person).values_list("owner_id", flat=True))
        removed = {}
        for model in _DELETED_FACTS:
            count, _ = model._default_manager.filter(person=person, owner_id__in=owners).delete()
            removed[model.__name__] = count
        memberships = Membership.objects.filter(scope.chapters_q("chapter__"), person=person)
        removed["Membership"] = memberships.delete()[0]
        facts.rebuild_views([person.pk])
        after = set(PersonView.objects.filter(person=person).values_list("owner_id", flat=True))
        tombstone = PersonTombstone.objects.create(
            uid=person.uid, kind=TombstoneKind.DELETED, occurred_at=timezone.now()
        )
        tombstone.owners.set((before - after) | set(owners) | {national_owner().pk})
        record_audit(
            AuditEvent.PERSON_DELETED, actor=actor, target=person, summary=f"deleted {person.uid} from their sight",
            details={"owners": owners, "removed": removed},
        )  # fmt: skip
    return tombstone


def do_list_tag(name: str, *, actor: User) -> Tag:
    """A tag the actor's owner keeps in its list of tags, made if no one had the name before."""
    with transaction.atomic():
        prov = provenance(actor, via=Via.API, source="API")
        tag, _ = Tag.objects.get_or_create(name=name.strip())
        fields = {k: v for k, v in prov.fact_fields().items() if k != "owner"}
        _, listed = TagListing.objects.get_or_create(tag=tag, owner=prov.owner, defaults=fields)
        if listed:
            record_audit(
                AuditEvent.TAG_ADDED, actor=actor, summary=f"listed tag {tag.name}", details={"owner": prov.owner.label}
            )
    return tag


def do_tag_person_through_api(person: Person, tag: Tag, *, actor: User) -> PersonTag:
    """Tag someone in the actor's scope, as the actor's owner's fact. Returns that tagging (the one
    already there, if the owner had tagged them so)."""
    require_person_in_scope(person, actor)
    with transaction.atomic():
        prov = provenance(actor, via=Via.API, source="API", person=person)
        if facts.record_tag(person, tag.name, prov):
            facts.record_timeline(person, TimelineKind.TAGGED, f"Tagged {tag.name}", prov)
            facts.rebuild_views([person.pk])
            record_audit(
                AuditEvent.TAG_ADDED, actor=actor, target=person, summary=f"tagged {person}: {tag.name}",
                details={"owner": prov.owner.label, "via": Via.API},
            )  # fmt: skip
        return PersonTag.objects.get(person=person, tag=tag, owner=prov.owner)


def do_untag_person_through_api(person: Person, *, tag_name: str, actor: User) -> None:
    """Take a tag off as do_untag_person does, keeping it in the list of each owner that had put it
    on (a tool that read the list of tags goes on using it, as on Action Network, where tags stay)."""
    scope = require_person_in_scope(person, actor)
    with transaction.atomic():
        tagged = PersonTag.objects.filter(scope.owner_q(), person=person, tag__name=tag_name)
        for tag_id, owner_id in set(tagged.values_list("tag_id", "owner_id")):
            TagListing.objects.get_or_create(
                tag_id=tag_id, owner_id=owner_id,
                defaults={"via": Via.API, "source": "API: untagged", "recorded_at": timezone.now(),
                          "recorded_by": actor},
            )  # fmt: skip
        do_untag_person(person, tag_name=tag_name, actor=actor)

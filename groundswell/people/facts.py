"""Writing facts about people, each with its owner and provenance, and keeping the views in step.

Every write to a person goes through here (from people/actions.py and the importer): the values
given become new facts of the writer's owner; nothing is written over another owner's facts; the
views of the writer's owner and of the owners above it are rebuilt from the facts (people/fold.py).
National's view — the Person row's own columns — changes only by ``accept_details``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone

from groundswell.chapters.models import Chapter, Owner, OwnerKind
from groundswell.chapters.owners import national_owner
from groundswell.core.models import User
from groundswell.people import fold
from groundswell.people.models import (
    DETAIL_FIELDS,
    Acceptance,
    ConsentEvent,
    CustomField,
    DetailFact,
    EmailAddress,
    Membership,
    MembershipStatus,
    Person,
    PersonNote,
    PersonTag,
    PersonView,
    PhoneKind,
    PhoneNumber,
    Tag,
    TimelineEntry,
    sort_name_for,
)
from groundswell.webhooks import events as webhook_events

_CHUNK = 900  # below SQLite's old 999-parameter limit


@dataclass(frozen=True)
class Provenance:
    """Whose a write's facts become, how they came in, from where, by whom and when."""

    owner: Owner
    via: str
    source: str
    actor: User | None = None
    at: dt.datetime = field(default_factory=timezone.now)

    def fact_fields(self) -> dict[str, Any]:
        return {
            "owner": self.owner, "via": self.via, "source": self.source[:200], "recorded_at": self.at,
            "recorded_by": self.actor,
        }  # fmt: skip


# ---- single writes ------------------------------------------------------------------------------


def given_values(**values: Any) -> dict[str, Any]:
    """The detail fields a form or row gave: blanks left out, so they never clear what is known."""
    return {name: value for name, value in values.items() if name in DETAIL_FIELDS and value not in ("", None)}


def record_details(person: Person, values: dict[str, Any], prov: Provenance) -> DetailFact | None:
    if not values:
        return None
    return DetailFact.objects.create(person=person, values=values, **prov.fact_fields())


def accept_details(person: Person, fact: DetailFact, *, how: str, by: User | None, at: dt.datetime) -> list[str]:
    """Make these details national's view of the person. Returns the fields that changed."""
    held = {name: getattr(person, name) for name in fold.DETAIL_FIELDS if getattr(person, name) not in ("", None)}
    values = fold.overlay(held, fact.values)
    blank: dict[str, Any] = {name: None if name == "birth_year" else "" for name in fold.DETAIL_FIELDS}
    wanted = {name: values.get(name, blank[name]) for name in fold.DETAIL_FIELDS}
    changed = [name for name, value in wanted.items() if getattr(person, name) != value]
    for name in changed:
        setattr(person, name, wanted[name])
    if changed:
        person.save()
    fact.accepted_at, fact.accepted_how, fact.accepted_by = at, how, by
    fact.save(update_fields=["accepted_at", "accepted_how", "accepted_by"])
    return changed


def new_person(values: dict[str, Any], prov: Provenance) -> tuple[Person, DetailFact | None]:
    """A person nobody knew: the first details given are national's view too."""
    person = Person(source=prov.source[:120], **values)
    person.save()
    fact = record_details(person, values, prov)
    if fact is not None:
        fact.accepted_at, fact.accepted_how = prov.at, Acceptance.CREATED
        fact.save(update_fields=["accepted_at", "accepted_how"])
    return person, fact


def record_emails(person: Person, addresses: Sequence[str], prov: Provenance) -> list[str]:
    """The owner's facts of these addresses (an address already the owner's stays as it is)."""
    held = set(EmailAddress.objects.filter(person=person, owner=prov.owner).values_list("address", flat=True))
    added = [a for a in dict.fromkeys(addresses) if a not in held]
    EmailAddress.objects.bulk_create(
        [EmailAddress(person=person, address=a, is_primary=not held and i == 0, **prov.fact_fields())
         for i, a in enumerate(added)]
    )  # fmt: skip
    return added


def record_phones(person: Person, numbers: Sequence[str], prov: Provenance, kind: str = PhoneKind.OTHER) -> list[str]:
    held = set(PhoneNumber.objects.filter(person=person, owner=prov.owner).values_list("number", flat=True))
    added = [n for n in dict.fromkeys(numbers) if n not in held]
    for i, number in enumerate(added):
        # save(), not bulk_create: it fills the reversed digits that the phone search uses.
        PhoneNumber(
            person=person, number=number, kind=kind, is_primary=not held and i == 0, **prov.fact_fields()
        ).save()
    return added


def record_tag(person: Person, tag_name: str, prov: Provenance) -> bool:
    tag, _ = Tag.objects.get_or_create(name=tag_name.strip())
    _, created = PersonTag.objects.get_or_create(
        person=person, tag=tag, owner=prov.owner, defaults={k: v for k, v in prov.fact_fields().items() if k != "owner"}
    )
    if created:
        webhook_events.tagging_changed(webhook_events.TAGGING_CREATED, person.pk, tag.name, [prov.owner.pk])
    return created


def record_note(person: Person, text: str, prov: Provenance) -> PersonNote | None:
    text = text.strip()
    return PersonNote.objects.create(person=person, text=text, **prov.fact_fields()) if text else None


def record_consent(
    person: Person,
    *,
    channel: str,
    value: str,
    granted: bool,
    method: str,
    wording: str,
    prov: Provenance,
    pending: bool = False,
) -> ConsentEvent:
    return ConsentEvent.objects.create(
        person=person, channel=channel, value=value, granted=granted, method=method[:120], wording=wording[:300],
        occurred_at=prov.at, pending=pending, **prov.fact_fields(),
    )  # fmt: skip


def record_membership(person: Person, chapter: Chapter, prov: Provenance) -> tuple[Membership, bool]:
    """Join (or rejoin) the chapter. Returns the membership and whether it began now."""
    membership, created = Membership.objects.get_or_create(
        person=person, chapter=chapter,
        defaults={"joined_on": prov.at.date(), "source": prov.source[:120], "via": prov.via,
                  "recorded_by": prov.actor},
    )  # fmt: skip
    if not created and membership.status != MembershipStatus.ACTIVE:
        membership.status = MembershipStatus.ACTIVE
        membership.save(update_fields=["status"])
        return membership, True
    return membership, created


def record_timeline(person: Person, kind: str, summary: str, prov: Provenance) -> TimelineEntry:
    return TimelineEntry.objects.create(
        person=person, kind=kind, occurred_at=prov.at, summary=summary[:300], owner=prov.owner, actor=prov.actor
    )


# ---- views ----------------------------------------------------------------------------------------


def all_owners() -> fold.Owners:
    """Every owner, national always among them (a fresh database has made no national row yet, and
    national's consent columns are folded as national sees them)."""
    national_owner()
    return fold.Owners(
        fold.OwnerInfo(pk, kind, state, chapter_id)
        for pk, kind, state, chapter_id in Owner.objects.values_list("pk", "kind", "state", "chapter_id")
    )


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def load_facts(person_ids: Sequence[int], owners: fold.Owners) -> dict[int, fold.PersonFacts]:
    """What a fold needs of each of these people, a chunk of people per query."""
    facts: dict[int, fold.PersonFacts] = defaultdict(fold.PersonFacts)
    for chunk in _chunks(sorted(set(person_ids))):
        _load_chunk(chunk, facts, owners)
    return facts


def _load_chunk(chunk: Sequence[int], facts: dict[int, fold.PersonFacts], owners: fold.Owners) -> None:
    for pid, owner_id, at, pk, values, shared in DetailFact.objects.filter(person_id__in=chunk).values_list(
        "person_id", "owner_id", "recorded_at", "pk", "values", "shared"
    ):
        facts[pid].details.append(fold.DetailRow(owner_id, at, pk, values, shared))
        facts[pid].saw(owner_id, at)
    consents = ConsentEvent.objects.filter(person_id__in=chunk).values_list(
        "person_id", "owner_id", "channel", "value", "granted", "occurred_at", "pk", "pending"
    )
    for pid, owner_id, channel, value, granted, at, pk, pending in consents:
        facts[pid].consents.append(fold.ConsentRow(owner_id, channel, value, granted, at, pk, pending))
        facts[pid].saw(owner_id, at)
    for pid, owner_id, value, at in EmailAddress.objects.filter(person_id__in=chunk).values_list(
        "person_id", "owner_id", "address", "recorded_at"
    ):
        facts[pid].emails.append((owner_id, value))
        facts[pid].saw(owner_id, at)
    for pid, owner_id, value, at in PhoneNumber.objects.filter(person_id__in=chunk).values_list(
        "person_id", "owner_id", "number", "recorded_at"
    ):
        facts[pid].phones.append((owner_id, value))
        facts[pid].saw(owner_id, at)
    others = [
        *PersonTag.objects.filter(person_id__in=chunk).values_list("person_id", "owner_id", "recorded_at"),
        *PersonNote.objects.filter(person_id__in=chunk).values_list("person_id", "owner_id", "recorded_at"),
        *CustomField.objects.filter(person_id__in=chunk).values_list("person_id", "owner_id", "recorded_at"),
    ]
    for pid, owner_id, at in others:
        facts[pid].saw(owner_id, at)
    for pid, chapter_id, status, created_at in Membership.objects.filter(person_id__in=chunk).values_list(
        "person_id", "chapter_id", "status", "created_at"
    ):
        chapter_owner_id = owners.chapter_owner_ids.get(chapter_id)
        if chapter_owner_id is not None:
            facts[pid].saw(chapter_owner_id, created_at)
        if status != MembershipStatus.LEFT:
            facts[pid].member_chapter_ids.add(chapter_id)


def _view_row(person_id: int, owner_id: int, folded: fold.FoldedView) -> PersonView:
    values = {name: folded.values.get(name, None if name == "birth_year" else "") for name in DETAIL_FIELDS}
    return PersonView(
        person_id=person_id, owner_id=owner_id,
        sort_name=sort_name_for(str(values["first_name"]), str(values["last_name"])),
        email_opt_in=folded.email_opt_in, sms_opt_in=folded.sms_opt_in, created_at=folded.created_at,
        updated_at=folded.updated_at, **values,
    )  # fmt: skip


_VIEW_COLUMNS = (*DETAIL_FIELDS, "sort_name", "email_opt_in", "sms_opt_in", "created_at", "updated_at")


def rebuild_views(
    person_ids: Iterable[int], *, national_consent: bool = True, created: Mapping[int, fold.PersonFacts] | None = None
) -> None:
    """Make every view of these people a fold of the facts that reach it: new views for owners that
    came to know them, changed ones updated, views of owners that no longer know them (after an
    unmerge) gone. With ``national_consent``, national's consent columns on the person too.

    ``created``: people this write made, with every fact they have (so nothing is read back), whose
    Person rows were saved with national's consent already folded (``national_consent_of``)."""
    if created:
        owners = all_owners()
        made = {
            (pid, viewer): _view_row(pid, viewer, fold.fold_view(facts, owners, viewer))
            for pid, facts in created.items()
            for viewer in fold.viewers_knowing(facts, owners)
        }
        PersonView.objects.bulk_create(made.values(), batch_size=1000)
        webhook_events.views_written(made, new_people=created)
    ids = sorted(set(person_ids) - set(created or ()))
    if not ids:
        return
    merged: set[int] = set()
    for chunk in _chunks(ids):
        merged.update(Person.objects.filter(pk__in=chunk, merged_into__isnull=False).values_list("pk", flat=True))
    # A merged record keeps only what clashed with its survivor's rows, and no views: its person is elsewhere.
    for chunk in _chunks(sorted(merged)):
        PersonView.objects.filter(person_id__in=chunk).delete()
    ids = [pid for pid in ids if pid not in merged]
    owners = all_owners()
    national_id = owners.national_id
    facts = load_facts(ids, owners)
    wanted: dict[tuple[int, int], PersonView] = {}
    for pid in ids:
        for viewer in fold.viewers_knowing(facts[pid], owners):
            wanted[(pid, viewer)] = _view_row(pid, viewer, fold.fold_view(facts[pid], owners, viewer))
    fresh, changed, known = _store_views(ids, wanted)
    webhook_events.views_written(fresh, changed, without_views_before=set(ids) - known)
    if national_consent and national_id is not None:
        _store_national_consent(ids, facts, owners, national_id)


def national_consent_of(facts: fold.PersonFacts, owners: fold.Owners) -> tuple[bool, bool]:
    """National's email and SMS consent for a person with these facts (the Person row's columns)."""
    national_id = owners.national_id
    assert national_id is not None  # all_owners makes national's row
    return (fold.opted_in(facts, owners, national_id, fold.EMAIL), fold.opted_in(facts, owners, national_id, fold.SMS))


def _store_views(
    ids: Sequence[int], wanted: dict[tuple[int, int], PersonView]
) -> tuple[list[tuple[int, int]], list[tuple[int, int]], set[int]]:
    """Returns the views made, the views changed, and the people who had a view before."""
    existing: dict[tuple[int, int], PersonView] = {}
    for chunk in _chunks(ids):
        existing.update(((v.person_id, v.owner_id), v) for v in PersonView.objects.filter(person_id__in=chunk))
    changed = [
        key for key, view in wanted.items()
        if key in existing and any(getattr(existing[key], c) != getattr(view, c) for c in _VIEW_COLUMNS)
    ]  # fmt: skip
    # A changed view is written again rather than updated: nothing refers to a view's id, and Django's
    # bulk_update (a CASE per column) takes minutes for the tens of thousands one import can change.
    gone = [v.pk for key, v in existing.items() if key not in wanted] + [existing[key].pk for key in changed]
    for chunk in _chunks(gone):
        PersonView.objects.filter(pk__in=chunk).delete()
    fresh = [v for key, v in wanted.items() if key not in existing]
    PersonView.objects.bulk_create([*fresh, *(wanted[key] for key in changed)], batch_size=1000)
    return [(v.person_id, v.owner_id) for v in fresh], changed, {pid for pid, _ in existing}


def _store_national_consent(
    ids: Sequence[int], facts: dict[int, fold.PersonFacts], owners: fold.Owners, national_id: int
) -> None:
    flags = {
        pid: (fold.opted_in(facts[pid], owners, national_id, fold.EMAIL),
              fold.opted_in(facts[pid], owners, national_id, fold.SMS))
        for pid in ids
    }  # fmt: skip
    by_flags: dict[tuple[bool, bool], list[int]] = defaultdict(list)
    current: dict[int, tuple[bool, bool]] = {}
    for chunk in _chunks(ids):
        current.update(
            (pk, (e, s))
            for pk, e, s in Person.objects.filter(pk__in=chunk).values_list("pk", "email_opt_in", "sms_opt_in")
        )
    for pid, pair in flags.items():
        if current.get(pid) != pair:
            by_flags[pair].append(pid)
    for (email, sms), changed in by_flags.items():
        for chunk in _chunks(changed):
            Person.objects.filter(pk__in=chunk).update(email_opt_in=email, sms_opt_in=sms)


# ---- matching -----------------------------------------------------------------------------------


def person_for_emails(addresses: Sequence[str]) -> Person | None:
    """The person these addresses belong to: whoever was given one of them first, followed through
    merges. Phones never decide: see people_sharing."""
    if not addresses:
        return None
    match = EmailAddress.objects.filter(address__in=list(addresses)).order_by("id").select_related("person").first()
    if match is None:
        return None
    person = match.person
    while person.merged_into_id is not None:
        person = Person.objects.get(pk=person.merged_into_id)
    return person


def people_sharing(person: Person, addresses: Sequence[str], numbers: Sequence[str]) -> list[int]:
    """Other live people with one of these addresses or numbers: pairs for a human to look at, never
    a merge. (An address can be two people's when a writer gave it for someone they already had: the
    write is kept as given, and the pair is proposed.)"""
    found: set[int] = set()
    for model, column, values in ((EmailAddress, "address", addresses), (PhoneNumber, "number", numbers)):
        if values:
            others = model._default_manager.filter(**{f"{column}__in": list(values)}, person__merged_into__isnull=True)
            found.update(others.exclude(person=person).values_list("person_id", flat=True))
    return sorted(found)


def owners_reaching(owner: Owner) -> list[int]:
    """The owners whose facts reach ``owner``: itself; a state's chapters too; national everyone."""
    if owner.kind == OwnerKind.NATIONAL:
        return list(Owner.objects.values_list("pk", flat=True))
    if owner.kind == OwnerKind.STATE:
        return list(Owner.objects.filter(state=owner.state).values_list("pk", flat=True))
    return [owner.pk]


def national_id() -> int:
    return national_owner().pk


def owner_filter(owner_ids: Iterable[int]) -> Q:
    return Q(owner_id__in=list(owner_ids))

"""Give every existing fact about a person an owner, from what is known of where it came from, and
build every owner's view of the people it knows.

What is known, in order: a join form's source names its chapter; a row made within a few seconds of
a chapter's entry in the person's timeline (a form, an import, a join: one transaction each) came
in through that chapter; a person with one chapter got everything through it. What none of these
attributes belongs to national. The details on the record (name, address, birth year) are the
chapter's that made the person, and also those of every chapter whose own write updated them.
"""

import datetime as dt
import secrets
from collections import defaultdict

from django.db import migrations

from groundswell.people import fold

WINDOW = dt.timedelta(seconds=5)
CHUNK = 500
DETAILS = fold.DETAIL_FIELDS
WRITE_KINDS = ("created", "signed_up", "imported", "updated")


def _owners(apps):
    Owner = apps.get_model("chapters", "Owner")
    Chapter = apps.get_model("chapters", "Chapter")
    national, _ = Owner.objects.get_or_create(kind="national", defaults={"state": ""})
    for chapter in Chapter.objects.all():
        Owner.objects.get_or_create(chapter=chapter, defaults={"kind": "chapter", "state": chapter.state})
        if chapter.state:
            Owner.objects.get_or_create(kind="state", state=chapter.state)
    by_chapter = {o.chapter_id: o.pk for o in Owner.objects.filter(kind="chapter")}
    infos = fold.Owners(fold.OwnerInfo(o.pk, o.kind, o.state, o.chapter_id) for o in Owner.objects.all())
    names = {c.name: c.pk for c in Chapter.objects.all()}
    return national.pk, by_chapter, infos, names


class _Attribution:
    """Where one person's rows came from."""

    def __init__(self, person, arrivals, chapters, national_id, by_chapter, names, states):
        self.national_id = national_id
        self.states = states  # chapter owner id -> its state's owner id
        self.by_chapter = by_chapter
        self.arrivals = sorted(arrivals)  # (time, chapter id)
        self.single = next(iter(chapters)) if len(chapters) == 1 else None
        source = person.source or ""
        named = names.get(source.removeprefix("join form on ")) if source.startswith("join form on ") else None
        first = self.arrivals[0][1] if self.arrivals else None
        self.creator = named or first or self.single

    def owner_at(self, when):
        best = None
        for at, chapter_id in self.arrivals:
            if when is not None and abs(at - when) <= WINDOW and (best is None or abs(at - when) < abs(best[0] - when)):
                best = (at, chapter_id)
        chapter_id = best[1] if best else self.single
        return self.by_chapter.get(chapter_id, self.national_id) if chapter_id else self.national_id

    def knowing(self):
        """National, every chapter the person was in, and those chapters' states."""
        known = {self.national_id}
        for _, chapter_id in self.arrivals:
            owner_id = self.by_chapter.get(chapter_id)
            if owner_id is not None:
                known.add(owner_id)
                state_id = self.states.get(owner_id)
                if state_id is not None:
                    known.add(state_id)
        return known

    def detail_owners(self, writers):
        chapters = {c for c in (self.creator, *writers) if c}
        return sorted({self.by_chapter[c] for c in chapters if c in self.by_chapter}) or [self.national_id]


def attribute(apps, schema_editor):
    Person = apps.get_model("people", "Person")
    Email = apps.get_model("people", "EmailAddress")
    Phone = apps.get_model("people", "PhoneNumber")
    PersonTag = apps.get_model("people", "PersonTag")
    Consent = apps.get_model("people", "ConsentEvent")
    Timeline = apps.get_model("people", "TimelineEntry")
    Membership = apps.get_model("people", "Membership")
    DetailFact = apps.get_model("people", "DetailFact")
    Note = apps.get_model("people", "PersonNote")
    ImportBatch = apps.get_model("people", "ImportBatch")
    national_id, by_chapter, owners, names = _owners(apps)
    states = {
        o.id: owners.state_ids[o.state] for o in owners.by_id.values() if o.kind == "chapter" and o.state in owners.state_ids
    }

    for batch in ImportBatch.objects.all():
        batch.owner_id = by_chapter.get(batch.chapter_id, national_id) if batch.chapter_id else national_id
        batch.save(update_fields=["owner"])
    Timeline.objects.filter(chapter__isnull=True).update(owner_id=national_id)
    for chapter_id, owner_id in by_chapter.items():
        Timeline.objects.filter(chapter_id=chapter_id).update(owner_id=owner_id)

    ids = list(Person.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        arrivals, writers, chapters = defaultdict(list), defaultdict(set), defaultdict(set)
        for pid, kind, at, chapter_id in Timeline.objects.filter(person_id__in=chunk, chapter__isnull=False).values_list(
            "person_id", "kind", "occurred_at", "chapter_id"
        ):
            arrivals[pid].append((at, chapter_id))
            if kind in WRITE_KINDS:
                writers[pid].add(chapter_id)
        for pid, chapter_id, created_at in Membership.objects.filter(person_id__in=chunk).values_list(
            "person_id", "chapter_id", "created_at"
        ):
            chapters[pid].add(chapter_id)
            arrivals[pid].append((created_at, chapter_id))
        for person in Person.objects.filter(pk__in=chunk):
            who = _Attribution(person, arrivals[person.pk], chapters[person.pk], national_id, by_chapter, names, states)
            _attribute_person(person, who, writers[person.pk], Email, Phone, PersonTag, Consent, DetailFact, Note)
        _build_views(chunk, apps, owners)


def _attribute_person(person, who, writers, Email, Phone, PersonTag, Consent, DetailFact, Note):
    person.uid = secrets.token_hex(8)
    person.save(update_fields=["uid"])
    for model, when in ((Email, "created_at"), (Phone, "created_at"), (PersonTag, "added_at")):
        for row in model.objects.filter(person=person):
            row.owner_id = who.owner_at(getattr(row, when))
            row.via, row.source, row.recorded_at = "earlier", person.source[:200], getattr(row, when)
            row.save(update_fields=["owner", "via", "source", "recorded_at"])
    for event in list(Consent.objects.filter(person=person)):
        event.owner_id = who.owner_at(event.occurred_at)
        event.via, event.source, event.recorded_at = "earlier", event.method[:200], event.occurred_at
        event.save(update_fields=["owner", "via", "source", "recorded_at"])
        if not event.granted:
            # Consent was one switch for everyone then: a withdrawal binds every owner that knows the
            # person, each by a copy of its own (a grant still reaches only upwards).
            for owner_id in sorted(who.knowing() - {event.owner_id}):
                Consent.objects.create(
                    person=person, channel=event.channel, value="", granted=False, method=event.method,
                    occurred_at=event.occurred_at, owner_id=owner_id, via="earlier", source=event.source,
                    recorded_at=event.occurred_at, recorded_by_id=event.recorded_by_id,
                )
    values = {name: getattr(person, name) for name in DETAILS if getattr(person, name) not in ("", None)}
    for index, owner_id in enumerate(who.detail_owners(writers) if values else []):
        DetailFact.objects.create(
            person=person, owner_id=owner_id, via="earlier", source=person.source[:200], recorded_at=person.created_at,
            values=values, accepted_at=person.created_at if index == 0 else None,
            accepted_how="created" if index == 0 else "",
        )
    if person.notes.strip():
        owner_id = who.by_chapter.get(who.creator, who.national_id) if who.creator else who.national_id
        Note.objects.create(
            person=person, owner_id=owner_id, via="earlier", source=person.source[:200],
            recorded_at=person.updated_at, text=person.notes.strip(),
        )


def _build_views(chunk, apps, owners):
    """Every owner's view of these people, folded from the facts just attributed (people/fold.py)."""
    Person = apps.get_model("people", "Person")
    PersonView = apps.get_model("people", "PersonView")
    facts = defaultdict(fold.PersonFacts)
    for row in apps.get_model("people", "DetailFact").objects.filter(person_id__in=chunk):
        facts[row.person_id].details.append(fold.DetailRow(row.owner_id, row.recorded_at, row.pk, row.values))
        facts[row.person_id].saw(row.owner_id, row.recorded_at)
    for row in apps.get_model("people", "ConsentEvent").objects.filter(person_id__in=chunk):
        facts[row.person_id].consents.append(
            fold.ConsentRow(row.owner_id, row.channel, row.value, row.granted, row.occurred_at, row.pk)
        )
        facts[row.person_id].saw(row.owner_id, row.occurred_at)
    for model, column, target in (("EmailAddress", "address", "emails"), ("PhoneNumber", "number", "phones")):
        for row in apps.get_model("people", model).objects.filter(person_id__in=chunk):
            getattr(facts[row.person_id], target).append((row.owner_id, getattr(row, column)))
            facts[row.person_id].saw(row.owner_id, row.recorded_at)
    for row in apps.get_model("people", "PersonTag").objects.filter(person_id__in=chunk):
        facts[row.person_id].saw(row.owner_id, row.recorded_at)
    for row in apps.get_model("people", "Membership").objects.filter(person_id__in=chunk):
        owner_id = owners.chapter_owner_ids.get(row.chapter_id)
        if owner_id is not None:
            facts[row.person_id].saw(owner_id, row.created_at)
        if row.status != "left":
            facts[row.person_id].member_chapter_ids.add(row.chapter_id)
    national_id = next(o.id for o in owners.by_id.values() if o.kind == "national")
    views = []
    for pid in chunk:
        person_facts = facts[pid]
        for viewer in fold.viewers_knowing(person_facts, owners):
            folded = fold.fold_view(person_facts, owners, viewer)
            values = {n: folded.values.get(n, None if n == "birth_year" else "") for n in DETAILS}
            views.append(PersonView(
                person_id=pid, owner_id=viewer, sort_name=f"{values['last_name']} {values['first_name']}".strip().lower(),
                email_opt_in=folded.email_opt_in, sms_opt_in=folded.sms_opt_in, created_at=folded.created_at,
                updated_at=folded.updated_at, **values,
            ))
        Person.objects.filter(pk=pid).update(
            email_opt_in=fold.opted_in(person_facts, owners, national_id, fold.EMAIL),
            sms_opt_in=fold.opted_in(person_facts, owners, national_id, fold.SMS),
        )
    PersonView.objects.bulk_create(views, batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ("people", "0005_facts_with_owners_and_views"),
        ("chapters", "0003_owners_of_facts"),
    ]

    operations = [migrations.RunPython(attribute, migrations.RunPython.noop)]

"""The migration that gave existing facts their owners: each row gets the owner known from where it
came in, what cannot be attributed belongs to national, and every owner's view is built."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("people", "0004_import_preview_and_stored_duplicate_proposals"), ("chapters", "0002_initial")]


def _old_rows(apps):
    """Rows as they were before owners: Ana joined Pittsburgh by its form, Bo was imported into
    Pittsburgh and later signed up in Providence (a second email then), Cy has no chapter."""
    Chapter, Person = apps.get_model("chapters", "Chapter"), apps.get_model("people", "Person")
    Email, Phone = apps.get_model("people", "EmailAddress"), apps.get_model("people", "PhoneNumber")
    Membership, Timeline = apps.get_model("people", "Membership"), apps.get_model("people", "TimelineEntry")
    Consent, Tag, PersonTag = (apps.get_model("people", m) for m in ("ConsentEvent", "Tag", "PersonTag"))
    pittsburgh = Chapter.objects.create(name="Pittsburgh Groundswell", slug="pittsburgh", state="PA")
    providence = Chapter.objects.create(name="Providence Groundswell", slug="providence", state="RI")
    then = timezone.now() - dt.timedelta(days=30)
    later = then + dt.timedelta(days=7)

    ana = Person.objects.create(first_name="Ana", last_name="Ruiz", zip_code="15213",
                                source="join form on Pittsburgh Groundswell", notes="Has a car.")  # fmt: skip
    Email.objects.create(person=ana, address="ana@example.net", is_primary=True)
    Membership.objects.create(person=ana, chapter=pittsburgh, joined_on=then.date())
    Timeline.objects.create(person=ana, kind="signed_up", occurred_at=then, summary="x", chapter=pittsburgh)
    Consent.objects.create(person=ana, channel="email", granted=True, method="join form", occurred_at=then)
    Consent.objects.create(person=ana, channel="email", granted=False, method="replied STOP", occurred_at=later)

    bo = Person.objects.create(first_name="Bo", last_name="Kim", source="import: members.csv")
    first_email = Email.objects.create(person=bo, address="bo@example.net", is_primary=True)
    Phone.objects.create(person=bo, number="+14125550100", digits_reversed="0010555214")
    Membership.objects.create(person=bo, chapter=pittsburgh, joined_on=then.date())
    Timeline.objects.create(person=bo, kind="imported", occurred_at=then, summary="x", chapter=pittsburgh)
    second_email = Email.objects.create(person=bo, address="bo@work.example")
    Membership.objects.create(person=bo, chapter=providence, joined_on=later.date())
    Timeline.objects.create(person=bo, kind="updated", occurred_at=later, summary="x", chapter=providence)
    # created_at is auto_now_add: set the moments the rows came in, as they would have been.
    Email.objects.filter(pk=first_email.pk).update(created_at=then)
    Email.objects.filter(pk=second_email.pk).update(created_at=later)
    Phone.objects.filter(person=bo).update(created_at=then)
    Membership.objects.filter(person=bo, chapter=pittsburgh).update(created_at=then)
    Membership.objects.filter(person=bo, chapter=providence).update(created_at=later)
    PersonTag.objects.filter(person=bo).update(added_at=then)
    PersonTag.objects.create(person=bo, tag=Tag.objects.create(name="driver"))
    PersonTag.objects.filter(person=bo).update(added_at=later)

    cy = Person.objects.create(first_name="Cy", last_name="Oduya", source="API")
    Email.objects.create(person=cy, address="cy@example.net", is_primary=True)
    return ana.pk, bo.pk, cy.pk


@pytest.mark.django_db(transaction=True)
def test_existing_rows_get_the_owner_they_came_in_through():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old_apps = executor.loader.project_state(BEFORE).apps
    ana_id, bo_id, cy_id = _old_rows(old_apps)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from groundswell.people.models import (
        ConsentEvent,
        DetailFact,
        EmailAddress,
        Person,
        PersonNote,
        PersonTag,
        PersonView,
        PhoneNumber,
        TimelineEntry,
    )

    def owner_of(model, **where):
        return model.objects.select_related("owner__chapter").get(**where).owner.label

    # Ana: the join form names its chapter.
    assert owner_of(EmailAddress, address="ana@example.net") == "Pittsburgh Groundswell"
    assert owner_of(PersonNote, person_id=ana_id) == "Pittsburgh Groundswell"
    assert owner_of(TimelineEntry, person_id=ana_id) == "Pittsburgh Groundswell"
    # Bo: each row by the chapter whose write it came with; the details belong to both writers.
    assert owner_of(EmailAddress, address="bo@example.net") == "Pittsburgh Groundswell"
    assert owner_of(EmailAddress, address="bo@work.example") == "Providence Groundswell"
    assert owner_of(PhoneNumber, person_id=bo_id) == "Pittsburgh Groundswell"
    assert owner_of(PersonTag, person_id=bo_id) == "Providence Groundswell"
    assert {f.owner.label for f in DetailFact.objects.filter(person_id=bo_id)} == {
        "Pittsburgh Groundswell", "Providence Groundswell",
    }  # fmt: skip
    providence = PersonView.objects.get(person_id=bo_id, owner__chapter__slug="providence")
    assert providence.first_name == "Bo"
    assert not PhoneNumber.objects.filter(person_id=bo_id, owner__chapter__slug="providence").exists()
    # Cy: no chapter to attribute anything to, so national's; no chapter's view.
    assert owner_of(EmailAddress, address="cy@example.net") == "Groundswell national"
    assert not PersonView.objects.filter(person_id=cy_id).exists()
    # Every person got a random id; consent withdrawn then binds everyone who knew her.
    assert len({p.uid for p in Person.objects.all()}) == 3
    ana = Person.objects.get(pk=ana_id)
    assert ana.email_opt_in is False
    withdrawals = ConsentEvent.objects.filter(person=ana, granted=False)
    assert {e.owner.label for e in withdrawals} >= {"Pittsburgh Groundswell", "Groundswell national"}
    assert PersonView.objects.get(person=ana, owner__chapter__slug="pittsburgh").email_opt_in is False

"""A chapter that moves in brings its lists: each tool's export, as the tool writes it, is recognized
by its header, mapped without questions, and imported with its consent as the tool had it — for the
importing chapter only (docs/privacy.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from groundswell.people.actions import PersonDetails, do_save_person
from groundswell.people.formats import FIELD_LABELS, recognize
from groundswell.people.importing import (
    FIELD_LABELS as ALL_FIELDS,
)
from groundswell.people.importing import (
    do_import_people,
    do_upload_people_file,
    saved_or_guessed_mapping,
    validate_mapping,
)
from groundswell.people.models import ConsentEvent, EmailAddress, ImportStatus, Person, PersonNote, PhoneNumber

DATA = Path(__file__).parent / "data" / "exports"

# file -> (the export it is, {address or number: the consent the chapter holds; None for none})
EXPECTED = {
    "action_network_activists.csv": (
        "Action Network activist export",
        {("email", "ada@example.org"): True, ("sms", "+14125550101"): True,
         ("email", "ben.ruiz@example.org"): False, ("sms", "+14125550102"): False,
         ("email", "cleo@example.org"): False},
    ),
    "mailchimp_subscribed_members.csv": (
        "Mailchimp audience export (subscribed)", {("email", "dana@example.org"): True},
    ),
    "mailchimp_unsubscribed_members.csv": (
        "Mailchimp audience export (unsubscribed)", {("email", "eli@example.org"): False},
    ),
    "mailchimp_cleaned_members.csv": ("Mailchimp audience export (cleaned)", {("email", "fay@example.org"): False}),
    "spoke_opt_outs.csv": (
        "Spoke opt-out export", {("sms", "+14125550111"): False, ("sms", "+14125550112"): False},
    ),
    "mobilize_attendances.csv": ("Mobilize event-attendance export", {}),
    "van_my_campaign.csv": ("NGP VAN My Campaign export", {}),
}  # fmt: skip


def _import(name: str, personas, chapter=None, actor=None):
    actor = actor or personas.leader_a
    batch = do_upload_people_file(DATA / name, chapter=chapter or personas.chapter_a, actor=actor)
    result = do_import_people(batch, actor=actor)
    batch.refresh_from_db()
    return batch, result


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_tools_export_is_mapped_without_questions_and_keeps_its_consent(name, personas):
    tool, consent = EXPECTED[name]
    rows = len((DATA / name).read_text().splitlines()) - 1
    batch, result = _import(name, personas)
    assert recognize(batch.headers) is not None and recognize(batch.headers).name == tool
    mapping, known = saved_or_guessed_mapping(batch.headers)
    assert known and mapping == batch.mapping and validate_mapping(batch.headers, batch.mapping) == []
    assert (batch.status, result.row_count, batch.inserted) == (ImportStatus.SUCCEEDED, rows, rows)
    chapter_owner = batch.owner
    events = ConsentEvent.objects.filter(owner=chapter_owner)
    assert {(e.channel, e.value): e.granted for e in events} == consent
    assert all(e.method == f"import: {tool}: {name}" for e in events)
    # Only the chapter's facts: national holds no consent of these people.
    assert not ConsentEvent.objects.exclude(owner=chapter_owner).filter(value__in=[v for _, v in consent]).exists()
    assert (
        EmailAddress.objects.filter(person__memberships__chapter=personas.chapter_a)
        .exclude(owner=chapter_owner)
        .exclude(address="maria@example.net")
        .count()
        == 0
    )


@pytest.mark.django_db
def test_mapping_of_each_export(personas):
    mapping = {name: dict(zip(b.headers, b.mapping, strict=True)) for name, b in (
        (n, do_upload_people_file(DATA / n, chapter=personas.chapter_a, actor=personas.leader_a)) for n in EXPECTED
    )}  # fmt: skip
    assert {h: f for h, f in mapping["action_network_activists.csv"].items() if f != "ignore"} == {
        "first_name": "first_name", "last_name": "last_name", "email": "email", "Phone Number": "phone",
        "can2_user_address": "address_line1", "can2_user_city": "city", "can2_user_state": "state",
        "zip_code": "zip_code", "can2_user_tags": "tags", "can2_subscription_status": "email_consent",
        "can2_sms_status": "sms_consent",
    }  # fmt: skip
    assert mapping["mailchimp_unsubscribed_members.csv"]["Email Address"] == "email_unsubscribed"
    assert mapping["mailchimp_cleaned_members.csv"]["Email Address"] == "email_unsubscribed"
    assert mapping["mailchimp_subscribed_members.csv"]["Email Address"] == "email_subscribed"
    assert mapping["spoke_opt_outs.csv"]["cell"] == "phone_opted_out"
    assert mapping["van_my_campaign.csv"] == {
        "VANID": "van_id", "FirstName": "first_name", "LastName": "last_name", "Email": "email",
    }  # fmt: skip
    assert mapping["mobilize_attendances.csv"]["user__email_address"] == "email"
    assert set(FIELD_LABELS) <= set(ALL_FIELDS)


@pytest.mark.django_db
def test_vanid_is_kept_as_the_importing_chapters_note(personas):
    batch, _ = _import("van_my_campaign.csv", personas)
    person = Person.objects.get(emails__address="ivy@example.org")
    note = PersonNote.objects.get(person=person)
    assert (note.text, note.owner) == ("VANID 123456", batch.owner)


@pytest.mark.django_db
def test_mobilize_attendance_brings_both_addresses_and_no_consent(personas):
    _import("mobilize_attendances.csv", personas)
    person = Person.objects.get(emails__address="hana@example.org")
    assert set(person.emails.values_list("address", flat=True)) == {"hana@example.org", "hana.cole@example.org"}
    assert list(PhoneNumber.objects.filter(person=person).values_list("number", flat=True)) == ["+14125550121"]
    assert not ConsentEvent.objects.filter(person=person).exists()


@pytest.mark.django_db
def test_an_unsubscribed_address_is_withdrawn_for_the_chapter_not_for_national(personas):
    known, _ = do_save_person(
        PersonDetails(first_name="Eli", last_name="Moss", emails=["eli@example.org"], email_consent=True),
        source="test", actor=personas.staff,
    )  # fmt: skip
    known.refresh_from_db()
    assert known.email_opt_in is True
    batch, _ = _import("mailchimp_unsubscribed_members.csv", personas)
    known.refresh_from_db()
    assert known.email_opt_in is True  # national's consent is national's
    chapter_event = ConsentEvent.objects.get(person=known, owner=batch.owner)
    assert (chapter_event.value, chapter_event.granted) == ("eli@example.org", False)
    assert (
        chapter_event.method == "import: Mailchimp audience export (unsubscribed): mailchimp_unsubscribed_members.csv"
    )

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from groundswell.core.models import AuditEntry, AuditEvent
from groundswell.people.actions import (
    PersonDetails,
    do_add_membership,
    do_merge_people,
    do_save_person,
    do_set_consent,
    do_tag_person,
    do_update_person,
)
from groundswell.people.models import (
    ConsentChannel,
    ConsentEvent,
    EmailAddress,
    Membership,
    MembershipStatus,
    Person,
    PersonTag,
    PhoneNumber,
    TimelineEntry,
    TimelineKind,
)


def add_person(chapter, first, last, **details):
    person, created = do_save_person(
        PersonDetails(first_name=first, last_name=last, **details), source="test", actor=None, chapter=chapter
    )
    assert created
    return person


@pytest.fixture
def jon_and_john(personas):
    """Two records of one man, each with its own contact details, tags, consent and history."""
    jon = add_person(personas.chapter_a, "Jon", "Smith", emails=["jon@example.com"], phones=["+14125550101"],
                     address_line1="12 Main Street", city="Pittsburgh", state="PA", zip_code="15213",
                     tags=["canvasser", "volunteer"], email_consent=True, notes="Prefers evenings.")  # fmt: skip
    john = add_person(personas.chapter_a, "John", "Smith", emails=["jsmith@work.example", "john.smith@example.org"],
                      phones=["+17245550101"], address_line1="12 Main St, Apt 2", city="Pittsburgh", state="PA",
                      zip_code="15213", birth_year=1984, tags=["volunteer", "host"], sms_consent=True,
                      notes="Has a truck.")  # fmt: skip
    do_add_membership(john, chapter=personas.chapter_b, source="test", actor=personas.staff)
    return jon, john


def holdings(*people):
    """Everything hanging off these people, by kind."""
    return {
        "emails": set(EmailAddress.objects.filter(person__in=people).values_list("address", flat=True)),
        "phones": set(PhoneNumber.objects.filter(person__in=people).values_list("number", flat=True)),
        "tags": set(PersonTag.objects.filter(person__in=people).values_list("tag__name", flat=True)),
        "chapters": set(Membership.objects.filter(person__in=people).values_list("chapter__slug", flat=True)),
        "consent_events": set(ConsentEvent.objects.filter(person__in=people).values_list("pk", flat=True)),
        "timeline": set(TimelineEntry.objects.filter(person__in=people).values_list("pk", flat=True)),
    }


@pytest.mark.django_db
def test_merge_loses_nothing(personas, jon_and_john):
    jon, john = jon_and_john
    before = holdings(jon, john)
    assert len(before["emails"]) == 3 and len(before["phones"]) == 2 and len(before["consent_events"]) == 2
    assert before["tags"] == {"canvasser", "volunteer", "host"}
    assert before["chapters"] == {"pittsburgh", "providence"}

    do_merge_people(jon, john, field_choices={}, actor=personas.staff)

    after = holdings(jon)
    assert holdings(john) == {key: set() for key in before}
    assert after["emails"] == before["emails"]
    assert after["phones"] == before["phones"]
    assert after["tags"] == before["tags"]
    assert after["chapters"] == before["chapters"]
    assert after["consent_events"] == before["consent_events"]
    merged_entry = TimelineEntry.objects.get(person=jon, kind=TimelineKind.MERGED)
    assert after["timeline"] == before["timeline"] | {merged_entry.pk}
    assert Membership.objects.filter(person=jon).count() == 2
    john.refresh_from_db()
    assert john.merged_into == jon
    # The survivor's primary email stays the only primary one.
    assert list(EmailAddress.objects.filter(person=jon, is_primary=True).values_list("address", flat=True)) == [
        "jon@example.com"
    ]


@pytest.mark.django_db
def test_field_choices_are_honored_and_notes_joined(personas, jon_and_john):
    jon, john = jon_and_john
    do_merge_people(jon, john, field_choices={"first_name": "other", "address": "other"}, actor=personas.leader_a)
    jon.refresh_from_db()
    assert jon.first_name == "John"
    assert jon.last_name == "Smith"
    assert jon.address_line1 == "12 Main St, Apt 2"
    assert jon.birth_year == 1984  # unchosen and blank on the survivor: the other's value fills it
    assert jon.notes == "Prefers evenings.\n\nHas a truck."


@pytest.mark.django_db
def test_survivor_values_win_unless_the_other_is_chosen(personas, jon_and_john):
    jon, john = jon_and_john
    do_merge_people(jon, john, field_choices={"first_name": "survivor", "birth_year": "survivor"},
                    actor=personas.leader_a)  # fmt: skip
    jon.refresh_from_db()
    assert (jon.first_name, jon.address_line1, jon.birth_year) == ("Jon", "12 Main Street", None)


@pytest.mark.django_db
def test_same_chapter_keeps_the_earlier_join_date_and_active_status(personas, jon_and_john):
    jon, john = jon_and_john
    # Plain rows: the join dates and a lapse that would have happened over years.
    Membership.objects.filter(person=jon, chapter=personas.chapter_a).update(
        joined_on=dt.date(2023, 5, 1), status=MembershipStatus.LAPSED
    )
    Membership.objects.filter(person=john, chapter=personas.chapter_a).update(joined_on=dt.date(2019, 9, 14))
    do_merge_people(jon, john, field_choices={}, actor=personas.leader_a)
    membership = Membership.objects.get(person=jon, chapter=personas.chapter_a)
    assert membership.joined_on == dt.date(2019, 9, 14)
    assert membership.status == MembershipStatus.ACTIVE


@pytest.mark.django_db
def test_the_latest_consent_event_on_either_record_decides(personas, jon_and_john):
    jon, john = jon_and_john
    do_set_consent(john, channel=ConsentChannel.EMAIL, granted=False, method="replied STOP", actor=personas.leader_a)
    assert jon.email_opt_in and not john.email_opt_in
    do_merge_people(jon, john, field_choices={}, actor=personas.leader_a)
    jon.refresh_from_db()
    assert jon.email_opt_in is False  # John's withdrawal came after Jon's opt-in
    assert jon.sms_opt_in is True


@pytest.mark.django_db
def test_merge_is_audited_with_both_ids_and_every_moved_item(personas, jon_and_john):
    jon, john = jon_and_john
    john_consent = set(ConsentEvent.objects.filter(person=john).values_list("pk", flat=True))
    john_timeline = set(TimelineEntry.objects.filter(person=john).values_list("pk", flat=True))
    do_merge_people(jon, john, field_choices={"first_name": "other"}, actor=personas.leader_a)

    audit = AuditEntry.objects.get(event_type=AuditEvent.PERSONS_MERGED)
    assert audit.actor == personas.leader_a
    assert (audit.target_type, audit.target_id) == ("people.person", str(jon.pk))
    details = audit.details
    assert (details["survivor_id"], details["other_id"]) == (jon.pk, john.pk)
    assert set(details["emails"]) == {"jsmith@work.example", "john.smith@example.org"}
    assert details["phones"] == ["+17245550101"]
    assert set(details["tags"]) == {"volunteer", "host"}
    assert {(m["chapter"], m["combined"]) for m in details["memberships"]} == {
        ("Pittsburgh Groundswell", True),
        ("Providence Groundswell", False),
    }
    assert set(details["consent_event_ids"]) == john_consent
    assert set(details["timeline_entry_ids"]) == john_timeline
    assert details["fields_from_other"] == ["birth_year", "first_name"]
    entry = TimelineEntry.objects.get(person=jon, kind=TimelineKind.MERGED)
    assert entry.actor == personas.leader_a
    assert f"#{john.pk}" in entry.summary


@pytest.mark.django_db
def test_a_later_sign_up_with_a_merged_email_updates_the_survivor(personas, jon_and_john):
    jon, john = jon_and_john
    do_merge_people(jon, john, field_choices={}, actor=personas.leader_a)
    person, created = do_save_person(
        PersonDetails(first_name="John", emails=["jsmith@work.example"]), source="form", actor=None
    )
    assert (person, created) == (jon, False)


@pytest.mark.django_db
def test_leader_of_another_chapter_cannot_merge(personas, jon_and_john):
    jon, john = jon_and_john
    with pytest.raises(PermissionDenied):
        do_merge_people(jon, john, field_choices={}, actor=personas.leader_b)
    john.refresh_from_db()
    assert john.merged_into is None
    assert EmailAddress.objects.filter(person=john).count() == 2
    assert not AuditEntry.objects.filter(event_type=AuditEvent.PERSONS_MERGED).exists()


@pytest.mark.django_db
def test_merge_needs_both_people_in_scope(personas, jon_and_john):
    jon, _ = jon_and_john
    with pytest.raises(PermissionDenied):
        do_merge_people(jon, personas.member_b, field_choices={}, actor=personas.leader_a)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("choices", "message"),
    [({"emails": "other"}, "'emails' is not a field"), ({"first_name": "John"}, "first_name: choose 'survivor'")],
)
def test_bad_field_choices_change_nothing(personas, jon_and_john, choices, message):
    jon, john = jon_and_john
    with pytest.raises(ValueError, match=message):
        do_merge_people(jon, john, field_choices=choices, actor=personas.leader_a)
    assert holdings(john)["emails"] == {"jsmith@work.example", "john.smith@example.org"}
    assert Person.objects.get(pk=john.pk).merged_into is None


@pytest.mark.django_db
def test_a_merged_record_cannot_be_merged_again(personas, jon_and_john):
    jon, john = jon_and_john
    do_merge_people(jon, john, field_choices={}, actor=personas.leader_a)
    third = add_person(personas.chapter_a, "Jonathan", "Smith", emails=["jonathan@example.com"])
    with pytest.raises(ValueError, match="already merged"):
        do_merge_people(third, john, field_choices={}, actor=personas.leader_a)
    with pytest.raises(ValueError, match="with themselves"):
        do_merge_people(jon, jon, field_choices={}, actor=personas.leader_a)


@pytest.mark.django_db
def test_older_tombstones_point_straight_at_the_newest_survivor(personas, jon_and_john):
    jon, john = jon_and_john
    jonathan = add_person(personas.chapter_a, "Jonathan", "Smith", emails=["jonathan@example.com"])
    do_merge_people(john, jon, field_choices={}, actor=personas.leader_a)
    do_merge_people(jonathan, john, field_choices={}, actor=personas.leader_a)
    assert set(Person.objects.filter(merged_into=jonathan).values_list("pk", flat=True)) == {jon.pk, john.pk}
    do_update_person(jonathan, first_name="Jon", actor=personas.leader_a)
    assert EmailAddress.objects.filter(person=jonathan).count() == 4


@pytest.mark.django_db
def test_merged_person_page_redirects_to_the_survivor(personas, client):
    jon = add_person(personas.chapter_a, "Jon", "Smith", emails=["jon@example.com"])
    john = add_person(personas.chapter_a, "John", "Smith", emails=["jsmith@work.example"])
    do_tag_person(john, tag_name="driver", actor=personas.leader_a)
    do_merge_people(jon, john, field_choices={}, actor=personas.leader_a)
    client.force_login(personas.leader_a)
    response = client.get(f"/people/{john.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/people/{jon.pk}/"
    page = client.get(response["Location"])
    assert b"driver" in page.content
    assert b"jsmith@work.example" in page.content
    # Someone who may not see the survivor gets the same 404 as for a missing person.
    client.force_login(personas.leader_b)
    assert client.get(f"/people/{john.pk}/").status_code == 404


@pytest.mark.django_db
def test_merge_carries_other_apps_rows_to_the_survivor_and_leaves_only_clashes(personas, jon_and_john):
    """Recruits, training attendance and voter links point at the person kept; a row that would break a
    uniqueness rule (both records at the same training) stays on the merged record and is audited."""
    from groundswell.recruitment.actions import RecruitDetails, do_create_recruit, do_create_training
    from groundswell.recruitment.models import Recruit, TrainingAttendance
    from groundswell.voters.models import LinkStatus, VoterPersonLink

    jon, john = jon_and_john
    recruit = do_create_recruit(john, chapter=personas.chapter_a, details=RecruitDetails(office_sought="School board"),
                                actor=personas.leader_a)  # fmt: skip
    same, other_day = (
        do_create_training(title=title, held_on=dt.date(2026, 3, day), chapter=personas.chapter_a,
                           actor=personas.leader_a)
        for title, day in (("Run for office 101", 7), ("Field 101", 14))
    )  # fmt: skip
    # plain rows: attendance as a chapter would have recorded it for each record before anyone saw the pair
    TrainingAttendance.objects.create(training=same, person=jon)
    clash = TrainingAttendance.objects.create(training=same, person=john)
    TrainingAttendance.objects.create(training=other_day, person=john)
    link = VoterPersonLink.objects.create(state="PA", voter_id="PA0001", person=john, confidence=91,
                                          status=LinkStatus.AUTO)  # fmt: skip

    do_merge_people(jon, john, field_choices={}, actor=personas.leader_a)

    recruit.refresh_from_db()
    link.refresh_from_db()
    assert recruit.person == jon and link.person == jon
    assert set(TrainingAttendance.objects.filter(person=jon).values_list("training__title", flat=True)) == {
        "Run for office 101", "Field 101",
    }  # fmt: skip
    assert list(TrainingAttendance.objects.filter(person=john)) == [clash]
    assert Recruit.objects.filter(person=john).count() == 0
    details = AuditEntry.objects.get(event_type=AuditEvent.PERSONS_MERGED).details
    assert details["moved_elsewhere"] == {
        "recruitment.Recruit.person": 1, "recruitment.TrainingAttendance.person": 1, "voters.VoterPersonLink.person": 1,
    }  # fmt: skip
    assert details["left_on_merged_record"] == {"recruitment.TrainingAttendance.person": 1}

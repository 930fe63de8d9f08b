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
    do_unmerge_people,
    do_update_person,
)
from groundswell.people.facts import rebuild_views
from groundswell.people.models import (
    ConsentChannel,
    ConsentEvent,
    DetailFact,
    EmailAddress,
    Membership,
    MembershipStatus,
    MergeRecord,
    Person,
    PersonNote,
    PersonTag,
    PersonView,
    PhoneNumber,
    TimelineEntry,
    TimelineKind,
)

FACT_MODELS = (EmailAddress, PhoneNumber, PersonTag, ConsentEvent, TimelineEntry, DetailFact, PersonNote, Membership)


def add_person(chapter, first, last, **details):
    person, created = do_save_person(
        PersonDetails(first_name=first, last_name=last, **details), source="test", actor=None, chapter=chapter
    )
    assert created
    return person


@pytest.fixture
def jon_and_john(personas):
    """Two records of one man, each with its own contact details, tags, consent, notes and history."""
    jon = add_person(personas.chapter_a, "Jon", "Smith", emails=["jon@example.com"], phones=["+14125550101"],
                     address_line1="12 Main Street", city="Pittsburgh", state="PA", zip_code="15213",
                     tags=["canvasser", "volunteer"], email_consent=True, notes="Prefers evenings.")  # fmt: skip
    john = add_person(personas.chapter_a, "John", "Smith", emails=["jsmith@work.example", "john.smith@example.org"],
                      phones=["+17245550101"], address_line1="12 Main St, Apt 2", city="Pittsburgh", state="PA",
                      zip_code="15213", birth_year=1984, tags=["volunteer", "host"], sms_consent=True,
                      notes="Has a truck.")  # fmt: skip
    do_add_membership(john, chapter=personas.chapter_b, source="test", actor=personas.staff)
    return jon, john


def fact_rows(*people):
    """Every fact row of these people: (model, id) -> (owner, person)."""
    return {
        (model.__name__, pk): (owner, person)
        for model in FACT_MODELS
        for pk, owner, person in model._default_manager.filter(person__in=people).values_list(
            "pk", "owner_id" if model is not Membership else "chapter_id", "person_id"
        )
    }


def values(person, model, column):
    return set(model._default_manager.filter(person=person).values_list(column, flat=True))


@pytest.mark.django_db
def test_merge_keeps_every_fact_with_its_owner(personas, jon_and_john):
    jon, john = jon_and_john
    before = fact_rows(jon, john)
    do_merge_people(jon, john, field_choices={}, actor=personas.staff)

    after = fact_rows(jon, john)
    new = {key: row for key, row in after.items() if key not in before}
    assert {key[0] for key in new} == {"TimelineEntry"}  # the merge's own entry, nothing else added
    assert all(after[key][0] == before[key][0] for key in before)  # no fact changed owner or vanished
    assert values(jon, EmailAddress, "address") == {"jon@example.com", "jsmith@work.example", "john.smith@example.org"}
    assert values(jon, PhoneNumber, "number") == {"+14125550101", "+17245550101"}
    assert values(jon, PersonTag, "tag__name") == {"canvasser", "volunteer", "host"}
    assert values(jon, Membership, "chapter__slug") == {"pittsburgh", "providence"}
    assert values(jon, PersonNote, "text") == {"Prefers evenings.", "Has a truck."}
    # What would repeat a row the survivor has (the same tag by the same chapter, the same chapter's
    # membership) stays on the merged record, where an unmerge finds it.
    assert values(john, PersonTag, "tag__name") == {"volunteer"}
    assert values(john, Membership, "chapter__slug") == {"pittsburgh"}
    john.refresh_from_db()
    assert john.merged_into == jon
    assert not PersonView.objects.filter(person=john).exists()
    # Each owner's view of the survivor is a fold of what it knew of either record.
    chapter_b = PersonView.objects.get(person=jon, owner__chapter=personas.chapter_b)
    assert (chapter_b.first_name, chapter_b.birth_year) == ("John", 1984)  # Providence only ever knew John


@pytest.mark.django_db
def test_national_staff_choose_nationals_values(personas, jon_and_john):
    jon, john = jon_and_john
    do_merge_people(jon, john, field_choices={"first_name": "other", "address": "other"}, actor=personas.staff)
    jon.refresh_from_db()
    assert jon.first_name == "John"
    assert jon.last_name == "Smith"
    assert jon.address_line1 == "12 Main St, Apt 2"
    assert jon.birth_year == 1984  # unchosen and blank on the survivor: the other's value fills it


@pytest.mark.django_db
def test_survivor_values_win_unless_the_other_is_chosen(personas, jon_and_john):
    jon, john = jon_and_john
    do_merge_people(jon, john, field_choices={"first_name": "survivor", "birth_year": "survivor"},
                    actor=personas.staff)  # fmt: skip
    jon.refresh_from_db()
    assert (jon.first_name, jon.address_line1, jon.birth_year) == ("Jon", "12 Main Street", None)


@pytest.mark.django_db
def test_a_leader_merges_but_does_not_choose_nationals_values(personas, jon_and_john):
    jon, john = jon_and_john
    with pytest.raises(PermissionDenied):
        do_merge_people(jon, john, field_choices={"first_name": "other"}, actor=personas.leader_a)
    do_merge_people(jon, john, field_choices={}, actor=personas.leader_a)
    jon.refresh_from_db()
    assert (jon.first_name, jon.birth_year) == ("Jon", None)


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
def test_consent_after_a_merge_is_each_owners_own(personas, jon_and_john):
    jon, john = jon_and_john
    do_set_consent(john, channel=ConsentChannel.EMAIL, granted=False, method="replied STOP", actor=personas.leader_a)
    do_merge_people(jon, john, field_choices={}, actor=personas.leader_a)
    events = ConsentEvent.objects.filter(person=jon, channel=ConsentChannel.EMAIL)
    by_value = {e.value: e.granted for e in events.order_by("occurred_at", "id")}
    # Jon agreed for his address; John withdrew for both of his: each answer stays with its address.
    assert by_value == {"jon@example.com": True, "jsmith@work.example": False, "john.smith@example.org": False}
    chapter_a = PersonView.objects.get(person=jon, owner__chapter=personas.chapter_a)
    assert chapter_a.email_opt_in  # jon@example.com may still be written to
    assert chapter_a.sms_opt_in


@pytest.mark.django_db
def test_merge_is_audited_with_both_ids_and_the_merge_record(personas, jon_and_john):
    jon, john = jon_and_john
    do_merge_people(jon, john, field_choices={"first_name": "other"}, actor=personas.staff)

    audit = AuditEntry.objects.get(event_type=AuditEvent.PERSONS_MERGED)
    assert audit.actor == personas.staff
    assert (audit.target_type, audit.target_id) == ("people.person", str(jon.pk))
    details = audit.details
    assert (details["survivor_id"], details["other_id"]) == (jon.pk, john.pk)
    assert details["fields_from_other"] == ["birth_year", "first_name"]
    record = MergeRecord.objects.get(pk=details["merge_record"])
    assert set(record.moved["people.EmailAddress.person"]) == set(
        EmailAddress.objects.filter(address__in=["jsmith@work.example", "john.smith@example.org"]).values_list(
            "pk", flat=True
        )
    )
    assert details["moved"]["people.EmailAddress.person"] == len(record.moved["people.EmailAddress.person"])
    entry = TimelineEntry.objects.get(person=jon, kind=TimelineKind.MERGED)
    assert entry.actor == personas.staff and john.uid in entry.summary


@pytest.mark.django_db
def test_unmerge_splits_every_fact_back_as_it_came_in(personas, jon_and_john):
    jon, john = jon_and_john
    before = fact_rows(jon, john)
    views_before = {
        (v.person_id, v.owner_id): (v.first_name, v.email_opt_in)
        for v in PersonView.objects.filter(person__in=[jon, john])
    }
    jon_before = Person.objects.values().get(pk=jon.pk)
    do_merge_people(jon, john, field_choices={"first_name": "other"}, actor=personas.staff)
    # Something new arrives for the merged person before the split: it stays with the survivor.
    do_tag_person(jon, tag_name="after the merge", actor=personas.leader_a)
    record = MergeRecord.objects.get()

    restored = do_unmerge_people(record, actor=personas.staff)
    assert restored == john
    john.refresh_from_db()
    assert john.merged_into is None
    after = fact_rows(jon, john)
    assert {key: after[key] for key in before} == before  # every fact on the record it came in on
    assert values(jon, PersonTag, "tag__name") == {"canvasser", "volunteer", "after the merge"}
    views_after = {
        (v.person_id, v.owner_id): (v.first_name, v.email_opt_in)
        for v in PersonView.objects.filter(person__in=[jon, john])
    }
    assert views_after == views_before
    jon.refresh_from_db()
    assert (jon.first_name, jon.birth_year) == (jon_before["first_name"], jon_before["birth_year"])
    assert MergeRecord.objects.get().undone_at is not None
    audit = AuditEntry.objects.get(event_type=AuditEvent.PERSONS_UNMERGED)
    assert audit.actor == personas.staff and audit.details["merge_record"] == record.pk
    with pytest.raises(ValueError, match="already undone"):
        do_unmerge_people(MergeRecord.objects.get(), actor=personas.staff)


@pytest.mark.django_db
def test_unmerge_brings_back_the_survivors_combined_membership(personas, jon_and_john):
    jon, john = jon_and_john
    Membership.objects.filter(person=jon, chapter=personas.chapter_a).update(
        joined_on=dt.date(2023, 5, 1), status=MembershipStatus.LAPSED
    )
    Membership.objects.filter(person=john, chapter=personas.chapter_a).update(joined_on=dt.date(2019, 9, 14))
    do_merge_people(jon, john, field_choices={}, actor=personas.staff)
    do_unmerge_people(MergeRecord.objects.get(), actor=personas.staff)
    mine = Membership.objects.get(person=jon, chapter=personas.chapter_a)
    assert (mine.joined_on, mine.status) == (dt.date(2023, 5, 1), MembershipStatus.LAPSED)


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
    assert values(john, EmailAddress, "address") == {"jsmith@work.example", "john.smith@example.org"}
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
        do_merge_people(jon, john, field_choices=choices, actor=personas.staff)
    assert values(john, EmailAddress, "address") == {"jsmith@work.example", "john.smith@example.org"}
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
    assert values(jonathan, EmailAddress, "address") == {
        "jon@example.com", "jonathan@example.com", "jsmith@work.example", "john.smith@example.org",
    }  # fmt: skip


@pytest.mark.django_db
def test_merged_person_page_redirects_to_the_survivor(personas, client):
    jon = add_person(personas.chapter_a, "Jon", "Smith", emails=["jon@example.com"])
    john = add_person(personas.chapter_a, "John", "Smith", emails=["jsmith@work.example"])
    do_tag_person(john, tag_name="driver", actor=personas.leader_a)
    do_merge_people(jon, john, field_choices={}, actor=personas.leader_a)
    client.force_login(personas.leader_a)
    response = client.get(f"/people/{john.uid}/")
    assert response.status_code == 302
    assert response["Location"] == f"/people/{jon.uid}/"
    page = client.get(response["Location"])
    assert b"driver" in page.content
    assert b"jsmith@work.example" in page.content
    # Someone who may not see the survivor gets the same 404 as for a missing person.
    client.force_login(personas.leader_b)
    assert client.get(f"/people/{john.uid}/").status_code == 404


@pytest.mark.django_db
def test_national_staff_split_a_merge_from_the_person_page(personas, client, jon_and_john):
    jon, john = jon_and_john
    do_merge_people(jon, john, field_choices={}, actor=personas.leader_a)
    record = MergeRecord.objects.get()
    client.force_login(personas.leader_a)
    assert b"Split it back out" not in client.get(f"/people/{jon.uid}/").content
    assert client.post(f"/people/{jon.uid}/merges/{record.pk}/undo/").status_code == 404
    client.force_login(personas.staff)
    assert b"Split it back out" in client.get(f"/people/{jon.uid}/").content
    response = client.post(f"/people/{jon.uid}/merges/{record.pk}/undo/")
    assert response.status_code == 302 and response["Location"] == f"/people/{john.uid}/"
    assert Person.objects.get(pk=john.pk).merged_into is None


@pytest.mark.django_db
def test_merge_carries_other_apps_rows_to_the_survivor_and_leaves_only_clashes(personas, jon_and_john):
    """Recruits, training attendance and voter links point at the person kept; a row that would break a
    uniqueness rule (both records at the same training) stays on the merged record, and an unmerge
    puts the moved ones back."""
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
    moved = AuditEntry.objects.get(event_type=AuditEvent.PERSONS_MERGED).details["moved"]
    assert {k: v for k, v in moved.items() if not k.startswith("people.")} == {
        "recruitment.Recruit.person": 1, "recruitment.TrainingAttendance.person": 1, "voters.VoterPersonLink.person": 1,
    }  # fmt: skip

    do_unmerge_people(MergeRecord.objects.get(), actor=personas.staff)
    recruit.refresh_from_db()
    link.refresh_from_db()
    assert recruit.person == john and link.person == john
    assert set(TrainingAttendance.objects.filter(person=john).values_list("training__title", flat=True)) == {
        "Run for office 101", "Field 101",
    }  # fmt: skip


@pytest.mark.django_db
def test_views_after_merges_are_the_fold_of_their_facts(personas, jon_and_john):
    jon, john = jon_and_john
    do_merge_people(jon, john, field_choices={}, actor=personas.leader_a)
    stored = {(v.person_id, v.owner_id): v.first_name for v in PersonView.objects.all()}
    rebuild_views(Person.objects.values_list("pk", flat=True))
    assert {(v.person_id, v.owner_id): v.first_name for v in PersonView.objects.all()} == stored

import pytest

from groundswell.core.models import AuditEntry, AuditEvent
from groundswell.people.actions import PersonDetails, do_dismiss_duplicate, do_merge_people, do_save_person
from groundswell.people.dedupe import Candidate, candidate_pairs, score_pair
from groundswell.people.models import NotDuplicate, Person
from groundswell.people.proposals import do_refresh_duplicate_proposals
from groundswell.people.selectors import duplicate_proposals_for, live_duplicate_proposals_for, people_visible_to


def add_person(
    chapter, first, last, *, emails=(), phones=(), street="", city="", state="", zip_code="", birth_year=None
):
    person, created = do_save_person(
        PersonDetails(first_name=first, last_name=last, emails=list(emails), phones=list(phones), address_line1=street,
                      city=city, state=state, zip_code=zip_code, birth_year=birth_year),
        source="test", actor=None, chapter=chapter,
    )  # fmt: skip
    assert created
    return person


@pytest.fixture(params=["live", "stored"])
def proposed_pairs(request, personas):
    """Each test runs twice: on proposals computed now (for everyone, as national staff may: the live
    scoring reads every fact), kept to the pairs both in the reader's scope, and on the stored ones a
    refresh leaves (the first refresh scores everyone, later ones only who changed since)."""

    def read(user):
        if request.param == "live":
            in_scope = set(people_visible_to(user).values_list("pk", flat=True))
            found = [p for p in live_duplicate_proposals_for(personas.staff) if {p.first.id, p.second.id} <= in_scope]
        else:
            do_refresh_duplicate_proposals(actor=None)
            found = duplicate_proposals_for(user)
        return {(p.first.id, p.second.id): p for p in found}

    return read


def pair(a, b):
    return (min(a.pk, b.pk), max(a.pk, b.pk))


@pytest.mark.django_db
def test_jon_and_john_smith_at_the_same_address_are_proposed(personas, proposed_pairs):
    jon = add_person(personas.chapter_a, "Jon", "Smith", emails=["jon@example.com"], street="12 Main Street",
                     city="Pittsburgh", state="PA", zip_code="15213")  # fmt: skip
    john = add_person(personas.chapter_a, "John", "Smith", emails=["jsmith@work.example"], street="12 Main St.",
                       city="Pittsburgh", state="PA", zip_code="15213")  # fmt: skip
    proposal = proposed_pairs(personas.leader_a)[pair(jon, john)]
    assert proposal.score >= 75
    assert "similar name: Jon/John" in proposal.reasons
    assert "same address" in proposal.reasons


@pytest.mark.django_db
def test_same_phone_number_with_a_different_email_is_proposed(personas, proposed_pairs):
    # Phone numbers are unique, so the same number typed under another area code is what a second
    # record of one person looks like.
    first = add_person(personas.chapter_a, "Dana", "Whitfield", emails=["dana@example.com"], phones=["+14125550123"],
                       zip_code="15213")  # fmt: skip
    second = add_person(personas.chapter_a, "Dana", "Whitfield", emails=["dwhitfield@union.example"],
                        phones=["+17245550123"])  # fmt: skip
    proposal = proposed_pairs(personas.leader_a)[pair(first, second)]
    assert proposal.reasons == ["same name", "same phone number, different area code"]


@pytest.mark.django_db
def test_same_email_name_at_another_provider_is_proposed(personas, proposed_pairs):
    first = add_person(personas.chapter_a, "Rosa", "Delgado", emails=["rosa.delgado@gmail.com"], city="Pittsburgh",
                       state="PA")  # fmt: skip
    second = add_person(personas.chapter_a, "Rosa", "Delgado-Ortiz", emails=["rosadelgado@yahoo.com"])
    proposal = proposed_pairs(personas.leader_a)[pair(first, second)]
    assert "same email name: rosadelgado@…" in proposal.reasons


@pytest.mark.django_db
def test_household_members_at_one_address_are_not_proposed(personas, proposed_pairs):
    john = add_person(personas.chapter_a, "John", "Smith", street="12 Main St", city="Pittsburgh", state="PA",
                      zip_code="15213")  # fmt: skip
    jane = add_person(personas.chapter_a, "Jane", "Smith", street="12 Main St", city="Pittsburgh", state="PA",
                      zip_code="15213")  # fmt: skip
    assert pair(john, jane) in candidate_pairs(people_visible_to(personas.leader_a))  # compared...
    assert pair(john, jane) not in proposed_pairs(personas.leader_a)  # ...and told apart


@pytest.mark.django_db
def test_different_people_are_not_proposed(personas, proposed_pairs):
    # The persona Maria Alvarez (maria@example.net, Pittsburgh 15213, no street) is in chapter A too.
    add_person(personas.chapter_a, "Lucia", "Romero", emails=["l.romero@example.org"], street="400 Oak Ave",
               city="Pittsburgh", state="PA", zip_code="15213", birth_year=1990)  # fmt: skip
    add_person(personas.chapter_a, "Ben", "Romero", street="9 Forbes Ave", city="Pittsburgh", state="PA",
               zip_code="15213")  # fmt: skip
    add_person(personas.chapter_a, "Lucia", "Romero", street="77 Penn Ave", city="Pittsburgh", state="PA",
               zip_code="15213", birth_year=1958)  # fmt: skip
    add_person(personas.chapter_a, "Mario", "Alvarado", emails=["maria.alvarado@example.com"], city="Pittsburgh",
               state="PA", zip_code="15217")  # fmt: skip
    assert proposed_pairs(personas.leader_a) == {}


@pytest.mark.django_db
def test_people_who_share_no_key_are_never_compared(personas):
    pittsburgh = add_person(personas.chapter_a, "Jon", "Smith", city="Pittsburgh", state="PA", zip_code="15213")
    providence = add_person(personas.chapter_b, "John", "Smith", city="Providence", state="RI", zip_code="02903")
    assert pair(pittsburgh, providence) not in candidate_pairs(Person.objects.live())


@pytest.mark.django_db
def test_dismissed_pair_is_not_proposed_again(personas, proposed_pairs):
    jon = add_person(personas.chapter_a, "Jon", "Smith", street="12 Main St", zip_code="15213")
    john = add_person(personas.chapter_a, "John", "Smith", street="12 Main St", zip_code="15213")
    assert pair(jon, john) in proposed_pairs(personas.leader_a)

    do_dismiss_duplicate(john, jon, actor=personas.leader_a)

    decision = NotDuplicate.objects.get()
    assert (decision.first_id, decision.second_id) == pair(jon, john)
    assert decision.decided_by == personas.leader_a
    assert pair(jon, john) not in proposed_pairs(personas.leader_a)
    assert pair(jon, john) not in proposed_pairs(personas.staff)
    audit = AuditEntry.objects.get(event_type=AuditEvent.DUPLICATE_DISMISSED)
    assert audit.details == {"first_id": min(jon.pk, john.pk), "second_id": max(jon.pk, john.pk)}


@pytest.mark.django_db
def test_dismissing_then_merging_keeps_the_decision_for_the_survivor(personas, proposed_pairs):
    jon = add_person(personas.chapter_a, "Jon", "Smith", street="12 Main St", zip_code="15213")
    jon_again = add_person(personas.chapter_a, "Jon", "Smith", emails=["jon@example.com"], zip_code="15213")
    john = add_person(personas.chapter_a, "John", "Smith", street="12 Main St", zip_code="15213")
    do_dismiss_duplicate(jon_again, john, actor=personas.leader_a)
    do_dismiss_duplicate(jon, john, actor=personas.leader_a)
    do_merge_people(jon, jon_again, field_choices={}, actor=personas.leader_a)
    assert proposed_pairs(personas.leader_a) == {}


@pytest.mark.django_db
def test_proposals_only_pair_people_both_in_the_users_scope(personas, proposed_pairs):
    in_a = add_person(personas.chapter_a, "Jon", "Smith", emails=["jon.smith@example.com"], phones=["+14125550188"])
    in_b = add_person(personas.chapter_b, "Jon", "Smith", emails=["jonsmith@example.net"], phones=["+14015550188"])
    assert pair(in_a, in_b) in proposed_pairs(personas.staff)
    assert proposed_pairs(personas.leader_a) == {}
    assert proposed_pairs(personas.leader_b) == {}
    assert proposed_pairs(personas.volunteer) == {}


@pytest.mark.django_db
def test_merged_people_are_not_proposed(personas, proposed_pairs):
    jon = add_person(personas.chapter_a, "Jon", "Smith", street="12 Main St", zip_code="15213")
    john = add_person(personas.chapter_a, "John", "Smith", street="12 Main St", zip_code="15213")
    do_merge_people(jon, john, field_choices={}, actor=personas.leader_a)
    assert proposed_pairs(personas.leader_a) == {}


def candidate(person_id, first, last, **extra):
    fields = {"address_line1": "", "city": "", "state": "", "zip_code": "", "birth_year": None, **extra}
    return Candidate(id=person_id, first_name=first, last_name=last, **fields)


def test_a_nickname_counts_as_the_same_first_name():
    match = score_pair(candidate(1, "Bill", "Okafor", zip_code="02903"), candidate(2, "William", "Okafor",
                                                                                  zip_code="02903"))  # fmt: skip
    assert "nickname: Bill/William" in match.reasons
    assert match.score >= 60


def test_birth_years_far_apart_count_against_a_match():
    match = score_pair(
        candidate(1, "Maria", "Alvarez", zip_code="15213", birth_year=1958),
        candidate(2, "Maria", "Alvarez", zip_code="15213", birth_year=1990),
    )
    assert match.doubts == ["born 1958 vs 1990"]
    assert match.score < 60


def test_an_initial_matches_a_full_first_name():
    match = score_pair(
        candidate(1, "J.", "Okafor", address_line1="5 Elm St", zip_code="02903"),
        candidate(2, "Jamal", "Okafor", address_line1="5 Elm Street", zip_code="02903"),
    )
    assert match.reasons == ["same last name", "initial: J./Jamal", "same address"]
    assert match.score >= 60

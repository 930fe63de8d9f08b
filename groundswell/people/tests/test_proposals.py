"""Duplicate proposals as a stored result: refreshed by a job (only who changed, when it can), read by
scope on the duplicates page, dropped at once by a merge or a "not the same person"."""

import pytest
from django.test import Client

from groundswell.core.jobs import run_pending_jobs
from groundswell.core.models import AuditEntry, AuditEvent, Job, JobStatus, User
from groundswell.people.actions import do_dismiss_duplicate, do_merge_people, do_update_person
from groundswell.people.dedupe import propose_duplicates
from groundswell.people.importing import do_import_people
from groundswell.people.jobs import refresh_duplicates_job
from groundswell.people.models import DuplicateProposal, DuplicateRefresh, Person
from groundswell.people.proposals import REFRESH_DUPLICATES, do_queue_duplicate_refresh, do_refresh_duplicate_proposals
from groundswell.people.selectors import duplicate_proposals_for, live_duplicate_proposals_for, people_visible_to
from groundswell.people.tests.test_dedupe import add_person, pair
from groundswell.people.tests.test_importing import upload
from groundswell.testing import WatchedProgress
from groundswell.web.demo import build_demo

# Session, user, role grants and their owners (the scope), the stored pairs with both people in scope,
# those people's views, emails, phones, tags and memberships in scope (to score each pair from what the
# reader sees), the audit entry (with its savepoint), the last refresh and the refresh under way; none
# depends on row counts.
DUPLICATES_PAGE_QUERIES = 15


def pittsburgh(street="12 Main St"):
    return {"street": street, "city": "Pittsburgh", "state": "PA", "zip_code": "15213"}


def stored_pairs(user=None):
    if user is None:
        return set(DuplicateProposal.objects.values_list("first_id", "second_id"))
    return {(p.first.pk, p.second.pk) for p in duplicate_proposals_for(user)}


def live_pairs(user):
    """Scored now for everyone (national staff's live scoring), kept to the pairs in the user's scope."""
    staff = User.objects.get(email="staff@example.org")
    in_scope = set(people_visible_to(user).values_list("pk", flat=True))
    return {
        (p.first.id, p.second.id) for p in live_duplicate_proposals_for(staff) if {p.first.id, p.second.id} <= in_scope
    }


@pytest.fixture
def jon_and_john(personas):
    jon = add_person(personas.chapter_a, "Jon", "Smith", emails=["jon@example.com"], **pittsburgh())
    john = add_person(personas.chapter_a, "John", "Smith", emails=["js@work.example"], **pittsburgh())
    return jon, john


@pytest.mark.django_db
def test_the_first_refresh_scores_everyone_and_later_ones_only_who_changed(personas, jon_and_john):
    jon, john = jon_and_john
    first = do_refresh_duplicate_proposals(actor=personas.staff)
    assert first.full and stored_pairs() == {pair(jon, john)}
    scored_at = DuplicateProposal.objects.get().computed_at

    jonathan = add_person(personas.chapter_a, "Jonathan", "Smith", emails=["jonathan@example.org"],
                          **pittsburgh())  # fmt: skip
    second = do_refresh_duplicate_proposals(actor=personas.staff)

    assert (second.full, second.people_rescored) == (False, 1)
    assert pair(jon, jonathan) in stored_pairs()
    # The pair neither of whom changed was not scored again.
    assert DuplicateProposal.objects.get(first=jon, second=john).computed_at == scored_at
    assert stored_pairs() == live_pairs(personas.staff)
    audit = AuditEntry.objects.filter(event_type=AuditEvent.DUPLICATES_REFRESHED).latest("id")
    assert audit.actor == personas.staff and audit.details["people_rescored"] == 1 and audit.details["full"] is False


@pytest.mark.django_db
def test_a_pair_whose_person_changed_is_rescored_and_dropped_when_no_longer_alike(personas, jon_and_john):
    _, john = jon_and_john
    do_refresh_duplicate_proposals(actor=None)
    do_update_person(john, actor=personas.staff, first_name="Mary", address_line1="900 Penn Ave", birth_year=1950)

    page = Client()
    page.force_login(personas.staff)
    assert "edited since scored" in page.get("/people/duplicates/").content.decode()

    refresh = do_refresh_duplicate_proposals(actor=None)
    assert not refresh.full and refresh.people_rescored == 1
    assert stored_pairs() == set() == live_pairs(personas.staff)


@pytest.mark.django_db
def test_a_leader_sees_a_pair_only_as_their_own_chapters_records_score_it(personas, jon_and_john):
    _, john = jon_and_john
    do_refresh_duplicate_proposals(actor=None)
    assert stored_pairs(personas.leader_a) == stored_pairs()
    # The chapter's record of John changes; national's does not, so national's pair stays. The leader's
    # page scores the pair from the chapter's records alone, and they no longer look alike.
    do_update_person(john, actor=personas.leader_a, first_name="Mary", address_line1="900 Penn Ave", birth_year=1950)
    assert stored_pairs(personas.leader_a) == set()
    assert stored_pairs(personas.staff) == stored_pairs() != set()


@pytest.mark.django_db
def test_merging_or_dismissing_drops_the_stored_pair_at_once(personas, jon_and_john):
    jon, john = jon_and_john
    jonny = add_person(personas.chapter_a, "Jonny", "Smith", **pittsburgh())
    do_refresh_duplicate_proposals(actor=None)
    assert stored_pairs() == {pair(jon, john), pair(jon, jonny)} == live_pairs(personas.staff)

    do_merge_people(jon, john, field_choices={}, actor=personas.leader_a)
    assert stored_pairs() == {pair(jon, jonny)}  # the merged record's pairs end with it
    do_dismiss_duplicate(jonny, jon, actor=personas.leader_a)
    assert stored_pairs() == set()


@pytest.mark.django_db
def test_a_reader_sees_only_pairs_with_both_people_in_their_scope(personas):
    in_a = add_person(personas.chapter_a, "Jon", "Smith", emails=["jon.smith@example.com"], phones=["+14125550188"])
    in_b = add_person(personas.chapter_b, "Jon", "Smith", emails=["jonsmith@example.net"], phones=["+14015550188"])
    also_a = add_person(personas.chapter_a, "Jon", "Smith", emails=["jonsmith@example.org"])
    do_refresh_duplicate_proposals(actor=None)

    assert stored_pairs(personas.staff) == {pair(in_a, in_b), pair(in_a, also_a), pair(in_b, also_a)}
    assert stored_pairs(personas.leader_a) == {pair(in_a, also_a)} == live_pairs(personas.leader_a)
    assert stored_pairs(personas.leader_b) == set()
    assert stored_pairs(personas.coordinator) == {pair(in_a, also_a)}
    assert stored_pairs(personas.volunteer) == set()


@pytest.mark.django_db(transaction=True)
def test_the_refresh_job_reports_its_progress(personas, jon_and_john):
    job = do_queue_duplicate_refresh(actor=personas.staff)
    watching = WatchedProgress(job)
    result = refresh_duplicates_job(job, watching)
    finding = "Finding people who share a name, address, phone or email"
    assert (finding, 0, 5) in watching.seen and (finding, 5, 5) in watching.seen
    assert ("Scoring pairs", 1, 1) in watching.seen
    assert watching.seen[-1][0] == "Saving"
    assert result["full"] is True and result["proposals"] == 1
    assert DuplicateRefresh.objects.get().job_id == job.pk


@pytest.mark.django_db
def test_a_waiting_refresh_is_not_queued_twice(personas):
    first = do_queue_duplicate_refresh(actor=None)
    assert do_queue_duplicate_refresh(actor=personas.staff).pk == first.pk
    assert do_queue_duplicate_refresh(actor=personas.staff, full=True).pk == first.pk
    first.refresh_from_db()
    assert first.params == {"full": True}
    assert Job.objects.filter(kind=REFRESH_DUPLICATES).count() == 1


@pytest.mark.django_db
def test_duplicates_page_reads_stored_pairs_in_fixed_queries_and_says_when_they_were_computed(
    personas, jon_and_john, client, django_assert_num_queries
):
    for i in range(30):
        add_person(personas.chapter_a, f"Twin{i}", f"Okafor{i}", emails=[f"twin{i}@example.org"],
                   street=f"{i} Elm St", zip_code="15213")  # fmt: skip
        add_person(personas.chapter_a, f"Twin{i}", f"Okafor{i}", emails=[f"twin{i}@other.example"],
                   street=f"{i} Elm Street", zip_code="15213")  # fmt: skip
    client.force_login(personas.leader_a)
    assert "Not computed yet" in client.get("/people/duplicates/").content.decode()
    do_refresh_duplicate_proposals(actor=None)

    with django_assert_num_queries(DUPLICATES_PAGE_QUERIES):
        response = client.get("/people/duplicates/")
    html = response.content.decode()
    assert response.context["total"] == 31 and len(response.context["page"].object_list) == 25
    assert "Computed now" in html or "seconds ago" in html
    assert "Refresh" not in html  # a leader reads; national staff refresh
    with django_assert_num_queries(DUPLICATES_PAGE_QUERIES):
        second_page = client.get("/people/duplicates/", {"page": 2}).content.decode()
    assert "Page 2 of 2" in second_page


@pytest.mark.django_db
def test_national_staff_refresh_from_the_page_and_the_page_follows_the_job(personas, jon_and_john, client: Client):
    leader = Client()
    leader.force_login(personas.leader_a)
    assert leader.post("/people/duplicates/refresh/").status_code == 404
    assert not Job.objects.filter(kind=REFRESH_DUPLICATES).exists()

    client.force_login(personas.staff)
    page = client.get("/people/duplicates/").content.decode()
    assert "Not computed yet" in page and 'action="/people/duplicates/refresh/"' in page
    assert client.post("/people/duplicates/refresh/")["Location"] == "/people/duplicates/"
    assert client.post("/people/duplicates/refresh/").status_code == 302  # a second click waits with the first
    job = Job.objects.get(kind=REFRESH_DUPLICATES)
    assert (job.status, job.created_by) == (JobStatus.QUEUED, personas.staff)
    page = client.get("/people/duplicates/").content.decode()
    assert "A refresh is waiting for a worker" in page
    assert 'hx-get="/people/duplicates/refresh/progress/?following=1"' in page
    # A leader follows it too, but gets no button.
    assert "A refresh is waiting" in leader.get("/people/duplicates/refresh/progress/").content.decode()

    run_pending_jobs()
    fragment = client.get("/people/duplicates/refresh/progress/", {"following": "1"})
    assert fragment["HX-Refresh"] == "true"  # the page reloads itself to show the new proposals
    page = client.get("/people/duplicates/").content.decode()
    assert "similar name: Jon/John" in page and 'hx-trigger="every 1s"' not in page


@pytest.mark.django_db
def test_an_import_queues_a_refresh_that_proposes_the_person_it_brought_twice(personas):
    jon = add_person(personas.chapter_a, "Jon", "Smith", emails=["jon@example.com"], **pittsburgh())
    do_refresh_duplicate_proposals(actor=None)
    text = "First,Last,Email,Address,City,State,Zip\nJohn,Smith,john@work.example,12 Main St,Pittsburgh,PA,15213\n"
    do_import_people(upload(text, actor=personas.staff), actor=personas.staff, dry_run=True)
    assert not Job.objects.filter(kind=REFRESH_DUPLICATES).exists()  # a dry run changes nothing

    do_import_people(upload(text, actor=personas.staff), actor=personas.staff)
    assert Job.objects.get(kind=REFRESH_DUPLICATES).status == JobStatus.QUEUED
    run_pending_jobs()
    assert DuplicateRefresh.objects.latest("started_at").full is False
    ((first_id, second_id),) = stored_pairs(personas.staff)
    assert first_id == jon.pk and second_id == Person.objects.get(emails__address="john@work.example").pk


@pytest.mark.django_db
def test_stored_proposals_agree_with_live_ones_after_rounds_of_changes(personas):
    rows = []
    for i in range(12):
        rows.append(add_person(personas.chapter_a, f"Ana{i}", f"Rivera{i % 4}", emails=[f"ana{i}@example.org"],
                               street=f"{i % 5} Oak Ave", city="Pittsburgh", state="PA", zip_code="15213"))  # fmt: skip
    do_refresh_duplicate_proposals(actor=None)
    assert stored_pairs(personas.staff) == live_pairs(personas.staff)
    for i in range(12, 20):
        add_person(personas.chapter_a, f"Ana{i % 6}", f"Rivera{i % 4}", emails=[f"ana{i}@other.example"],
                   street=f"{i % 5} Oak Avenue", city="Pittsburgh", state="PA", zip_code="15213")  # fmt: skip
    do_update_person(rows[3], actor=personas.staff, first_name="Zed", address_line1="1 Far Rd")
    do_refresh_duplicate_proposals(actor=None)
    assert stored_pairs(personas.staff) == live_pairs(personas.staff)
    assert stored_pairs(personas.leader_a) == live_pairs(personas.leader_a)
    assert DuplicateRefresh.objects.filter(full=False).count() == 1


@pytest.mark.django_db
def test_the_demo_build_queues_a_full_refresh_that_finds_its_planted_duplicates():
    summary = build_demo(people=1000)
    job = Job.objects.get(kind=REFRESH_DUPLICATES)
    assert (job.status, job.params) == (JobStatus.QUEUED, {"full": True})
    run_pending_jobs()
    live = {(p.first.id, p.second.id) for p in propose_duplicates(Person.objects.live())}
    assert stored_pairs() == live
    assert len(live) >= summary.duplicate_pairs > 0

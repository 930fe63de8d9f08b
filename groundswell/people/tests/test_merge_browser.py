import pytest

from conftest import sign_in
from groundswell.people.actions import PersonDetails, do_save_person
from groundswell.people.models import Person
from groundswell.people.proposals import do_refresh_duplicate_proposals


def add_person(chapter, first, last, **details):
    person, _ = do_save_person(
        PersonDetails(first_name=first, last_name=last, **details), source="test", actor=None, chapter=chapter
    )
    return person


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_leader_merges_a_proposed_pair_and_sees_one_person_with_both_emails(personas, page, live_server):
    jon = add_person(personas.chapter_a, "Jon", "Smith", emails=["jon@example.com"], address_line1="12 Main Street",
                     city="Pittsburgh", state="PA", zip_code="15213")  # fmt: skip
    john = add_person(personas.chapter_a, "John", "Smith", emails=["jsmith@work.example"], address_line1="12 Main St",
                      city="Pittsburgh", state="PA", zip_code="15213", tags=["driver"])  # fmt: skip
    do_refresh_duplicate_proposals(actor=None)  # what the worker does after people come in
    sign_in(page, live_server, "leader.a@example.org")

    page.get_by_role("link", name="People").click()
    page.get_by_role("link", name="Possible duplicates").click()
    pair = page.locator(".pair", has_text="Jon Smith")
    assert "similar name: Jon/John" in pair.inner_text()
    pair.get_by_role("link", name="Compare").click()

    page.wait_for_url(f"{live_server.url}/people/duplicates/{jon.uid}/{john.uid}/")
    # A leader compares the chapter's records of both; national's record is national staff's to choose.
    assert page.locator("input[type=radio]").count() == 0
    page.get_by_role("button", name="Merge into Jon Smith").click()

    page.wait_for_url(f"{live_server.url}/people/{jon.uid}/")
    # The chapter's record of the one person: the latest of what it was given about either.
    assert page.get_by_role("heading", level=1).inner_text() == "John Smith"
    contact = page.locator("section", has=page.get_by_role("heading", name="Contact")).inner_text()
    assert "jon@example.com" in contact and "jsmith@work.example" in contact
    assert "driver" in page.locator("#tags").inner_text()
    assert f"Merged with record {john.uid}" in page.locator(".timeline").inner_text()
    assert Person.objects.get(pk=john.pk).merged_into_id == jon.pk

    # The old record's address now opens the survivor.
    page.goto(f"{live_server.url}/people/{john.uid}/")
    page.wait_for_url(f"{live_server.url}/people/{jon.uid}/")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_leader_adds_and_removes_a_tag_without_leaving_the_page(personas, page, live_server):
    person = personas.member_a
    sign_in(page, live_server, "leader.a@example.org")
    page.goto(f"{live_server.url}/people/{person.uid}/")
    page.get_by_label("Add a tag").fill("phone bank")
    page.get_by_role("button", name="Add", exact=True).click()
    page.get_by_role("button", name="Remove tag phone bank").wait_for()
    assert list(person.tags.values_list("name", flat=True)) == ["phone bank"]
    page.get_by_role("button", name="Remove tag phone bank").click()
    page.get_by_text("No tags yet.").wait_for()
    assert page.url == f"{live_server.url}/people/{person.uid}/"
    assert not person.tags.exists()

import pytest
from django.test import Client

from groundswell.core.models import AuditEntry, AuditEvent
from groundswell.people.actions import (
    PersonDetails,
    do_add_membership,
    do_merge_people,
    do_save_person,
    do_set_consent,
    do_tag_person,
)
from groundswell.people.models import (
    ConsentChannel,
    ConsentEvent,
    NotDuplicate,
    Person,
    PersonNote,
    PersonView,
    TimelineKind,
)
from groundswell.people.proposals import do_refresh_duplicate_proposals

# Session, user, role grants and their owners (the scope), then the page's own reads and its audit
# entry (an insert between a savepoint and its release); none depends on row counts. The list: the
# count, the page of views, their emails, phones, tags and memberships in scope, the filters' chapters
# and tags. The person page: the person, their view, contacts, tags and memberships in scope with the
# contacts' owners, the details' history, memberships, timeline, consent, notes and the tag options.
LIST_QUERIES = 15
DETAIL_QUERIES = 20


def add_person(chapter, first, last, **details):
    person, _ = do_save_person(
        PersonDetails(first_name=first, last_name=last, **details), source="test", actor=None, chapter=chapter
    )
    return person


def signed_in(client: Client, user) -> Client:
    client.force_login(user)
    return client


def add_many(chapter, count, prefix="Member", first_phone=1000):
    return [
        add_person(chapter, f"{prefix}{i}", "Testperson", emails=[f"{prefix.lower()}{i}@example.org"],
                   phones=[f"+1412555{first_phone + i}"], city="Pittsburgh", state="PA", tags=["volunteer", f"t{i}"])
        for i in range(count)
    ]  # fmt: skip


# ---- the list -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_list_shows_people_in_scope_with_their_details(personas, client):
    do_tag_person(personas.member_a, tag_name="host", actor=personas.leader_a)
    add_person(personas.chapter_a, "Dana", "Whitfield", phones=["+14125550123"], email_consent=True)
    response = signed_in(client, personas.leader_a).get("/people/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Maria Alvarez" in page and "maria@example.net" in page and "host" in page
    assert "Pittsburgh Groundswell" in page
    assert "(412) 555-0123" in page
    assert "Ben Okafor" not in page


@pytest.mark.django_db
def test_list_search_and_filters(personas, client):
    add_person(personas.chapter_a, "Dana", "Whitfield", emails=["dana@example.com"], phones=["+14125550150"],
               tags=["host"], sms_consent=True)  # fmt: skip
    add_person(personas.chapter_a, "Omar", "Haddad", emails=["omar@example.com"], email_consent=True)
    do_add_membership(personas.member_b, chapter=personas.chapter_a, source="test", actor=personas.staff)
    client = signed_in(client, personas.coordinator)

    def names(**params):
        response = client.get("/people/", params)
        assert response.status_code == 200
        return [str(person) for person in response.context["people"]]

    assert names() == ["Maria Alvarez", "Omar Haddad", "Ben Okafor", "Dana Whitfield"]
    assert names(q="whit") == ["Dana Whitfield"]
    assert names(q="omar@example.com") == ["Omar Haddad"]
    assert names(q="Dana Whitfield") == ["Dana Whitfield"]
    tag_id = response_tag_id(client, "host")
    assert names(tag=tag_id) == ["Dana Whitfield"]
    assert names(email="yes") == ["Omar Haddad"]
    assert names(sms="yes") == ["Dana Whitfield"]
    assert names(sms="no", email="no") == ["Maria Alvarez", "Ben Okafor"]
    assert names(chapter=personas.chapter_a.pk, q="okafor") == ["Ben Okafor"]


def response_tag_id(client, name):
    return next(tag.pk for tag in client.get("/people/").context["tags"] if tag.name == name)


@pytest.mark.django_db
def test_list_offers_only_chapters_in_scope_and_404s_on_others(personas, client):
    client = signed_in(client, personas.leader_a)
    response = client.get("/people/")
    assert [chapter.name for chapter in response.context["chapters"]] == ["Pittsburgh Groundswell"]
    assert client.get("/people/", {"chapter": personas.chapter_b.pk}).status_code == 404


@pytest.mark.django_db
def test_list_query_count_does_not_grow_with_rows(personas, client, django_assert_num_queries):
    client = signed_in(client, personas.leader_a)
    add_many(personas.chapter_a, 3)
    with django_assert_num_queries(LIST_QUERIES):
        assert len(client.get("/people/").context["people"]) == 4
    add_many(personas.chapter_a, 40, prefix="More", first_phone=2000)
    with django_assert_num_queries(LIST_QUERIES):
        assert len(client.get("/people/").context["people"]) == 44


# ---- one person -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_detail_shows_contact_consent_chapters_and_timeline(personas, client):
    person = add_person(personas.chapter_a, "Dana", "Whitfield", emails=["dana@example.com"],
                        phones=["+14125550123"], address_line1="5 Elm St", city="Pittsburgh", state="PA",
                        zip_code="15213", email_consent=True, notes="Met at the library.")  # fmt: skip
    do_add_membership(person, chapter=personas.chapter_b, source="test", actor=personas.staff)
    response = signed_in(client, personas.leader_a).get(f"/people/{person.uid}/")
    page = response.content.decode()
    assert "(412) 555-0123" in page
    assert "dana@example.com" in page and "5 Elm St" in page and "Met at the library." in page
    assert "Email:</strong> opted in" in page
    assert "Pittsburgh Groundswell" in page
    assert "Providence Groundswell" not in page  # a membership outside the leader's scope
    assert "Joined Pittsburgh Groundswell" in page


@pytest.mark.django_db
def test_detail_query_count_is_pinned(personas, client, django_assert_num_queries):
    person = add_person(personas.chapter_a, "Dana", "Whitfield", emails=["a@example.com", "b@example.com"],
                        phones=["+14125550123"], tags=["host", "driver"], email_consent=True)  # fmt: skip
    client = signed_in(client, personas.leader_a)
    with django_assert_num_queries(DETAIL_QUERIES):
        client.get(f"/people/{person.uid}/")
    for i in range(5):
        do_tag_person(person, tag_name=f"tag{i}", actor=personas.leader_a)
        do_set_consent(person, channel=ConsentChannel.SMS, granted=i % 2 == 0, method="by phone",
                       actor=personas.leader_a)  # fmt: skip
    with django_assert_num_queries(DETAIL_QUERIES):
        client.get(f"/people/{person.uid}/")


@pytest.mark.django_db
def test_leader_of_chapter_b_gets_404_for_a_chapter_a_person(personas, client):
    client = signed_in(client, personas.leader_b)
    assert client.get(f"/people/{personas.member_a.uid}/").status_code == 404
    assert client.get(f"/people/{personas.member_a.uid}/edit/").status_code == 404
    assert client.post(f"/people/{personas.member_a.uid}/tags/", {"tag": "x"}).status_code == 404
    assert client.get(f"/people/{personas.member_b.uid}/").status_code == 200


@pytest.mark.django_db
def test_volunteer_gets_404_on_every_people_page(personas, client):
    a, b = personas.member_a, personas.member_b
    client = signed_in(client, personas.volunteer)
    for url in ("/people/", f"/people/{a.uid}/", f"/people/{a.uid}/edit/", "/people/duplicates/",
                f"/people/duplicates/{a.uid}/{b.uid}/"):  # fmt: skip
        assert client.get(url).status_code == 404, url
    for url in (f"/people/{a.uid}/tags/", f"/people/{a.uid}/consent/", f"/people/duplicates/{a.uid}/{b.uid}/dismiss/"):
        assert client.post(url, {"tag": "x"}).status_code == 404, url


@pytest.mark.django_db
def test_signed_out_visitors_are_sent_to_sign_in(personas, client):
    response = client.get(f"/people/{personas.member_a.uid}/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_tags_are_added_and_removed_with_htmx(personas, client):
    person = personas.member_a
    client = signed_in(client, personas.leader_a)
    added = client.post(f"/people/{person.uid}/tags/", {"tag": "  phone   bank "}, headers={"HX-Request": "true"})
    assert added.status_code == 200
    assert b'id="tags"' in added.content and b"phone bank" in added.content
    assert b"<html" not in added.content  # a fragment for HTMX to swap in
    assert list(person.tags.values_list("name", flat=True)) == ["phone bank"]
    assert person.timeline.filter(kind=TimelineKind.TAGGED).exists()

    removed = client.post(f"/people/{person.uid}/tags/remove/", {"tag": "phone bank"}, headers={"HX-Request": "true"})
    assert removed.status_code == 200 and b"phone bank" not in removed.content
    assert not person.tags.exists()
    assert AuditEntry.objects.filter(event_type=AuditEvent.TAG_REMOVED).count() == 1


@pytest.mark.django_db
def test_tag_without_htmx_redirects_and_blank_tag_is_refused(personas, client):
    person = personas.member_a
    client = signed_in(client, personas.leader_a)
    response = client.post(f"/people/{person.uid}/tags/", {"tag": "host"})
    assert response.status_code == 302 and response["Location"] == f"/people/{person.uid}/"
    blank = client.post(f"/people/{person.uid}/tags/", {"tag": "   "}, headers={"HX-Request": "true"})
    assert b"Tag: write a name" in blank.content
    assert list(person.tags.values_list("name", flat=True)) == ["host"]


@pytest.mark.django_db
def test_consent_is_granted_and_withdrawn_with_how(personas, client):
    person = add_person(personas.chapter_a, "Dana", "Whitfield", emails=["dana@example.com"], phones=["+14125550123"])
    client = signed_in(client, personas.leader_a)

    def chapter_view():
        return PersonView.objects.get(person=person, owner__chapter=personas.chapter_a)

    client.post(f"/people/{person.uid}/consent/", {"channel": "sms", "granted": "yes", "method": "in person"})
    person.refresh_from_db()
    assert chapter_view().sms_opt_in and person.sms_opt_in  # a grant to the chapter reaches national
    event = ConsentEvent.objects.get(person=person, channel="sms")
    assert (event.granted, event.method, event.recorded_by) == (True, "in person", personas.leader_a)
    assert (event.value, event.owner.chapter) == ("+14125550123", personas.chapter_a)

    refused = client.post(f"/people/{person.uid}/consent/", {"channel": "sms", "granted": "no", "method": " "},
                          follow=True)  # fmt: skip
    assert "say how they told you" in refused.content.decode()
    assert chapter_view().sms_opt_in

    page = client.post(f"/people/{person.uid}/consent/", {"channel": "sms", "granted": "no", "method": "replied STOP"},
                       follow=True).content.decode()  # fmt: skip
    person.refresh_from_db()
    assert not chapter_view().sms_opt_in
    assert person.sms_opt_in  # leaving the chapter's texts is not leaving national's
    assert "replied STOP" in page and "in person" in page  # the history shows both


@pytest.mark.django_db
def test_consent_with_no_number_of_the_chapters_own_records_nothing(personas, client):
    client = signed_in(client, personas.leader_a)
    page = client.post(f"/people/{personas.member_a.uid}/consent/", {"channel": "sms", "granted": "yes",
                       "method": "in person"}, follow=True).content.decode()  # fmt: skip
    assert "you have no phone number for this person" in page
    assert not ConsentEvent.objects.filter(person=personas.member_a, channel="sms").exists()


@pytest.mark.django_db
def test_edit_updates_the_chapters_view_and_names_the_bad_field(personas, client):
    person = personas.member_a
    client = signed_in(client, personas.leader_a)
    form = {"first_name": "María", "last_name": "Alvarez", "address_line1": "5 Elm St", "city": "Pittsburgh",
            "state": "pa", "zip_code": "15213", "birth_year": "1987", "notes": "Speaks Spanish."}  # fmt: skip
    bad = client.post(f"/people/{person.uid}/edit/", {**form, "zip_code": "152"})
    assert bad.status_code == 400
    assert "ZIP: &#x27;152&#x27; is not a ZIP code." in bad.content.decode()

    saved = client.post(f"/people/{person.uid}/edit/", form)
    assert saved.status_code == 302
    view = PersonView.objects.get(person=person, owner__chapter=personas.chapter_a)
    assert (view.first_name, view.state, view.birth_year) == ("María", "PA", 1987)
    assert PersonNote.objects.get(person=person).text == "Speaks Spanish."
    person.refresh_from_db()
    assert (person.first_name, person.birth_year) == ("Maria", None)  # national's record is national's
    assert AuditEntry.objects.filter(event_type=AuditEvent.PERSON_UPDATED, target_id=str(person.pk)).exists()
    page = client.get(f"/people/{person.uid}/").content.decode()
    assert "María" in page and "Speaks Spanish." in page


@pytest.mark.django_db
def test_a_staff_edit_is_nationals_record(personas, client):
    person = personas.member_a
    client = signed_in(client, personas.staff)
    form = {"first_name": "María", "last_name": "Alvarez", "state": "PA", "zip_code": "15213"}
    assert client.post(f"/people/{person.uid}/edit/", form).status_code == 302
    person.refresh_from_db()
    assert person.first_name == "María"
    assert PersonView.objects.get(person=person, owner__chapter=personas.chapter_a).first_name == "Maria"


@pytest.mark.django_db
def test_changes_need_post_and_a_csrf_token(personas):
    person = personas.member_a
    client = signed_in(Client(enforce_csrf_checks=True), personas.leader_a)
    assert client.get(f"/people/{person.uid}/tags/").status_code == 405
    assert client.post(f"/people/{person.uid}/tags/", {"tag": "host"}).status_code == 403
    assert not person.tags.exists()


# ---- duplicates and merging -----------------------------------------------------------------


@pytest.fixture
def jon_and_john(personas):
    jon = add_person(personas.chapter_a, "Jon", "Smith", emails=["jon@example.com"], address_line1="12 Main St",
                     city="Pittsburgh", state="PA", zip_code="15213")  # fmt: skip
    john = add_person(personas.chapter_a, "John", "Smith", emails=["jsmith@work.example"], address_line1="12 Main St",
                      city="Pittsburgh", state="PA", zip_code="15213", birth_year=1984)  # fmt: skip
    do_refresh_duplicate_proposals(actor=None)  # what the worker does after people come in
    return jon, john


@pytest.mark.django_db
def test_duplicates_page_lists_pairs_with_reasons(personas, client, jon_and_john):
    jon, john = jon_and_john
    page = signed_in(client, personas.leader_a).get("/people/duplicates/").content.decode()
    assert "similar name: Jon/John" in page and "same address" in page
    assert f'href="/people/duplicates/{jon.uid}/{john.uid}/"' in page
    other_leader = signed_in(Client(), personas.leader_b).get("/people/duplicates/").content.decode()
    assert "Jon/John" not in other_leader


@pytest.mark.django_db
def test_merge_page_compares_side_by_side_and_merges_with_choices(personas, client, jon_and_john):
    jon, john = jon_and_john
    client = signed_in(client, personas.staff)
    page = client.get(f"/people/duplicates/{jon.uid}/{john.uid}/").content.decode()
    assert 'name="choice_first_name" value="other"' in page
    assert 'name="choice_last_name"' not in page  # the same on both: nothing to choose
    assert "jon@example.com" in page and "jsmith@work.example" in page

    response = client.post(f"/people/duplicates/{jon.uid}/{john.uid}/", {"choice_first_name": "other"})
    assert response.status_code == 302 and response["Location"] == f"/people/{jon.uid}/"
    jon.refresh_from_db()
    assert (jon.first_name, jon.birth_year) == ("John", 1984)
    assert Person.objects.get(pk=john.pk).merged_into_id == jon.pk
    assert client.get(f"/people/{john.uid}/")["Location"] == f"/people/{jon.uid}/"


@pytest.mark.django_db
def test_merge_urls_are_ordered_and_a_merged_pair_cannot_be_merged_again(personas, client, jon_and_john):
    jon, john = jon_and_john
    client = signed_in(client, personas.leader_a)
    assert (
        client.get(f"/people/duplicates/{john.uid}/{jon.uid}/")["Location"]
        == f"/people/duplicates/{jon.uid}/{john.uid}/"
    )
    do_merge_people(jon, john, field_choices={}, actor=personas.leader_a)
    assert client.post(f"/people/duplicates/{jon.uid}/{john.uid}/", {}).status_code == 404


@pytest.mark.django_db
def test_a_leader_merges_without_choosing_nationals_values(personas, client, jon_and_john):
    jon, john = jon_and_john
    client = signed_in(client, personas.leader_a)
    page = client.get(f"/people/duplicates/{jon.uid}/{john.uid}/").content.decode()
    assert "choice_first_name" not in page and "Jon" in page and "John" in page
    response = client.post(f"/people/duplicates/{jon.uid}/{john.uid}/", {"choice_first_name": "other"})
    assert response.status_code == 302
    jon.refresh_from_db()
    assert jon.first_name == "Jon"  # national's record stays as it was
    view = PersonView.objects.get(person=jon, owner__chapter=personas.chapter_a)
    assert view.first_name == "John" and view.birth_year == 1984  # the chapter's latest of both


@pytest.mark.django_db
def test_leader_of_chapter_b_gets_404_on_merging_chapter_a_people(personas, client, jon_and_john):
    jon, john = jon_and_john
    client = signed_in(client, personas.leader_b)
    assert client.get(f"/people/duplicates/{jon.uid}/{john.uid}/").status_code == 404
    assert client.post(f"/people/duplicates/{jon.uid}/{john.uid}/", {}).status_code == 404
    assert client.post(f"/people/duplicates/{jon.uid}/{john.uid}/dismiss/").status_code == 404
    assert Person.objects.get(pk=john.pk).merged_into is None
    assert not NotDuplicate.objects.exists()


@pytest.mark.django_db
def test_merge_with_a_person_out_of_scope_is_404(personas, client, jon_and_john):
    jon, _ = jon_and_john
    client = signed_in(client, personas.leader_a)
    assert client.get(f"/people/duplicates/{jon.uid}/{personas.member_b.uid}/").status_code == 404
    assert client.get(f"/people/duplicates/{personas.member_b.uid}/{jon.uid}/").status_code == 404


@pytest.mark.django_db
def test_not_the_same_person_hides_the_pair(personas, client, jon_and_john):
    jon, john = jon_and_john
    client = signed_in(client, personas.leader_a)
    response = client.post(f"/people/duplicates/{jon.uid}/{john.uid}/dismiss/", follow=True)
    assert "are different people" in response.content.decode()
    assert "Jon/John" not in response.content.decode()
    assert NotDuplicate.objects.filter(first=jon, second=john).exists()


@pytest.mark.django_db
def test_a_join_elsewhere_waits_for_national_and_its_move_leaves_the_old_street(
    personas, client, smtp_server, django_capture_on_commit_callbacks
):
    from groundswell.people.actions import do_sign_up_person
    from groundswell.people.models import DetailFact

    person = add_person(personas.chapter_a, "Diana", "Abbott", emails=["diana@example.com"],
                        address_line1="5 Liberty Ave", city="Pittsburgh", state="PA", zip_code="15213")  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        saved = do_sign_up_person(
        PersonDetails(first_name="Di", last_name="Abbott", emails=["diana@example.com"], phones=["+14015550142"],
                      state="RI", zip_code="02860", email_consent=True, sms_consent=True),
        chapter=personas.chapter_b, link_base="http://testserver",
    )  # fmt: skip
    assert not saved.created
    (mail,) = smtp_server.messages  # she is asked, at the address already known
    assert mail["To"] == "diana@example.com"

    staff = signed_in(Client(), personas.staff).get(f"/people/{person.uid}/").content.decode()
    assert "Details given since, not yet national" in staff
    assert "waiting for them to confirm by email" in staff  # her consent counts for nothing yet
    person.refresh_from_db()
    assert (person.first_name, person.zip_code, person.email_opt_in) == ("Diana", "15213", False)

    fact = DetailFact.objects.get(person=person, owner__chapter=personas.chapter_b)
    signed_in(client, personas.staff).post(f"/people/{person.uid}/details/{fact.pk}/accept/")
    person.refresh_from_db()
    # Moving to Pawtucket's ZIP leaves no Pittsburgh street on a Rhode Island ZIP code.
    assert (person.first_name, person.state, person.zip_code) == ("Di", "RI", "02860")
    assert (person.address_line1, person.city) == ("", "")
    assert AuditEntry.objects.filter(event_type=AuditEvent.PERSON_DETAILS_ACCEPTED, target_id=str(person.pk)).exists()

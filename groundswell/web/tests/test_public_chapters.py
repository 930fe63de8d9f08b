"""The public finder, chapter page and join form; the chapter pages for leaders."""

import pytest
from django.test import Client

from groundswell.chapters.actions import do_create_chapter
from groundswell.chapters.models import AreaKind, Chapter, ChapterStatus
from groundswell.people.models import ConsentEvent, Membership, Person

JOIN = {
    "first_name": "Rosa",
    "last_name": "Delgado",
    "email": "Rosa.Delgado@Example.com",
    "phone": "(412) 555-0142",
    "zip_code": "15213",
}


def chapter_names(response) -> list[str]:
    return [c.name for group in response.context["result"].groups for c in group.chapters]


@pytest.fixture
def more_chapters(personas):
    do_create_chapter(name="Erie Groundswell", slug="erie", state="PA", status=ChapterStatus.FORMING,
                      areas=[(AreaKind.ZIP, "16501")], actor=None)  # fmt: skip
    do_create_chapter(name="Closed Groundswell", slug="closed", state="PA", status=ChapterStatus.INACTIVE,
                      areas=[(AreaKind.ZIP, "15213")], actor=None)  # fmt: skip
    do_create_chapter(name="Groundswell Abroad — Berlin", slug="berlin", country="DE", status=ChapterStatus.ACTIVE,
                      actor=None)  # fmt: skip


# Finder


@pytest.mark.django_db
def test_zip_listed_in_an_area_finds_exactly_that_chapter(more_chapters, client: Client):
    response = client.get("/chapters/", {"zip_code": "15213"})
    assert chapter_names(response) == ["Pittsburgh Groundswell"]
    assert response.context["result"].groups[0].heading == "Chapters serving 15213"


@pytest.mark.django_db
def test_unlisted_zip_finds_the_chapters_of_its_state(more_chapters, client: Client):
    response = client.get("/chapters/", {"zip_code": "19104"})
    assert chapter_names(response) == ["Erie Groundswell", "Pittsburgh Groundswell"]
    assert "No chapter lists 19104 yet" in response.content.decode()


@pytest.mark.django_db
def test_zip_in_a_state_without_chapters_says_so(more_chapters, client: Client):
    response = client.get("/chapters/", {"zip_code": "10001"})
    assert chapter_names(response) == []
    assert "There is no chapter in New York yet." in response.content.decode()


@pytest.mark.django_db
def test_malformed_zip_is_reported_next_to_the_field(more_chapters, client: Client):
    response = client.get("/chapters/", {"zip_code": "15a13"})
    assert response.context["form"].errors["zip_code"] == ["'15a13' is not a ZIP code"]
    assert 'id="id_zip_code_error"' in response.content.decode()


@pytest.mark.django_db
def test_state_select_lists_that_states_chapters(more_chapters, client: Client):
    response = client.get("/chapters/", {"state": "RI"})
    assert chapter_names(response) == ["Providence Groundswell"]


@pytest.mark.django_db
def test_chapters_abroad_are_listed_under_abroad_and_inactive_ones_nowhere(more_chapters, client: Client):
    response = client.get("/chapters/")
    groups = {group.heading: [c.name for c in group.chapters] for group in response.context["result"].groups}
    assert list(groups) == ["Pennsylvania", "Rhode Island", "Abroad"]
    assert groups["Abroad"] == ["Groundswell Abroad — Berlin"]
    assert "Closed Groundswell" not in response.content.decode()
    assert chapter_names(client.get("/chapters/", {"state": "abroad"})) == ["Groundswell Abroad — Berlin"]


@pytest.mark.django_db
def test_finder_reads_chapters_and_areas_in_a_fixed_number_of_queries(more_chapters, client, django_assert_num_queries):
    client.get("/chapters/")
    # Session-free visitor: the states for the select, the chapters, their areas.
    with django_assert_num_queries(3):
        client.get("/chapters/")


# Public chapter page and join form


@pytest.mark.django_db
def test_join_creates_a_member_and_records_consent_with_the_method(personas, client: Client):
    response = client.post("/chapters/pittsburgh/join/", {**JOIN, "email_consent": "on", "sms_consent": "on"})
    assert response.status_code == 302
    assert response["Location"] == "/chapters/pittsburgh/thanks/"
    person = Person.objects.get(emails__address="rosa.delgado@example.com")
    assert (person.first_name, person.last_name, person.zip_code, person.state) == ("Rosa", "Delgado", "15213", "PA")
    assert person.phones.get().number == "+14125550142"
    assert Membership.objects.filter(person=person, chapter=personas.chapter_a).exists()
    consents = {(e.channel, e.granted, e.method) for e in ConsentEvent.objects.filter(person=person)}
    method = "join form on Pittsburgh Groundswell"
    assert consents == {("email", True, method), ("sms", True, method)}
    assert person.email_opt_in and person.sms_opt_in
    assert "Welcome to Pittsburgh Groundswell" in client.get(response["Location"]).content.decode()


@pytest.mark.django_db
def test_unchecked_consent_boxes_record_no_consent(personas, client: Client):
    page = client.get("/chapters/pittsburgh/").content.decode()
    assert 'name="email_consent"' in page and "checked" not in page
    client.post("/chapters/pittsburgh/join/", JOIN)
    person = Person.objects.get(emails__address="rosa.delgado@example.com")
    assert not ConsentEvent.objects.filter(person=person).exists()
    assert not person.email_opt_in and not person.sms_opt_in


@pytest.mark.django_db
def test_joining_twice_with_the_same_email_makes_one_person_in_two_chapters(personas, client: Client):
    client.post("/chapters/pittsburgh/join/", JOIN)
    client.post(
        "/chapters/providence/join/", {**JOIN, "phone": "", "zip_code": "02903", "email": "ROSA.delgado@example.com"}
    )
    person = Person.objects.get(last_name="Delgado")  # one human: the same email, two chapters' facts of it
    assert set(person.emails.values_list("owner__chapter__slug", flat=True)) == {"pittsburgh", "providence"}
    assert set(person.memberships.values_list("chapter__slug", flat=True)) == {"pittsburgh", "providence"}
    # Providence was given no phone: Pittsburgh's stays Pittsburgh's.
    providence = person.views.get(owner__chapter__slug="providence")
    assert providence.zip_code == "02903" and not person.phones.filter(owner__chapter__slug="providence").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "rosa@", "'rosa@' is not an email address"),
        ("phone", "call me", "'call me' is not a phone number"),
        ("phone", "(212) 123-4567", "'(212) 123-4567' is not a valid phone number"),
        ("zip_code", "1521", "'1521' is not a ZIP code"),
        ("first_name", "", "This field is required."),
    ],
)
def test_bad_input_is_shown_next_to_its_field_and_nothing_is_saved(personas, client: Client, field, value, message):
    response = client.post("/chapters/pittsburgh/join/", {**JOIN, field: value})
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html
    assert 'value="Delgado"' in html  # what was typed is kept
    assert not Person.objects.filter(last_name="Delgado").exists()


@pytest.mark.django_db
def test_texts_need_a_phone_number(personas, client: Client):
    response = client.post("/chapters/pittsburgh/join/", {**JOIN, "phone": "", "sms_consent": "on"})
    assert response.status_code == 400
    assert "Give a mobile number" in response.context["form"].errors["phone"][0]


@pytest.mark.django_db
def test_a_bot_filling_the_hidden_field_is_thanked_but_not_saved(personas, client: Client):
    response = client.post("/chapters/pittsburgh/join/", {**JOIN, "website": "http://spam.example"})
    assert response.status_code == 302
    assert not Person.objects.filter(last_name="Delgado").exists()


@pytest.mark.django_db
def test_join_without_a_csrf_token_is_refused(personas):
    client = Client(enforce_csrf_checks=True)
    assert client.post("/chapters/pittsburgh/join/", JOIN).status_code == 403
    assert not Person.objects.filter(last_name="Delgado").exists()


@pytest.mark.django_db
def test_inactive_chapters_have_no_public_page_and_take_no_members(more_chapters, client: Client):
    assert client.get("/chapters/closed/").status_code == 404
    assert client.post("/chapters/closed/join/", JOIN).status_code == 404
    assert client.get("/chapters/closed/thanks/").status_code == 404


@pytest.mark.django_db
def test_abroad_chapter_takes_members_without_a_zip(more_chapters, client: Client):
    response = client.post("/chapters/berlin/join/", {**JOIN, "zip_code": "", "phone": "+49 30 901820"})
    assert response.status_code == 302
    person = Person.objects.get(emails__address="rosa.delgado@example.com")
    assert person.phones.get().number == "+4930901820"
    assert person.memberships.get().chapter.slug == "berlin"


# Chapter pages for leaders


@pytest.mark.django_db
def test_leader_sees_members_counts_leaders_and_area(personas, client: Client):
    client.post("/chapters/pittsburgh/join/", {**JOIN, "email_consent": "on"})
    client.force_login(personas.leader_a)
    response = client.get("/chapters/pittsburgh/manage/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Rosa Delgado" in html and "Maria Alvarez" in html
    assert "Ben Okafor" not in html
    figures = response.context["figures"]
    assert (figures.members, figures.new_since, figures.email_consent) == (2, 2, 1)
    assert [g.user.email for g in response.context["leaders"]] == ["leader.a@example.org"]
    assert "ZIP codes 15213" in html and "Allegheny County" in html


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["leader_b", "volunteer", "candidate", "partner"])
def test_chapter_page_for_leaders_is_a_404_for_anyone_who_does_not_manage_it(personas, client: Client, who):
    client.force_login(getattr(personas, who))
    assert client.get("/chapters/pittsburgh/manage/").status_code == 404
    assert client.get("/chapters/pittsburgh/manage/edit/").status_code == 404
    assert client.post("/chapters/pittsburgh/manage/edit/", {"name": "Taken"}).status_code == 404
    assert client.get("/chapters/no-such-chapter/manage/").status_code == 404


@pytest.mark.django_db
def test_coordinator_manages_chapters_of_their_state_only(personas, client: Client):
    client.force_login(personas.coordinator)
    assert client.get("/chapters/pittsburgh/manage/").status_code == 200
    assert client.get("/chapters/providence/manage/").status_code == 404
    mine = client.get("/chapters/mine/")
    assert [c.slug for c in mine.context["chapters"]] == ["pittsburgh"]


@pytest.mark.django_db
def test_manage_page_reads_in_a_fixed_number_of_queries(personas, client: Client, django_assert_num_queries):
    for n in range(5):
        client.post("/chapters/pittsburgh/join/", {**JOIN, "email": f"m{n}@example.com", "phone": ""})
    client.force_login(personas.leader_a)
    client.get("/chapters/pittsburgh/manage/")
    # session, user, role grants, chapter, member count (paginator), members page, the members as the
    # leader sees them (the owners of the leader's facts, their views), the audit of that read (an insert
    # between a savepoint and its release), figures, leaders, areas
    with django_assert_num_queries(14):
        response = client.get("/chapters/pittsburgh/manage/")
    assert len(response.context["page"].object_list) == 6


@pytest.mark.django_db
def test_leader_edits_name_status_description_contact_and_areas(personas, client: Client):
    client.force_login(personas.leader_a)
    form = client.get("/chapters/pittsburgh/manage/edit/")
    assert form.context["form"].initial["zip_codes"] == "15213"
    response = client.post(
        "/chapters/pittsburgh/manage/edit/",
        {"name": "Steel City Groundswell", "status": "active", "description": "We meet on Tuesdays.",
         "contact_email": "steel@example.org", "counties": "Allegheny", "cities": "Pittsburgh\nMcKeesport",
         "zip_codes": "15213, 15217"},
    )  # fmt: skip
    assert response.status_code == 302
    chapter = Chapter.objects.get(slug="pittsburgh")
    assert (chapter.name, chapter.description, chapter.contact_email) == (
        "Steel City Groundswell", "We meet on Tuesdays.", "steel@example.org",
    )  # fmt: skip
    areas = set(chapter.areas.values_list("kind", "value"))
    assert areas == {("county", "Allegheny"), ("city", "McKeesport"), ("city", "Pittsburgh"),
                     ("zip", "15213"), ("zip", "15217")}  # fmt: skip


@pytest.mark.django_db
def test_a_bad_zip_in_the_edit_form_names_its_line_and_changes_nothing(personas, client: Client):
    client.force_login(personas.leader_a)
    response = client.post(
        "/chapters/pittsburgh/manage/edit/",
        {"name": "Renamed", "status": "active", "zip_codes": "15213\n152x7"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["zip_codes"] == ["Line 2: '152x7' is not a ZIP code."]
    assert Chapter.objects.get(slug="pittsburgh").name == "Pittsburgh Groundswell"

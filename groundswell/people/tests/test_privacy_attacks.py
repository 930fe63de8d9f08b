"""Each way a chapter or a stranger could once read or rewrite someone outside their scope, tried again
over HTTP: the API with a real client against a live server, the forms in real Chromium. None of them
reads or changes anything outside the writer's scope, and each answer is the same whether or not what
was sent was already known elsewhere (docs/privacy.md)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

import pytest
import requests
from django.test import Client
from django.utils import timezone

from conftest import sign_in
from groundswell.api.actions import do_create_api_token
from groundswell.core.models import AuditEntry, AuditEvent
from groundswell.people.actions import PersonDetails, do_save_person
from groundswell.people.importing import do_import_people, do_upload_people_file, preview_import
from groundswell.people.models import (
    ConsentEvent,
    DetailFact,
    DuplicateProposal,
    EmailAddress,
    Membership,
    Person,
    PersonView,
    PhoneNumber,
)

# What chapter A (Pittsburgh) knows of its member Marisol that nobody else may read.
MARIAS_SECRETS = ("Quintana", "15213", "+14125550100", "(412) 555-0100", "1987", "Liberty Ave", "union steward")
EMAIL = "marisol@example.net"


@pytest.fixture
def maria(personas) -> Person:
    """Pittsburgh's member, with a phone, a street, a birth year and a tag only Pittsburgh gave."""
    saved = do_save_person(
        PersonDetails(first_name="Marisol", last_name="Quintana", emails=[EMAIL], phones=["+14125550100"],
                      address_line1="5 Liberty Ave", city="Pittsburgh", state="PA", zip_code="15213",
                      birth_year=1987, tags=["union steward"], sms_consent=True),
        source="test", actor=None, chapter=personas.chapter_a,
    )  # fmt: skip
    assert saved.created
    return saved.person


NATIONAL_FIELDS = ("first_name", "last_name", "city", "zip_code", "birth_year", "email_opt_in", "sms_opt_in")


def snapshot(person: Person) -> dict[str, Any]:
    """Everything Pittsburgh and national hold of a person, to compare before and after an attack."""
    person.refresh_from_db()
    pittsburgh = {"person": person, "owner__chapter__slug": "pittsburgh"}
    facts = [("email", e) for e in EmailAddress.objects.filter(**pittsburgh).values_list("address", flat=True)]
    facts += [("phone", p) for p in PhoneNumber.objects.filter(**pittsburgh).values_list("number", flat=True)]
    facts += [("details", str(v)) for v in DetailFact.objects.filter(**pittsburgh).values_list("values", flat=True)]
    return {
        "national": {f: getattr(person, f) for f in NATIONAL_FIELDS},
        "pittsburgh_view": PersonView.objects.filter(**pittsburgh).values(*NATIONAL_FIELDS).first(),
        "pittsburgh_facts": sorted(facts),
        "consents": sorted(ConsentEvent.objects.filter(person=person).values_list("owner_id", "value", "granted")),
        "memberships": sorted(Membership.objects.filter(person=person).values_list("chapter__slug", flat=True)),
    }


def without_ids(resource: dict[str, Any]) -> dict[str, Any]:
    """An OSDI person as a caller compares two answers: what it says, not which record or when."""
    ignored = {"identifiers", "created_date", "modified_date", "_links"}
    return {key: value for key, value in resource.items() if key not in ignored}


def assert_tells_nothing(text: str) -> None:
    for secret in MARIAS_SECRETS:
        assert secret not in text, f"{secret!r} leaked"


# ---- the API: a leader takes over another chapter's member --------------------------------------


@pytest.fixture
def api(live_server):
    return f"{live_server.url}/api/v1"


def token_of(user) -> dict[str, str]:
    return {"OSDI-API-Token": do_create_api_token(user=user, name="attack", actor=None)[1]}


@pytest.mark.django_db(transaction=True)
def test_signup_with_another_chapters_email_answers_as_for_a_new_one_and_takes_nothing(api, personas, maria):
    before = snapshot(maria)
    providence = token_of(personas.leader_b)

    def sign_up(email: str) -> requests.Response:
        body: dict[str, Any] = {
            "person": {"given_name": "Mallory", "email_addresses": [{"address": email}]}, "add_tags": ["x"],
        }  # fmt: skip
        return requests.post(f"{api}/people/signup", json=body, headers=providence, timeout=10)

    known, unknown = sign_up(EMAIL), sign_up("stranger@example.net")
    assert known.status_code == unknown.status_code == 200
    assert_tells_nothing(known.text)
    expected = without_ids(unknown.json())
    expected["email_addresses"] = [{**e, "address": EMAIL} for e in expected["email_addresses"]]
    assert without_ids(known.json()) == expected  # only what Providence itself sent
    # From then on Providence reads Maria only through what it sent; Pittsburgh's record is as it was.
    uid = known.json()["identifiers"][0].split(":")[1]
    read = requests.get(f"{api}/people/{uid}", headers=providence, timeout=10)
    assert read.status_code == 200 and read.json()["given_name"] == "Mallory"
    assert_tells_nothing(read.text)
    listed = requests.get(f"{api}/people", headers=providence, timeout=10)
    assert_tells_nothing(listed.text)
    taggings = requests.get(f"{api}/people/{uid}/taggings", headers=providence, timeout=10).json()
    # Only the tag Providence put on, not Pittsburgh's steward tag.
    assert [t["groundswell:tag"] for t in taggings["_embedded"]["osdi:taggings"]] == ["x"]
    assert snapshot(maria) == {**before, "memberships": ["pittsburgh", "providence"]}
    # The id says nothing about how old the record is: Maria's looks like the stranger's.
    assert len(uid) == len(unknown.json()["identifiers"][0].split(":")[1]) == 16


@pytest.mark.django_db(transaction=True)
def test_signup_with_only_a_known_phone_makes_a_new_person_and_asks_a_human(api, personas, maria):
    before = snapshot(maria)
    body = {"person": {"given_name": "Mallory", "phone_numbers": [{"number": "(412) 555-0100"}]}}
    response = requests.post(f"{api}/people/signup", json=body, headers=token_of(personas.leader_b), timeout=10)
    assert response.status_code == 200
    assert_tells_nothing(response.text.replace("+14125550100", ""))  # the number it sent itself comes back
    mallory = Person.objects.get(first_name="Mallory")
    assert mallory != maria and snapshot(maria) == before
    pair = DuplicateProposal.objects.get(first=maria, second=mallory)
    assert "same phone" in pair.reasons  # for national staff to decide; Providence sees no pair
    client = Client()
    client.force_login(personas.leader_b)
    assert "Mallory" not in client.get("/people/duplicates/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_put_cannot_reach_a_person_outside_scope_and_an_address_taken_elsewhere_tells_nothing(api, personas, maria):
    providence = token_of(personas.leader_b)
    body = {"given_name": "Hijacked", "email_addresses": [{"address": EMAIL}]}
    assert requests.put(f"{api}/people/{maria.uid}", json=body, headers=providence, timeout=10).status_code == 404
    # On Providence's own member, Maria's address is kept as Providence was given it: no error, no hint.
    ben = personas.member_b
    response = requests.put(f"{api}/people/{ben.uid}", json=body, headers=providence, timeout=10)
    assert response.status_code == 200
    assert [e["address"] for e in response.json()["email_addresses"]] == ["ben@example.net", EMAIL]
    assert_tells_nothing(response.text)
    maria.refresh_from_db()
    assert maria.first_name == "Marisol"
    assert DuplicateProposal.objects.filter(first=ben, second=maria).exists()  # an address two records hold


# ---- an import learns nothing before, or after -------------------------------------------------


@pytest.mark.django_db
def test_an_import_preview_says_new_here_whether_or_not_another_chapter_knew_the_email(personas, maria, tmp_path):
    text = "First Name,Last Name,Email,City\nM,Known,marisol@example.net,Erie\nS,Unknown,nobody@example.net,Erie\n"
    path = tmp_path / "members.csv"
    path.write_text(text)
    batch = do_upload_people_file(path, chapter=personas.chapter_b, actor=personas.leader_b)
    preview = preview_import(batch)
    assert [status for _, status, _ in preview.sample] == ["new here", "new here"]
    assert (preview.plan.new_rows, preview.plan.known_rows) == (2, 0)
    before = snapshot(maria)
    result = do_import_people(batch, actor=personas.leader_b)
    assert result.counts.as_dict() == {"inserted": 2, "updated": 0, "unchanged": 0}
    assert snapshot(maria) == {**before, "memberships": ["pittsburgh", "providence"]}
    client = Client()
    client.force_login(personas.leader_b)
    page = client.get(f"/people/{maria.uid}/").content.decode()
    assert "Known" in page and "Erie" in page
    assert_tells_nothing(page)
    assert_tells_nothing(client.get("/people/export.csv").getvalue().decode())


# ---- the public forms: a stranger rewrites a member ---------------------------------------------


def join(page: Any, live_server: Any, slug: str, **fields: str) -> str:
    page.goto(f"{live_server.url}/chapters/{slug}/")
    page.get_by_label("First name").fill(fields["first"])
    page.get_by_label("Last name").fill(fields["last"])
    page.get_by_role("textbox", name="Email", exact=True).fill(fields["email"])
    page.get_by_label("Mobile phone (optional)").fill(fields.get("phone", ""))
    page.get_by_label("ZIP code").fill(fields["zip"])
    page.get_by_label(re.compile("Email me about")).check()
    if fields.get("phone"):
        page.get_by_label(re.compile("Text me")).check()
    page.get_by_role("button", name="Join the chapter").click()
    page.wait_for_url(f"{live_server.url}/chapters/{slug}/thanks/")
    return str(page.locator("main").inner_text())


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_join_form_with_a_members_email_changes_nothing_of_theirs_and_asks_them(
    personas, maria, page, live_server, smtp_server
):
    before = snapshot(maria)
    attack = {"first": "Mallory", "last": "Renamed", "phone": "(401) 555-0199", "zip": "02903"}
    known = join(page, live_server, "providence", email=EMAIL.upper(), **attack)
    unknown = join(page, live_server, "providence", email=f"{uuid.uuid4().hex}@example.net", **attack)
    assert known == unknown  # the same thanks either way

    assert snapshot(maria)["national"] == before["national"]  # consent included: it waits for her
    assert snapshot(maria)["pittsburgh_view"] == before["pittsburgh_view"]
    assert snapshot(maria)["pittsburgh_facts"] == before["pittsburgh_facts"]
    # The number the stranger gave, and its SMS consent, are Providence's; Maria's own number gained nothing.
    sms = ConsentEvent.objects.filter(person=maria, channel="sms")
    assert {(e.owner.label, e.value) for e in sms} == {
        ("Pittsburgh Groundswell", "+14125550100"), ("Providence Groundswell", "+14015550199"),
    }  # fmt: skip
    pittsburgh = Client()
    pittsburgh.force_login(personas.leader_a)
    page_a = pittsburgh.get(f"/people/{maria.uid}/").content.decode()
    assert "Mallory" not in page_a and "02903" not in page_a and "(401) 555-0199" not in page_a

    # The one message goes to Maria's own address, with what was given and a link that GET never uses.
    (mail,) = [m for m in smtp_server.messages if m["To"] == EMAIL]
    body = mail.get_payload(decode=True).decode()
    assert "Mallory" in body and "Renamed" in body
    link = re.search(r"http://\S+/people/confirm/\S+/", body).group(0)
    assert link.startswith(live_server.url)
    page.goto(link)
    assert "Are these your details?" in page.content()
    maria.refresh_from_db()
    assert maria.first_name == "Marisol"
    page.get_by_role("button", name="Yes, these are my details").click()
    page.get_by_text("We will use these details from now on.").wait_for()
    page.wait_for_load_state("networkidle")  # the server's thread shares this test's database connection
    maria.refresh_from_db()
    assert (maria.first_name, maria.last_name) == ("Mallory", "Renamed")  # the person confirmed it
    assert maria.email_opt_in  # and the email they asked for on the form counts now
    assert AuditEntry.objects.filter(event_type=AuditEvent.PERSON_DETAILS_CONFIRMED, target_id=str(maria.pk)).exists()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_run_form_with_a_members_email_adds_a_recruit_and_nothing_else(personas, maria, page, live_server):
    before = snapshot(maria)
    page.goto(f"{live_server.url}/recruitment/run/providence/")
    page.get_by_label("First name").fill("Mallory")
    page.get_by_label("Last name").fill("Renamed")
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("ZIP code").fill("02903")
    page.get_by_label(re.compile("Which office")).fill("School board")
    page.get_by_role("button", name="Count me in").click()
    page.wait_for_url(re.compile(r".*/thanks/$"))
    after = snapshot(maria)
    assert after["national"] == before["national"] and after["pittsburgh_view"] == before["pittsburgh_view"]
    sign_in(page, live_server, "leader.b@example.org")
    page.goto(f"{live_server.url}/recruitment/")
    text = page.locator("main").inner_text()
    assert "Mallory Renamed" in text
    assert_tells_nothing(text)


@pytest.mark.django_db
def test_a_new_member_sharing_a_family_phone_is_someone_new(personas, maria, client):
    before = snapshot(maria)
    response = client.post(
        "/chapters/pittsburgh/join/",
        {"first_name": "Lucia", "last_name": "Alvarez", "email": "lucia@example.net", "phone": "412-555-0100",
         "zip_code": "15213"},
    )  # fmt: skip
    assert response.status_code == 302
    lucia = Person.objects.get(first_name="Lucia")
    assert lucia != maria and snapshot(maria) == before
    assert DuplicateProposal.objects.filter(first=maria, second=lucia).exists()


# ---- a canvasser's sync names someone not on their list ---------------------------------------


@pytest.mark.django_db
def test_a_sync_naming_a_person_not_on_the_list_is_refused_and_stores_nothing(personas, maria):
    from groundswell.field.actions import do_assign, do_make_call_list, do_save_campaign, do_submit_contacts
    from groundswell.field.models import Contact, DoNotContact

    providence = do_save_campaign(name="Calls", state="RI", chapter=personas.chapter_b, actor=personas.leader_b)
    calls = do_make_call_list(providence, name="Members", kind="members", actor=personas.leader_b)
    assert [e["person_id"] for e in calls.entries] == []  # Ben has no phone: nobody to call
    ben = do_save_person(
        PersonDetails(emails=["ben@example.net"], phones=["+14015550123"]), source="test", actor=None,
        chapter=personas.chapter_b,
    ).person  # fmt: skip
    calls = do_make_call_list(providence, name="Members", kind="members", actor=personas.leader_b)
    assert [e["person_id"] for e in calls.entries] == [ben.pk]
    do_assign(
        personas.volunteer, expires_at=timezone.now() + dt.timedelta(days=3), call_list=calls, actor=personas.staff
    )

    def item(**fields: Any) -> dict[str, Any]:
        return {"uuid": str(uuid.uuid4()), "call_list": calls.pk, "method": "phone", "result": "contacted",
                "do_not_contact": True, **fields}  # fmt: skip

    stranger, both = item(person_id=maria.pk), item(voter_id="RI0001", person_id=maria.pk)
    outcome = do_submit_contacts([stranger, item(person_id=ben.pk), both], actor=personas.volunteer)
    assert outcome.errors[stranger["uuid"]].endswith("not on this call list")
    assert outcome.errors[both["uuid"]].endswith("name the voter or the person, not both")
    assert outcome.created == 1
    assert not Contact.objects.filter(person=maria).exists()
    assert list(DoNotContact.objects.values_list("person_id", "owner__chapter__slug")) == [(ben.pk, "providence")]


@pytest.mark.django_db
def test_another_chapters_do_not_contact_does_not_drop_a_member_from_a_call_list(personas, maria):
    """A person's request is the chapter's fact that heard it: Pittsburgh's does not bind Providence."""
    from groundswell.field.actions import do_make_call_list, do_save_campaign
    from groundswell.field.models import DoNotContact

    do_save_person(
        PersonDetails(emails=[EMAIL], phones=["+14015550111"]), source="test", actor=None,
        chapter=personas.chapter_b,
    )  # fmt: skip
    pittsburgh = do_save_campaign(name="A", state="PA", chapter=personas.chapter_a, actor=personas.leader_a)
    DoNotContact.objects.create(person=maria, owner=maria.views.get(owner__chapter__slug="pittsburgh").owner)
    providence = do_save_campaign(name="B", state="RI", chapter=personas.chapter_b, actor=personas.leader_b)
    calls = do_make_call_list(providence, name="Members", kind="members", actor=personas.leader_b)
    assert [(e["person_id"], e["phone"]) for e in calls.entries] == [(maria.pk, "+14015550111")]
    assert do_make_call_list(pittsburgh, name="Members", kind="members", actor=personas.leader_a).entries == []


# ---- reads that leave the server are audited ------------------------------------------------------


@pytest.mark.django_db
def test_the_person_page_list_and_taggings_are_audited_with_whom_they_showed(personas, maria, client):
    client.force_login(personas.leader_a)
    client.get("/people/")
    client.get(f"/people/{maria.uid}/")
    listed = AuditEntry.objects.get(event_type=AuditEvent.PEOPLE_LISTED, actor=personas.leader_a)
    assert maria.pk in listed.details["person_ids"]
    viewed = AuditEntry.objects.get(event_type=AuditEvent.PERSON_VIEWED, actor=personas.leader_a)
    assert viewed.details["person_ids"] == [maria.pk]


@pytest.mark.django_db(transaction=True)
def test_the_api_taggings_are_audited(api, personas, maria):
    headers = token_of(personas.leader_a)
    assert requests.get(f"{api}/people/{maria.uid}/taggings", headers=headers, timeout=10).status_code == 200
    entry = AuditEntry.objects.filter(event_type=AuditEvent.API_PEOPLE_READ, actor=personas.leader_a).get()
    assert entry.details["ids"] == [f"groundswell:{maria.uid}"] and "taggings" in entry.details["path"]


# ---- the API's tags, custom fields and DELETE: another chapter's member stays as it was ----------


def everything_of(person: Person) -> dict[str, Any]:
    """Every fact of a person with its owner, and every view: to compare before and after an attack."""
    from groundswell.people.models import CustomField, PersonTag

    person.refresh_from_db()
    return {
        **snapshot(person),
        "tags": sorted(PersonTag.objects.filter(person=person).values_list("tag__name", "owner_id")),
        "custom": sorted(CustomField.objects.filter(person=person).values_list("name", "value", "owner_id")),
        "views": sorted(PersonView.objects.filter(person=person).values_list("owner_id", "first_name", "last_name")),
    }


@pytest.mark.django_db(transaction=True)
def test_tagging_deleting_or_updating_another_chapters_member_is_404_and_changes_nothing(api, personas, maria):
    requests.put(f"{api}/people/{maria.uid}", json={"custom_fields": {"steward_since": "2019"}},
                 headers=token_of(personas.leader_a), timeout=10)  # fmt: skip
    before = everything_of(maria)
    providence = token_of(personas.leader_b)
    tag = requests.post(f"{api}/tags", json={"name": "union steward"}, headers=providence, timeout=10).json()
    tag_url = tag["_links"]["self"]["href"]
    nobody = "0123456789abcdef"
    answers = []
    for uid in (maria.uid, nobody):
        link = {"_links": {"osdi:person": {"href": f"{api}/people/{uid}"}}}
        tagged = requests.post(f"{tag_url}/taggings", json=link, headers=providence, timeout=10)
        deleted = requests.delete(f"{api}/people/{uid}", headers=providence, timeout=10)
        nulled = requests.put(f"{api}/people/{uid}", json={"given_name": None, "custom_fields": None},
                              headers=providence, timeout=10)  # fmt: skip
        listed = requests.get(f"{api}/people/{uid}/taggings", headers=providence, timeout=10)
        answers.append([(r.status_code, r.json()) for r in (tagged, deleted, nulled, listed)])
    assert answers[0] == answers[1]  # Maria, to Providence, is nobody
    assert {status for status, _ in answers[0]} == {404}
    # Pittsburgh's own tagging of Maria with the same name is not Providence's to see or delete.
    pittsburghs = maria.person_tags.get()
    tagging_url = f"{tag_url}/taggings/{pittsburghs.pk}"
    assert requests.get(tagging_url, headers=providence, timeout=10).status_code == 404
    assert requests.delete(tagging_url, headers=providence, timeout=10).status_code == 404
    taggings = requests.get(f"{tag_url}/taggings", headers=providence, timeout=10)
    assert taggings.json()["total_records"] == 0
    assert_tells_nothing(taggings.text)
    tombstones = requests.get(f"{api}/people/tombstones", headers=providence, timeout=10)
    assert tombstones.json()["total_records"] == 0
    assert everything_of(maria) == before


@pytest.mark.django_db(transaction=True)
def test_a_chapter_deleting_a_shared_member_takes_only_its_own_facts(api, personas, maria):
    """Maria signs up with Providence too; Providence deletes her: Pittsburgh's record and view stay."""
    providence = token_of(personas.leader_b)
    body = {"person": {"given_name": "Mari", "email_addresses": [{"address": EMAIL}]}, "add_tags": ["ri"]}
    assert requests.post(f"{api}/people", json=body, headers=providence, timeout=10).status_code == 200
    pittsburgh_before = {k: v for k, v in everything_of(maria).items() if k in ("pittsburgh_view", "pittsburgh_facts")}
    response = requests.delete(f"{api}/people/{maria.uid}", headers=providence, timeout=10)
    assert response.status_code == 200
    assert requests.get(f"{api}/people/{maria.uid}", headers=providence, timeout=10).status_code == 404
    after = everything_of(maria)
    assert {k: after[k] for k in pittsburgh_before} == pittsburgh_before
    assert after["memberships"] == ["pittsburgh"]
    assert [t for t, _ in after["tags"]] == ["union steward"]
    pittsburgh = requests.get(f"{api}/people/{maria.uid}", headers=token_of(personas.leader_a), timeout=10)
    assert pittsburgh.status_code == 200 and pittsburgh.json()["given_name"] == "Marisol"
    assert (
        requests.get(f"{api}/people/tombstones", headers=token_of(personas.leader_a), timeout=10).json()[
            "total_records"
        ]
        == 0
    )  # it did not leave Pittsburgh's sight

"""People on both faces over HTTP against a live server: the signup helper at POST /people, custom
fields, PUT that merges and clears with null, DELETE from the caller's sight, the tombstones a sync
follows, and the two clients tools use (Parsons, osdi) run unchanged against /api/v2."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from groundswell.api.actions import do_create_api_token
from groundswell.core.models import AuditEntry, AuditEvent
from groundswell.people.actions import do_merge_people
from groundswell.people.models import CustomField, EmailAddress, Person, PersonView

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def no_rate_limit(settings):
    """These tests send many requests a second with one token; the limit has tests of its own."""
    settings.API_RATE_LIMIT = 0


class Api:
    """One caller's token on one face."""

    def __init__(self, root: str, token: str) -> None:
        self.root, self.headers = root, {"OSDI-API-Token": token}

    def __call__(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        url = path if path.startswith("http") else f"{self.root}/{path}"
        response = requests.request(method, url, json=body, headers=self.headers, timeout=10)
        return response.status_code, response.json()


@pytest.fixture
def faces(live_server, personas):
    def of(user: Any, face: str = "v1") -> Api:
        return Api(f"{live_server.url}/api/{face}", do_create_api_token(user=user, name="t", actor=None)[1])

    return of


def signup(**person: Any) -> dict[str, Any]:
    return {"person": {"given_name": "Rosa", "email_addresses": [{"address": "rosa@example.org"}], **person}}


@pytest.mark.parametrize("face", ["v1", "v2"])
def test_post_people_is_the_signup_helper_with_custom_fields_and_the_same_status_for_a_match(faces, personas, face):
    api = faces(personas.leader_a, face)
    status, created = api("POST", "people", {**signup(custom_fields={"shirt": "L"}), "add_tags": ["new"]})
    assert status == 200, created
    assert created["custom_fields"] == {"shirt": "L"}
    prefix = "action_network" if face == "v2" else "groundswell"
    assert created["identifiers"][0].startswith(f"{prefix}:")
    status, again = api("POST", "people", {**signup(custom_fields={"shirt": "XL", "team": "doors"}),
                                           "remove_tags": ["new"]})  # fmt: skip
    assert status == 200
    assert again["identifiers"] == created["identifiers"]
    assert again["custom_fields"] == {"shirt": "XL", "team": "doors"}
    assert again["groundswell:tags"] == []
    # osdi takes the last segment of self, Parsons the identifier: both are the same person here.
    uid = again["_links"]["self"]["href"].rsplit("/", 1)[-1]
    assert again["identifiers"][0].split(":")[1] == uid
    assert api("GET", f"people/{uid}")[1]["custom_fields"] == {"shirt": "XL", "team": "doors"}


def test_signup_path_stays_on_the_osdi_face_only(faces, personas):
    assert faces(personas.leader_a)("POST", "people/signup", signup())[0] == 200
    assert faces(personas.leader_a, "v2")("POST", "people/signup", signup())[0] in (404, 405)


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"x" * 65: "v"}, "person.custom_fields." + "x" * 65),
        ({"": "v"}, "person.custom_fields."),
        ({"size": "v" * 1001}, "person.custom_fields.size"),
        ({"size": 3}, "person.custom_fields.size"),
        ({"size": ["L"]}, "person.custom_fields.size"),
    ],
)
def test_bad_custom_fields_are_a_400_naming_the_field_and_write_nothing(faces, personas, fields, named):
    before = (Person.objects.count(), CustomField.objects.count())
    status, body = faces(personas.leader_a, "v2")("POST", "people", signup(custom_fields=fields))
    assert status == 400 and body["field"] == named
    assert (Person.objects.count(), CustomField.objects.count()) == before


def test_custom_fields_are_each_owners_own(faces, personas):
    pittsburgh, providence = faces(personas.leader_a), faces(personas.leader_b)
    uid = pittsburgh("POST", "people", signup(custom_fields={"steward": "yes"}))[1]["identifiers"][0].split(":")[1]
    answer = providence("POST", "people", signup(custom_fields={"shirt": "S"}))[1]
    assert answer["custom_fields"] == {"shirt": "S"}  # not Pittsburgh's
    assert pittsburgh("GET", f"people/{uid}")[1]["custom_fields"] == {"steward": "yes"}
    coordinator = faces(personas.coordinator)("GET", f"people/{uid}")[1]
    assert coordinator["custom_fields"] == {"steward": "yes"}  # Pennsylvania's view folds in Pittsburgh's
    staff = faces(personas.staff)("GET", f"people/{uid}")[1]
    assert {"steward": "yes", "shirt": "S"}.items() <= staff["custom_fields"].items()


def test_put_merges_and_null_clears_the_callers_value_only(faces, personas):
    api = faces(personas.leader_a)
    url = f"people/{personas.member_a.uid}"
    assert api("PUT", url, {"custom_fields": {"shirt": "M", "team": "doors"}})[0] == 200  # osdi's update()
    status, body = api("PUT", url, {"family_name": "Alvarez-Ruiz", "custom_fields": {"team": None}})
    assert status == 200, body
    assert (body["given_name"], body["family_name"]) == ("Maria", "Alvarez-Ruiz")
    assert body["custom_fields"] == {"shirt": "M"}
    assert body["email_addresses"][0]["address"] == "maria@example.net"  # absent: unchanged
    status, body = api("PUT", url, {"given_name": None})
    assert status == 200 and body["given_name"] == "" and body["family_name"] == "Alvarez-Ruiz"
    personas.member_a.refresh_from_db()
    assert personas.member_a.first_name == "Maria"  # national's record is national's
    staff = faces(personas.staff)("GET", url)[1]
    assert staff["given_name"] == "Maria"


def test_a_bad_put_is_a_400_naming_the_field_and_changes_nothing(faces, personas):
    api = faces(personas.leader_a)
    url = f"people/{personas.member_a.uid}"
    before = api("GET", url)[1]
    for body, named in (
        ({"given_name": "Mar", "email_addresses": [{"address": "nope"}]}, "person.email_addresses[0].address"),
        ({"family_name": "X", "custom_fields": {"k": {"a": 1}}}, "person.custom_fields.k"),
        ({"given_name": 7}, "person.given_name"),
        ({"birthdate": {"year": 1800}}, "person.birthdate.year"),
    ):
        status, error = api("PUT", url, body)
        assert status == 400 and error["field"] == named, error
    after = api("GET", url)[1]
    assert {k: v for k, v in after.items() if k != "modified_date"} == {
        k: v for k, v in before.items() if k != "modified_date"
    }


def test_delete_takes_a_person_out_of_the_callers_sight_only_and_leaves_a_tombstone(faces, personas):
    maria = personas.member_a
    pittsburgh = faces(personas.leader_a)
    uid = pittsburgh("POST", "people", signup())[1]["identifiers"][0].split(":")[1]
    faces(personas.leader_b)("POST", "people", signup(given_name="Rosalind"))  # Providence knows her too
    assert faces(personas.leader_a, "v2")("DELETE", f"people/{uid}")[0] == 405
    assert faces(personas.leader_b)("DELETE", f"people/{maria.uid}")[0] == 404  # not Providence's to delete
    status, body = pittsburgh("DELETE", f"people/{uid}")
    assert status == 200 and "deleted" in body["notice"]
    assert pittsburgh("GET", f"people/{uid}")[0] == 404
    assert faces(personas.leader_b)("GET", f"people/{uid}")[1]["given_name"] == "Rosalind"
    rosa = Person.objects.get(uid=uid)
    assert not EmailAddress.objects.filter(person=rosa, owner__chapter=personas.chapter_a).exists()
    assert EmailAddress.objects.filter(person=rosa, owner__chapter=personas.chapter_b).exists()
    assert AuditEntry.objects.filter(event_type=AuditEvent.PERSON_DELETED, actor=personas.leader_a).count() == 1
    tombstones = pittsburgh("GET", "people/tombstones")[1]
    (gone,) = tombstones["_embedded"]["groundswell:tombstones"]
    assert (gone["identifiers"][0], gone["groundswell:what"]) == (f"groundswell:{uid}", "deleted")
    assert faces(personas.leader_b)("GET", "people/tombstones")[1]["total_records"] == 0
    later = pittsburgh("GET", "people/tombstones?filter=modified_date gt '2999-01-01'")[1]
    assert later["total_records"] == 0
    assert faces(personas.staff)("DELETE", f"people/{maria.uid}")[0] == 409
    assert PersonView.objects.filter(person=maria).exists()


def test_a_merge_leaves_a_tombstone_naming_the_survivor_for_those_who_saw_the_record(faces, personas):
    pittsburgh = faces(personas.leader_a, "v2")
    other_uid = pittsburgh("POST", "people", signup(given_name="Maria", family_name="Alvarez"))[1]
    other = Person.objects.get(uid=other_uid["identifiers"][0].split(":")[1])
    do_merge_people(personas.member_a, other, field_choices={}, actor=personas.staff)
    (merged,) = pittsburgh("GET", "people/tombstones")[1]["_embedded"]["groundswell:tombstones"]
    assert merged["groundswell:what"] == "merged"
    assert merged["identifiers"][0] == f"action_network:{other.uid}"
    assert merged["groundswell:survivor_identifiers"][0] == f"action_network:{personas.member_a.uid}"
    assert pittsburgh("GET", merged["_links"]["groundswell:survivor"]["href"])[0] == 200
    assert faces(personas.leader_b)("GET", "people/tombstones")[1]["total_records"] == 0


def test_phone_number_filter_finds_only_through_the_callers_own_numbers(faces, personas):
    pittsburgh = faces(personas.leader_a)
    pittsburgh("POST", "people", signup(phone_numbers=[{"number": "412-555-0142"}]))
    query = "people?filter=phone_number eq '+14125550142'"
    assert [p["given_name"] for p in pittsburgh("GET", query)[1]["_embedded"]["osdi:people"]] == ["Rosa"]
    assert faces(personas.leader_b)("GET", query)[1]["total_records"] == 0


def test_parsons_runs_unchanged_against_the_action_network_face(live_server, personas):
    from parsons import ActionNetwork
    from parsons.utilities.api_connector import APIConnector

    token = do_create_api_token(user=personas.leader_a, name="parsons", actor=None)[1]
    an = ActionNetwork(api_token=token)
    an.api_url = f"{live_server.url}/api/v2"
    an.api = APIConnector(an.api_url, headers=an.headers)
    person = an.upsert_person(email_address="lena@example.org", given_name="Lena", mobile_number="4125550177",
                              tags=["canvasser"], shirt="M")  # fmt: skip
    uid = next(i.split(":")[1] for i in person["identifiers"] if i.startswith("action_network:"))
    assert an.get_person(uid)["custom_fields"] == {"shirt": "M"}
    an.update_person(uid, family_name="Lindqvist", custom_fields={"shirt": "L"})
    assert an.get_person(uid)["family_name"] == "Lindqvist"
    people = an.get_people()
    assert sorted(p for p in people["given_name"]) == ["Lena", "Maria"]
    tag = an.add_tag("phonebank")
    tag_id = tag["identifiers"][0].split(":")[1]
    assert an.get_tag(tag_id)["name"] == "phonebank"
    assert "phonebank" in list(an.get_tags()["name"])
    tagging = an.create_tagging(tag_id, {"_links": {"osdi:person": {"href": f"{an.api_url}/people/{uid}"}}})
    tagging_id = tagging["identifiers"][0].split(":")[1]
    assert an.get_tagging(tag_id, tagging_id)["_links"]["osdi:person"]["href"].endswith(uid)
    assert len(an.get_taggings(tag_id)) == 1
    assert an.delete_tagging(tag_id, tagging_id)["notice"]
    assert len(an.get_taggings(tag_id)) == 0


def test_osdi_runs_unchanged_against_the_action_network_face(live_server, personas):
    from osdi.action_network.person import ANPerson
    from osdi.action_network.service import ActionNetworkService

    token = do_create_api_token(user=personas.leader_a, name="osdi", actor=None)[1]
    uri = f"{live_server.url}/api/v2"
    requests.post(f"{uri}/tags", json={"name": "volunteer"}, headers={"OSDI-API-Token": token}, timeout=10)
    service = ActionNetworkService(uri, token)
    service.model = ANPerson
    created = service.create_person("Omar", "Haddad", "omar@example.org", custom_fields={"ward": "4"}, model=ANPerson)
    assert created.custom_fields == {"ward": "4"}
    created.update_field("ward", "5")
    created.update_tag("volunteer", True)
    created.update()
    found = service.find_person(email="omar@example.org")
    assert found.id == created.id and found.custom_fields == {"ward": "5"} and set(found.tags) == {"volunteer"}
    found.update_tag("volunteer", False)
    found.update()
    assert service.find_person(an_id=created.id).tags == {}
    assert service.find_person(phone="+14125550100") is None


def test_a_put_of_custom_fields_alone_is_a_change_a_sync_finds_by_modified_date(faces, personas):
    import time

    api = faces(personas.leader_a)
    url = f"people/{personas.member_a.uid}"
    before = api("GET", url)[1]["modified_date"]
    time.sleep(1.1)  # the dates are to the second
    after = api("PUT", url, {"custom_fields": {"shirt": "M"}})[1]["modified_date"]
    assert after > before
    changed = api("GET", f"people?filter=modified_date gt '{before}'")[1]["_embedded"]["osdi:people"]
    assert [p["custom_fields"] for p in changed] == [{"shirt": "M"}]

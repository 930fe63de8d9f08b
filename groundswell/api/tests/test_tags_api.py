"""Tags and taggings on both faces over HTTP against a live server: creating a tag, the caller's list
of tags, taggings by tag and by person (paged, audited), tagging and untagging, and each outside the
caller's scope answering 404 like a missing one and changing nothing."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from groundswell.api.actions import do_create_api_token
from groundswell.core.models import AuditEntry, AuditEvent
from groundswell.people.actions import do_tag_person
from groundswell.people.models import PersonTag, Tag

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def no_rate_limit(settings):
    """These tests send many requests a second with one token; the limit has tests of its own."""
    settings.API_RATE_LIMIT = 0


@pytest.fixture
def call(live_server):
    tokens: dict[int, str] = {}

    def send(user: Any, method: str, path: str, body: Any = None, face: str = "v1") -> tuple[int, Any]:
        if user.pk not in tokens:
            tokens[user.pk] = do_create_api_token(user=user, name="t", actor=None)[1]
        url = path if path.startswith("http") else f"{live_server.url}/api/{face}/{path}"
        response = requests.request(method, url, json=body, headers={"OSDI-API-Token": tokens[user.pk]}, timeout=10)
        return response.status_code, response.json()

    return send


def tag_id_of(resource: dict[str, Any]) -> str:
    return str(resource["_links"]["self"]["href"]).rsplit("/", 1)[-1]


@pytest.mark.parametrize("face", ["v1", "v2"])
def test_a_new_tag_is_listed_for_its_maker_before_anyone_wears_it_and_is_not_made_twice(call, personas, face):
    status, tag = call(personas.leader_a, "POST", "tags", {"name": " phonebank "}, face=face)
    assert status == 200 and tag["name"] == "phonebank"
    assert tag["identifiers"][0] == f"{'action_network' if face == 'v2' else 'groundswell'}:{tag_id_of(tag)}"
    again = call(personas.leader_a, "POST", "tags", {"name": "phonebank"}, face=face)
    assert again == (200, tag)
    assert Tag.objects.filter(name="phonebank").count() == 1
    listed = call(personas.leader_a, "GET", "tags", face=face)[1]
    assert [t["name"] for t in listed["_embedded"]["osdi:tags"]] == ["phonebank"]
    assert call(personas.leader_a, "GET", f"tags/{tag_id_of(tag)}", face=face) == (200, tag)
    # Providence never listed it and wears it on no one: for Providence there is no such tag.
    assert call(personas.leader_b, "GET", "tags", face=face)[1]["total_records"] == 0
    assert call(personas.leader_b, "GET", f"tags/{tag_id_of(tag)}", face=face)[0] == 404
    # Listing the same name answers Providence the same way, and lists it for Providence alone.
    status, theirs = call(personas.leader_b, "POST", "tags", {"name": "phonebank"}, face=face)
    assert status == 200 and theirs["name"] == "phonebank"


def test_bad_tag_names_are_a_400_naming_name(call, personas):
    for body in ({}, {"name": ""}, {"name": "x" * 61}, {"name": 5}):
        status, error = call(personas.leader_a, "POST", "tags", body)
        assert status == 400 and error["field"] == "name"
    assert call(personas.volunteer, "POST", "tags", {"name": "mine"})[0] == 404
    assert not Tag.objects.filter(name="mine").exists()


@pytest.mark.parametrize("face", ["v1", "v2"])
def test_tagging_a_person_listing_getting_and_deleting_the_tagging(call, personas, face):
    maria = personas.member_a
    tag = call(personas.leader_a, "POST", "tags", {"name": "steward"}, face=face)[1]
    base = tag["_links"]["self"]["href"].rsplit("/tags/", 1)[0]
    body = {"_links": {"osdi:person": {"href": f"{base}/people/{maria.uid}"}}}
    status, tagging = call(personas.leader_a, "POST", f"{tag['_links']['self']['href']}/taggings", body)
    assert status == 200, tagging
    assert tagging["_links"]["osdi:tag"]["href"] == tag["_links"]["self"]["href"]
    assert tagging["_links"]["osdi:person"]["href"] == f"{base}/people/{maria.uid}"
    assert tagging["created_date"]
    again = call(personas.leader_a, "POST", f"{tag['_links']['self']['href']}/taggings", body)[1]
    assert again["identifiers"] == tagging["identifiers"]  # tagged once
    by_tag = call(personas.leader_a, "GET", f"{tag['_links']['self']['href']}/taggings?per_page=1")[1]
    assert by_tag["total_records"] == 1 and by_tag["per_page"] == 1
    by_person = call(personas.leader_a, "GET", f"{base}/people/{maria.uid}/taggings")[1]
    assert [t["_links"]["self"] for t in by_person["_embedded"]["osdi:taggings"]] == [tagging["_links"]["self"]]
    assert call(personas.leader_a, "GET", tagging["_links"]["self"]["href"]) == (200, tagging)
    reads = AuditEntry.objects.filter(event_type=AuditEvent.API_PEOPLE_READ, actor=personas.leader_a)
    assert all(entry.details["ids"] == [f"groundswell:{maria.uid}"] for entry in reads)
    status, deleted = call(personas.leader_a, "DELETE", tagging["_links"]["self"]["href"])
    assert status == 200 and deleted["notice"]
    assert call(personas.leader_a, "GET", tagging["_links"]["self"]["href"])[0] == 404
    assert not PersonTag.objects.filter(person=maria).exists()
    # The tag stays in the caller's list, as Action Network's do, so a client that read the list tags again.
    assert [t["name"] for t in call(personas.leader_a, "GET", "tags", face=face)[1]["_embedded"]["osdi:tags"]] == [
        "steward"
    ]
    assert call(personas.leader_a, "POST", f"{tag['_links']['self']['href']}/taggings", body)[0] == 200


def test_the_person_as_an_identifier_is_accepted_too(call, personas):
    tag = call(personas.leader_a, "POST", "tags", {"name": "host"})[1]
    body = {"person": {"identifiers": [f"action_network:{personas.member_a.uid}"]}}
    status, tagging = call(personas.leader_a, "POST", f"tags/{tag_id_of(tag)}/taggings", body, face="v2")
    assert status == 200 and tagging["_links"]["osdi:person"]["href"].endswith(personas.member_a.uid)
    status, error = call(personas.leader_a, "POST", f"tags/{tag_id_of(tag)}/taggings", {"_links": {}})
    assert status == 400 and error["field"] == "_links.osdi:person.href"


def test_out_of_scope_people_tags_and_taggings_are_404_and_nothing_changes(call, personas):
    maria, ben = personas.member_a, personas.member_b
    do_tag_person(maria, tag_name="steward", actor=personas.leader_a)
    steward = Tag.objects.get(name="steward")
    pittsburghs = PersonTag.objects.get(person=maria)
    tag = call(personas.leader_b, "POST", "tags", {"name": "steward"})[1]
    assert tag_id_of(tag) == str(steward.pk)
    # Providence tagging Pittsburgh's member: 404, as for nobody; nothing written.
    body = {"_links": {"osdi:person": {"href": f"http://x/api/v1/people/{maria.uid}"}}}
    missing = {"_links": {"osdi:person": {"href": "http://x/api/v1/people/0123456789abcdef"}}}
    assert call(personas.leader_b, "POST", f"tags/{steward.pk}/taggings", body) == call(
        personas.leader_b, "POST", f"tags/{steward.pk}/taggings", missing
    )
    assert call(personas.leader_b, "POST", f"tags/{steward.pk}/taggings", body)[0] == 404
    # Pittsburgh's tagging is not Providence's to see or delete.
    tagging_url = f"tags/{steward.pk}/taggings/{pittsburghs.pk}"
    assert call(personas.leader_b, "GET", tagging_url)[0] == 404
    assert call(personas.leader_b, "DELETE", tagging_url)[0] == 404
    assert call(personas.leader_b, "GET", f"tags/{steward.pk}/taggings")[1]["total_records"] == 0
    assert call(personas.leader_b, "GET", f"people/{maria.uid}/taggings")[0] == 404
    assert list(PersonTag.objects.values_list("person", "tag", "owner")) == [
        (maria.pk, steward.pk, pittsburghs.owner_id)
    ]
    # Providence's own member, tagged by Providence, is Providence's alone.
    status, _ = call(personas.leader_b, "POST", f"tags/{steward.pk}/taggings",
                     {"_links": {"osdi:person": {"href": f"http://x/api/v1/people/{ben.uid}"}}})  # fmt: skip
    assert status == 200
    listed = call(personas.leader_a, "GET", f"tags/{steward.pk}/taggings")[1]
    assert [t["_links"]["osdi:person"]["href"].rsplit("/", 1)[-1] for t in listed["_embedded"]["osdi:taggings"]] == [
        maria.uid
    ]
    assert call(personas.volunteer, "GET", f"tags/{steward.pk}")[0] == 404


def test_a_tag_taken_off_through_the_api_stays_in_the_list_of_who_had_put_it_on(call, personas):
    do_tag_person(personas.member_a, tag_name="canvass", actor=personas.leader_a)
    tagging = PersonTag.objects.get(person=personas.member_a)
    assert call(personas.leader_a, "DELETE", f"tags/{tagging.tag_id}/taggings/{tagging.pk}")[0] == 200
    listed = call(personas.leader_a, "GET", "tags", face="v2")[1]["_embedded"]["osdi:tags"]
    assert [t["name"] for t in listed] == ["canvass"]
    assert call(personas.leader_b, "GET", "tags")[1]["total_records"] == 0

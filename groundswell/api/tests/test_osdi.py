"""The OSDI API, exercised over HTTP against a live server with a real HTTP client."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from django.urls import URLPattern, get_resolver

from groundswell.api.actions import do_create_api_token, do_revoke_api_token
from groundswell.api.openapi import openapi_document
from groundswell.api.tests.http import call
from groundswell.core.models import AuditEntry, AuditEvent
from groundswell.people.models import Membership, Person

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def api(live_server):
    return f"{live_server.url}/api/v1"


@pytest.fixture
def tokens(personas):
    return {
        name: do_create_api_token(user=getattr(personas, name), name="test", actor=None)[1]
        for name in ("staff", "leader_a", "leader_b", "volunteer")
    }


def test_without_a_token_the_api_answers_401(api):
    status, body = call(f"{api}/people")
    assert status == 401
    assert "OSDI-API-Token" in body["error"]


def test_a_revoked_token_stops_working(api, personas):
    token, raw = do_create_api_token(user=personas.staff, name="old sync", actor=personas.staff)
    assert call(f"{api}/people", raw)[0] == 200
    do_revoke_api_token(token, actor=personas.staff)
    assert call(f"{api}/people", raw)[0] == 401
    assert AuditEntry.objects.filter(event_type=AuditEvent.API_TOKEN_REVOKED).count() == 1


def test_entry_point_links_every_collection(api, tokens):
    status, body = call(f"{api}/", tokens["staff"])
    assert status == 200
    assert body["osdi_version"] == "1.1"
    for rel in ("osdi:people", "osdi:tags", "osdi:person_signup_helper", "groundswell:chapters"):
        assert body["_links"][rel]["href"].startswith(api)


def test_people_collection_is_hal_paged_and_scoped_to_the_token_owner(api, tokens, personas):
    status, body = call(f"{api}/people?per_page=1", tokens["staff"])
    assert status == 200
    assert (body["total_records"], body["total_pages"], body["per_page"], body["page"]) == (2, 2, 1, 1)
    assert len(body["_embedded"]["osdi:people"]) == 1
    second = call(body["_links"]["next"]["href"], tokens["staff"])[1]
    assert second["page"] == 2 and "prev" in second["_links"]

    leader_a = call(f"{api}/people", tokens["leader_a"])[1]
    names = [p["family_name"] for p in leader_a["_embedded"]["osdi:people"]]
    assert names == ["Alvarez"]
    person = leader_a["_embedded"]["osdi:people"][0]
    assert person["email_addresses"] == [{"address": "maria@example.net", "primary": True, "status": "unsubscribed"}]
    assert person["identifiers"][0] == f"groundswell:{personas.member_a.uid}"

    assert call(f"{api}/people", tokens["volunteer"])[1]["total_records"] == 0
    reads = AuditEntry.objects.filter(event_type=AuditEvent.API_PEOPLE_READ, actor=personas.leader_a)
    assert [entry.details["ids"] for entry in reads] == [[f"groundswell:{personas.member_a.uid}"]]


def test_another_chapters_person_is_404_like_a_missing_one(api, tokens, personas):
    assert call(f"{api}/people/{personas.member_a.uid}", tokens["leader_a"])[0] == 200
    other = call(f"{api}/people/{personas.member_a.uid}", tokens["leader_b"])
    missing = call(f"{api}/people/0123456789abcdef", tokens["leader_b"])
    assert other == missing == (404, {"request_type": "error", "error": "Not found."})


def test_filter_by_modified_date_and_email(api, tokens):
    assert (
        call(f"{api}/people?filter=modified_date gt '2000-01-01'".replace(" ", "%20"), tokens["staff"])[1][
            "total_records"
        ]
        == 2
    )
    assert (
        call(f"{api}/people?filter=modified_date gt '2999-01-01'".replace(" ", "%20"), tokens["staff"])[1][
            "total_records"
        ]
        == 0
    )
    found = call(f"{api}/people?filter=email_address eq 'ben@example.net'".replace(" ", "%20"), tokens["staff"])[1]
    assert [p["given_name"] for p in found["_embedded"]["osdi:people"]] == ["Ben"]
    status, error = call(f"{api}/people?filter=nonsense".replace(" ", "%20"), tokens["staff"])
    assert status == 400 and error["field"] == "filter"


def test_signup_helper_creates_then_matches_by_email_and_tags(api, tokens, personas):
    signup = {
        "person": {
            "given_name": "Rosa",
            "family_name": "Parks",
            "email_addresses": [{"address": "Rosa@Example.org", "status": "subscribed"}],
            "phone_numbers": [{"number": "(412) 555-0199"}],
            "postal_addresses": [{"address_lines": ["12 Forbes Ave"], "locality": "Pittsburgh", "region": "pa",
                                  "postal_code": "15213"}],
        },
        "add_tags": ["volunteer-lead"],
    }  # fmt: skip
    status, created = call(f"{api}/people/signup", tokens["leader_a"], "POST", signup)
    assert status == 200, created  # the same for someone new as for someone known: it tells nothing
    assert created["email_addresses"][0] == {"address": "rosa@example.org", "primary": True, "status": "subscribed"}
    assert created["phone_numbers"][0]["number"] == "+14125550199"
    assert created["postal_addresses"][0]["region"] == "PA"
    assert created["groundswell:tags"] == ["volunteer-lead"]

    signup["person"]["family_name"] = "Parks-McCauley"
    status, again = call(f"{api}/people/signup", tokens["leader_a"], "POST", signup)
    assert status == 200
    assert again["identifiers"] == created["identifiers"]
    assert again["family_name"] == "Parks-McCauley"
    person = Person.objects.get(emails__address="rosa@example.org")
    assert Membership.objects.filter(person=person, chapter=personas.chapter_a).exists()
    assert Person.objects.filter(last_name__startswith="Parks").count() == 1


def test_signup_helper_names_the_bad_field_and_writes_nothing(api, tokens):
    before = Person.objects.count()
    status, error = call(
        f"{api}/people/signup", tokens["staff"], "POST",
        {"person": {"given_name": "X", "email_addresses": [{"address": "not-an-email"}]}},
    )  # fmt: skip
    assert status == 400
    assert error["field"] == "person.email_addresses[0].address"
    assert "not-an-email" in error["error"]
    assert Person.objects.count() == before


def test_volunteer_cannot_sign_people_up(api, tokens):
    status, _ = call(f"{api}/people/signup", tokens["volunteer"], "POST", {"person": {"given_name": "Y"}})
    assert status == 404


def test_put_updates_the_callers_view_of_a_person_in_scope(api, tokens, personas):
    url = f"{api}/people/{personas.member_b.uid}"
    status, body = call(url, tokens["leader_b"], "PUT", {"given_name": "Benjamin"})
    assert status == 200 and body["given_name"] == "Benjamin"
    assert call(url, tokens["leader_a"], "PUT", {"given_name": "Hijack"})[0] == 404
    assert call(url, tokens["leader_b"])[1]["given_name"] == "Benjamin"
    personas.member_b.refresh_from_db()
    assert personas.member_b.first_name == "Ben"  # national's record changes by national or the person
    assert call(url, tokens["staff"], "PUT", {"given_name": "Benji"})[1]["given_name"] == "Benji"
    personas.member_b.refresh_from_db()
    assert personas.member_b.first_name == "Benji"


def test_a_browser_session_may_read_but_not_write(client, personas):
    client.force_login(personas.staff)
    assert client.get("/api/v1/people").status_code == 200
    assert client.post("/api/v1/people/signup", {}, content_type="application/json").status_code == 401


def test_openapi_document_describes_every_api_route(api):
    with urllib.request.urlopen(f"{api}/openapi.json", timeout=10) as response:
        document = json.loads(response.read())
    described = set(document["paths"])
    resolver = get_resolver()
    api_patterns = next(p for p in resolver.url_patterns if str(getattr(p, "pattern", "")) == "api/v1/")
    routes = set()
    for pattern in api_patterns.url_patterns:
        assert isinstance(pattern, URLPattern)
        if pattern.name == "not-found":
            continue
        route = "/" + str(pattern.pattern).replace("<int:", "{").replace("<slug:", "{").replace(">", "}")
        routes.add(route)
    routes.discard("/openapi.json")
    assert routes <= described, f"undocumented API routes: {routes - described}"
    assert document == openapi_document(api)

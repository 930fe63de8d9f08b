"""Idempotency keys on POST, over HTTP against a live server: a repeat gets the first answer without
running again, a key reused for another request is a 422, and requests racing with one key run once."""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.request
from typing import Any

import pytest
from django.utils import timezone

from groundswell.api.actions import do_create_api_token
from groundswell.api.models import IdempotentRequest
from groundswell.core.models import AuditEntry, AuditEvent
from groundswell.core.tests.racing import at_once
from groundswell.people.models import EmailAddress, Person

pytestmark = pytest.mark.django_db(transaction=True)


def post(url: str, token: str, body: Any, key: str | None = None) -> tuple[int, dict[str, str], bytes]:
    headers = {"Accept": "application/hal+json", "Content-Type": "application/json", "OSDI-API-Token": token}
    if key is not None:
        headers["Idempotency-Key"] = key
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture
def signup(live_server):
    return f"{live_server.url}/api/v1/people/signup"


@pytest.fixture
def token(personas):
    return do_create_api_token(user=personas.staff, name="forms", actor=None)[1]


def person(email: str, name: str = "Rosa") -> dict[str, Any]:
    return {"person": {"given_name": name, "email_addresses": [{"address": email}]}}


def signups() -> int:
    return AuditEntry.objects.filter(event_type=AuditEvent.API_PEOPLE_READ).count()


def test_a_repeat_with_the_same_key_gets_the_first_answer_without_running_again(signup, token):
    first = post(signup, token, person("rosa@example.net"), key="signup-1")
    reads = signups()
    again = post(signup, token, person("rosa@example.net"), key="signup-1")
    assert first[0] == again[0] == 200
    assert again[2] == first[2]
    assert again[1]["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first[1]
    assert again[1]["Content-Type"] == first[1]["Content-Type"]
    assert signups() == reads  # the view did not run: it would have audited its read of the person
    assert EmailAddress.objects.filter(address="rosa@example.net").values("person").distinct().count() == 1


def test_without_a_key_every_post_runs(signup, token):
    post(signup, token, person("rosa@example.net"))
    reads = signups()
    _, headers, _ = post(signup, token, person("rosa@example.net"))
    assert signups() == reads + 1 and "Idempotent-Replayed" not in headers


def test_the_same_key_with_another_body_is_a_422_naming_the_header(signup, token):
    assert post(signup, token, person("rosa@example.net"), key="k")[0] == 200
    status, _, body = post(signup, token, person("someone.else@example.net"), key="k")
    assert status == 422
    assert json.loads(body)["field"] == "Idempotency-Key"
    assert not EmailAddress.objects.filter(address="someone.else@example.net").exists()


def test_a_key_belongs_to_its_token(signup, token, personas):
    other = do_create_api_token(user=personas.staff, name="other form", actor=None)[1]
    post(signup, token, person("rosa@example.net"), key="k")
    _, headers, _ = post(signup, other, person("rosa@example.net"), key="k")
    assert "Idempotent-Replayed" not in headers


def test_an_unusable_key_is_a_400_naming_the_header(signup, token):
    for key in ("x" * 256, "   ", "caf\u00e9"):
        status, _, body = post(signup, token, person("rosa@example.net"), key=key)
        assert status == 400 and json.loads(body)["field"] == "Idempotency-Key", key
    assert post(signup, token, person("rosa@example.net"), key="x" * 255)[0] == 200


def test_a_refused_request_leaves_its_key_free(signup, token):
    status, _, _ = post(signup, token, {"person": {}}, key="k")
    assert status == 400
    status, headers, _ = post(signup, token, person("rosa@example.net"), key="k")
    assert status == 200 and "Idempotent-Replayed" not in headers


def test_an_answer_is_kept_a_day(signup, token):
    post(signup, token, person("rosa@example.net"), key="k")
    IdempotentRequest.objects.update(created_at=timezone.now() - dt.timedelta(hours=25))
    _, headers, _ = post(signup, token, person("rosa@example.net"), key="k")
    assert "Idempotent-Replayed" not in headers
    assert IdempotentRequest.objects.count() == 1  # the stale answer is gone, the new one kept


def test_requests_racing_with_one_key_run_once(signup, token):
    body = person("racer@example.net", "Racer")
    results, failures = at_once(4, lambda i: post(signup, token, body, key="race"))
    assert not failures
    answers = [result for result in results if isinstance(result, tuple)]
    assert {status for status, _, _ in answers} == {200}
    assert len({content for _, _, content in answers}) == 1
    assert sum("Idempotent-Replayed" not in headers for _, headers, _ in answers) == 1
    assert Person.objects.filter(emails__address="racer@example.net").distinct().count() == 1


def test_a_second_post_endpoint_gets_keys_too(live_server, token):
    lists = f"{live_server.url}/api/v1/lists"
    first = post(lists, token, {"name": "Phone bank"}, key="list-1")
    again = post(lists, token, {"name": "Phone bank"}, key="list-1")
    assert first[0] == again[0] == 201 and first[2] == again[2]
    assert again[1]["Idempotent-Replayed"] == "true"
    assert post(lists, token, {"name": "Other"}, key="list-1")[0] == 422


def test_a_webhooks_secret_is_never_kept_for_a_repeat_of_its_key(live_server, token):
    """Creating a webhook answers its signing secret once (Cache-Control: no-store): a repeat of the key
    runs nothing and gets a 409, not the secret again, and no stored answer holds it."""
    from groundswell.webhooks.models import Subscription

    hooks = f"{live_server.url}/api/v1/webhooks"
    body = {"url": "https://example.org/hook", "event_types": ["person.created"]}
    first = post(hooks, token, body, key="hook-1")
    again = post(hooks, token, body, key="hook-1")
    assert first[0] == 201, first[2]
    secret = json.loads(first[2])["secret"]
    assert again[0] == 409 and secret.encode() not in again[2]
    assert Subscription.objects.count() == 1
    assert not any(secret in str(vars(row)) for row in IdempotentRequest.objects.all())

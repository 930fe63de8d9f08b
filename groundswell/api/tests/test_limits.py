"""The API's rate limit, over HTTP against a live server: a token past its allowance gets a 429 with
Retry-After in whole seconds, and other tokens and users are not held back by it."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest
from django.test import Client

from groundswell.api.actions import do_create_api_token

pytestmark = pytest.mark.django_db(transaction=True)


def get(url: str, headers: dict[str, str]) -> tuple[int, dict[str, str], Any]:
    request = urllib.request.Request(url, headers={"Accept": "application/hal+json", **headers})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read())


@pytest.fixture
def tiny_limit(settings: Any, tmp_path: Any) -> None:
    """Two requests at once, then one each 100 seconds: the third request in a test is always refused."""
    settings.API_RATE_LIMIT = 0.01
    settings.API_RATE_BURST = 2
    settings.API_RATE_LIMIT_FILE = tmp_path / "api_rate_limits.sqlite3"


def test_a_token_past_its_allowance_gets_429_with_retry_after(live_server, personas, tiny_limit):
    _, raw = do_create_api_token(user=personas.staff, name="sync", actor=None)
    token = {"OSDI-API-Token": raw}
    assert get(f"{live_server.url}/api/v1/people", token)[0] == 200
    assert get(f"{live_server.url}/api/v2/tags", token)[0] == 200  # both faces count against one allowance
    status, headers, body = get(f"{live_server.url}/api/v1/people", token)
    assert status == 429
    assert body["request_type"] == "error" and "Too many requests" in body["error"]
    wait = headers["Retry-After"]
    assert wait.isdigit() and 1 <= int(wait) <= 100


def test_another_token_of_the_same_user_and_another_user_are_unaffected(live_server, personas, tiny_limit):
    tokens = [do_create_api_token(user=user, name="sync", actor=None)[1]
              for user in (personas.staff, personas.staff, personas.leader_a)]  # fmt: skip
    for _ in range(3):
        get(f"{live_server.url}/api/v1/people", {"OSDI-API-Token": tokens[0]})
    assert get(f"{live_server.url}/api/v1/people", {"OSDI-API-Token": tokens[0]})[0] == 429
    assert get(f"{live_server.url}/api/v1/people", {"OSDI-API-Token": tokens[1]})[0] == 200
    assert get(f"{live_server.url}/api/v1/people", {"OSDI-API-Token": tokens[2]})[0] == 200


def test_a_browser_session_is_limited_by_its_user(live_server, personas, tiny_limit):
    browser = Client()
    browser.force_login(personas.staff)
    cookie = {"Cookie": f"sessionid={browser.cookies['sessionid'].value}"}
    assert [get(f"{live_server.url}/api/v1/people", cookie)[0] for _ in range(3)] == [200, 200, 429]
    _, raw = do_create_api_token(user=personas.leader_a, name="sync", actor=None)
    assert get(f"{live_server.url}/api/v1/people", {"OSDI-API-Token": raw})[0] == 200


def test_a_refused_token_is_not_counted_and_a_limit_of_0_is_none(live_server, personas, settings, tmp_path):
    settings.API_RATE_LIMIT = 0
    settings.API_RATE_LIMIT_FILE = tmp_path / "api_rate_limits.sqlite3"
    _, raw = do_create_api_token(user=personas.staff, name="sync", actor=None)
    statuses = {get(f"{live_server.url}/api/v1/tags", {"OSDI-API-Token": raw})[0] for _ in range(30)}
    assert statuses == {200}
    assert get(f"{live_server.url}/api/v1/tags", {"OSDI-API-Token": "gs_wrong"})[0] == 401

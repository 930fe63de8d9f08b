"""Calling the API over HTTP in tests, with the standard library's client, as a tool would."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any


def call(url: str, token: str | None = None, method: str = "GET", body: Any = None) -> tuple[int, Any]:
    """(status, parsed JSON body) of one request; an error status is an answer, not an exception."""
    headers = {"Accept": "application/hal+json, application/json"}
    if token:
        headers["OSDI-API-Token"] = token
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())

"""The OpenAPI documents (/api/v1/openapi.json, /api/v2/openapi.json), read over HTTP, against the URL
patterns the server really answers: every route and every method it allows is described, nothing else
is, and every response says its content type and schema."""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.urls import URLPattern, URLResolver, get_resolver

from groundswell.api.base import ACTION_NETWORK, FACES, HAL, OSDI
from groundswell.api.openapi import JSON

# The documents are built from the code alone: no database, and no token needed to read them.

# A route's converter -> the JSON type its path parameter must have in the document.
CONVERTER_TYPES = {"int": "integer", "slug": "string", "str": "string", "uuid": "string", "path": "string"}
ROUTE_PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")


def routes(prefix: str) -> Iterator[tuple[str, tuple[str, ...], dict[str, str]]]:
    """(OpenAPI path, methods the view allows, {parameter: converter}) for every route under a face."""
    face = next(p for p in get_resolver().url_patterns if str(getattr(p, "pattern", "")) == prefix)
    assert isinstance(face, URLResolver)
    yield from _walk(face, "")


def _walk(resolver: URLResolver, above: str) -> Iterator[tuple[str, tuple[str, ...], dict[str, str]]]:
    for pattern in resolver.url_patterns:
        route = above + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern, route)
            continue
        assert isinstance(pattern, URLPattern)
        if pattern.name == "not-found":
            continue
        converters = {name: converter or "str" for converter, name in ROUTE_PARAMETER.findall(route)}
        methods = getattr(pattern.callback, "api_methods", ("GET",))
        yield "/" + ROUTE_PARAMETER.sub(r"{\2}", route), tuple(m.lower() for m in methods), converters


def fetch(url: str) -> tuple[str, dict[str, Any]]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.headers["Content-Type"], json.loads(response.read())


@pytest.fixture(params=[OSDI.key, ACTION_NETWORK.key])
def face(request: pytest.FixtureRequest) -> Any:
    return FACES[request.param]


@pytest.fixture
def document(live_server: Any, face: Any) -> dict[str, Any]:
    content_type, body = fetch(f"{live_server.url}{face.prefix}/openapi.json")
    assert content_type == JSON
    return body


def test_every_route_and_method_is_described_and_nothing_else(document, face):
    served = {path: (methods, converters) for path, methods, converters in routes(face.prefix.lstrip("/") + "/")}
    described = {path: set(item) - {"parameters"} for path, item in document["paths"].items()}
    missing = {f"{m.upper()} {p}" for p, (ms, _) in served.items() for m in ms if m not in described.get(p, set())}
    assert not missing, f"routes the document does not describe: {sorted(missing)}"
    extra = {f"{m.upper()} {p}" for p, ms in described.items() for m in ms if m not in served.get(p, ((), {}))[0]}
    assert not extra, f"operations the server refuses (405 or 404): {sorted(extra)}"


def test_path_parameters_are_declared_as_the_converters_read_them(document, face):
    for path, methods, converters in routes(face.prefix.lstrip("/") + "/"):
        for method in methods:
            declared = {p["name"]: p for p in document["paths"][path][method]["parameters"] if p["in"] == "path"}
            assert set(declared) == set(converters), f"{method.upper()} {path}"
            for name, converter in converters.items():
                schema = declared[name]["schema"]
                assert declared[name]["required"] is True
                assert schema["type"] == CONVERTER_TYPES[converter], f"{method.upper()} {path} {name}"
                if schema["type"] == "string":
                    assert "pattern" in schema, f"{method.upper()} {path} {name}: say what the converter accepts"


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method != "parameters":
                yield path, method, operation


def test_every_response_has_a_content_type_and_a_schema(document):
    for path, method, operation in operations(document):
        for status, answer in operation["responses"].items():
            where = f"{method.upper()} {path} {status}"
            if status == "204":
                assert "content" not in answer, where
                continue
            assert answer.get("content"), f"{where}: no content"
            for media_type, media in answer["content"].items():
                assert "schema" in media, f"{where} {media_type}: no schema"
                if int(status) >= 400:
                    assert media_type == JSON, f"{where}: errors are sent as {JSON}"
                else:
                    assert media_type in (HAL, JSON), where


def test_every_operation_lists_the_answers_every_endpoint_can_give(document):
    for path, method, operation in operations(document):
        responses = operation["responses"]
        where = f"{method.upper()} {path}"
        if operation.get("security") == []:
            continue
        assert {"401", "429"} <= set(responses), where
        assert "Retry-After" in responses["429"]["headers"], where
        if operation["parameters"] or "requestBody" in operation:
            assert "400" in responses, where
        if any(p["in"] == "path" for p in operation["parameters"]):
            assert "404" in responses, where
        assert any(200 <= int(status) < 300 for status in responses), where


def test_each_face_describes_itself(live_server, document, face):
    assert document["servers"] == [{"url": f"{live_server.url}{face.prefix}"}]
    schemas = document["components"]["schemas"]
    assert schemas["Identifiers"]["prefixItems"][0]["pattern"] == f"^{face.id_prefix}:"
    assert schemas["Page"]["properties"]["per_page"]["maximum"] == face.max_per_page
    assert document["info"]["version"] == face.prefix.rsplit("/", 1)[-1]


def test_the_document_loads_in_schemathesis_and_every_reference_resolves(document):
    schema = schemathesis.openapi.from_dict(document)
    loaded = [result.ok() for result in schema.get_all_operations()]
    assert len(loaded) == sum(1 for _ in operations(document))

"""The OpenAPI 3.1 description of the API, built from one table of operations."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Operation:
    """One operation, as a resource module describes it next to its view (``describe``)."""

    path: str
    method: str
    summary: str
    parameters: list[dict[str, Any]] = field(default_factory=list)
    request: dict[str, Any] | None = None
    # status code -> the response body's JSON schema (None: no body)
    responses: dict[int, dict[str, Any] | None] = field(default_factory=dict)


REGISTERED: list[Operation] = []


def describe(
    path: str,
    method: str,
    summary: str,
    *,
    parameters: list[dict[str, Any]] | None = None,
    request: dict[str, Any] | None = None,
    responses: dict[int, dict[str, Any] | None] | None = None,
) -> None:
    """Add an operation to the OpenAPI document; call it at import, beside the view it describes."""
    REGISTERED.append(Operation(path, method.lower(), summary, list(parameters or []), request, dict(responses or {})))


_PAGING = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
    {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
]
_FILTER = {
    "name": "filter",
    "in": "query",
    "description": "OData-style: modified_date gt '2024-01-01', created_date lt '...', email_address eq '...'; "
    "join clauses with 'and'.",
    "schema": {"type": "string"},
}
_LOOKUP: list[dict[str, Any]] = [
    {"name": "where", "in": "query", "required": True, "schema": {"type": "string"},
     "description": "chapter:<slug> or state:<XX>"},
    {"name": "last_name", "in": "query", "schema": {"type": "string"}, "description": "Required unless voter_id"},
    {"name": "first_name", "in": "query", "schema": {"type": "string"}, "description": "How it starts"},
    {"name": "address", "in": "query", "schema": {"type": "string"}, "description": "Part of the street address"},
    {"name": "zip", "in": "query", "schema": {"type": "string", "pattern": "^[0-9]{1,5}$"}},
    {"name": "birth_year", "in": "query", "schema": {"type": "integer"}},
    {"name": "voter_id", "in": "query", "schema": {"type": "string"}, "description": "The state's voter id"},
]  # fmt: skip
_PERSON_ID = {
    "name": "uid", "in": "path", "required": True,
    "schema": {"type": "string", "pattern": "^[0-9a-f]{16}$"},
    "description": "The person's id, as in their identifier groundswell:<id>",
}  # fmt: skip

_PERSON_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "identifiers": {"type": "array", "items": {"type": "string"}},
        "given_name": {"type": "string"},
        "additional_name": {"type": "string"},
        "family_name": {"type": "string"},
        "email_addresses": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "address": {"type": "string", "format": "email"},
                    "primary": {"type": "boolean"},
                    "status": {"enum": ["subscribed", "unsubscribed"]},
                },
            },
        },
        "phone_numbers": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "number": {"type": "string", "description": "E.164"},
                    "primary": {"type": "boolean"},
                    "status": {"enum": ["subscribed", "unsubscribed"]},
                },
            },
        },
        "postal_addresses": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "address_lines": {"type": "array", "items": {"type": "string"}},
                    "locality": {"type": "string"},
                    "region": {"type": "string"},
                    "postal_code": {"type": "string"},
                    "country": {"type": "string"},
                },
            },
        },
        "created_date": {"type": "string", "format": "date-time"},
        "modified_date": {"type": "string", "format": "date-time"},
    },
}

_VOTER_UNIVERSE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["where"],
    "properties": {
        "where": {
            "type": "string",
            "description": "chapter:<slug> (the chapter's area) or state:<XX> (staff, coordinators)",
        },
        "name": {"type": "string", "description": "To save it"},
        "definition": {
            "type": "object",
            "description": "groundswell.voterfile.targeting.Universe as data: counties, precincts, districts "
            "{kind: [codes]}, parties, genders, statuses, age_min, age_max, registered_after, registered_before, "
            "history [{election_type, at_least, of_last} or {election_date, methods, party_ballot, voted}], "
            "exclude [universe], exclude_voter_ids",
        },
        "tags": {"type": "array", "items": {"type": "string"}, "description": "Only voters linked to people so tagged"},
        "exclude_tags": {"type": "array", "items": {"type": "string"}},
    },
}

# (path, method, summary, parameters, request schema ref or None)
OPERATIONS: list[tuple[str, str, str, list[dict[str, Any]], str | None]] = [
    ("/", "get", "API entry point with links to every collection", [], None),
    ("/people", "get", "People in the caller's scope (osdi:people)", [*_PAGING, _FILTER], None),
    ("/people/{uid}", "get", "One person", [_PERSON_ID], None),
    ("/people/{uid}", "put", "Update a person", [_PERSON_ID], "Person"),
    ("/people/{uid}/taggings", "get", "A person's tags", [_PERSON_ID], None),
    ("/people/signup", "post", "Person signup helper: create, or update the person matched by email or phone",
     [], "PersonSignup"),
    ("/tags", "get", "Tags on people in the caller's scope (osdi:tags)", _PAGING, None),
    ("/chapters", "get", "Public chapters (groundswell:chapters)", _PAGING, None),
    ("/universes", "get", "Saved voter universes in the caller's scope", [], None),
    ("/universes", "post", "Save a voter universe (where, name, definition, tags)", [], "VoterUniverse"),
    ("/universes/count", "post", "Count a universe in a place, by party and age band (audited)", [], "VoterUniverse"),
    ("/voter_lists", "get", "Frozen voter lists in the caller's scope (groundswell:voter_lists)", _PAGING, None),
    ("/voters/lookup", "get", "Look up voters by name in a place, at most 50 (audited)", _LOOKUP, None),
]  # fmt: skip


def openapi_document(server_url: str) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for path, method, summary, parameters, body in OPERATIONS:
        operation: dict[str, Any] = {
            "summary": summary,
            "parameters": parameters,
            "responses": {
                "200": {"description": "HAL+JSON resource"},
                "400": {"description": "Bad input; the body names the field"},
                "401": {"description": "No valid OSDI-API-Token"},
                "404": {"description": "Missing, or outside the caller's scope"},
            },
        }
        if body:
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{body}"}}},
            }
        paths.setdefault(path, {})[method] = operation
    for op in REGISTERED:
        described: dict[str, Any] = {
            "summary": op.summary,
            "parameters": op.parameters,
            "responses": {
                str(status): {"description": str(status), **({"content": {"application/json": {"schema": schema}}}
                                                           if schema is not None else {})}
                for status, schema in (op.responses or {200: None}).items()
            },
        }  # fmt: skip
        if op.request is not None:
            described["requestBody"] = {"required": True, "content": {"application/json": {"schema": op.request}}}
        paths.setdefault(op.path, {})[op.method] = described
    return {
        "openapi": "3.1.0",
        "info": {"title": "Groundswell API (OSDI 1.1)", "version": "1"},
        "servers": [{"url": server_url}],
        "security": [{"osdiToken": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"osdiToken": {"type": "apiKey", "in": "header", "name": "OSDI-API-Token"}},
            "schemas": {
                "Person": _PERSON_SCHEMA,
                "VoterUniverse": _VOTER_UNIVERSE_SCHEMA,
                "PersonSignup": {
                    "type": "object",
                    "required": ["person"],
                    "properties": {
                        "person": {"$ref": "#/components/schemas/Person"},
                        "add_tags": {"type": "array", "items": {"type": "string"}},
                        "groundswell:chapter": {"type": "string", "description": "Chapter slug to join"},
                    },
                },
            },
        },
    }

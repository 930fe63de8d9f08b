"""The OpenAPI 3.1 description of the API, one document per face, built from the operations each resource
module registers with ``describe`` beside its view.

Every response in the document has a content type and a schema: the resource's (``application/hal+json``
unless the operation says otherwise) for answers below 400, the error body (``application/json``, what
``groundswell.api.base.error`` sends) for the rest. The answers every endpoint can give are added to each
operation here, so that no resource module has to repeat them: 400 when it takes parameters or a body,
401 (no valid token), 404 when it has path parameters or reads something that may be out of the
caller's scope, 429 with ``Retry-After``. A 405 (with ``Allow``) answers any method the document does not
list for a path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from groundswell.api.base import ACTION_NETWORK, FACES, HAL, MAX_PAGE, OSDI, Face

JSON = "application/json"
Schema = dict[str, Any]


@dataclass(frozen=True)
class Operation:
    """One operation, as a resource module describes it next to its view (``describe``)."""

    path: str
    method: str
    summary: str
    parameters: list[dict[str, Any]] = field(default_factory=list)
    request: Schema | None = None
    # status code -> the response body's JSON schema (None: no body for a 2xx/3xx; the error body for 4xx)
    responses: dict[int, Schema | None] = field(default_factory=dict)
    # the media type of the answers below 400
    content_type: str = HAL
    # status code -> OpenAPI links (name -> {"operationId": ..., "parameters": {...}})
    links: dict[int, dict[str, Any]] = field(default_factory=dict)
    # status code -> response headers (name -> OpenAPI header object)
    headers: dict[int, dict[str, Any]] = field(default_factory=dict)
    # it may answer 404 without a path parameter (a place or a chapter outside the caller's scope)
    scoped: bool = False
    # answered without a token (the document itself)
    public: bool = False
    # the faces it is on (keys of groundswell.api.base.FACES)
    faces: tuple[str, ...] = tuple(FACES)
    request_example: Any = None


REGISTERED: list[Operation] = []


def describe(
    path: str,
    method: str,
    summary: str,
    *,
    parameters: list[dict[str, Any]] | None = None,
    request: Schema | None = None,
    responses: dict[int, Schema | None] | None = None,
    content_type: str = HAL,
    links: dict[int, dict[str, Any]] | None = None,
    headers: dict[int, dict[str, Any]] | None = None,
    scoped: bool = False,
    public: bool = False,
    faces: tuple[str, ...] = tuple(FACES),
    request_example: Any = None,
) -> None:
    """Add an operation to the OpenAPI document; call it at import, beside the view it describes.
    A later description of the same path and method replaces an earlier one."""
    REGISTERED.append(
        Operation(
            path, method.lower(), summary, list(parameters or []), request, dict(responses or {}), content_type,
            dict(links or {}), dict(headers or {}), scoped, public, tuple(faces), request_example,
        )
    )  # fmt: skip


# Shared shapes, in the document's components. Two of them differ by face ("Identifiers": the face's own
# identifier first; "Page": the face's largest page) and are built when the document is.
COMPONENTS: dict[str, Schema] = {}


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def component(name: str, schema: Schema) -> Schema:
    """Add a shared shape to the document's components; returns a reference to it."""
    COMPONENTS[name] = schema
    return ref(name)


def nullable(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}]}


def page_of(rel: str, item: Schema) -> Schema:
    """A HAL collection page (``groundswell.api.base.collection``) whose ``_embedded[rel]`` holds ``item``s."""
    embedded = {"type": "object", "required": [rel], "properties": {rel: {"type": "array", "items": item}}}
    return {
        "allOf": [ref("Page"), {"type": "object", "required": ["_embedded"], "properties": {"_embedded": embedded}}]
    }


def path_parameter(name: str, description: str, converter: str = "slug", pattern: str | None = None) -> dict[str, Any]:
    """A path parameter as the URL converter accepts it (``slug``, ``int``, ``str``), or narrower (``pattern``)."""
    schema: Schema
    if converter == "int":
        schema = {"type": "integer", "minimum": 0, "maximum": 2**63 - 1}
    else:
        schema = {"type": "string", "pattern": pattern or CONVERTER_PATTERNS[converter]}
    return {"name": name, "in": "path", "required": True, "schema": schema, "description": description}


# Django's path converters (django.urls.converters), anchored.
CONVERTER_PATTERNS = {"slug": "^[-a-zA-Z0-9_]+$", "str": "^[^/]+$", "int": "^[0-9]+$"}

STRING = {"type": "string"}
STRINGS = {"type": "array", "items": STRING}
COUNT = {"type": "integer", "minimum": 0}
LINK = component(
    "Link",
    {"type": "object", "required": ["href"], "properties": {"href": STRING, "templated": {"type": "boolean"},
                                                             "name": STRING, "title": STRING}},
)  # fmt: skip
LINKS = component(
    "Links",
    {
        "type": "object",
        "description": "HAL links: rel -> a link, or a list of links (curies, a page's items)",
        "additionalProperties": {"anyOf": [LINK, {"type": "array", "items": LINK}]},
    },
)
ERROR = component(
    "Error",
    {
        "type": "object",
        "required": ["request_type", "error"],
        "properties": {
            "request_type": {"const": "error"},
            "error": {"type": "string", "description": "What is wrong, for a person to read"},
            "field": {"type": "string", "description": "The parameter or body field that is wrong (on a 400)"},
        },
    },
)
IDENTIFIERS = ref("Identifiers")

_EMAIL = {
    "type": "object",
    "properties": {
        "address": STRING,
        "primary": {"type": "boolean"},
        "status": {"enum": ["subscribed", "unsubscribed"]},
    },
}
_PHONE = {
    "type": "object",
    "properties": {
        "number": {"type": "string", "description": "E.164"},
        "primary": {"type": "boolean"},
        "number_type": STRING,
        "sms_capable": {"type": "boolean"},
        "status": {"enum": ["subscribed", "unsubscribed"]},
    },
}
_ADDRESS = {
    "type": "object",
    "properties": {
        "primary": {"type": "boolean"},
        "address_lines": STRINGS,
        "locality": STRING,
        "region": STRING,
        "postal_code": STRING,
        "country": STRING,
    },
}
PERSON = component(
    "Person",
    {
        "type": "object",
        "description": "An OSDI person: the caller's own view of them (only the facts that reached their scope)",
        "required": ["identifiers", "email_addresses", "phone_numbers", "postal_addresses", "_links"],
        "properties": {
            "identifiers": IDENTIFIERS,
            "given_name": STRING,
            "additional_name": STRING,
            "family_name": STRING,
            "honorific_suffix": STRING,
            "birthdate": nullable({"type": "object", "properties": {"year": {"type": "integer"}}}),
            "email_addresses": {"type": "array", "items": _EMAIL},
            "phone_numbers": {"type": "array", "items": _PHONE},
            "postal_addresses": {"type": "array", "items": _ADDRESS},
            "custom_fields": {"type": "object"},
            "groundswell:tags": STRINGS,
            "created_date": nullable({"type": "string", "format": "date-time"}),
            "modified_date": nullable({"type": "string", "format": "date-time"}),
            "_links": LINKS,
        },
    },
)
PERSON_INPUT = component(
    "PersonInput",
    {
        "type": "object",
        "description": "An OSDI person as sent: it needs a name, an email address or a phone number",
        "properties": {
            "given_name": {"type": "string", "maxLength": 80},
            "additional_name": {"type": "string", "maxLength": 80},
            "family_name": {"type": "string", "maxLength": 80},
            "honorific_suffix": {"type": "string", "maxLength": 16},
            "email_addresses": {"type": "array", "items": {**_EMAIL, "required": ["address"]}},
            "phone_numbers": {"type": "array", "items": {**_PHONE, "required": ["number"]}},
            "postal_addresses": {"type": "array", "items": _ADDRESS},
        },
    },
)
PERSON_SIGNUP = component(
    "PersonSignup",
    {
        "type": "object",
        "required": ["person"],
        "properties": {
            "person": PERSON_INPUT,
            "add_tags": {"type": "array", "items": {"type": "string", "minLength": 1}},
            "groundswell:chapter": {"type": "string", "description": "The slug of a chapter you lead, to join"},
        },
    },
)
TAG = component(
    "Tag",
    {"type": "object", "required": ["name", "identifiers", "_links"],
     "properties": {"name": STRING, "identifiers": IDENTIFIERS, "_links": LINKS}},
)  # fmt: skip
TAGGINGS = component(
    "PersonTaggings",
    {
        "type": "object",
        "required": ["total_records", "_embedded", "_links"],
        "properties": {
            "total_records": COUNT,
            "_links": LINKS,
            "_embedded": {
                "type": "object",
                "required": ["osdi:taggings"],
                "properties": {
                    "osdi:taggings": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["_links"],
                            "properties": {"tag": STRING, "_links": LINKS},
                        },
                    }
                },
            },
        },
    },
)
CHAPTER = component(
    "Chapter",
    {
        "type": "object",
        "required": ["identifiers", "name", "_links"],
        "properties": {
            "identifiers": IDENTIFIERS,
            "name": STRING,
            "status": STRING,
            "country": STRING,
            "state": STRING,
            "browser_url": STRING,
            "_links": LINKS,
        },
    },
)
ENTRY_POINT = component(
    "EntryPoint",
    {
        "type": "object",
        "required": ["osdi_version", "max_pagesize", "_links"],
        "properties": {
            "motd": STRING,
            "vendor_name": STRING,
            "product_name": STRING,
            "osdi_version": STRING,
            "max_pagesize": {"type": "integer", "minimum": 1},
            "_links": LINKS,
        },
    },
)
_UNIVERSE_DEFINITION = {
    "type": "object",
    "description": "groundswell.voterfile.targeting.Universe as data: counties, precincts, districts "
    "{kind: [codes]}, parties, genders, statuses, age_min, age_max, registered_after, registered_before, "
    "history [{election_type, at_least, of_last} or {election_date, methods, party_ballot, voted}], "
    "exclude [universe], exclude_voter_ids",
}
_WHERE = {"type": "string", "description": "chapter:<slug> (the chapter's area) or state:<XX> (staff, coordinators)"}
VOTER_UNIVERSE_INPUT = component(
    "VoterUniverseInput",
    {
        "type": "object",
        "required": ["where"],
        "properties": {
            "where": _WHERE,
            "name": {"type": "string", "description": "To save it"},
            "definition": _UNIVERSE_DEFINITION,
            "tags": {"type": "array", "items": STRING, "description": "Only voters linked to people so tagged"},
            "exclude_tags": {"type": "array", "items": STRING},
        },
    },
)
VOTER_UNIVERSE = component(
    "VoterUniverse",
    {
        "type": "object",
        "required": ["id", "name", "state", "chapter", "definition", "tags", "exclude_tags", "updated_at"],
        "properties": {
            "id": {"type": "integer"},
            "name": STRING,
            "state": STRING,
            "chapter": nullable(STRING),
            "definition": {"type": "object"},
            "tags": STRINGS,
            "exclude_tags": STRINGS,
            "updated_at": {"type": "string", "format": "date-time"},
        },
    },
)
VOTER_UNIVERSES = component(
    "VoterUniverses",
    {
        "type": "object",
        "required": ["total_records", "universes"],
        "properties": {"total_records": COUNT, "universes": {"type": "array", "items": VOTER_UNIVERSE}},
    },
)
VOTER_COUNT = component(
    "VoterCount",
    {
        "type": "object",
        "required": ["where", "count", "by_party", "by_age"],
        "properties": {
            "where": STRING,
            "count": COUNT,
            "by_party": {"type": "object", "additionalProperties": COUNT},
            "by_age": {"type": "object", "additionalProperties": COUNT},
        },
    },
)
VOTER_LIST = component(
    "VoterList",
    {
        "type": "object",
        "description": "A frozen voter list (its voters are exported from the list's page, audited)",
        "properties": {
            "identifiers": IDENTIFIERS,
            "name": STRING,
            "state": STRING,
            "chapter": nullable(STRING),
            "voter_count": COUNT,
            "frozen_at": {"type": "string", "format": "date-time"},
            "definition": {"type": "object"},
            "_links": LINKS,
        },
    },
)
VOTER_LOOKUP = component(
    "VoterLookup",
    {
        "type": "object",
        "required": ["where", "total_records", "more", "voters"],
        "properties": {
            "where": STRING,
            "total_records": COUNT,
            "more": {"type": "boolean", "description": "There were more than these"},
            "voters": {"type": "array", "items": {"type": "object"}},
        },
    },
)

PAGING = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
     "description": "From 1; a page past the last is empty"},
    {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 10**6},
     "description": f"At most {OSDI.max_per_page} on {OSDI.prefix} and {ACTION_NETWORK.max_per_page} on "
                    f"{ACTION_NETWORK.prefix}; more is read as that"},
]  # fmt: skip
FILTER = {
    "name": "filter",
    "in": "query",
    "description": "OData-style: modified_date gt '2024-01-01', created_date lt '...', email_address eq '...'; "
    "join clauses with 'and'.",
    "schema": {"type": "string"},
}
_LOOKUP: list[dict[str, Any]] = [
    {"name": "where", "in": "query", "required": True, "schema": _WHERE},
    {"name": "last_name", "in": "query", "schema": STRING, "description": "Required unless voter_id"},
    {"name": "first_name", "in": "query", "schema": STRING, "description": "How it starts"},
    {"name": "address", "in": "query", "schema": STRING, "description": "Part of the street address"},
    {"name": "zip", "in": "query", "schema": {"type": "string", "pattern": "^[0-9]{1,5}$"}},
    {"name": "birth_year", "in": "query", "schema": {"type": "integer"}},
    {"name": "voter_id", "in": "query", "schema": STRING, "description": "The state's voter id"},
]  # fmt: skip
PERSON_ID = path_parameter("uid", "The person's id, as in their identifier groundswell:<id>", pattern="^[0-9a-f]{16}$")

# The operations of groundswell/api/views.py and groundswell/voters/api.py (resource modules that
# describe their own operations at import replace these).
describe("/openapi.json", "get", "This document", responses={200: {"type": "object"}}, content_type=JSON, public=True)
describe("/", "get", "API entry point with links to every collection", responses={200: ENTRY_POINT})
describe(
    "/people",
    "get",
    "People in the caller's scope (osdi:people)",
    parameters=[*PAGING, FILTER],
    responses={200: page_of("osdi:people", PERSON)},
)
describe("/people/{uid}", "get", "One person", parameters=[PERSON_ID], responses={200: PERSON})
describe(
    "/people/{uid}",
    "put",
    "Add to the caller's view of a person",
    parameters=[PERSON_ID],
    request=PERSON_INPUT,
    responses={200: PERSON},
    request_example={"given_name": "Benjamin"},
)
describe("/people/{uid}/taggings", "get", "A person's tags", parameters=[PERSON_ID], responses={200: TAGGINGS})
describe(
    "/people/signup",
    "post",
    "Person signup helper: create, or add to the person matched by email",
    request=PERSON_SIGNUP,
    responses={200: PERSON},
    scoped=True,
    request_example={
        "person": {
            "given_name": "Rosa",
            "family_name": "Parks",
            "email_addresses": [{"address": "rosa@example.org", "status": "subscribed"}],
        },
        "add_tags": ["volunteer-lead"],
    },
)
describe(
    "/tags",
    "get",
    "Tags on people in the caller's scope (osdi:tags)",
    parameters=PAGING,
    responses={200: page_of("osdi:tags", TAG)},
)
describe(
    "/chapters",
    "get",
    "Public chapters (groundswell:chapters)",
    parameters=PAGING,
    responses={200: page_of("groundswell:chapters", CHAPTER)},
)
describe(
    "/universes",
    "get",
    "Saved voter universes in the caller's scope",
    responses={200: VOTER_UNIVERSES},
    content_type=JSON,
    scoped=True,
)
describe(
    "/universes",
    "post",
    "Save a voter universe (where, name, definition, tags)",
    request=VOTER_UNIVERSE_INPUT,
    responses={201: VOTER_UNIVERSE},
    content_type=JSON,
    scoped=True,
    request_example={
        "where": "chapter:pittsburgh",
        "name": "Young Dems",
        "definition": {"parties": ["DEM"], "age_max": 35},
    },
)
describe(
    "/universes/count",
    "post",
    "Count a universe in a place, by party and age band (audited)",
    request=VOTER_UNIVERSE_INPUT,
    responses={200: VOTER_COUNT},
    content_type=JSON,
    scoped=True,
    request_example={"where": "chapter:pittsburgh", "definition": {"parties": ["REP"]}},
)
describe(
    "/voter_lists",
    "get",
    "Frozen voter lists in the caller's scope (groundswell:voter_lists)",
    parameters=PAGING,
    responses={200: page_of("groundswell:voter_lists", VOTER_LIST)},
    scoped=True,
)
describe(
    "/voters/lookup",
    "get",
    "Look up voters by name in a place, at most 50 (audited)",
    parameters=_LOOKUP,
    responses={200: VOTER_LOOKUP},
    content_type=JSON,
    scoped=True,
)

_DESCRIPTIONS = {
    200: "OK", 201: "Created", 202: "Accepted", 204: "No content", 400: "Bad input; the body names the field",
    401: "No valid OSDI-API-Token", 403: "Forbidden", 404: "Missing, or outside the caller's scope",
    405: "Method not allowed", 409: "Conflict", 422: "Unprocessable",
    429: "Too many requests; wait Retry-After seconds",
}  # fmt: skip
RETRY_AFTER = {
    "Retry-After": {"description": "Seconds to wait", "required": True, "schema": {"type": "integer", "minimum": 0}}
}


def operation_id(method: str, path: str) -> str:
    """``get /people/{uid}/taggings`` -> ``get_people_uid_taggings``: what OpenAPI links name."""
    words = re.findall(r"[A-Za-z0-9]+", path)
    return "_".join([method, *words]) if words else f"{method}_root"


def _response(op: Operation, status: int, schema: Schema | None) -> dict[str, Any]:
    answer: dict[str, Any] = {"description": _DESCRIPTIONS.get(status, str(status))}
    if status >= 400:
        answer["content"] = {JSON: {"schema": schema or ERROR}}
    elif schema is not None:
        answer["content"] = {op.content_type: {"schema": schema}}
    headers = {
        **op.headers.get(status, {}),
        **(RETRY_AFTER if status == 429 else {}),
        **(REPLAYED if _idempotent(op) and status < 300 else {}),
    }
    if headers:
        answer["headers"] = headers
    if op.links.get(status):
        answer["links"] = op.links[status]
    return answer


IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Send the same key again with the same request to get the first answer again (kept a day), "
    "not a second write; the same key with another request is a 422",
    "schema": {
        "type": "string",
        "minLength": 1,
        "maxLength": 255,
        "pattern": "^[\\x21-\\x7e]([\\x20-\\x7e]*[\\x21-\\x7e])?$",
    },
}
REPLAYED = {
    "Idempotent-Replayed": {
        "description": "true when this is the stored answer to an earlier request with the same Idempotency-Key",
        "schema": {"type": "string", "enum": ["true"]},
    }
}


def _idempotent(op: Operation) -> bool:
    """Every POST with a token takes an Idempotency-Key (groundswell.api.idempotency)."""
    return op.method == "post" and not op.public


def _statuses(op: Operation) -> dict[int, Schema | None]:
    """The operation's own answers, and those every endpoint may give (groundswell.api.base)."""
    statuses = dict(op.responses or {200: None})
    # 409: a request with the same Idempotency-Key is still being answered; 422: it was another request
    common = [409, 422] if _idempotent(op) else []
    if op.parameters or op.request is not None:
        common.append(400)
    if not op.public:
        common += [401, 429]
    if op.scoped or any(p.get("in") == "path" for p in op.parameters):
        common.append(404)
    for status in common:
        statuses.setdefault(status, None)
    return dict(sorted(statuses.items()))


def route_converters() -> dict[str, dict[str, str]]:
    """OpenAPI path -> {parameter: Django converter name}, read from the API's URL patterns, so that the
    document's path parameters say what the server's converters accept."""
    from django.urls import URLPattern

    from groundswell.api import urls  # the patterns import the views, which import this module

    routes: dict[str, dict[str, str]] = {}
    for pattern in urls.urlpatterns:
        if isinstance(pattern, URLPattern) and pattern.name != "not-found":
            route = str(pattern.pattern)
            found = _ROUTE_PARAMETER.findall(route)
            routes["/" + _ROUTE_PARAMETER.sub(r"{\2}", route)] = {name: kind or "str" for kind, name in found}
    return routes


_ROUTE_PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")


def _path_parameters(op: Operation, converters: dict[str, str]) -> list[dict[str, Any]]:
    """The operation's parameters, each path parameter as its converter reads it: an ``int`` an integer
    from 0 to the largest a database id can be, a ``slug``/``str`` a string of the converter's pattern
    (or the narrower pattern the operation gives); a parameter the operation forgot is added."""
    parameters = []
    declared = set()
    for parameter in op.parameters:
        if parameter.get("in") == "path" and parameter.get("name") in converters:
            declared.add(parameter["name"])
            parameter = {**parameter, "required": True, "schema": _converted(parameter, converters[parameter["name"]])}
        parameters.append(parameter)
    for name, converter in converters.items():
        if name not in declared:
            parameters.append(path_parameter(name, name, converter if converter in CONVERTER_PATTERNS else "str"))
    return parameters


def _converted(parameter: dict[str, Any], converter: str) -> Schema:
    schema = dict(parameter.get("schema") or {})
    if converter == "int":
        schema["type"] = "integer"
        schema["minimum"] = max(int(schema.get("minimum", 0)), 0)
        schema["maximum"] = min(int(schema.get("maximum", 2**63 - 1)), 2**63 - 1)
        schema.pop("pattern", None)
    else:
        schema["type"] = "string"
        schema.setdefault("pattern", CONVERTER_PATTERNS.get(converter, CONVERTER_PATTERNS["str"]))
    return schema


def _operation(op: Operation, converters: dict[str, str]) -> dict[str, Any]:
    parameters = _path_parameters(op, converters)
    if _idempotent(op) and not any(p.get("name", "").lower() == "idempotency-key" for p in parameters):
        parameters.append(IDEMPOTENCY_KEY)
    op = replace(op, parameters=parameters)
    described: dict[str, Any] = {
        "operationId": operation_id(op.method, op.path),
        "summary": op.summary,
        "parameters": op.parameters,
        "responses": {str(status): _response(op, status, schema) for status, schema in _statuses(op).items()},
    }
    if op.public:
        described["security"] = []
    if op.request is not None:
        media: dict[str, Any] = {"schema": op.request}
        if op.request_example is not None:
            media["example"] = op.request_example
        described["requestBody"] = {"required": True, "content": {JSON: media}}
    return described


def _face_components(face: Face) -> dict[str, Schema]:
    identifiers = {
        "type": "array",
        "description": f"{face.id_prefix}:<id> first, then the same id under the other faces' prefixes",
        "minItems": 1,
        "prefixItems": [{"type": "string", "pattern": f"^{face.id_prefix}:"}],
        "items": STRING,
    }
    page = {
        "type": "object",
        "description": "One page of a HAL collection; a page past the last is empty, with the same keys",
        "required": ["total_pages", "per_page", "page", "total_records", "_links", "_embedded"],
        "properties": {
            "total_pages": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": face.max_per_page},
            "page": {"type": "integer", "minimum": 1},
            "total_records": COUNT,
            "_links": {"allOf": [LINKS, {"type": "object", "required": ["self"]}]},
            "_embedded": {"type": "object"},
        },
    }
    return {"Identifiers": identifiers, "Page": page}


def face_of_url(server_url: str) -> Face:
    return next((face for face in FACES.values() if server_url.rstrip("/").endswith(face.prefix)), OSDI)


def openapi_document(server_url: str, face: Face | None = None) -> dict[str, Any]:
    """The document of one face; its server is the face's root (``server_url``, e.g. https://host/api/v2)."""
    face = face or face_of_url(server_url)
    operations = {(op.path, op.method): op for op in REGISTERED if face.key in op.faces}
    routes = route_converters()
    paths: dict[str, Any] = {}
    for (path, method), op in operations.items():
        paths.setdefault(path, {})[method] = _operation(op, routes.get(path, {}))
    title = "OSDI 1.1" if face is OSDI else "Action Network-compatible"
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"Groundswell API ({title})",
            "version": face.prefix.rsplit("/", 1)[-1],
            "description": f"Identifiers {face.id_prefix}:<id> first; at most {face.max_per_page} per page.",
        },
        "servers": [{"url": server_url.rstrip("/")}],
        "security": [{"osdiToken": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"osdiToken": {"type": "apiKey", "in": "header", "name": "OSDI-API-Token"}},
            "schemas": {**COMPONENTS, **_face_components(face)},
        },
    }

"""JSON schemas of the people, tags and taggings resources, for the OpenAPI document (``describe``)."""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

_STRINGS: Schema = {"type": "array", "items": {"type": "string"}}
_DATE: Schema = {"type": "string", "format": "date-time"}
_LINK: Schema = {"type": "object", "properties": {"href": {"type": "string"}}, "required": ["href"]}
_LINKS: Schema = {"type": "object", "properties": {"self": _LINK}, "additionalProperties": True}
_TEXT_OR_NULL: Schema = {"type": ["string", "null"]}

ERROR: Schema = {
    "type": "object",
    "required": ["request_type", "error"],
    "properties": {
        "request_type": {"const": "error"},
        "error": {"type": "string"},
        "field": {"type": "string", "description": "The parameter or field that is wrong"},
    },
}
NOTICE: Schema = {"type": "object", "required": ["notice"], "properties": {"notice": {"type": "string"}}}

PAGING: list[Schema] = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1_000_000}},
    {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1},
     "description": "At most 100 on the OSDI face, 25 on Action Network's; more is read as the most"},
]  # fmt: skip
PERSON_FILTER: Schema = {
    "name": "filter", "in": "query", "schema": {"type": "string"},
    "description": "OData-style: created_date, modified_date, email_address, phone_number, given_name, "
    "family_name compared with eq, ne, gt, ge, lt, le; joined with and, or and parentheses. A date alone "
    "is a whole day in the organization's time zone, e.g. modified_date ge '2026-12-01' and "
    "(given_name eq 'Maria' or family_name eq 'Alvarez')",
}  # fmt: skip
TOMBSTONE_FILTER: Schema = {
    "name": "filter", "in": "query", "schema": {"type": "string"},
    "description": "created_date or modified_date (both when it happened) compared with eq, ne, gt, ge, lt, "
    "le, joined with and, or and parentheses, e.g. modified_date gt '2026-12-01'",
}  # fmt: skip
PERSON_ID: Schema = {
    "name": "uid", "in": "path", "required": True, "schema": {"type": "string"},
    "description": "The person's id, as in their identifiers groundswell:<id> and action_network:<id>",
}  # fmt: skip
TAG_ID: Schema = {"name": "tag_id", "in": "path", "required": True, "schema": {"type": "integer"}}
TAGGING_ID: Schema = {"name": "tagging_id", "in": "path", "required": True, "schema": {"type": "integer"}}

_EMAIL: Schema = {
    "type": "object",
    "properties": {
        "address": {"type": "string"},
        "primary": {"type": "boolean"},
        "status": {"type": "string", "description": "subscribed or unsubscribed"},
    },
}
_PHONE: Schema = {
    "type": "object",
    "properties": {
        "number": {"type": "string"},
        "primary": {"type": "boolean"},
        "number_type": {"type": "string"},
        "sms_capable": {"type": "boolean"},
        "status": {"type": "string"},
    },
}
_ADDRESS: Schema = {
    "type": "object",
    "properties": {
        "primary": {"type": "boolean"},
        "address_lines": _STRINGS,
        "locality": {"type": "string"},
        "region": {"type": "string", "description": "Two-letter state code"},
        "postal_code": {"type": "string"},
        "country": {"type": "string"},
    },
}
CUSTOM_FIELDS: Schema = {
    "type": "object",
    "description": "Names of 1 to 64 characters; values strings of at most 1,000 characters (null clears)",
    "propertyNames": {"minLength": 1, "maxLength": 64},
    "additionalProperties": {"type": ["string", "null"], "maxLength": 1000},
    "maxProperties": 100,
}

PERSON: Schema = {
    "type": "object",
    "required": ["identifiers", "email_addresses", "phone_numbers", "custom_fields", "_links"],
    "properties": {
        "identifiers": _STRINGS,
        "given_name": {"type": "string"},
        "additional_name": {"type": "string"},
        "family_name": {"type": "string"},
        "honorific_suffix": {"type": "string"},
        "birthdate": {"type": ["object", "null"], "properties": {"year": {"type": "integer"}}},
        "email_addresses": {"type": "array", "items": _EMAIL},
        "phone_numbers": {"type": "array", "items": _PHONE},
        "postal_addresses": {"type": "array", "items": _ADDRESS},
        "custom_fields": {"type": "object", "additionalProperties": {"type": "string"}},
        "groundswell:tags": _STRINGS,
        "created_date": {"type": ["string", "null"], "format": "date-time"},
        "modified_date": {"type": ["string", "null"], "format": "date-time"},
        "_links": _LINKS,
    },
}
PERSON_WRITE: Schema = {
    "type": "object",
    "description": "Fields left out stay as they were; null clears the caller's value of a field",
    "properties": {
        "given_name": _TEXT_OR_NULL,
        "additional_name": _TEXT_OR_NULL,
        "family_name": _TEXT_OR_NULL,
        "honorific_suffix": _TEXT_OR_NULL,
        "birthdate": {"type": ["object", "null"], "properties": {"year": {"type": "integer"}}},
        "email_addresses": {"type": ["array", "null"], "items": _EMAIL},
        "phone_numbers": {"type": ["array", "null"], "items": _PHONE},
        "postal_addresses": {"type": ["array", "null"], "items": _ADDRESS},
        "custom_fields": {**CUSTOM_FIELDS, "type": ["object", "null"]},
    },
}
SIGNUP: Schema = {
    "type": "object",
    "required": ["person"],
    "properties": {
        "person": {**PERSON_WRITE, "description": "Needs a name, an email address or a phone number"},
        "add_tags": _STRINGS,
        "remove_tags": _STRINGS,
        "groundswell:chapter": {"type": "string", "description": "Slug of a chapter the caller manages"},
    },
}
TAG: Schema = {
    "type": "object",
    "required": ["identifiers", "name", "_links"],
    "properties": {"identifiers": _STRINGS, "name": {"type": "string"}, "_links": _LINKS},
}
TAG_WRITE: Schema = {
    "type": "object",
    "required": ["name"],
    "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 60}},
}
TAGGING: Schema = {
    "type": "object",
    "required": ["identifiers", "created_date", "_links"],
    "properties": {
        "identifiers": _STRINGS,
        "item_type": {"const": "osdi:person"},
        "groundswell:tag": {"type": "string"},
        "created_date": _DATE,
        "modified_date": _DATE,
        "_links": {
            "type": "object",
            "required": ["self", "osdi:tag", "osdi:person"],
            "properties": {"self": _LINK, "osdi:tag": _LINK, "osdi:person": _LINK},
        },
    },
}
TAGGING_WRITE: Schema = {
    "type": "object",
    "description": "The person to tag: _links.osdi:person.href (a link to them), or person.identifiers",
    "properties": {
        "_links": {"type": "object", "properties": {"osdi:person": _LINK}},
        "person": {"type": "object", "properties": {"identifiers": _STRINGS}},
    },
}
TOMBSTONE: Schema = {
    "type": "object",
    "required": ["identifiers", "groundswell:what", "created_date", "_links"],
    "properties": {
        "identifiers": _STRINGS,
        "groundswell:what": {"enum": ["deleted", "merged"]},
        "groundswell:survivor_identifiers": _STRINGS,
        "created_date": _DATE,
        "modified_date": _DATE,
        "_links": _LINKS,
    },
}


def COLLECTION(rel: str, item: Schema) -> Schema:  # reads as the schema constant it makes
    """A HAL page of ``item``s under ``_embedded[rel]``."""
    return {
        "type": "object",
        "required": ["total_pages", "per_page", "page", "total_records", "_links", "_embedded"],
        "properties": {
            "total_pages": {"type": "integer"},
            "per_page": {"type": "integer"},
            "page": {"type": "integer"},
            "total_records": {"type": "integer"},
            "_links": _LINKS,
            "_embedded": {"type": "object", "properties": {rel: {"type": "array", "items": item}}, "required": [rel]},
        },
    }

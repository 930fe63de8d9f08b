"""Webhook subscriptions over the API: list, make, read, delete, the delivery log, replay.

A subscription made through the API acts with the token owner's scope, like the token itself.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from groundswell.api.base import CURIES, ApiInputError, advertise, api_endpoint, call_of, collection, error, hal
from groundswell.api.base import read_object as read_request_object
from groundswell.api.openapi import (
    ERROR,
    IDENTIFIERS,
    LINKS,
    PAGING,
    Schema,
    component,
    describe,
    nullable,
    page_of,
    path_parameter,
)
from groundswell.core.models import User
from groundswell.webhooks import actions, selectors
from groundswell.webhooks.events import EVENT_TYPES
from groundswell.webhooks.models import Delivery, Subscription

advertise("groundswell:webhooks", "webhooks")

REL = "groundswell:webhooks"
DELIVERIES_REL = "groundswell:deliveries"


def _subscription_resource(subscription: Subscription, base: str, call_identifiers: list[str]) -> dict[str, Any]:
    href = f"{base}/webhooks/{subscription.pk}"
    return {
        "identifiers": call_identifiers,
        "url": subscription.url,
        "description": subscription.description,
        "event_types": list(subscription.event_types),
        "status": subscription.status,
        "pause_reason": subscription.pause_reason,
        "consecutive_failures": subscription.consecutive_failures,
        "created_date": subscription.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "_links": {"self": {"href": href}, DELIVERIES_REL: {"href": f"{href}/deliveries"}, "curies": CURIES},
    }


def _delivery_resource(delivery: Delivery, base: str) -> dict[str, Any]:
    href = f"{base}/webhooks/{delivery.subscription_id}/deliveries/{delivery.pk}"
    return {
        "id": delivery.pk,
        "event_type": delivery.event_type,
        "event_id": delivery.event_id,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "next_attempt_date": delivery.next_attempt_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        if delivery.next_attempt_at
        else None,
        "last_response_status": delivery.last_response_status,
        "response_ms": delivery.response_ms,
        "last_error": delivery.last_error,
        "created_date": delivery.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "_links": {"self": {"href": href}, "replay": {"href": f"{href}/replay"}},
    }


def _render(request: HttpRequest, subscription: Subscription) -> dict[str, Any]:
    call = call_of(request)
    return _subscription_resource(subscription, call.base, call.identifiers(subscription.pk))


@api_endpoint("GET", "POST")
def webhooks_collection(request: HttpRequest, user: User) -> HttpResponse:
    if request.method == "POST":
        return _create(request, user)
    rows = selectors.subscriptions_visible_to(user).order_by("created_at", "id")
    return collection(request, REL, rows, lambda subscription: _render(request, subscription))


def _create(request: HttpRequest, user: User) -> HttpResponse:
    body = read_request_object(request)
    url, event_types, description = body.get("url"), body.get("event_types"), body.get("description", "")
    if not isinstance(url, str):
        raise ApiInputError("url", "is required: the URL to POST events to")
    if not isinstance(event_types, list) or not all(isinstance(name, str) for name in event_types):
        raise ApiInputError("event_types", f"must be a list of event types: {', '.join(sorted(EVENT_TYPES))}")
    if not isinstance(description, str):
        raise ApiInputError("description", "must be a string")
    try:
        subscription, secret = actions.do_create_subscription(
            url=url, event_types=event_types, description=description, actor=user
        )
    except actions.SubscriptionInputError as exc:
        raise ApiInputError(exc.field, exc.reason) from None
    except PermissionDenied:
        return error(404, "Not found.")
    response = hal({**_render(request, subscription), "secret": secret}, status=201)
    # The secret is shown this once: neither caches nor the idempotency store may keep it.
    response["Cache-Control"] = "no-store"
    return response


@api_endpoint("GET", "DELETE")
def webhook_item(request: HttpRequest, user: User, subscription_id: int) -> HttpResponse:
    subscription = selectors.get_subscription(user, subscription_id)
    if request.method == "DELETE":
        actions.do_delete_subscription(subscription, actor=user)
        return HttpResponse(status=204)
    return hal(_render(request, subscription))


@api_endpoint("GET")
def webhook_deliveries(request: HttpRequest, user: User, subscription_id: int) -> HttpResponse:
    subscription = selectors.get_subscription(user, subscription_id)
    base = call_of(request).base
    return collection(
        request, DELIVERIES_REL, selectors.deliveries_of(subscription), lambda d: _delivery_resource(d, base)
    )


@api_endpoint("POST")
def webhook_delivery_replay(request: HttpRequest, user: User, subscription_id: int, delivery_id: int) -> HttpResponse:
    subscription = selectors.get_subscription(user, subscription_id)
    delivery = selectors.get_delivery(subscription, delivery_id)
    try:
        actions.do_replay_delivery(delivery, actor=user)
    except actions.ReplayRefused as exc:
        return error(409, str(exc))
    return hal(_delivery_resource(delivery, call_of(request).base), status=202)


# ---- the OpenAPI description ---------------------------------------------------------------------

_DATE: Schema = {"type": "string", "format": "date-time"}
_EVENT_TYPES: Schema = {"type": "array", "items": {"enum": sorted(EVENT_TYPES)}, "minItems": 1, "uniqueItems": True}
_SUBSCRIPTION_PROPERTIES: Schema = {
    "identifiers": IDENTIFIERS,
    "url": {"type": "string", "description": "Where each event is POSTed (http or https)"},
    "description": {"type": "string"},
    "event_types": {"type": "array", "items": {"type": "string"}},
    "status": {"enum": ["active", "paused"]},
    "pause_reason": {"type": "string", "description": "Why it is paused (after many failures in a row, or by whom)"},
    "consecutive_failures": {"type": "integer", "minimum": 0},
    "created_date": _DATE,
    "_links": LINKS,
}
_REQUIRED = ["identifiers", "url", "event_types", "status", "_links"]
SUBSCRIPTION = component(
    "WebhookSubscription", {"type": "object", "required": _REQUIRED, "properties": _SUBSCRIPTION_PROPERTIES}
)
NEW_SUBSCRIPTION = component(
    "NewWebhookSubscription",
    {
        "type": "object",
        "required": [*_REQUIRED, "secret"],
        "properties": {
            **_SUBSCRIPTION_PROPERTIES,
            "secret": {"type": "string", "description": "Signs every delivery; shown this once, never again"},
        },
    },
)
DELIVERY = component(
    "WebhookDelivery",
    {
        "type": "object",
        "required": ["id", "event_type", "event_id", "status", "attempts", "_links"],
        "properties": {
            "id": {"type": "integer", "description": "Sent as Groundswell-Delivery on each attempt"},
            "event_type": {"type": "string"},
            "event_id": {"type": "string"},
            "status": {"enum": ["pending", "retrying", "succeeded", "failed"]},
            "attempts": {"type": "integer", "minimum": 0},
            "next_attempt_date": nullable(_DATE),
            "last_response_status": nullable({"type": "integer"}),
            "response_ms": nullable({"type": "integer", "minimum": 0}),
            "last_error": {"type": "string"},
            "created_date": _DATE,
            "_links": LINKS,
        },
    },
)
_NEW: Schema = {
    "type": "object",
    "required": ["url", "event_types"],
    "properties": {
        "url": {"type": "string", "pattern": "^https?://[^/?#]+", "maxLength": 500},
        "event_types": _EVENT_TYPES,
        "description": {"type": "string", "maxLength": 120},
    },
}
_ID = [path_parameter("subscription_id", "The webhook subscription's id", "int")]
_DELIVERY_ID = [*_ID, path_parameter("delivery_id", "The delivery's id (its Groundswell-Delivery header)", "int")]

describe("/webhooks", "GET", "Webhook subscriptions the caller may see (groundswell:webhooks)",
         parameters=PAGING, responses={200: page_of(REL, SUBSCRIPTION)})  # fmt: skip
describe("/webhooks", "POST", "Subscribe a URL to event types; the answer holds the signing secret, this once",
         request=_NEW, responses={201: NEW_SUBSCRIPTION, 400: ERROR},
         request_example={"url": "https://hooks.example.net/in", "event_types": ["person.created"]})  # fmt: skip
describe("/webhooks/{subscription_id}", "GET", "One webhook subscription", parameters=_ID,
         responses={200: SUBSCRIPTION, 404: ERROR})  # fmt: skip
describe("/webhooks/{subscription_id}", "DELETE", "Delete a webhook subscription and its delivery log",
         parameters=_ID, responses={204: None, 404: ERROR})  # fmt: skip
describe("/webhooks/{subscription_id}/deliveries", "GET", "A subscription's delivery log, newest first",
         parameters=[*_ID, *PAGING], responses={200: page_of(DELIVERIES_REL, DELIVERY), 404: ERROR})  # fmt: skip
describe("/webhooks/{subscription_id}/deliveries/{delivery_id}/replay", "POST",
         "Send a delivery's payload again, as one more attempt of the same delivery (audited)",
         parameters=_DELIVERY_ID, responses={202: DELIVERY, 404: ERROR, 409: ERROR})  # fmt: skip

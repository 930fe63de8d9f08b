"""The webhook pages and API: who may see and change which subscription."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from groundswell.api.actions import do_create_api_token
from groundswell.api.openapi import openapi_document
from groundswell.core.models import AuditEntry, AuditEvent
from groundswell.webhooks.actions import do_create_subscription
from groundswell.webhooks.models import Subscription, SubscriptionStatus

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_leader_makes_a_webhook_and_sees_its_secret_once(personas):
    client = signed_in(personas.leader_a)
    form = {"url": "https://hooks.example.net/in", "description": "CRM", "event_types": ["person.created"]}
    response = client.post("/webhooks/new/", form)
    subscription = Subscription.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/webhooks/{subscription.pk}/"
    assert subscription.made_by == personas.leader_a and subscription.event_types == ["person.created"]
    first = client.get(response["Location"]).content.decode()
    assert subscription.secret in first
    assert subscription.secret not in client.get(response["Location"]).content.decode()
    assert AuditEntry.objects.filter(event_type=AuditEvent.WEBHOOK_CREATED, actor=personas.leader_a).exists()


def test_a_webhook_must_have_an_http_url_and_a_known_event(personas):
    client = signed_in(personas.leader_a)
    refused = client.post("/webhooks/new/", {"url": "ftp://hooks.example.net/", "event_types": ["person.created"]})
    assert refused.status_code == 400
    assert client.post("/webhooks/new/", {"url": "https://x.example.net/", "event_types": ["nope"]}).status_code == 400
    assert not Subscription.objects.exists()


def test_another_leaders_webhook_is_404_and_volunteers_have_no_webhook_pages(personas):
    theirs, _ = do_create_subscription(
        url="https://a.example.net/", event_types=["person.created"], actor=personas.leader_a
    )
    other = signed_in(personas.leader_b)
    assert other.get(f"/webhooks/{theirs.pk}/").status_code == 404
    assert other.post(f"/webhooks/{theirs.pk}/pause/").status_code == 404
    assert other.post(f"/webhooks/{theirs.pk}/delete/").status_code == 404
    assert "a.example.net" not in other.get("/webhooks/").content.decode()
    assert signed_in(personas.volunteer).get("/webhooks/").status_code == 404
    assert Client().get("/webhooks/").status_code == 302  # to sign in
    assert "a.example.net" in signed_in(personas.staff).get("/webhooks/").content.decode()


def test_pause_resume_and_delete_post_then_redirect(personas):
    subscription, _ = do_create_subscription(
        url="https://a.example.net/", event_types=["person.created"], actor=personas.leader_a
    )
    client = signed_in(personas.leader_a)
    assert client.get(f"/webhooks/{subscription.pk}/pause/").status_code == 405
    assert client.post(f"/webhooks/{subscription.pk}/pause/").status_code == 302
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.PAUSED
    assert "Paused" in client.get(f"/webhooks/{subscription.pk}/").content.decode()
    client.post(f"/webhooks/{subscription.pk}/resume/")
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.ACTIVE
    assert client.post(f"/webhooks/{subscription.pk}/delete/")["Location"] == "/webhooks/"
    assert not Subscription.objects.exists()
    kinds = set(AuditEntry.objects.values_list("event_type", flat=True))
    assert {AuditEvent.WEBHOOK_PAUSED, AuditEvent.WEBHOOK_RESUMED, AuditEvent.WEBHOOK_DELETED} <= kinds


def test_the_api_scopes_webhooks_like_the_pages(personas):
    tokens = {name: do_create_api_token(user=getattr(personas, name), name="t", actor=None)[1]
              for name in ("leader_a", "leader_b", "volunteer", "staff")}  # fmt: skip

    def api(name: str, method: str, path: str, body: object = None):
        data = json.dumps(body) if body is not None else None
        return Client().generic(method, f"/api/v1/{path}", data or "", content_type="application/json",
                                HTTP_OSDI_API_TOKEN=tokens[name])  # fmt: skip

    made = api("leader_a", "POST", "webhooks", {"url": "https://a.example.net/", "event_types": ["tagging.created"]})
    assert made.status_code == 201 and made.json()["secret"].startswith("whsec_")
    pk = Subscription.objects.get().pk
    assert api("leader_b", "GET", f"webhooks/{pk}").json() == {"request_type": "error", "error": "Not found."}
    assert (
        api("leader_b", "GET", f"webhooks/{pk}").status_code
        == api("leader_b", "GET", "webhooks/999999").status_code
        == 404
    )
    assert api("leader_b", "DELETE", f"webhooks/{pk}").status_code == 404
    assert api("leader_b", "GET", "webhooks").json()["total_records"] == 0
    assert api("staff", "GET", "webhooks").json()["total_records"] == 1
    assert (
        api(
            "volunteer", "POST", "webhooks", {"url": "https://v.example.net/", "event_types": ["person.created"]}
        ).status_code
        == 404
    )
    bad = api("leader_a", "POST", "webhooks", {"url": "file:///etc/passwd", "event_types": ["person.created"]})
    assert (bad.status_code, bad.json()["field"]) == (400, "url")
    bad = api("leader_a", "POST", "webhooks", {"url": "https://a.example.net/", "event_types": "person.created"})
    assert (bad.status_code, bad.json()["field"]) == (400, "event_types")
    assert api("leader_a", "GET", f"webhooks/{pk}/deliveries").json()["total_records"] == 0
    assert api("leader_a", "DELETE", f"webhooks/{pk}").status_code == 204
    entry = api("leader_a", "GET", "").json()
    assert entry["_links"]["groundswell:webhooks"]["href"].endswith("/api/v1/webhooks")


def test_the_openapi_document_describes_every_webhook_operation():
    paths = openapi_document("http://testserver/api/v1")["paths"]
    assert set(paths["/webhooks"]) == {"get", "post"}
    assert set(paths["/webhooks/{subscription_id}"]) == {"get", "delete"}
    assert "get" in paths["/webhooks/{subscription_id}/deliveries"]
    replay = paths["/webhooks/{subscription_id}/deliveries/{delivery_id}/replay"]["post"]
    assert "202" in replay["responses"] and "404" in replay["responses"]
    created = paths["/webhooks"]["post"]["responses"]["201"]["content"]["application/hal+json"]["schema"]
    assert created == {"$ref": "#/components/schemas/NewWebhookSubscription"}

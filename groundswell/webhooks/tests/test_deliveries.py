"""Webhooks end to end: real writes, the real job queue, a real HTTP receiver."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from groundswell.api.actions import do_create_api_token
from groundswell.api.tests.http import call
from groundswell.core.jobs import claim_next_job, run_job, run_pending_jobs
from groundswell.core.models import AuditEntry, AuditEvent, Job
from groundswell.people.actions import PersonDetails, do_save_person, do_tag_person, do_untag_person
from groundswell.webhooks.actions import do_create_subscription
from groundswell.webhooks.models import Attempt, Delivery, DeliveryStatus, SubscriptionStatus
from groundswell.webhooks.signing import verify_signature

pytestmark = pytest.mark.django_db(transaction=True)

ALL_EVENTS = ["person.created", "person.updated", "tagging.created", "tagging.deleted"]


def sign_up(name: str, email: str, *, actor: Any, chapter: Any = None, tags: tuple[str, ...] = ()) -> Any:
    first, last = name.split()
    details = PersonDetails(first_name=first, last_name=last, emails=[email], tags=list(tags))
    return do_save_person(details, source="test", actor=actor, chapter=chapter).person


def test_a_signup_through_the_api_reaches_the_receiver_signed(live_server, personas, receiver):
    staff_token = do_create_api_token(user=personas.staff, name="hooks", actor=None)[1]
    leader_token = do_create_api_token(user=personas.leader_a, name="signups", actor=None)[1]
    api = f"{live_server.url}/api/v1"
    status, made = call(f"{api}/webhooks", staff_token, "POST", {"url": receiver.url, "event_types": ALL_EVENTS})
    assert status == 201, made
    secret = made["secret"]
    assert call(made["_links"]["self"]["href"], staff_token)[1].get("secret") is None  # shown once

    rosa = {"given_name": "Rosa", "family_name": "Parks", "email_addresses": [{"address": "rosa@example.net"}]}
    signup = {"person": rosa, "add_tags": ["volunteer"]}
    assert call(f"{api}/people/signup", leader_token, "POST", signup)[0] == 200
    run_pending_jobs()

    by_type = {r.headers["Groundswell-Event"]: r for r in receiver.requests}
    assert sorted(by_type) == ["person.created", "tagging.created"]
    for received in receiver.requests:
        assert verify_signature(secret, received.body, received.headers["Groundswell-Signature"])
        assert not verify_signature("whsec_wrong", received.body, received.headers["Groundswell-Signature"])
        assert not verify_signature(secret, received.body + b" ", received.headers["Groundswell-Signature"])
    created = json.loads(by_type["person.created"].body)
    person = created["data"]["person"]
    assert (person["given_name"], person["family_name"]) == ("Rosa", "Parks")
    assert person["email_addresses"][0]["address"] == "rosa@example.net"
    assert json.loads(by_type["tagging.created"].body)["data"]["tag"] == "volunteer"
    delivery = Delivery.objects.get(pk=int(by_type["person.created"].headers["Groundswell-Delivery"]))
    assert (delivery.status, delivery.attempts, delivery.last_response_status) == (DeliveryStatus.SUCCEEDED, 1, 200)
    assert delivery.response_ms is not None

    sent = AuditEntry.objects.filter(event_type=AuditEvent.WEBHOOK_PEOPLE_SENT, actor=personas.staff)
    assert {i for entry in sent for i in entry.details["ids"]} == {person["identifiers"][0]}
    log = call(f"{made['_links']['self']['href']}/deliveries", staff_token)[1]
    assert {d["status"] for d in log["_embedded"]["groundswell:deliveries"]} == {"succeeded"}


def test_a_signature_too_old_is_refused():
    from groundswell.webhooks.signing import signature_header

    header = signature_header("s", b"{}", timestamp=1_000)
    assert verify_signature("s", b"{}", header, now=1_100)
    assert not verify_signature("s", b"{}", header, now=1_000 + 301)
    assert not verify_signature("s", b"{}", header, tolerance=10, now=1_100)
    assert not verify_signature("s", b"{}", "garbage")


def test_a_receiver_answering_500_is_retried_then_the_delivery_fails(personas, receiver):
    receiver.status = 500
    subscription, _ = do_create_subscription(url=receiver.url, event_types=["person.created"], actor=personas.staff)
    sign_up("Ella Baker", "ella@example.net", actor=personas.leader_a, chapter=personas.chapter_a)
    run_pending_jobs()

    delivery = Delivery.objects.get(subscription=subscription)
    assert (delivery.status, delivery.attempts, delivery.last_response_status) == (DeliveryStatus.FAILED, 3, 500)
    assert [(a.number, a.response_status, a.succeeded) for a in delivery.attempt_log.all()] == [
        (1, 500, False), (2, 500, False), (3, 500, False)
    ]  # fmt: skip
    assert {r.headers["Groundswell-Delivery"] for r in receiver.requests} == {str(delivery.pk)}
    assert len(receiver.requests) == 3

    client = Client()
    client.force_login(personas.staff)
    page = client.get(f"/webhooks/{subscription.pk}/").content.decode()
    assert "Failed" in page and "#3: 500" in page


def test_a_receiver_that_is_down_is_retried_and_many_failures_pause_the_subscription(
    personas, closed_port_url, settings
):
    settings.WEBHOOK_PAUSE_AFTER_FAILURES = 4
    subscription, _ = do_create_subscription(url=closed_port_url, event_types=["person.created"], actor=personas.staff)
    sign_up("Fannie Hamer", "fannie@example.net", actor=personas.leader_a, chapter=personas.chapter_a)
    run_pending_jobs()
    first = Delivery.objects.get(subscription=subscription)
    assert (first.status, first.attempts, first.last_response_status) == (DeliveryStatus.FAILED, 3, None)
    assert all(a.response_status is None and "refused" in a.error.lower() for a in first.attempt_log.all())

    sign_up("Bayard Rustin", "bayard@example.net", actor=personas.leader_a, chapter=personas.chapter_a)
    run_pending_jobs()
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.PAUSED
    assert "4 failed attempts in a row" in subscription.pause_reason
    second = Delivery.objects.exclude(pk=first.pk).get(subscription=subscription)
    assert (second.status, second.attempts) == (DeliveryStatus.RETRYING, 1)  # waits for the resume

    sign_up("Diane Nash", "diane@example.net", actor=personas.leader_a, chapter=personas.chapter_a)
    run_pending_jobs()
    assert Delivery.objects.filter(subscription=subscription).count() == 2  # a paused one hears nothing
    client = Client()
    client.force_login(personas.staff)
    assert "Paused" in client.get("/webhooks/").content.decode()


def test_replay_sends_the_same_payload_again_as_one_more_attempt(live_server, personas, receiver):
    token = do_create_api_token(user=personas.staff, name="hooks", actor=None)[1]
    subscription, _ = do_create_subscription(url=receiver.url, event_types=["person.created"], actor=personas.staff)
    sign_up("Medgar Evers", "medgar@example.net", actor=personas.leader_a, chapter=personas.chapter_a)
    run_pending_jobs()
    delivery = Delivery.objects.get(subscription=subscription)

    replay = f"{live_server.url}/api/v1/webhooks/{subscription.pk}/deliveries/{delivery.pk}/replay"
    status, answer = call(replay, token, "POST", {})
    assert status == 202 and answer["status"] == "pending"
    run_pending_jobs()

    assert len(receiver.requests) == 2
    assert receiver.requests[0].body == receiver.requests[1].body
    assert {r.headers["Groundswell-Delivery"] for r in receiver.requests} == {str(delivery.pk)}
    assert [(a.number, a.replay) for a in Attempt.objects.filter(delivery=delivery)] == [(1, False), (2, True)]
    assert AuditEntry.objects.filter(event_type=AuditEvent.WEBHOOK_DELIVERY_REPLAYED, actor=personas.staff).exists()

    client = Client()
    client.force_login(personas.staff)
    response = client.post(f"/webhooks/{subscription.pk}/deliveries/{delivery.pk}/replay/")
    assert response.status_code == 302
    run_pending_jobs()
    assert len(receiver.requests) == 3


def test_a_leaders_subscription_hears_nothing_about_people_outside_their_scope(personas, receiver):
    do_create_subscription(url=receiver.url, event_types=ALL_EVENTS, actor=personas.leader_a)
    sign_up("Bea Outside", "outside@example.net", actor=personas.leader_b, chapter=personas.chapter_b, tags=("b-tag",))
    sign_up("Nat Only", "national@example.net", actor=personas.staff, tags=("national-tag",))
    do_tag_person(personas.member_a, tag_name="national-secret", actor=personas.staff)
    do_untag_person(personas.member_a, tag_name="national-secret", actor=personas.staff)
    run_pending_jobs()
    assert receiver.requests == []
    assert not Delivery.objects.exists()

    inside = sign_up("Ann Inside", "inside@example.net", actor=personas.leader_a, chapter=personas.chapter_a)
    do_tag_person(inside, tag_name="a-tag", actor=personas.leader_a)
    do_untag_person(inside, tag_name="a-tag", actor=personas.leader_a)
    run_pending_jobs()
    bodies = [json.loads(body) for body in receiver.bodies()]
    assert {b["data"]["person"]["family_name"] for b in bodies} == {"Inside"}
    assert sorted(b["type"] for b in bodies) == ["person.created", "tagging.created", "tagging.deleted"]
    text = b"".join(receiver.bodies())
    for secret in (b"Outside", b"national", b"b-tag", b"Only"):
        assert secret not in text


def test_a_rolled_back_write_sends_nothing(personas, receiver):
    do_create_subscription(url=receiver.url, event_types=ALL_EVENTS, actor=personas.staff)
    with transaction.atomic():
        sign_up("Kept Person", "kept@example.net", actor=personas.leader_a, chapter=personas.chapter_a)
        try:
            with transaction.atomic():
                sign_up("Gone Person", "gone@example.net", actor=personas.leader_a, chapter=personas.chapter_a)
                raise RuntimeError("the write fails")
        except RuntimeError:
            pass
    with pytest.raises(RuntimeError), transaction.atomic():
        sign_up("Also Gone", "also@example.net", actor=personas.leader_a, chapter=personas.chapter_a)
        raise RuntimeError("the write fails")
    run_pending_jobs()
    names = {json.loads(b)["data"]["person"]["given_name"] for b in receiver.bodies()}
    assert names == {"Kept"}


def _import(personas: Any, count: int, start: int) -> tuple[int, int]:
    """Import ``count`` new people into chapter A; (queries the import job made, of them webhooks' own)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from groundswell.people.importing import do_upload_people_file
    from groundswell.people.jobs import do_queue_people_import

    header = "First Name,Last Name,Email,Zip\n"
    rows = "".join(f"P{i},Bulk,bulk{i}@example.com,15213\n" for i in range(start, start + count))
    upload = SimpleUploadedFile("people.csv", (header + rows).encode(), "text/csv")
    batch = do_upload_people_file(upload, chapter=personas.chapter_a, actor=personas.leader_a)
    run_pending_jobs()  # what earlier imports queued (their deliveries), so the next job claimed is this import
    do_queue_people_import(batch, actor=personas.leader_a)
    job = claim_next_job()
    assert job is not None
    with CaptureQueriesContext(connection) as queries:
        run_job(job)
    assert job.status == "succeeded", job.error
    return len(queries), sum("webhooks_" in q["sql"] for q in queries)


def test_a_bulk_import_with_no_subscription_makes_no_deliveries(personas):
    _, ours = _import(personas, 40, 0)
    assert ours <= 1  # one check that nobody listens
    assert not Delivery.objects.exists()
    assert not Job.objects.filter(kind="webhooks.deliver").exists()


def test_a_bulk_import_with_a_subscription_makes_a_bounded_number_of_queries(personas, receiver):
    alone = {count: _import(personas, count, start)[0] for count, start in ((40, 0), (160, 1000))}
    do_create_subscription(url=receiver.url, event_types=["person.created"], actor=personas.leader_a)
    do_create_subscription(url=receiver.url, event_types=["person.created"], actor=personas.staff)
    heard = {count: _import(personas, count, start)[0] for count, start in ((40, 5000), (160, 6000))}
    assert Delivery.objects.filter(subscription__made_by=personas.leader_a).count() == 200
    assert Delivery.objects.filter(subscription__made_by=personas.staff).count() == 200
    # What webhooks add to an import: people read 900 at a time, deliveries inserted in batches (SQLite's
    # hold ~90 rows) and queued 200 to a job; so 120 more people for each of two subscriptions cost a few
    # more queries, never one a person.
    added = {count: heard[count] - alone[count] for count in alone}
    assert added[160] <= added[40] + 12
    assert added[160] < 160 / 4

"""Making deliveries from events, and sending them: signed POSTs, retried with backoff, then failed.

Each subscription hears only of people its user's scope sees, and gets each person as that user sees
them (the API's OSDI person resource), read once the write has committed. Sending happens in the job
queue (core/jobs.py); a delivery waiting for a retry is queued again once it is due (``queue_due_retries``).
"""

from __future__ import annotations

import http.client
import json
import logging
import random
import time
import urllib.error
import urllib.request
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from groundswell.chapters.access import Scope, scope_for
from groundswell.core.audit import record_audit
from groundswell.core.jobs import do_enqueue_job
from groundswell.core.models import AuditEvent, User
from groundswell.webhooks import signing
from groundswell.webhooks.events import PERSON_CREATED, PERSON_UPDATED, NationalCandidates, PersonEvent
from groundswell.webhooks.models import Attempt, Delivery, DeliveryStatus, Subscription, SubscriptionStatus

log = logging.getLogger(__name__)

DELIVER_JOB = "webhooks.deliver"
# Deliveries per job: a job's sends share one audit entry per subscription.
JOB_BATCH = 200
_CHUNK = 900  # below SQLite's old 999-parameter limit
ALLOWED_SCHEMES = ("http", "https")
# A receiver's answer is read up to this much (to finish the exchange), and never kept.
_READ_AT_MOST = 64 * 1024


def retry_delays() -> list[float]:
    """Seconds to wait before each retry (WEBHOOK_RETRY_DELAYS): one attempt, then one more per delay."""
    return [float(d) for d in getattr(settings, "WEBHOOK_RETRY_DELAYS", (60, 300, 1800, 7200, 43200))]


def timeout_seconds() -> float:
    return float(getattr(settings, "WEBHOOK_TIMEOUT_SECONDS", 5.0))


def pause_after_failures() -> int:
    """Failed attempts in a row (with no success between) after which a subscription is paused."""
    return int(getattr(settings, "WEBHOOK_PAUSE_AFTER_FAILURES", 25))


def _chunks(ids: Sequence[int], size: int = _CHUNK) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


# ---- from events to deliveries --------------------------------------------------------------------


def deliver_people_events(events: Sequence[PersonEvent], national: NationalCandidates | None) -> list[int]:
    """Make the deliveries these committed events call for, and queue them. Returns their ids."""
    subscriptions = list(
        Subscription.objects.filter(status=SubscriptionStatus.ACTIVE, made_by__is_active=True).select_related("made_by")
    )
    if not subscriptions:
        return []
    national_events = _national_events(national) if national and national.person_ids else []
    made: list[Delivery] = []
    with transaction.atomic():
        for subscription in subscriptions:
            made += _deliveries_for(subscription, events, national_events)
        Delivery.objects.bulk_create(made, batch_size=1000)
        ids = [delivery.pk for delivery in made]
        transaction.on_commit(lambda: queue_deliveries(ids))
    return ids


def _national_events(national: NationalCandidates) -> list[PersonEvent]:
    from groundswell.chapters.owners import national_owner
    from groundswell.people.models import Person

    national_id = national_owner().pk
    ids = list(national.person_ids)
    new: set[int] = set()
    for chunk in _chunks(ids):
        new.update(Person.objects.filter(pk__in=chunk, created_at__gte=national.since).values_list("pk", flat=True))
    return [PersonEvent(PERSON_CREATED if pid in new else PERSON_UPDATED, pid, national_id, "view") for pid in ids]


def _reaches(scope: Scope, event: PersonEvent, national_id: int) -> bool:
    if event.reach == "view":
        return event.owner_id == national_id if scope.national else event.owner_id in scope.view_owner_ids
    return scope.national or event.owner_id in scope.fact_owner_ids


def _deliveries_for(
    subscription: Subscription, events: Sequence[PersonEvent], national_events: Sequence[PersonEvent]
) -> list[Delivery]:
    from groundswell.chapters.owners import national_owner

    user = subscription.made_by
    scope = scope_for(user)
    if not scope.is_leader_or_above:
        return []
    wanted = set(subscription.event_types)
    national_id = national_owner().pk
    heard: dict[tuple[str, int, str], PersonEvent] = {}
    for event in [*events, *(national_events if scope.national else ())]:
        if event.event_type in wanted and _reaches(scope, event, national_id):
            heard.setdefault((event.event_type, event.person_id, event.data.get("tag", "")), event)
    if not heard:
        return []
    people = people_as_seen_by(user, scope, sorted({event.person_id for event in heard.values()}))
    now = timezone.now()
    return [
        Delivery(
            subscription=subscription, event_type=event.event_type, event_id=event.event_id,
            payload=_envelope(event, people[event.person_id], now),
        )
        for event in heard.values()
        if event.person_id in people
    ]  # fmt: skip


def people_as_seen_by(user: User, scope: Scope, person_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The OSDI person resource of each of these people the user sees, as the API gives it to them: a
    fixed number of queries per thousand people. People out of sight are left out."""
    from groundswell.api.base import OSDI
    from groundswell.api.osdi import person_resource
    from groundswell.people.selectors import person_column, seen_people, visible_rows

    base = f"{settings.BASE_URL}{OSDI.prefix}"
    column = person_column(scope)
    found: dict[int, dict[str, Any]] = {}
    for chunk in _chunks(list(person_ids)):
        rows = list(visible_rows(scope).filter(**{f"{column}__in": list(chunk)}))
        for seen in seen_people(user, rows, custom_fields=True):
            found[seen.pk] = person_resource(seen, base, OSDI.identifiers(seen.uid))
    return found


def _envelope(event: PersonEvent, person: dict[str, Any], at: datetime) -> dict[str, Any]:
    data: dict[str, Any] = {"person": person}
    if "tag" in event.data:
        data["tag"] = event.data["tag"]
    return {
        "id": event.event_id,
        "type": event.event_type,
        "created_date": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "data": data,
    }


def queue_deliveries(delivery_ids: Sequence[int]) -> None:
    for chunk in _chunks(list(delivery_ids), JOB_BATCH):
        do_enqueue_job(DELIVER_JOB, {"deliveries": list(chunk)}, actor=None)


def queue_due_retries() -> int:
    """Queue the deliveries whose retry has come due (asked by the job queue before each claim)."""
    due = list(
        Delivery.objects.filter(
            status=DeliveryStatus.RETRYING,
            next_attempt_at__lte=timezone.now(),
            subscription__status=SubscriptionStatus.ACTIVE,
        ).values_list("pk", flat=True)[:1000]
    )
    if not due:
        return 0
    # Conditional: a second worker sweeping at once queues them too, but only one send claims each.
    Delivery.objects.filter(pk__in=due, status=DeliveryStatus.RETRYING).update(status=DeliveryStatus.PENDING)
    queue_deliveries(due)
    return len(due)


# ---- sending -------------------------------------------------------------------------------------


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is the receiver's answer, never followed: a signed body must not go to another host."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> tuple[int | None, str]:
    """POST the body; (the HTTP status or None, what went wrong or "")."""
    if urlsplit(url).scheme not in ALLOWED_SCHEMES:
        return None, "refused: only http and https URLs are sent to"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310  # scheme checked
    try:
        with opener.open(request, timeout=timeout) as response:
            response.read(_READ_AT_MOST)
            return int(response.status), ""
    except urllib.error.HTTPError as answer:
        where = answer.headers.get("Location", "") if 300 <= answer.code < 400 else ""
        said = f"redirected to {where[:200]}; redirects are not followed" if where else f"HTTP {answer.code}"
        return answer.code, said
    except (urllib.error.URLError, OSError, http.client.HTTPException) as failure:
        reason = failure.reason if isinstance(failure, urllib.error.URLError) else failure
        return None, f"{type(failure).__name__}: {reason}"[:500]


def body_of(delivery: Delivery) -> bytes:
    return json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()


def _headers(delivery: Delivery, body: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": "Groundswell-Webhooks/1",
        signing.SIGNATURE_HEADER: signing.signature_header(delivery.subscription.secret, body),
        signing.EVENT_HEADER: delivery.event_type,
        signing.DELIVERY_HEADER: str(delivery.pk),
    }


def _retry_at(attempts: int, now: datetime) -> datetime | None:
    """When to try again after ``attempts`` failed tries: the delay for that try, give or take a tenth
    (so receivers coming back up are not met by every retry at once); None once they are used up."""
    delays = retry_delays()
    if attempts > len(delays):
        return None
    delay = delays[attempts - 1]
    return now + timedelta(seconds=delay * random.uniform(0.9, 1.1))  # jitter, not secrecy


def send_delivery(delivery: Delivery, *, replay: bool = False) -> Attempt | None:
    """One attempt at a pending delivery; None if another worker claimed it first."""
    claimed = Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.PENDING, attempts=delivery.attempts)
    if not claimed.update(attempts=F("attempts") + 1):
        return None
    delivery.attempts += 1
    body = body_of(delivery)
    started = time.monotonic()
    status, error = post(delivery.subscription.url, body, _headers(delivery, body), timeout_seconds())
    elapsed = int((time.monotonic() - started) * 1000)
    return _record_attempt(delivery, status, error, elapsed, replay=replay)


def _record_attempt(delivery: Delivery, status: int | None, error: str, elapsed: int, *, replay: bool) -> Attempt:
    succeeded = status is not None and 200 <= status < 300
    now = timezone.now()
    next_at = None if succeeded else _retry_at(delivery.attempts, now)
    final = DeliveryStatus.SUCCEEDED if succeeded else DeliveryStatus.RETRYING if next_at else DeliveryStatus.FAILED
    with transaction.atomic():
        attempt = Attempt.objects.create(
            delivery=delivery, number=delivery.attempts, response_status=status, response_ms=elapsed,
            error=error, succeeded=succeeded, replay=replay,
        )  # fmt: skip
        Delivery.objects.filter(pk=delivery.pk).update(
            status=final, next_attempt_at=next_at, last_response_status=status, response_ms=elapsed,
            last_error=error, updated_at=now,
        )  # fmt: skip
        _count_towards_pause(delivery.subscription, succeeded=succeeded, now=now)
    delivery.status, delivery.next_attempt_at, delivery.last_error = final, next_at, error
    return attempt


def _count_towards_pause(subscription: Subscription, *, succeeded: bool, now: datetime) -> None:
    rows = Subscription.objects.filter(pk=subscription.pk)
    if succeeded:
        rows.exclude(consecutive_failures=0).update(consecutive_failures=0)
        return
    rows.update(consecutive_failures=F("consecutive_failures") + 1)
    limit = pause_after_failures()
    paused = rows.filter(status=SubscriptionStatus.ACTIVE, consecutive_failures__gte=limit).update(
        status=SubscriptionStatus.PAUSED,
        paused_at=now,
        pause_reason=f"Paused by Groundswell after {limit} failed attempts in a row; resume it once the receiver "
        "works.",
    )
    if paused:
        from groundswell.webhooks.events import forget_listening

        forget_listening()
        record_audit(
            AuditEvent.WEBHOOK_PAUSED, actor=None, target=subscription,
            summary=f"paused webhook {subscription.url} after {limit} failed attempts in a row",
        )  # fmt: skip


def send_deliveries(delivery_ids: Iterable[int], *, replay: bool = False, progress: Any = None) -> dict[str, int]:
    """Send each pending delivery of an active subscription once, and audit what left, per subscription."""
    ids = list(delivery_ids)
    counts: dict[str, int] = defaultdict(int)
    sent: dict[int, list[Delivery]] = defaultdict(list)
    unreachable: dict[int, tuple[datetime | None, str]] = {}
    for chunk in _chunks(ids):
        rows = Delivery.objects.filter(pk__in=chunk, status=DeliveryStatus.PENDING).select_related(
            "subscription__made_by"
        )
        for delivery in rows.order_by("pk"):
            subscription = delivery.subscription
            if not subscription.is_active:
                counts["skipped"] += 1  # a paused subscription's deliveries wait: resuming queues them
                continue
            if subscription.pk in unreachable:
                _postpone(delivery, *unreachable[subscription.pk])
                counts["postponed"] += 1
                continue
            attempt = send_delivery(delivery, replay=replay)
            if attempt is None:
                continue
            sent[subscription.pk].append(delivery)
            counts["succeeded" if attempt.succeeded else "failed"] += 1
            if attempt.response_status is None and delivery.next_attempt_at is not None:
                unreachable[subscription.pk] = (delivery.next_attempt_at, attempt.error)
            if progress is not None:
                progress.advance()
    for deliveries in sent.values():
        _audit_sent(deliveries, replay=replay)
    return dict(counts)


def _postpone(delivery: Delivery, next_at: datetime | None, error: str) -> None:
    """Not tried: the receiver could not be reached moments ago. Waits for the same retry, unattempted."""
    Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.RETRYING, next_attempt_at=next_at, last_error=f"not tried yet: {error}"[:500]
    )


def _audit_sent(deliveries: list[Delivery], *, replay: bool) -> None:
    """People data left the server: whose, to where, as whom (like an API read, audited the same way)."""
    subscription = deliveries[0].subscription
    people = sorted({
        identifier for d in deliveries for identifier in d.payload.get("data", {}).get("person", {}).get(
            "identifiers", [])[:1]
    })  # fmt: skip
    record_audit(
        AuditEvent.WEBHOOK_PEOPLE_SENT, actor=subscription.made_by, target=subscription,
        summary=f"{'replayed' if replay else 'sent'} {len(deliveries)} deliveries about {len(people)} people "
        f"to {subscription.url}",
        details={"url": subscription.url, "deliveries": [d.pk for d in deliveries], "ids": people},
    )  # fmt: skip

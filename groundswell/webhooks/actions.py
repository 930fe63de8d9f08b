"""Making, pausing, resuming and deleting webhook subscriptions, and replaying a delivery."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from groundswell.core.audit import record_audit
from groundswell.core.models import AuditEvent, User
from groundswell.webhooks import events
from groundswell.webhooks.deliveries import ALLOWED_SCHEMES, queue_deliveries
from groundswell.webhooks.models import Delivery, DeliveryStatus, Subscription, SubscriptionStatus
from groundswell.webhooks.selectors import may_subscribe


class SubscriptionInputError(ValueError):
    """A URL or event type a subscription cannot have; ``field`` names which."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


def check_url(url: str) -> str:
    url = url.strip()
    if len(url) > 500:
        raise SubscriptionInputError("url", "must be at most 500 characters")
    try:
        parts = urlsplit(url)
    except ValueError:  # a host that is no host (NFKC-unsafe characters, a bad IPv6 literal)
        raise SubscriptionInputError("url", "is not a URL") from None
    if parts.scheme not in ALLOWED_SCHEMES:
        raise SubscriptionInputError("url", "must start with http:// or https://")
    try:
        URLValidator(schemes=list(ALLOWED_SCHEMES))(url)
    except ValidationError:
        raise SubscriptionInputError("url", "must be an http or https URL with a host") from None
    return url


def check_event_types(event_types: Sequence[str]) -> list[str]:
    chosen = sorted(set(event_types))
    unknown = [name for name in chosen if name not in events.EVENT_TYPES]
    if unknown:
        raise SubscriptionInputError("event_types", f"unknown event type {unknown[0]!r}")
    if not chosen:
        raise SubscriptionInputError("event_types", "choose at least one event type")
    return chosen


def do_create_subscription(
    *, url: str, event_types: Sequence[str], description: str = "", actor: User
) -> tuple[Subscription, str]:
    """A subscription acting with the actor's scope. Returns it and its signing secret, to show once."""
    if not may_subscribe(actor):
        raise PermissionDenied
    checked_url, chosen = check_url(url), check_event_types(event_types)
    # Not durable: an API POST with an Idempotency-Key runs this inside the transaction that stores its answer.
    with transaction.atomic():
        subscription = Subscription.objects.create(
            url=checked_url, event_types=chosen, description=description.strip()[:120], made_by=actor
        )
        record_audit(
            AuditEvent.WEBHOOK_CREATED, actor=actor, target=subscription,
            summary=f"webhook to {checked_url} for {', '.join(chosen)}", details={"event_types": chosen},
        )  # fmt: skip
    events.forget_listening()
    return subscription, subscription.secret


def do_pause_subscription(subscription: Subscription, *, actor: User) -> None:
    with transaction.atomic():
        changed = Subscription.objects.filter(pk=subscription.pk, status=SubscriptionStatus.ACTIVE).update(
            status=SubscriptionStatus.PAUSED, paused_at=timezone.now(), pause_reason=f"Paused by {actor.email}."
        )
        if changed:
            record_audit(AuditEvent.WEBHOOK_PAUSED, actor=actor, target=subscription, summary=f"paused {subscription}")
    subscription.refresh_from_db()
    events.forget_listening()


def do_resume_subscription(subscription: Subscription, *, actor: User) -> None:
    """Active again, with its failure count cleared; what waited while it was paused is sent now."""
    with transaction.atomic():
        changed = Subscription.objects.filter(pk=subscription.pk, status=SubscriptionStatus.PAUSED).update(
            status=SubscriptionStatus.ACTIVE, paused_at=None, pause_reason="", consecutive_failures=0
        )
        if changed:
            Delivery.objects.filter(subscription=subscription, status=DeliveryStatus.RETRYING).update(
                next_attempt_at=timezone.now()
            )
            waiting = list(
                Delivery.objects.filter(subscription=subscription, status=DeliveryStatus.PENDING).values_list(
                    "pk", flat=True
                )
            )
            record_audit(
                AuditEvent.WEBHOOK_RESUMED, actor=actor, target=subscription, summary=f"resumed {subscription}"
            )
            transaction.on_commit(lambda: queue_deliveries(waiting))
    subscription.refresh_from_db()
    events.forget_listening()


def do_delete_subscription(subscription: Subscription, *, actor: User) -> None:
    with transaction.atomic():
        record_audit(
            AuditEvent.WEBHOOK_DELETED, actor=actor, target=subscription,
            summary=f"deleted webhook to {subscription.url}",
            details={"deliveries": subscription.deliveries.count()},
        )  # fmt: skip
        subscription.delete()
    events.forget_listening()


class ReplayRefused(ValueError):
    pass


def do_replay_delivery(delivery: Delivery, *, actor: User) -> None:
    """Send the same payload again, as one more attempt of the same delivery (same Groundswell-Delivery id)."""
    if not delivery.subscription.is_active:
        raise ReplayRefused("The webhook is paused: resume it to replay a delivery.")
    # Not durable, for the same reason as do_create_subscription.
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.PENDING, next_attempt_at=None)
        record_audit(
            AuditEvent.WEBHOOK_DELIVERY_REPLAYED, actor=actor, target=delivery,
            summary=f"replayed {delivery.event_type} delivery {delivery.pk} to {delivery.subscription.url}",
        )  # fmt: skip
        transaction.on_commit(lambda: _queue_replay(delivery.pk))
    delivery.refresh_from_db()


def _queue_replay(delivery_id: int) -> None:
    from groundswell.core.jobs import do_enqueue_job
    from groundswell.webhooks.deliveries import DELIVER_JOB

    do_enqueue_job(DELIVER_JOB, {"deliveries": [delivery_id], "replay": True}, actor=None)

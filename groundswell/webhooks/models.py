"""Webhook subscriptions (a URL that wants some event types) and their deliveries, one per event sent."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


class SubscriptionStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"


class Subscription(models.Model):
    """A URL that receives events. It acts with its maker's scope (chapters.access.scope_for), exactly as
    an API token does: it hears only of people that user sees, and sees them as that user does."""

    url = models.URLField(max_length=500)
    event_types = models.JSONField(default=list)
    # Kept to sign each delivery (HMAC needs the secret itself); shown to its maker once, when made.
    secret = models.CharField(max_length=80, default=new_secret, editable=False)
    description = models.CharField(max_length=120, blank=True)
    status = models.CharField(max_length=8, choices=SubscriptionStatus.choices, default=SubscriptionStatus.ACTIVE)
    pause_reason = models.CharField(max_length=300, blank=True)
    # Failed attempts since the last success: many in a row pause the subscription.
    consecutive_failures = models.PositiveIntegerField(default=0)
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    paused_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return self.description or self.url

    @property
    def is_active(self) -> bool:
        return self.status == SubscriptionStatus.ACTIVE


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RETRYING = "retrying", "Retrying"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class Delivery(models.Model):
    """One event for one subscription: the payload as the subscription's user sees it, sent until the
    receiver answers 2xx or the retries run out. Its id is the Groundswell-Delivery header."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="deliveries")
    event_type = models.CharField(max_length=64)
    event_id = models.CharField(max_length=32)
    payload = models.JSONField()
    status = models.CharField(max_length=9, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_ms = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = (
            models.Index(fields=("status", "next_attempt_at"), name="webhook_delivery_due"),
            models.Index(fields=("subscription", "-created_at"), name="webhook_delivery_log"),
        )

    def __str__(self) -> str:
        return f"{self.event_type} #{self.pk} ({self.status})"


class Attempt(models.Model):
    """One try at sending a delivery: what the receiver answered, and how long it took."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    at = models.DateTimeField(auto_now_add=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    succeeded = models.BooleanField(default=False)
    replay = models.BooleanField(default=False)

    class Meta:
        ordering = ("delivery", "number")

    def __str__(self) -> str:
        return f"attempt {self.number} of delivery {self.delivery_id}"

"""API tokens: a tool acting for one user, through that user's scope."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

TOKEN_PREFIX = "gs_"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def new_raw_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


class ApiToken(models.Model):
    """Only the token's hash is kept; the token itself is shown once, when it is made."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80, help_text="What uses it, e.g. 'Mailchimp sync'")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"


class IdempotentRequest(models.Model):
    """A POST sent with an ``Idempotency-Key``, and the answer it got: a repeat of the same request with
    the same key and token gets this answer again instead of running a second time. Kept a day
    (``groundswell.api.idempotency.KEEP``); only answers below 500 are kept, so a failure can be retried."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64, help_text="SHA-256 of the method, path and body")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    status = models.PositiveSmallIntegerField()
    content_type = models.CharField(max_length=100)
    location = models.CharField(max_length=2000, blank=True)
    body = models.BinaryField()

    class Meta:
        constraints = (models.UniqueConstraint(fields=("token", "key"), name="idempotency_key_once_per_token"),)

    def __str__(self) -> str:
        return f"{self.key} ({self.status})"

"""Idempotency keys: a POST sent with an ``Idempotency-Key`` header runs once. A repeat with the same
key, from the same token, of the same request (method, path and body) gets the first answer again,
with the same status and body and ``Idempotent-Replayed: true``; the same key with a different
request is a 422. Two requests racing with one key run once: the first one's answer is stored in the
transaction its work is done in, and the second waits on that row (PostgreSQL's unique index, or
SQLite's write lock), then finds it and answers the same.

Answers are kept ``KEEP`` (a day). An answer of 500 or more is not kept, nor is an error the view
raised (a 400 naming a field, a 404): its work was rolled back, so the request may simply be sent again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from groundswell.api.models import ApiToken, IdempotentRequest

KEY_HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
KEEP = timedelta(hours=24)


def idempotency_key(request: HttpRequest) -> str | None:
    """The request's key, if it is a POST that sent one; ValueError with a reason when it is unusable."""
    if request.method != "POST" or KEY_HEADER not in request.headers:
        return None
    key = request.headers[KEY_HEADER].strip()
    if not key:
        raise ValueError("is empty")
    if len(key) > MAX_KEY_LENGTH:
        raise ValueError(f"is longer than {MAX_KEY_LENGTH} characters")
    if not (key.isascii() and key.isprintable()):
        raise ValueError("must be printable ASCII, e.g. a UUID")
    return key


def request_hash(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.get_full_path()}\n".encode())
    digest.update(request.body)
    return digest.hexdigest()


def answer_once(
    request: HttpRequest, token: ApiToken, key: str, run: Callable[[], HttpResponse], mismatch: HttpResponse
) -> HttpResponse:
    """``run()``'s answer, or the one a request with this key got before; ``mismatch`` when the key was
    used for a different request."""
    fingerprint = request_hash(request)
    IdempotentRequest.objects.filter(created_at__lt=timezone.now() - KEEP).delete()
    earlier = IdempotentRequest.objects.filter(token=token, key=key).first()
    if earlier is not None:
        return replay(earlier) if earlier.request_hash == fingerprint else mismatch
    try:
        with transaction.atomic():
            record = IdempotentRequest.objects.create(
                token=token, key=key, request_hash=fingerprint, status=0, content_type="", body=b""
            )
            response = run()
            if response.status_code >= 500 or response.streaming:
                transaction.set_rollback(True)
                return response
            record.status = response.status_code
            record.content_type = response.get("Content-Type", "")
            record.location = response.get("Location", "")
            record.body = response.content
            record.save(update_fields=["status", "content_type", "location", "body"])
            return response
    except IntegrityError:
        # Another request with this key got there first and has finished (its row is committed).
        earlier = IdempotentRequest.objects.filter(token=token, key=key).first()
        if earlier is None:
            raise
        return replay(earlier) if earlier.request_hash == fingerprint else mismatch


def replay(record: IdempotentRequest) -> HttpResponse:
    response = HttpResponse(bytes(record.body), status=record.status, content_type=record.content_type)
    if record.location:
        response["Location"] = record.location
    response["Idempotent-Replayed"] = "true"
    return response

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
import time
from collections.abc import Callable
from datetime import timedelta

from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from groundswell.api.models import ApiToken, IdempotentRequest

KEY_HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
KEEP = timedelta(hours=24)
RUNNING = 0  # the status of a claimed key whose request has no answer yet
# A claim this old without an answer is a request that died mid-way (its process was killed): let the key go.
ABANDONED = timedelta(minutes=10)
# How long a repeat waits for the answer of the request that holds its key, and how often it looks.
WAIT = timedelta(seconds=20)
POLL = 0.05


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
    used for a different request.

    The key is claimed by a row written before the view runs, in a transaction of its own (the view
    keeps its own transactions: some actions must not be nested in another), and the row takes the
    answer after. A request that finds the key claimed and not yet answered waits for the answer."""
    fingerprint = request_hash(request)
    IdempotentRequest.objects.filter(created_at__lt=timezone.now() - KEEP).delete()
    IdempotentRequest.objects.filter(
        token=token, key=key, status=RUNNING, created_at__lt=timezone.now() - ABANDONED
    ).delete()
    try:
        record = IdempotentRequest.objects.create(
            token=token, key=key, request_hash=fingerprint, status=RUNNING, content_type="", body=b""
        )
    except IntegrityError:
        return _answer_of_earlier(token, key, fingerprint, mismatch)
    try:
        response = run()
    except BaseException:
        record.delete()
        raise
    if response.status_code >= 500 or response.streaming:
        record.delete()
        return response
    record.status = response.status_code
    if "no-store" not in response.get("Cache-Control", ""):
        record.content_type = response.get("Content-Type", "")
        record.location = response.get("Location", "")
        record.body = response.content
    # else an answer holding something shown once (a webhook's secret) is not kept: a repeat is told so.
    record.save(update_fields=["status", "content_type", "location", "body"])
    return response


def _answer_of_earlier(token: ApiToken, key: str, fingerprint: str, mismatch: HttpResponse) -> HttpResponse:
    """The answer the request that claimed this key got, once it has one (waiting up to ``WAIT``)."""
    deadline = time.monotonic() + WAIT.total_seconds()
    while True:
        earlier = IdempotentRequest.objects.filter(token=token, key=key).first()
        if earlier is not None and earlier.request_hash != fingerprint:
            return mismatch
        if earlier is not None and earlier.status != RUNNING:
            return replay(earlier)
        if time.monotonic() > deadline:
            return still_running()
        # None: the request that held the key failed and let it go; looking again finds it free or taken.
        if earlier is None:
            return still_running()
        time.sleep(POLL)


def still_running() -> HttpResponse:
    response = JsonResponse(
        {"request_type": "error", "field": KEY_HEADER,
         "error": f"A request with this {KEY_HEADER} is still being answered, or failed; send it again."},
        status=409,
    )  # fmt: skip
    response["Retry-After"] = "1"
    return response


def replay(record: IdempotentRequest) -> HttpResponse:
    if not record.content_type:
        not_kept = JsonResponse(
            {"request_type": "error", "field": KEY_HEADER,
             "error": f"A request with this {KEY_HEADER} was answered already; its answer held something shown "
                      "only once, so it was not kept."},
            status=409,
        )  # fmt: skip
        not_kept["Idempotent-Replayed"] = "true"
        return not_kept
    response = HttpResponse(bytes(record.body), status=record.status, content_type=record.content_type)
    if record.location:
        response["Location"] = record.location
    response["Idempotent-Replayed"] = "true"
    return response

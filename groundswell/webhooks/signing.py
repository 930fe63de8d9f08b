"""Signing a delivery, and checking one: what a receiver needs (docs/webhooks.md).

The header is ``Groundswell-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, f"{t}.{body}")>``:
the timestamp is signed with the body so a captured request cannot be sent again later. This module
imports nothing of Groundswell or Django, so a receiver written in Python may copy it whole.
"""

from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE_HEADER = "Groundswell-Signature"
EVENT_HEADER = "Groundswell-Event"
DELIVERY_HEADER = "Groundswell-Delivery"
# How old a signature a receiver accepts by default, in seconds (either way, for clocks that differ).
DEFAULT_TOLERANCE = 300


def signature_of(secret: str, timestamp: int, body: bytes) -> str:
    signed = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_header(secret: str, body: bytes, timestamp: int | None = None) -> str:
    t = int(time.time()) if timestamp is None else timestamp
    return f"t={t},v1={signature_of(secret, t, body)}"


def verify_signature(
    secret: str, body: bytes, header: str, *, tolerance: int = DEFAULT_TOLERANCE, now: float | None = None
) -> bool:
    """True if ``header`` (the Groundswell-Signature value) signs exactly ``body`` (the raw request
    body, before any JSON parsing) with ``secret``, at a time within ``tolerance`` seconds of ``now``."""
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    try:
        timestamp = int(parts.get("t", ""))
    except ValueError:
        return False
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        return False
    given = [value for key, value in (item.split("=", 1) for item in header.split(",") if "=" in item) if key == "v1"]
    expected = signature_of(secret, timestamp, body)
    return any(hmac.compare_digest(expected, candidate) for candidate in given)

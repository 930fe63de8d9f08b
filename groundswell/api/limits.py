"""The API's rate limit: each token (or, for browser reads, each user) may make ``API_RATE_LIMIT``
requests a second, with bursts of up to ``API_RATE_BURST``; beyond that the API answers 429.

The count is the generic cell rate algorithm: one number per caller, the moment the caller's
allowance is next free, moved on by one interval (1 / rate) per request. A request is let through
when that moment is less than a burst ahead of now. The number is kept in a small SQLite file of its
own in the data directory (``API_RATE_LIMIT_FILE``), read and moved in one statement, so every
process of one server (web workers, threads) shares it. It is a file apart from the database so that
no long write there (an import) can hold up a read of the API, and so that PostgreSQL sites spend no
write per read on it; servers behind a load balancer each keep their own count.
"""

from __future__ import annotations

import logging
import math
import sqlite3
import threading
import time
from pathlib import Path

from django.conf import settings

from groundswell import config

logger = logging.getLogger(__name__)

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS allowance ("
    " caller TEXT PRIMARY KEY, next_free_at REAL NOT NULL, allowed INTEGER NOT NULL) WITHOUT ROWID"
)
# Every SET sees the row as it was, so "allowed" and the new moment are judged on the same value.
TAKE = """
INSERT INTO allowance (caller, next_free_at, allowed) VALUES (:caller, :now + :interval, 1)
ON CONFLICT (caller) DO UPDATE SET
    allowed = allowance.next_free_at <= :latest,
    next_free_at = CASE
        WHEN allowance.next_free_at > :latest THEN allowance.next_free_at
        WHEN allowance.next_free_at > :now THEN allowance.next_free_at + :interval
        ELSE :now + :interval
    END
RETURNING next_free_at, allowed
"""

_connections = threading.local()


def _connection(path: Path) -> sqlite3.Connection:
    """This thread's connection to the file (sqlite3 connections stay in the thread that made them)."""
    opened: dict[Path, sqlite3.Connection] = _connections.__dict__.setdefault("by_path", {})
    connection = opened.get(path)
    if connection is None:
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(path, timeout=1, isolation_level=None)
        # A count lost to a power cut only lets a caller through early once: no need to wait for the disk.
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=OFF")
        connection.execute(SCHEMA)
        opened[path] = connection
    return connection


def rate() -> float:
    """Requests a second (Django's ``API_RATE_LIMIT`` if set, as tests set it; else the environment's)."""
    return float(getattr(settings, "API_RATE_LIMIT", config.env_float("GROUNDSWELL_API_RATE_LIMIT")))


def burst() -> int:
    return max(1, int(getattr(settings, "API_RATE_BURST", config.env_int("GROUNDSWELL_API_RATE_BURST"))))


def state_file() -> Path:
    return Path(getattr(settings, "API_RATE_LIMIT_FILE", settings.DATA_DIR / "api_rate_limits.sqlite3"))


def retry_after(caller: str) -> int | None:
    """Count one request of the caller: None when it may go ahead, else the whole seconds to wait."""
    per_second, most = rate(), burst()
    if per_second <= 0:
        return None
    interval = 1 / per_second
    now = time.time()
    latest = now + (most - 1) * interval
    params = {"caller": caller, "now": now, "interval": interval, "latest": latest}
    try:
        next_free_at, allowed = _connection(state_file()).execute(TAKE, params).fetchone()
    except sqlite3.Error:
        # A limiter that cannot count must not take the API down with it.
        logger.exception("the API rate limit could not be counted; letting the request through")
        return None
    if allowed:
        return None
    wait: float = next_free_at - (most - 1) * interval - now
    return max(1, math.ceil(wait))

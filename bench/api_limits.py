"""Benchmark: what the API's rate limit costs each request.

    .venv/bin/python bench/api_limits.py [--requests R]

In a fresh SQLite data directory (a temporary one), with a staff token: R GET requests of /api/v1/tags
(the cheapest endpoint, so the limiter's share shows most) and of /api/v1/people?per_page=25, through
Django's test client, with the limit off (API_RATE_LIMIT=0) and on (a rate so high it never refuses),
alternately; the median of each, and the limiter's own call (groundswell.api.limits.retry_after) timed alone.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    data_dir = tempfile.mkdtemp(prefix="gs-bench-limits-")
    os.environ.update(GROUNDSWELL_DATA_DIR=data_dir, DJANGO_SETTINGS_MODULE="groundswell.settings", DATABASE_URL="")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from groundswell.api import limits
    from groundswell.api.actions import do_create_api_token
    from groundswell.testing import make_personas

    call_command("migrate", verbosity=0)
    personas = make_personas()
    _, raw = do_create_api_token(user=personas.staff, name="bench", actor=None)
    client = Client(HTTP_OSDI_API_TOKEN=raw)
    settings.ALLOWED_HOSTS = ["testserver"]

    def timed(path: str, rate: float) -> float:
        settings.API_RATE_LIMIT, settings.API_RATE_BURST = rate, 10**9
        start = time.perf_counter()
        response = client.get(path)
        elapsed = time.perf_counter() - start
        assert response.status_code == 200, response.content
        return elapsed

    for path in ("/api/v1/tags", "/api/v1/people?per_page=25"):
        off, on = [], []
        for _ in range(args.requests):
            off.append(timed(path, 0))
            on.append(timed(path, 10**9))
        off_ms, on_ms = statistics.median(off) * 1000, statistics.median(on) * 1000
        print(f"GET {path}: limit off {off_ms:.2f} ms, on {on_ms:.2f} ms (median of {args.requests}), "
              f"+{on_ms - off_ms:.3f} ms")  # fmt: skip
    calls = []
    for _ in range(args.requests * 10):
        start = time.perf_counter()
        limits.retry_after("token:bench")
        calls.append(time.perf_counter() - start)
    print(f"limits.retry_after alone: {statistics.median(calls) * 1e6:.0f} µs median of {len(calls)}")


if __name__ == "__main__":
    main()

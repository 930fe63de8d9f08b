"""Benchmark: contact submissions from phones against the production server, with retries.

    .venv/bin/python bench/canvass_load.py [--rate 250] [--seconds 20] [--retry-share 0.3] [--workers 2]

Creates its own PostgreSQL database (gs_bench_field, dropped at the end), migrates it, makes a campaign,
a turf of 2,000 voters and a live assignment for a volunteer, signs the volunteer in, and starts gunicorn
on loopback as `groundswell serve` does. Then, open-loop at a steady rate (each request is sent at its
scheduled time whatever the server's pace, and its latency counts from that time), it POSTs one contact
per request to /field/contacts/sync/; 30% of submissions are sent a second time with the same phone id,
as a phone does when a response is lost. It prints submissions/s, p50/p95/p99 latency and the number of
contacts on the server, which must equal the number of distinct submissions (0 lost, 0 duplicated).

Baseline, measured in the same run against the same server at the same rate: GET /field/sw.js, a view
that reads a small file and touches no database: the floor of the stack (Django, gunicorn, the client).
Bounded: a fixed number of requests, loopback only; it stops by itself and stops the server it started.
"""

# ruff: noqa: E501  (the set-up code passed to a child Python process is kept as written)
from __future__ import annotations

import argparse
import http.client
import json
import os
import queue
import random
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
PG_NAME = "gs_bench_field"
CLIENT_THREADS = 48


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pg(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as con:
        con.execute(sql)


def setup_data(env: dict[str, str]) -> dict[str, object]:
    """Migrate and create the volunteer, turf and assignment in the bench database (a child process)."""
    code = r"""
import json, django
django.setup()
from datetime import timedelta
from django.core.management import call_command
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.auth import SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY
from django.utils import timezone
call_command("migrate", verbosity=0)
from groundswell.core.actions import do_create_user
from groundswell.field.actions import do_assign, do_save_campaign
from groundswell.field.models import Turf
from groundswell.voters.models import VoterList
user = do_create_user(email="bench.volunteer@example.org", password="correct-Horse-battery-9", actor=None)
campaign = do_save_campaign(name="Bench", state="NC", chapter=None, actor=None)
vl = VoterList.objects.create(name="Bench", state="NC", definition={}, frozen_at=timezone.now(), voter_count=2000, path="")
ids = [f"B{i:06d}" for i in range(2000)]
doors = [{"key": f"ELM|odd|{i}", "street": "ELM", "side": "odd", "house_number": 2 * i + 1, "address": f"{2*i+1} ELM",
          "units": [{"apartment": None, "voters": [{"id": v, "name": v, "age": 40, "party": "DEM"}]}]} for i, v in enumerate(ids)]
turf = Turf.objects.create(voter_list=vl, campaign=campaign, name="Bench turf", precinct="P1", number=1,
                           door_count=len(doors), voter_count=len(ids), doors=doors, voter_ids=ids)
do_assign(user, expires_at=timezone.now() + timedelta(hours=2), turf=turf, actor=None)
s = SessionStore()
s[SESSION_KEY] = str(user.pk); s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
s[HASH_SESSION_KEY] = user.get_session_auth_hash(); s.create()
print(json.dumps({"turf": turf.pk, "voters": ids, "session": s.session_key}))
"""
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True, text=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def count_contacts(env: dict[str, str]) -> tuple[int, int]:
    code = (
        "import django; django.setup(); from groundswell.field.models import Contact; "
        "from groundswell.core.models import AuditEntry, AuditEvent; "
        "print(Contact.objects.count(), AuditEntry.objects.filter(event_type=AuditEvent.FIELD_CONTACTS_RECORDED).count())"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"counting contacts failed: {out.stderr[-2000:]}")
    contacts, audits = out.stdout.split()
    return int(contacts), int(audits)


def start_server(env: dict[str, str], port: int, workers: int) -> subprocess.Popen[bytes]:
    # As `groundswell serve` starts it (groundswell/core/management/commands/serve.py), without the access log.
    cmd = [sys.executable, "-m", "gunicorn", "groundswell.wsgi:application", "--bind", f"127.0.0.1:{port}",
           "--workers", str(workers), "--timeout", "120"]  # fmt: skip
    server = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not start")


class Load:
    """Open-loop load: request i is due at start + i / rate; threads take due requests from a queue."""

    def __init__(self, port: int, headers: dict[str, str]) -> None:
        self.port, self.headers = port, headers
        self.latencies: list[float] = []
        self.failures: list[str] = []
        self.lock = threading.Lock()

    def run(self, requests: list[tuple[str, str, bytes | None]], rate: float) -> float:
        work: queue.Queue[tuple[float, str, str, bytes | None] | None] = queue.Queue()
        threads = [threading.Thread(target=self._worker, args=(work,), daemon=True) for _ in range(CLIENT_THREADS)]
        for t in threads:
            t.start()
        start = time.monotonic()
        for i, (method, path, body) in enumerate(requests):
            due = start + i / rate
            pause = due - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            work.put((due, method, path, body))
        for _ in threads:
            work.put(None)
        for t in threads:
            t.join(timeout=120)
        return time.monotonic() - start

    def _worker(self, work: queue.Queue[tuple[float, str, str, bytes | None] | None]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        while (item := work.get()) is not None:
            due, method, path, body = item
            for attempt in range(3):  # a dropped keep-alive connection is re-opened and the request resent
                try:
                    conn.request(method, path, body=body, headers=self.headers)
                    response = conn.getresponse()
                    payload = response.read()
                    break
                except (http.client.HTTPException, OSError):
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                    if attempt == 2:
                        raise
            with self.lock:
                self.latencies.append(time.monotonic() - due)
                if response.status != 200 or (body is not None and b'"receipts": {}' in payload):
                    self.failures.append(f"{response.status} {payload[:200]!r}")
        conn.close()


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000


def report(label: str, load: Load, seconds: float, count: int) -> None:
    print(f"{label:<34} {count / seconds:8.1f}/s  p50 {pct(load.latencies, 50):6.1f} ms  "
          f"p95 {pct(load.latencies, 95):6.1f} ms  p99 {pct(load.latencies, 99):6.1f} ms  "
          f"errors {len(load.failures)}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=250.0, help="submissions sent per second")
    parser.add_argument("--seconds", type=float, default=20.0, help="how long to send")
    parser.add_argument("--retry-share", type=float, default=0.3, help="share of submissions sent twice")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--batch", type=int, default=1, help="contacts per request (a phone syncing a backlog)")
    args = parser.parse_args()

    pg(f"DROP DATABASE IF EXISTS {PG_NAME}")
    pg(f"CREATE DATABASE {PG_NAME}")
    data_dir = Path(os.environ.get("GROUNDSWELL_DATA_DIR", ROOT / "var" / "bench-field")).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DATABASE_URL": f"{PG_SERVER}/{PG_NAME}", "GROUNDSWELL_DATA_DIR": str(data_dir),
           "GROUNDSWELL_ALLOWED_HOSTS": "127.0.0.1,localhost", "DJANGO_SETTINGS_MODULE": "groundswell.settings"}  # fmt: skip
    server = None
    try:
        made = setup_data(env)
        port = free_port()
        server = start_server(env, port, args.workers)
        csrf = secrets.token_hex(16)  # a 32-character secret, in the cookie and the header alike
        headers = {"Cookie": f"sessionid={made['session']}; csrftoken={csrf}", "X-CSRFToken": csrf,
                   "Content-Type": "application/json", "Host": "127.0.0.1", "Referer": f"http://127.0.0.1:{port}/"}  # fmt: skip
        total = int(args.rate * args.seconds)
        rng = random.Random(2026)
        voters = list(made["voters"])  # type: ignore[call-overload]
        submissions = [
            json.dumps({"contacts": [{"uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "turf": made["turf"],
                                      "voter_id": rng.choice(voters), "method": "door", "result": "not_home"}
                                     for _ in range(args.batch)]}).encode()
            for _ in range(total)
        ]  # fmt: skip
        # A retry is sent a little later, as a phone resends after its request timed out.
        plan: list[tuple[str, str, bytes | None]] = []
        retries: list[bytes] = []
        for body in submissions:
            plan.append(("POST", "/field/contacts/sync/", body))
            if rng.random() < args.retry_share:
                retries.append(body)
            if retries and rng.random() < args.retry_share:
                plan.append(("POST", "/field/contacts/sync/", retries.pop(0)))
        plan.extend(("POST", "/field/contacts/sync/", b) for b in retries)
        resent = len(plan) - total

        warm = Load(port, headers)
        warm.run([("GET", "/field/sw.js", None)] * 50, 100)
        baseline = Load(port, headers)
        seconds = baseline.run([("GET", "/field/sw.js", None)] * len(plan), args.rate * len(plan) / total)
        ours = Load(port, headers)
        ours_seconds = ours.run(plan, args.rate * len(plan) / total)
        contacts, audits = count_contacts(env)
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        pg(f"DROP DATABASE IF EXISTS {PG_NAME}")

    print(f"gunicorn, {args.workers} workers, PostgreSQL over loopback; {total} requests of {args.batch} contact(s) "
          f"= {total * args.batch} distinct submissions, {resent} requests resent ({resent / total:.0%}), sent at "
          f"{args.rate * len(plan) / total:.0f} requests/s")  # fmt: skip
    report("baseline: GET /field/sw.js", baseline, seconds, len(plan))
    report("ours: POST /field/contacts/sync/", ours, ours_seconds, len(plan))
    print(
        f"distinct submissions (contacts)/s: {total * args.batch / ours_seconds:.1f} (requests/s incl. retries {len(plan) / ours_seconds:.1f})"
    )
    print(f"ratio p99 ours/baseline: {pct(ours.latencies, 99) / max(pct(baseline.latencies, 99), 0.001):.2f}")
    distinct = total * args.batch
    print(f"contacts on the server: {contacts}; distinct submissions: {distinct}; lost {max(0, distinct - contacts)}, "
          f"duplicated {max(0, contacts - distinct)}; audit entries: {audits}")  # fmt: skip
    if contacts != distinct or ours.failures:
        print("FAILED: " + "; ".join(ours.failures[:3]))
        sys.exit(1)


if __name__ == "__main__":
    main()

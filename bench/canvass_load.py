"""Benchmark: contact submissions from phones against the production server, with retries.

    .venv/bin/python bench/canvass_load.py [--rate 250] [--seconds 20] [--retry-share 0.3] [--batch 1]

Creates its own PostgreSQL database (gs_bench_field, or $BENCH_PG_NAME; dropped at the end), migrates it,
makes a campaign, a turf of 2,000 voters and a live assignment for a volunteer, signs the volunteer in,
and starts the server with `groundswell serve` itself (gunicorn as the product runs it, with its access
log and the job worker beside it) on loopback. Then, open-loop at a steady rate (each request is sent at
its scheduled time whatever the server's pace, and its latency counts from that time), it POSTs contacts
to /field/contacts/sync/; 30% of submissions are sent a second time with the same phone id, as a phone
does when a response is lost, some while the first copy is still in flight. Every response must carry a
receipt for every contact sent. It prints submissions/s, p50/p95/p99 latency and the number of contacts on
the server, which must equal the number of distinct submissions (0 lost, 0 duplicated).

Baseline, measured in the same run against the same server at the same request rate: GET /field/sw.js, a
view that reads a small file and touches no database: the floor of the stack (Django, gunicorn, the
client). The machine is shared, so the load average and how busy the CPUs were during each phase are
printed beside the figures, with the CPU milliseconds one request cost the web server, PostgreSQL and this
client (from /proc): a figure other people's work moves much less than latency does. Bounded: a fixed number of requests, loopback only, a bounded number of
connections; it stops by itself and stops the server it started.
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
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
PG_NAME = os.environ.get("BENCH_PG_NAME", "gs_bench_field")
CLIENT_THREADS = 48  # at most this many requests in flight: a bounded client
SYNC = "/field/contacts/sync/"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pg(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as con:
        con.execute(sql)


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def cpu_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu_seconds(pids: set[int]) -> dict[int, float]:
    """User + system CPU seconds of each of these processes still running, from /proc/<pid>/stat."""
    seconds: dict[int, float] = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        seconds[pid] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime
    return seconds


def cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds spent between two readings (a process started in between counts from zero)."""
    return sum(spent - before.get(pid, 0.0) for pid, spent in after.items())


def descendants(root: int) -> set[int]:
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
    found, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent]
        found.update(children)
        frontier.extend(children)
    return found


def database_backends() -> set[int]:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as con:
        rows = con.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", (PG_NAME,)).fetchall()
    return {int(pid) for (pid,) in rows}


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


def start_server(env: dict[str, str], port: int, extra: list[str]) -> subprocess.Popen[bytes]:
    """`groundswell serve` itself, so the figure is the product's (worker class, threads, access log, job worker)."""
    cmd = [sys.executable, "-m", "groundswell.cli", "serve", "--bind", f"127.0.0.1:{port}", *extra]
    # Its own process group, so stopping it reaches gunicorn and the job worker even if serve has died.
    server = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              start_new_session=True)  # fmt: skip
    deadline = time.monotonic() + 180  # serve collects the static files first
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server
        except OSError:
            time.sleep(0.2)
    stop_server(server)
    raise RuntimeError(
        "groundswell serve did not start: " + (server.stderr.read() if server.stderr else b"").decode()[-2000:]
    )


def stop_server(server: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=30)


@dataclass(frozen=True)
class Planned:
    method: str
    path: str
    body: bytes | None
    uuids: tuple[str, ...]  # the phone ids whose receipts the response must carry


class Load:
    """Open-loop load: request i is due at start + i / rate; threads take due requests from a queue."""

    def __init__(self, port: int, headers: dict[str, str], server_pid: int = 0) -> None:
        self.port, self.headers, self.server_pid = port, headers, server_pid
        self.latencies: list[float] = []
        self.failures: list[str] = []
        self.lock = threading.Lock()
        self.cpu_busy = 0.0
        self.cpu_ms: dict[str, float] = {}  # CPU milliseconds per request: web server, database, this client

    def run(self, requests: list[Planned], rate: float) -> float:
        work: queue.Queue[tuple[float, Planned] | None] = queue.Queue()
        threads = [threading.Thread(target=self._worker, args=(work,), daemon=True) for _ in range(CLIENT_THREADS)]
        for t in threads:
            t.start()
        web0, db0 = self._server_cpu()
        client0 = time.process_time()
        busy0, total0 = cpu_ticks()
        start = time.monotonic()
        for i, planned in enumerate(requests):
            due = start + i / rate
            pause = due - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            work.put((due, planned))
        for _ in threads:
            work.put(None)
        for t in threads:
            t.join(timeout=300)
        seconds = time.monotonic() - start
        busy1, total1 = cpu_ticks()
        self.cpu_busy = (busy1 - busy0) / max(1, total1 - total0)
        web1, db1 = self._server_cpu()
        per_request = 1000 / len(requests)
        self.cpu_ms = {"web": cpu_used(web0, web1) * per_request, "db": cpu_used(db0, db1) * per_request,
                       "client": (time.process_time() - client0) * per_request}  # fmt: skip
        return seconds

    def _server_cpu(self) -> tuple[dict[int, float], dict[int, float]]:
        """CPU seconds so far of `groundswell serve` and its children, and of the bench database's backends."""
        if not self.server_pid:
            return {}, {}
        return process_cpu_seconds(descendants(self.server_pid)), process_cpu_seconds(database_backends())

    def _worker(self, work: queue.Queue[tuple[float, Planned] | None]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        while (item := work.get()) is not None:
            due, planned = item
            for attempt in range(3):  # a dropped keep-alive connection is re-opened and the request resent
                try:
                    conn.request(planned.method, planned.path, body=planned.body, headers=self.headers)
                    response = conn.getresponse()
                    payload = response.read()
                    break
                except (http.client.HTTPException, OSError):
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                    if attempt == 2:
                        raise
            latency = time.monotonic() - due
            failure = self._failure(planned, response.status, payload)
            with self.lock:
                self.latencies.append(latency)
                if failure:
                    self.failures.append(failure)
        conn.close()

    @staticmethod
    def _failure(planned: Planned, status: int, payload: bytes) -> str:
        if status != 200:
            return f"{status} {payload[:200]!r}"
        if planned.uuids:
            receipts = json.loads(payload).get("receipts", {})
            if missing := [u for u in planned.uuids if u not in receipts]:
                return f"no receipt for {missing[0]}: {payload[:200]!r}"
        return ""


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000


def report(label: str, load: Load, seconds: float, count: int) -> None:
    print(f"{label:<34} {count / seconds:7.1f} req/s  p50 {pct(load.latencies, 50):7.1f} ms  "
          f"p95 {pct(load.latencies, 95):7.1f} ms  p99 {pct(load.latencies, 99):7.1f} ms  "
          f"errors {len(load.failures)}")  # fmt: skip
    cpu = load.cpu_ms
    print(f"{'':<34} CPU per request: web {cpu['web']:.2f} ms, PostgreSQL {cpu['db']:.2f} ms, this client "
          f"{cpu['client']:.2f} ms; the machine's CPUs were {load.cpu_busy:.0%} busy")  # fmt: skip


def plan_requests(made: dict[str, object], total: int, batch: int, retry_share: float, seed: int) -> list[Planned]:
    """Each submission once, in order; 30% of them again, a little later (as a phone resends after its
    request timed out), so some retries race their first copy."""
    rng = random.Random(seed)
    voters = list(made["voters"])  # type: ignore[call-overload]
    plan: list[Planned] = []
    retries: list[Planned] = []
    for _ in range(total):
        contacts = [{"uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "turf": made["turf"],
                     "voter_id": rng.choice(voters), "method": "door", "result": "not_home"} for _ in range(batch)]  # fmt: skip
        planned = Planned("POST", SYNC, json.dumps({"contacts": contacts}).encode(), tuple(c["uuid"] for c in contacts))
        plan.append(planned)
        if rng.random() < retry_share:
            retries.append(planned)
        if retries and rng.random() < retry_share:
            plan.append(retries.pop(0))
    return plan + retries


def count_on_server(env: dict[str, str]) -> tuple[int, int]:
    try:
        return count_contacts(env)
    except RuntimeError as error:
        print(error)
        return -1, -1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=250.0, help="distinct submissions sent per second")
    parser.add_argument("--seconds", type=float, default=20.0, help="how long to send")
    parser.add_argument("--retry-share", type=float, default=0.3, help="share of submissions sent twice")
    parser.add_argument("--batch", type=int, default=1, help="contacts per request (a phone syncing a backlog)")
    parser.add_argument("--workers", type=int, help="override `groundswell serve --workers` (to compare)")
    parser.add_argument("--threads", type=int, help="override `groundswell serve --threads` (to compare)")
    args = parser.parse_args()
    serve_extra = [*(["--workers", str(args.workers)] if args.workers else []),
                   *(["--threads", str(args.threads)] if args.threads else [])]  # fmt: skip

    load_at_start = load_average()
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
        server = start_server(env, port, serve_extra)
        csrf = secrets.token_hex(16)  # a 32-character secret, in the cookie and the header alike
        headers = {"Cookie": f"sessionid={made['session']}; csrftoken={csrf}", "X-CSRFToken": csrf,
                   "Content-Type": "application/json", "Host": "127.0.0.1", "Referer": f"http://127.0.0.1:{port}/"}  # fmt: skip
        total = int(args.rate * args.seconds)
        plan = plan_requests(made, total, args.batch, args.retry_share, seed=2026)
        request_rate = args.rate * len(plan) / total
        static = Planned("GET", "/field/sw.js", None, ())

        Load(port, headers).run([static] * 100, 100)  # warm every worker thread and its connection
        Load(port, headers).run(plan_requests(made, 100, 1, 0, seed=1), 100)
        baseline = Load(port, headers, server.pid)
        baseline_seconds = baseline.run([static] * len(plan), request_rate)
        ours = Load(port, headers, server.pid)
        ours_seconds = ours.run(plan, request_rate)
        contacts, audits = count_on_server(env)
    finally:
        if server is not None:
            stop_server(server)
        pg(f"DROP DATABASE IF EXISTS {PG_NAME}")

    distinct = total * args.batch + 100  # and the 100 warm-up submissions
    served_as = " ".join(["groundswell serve", *serve_extra]) if serve_extra else "groundswell serve (its defaults)"
    print(f"{served_as}, PostgreSQL over loopback; load average at start {load_at_start}, at end {load_average()}")
    print(f"{total} requests of {args.batch} contact(s) = {total * args.batch} distinct submissions sent at "
          f"{args.rate:.0f}/s; {len(plan) - total} requests resent ({(len(plan) - total) / total:.0%}); "
          f"{len(plan)} requests at {request_rate:.0f}/s")  # fmt: skip
    report("baseline: GET /field/sw.js", baseline, baseline_seconds, len(plan))
    report("ours: POST /field/contacts/sync/", ours, ours_seconds, len(plan))
    print(f"submissions/s achieved: {total * args.batch / ours_seconds:.1f} (goal >= 200 with p99 < 500 ms); "
          f"p99 ours/baseline: {pct(ours.latencies, 99) / max(pct(baseline.latencies, 99), 0.001):.1f}x")  # fmt: skip
    print(f"contacts on the server: {contacts}; distinct submissions: {distinct} (incl. 100 warm-up); "
          f"lost {max(0, distinct - contacts)}, duplicated {max(0, contacts - distinct)}; audit entries: {audits}")  # fmt: skip
    if contacts != distinct or ours.failures:
        print("FAILED: " + "; ".join(ours.failures[:3]))
        sys.exit(1)


if __name__ == "__main__":
    main()

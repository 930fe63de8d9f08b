"""Benchmark: paging through 200,000 people over the API, beside a bare Django JSON view of the same rows.

    .venv/bin/python bench/api.py [--people N] [--requests R] [--only sqlite|postgres] [--pg-name NAME]

For each database, in a fresh database the bench creates itself (a temporary SQLite file; a PostgreSQL
database, gs_bench_api unless --pg-name says otherwise, dropped at the end):

- N people go in by bulk insert, as a chapter's import leaves them: a Person row, an email owned by the
  chapter, and the views of the chapter and its state (PersonView), created and modified across two years;
- the server is gunicorn, as ``groundswell serve`` runs it (one gthread worker), over a URLconf that adds
  one bare view to Groundswell's own: the same query — the reader's visible rows, the same date filter,
  the same order, a count and a 25-row slice — rendered with ``values()`` into a JsonResponse, with no
  token, no HAL, no contacts, no audit;
- the API's per-token rate limit is raised far above what one client asks (it is still counted on every
  request, so its cost is in the figures, but it does not make the bench wait);
- a real HTTP client (requests, one keep-alive session) asks both, alternately, for the same pages:
  ``GET /api/v1/people?per_page=25&page=P&filter=modified_date gt '<date>'`` with a date that keeps 90%
  of the rows and pages spread across them, as the chapter's leader (its views) and as national staff
  (Person rows). p50 and p95 of each, and the ratio of the p95s; the goal is at most 2x the bare view;
- then where the time goes: the parts of one API request timed alone in the server's process (token
  lookup, rate limit, scope, count, page rows, contacts, rendering, audit write), p50 over the same pages.

Each database runs in its own child processes, because Django reads DATABASE_URL once at start-up.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
PG_NAME = "gs_bench_api"
PER_PAGE = 25
SPAN = dt.timedelta(days=730)
KEPT = 0.9  # the filter keeps the people modified in the last 90% of the span
# Fixed, so the seeding child, the server and the breakdown agree on what "now" was.
EPOCH = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
LEADER_EMAIL, STAFF_EMAIL = "bench.leader@example.org", "bench.staff@example.org"
READERS = {"leader": LEADER_EMAIL, "staff": STAFF_EMAIL}


def cutoff() -> dt.datetime:
    return EPOCH - SPAN * KEPT


def people_filter() -> str:
    return f"modified_date gt '{cutoff().strftime('%Y-%m-%dT%H:%M:%SZ')}'"


# ------------------------------------------------------------------------------------------- seeding


@contextlib.contextmanager
def _given_timestamps(*models: Any) -> Iterator[None]:
    """Let bulk_create keep the created/modified times the bench gives (auto_now would stamp them all now)."""
    fields = [f for m in models for f in m._meta.concrete_fields if getattr(f, "auto_now", False) or
              getattr(f, "auto_now_add", False)]  # fmt: skip
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, now, add in saved:
            f.auto_now, f.auto_now_add = now, add


def seed(people: int, seed_value: int) -> dict[str, Any]:
    from django.db import transaction

    from groundswell.api.actions import do_create_api_token
    from groundswell.chapters.actions import do_create_chapter, do_grant_role
    from groundswell.chapters.models import ChapterStatus, Role
    from groundswell.chapters.owners import chapter_owner, state_owner
    from groundswell.core.actions import do_create_user
    from groundswell.people.models import EmailAddress, Person, PersonView, Via, sort_name_for

    chapter = do_create_chapter(name="Pittsburgh Groundswell", slug="pittsburgh", state="PA",
                                status=ChapterStatus.ACTIVE, actor=None)  # fmt: skip
    leader = do_create_user(email=LEADER_EMAIL, password="bench-Pass-12345", actor=None)
    do_grant_role(leader, Role.CHAPTER_LEADER, chapter=chapter, actor=None)
    staff = do_create_user(email=STAFF_EMAIL, password="bench-Pass-12345", actor=None)
    do_grant_role(staff, Role.NATIONAL_STAFF, actor=None)
    owners = [chapter_owner(chapter), state_owner("PA")]
    rng = random.Random(seed_value)
    started = time.perf_counter()
    step = SPAN / people
    base = EPOCH - SPAN
    for start in range(0, people, 10_000):
        batch = []
        for i in range(start, min(people, start + 10_000)):
            created = base + step * i
            modified = min(EPOCH, created + dt.timedelta(seconds=rng.randint(0, 30 * 86_400)))
            first, last = f"First{i % 977}", f"Last{i % 1013}"
            batch.append(Person(first_name=first, last_name=last, sort_name=sort_name_for(first, last),
                                city="Pittsburgh", state="PA", zip_code="15213", source="bench import",
                                created_at=created, updated_at=modified))  # fmt: skip
        with transaction.atomic(), _given_timestamps(Person, EmailAddress):
            made = Person.objects.bulk_create(batch, batch_size=2_000)
            if made[0].pk is None:  # a backend that does not return ids: read them back by uid
                ids = dict(Person.objects.filter(uid__in=[p.uid for p in made]).values_list("uid", "pk"))
                for p in made:
                    p.pk = ids[p.uid]
            PersonView.objects.bulk_create(
                [PersonView(person_id=p.pk, owner=o, first_name=p.first_name, last_name=p.last_name,
                            sort_name=p.sort_name, city=p.city, state=p.state, zip_code=p.zip_code,
                            created_at=p.created_at, updated_at=p.updated_at) for p in made for o in owners],
                batch_size=2_000,
            )  # fmt: skip
            EmailAddress.objects.bulk_create(
                [EmailAddress(person_id=p.pk, owner=owners[0], via=Via.IMPORT, source="bench import",
                              recorded_at=p.created_at, address=f"person{p.pk}@example.org", is_primary=True,
                              created_at=p.created_at) for p in made],
                batch_size=2_000,
            )  # fmt: skip
        print(f"seeded {start + len(batch):,} in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    seeded_s = time.perf_counter() - started
    tokens = {who: do_create_api_token(user=user, name="bench", actor=None)[1]
              for who, user in (("leader", leader), ("staff", staff))}  # fmt: skip
    _analyze()
    return {"seeded_s": seeded_s, "tokens": tokens}


def _analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def tokens_child() -> None:
    """Fresh tokens for the readers of a database an earlier run seeded and kept (``--reuse``)."""
    import django

    django.setup()
    from groundswell.api.actions import do_create_api_token
    from groundswell.core.models import User

    tokens = {who: do_create_api_token(user=User.objects.get(email=email), name="bench", actor=None)[1]
              for who, email in READERS.items()}  # fmt: skip
    print("RESULT " + json.dumps({"seeded_s": 0.0, "tokens": tokens}), flush=True)


def seed_child(people: int, seed_value: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print("RESULT " + json.dumps(seed(people, seed_value)), flush=True)


# ------------------------------------------------------------------------------------------- served


def _bare_people(request: Any) -> Any:
    """The same rows the API's people collection pages, with nothing else: no token, HAL, contacts or audit."""
    from django.db.models import Q
    from django.http import JsonResponse

    from groundswell.chapters.access import scope_for
    from groundswell.core.models import User
    from groundswell.people.selectors import person_column, visible_rows

    user = User.objects.get(email=READERS[request.GET["as"]])
    scope = scope_for(user)
    column = person_column(scope)
    rows = visible_rows(scope).filter(Q(updated_at__gt=cutoff())).order_by("created_at", column)
    page = int(request.GET.get("page", "1"))
    total = rows.count()
    page_rows = list(rows.values("uid", "first_name", "last_name", "city", "state", "zip_code", "created_at",
                                 "updated_at")[(page - 1) * PER_PAGE : page * PER_PAGE])  # fmt: skip
    return JsonResponse({"total_records": total, "page": page, "per_page": PER_PAGE, "people": page_rows})


def bench_application() -> Any:
    """The WSGI app gunicorn serves for the bench: Groundswell's URLs plus /bench/bare-people."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "groundswell.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application
    from django.urls import include, path

    # The bench's server has nothing to finish when it is told to stop: it stops at once, instead of
    # waiting out gunicorn's graceful timeout for the client's idle keep-alive connection.
    signal.signal(signal.SIGTERM, lambda signum, frame: os._exit(0))
    urls = types.ModuleType("bench_api_urls")
    urls.urlpatterns = [path("bench/bare-people", _bare_people), path("", include("groundswell.urls"))]  # type: ignore[attr-defined]  # a URLconf built at run time
    sys.modules["bench_api_urls"] = urls
    settings.ROOT_URLCONF = "bench_api_urls"
    return get_wsgi_application()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def served(env: dict[str, str]) -> Iterator[str]:
    port = _free_port()
    server = subprocess.Popen(  # our own interpreter and a fixed argument list
        [sys.executable, "-m", "gunicorn", "api:bench_application()", "--pythonpath", f"{ROOT / 'bench'},{ROOT}",
         "--bind", f"127.0.0.1:{port}", "--workers", "1", "--worker-class", "gthread", "--threads", "2",
         "--timeout", "120", "--log-level", "warning"],
        env=env, cwd=ROOT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(url, server)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait_for(url: str, server: subprocess.Popen[bytes]) -> None:
    import requests

    for _ in range(600):
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}")
        with contextlib.suppress(requests.ConnectionError):
            requests.get(f"{url}/api/v1/", timeout=300)  # a 401 is an answer: the server is up
            return
        time.sleep(0.1)
    raise SystemExit("gunicorn did not start")


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def pages_for(total: int, count: int, seed_value: int) -> list[int]:
    rng = random.Random(seed_value)
    last = max(1, -(-total // PER_PAGE))
    return [rng.randint(1, last) for _ in range(count)]


def measure(url: str, tokens: dict[str, str], kept: int, count: int, seed_value: int) -> dict[str, Any]:
    """Both views, alternately, for the same pages: (p50, p95) in ms of each, per reader."""
    import requests

    session = requests.Session()
    pages = pages_for(kept, count, seed_value)
    results: dict[str, Any] = {}
    for who, token in tokens.items():
        ours: dict[str, str | int] = {"filter": people_filter(), "per_page": PER_PAGE}
        headers = {"OSDI-API-Token": token}

        def api(page: int, ours: dict[str, str | int] = ours, headers: dict[str, str] = headers) -> Any:
            return session.get(f"{url}/api/v1/people", params=dict(ours, page=page), headers=headers, timeout=120)

        def bare(page: int, who: str = who) -> Any:
            query: dict[str, str | int] = {"as": who, "page": page}
            return session.get(f"{url}/bench/bare-people", params=query, timeout=120)

        for page in pages[:10]:  # warm: connections, templates, the first queries' plans
            api(page), bare(page)
        first = api(pages[0]).json()
        assert first["total_records"] == bare(pages[0]).json()["total_records"], "the two views disagree"
        timings: dict[str, list[float]] = {"api": [], "bare": []}
        for i, page in enumerate(pages):
            order: list[tuple[str, Callable[[int], Any]]] = [("api", api), ("bare", bare)]
            for name, view in order if i % 2 else reversed(order):
                started = time.perf_counter()
                response = view(page)
                timings[name].append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (name, response.status_code, response.text[:200])
        results[who] = {"total_records": first["total_records"],
                        **{name: list(_percentiles(s)) for name, s in timings.items()}}  # fmt: skip
    session.close()
    return results


# ------------------------------------------------------------------------------------------- breakdown


def breakdown_child(tokens: dict[str, str], count: int, seed_value: int) -> None:
    """The parts of one API people request, each timed alone in one process (p50 ms over the pages)."""
    import django

    django.setup()
    from django.test import RequestFactory

    from groundswell.api import limits
    from groundswell.api.auth import api_caller, api_user
    from groundswell.api.base import FACES, ApiCall
    from groundswell.api.osdi import person_resource
    from groundswell.chapters.access import scope_for
    from groundswell.core.audit import record_audit
    from groundswell.core.models import AuditEvent
    from groundswell.people.selectors import person_column, seen_people, visible_rows

    factory = RequestFactory()
    base = "http://testserver/api/v1"
    out: dict[str, Any] = {}
    for who, token in tokens.items():
        clock = _PartsClock()
        user = api_user(factory.get("/api/v1/people", HTTP_OSDI_API_TOKEN=token))
        rows_total = 0
        for page in pages_for(_kept(user), count, seed_value):
            request = factory.get("/api/v1/people", {"page": page}, HTTP_OSDI_API_TOKEN=token)
            with clock("token lookup"):
                caller = api_caller(request)
            assert caller is not None
            user = caller.user
            with clock("rate limit"):
                limits.retry_after(caller.rate_key)
            with clock("scope"):
                scope = scope_for(user)
            rows = visible_rows(scope).filter(updated_at__gt=cutoff()).order_by("created_at", person_column(scope))
            with clock("count(*)"):
                rows_total = rows.count()
            with clock("page rows"):
                page_rows = list(rows[(page - 1) * PER_PAGE : page * PER_PAGE])
            with clock("seen_people (contacts, tags)"):
                seen = seen_people(user, page_rows)
            call = ApiCall(request=request, face=FACES["osdi"], user=user)
            with clock("HAL rendering + JSON"):
                json.dumps([person_resource(p, base, call.identifiers(p.uid)) for p in seen], default=str)
            ids = [f"groundswell:{p.uid}" for p in seen]
            with clock("audit write"):
                record_audit(AuditEvent.API_PEOPLE_READ, actor=user, summary=f"read {len(ids)} people through the API",
                             details={"path": "/api/v1/people", "ids": ids})  # fmt: skip
        out[who] = {"rows": rows_total, **clock.medians()}
    print("RESULT " + json.dumps(out), flush=True)


class _PartsClock:
    """Milliseconds per named part, over many requests."""

    def __init__(self) -> None:
        self.parts: dict[str, list[float]] = {}

    @contextlib.contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        yield
        self.parts.setdefault(name, []).append((time.perf_counter() - started) * 1000)

    def medians(self) -> dict[str, float]:
        return {name: statistics.median(samples) for name, samples in self.parts.items()}


def _kept(user: Any) -> int:
    from groundswell.chapters.access import scope_for
    from groundswell.people.selectors import visible_rows

    return int(visible_rows(scope_for(user)).filter(updated_at__gt=cutoff()).count())


# ------------------------------------------------------------------------------------------- parent


def _child(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    completed = subprocess.run(  # our own interpreter and script; its progress goes to our stderr
        [sys.executable, __file__, *args], env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=False
    )
    if completed.returncode != 0:
        sys.stderr.write(completed.stdout)
        raise SystemExit(f"{args[0]} failed")
    line = next(x for x in completed.stdout.splitlines() if x.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))  # type: ignore[no-any-return]


def run_database(label: str, database_url: str, data_dir: Path, options: argparse.Namespace) -> dict[str, Any]:
    env = {**os.environ, "DATABASE_URL": database_url, "GROUNDSWELL_DATA_DIR": str(data_dir),
           "GROUNDSWELL_ALLOWED_HOSTS": "127.0.0.1,testserver", "DJANGO_SETTINGS_MODULE": "groundswell.settings",
           "GROUNDSWELL_DEBUG": "false", "GROUNDSWELL_API_RATE_LIMIT": "100000",
           "GROUNDSWELL_API_RATE_BURST": "100000"}  # fmt: skip
    if options.reuse:
        print(f"  {label}: reusing the {options.people:,} people an earlier run seeded …", flush=True)
        seeded = _child(["--tokens-child"], env)
    else:
        print(f"  {label}: migrating, {options.people:,} people by bulk insert …", flush=True)
        seeded = _child(["--seed-child", "--people", str(options.people), "--seed", str(options.seed)], env)
    print(f"  {label}: seeded in {seeded['seeded_s']:.1f} s; {options.requests} requests per view and reader …",
          flush=True)  # fmt: skip
    kept = round(options.people * KEPT)
    with served(env) as url:
        timings = measure(url, seeded["tokens"], kept, options.requests, options.seed)
    print(f"  {label}: timing the parts of one request …", flush=True)
    parts = _child(["--breakdown-child", json.dumps(seeded["tokens"]), "--requests",
                    str(options.breakdown), "--seed", str(options.seed)], env)  # fmt: skip
    return {"seeded_s": seeded["seeded_s"], "timings": timings, "parts": parts}


def _pg(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def report(options: argparse.Namespace, results: dict[str, dict[str, Any]]) -> None:
    print()
    print(f"GET /api/v1/people?per_page=25&page=P&filter={people_filter()}")
    print(f"{options.people:,} people, {options.requests} requests per view and reader, pages spread across "
          "the rows the filter keeps; gunicorn (1 gthread worker), requests keep-alive (ms; goal: API p95 at "
          "most 2x the bare view's)")  # fmt: skip
    print(f"{'database':<12}{'reader':<9}{'rows':>9}{'bare p50':>10}{'bare p95':>10}{'API p50':>10}{'API p95':>10}"
          f"{'p95 ratio':>11}")  # fmt: skip
    for label, r in results.items():
        for who, t in r["timings"].items():
            (b50, b95), (a50, a95) = t["bare"], t["api"]
            verdict = "ok" if a95 <= 2 * b95 else "over"
            print(f"{label:<12}{who:<9}{t['total_records']:>9,}{b50:>10.1f}{b95:>10.1f}{a50:>10.1f}{a95:>10.1f}"
                  f"{a95 / b95:>10.2f}x {verdict}")  # fmt: skip
    print()
    print("Where an API request's time goes: each part timed alone in one process (p50 ms)")
    for label, r in results.items():
        for who, parts in r["parts"].items():
            cells = ", ".join(f"{name} {ms:.1f}" for name, ms in parts.items() if name != "rows")
            print(f"  {label} {who}: {cells}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=300, help="Requests per view and reader.")
    parser.add_argument("--breakdown", type=int, default=40, help="Pages for the timing of a request's parts.")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--only", choices=("sqlite", "postgres"))
    parser.add_argument("--pg-name", default=PG_NAME, help="The PostgreSQL database to create and drop.")
    parser.add_argument("--keep", action="store_true", help="Keep the PostgreSQL database at the end.")
    parser.add_argument("--reuse", action="store_true", help="Measure on the PostgreSQL database a --keep run left "
                        "(give the same --people).")  # fmt: skip
    parser.add_argument("--seed-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--tokens-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--breakdown-child", help=argparse.SUPPRESS)
    options = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if options.seed_child:
        seed_child(options.people, options.seed)
        return
    if options.tokens_child:
        tokens_child()
        return
    if options.breakdown_child:
        breakdown_child(json.loads(options.breakdown_child), options.requests, options.seed)
        return
    results = {}
    with tempfile.TemporaryDirectory(prefix="gs-bench-api-") as tmp:
        tmp_dir = Path(tmp)
        if options.only in (None, "sqlite"):
            results["SQLite"] = run_database("SQLite", f"sqlite:///{tmp_dir / 'bench.sqlite3'}", tmp_dir, options)
        if options.only in (None, "postgres"):
            if not options.reuse:
                _pg(f"DROP DATABASE IF EXISTS {options.pg_name}")
                _pg(f"CREATE DATABASE {options.pg_name}")
            try:
                results["PostgreSQL"] = run_database("PostgreSQL", f"{PG_SERVER}/{options.pg_name}", tmp_dir, options)
            finally:
                if not options.keep:
                    _pg(f"DROP DATABASE IF EXISTS {options.pg_name}")
    report(options, results)


if __name__ == "__main__":
    main()

"""Benchmark: importing a people CSV, and searching and listing people, on SQLite and PostgreSQL.

    .venv/bin/python bench/people_import.py [--rows N] [--runs R] [--only sqlite|postgres]

Generates a deterministic (seeded) CSV of N people, about 5% of whose rows repeat an earlier row's
email or phone (so that dedupe has work to do). For each database, in a fresh database the bench
creates itself (a temporary SQLite file; a PostgreSQL database gs_bench_people, dropped at the end):

- baseline: a bare Person.objects.bulk_create of the same rows (names and addresses only);
- ours: the real import by national staff (groundswell.people.importing: check every row, match in
  bulk, apply in one transaction, writing people and their facts — details, emails, phones, tags,
  consent, timeline — and the audit entry);
- then the same rows again, each place's into its chapter by its leader (ten imports: every row
  matches someone known nationally and is new to the chapter, so each person gains a chapter's facts
  and the views of the chapter and its state);
- then p50/p95 of the people list page (Django test Client) as national staff — the unscoped query,
  Person rows — beside the same requests as the Pennsylvania coordinator (the state's view) and the
  Pittsburgh leader (the chapter's): unfiltered first page, name prefix, first and last name, email,
  phone. The goal for the scoped pages: at most 1.5 times national's p95.

Each database runs in its own child process, because Django reads DATABASE_URL once at start-up.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
PG_NAME = "gs_bench_people"

FIRST = (
    "Maria Jose James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard "
    "Susan Joseph Jessica Thomas Sarah Carlos Karen Daniel Lisa Matthew Nancy Anthony Betty Mark Sandra Aisha "
    "Ashley Kevin Kimberly Brian Emily George Donna Timothy Michelle Ronald Carol Jason Amanda Edward Melissa "
    "Jeffrey Deborah Ryan Stephanie Jacob Rebecca Gary Sharon Nicholas Laura Eric Cynthia Wei Kathleen Jonathan "
    "Amy Stephen Angela Larry Shirley Justin Anna Scott Brenda Brandon Pamela Benjamin Emma Samuel Nicole Gregory "
    "Helen Alexander Samantha Frank Katherine Patrick Christine Raymond Debra Jack Rachel Dennis Carolyn Jerry "
    "Janet Tyler Catherine Aaron Maria Jose Fatima Adam Heather Nathan Diane Henry Ruth Douglas Julie Zachary "
    "Olivia Peter Joyce Kyle Virginia Ethan Victoria Walter Kelly Noah Lauren Jeremy Christina Christian Joan "
    "Keith Evelyn Roger Judith Terry Megan Gerald Andrea Harold Cheryl Sean Hannah Austin Jacqueline Carl "
    "Martha Arthur Gloria Lawrence Teresa Dylan Ann Jesse Sara Jordan Madison Bryan Frances Billy Kathryn"
).split()
LAST = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson "
    "Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis "
    "Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall "
    "Rivera Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes "
    "Stewart Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard "
    "Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price "
    "Alvarez Castillo Sanders Patel Myers Long Ross Foster Jimenez Powell Jenkins Perry Russell Sullivan Bell "
    "Coleman Butler Henderson Barnes Gonzales Fisher Vasquez Simmons Romero Jordan Patterson Alexander Hamilton "
    "Graham Reynolds Griffin Wallace Moreno West Cole Hayes Bryant Herrera Gibson Ellis Tran Medina Aguilar "
    "Stevens Murray Ford Castro Marshall Owens Harrison Fernandez McDonald Woods Washington Kennedy Wells "
    "Vargas Henry Chen Freeman Webb Tucker Guzman Burns Crawford Olson Simpson Porter Hunter Gordon Mendez "
    "Silva Shaw Snyder Mason Dixon Munoz Hunt Hicks Holmes Palmer Wagner Black Robertson Boyd Rose Stone "
    "Salazar Fox Warren Mills Meyer Rice Schmidt Garza Daniels Ferguson Nichols Stephens Soto Weaver Ryan "
    "Gardner Payne Grant Dunn Kelley Spencer Hawkins Arnold Pierce Vazquez Hansen Peters Santos Hart Bradley "
    "Knight Elliott Cunningham Duncan Armstrong Hudson Carroll Lane Riley Andrews Alvarado Ray Delgado Berry "
    "Perkins Hoffman Johnston Matthews Pena Richards Contreras Willis Carpenter Lawrence Sandoval"
).split()
PLACES = (("Pittsburgh", "PA", "152", "412"), ("Philadelphia", "PA", "191", "215"), ("Providence", "RI", "029", "401"),
          ("Boston", "MA", "021", "617"), ("Cleveland", "OH", "441", "216"), ("Durham", "NC", "277", "919"),
          ("Atlanta", "GA", "303", "404"), ("Detroit", "MI", "482", "313"), ("Denver", "CO", "802", "303"),
          ("Oakland", "CA", "946", "510"))  # fmt: skip
STREETS = "Main Oak Maple Cedar Elm Pine Walnut Liberty Penn Forbes Center Market Union Church Park".split()
TAGS = ("volunteer", "donor", "canvasser", "phonebank", "host", "union member", "student", "tenant organizer")
HEADER = ["First Name", "Last Name", "Email", "Phone", "Address", "City", "State", "Zip", "Birth Year", "Tags",
          "Email Opt-in", "SMS Opt-in"]  # fmt: skip


def generate_csv(path: Path, rows: int, seed: int) -> dict[str, int]:
    """Deterministic by seed. About 5% of rows repeat an earlier row's email or phone."""
    rng = random.Random(seed)
    made: list[tuple[str, str]] = []
    repeats = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for i in range(rows):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            city, state, zip3, area = rng.choice(PLACES)
            email = f"{first}.{last}.{i}@example{i % 7}.org".lower()
            # Exchange 200-999 and a line number from i: valid, and distinct for every row.
            phone = f"({area}) {200 + (i // 10000) % 800}-{i % 10000:04d}"
            if made and rng.random() < 0.05:
                earlier_email, earlier_phone = rng.choice(made)
                if rng.random() < 0.5:
                    email = earlier_email
                else:
                    phone, email = earlier_phone, ""
                repeats += 1
            else:
                made.append((email, phone))
            tags = ",".join(rng.sample(TAGS, rng.choice((0, 0, 1, 2))))
            writer.writerow([
                first, last, email, phone, f"{rng.randint(1, 9999)} {rng.choice(STREETS)} St", city, state,
                f"{zip3}{rng.randint(0, 99):02d}", rng.choice(("", str(rng.randint(1940, 2006)))), tags,
                rng.choice(("yes", "no", "")), rng.choice(("yes", "no", "")),
            ])  # fmt: skip
    return {"rows": rows, "repeats": repeats}


# ------------------------------------------------------------------------------------------- child


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def child(csv_path: Path, runs: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from groundswell.people.models import Person

    result: dict[str, object] = {"vendor": connection.vendor}
    result["baseline_s"] = _baseline(csv_path)
    with connection.cursor() as cursor:  # empty again, so both runs start from the same state
        cursor.execute("DELETE FROM people_person")
    result.update(_ours(csv_path))
    result["people"] = Person.objects.count()
    result["chapters_s"], result["chapter_rows"] = _chapter_imports(csv_path)
    result["searches"] = {label: _searches(runs, user) for label, user in _readers().items()}
    result["phone_queries"] = _phone_queries(runs)
    print("RESULT " + json.dumps(result))


def _baseline(csv_path: Path) -> float:
    """A bare bulk insert of the same rows: no checks, no matching, no contacts, one transaction."""
    from django.db import transaction

    from groundswell.people.models import Person

    started = time.perf_counter()
    with csv_path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        people = [
            Person(first_name=r["First Name"], last_name=r["Last Name"], sort_name=f"{r['Last Name']} "
                   f"{r['First Name']}".lower(), address_line1=r["Address"], city=r["City"], state=r["State"],
                   zip_code=r["Zip"])
            for r in reader
        ]  # fmt: skip
    with transaction.atomic():
        Person.objects.bulk_create(people, batch_size=1000)
    return time.perf_counter() - started


class _PhaseClock:
    """Records how long each phase of the import took (the same calls the job's Progress gets)."""

    def __init__(self) -> None:
        self.phases: dict[str, float] = {}
        self._name, self._start = "", time.perf_counter()

    def phase(self, name: str, total: int | None = None) -> None:
        self._close()
        self._name, self._start = name, time.perf_counter()

    def advance(self, count: int = 1) -> None:
        pass

    def _close(self) -> None:
        if self._name:
            self.phases[self._name] = time.perf_counter() - self._start

    def finish(self) -> dict[str, float]:
        self._close()
        self._name = ""
        return self.phases


def _ours(csv_path: Path) -> dict[str, object]:
    from groundswell.people.importing import do_import_people, do_upload_people_file

    started = time.perf_counter()
    batch = do_upload_people_file(csv_path, chapter=None, actor=None)
    clock = _PhaseClock()
    result = do_import_people(batch, actor=None, progress=clock)
    total = time.perf_counter() - started
    return {"ours_s": total, "phases": clock.finish(), "counts": result.counts.as_dict()}


def _chapter_slug(city: str) -> str:
    return city.lower().replace(" ", "-")


def _chapter_imports(csv_path: Path) -> tuple[float, int]:
    """Each place's rows imported into its chapter by its leader. Returns the seconds and rows."""
    from groundswell.chapters.actions import do_create_chapter, do_grant_role
    from groundswell.chapters.models import ChapterStatus, Role
    from groundswell.core.actions import do_create_user
    from groundswell.people.importing import do_import_people, do_upload_people_file

    with csv_path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        by_city: dict[str, list[list[str]]] = {}
        for row in reader:
            by_city.setdefault(row[HEADER.index("City")], []).append(row)
    elapsed, rows = 0.0, 0
    for city, state, _, _ in PLACES:
        chapter = do_create_chapter(name=f"{city} Groundswell", slug=_chapter_slug(city), state=state,
                                    status=ChapterStatus.ACTIVE, actor=None)  # fmt: skip
        leader = do_create_user(email=f"leader.{chapter.slug}@example.org", password="bench-Pass-12345", actor=None)
        do_grant_role(leader, Role.CHAPTER_LEADER, chapter=chapter, actor=None)
        path = csv_path.with_name(f"{chapter.slug}.csv")
        with path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(header)
            writer.writerows(by_city[city])
        started = time.perf_counter()
        batch = do_upload_people_file(path, chapter=chapter, actor=leader)
        do_import_people(batch, actor=leader)
        elapsed += time.perf_counter() - started
        rows += len(by_city[city])
    return elapsed, rows


def _readers() -> dict[str, Any]:
    """National staff (unscoped), the Pennsylvania coordinator and the Pittsburgh leader."""
    from groundswell.chapters.actions import do_grant_role
    from groundswell.chapters.models import Role
    from groundswell.core.actions import do_create_user
    from groundswell.core.models import User

    staff = do_create_user(email="bench.staff@example.org", password="bench-Pass-12345", actor=None)
    do_grant_role(staff, Role.NATIONAL_STAFF, actor=None)
    coordinator = do_create_user(email="bench.coordinator@example.org", password="bench-Pass-12345", actor=None)
    do_grant_role(coordinator, Role.STATE_COORDINATOR, state="PA", actor=None)
    leader = User.objects.get(email="leader.pittsburgh@example.org")
    return {"national staff": staff, "PA coordinator": coordinator, "Pittsburgh leader": leader}


def _searches(runs: int, user: Any) -> dict[str, Any]:
    from django.test import Client
    from django.test.utils import override_settings

    from groundswell.chapters.access import scope_for
    from groundswell.people.models import EmailAddress, PhoneNumber
    from groundswell.people.selectors import count_in_scope

    rng = random.Random(7)
    scope = scope_for(user)
    # Addresses and numbers the reader's own scope holds, so that each search finds someone.
    emails = list(EmailAddress.objects.filter(scope.owner_q()).order_by("?").values_list("address", flat=True)[:runs])
    phones = list(PhoneNumber.objects.filter(scope.owner_q()).order_by("?").values_list("number", flat=True)[:runs])
    cases = {
        "list, first page": ["" for _ in range(runs)],
        "name prefix": [rng.choice(LAST)[:4].lower() for _ in range(runs)],
        "first last": [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(runs)],
        "email": emails,
        "phone (last 7)": [f"{p[-7:-4]}-{p[-4:]}" for p in phones],
    }
    storages = {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
                "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # fmt: skip
    timings: dict[str, Any] = {"people": count_in_scope(user)}
    with override_settings(STORAGES=storages):
        client = Client()
        client.force_login(user)
        client.get("/people/")  # warm caches (templates, session)
        for name, queries in cases.items():
            samples = []
            for q in queries:
                started = time.perf_counter()
                response = client.get("/people/", {"q": q} if q else {})
                samples.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.status_code
            timings[name] = list(_percentiles(samples))
    return timings


def _phone_queries(runs: int) -> dict[str, list[float]]:
    """The phone search as a query alone: 'ends with' on the number through a join (how it was
    written before), and search_people's 'reversed digits start with' subquery (index-friendly)."""
    from groundswell.people.models import Person, PhoneNumber
    from groundswell.people.selectors import search_people

    phones = list(PhoneNumber.objects.order_by("?").values_list("number", flat=True)[:runs])
    people = Person.objects.live().order_by("sort_name", "id")
    variants: dict[str, Callable[[str], Any]] = {
        "number ends with (join)": lambda tail: people.filter(phones__number__endswith=tail).distinct(),
        "search_people (reversed)": lambda tail: search_people(people, tail),
    }
    timings = {}
    for name, query in variants.items():
        samples = []
        for phone in phones:
            started = time.perf_counter()
            list(query(phone[-7:]).values_list("pk", flat=True)[:50])
            samples.append((time.perf_counter() - started) * 1000)
        timings[name] = list(_percentiles(samples))
    return timings


# ------------------------------------------------------------------------------------------- parent


def _run_child(label: str, database_url: str, csv_path: Path, runs: int, data_dir: Path) -> dict[str, object]:
    env = {**os.environ, "DATABASE_URL": database_url, "GROUNDSWELL_DATA_DIR": str(data_dir),
           "GROUNDSWELL_ALLOWED_HOSTS": "testserver", "DJANGO_SETTINGS_MODULE": "groundswell.settings"}  # fmt: skip
    print(f"  {label}: migrating, bulk insert baseline, import, searches …", flush=True)
    completed = subprocess.run(  # our own interpreter and script
        [sys.executable, __file__, "--child", str(csv_path), "--runs", str(runs)],
        env=env, cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if completed.returncode != 0:
        sys.stderr.write(completed.stdout + completed.stderr)
        raise SystemExit(f"{label} run failed")
    line = next(x for x in completed.stdout.splitlines() if x.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))  # type: ignore[no-any-return]


def _pg(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def _report(rows: int, results: dict[str, dict[str, object]]) -> None:
    print()
    print(f"Import of {rows:,} rows (rows/s; higher is better)")
    print(f"{'database':<12}{'bulk insert':>14}{'our import':>14}{'ratio':>8}   counts / phases (s)")
    for label, r in results.items():
        base, ours = rows / float(r["baseline_s"]), rows / float(r["ours_s"])  # type: ignore[arg-type]
        phases = ", ".join(f"{k} {v:.1f}" for k, v in r["phases"].items())  # type: ignore[attr-defined]
        print(f"{label:<12}{base:>14,.0f}{ours:>14,.0f}{ours / base:>8.2f}   {r['counts']}")
        print(f"{'':<48}   {phases}")
        chapter_rate = float(r["chapter_rows"]) / float(r["chapters_s"])  # type: ignore[arg-type]
        print(f"{'':<12}{'':>14}{chapter_rate:>14,.0f}{chapter_rate / base:>8.2f}   the same rows again, into ten "
              "chapters by their leaders")  # fmt: skip
    print()
    print("People list page, Django test Client (ms; goal < 100; scoped p95 at most 1.5x national's)")
    for label, r in results.items():
        print(f"{label} ({r['people']:,} people)")
        searches: dict[str, dict[str, Any]] = r["searches"]  # type: ignore[assignment]
        readers = list(searches)
        national = searches[readers[0]]
        heads = [f"{who} ({searches[who]['people']:,})" for who in readers]
        print(f"  {'request':<22}" + "".join(f"{head:>34}" for head in heads))
        print(f"  {'':<22}" + "".join(f"{'p50':>12}{'p95':>11}{'p95 / nat':>11}" for _ in readers))
        for name in (k for k in national if k != "people"):
            cells = ""
            for who in readers:
                p50, p95 = searches[who][name]
                cells += f"{p50:>12.1f}{p95:>11.1f}{p95 / national[name][1]:>10.2f}x"
            print(f"  {name:<22}{cells}")
        print(f"  {'phone query alone':<22}{'p50':>9}{'p95':>9}")
        for name, (p50, p95) in r["phone_queries"].items():  # type: ignore[attr-defined]
            print(f"  {name:<30}{p50:>9.2f}{p95:>9.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=50, help="Requests per search kind.")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--only", choices=("sqlite", "postgres"))
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.child:
        child(args.child, args.runs)
        return
    with tempfile.TemporaryDirectory(prefix="gs-bench-people-") as tmp:
        tmp_dir = Path(tmp)
        csv_path = tmp_dir / "people.csv"
        made = generate_csv(csv_path, args.rows, args.seed)
        repeats = made["repeats"]
        print(f"Generated {made['rows']:,} rows ({repeats:,} repeat an earlier email or phone), seed {args.seed}")
        results = {}
        if args.only in (None, "sqlite"):
            results["SQLite"] = _run_child("SQLite", f"sqlite:///{tmp_dir / 'bench.sqlite3'}", csv_path, args.runs,
                                           tmp_dir)  # fmt: skip
        if args.only in (None, "postgres"):
            _pg(f"DROP DATABASE IF EXISTS {PG_NAME}")
            _pg(f"CREATE DATABASE {PG_NAME}")
            try:
                results["PostgreSQL"] = _run_child("PostgreSQL", f"{PG_SERVER}/{PG_NAME}", csv_path, args.runs,
                                                   tmp_dir)  # fmt: skip
            finally:
                _pg(f"DROP DATABASE IF EXISTS {PG_NAME}")
        _report(args.rows, results)


if __name__ == "__main__":
    main()

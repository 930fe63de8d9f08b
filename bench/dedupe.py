"""How duplicate proposals scale: blocking + scoring over N people, beside two baselines run here.

    GROUNDSWELL_DATA_DIR=var/bench .venv/bin/python bench/dedupe.py [--people 200000]
    (add DATABASE_URL=postgres://... to run it on PostgreSQL; the bench creates and drops its own tables
    through a throwaway test database)

Prints:
  - the time to read every person's scoring fields once (a full scan: the floor for any approach
    that looks at everyone), and our blocked proposal time as a multiple of it;
  - all-pairs scoring measured on a sample and extrapolated to N (what blocking avoids);
  - how many of the planted near-duplicates were proposed (recall), and how many proposals were planted
    pairs (the rest are random people who happen to look alike);
  - the duplicates page for national staff as it was (computing every proposal live in the request)
    beside the page as it is (reading the stored proposals, a page at a time), and what the background
    refresh that stores them costs: once for everyone, then incrementally after 1% of people changed.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "groundswell.settings")
os.environ.setdefault("GROUNDSWELL_DATA_DIR", str(Path(__file__).resolve().parent.parent / "var" / "bench"))

FIRST = (
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan Joseph "
    "Jessica Thomas Sarah Charles Karen Carlos Aisha Wei Priya Kwame Sofia Diego Fatima Tyrone Keisha Olga Hiroshi "
    "Daniel Nancy Matthew Lisa Anthony Betty Mark Sandra Luis Ana Jorge Rosa Omar Leila Ivan Mei Tariq Grace"
).split()
LAST = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson "
    "Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis Robinson "
    "Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell "
    "Mitchell Carter Roberts Okafor Kowalski Novak Haddad Cohen Murphy Kim Patel Shah Singh Chen Wang Ali Reyes"
).split()
STREETS = ("Main St", "Oak Ave", "Penn Ave", "Liberty Ave", "Forbes Ave", "Elm St", "Maple Dr", "Cedar Ln", "Hill Rd")
CITIES = (("Pittsburgh", "PA", "152"), ("Philadelphia", "PA", "191"), ("Providence", "RI", "029"),
          ("Erie", "PA", "165"), ("Allentown", "PA", "181"))  # fmt: skip


def synthetic_people(count: int, rng: random.Random) -> tuple[list[dict[str, str]], list[tuple[int, int]]]:
    """Rows of people, about 2% of them a second record of someone earlier (index pairs returned)."""
    rows: list[dict[str, str]] = []
    planted: list[tuple[int, int]] = []
    while len(rows) < count:
        if rows and rng.random() < 0.02:
            original_index = rng.randrange(len(rows))
            rows.append(near_duplicate(rows[original_index], len(rows), rng))
            planted.append((original_index, len(rows) - 1))
            continue
        city, state, zip_prefix = rng.choice(CITIES)
        first, last = rng.choice(FIRST), rng.choice(LAST)
        rows.append({
            "first_name": first, "last_name": last, "city": city, "state": state,
            "zip_code": f"{zip_prefix}{rng.randrange(100):02d}",
            "address_line1": f"{rng.randrange(1, 9999)} {rng.choice(STREETS)}" if rng.random() < 0.7 else "",
            "email": f"{first.lower()}.{last.lower()}{len(rows)}@example.org",
            "phone": f"+1412{rng.randrange(2000000, 9999999)}" if rng.random() < 0.6 else "",
        })  # fmt: skip
    return rows, planted


def near_duplicate(original: dict[str, str], index: int, rng: random.Random) -> dict[str, str]:
    """The same human typed in again: a nickname or typo, a new email, maybe another area code."""
    first = str(original["first_name"])
    variant = rng.choice(("typo", "same", "initial"))
    if variant == "typo" and len(first) > 3:
        cut = rng.randrange(1, len(first) - 1)
        first = first[:cut] + first[cut + 1 :]
    elif variant == "initial":
        first = first[0] + "."
    phone = str(original["phone"])
    return {
        **original,
        "first_name": first,
        "email": f"{str(original['last_name']).lower()}{index}@other.example",
        "phone": f"+1724{phone[-7:]}" if phone and rng.random() < 0.5 else "",
        "address_line1": original["address_line1"] if rng.random() < 0.7 else "",
    }


def insert(rows: list[dict[str, str]]) -> list[int]:
    from groundswell.people.models import EmailAddress, Person, PhoneNumber, sort_name_for

    people = [
        Person(
            first_name=r["first_name"], last_name=r["last_name"], city=r["city"], state=r["state"],
            zip_code=r["zip_code"], address_line1=r["address_line1"],
            sort_name=sort_name_for(str(r["first_name"]), str(r["last_name"])),
        )
        for r in rows
    ]  # fmt: skip
    Person.objects.bulk_create(people, batch_size=5000)
    ids = list(Person.objects.order_by("pk").values_list("pk", flat=True))
    EmailAddress.objects.bulk_create(
        (EmailAddress(person_id=i, address=r["email"], is_primary=True) for i, r in zip(ids, rows, strict=True)),
        batch_size=5000,
    )
    PhoneNumber.objects.bulk_create(
        (PhoneNumber(person_id=i, number=r["phone"]) for i, r in zip(ids, rows, strict=True) if r["phone"]),
        batch_size=5000,
        ignore_conflicts=True,  # two random numbers may collide; the real table allows one
    )
    return ids


def compare_pages(ids: list[int]) -> None:
    """The duplicates page for national staff: live (as it was) beside stored (as it is), and the refresh."""
    from django.conf import settings
    from django.core.paginator import Paginator
    from django.test import Client
    from django.test.utils import override_settings, setup_test_environment
    from django.utils import timezone

    from groundswell.people.models import Person
    from groundswell.people.proposals import do_refresh_duplicate_proposals
    from groundswell.people.selectors import live_duplicate_proposals_for
    from groundswell.people.views import DUPLICATES_PAGE_SIZE
    from groundswell.testing import make_personas

    setup_test_environment()
    staff = make_personas().staff
    started = time.perf_counter()
    live_page = Paginator(live_duplicate_proposals_for(staff), DUPLICATES_PAGE_SIZE).get_page(1)
    list(live_page)
    live_seconds = time.perf_counter() - started

    started = time.perf_counter()
    full = do_refresh_duplicate_proposals(actor=None, full=True)
    full_seconds = time.perf_counter() - started
    changed = ids[::100]  # 1% of people edited since
    for start in range(0, len(changed), 5000):
        Person.objects.filter(pk__in=changed[start : start + 5000]).update(updated_at=timezone.now())
    started = time.perf_counter()
    incremental = do_refresh_duplicate_proposals(actor=None)
    incremental_seconds = time.perf_counter() - started

    client = Client()
    client.force_login(staff)
    timings = []
    plain_static = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=plain_static):  # no collectstatic manifest in a bench
        for page_number in (1, 1, 2, 3, 1):  # the first request warms the session and template caches
            started = time.perf_counter()
            response = client.get("/people/duplicates/", {"page": page_number})
            timings.append(time.perf_counter() - started)
            assert response.status_code == 200
    stored_seconds = sorted(timings[1:])[len(timings[1:]) // 2]
    total = response.context["total"]
    print(f"duplicates page, live (as it was, baseline) ... {live_seconds:8.2f} s   1.0x")
    print(f"duplicates page, stored proposals (ours) ...... {stored_seconds:8.3f} s   "
          f"{live_seconds / stored_seconds:,.0f}x faster; {total:,} pairs, {DUPLICATES_PAGE_SIZE} a page")  # fmt: skip
    print(f"refresh in the background, everyone ........... {full_seconds:8.2f} s   "
          f"({full.people_rescored:,} people, {full.proposals:,} proposals stored)")  # fmt: skip
    kind = "full" if incremental.full else "incremental"
    print(f"refresh in the background, 1% changed ......... {incremental_seconds:8.2f} s   "
          f"({incremental.people_rescored:,} people rescored, {kind})")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--sample", type=int, default=2_000, help="people in the all-pairs baseline sample")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    from groundswell.people.dedupe import load_candidates, propose_duplicates, score_pair
    from groundswell.people.models import Person

    Path(os.environ["GROUNDSWELL_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    old = setup_databases(verbosity=0, interactive=False)
    try:
        rng = random.Random(20_240_601)
        rows, planted = synthetic_people(args.people, rng)
        started = time.perf_counter()
        ids = insert(rows)
        print(f"{connection.vendor}: inserted {len(ids):,} people in {time.perf_counter() - started:.1f} s")

        started = time.perf_counter()
        scan = list(Person.objects.values_list("pk", "first_name", "last_name", "address_line1", "city", "zip_code"))
        scan_seconds = time.perf_counter() - started

        started = time.perf_counter()
        proposals = propose_duplicates(Person.objects.live())
        ours_seconds = time.perf_counter() - started

        sample = load_candidates(ids[: args.sample])
        started = time.perf_counter()
        for a, b in combinations(sample.values(), 2):
            score_pair(a, b)
        sample_seconds = time.perf_counter() - started
        all_pairs_seconds = sample_seconds * (len(ids) ** 2) / (len(sample) ** 2)

        planted_pairs = {(ids[a], ids[b]) for a, b in planted}
        proposed = {(p.first.id, p.second.id) for p in proposals}
        found = len(planted_pairs & proposed)
        print(f"full scan of {len(scan):,} people (baseline) ....... {scan_seconds:8.2f} s   1.0x")
        print(f"duplicate proposals, blocked (ours) ............ {ours_seconds:8.2f} s   "
              f"{ours_seconds / scan_seconds:.1f}x the scan")  # fmt: skip
        print(f"all pairs, {len(sample):,} sample extrapolated (baseline) {all_pairs_seconds:8.0f} s   "
              f"{all_pairs_seconds / ours_seconds:,.0f}x ours")  # fmt: skip
        print(f"planted near-duplicates proposed: {found:,} of {len(planted_pairs):,} "
              f"({100 * found / max(1, len(planted_pairs)):.0f}% recall)")  # fmt: skip
        print(f"proposals: {len(proposals):,}, of which planted: {found:,} "
              f"({100 * found / max(1, len(proposals)):.0f}%; the rest are look-alikes in synthetic data)")  # fmt: skip
        compare_pages(ids)
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()

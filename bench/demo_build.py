"""How fast the demo organization is built: bulk inserts beside the one-person-at-a-time action.

    GROUNDSWELL_DATA_DIR=var/bench .venv/bin/python bench/demo_build.py [--people 5000] [--sample 200]
    (add DATABASE_URL=postgres://... to run it on PostgreSQL; it works in a throwaway test database)

Prints the time to build the whole demo with bulk_create (web/demo.py), and the baseline: the same
people saved one by one through people.actions.do_save_person (dedupe lookups, audit entry, timeline)
measured on a sample and extrapolated to the same number of people, with the ratio of the two.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "groundswell.settings")
os.environ.setdefault("GROUNDSWELL_DATA_DIR", str(Path(__file__).resolve().parent.parent / "var" / "bench"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--sample", type=int, default=200, help="People saved one by one for the baseline.")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    from groundswell.chapters.models import Chapter
    from groundswell.people.actions import PersonDetails, do_save_person
    from groundswell.people.models import Person
    from groundswell.web.demo import build_demo, plan_demo

    old = setup_databases(verbosity=0, interactive=False)
    try:
        started = time.perf_counter()
        summary = build_demo(people=args.people)
        ours = time.perf_counter() - started

        chapter = Chapter.objects.get(slug="providence")
        sample = plan_demo(seed=99, people=args.sample).people
        started = time.perf_counter()
        for i, p in enumerate(sample):
            details = PersonDetails(
                first_name=p.first_name, last_name=p.last_name, emails=[f"bench{i}.{p.emails[0]}"],
                address_line1=p.address_line1, city=p.city, state=p.state, zip_code=p.zip_code,
                email_consent=p.email_opt_in or None, tags=p.tags,
            )  # fmt: skip
            do_save_person(details, source="bench", actor=None, chapter=chapter)
        per_person = (time.perf_counter() - started) / len(sample)
        baseline = per_person * args.people
        assert Person.objects.count() == summary.people + len(sample)
    finally:
        teardown_databases(old, verbosity=0)

    print(f"database: {connection.vendor}")
    print(f"demo build, bulk inserts:       {ours:8.2f} s for {summary.people:,} people, "
          f"{summary.memberships:,} memberships")  # fmt: skip
    print(f"baseline, do_save_person each:  {baseline:8.2f} s (measured on {len(sample)}, extrapolated)")
    print(f"ratio baseline / ours:          {baseline / ours:8.1f}x")


if __name__ == "__main__":
    main()

"""Result rows per second importing the Allegheny County 2020 file, beside a baseline measured in the
same run: the same CSV read with the csv module and bulk-inserted, bare, into a plain table. Then p50/p95
of the state and district pages with Rhode Island loaded, beside /healthz.

Run:  GROUNDSWELL_DATA_DIR=var/bench .venv/bin/python bench/results_import.py
      (DATABASE_URL=postgres://... for PostgreSQL; a throwaway test database is created and dropped)
"""

from __future__ import annotations

import csv
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "groundswell.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

ALLEGHENY = (
    Path(__file__).resolve().parents[1]
    / "groundswell/powermap/data/openelections/20201103__pa__general__allegheny__precinct.csv"
)


def baseline_rows_per_second() -> tuple[int, float]:
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_raw (county varchar(40), precinct varchar(120), office varchar(80), "
            "district varchar(10), party varchar(10), candidate varchar(120), votes integer)"
        )
    start = time.perf_counter()
    with ALLEGHENY.open(newline="") as handle:
        rows = [
            (r["county"], r["precinct"], r["office"], r["district"], r["party"], r["candidate"], int(r["votes"]))
            for r in csv.DictReader(handle)
        ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany("INSERT INTO bench_raw VALUES (%s, %s, %s, %s, %s, %s, %s)", rows)
    return len(rows), time.perf_counter() - start


def import_seconds() -> tuple[int, float]:
    from groundswell.elections.actions import do_import_results

    start = time.perf_counter()
    with ALLEGHENY.open(newline="") as handle:
        from datetime import date

        report = do_import_results(handle, state="pa", election_date=date(2020, 11, 3), kind="general",
                                   county="Allegheny", source_name=ALLEGHENY.name, actor=None)  # fmt: skip
    return report.rows, time.perf_counter() - start


def page_times(client: object, url: str, n: int = 40) -> tuple[float, float]:
    times = []
    client.get(url)  # type: ignore[attr-defined]  # warm caches and templates
    for _ in range(n):
        start = time.perf_counter()
        response = client.get(url)  # type: ignore[attr-defined]
        times.append(1000 * (time.perf_counter() - start))
        assert response.status_code == 200, (url, response.status_code)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def main() -> None:
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        base_rows, base_s = baseline_rows_per_second()
        rows, ours_s = import_seconds()
        again_rows, again_s = import_seconds()
        print(f"database: {connection.vendor}")
        print(f"Allegheny 2020 results ({rows:,} rows)")
        print(f"  baseline csv + bare bulk insert : {base_rows / base_s:>10,.0f} rows/s  ({base_s:.2f} s)")
        print(f"  groundswell import_results      : {rows / ours_s:>10,.0f} rows/s  ({ours_s:.2f} s)"
              f"  = {base_s / ours_s:.2f}x baseline")  # fmt: skip
        print(f"  re-import, all unchanged        : {again_rows / again_s:>10,.0f} rows/s  ({again_s:.2f} s)")

        from django.conf import settings
        from django.test import Client, override_settings

        from groundswell.powermap.demo import load_power_map_demo
        from groundswell.testing import make_personas

        # Pages are measured without collectstatic: plain static storage, as in the tests.
        plain_backend = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
        plain = {**settings.STORAGES, "staticfiles": plain_backend}
        override_settings(STORAGES=plain).enable()
        personas = make_personas()
        load_power_map_demo()
        client = Client()
        client.force_login(personas.leader_b)
        print("Pages (Rhode Island loaded; ms, 40 requests each)")
        for label, url in (
            ("baseline /healthz", "/healthz"),
            ("state page /powermap/ri/", "/powermap/ri/"),
            ("district page RI House 39", "/powermap/district/ocd-division/country:us/state:ri/sldl:39/"),
            ("chamber map JSON (75 districts)", "/powermap/ri/lower/map.json"),
        ):
            p50, p95 = page_times(client, url)
            print(f"  {label:<34} p50 {p50:6.1f}  p95 {p95:6.1f}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()

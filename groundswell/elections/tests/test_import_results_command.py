"""groundswell import_results, run as users run it: the installed console script in a process of its own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from groundswell.core.jobs import do_enqueue_job, run_pending_jobs
from groundswell.core.models import JobStatus
from groundswell.elections.models import Candidacy, Race
from groundswell.elections.tests.test_openelections import DE_2016

GROUNDSWELL = Path(sys.executable).parent / "groundswell"


def _database_url() -> str:
    """The test database, as a URL the command's process can open."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def groundswell(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": _database_url(), "DJANGO_SETTINGS_MODULE": "groundswell.settings"}
    return subprocess.run(  # our own console script, a fixed argument list
        [str(GROUNDSWELL), *args], capture_output=True, text=True, timeout=180, env=env
    )


@pytest.mark.django_db(transaction=True)
def test_an_at_large_file_imports_from_the_command_line_and_its_dry_run_saves_nothing():
    dry = groundswell("import_results", str(DE_2016), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "skipped 12 total rows (dry run: nothing saved)" in dry.stdout
    assert "Traceback" not in dry.stderr
    assert not Race.objects.exists()

    done = groundswell("import_results", str(DE_2016))
    assert done.returncode == 0, done.stderr
    assert "inserted: " in done.stdout and "races" in done.stdout
    assert Race.objects.get(office__role="us_house").office.division.ocd_id == "ocd-division/country:us/state:de"


@pytest.mark.django_db(transaction=True)
def test_bad_rows_from_the_command_line_are_named_without_a_traceback(tmp_path):
    bad = tmp_path / "20201103__pa__general__dauphin__precinct.csv"
    bad.write_text(
        "county,precinct,office,district,party,candidate,votes\n"
        "Dauphin,HARRISBURG 1,U.S. House,,REP,Scott Perry,90\n"
        "Dauphin,HARRISBURG 1,President,,DEM,Joseph R. Biden,99999999999\n"
    )
    for args in (("import_results", str(bad), "--dry-run"), ("import_results", str(bad))):
        done = groundswell(*args)
        assert done.returncode == 1
        assert "Traceback" not in done.stderr
        assert "row 3, votes: '99999999999' is more votes than any count holds" in done.stderr
    binary = tmp_path / "20201103__pa__general__dauphin__precinct.xlsx"
    binary.write_bytes(b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xb5U0#\xf4\x00\x00\x00L\x02")
    done = groundswell("import_results", str(binary), "--state", "pa", "--date", "2020-11-03", "--kind", "general")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "file: is not UTF-8 text" in done.stderr
    assert not Candidacy.objects.exists()


@pytest.mark.django_db
def test_a_job_with_bad_rows_fails_once_naming_them(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("county,precinct,office,district,party,candidate,votes\nDauphin,H 1,U.S. House,,REP,Perry,9\n")
    job = do_enqueue_job(
        "elections.import_results",
        {"path": str(bad), "state": "pa", "date": "2020-11-03", "kind": "general", "filename": "bad.csv"},
        actor=None,
    )
    assert run_pending_jobs() == 1
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.FAILED, 1)
    assert "row 2, district: is empty, but Pennsylvania elects its U.S. House members by district" in job.error
    assert "KeyError" not in job.error and "Traceback" not in job.error

"""A worker killed with SIGKILL in the middle of applying an import leaves nothing applied, and the
next worker imports the file whole. A real worker process, a real kill, the real database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from groundswell.core.jobs import run_pending_jobs
from groundswell.core.models import Job, JobStatus
from groundswell.people.jobs import do_queue_people_import
from groundswell.people.models import EmailAddress, Person
from groundswell.people.tests.test_importing import upload

ROWS = 40_000
HEADER = "First Name,Last Name,Email,City,State,Zip\n"


def _rows(count: int) -> str:
    return "".join(f"Kim{i},Rivera{i % 97},kim{i}@example.org,Durham,NC,27701\n" for i in range(count))


def _database_url() -> str:
    """The test database, as a URL a separate process can open."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _wait_for(condition, seconds: float = 120.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.02)


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_while_saving_leaves_nothing_then_the_retry_imports_everything(personas):
    batch = upload(HEADER + _rows(ROWS), actor=personas.staff, name="big.csv")
    job = do_queue_people_import(batch, actor=personas.staff)
    people_before = Person.objects.count()
    env = {**os.environ, "DATABASE_URL": _database_url(), "DJANGO_SETTINGS_MODULE": "groundswell.settings"}
    worker = subprocess.Popen([sys.executable, "-m", "groundswell.cli", "worker"], env=env)
    try:
        _wait_for(lambda: Job.objects.filter(pk=job.pk, phase="Saving").exists())
        time.sleep(0.3)  # inside the one transaction that writes the rows
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()

    job.refresh_from_db()
    # Still "running": the worker died before it could finish. Had it finished, this test proves nothing.
    assert job.status == JobStatus.RUNNING, "the import finished before the kill; make the file bigger"
    assert Person.objects.count() == people_before
    assert not EmailAddress.objects.filter(address__startswith="kim").exists()

    # Its heartbeat goes stale; the next worker takes the job again and imports the whole file once.
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=10))
    assert run_pending_jobs(limit=1) == 1  # the import; the refresh of duplicates it queues can wait
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.attempts == 2
    assert Person.objects.count() == people_before + ROWS
    assert EmailAddress.objects.filter(address__startswith="kim").count() == ROWS

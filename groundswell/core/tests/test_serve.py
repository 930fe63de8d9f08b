"""`groundswell serve` supervises its job worker: a real serve process, a real SIGKILL of its worker in
the middle of an import, and the import done once by the worker it starts again."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from groundswell.core.management.commands.serve import RestartBackoff
from groundswell.core.models import Job, JobStatus
from groundswell.core.workers import worker_is_alive
from groundswell.people.jobs import do_queue_people_import
from groundswell.people.models import EmailAddress, ImportStatus, Person
from groundswell.people.tests.test_import_killed import HEADER, ROWS, _database_url, _rows
from groundswell.people.tests.test_importing import upload


def _wait_for(condition: Callable[[], object], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _parent_of(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rpartition(")")[2].split()[1])  # the field after the state, past the command's name


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], Path]]:
    env = {**os.environ, "DATABASE_URL": _database_url(), "DJANGO_SETTINGS_MODULE": "groundswell.settings",
           "PYTHONUNBUFFERED": "1"}  # fmt: skip
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "groundswell.cli", "serve", "--bind", f"127.0.0.1:{_free_port()}", "--workers", "1"],
            env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        yield process, log
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)  # serve stops its own children
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)  # the group this test started, and only it
                process.wait()


def _holder(job: Job) -> int | None:
    job.refresh_from_db()
    if job.status != JobStatus.RUNNING or not job.worker:
        return None
    return int(job.worker.rpartition(":")[2])


@pytest.mark.django_db(transaction=True)
def test_serve_starts_a_killed_worker_again_and_its_import_is_done_once(personas, serve):
    process, log = serve
    batch = upload(HEADER + _rows(ROWS), actor=personas.staff, name="big.csv")
    job = do_queue_people_import(batch, actor=personas.staff)
    people_before = Person.objects.count()

    _wait_for(lambda: Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, phase="Saving").exists(), 180, "Saving")
    first = _holder(job)
    assert first is not None and _parent_of(first) == process.pid  # serve's own worker holds it
    time.sleep(0.3)  # inside the one transaction that writes the rows
    os.kill(first, signal.SIGKILL)
    killed_at = time.monotonic()

    # Serve sees its worker die, releases the job at once (not after the heartbeat's two minutes) and
    # starts another worker, which takes the job up again.
    _wait_for(lambda: (_holder(job) or first) != first or job.status == JobStatus.SUCCEEDED, 60, "a new worker")
    assert time.monotonic() - killed_at < 30
    assert not worker_is_alive(f"{socket.gethostname()}:{first}")
    _wait_for(lambda: job.refresh_from_db() or job.is_finished, 180, "the import to end")

    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.attempts == 2
    batch.refresh_from_db()
    assert batch.status == ImportStatus.SUCCEEDED and batch.inserted == ROWS
    assert Person.objects.count() == people_before + ROWS
    assert EmailAddress.objects.filter(address__startswith="kim").count() == ROWS
    said = log.read_text()
    assert f"The job worker (process {first}) stopped (exit code -9); 1 job it held will run again" in said
    assert "starting it again in 1 s" in said and "The job worker is running again" in said
    assert process.poll() is None  # serving still


def test_a_worker_that_keeps_dying_is_started_again_less_and_less_often():
    backoff = RestartBackoff()
    assert [backoff.delay_after(ran_for=0.5) for _ in range(8)] == [1, 2, 4, 8, 16, 32, 60, 60]
    assert backoff.delay_after(ran_for=3600) == 1  # it had run well: start again at once
    assert backoff.delay_after(ran_for=0.5) == 2

"""The database job queue: claiming, progress, failure, retry of a dead job, and the pages."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from groundswell.core.jobs import (
    MAX_ATTEMPTS,
    JobInputError,
    Progress,
    claim_next_job,
    do_enqueue_job,
    job_handler,
    release_jobs_of,
    release_jobs_of_dead_workers,
    run_pending_jobs,
)
from groundswell.core.models import Job, JobStatus
from groundswell.core.workers import WorkerLease, worker_id

pytestmark = pytest.mark.django_db

SEEN_PROGRESS: list[tuple[str, int, int | None]] = []


@job_handler("test.count")
def count_to(job: Job, progress: Progress) -> dict[str, int]:
    progress.min_interval = 0
    progress.phase("counting", total=job.params["n"])
    for _ in range(job.params["n"]):
        progress.advance()
        row = Job.objects.get(pk=job.pk)
        SEEN_PROGRESS.append((row.phase, row.done, row.total))
    return {"counted": job.params["n"]}


SEEN_FROM_ELSEWHERE: list[tuple[str, int, int | None]] = []


def _read_as_the_page_does(job_id: int) -> None:
    """The job as another connection reads it (the web server's poll): a thread has its own connection."""
    try:
        row = Job.objects.get(pk=job_id)
        SEEN_FROM_ELSEWHERE.append((row.phase, row.done, row.total))
    finally:
        connection.close()


@job_handler("test.apply-in-one-transaction")
def apply_in_one_transaction(job: Job, progress: Progress) -> dict[str, int]:
    progress.min_interval = 0
    with transaction.atomic():  # as a handler applies its changes: all or nothing
        progress.phase("applying", total=10)
        progress.advance(5)
        watcher = threading.Thread(target=_read_as_the_page_does, args=(job.pk,))
        watcher.start()
        watcher.join()
    return {"applied": 10}


@job_handler("test.bad-input")
def refuse(job: Job, progress: Progress) -> dict[str, int]:
    raise JobInputError("row 3, column email: 'x' is not an email address")


def test_a_job_runs_once_and_its_progress_is_visible_while_it_runs(personas):
    SEEN_PROGRESS.clear()
    job = do_enqueue_job("test.count", {"n": 3}, actor=personas.staff)
    assert run_pending_jobs() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.result == {"counted": 3}
    assert SEEN_PROGRESS == [("counting", 1, 3), ("counting", 2, 3), ("counting", 3, 3)]
    assert run_pending_jobs() == 0


def test_bad_input_fails_at_once_with_the_message(personas):
    job = do_enqueue_job("test.bad-input", {}, actor=personas.staff)
    run_pending_jobs()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == "row 3, column email: 'x' is not an email address"


def test_a_job_whose_worker_died_is_claimed_again(personas):
    job = do_enqueue_job("test.count", {"n": 1}, actor=personas.staff)
    claimed = claim_next_job()
    assert claimed is not None and claimed.pk == job.pk
    assert claim_next_job() is None  # running and alive: nobody else takes it
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=10))
    again = claim_next_job()
    assert again is not None and again.pk == job.pk and again.attempts == 2


def test_job_page_shows_progress_to_its_owner_and_404s_for_others(personas, client):
    job = do_enqueue_job("test.count", {"n": 5}, actor=personas.leader_a)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, phase="counting", done=2, total=5)
    client.force_login(personas.leader_a)
    page = client.get(f"/jobs/{job.pk}/")
    assert page.status_code == 200
    assert b"2 of 5 (40%)" in page.content
    fragment = client.get(f"/jobs/{job.pk}/", headers={"HX-Request": "true"})
    assert b'hx-trigger="every 1s"' in fragment.content and b"<html" not in fragment.content
    client.force_login(personas.leader_b)
    assert client.get(f"/jobs/{job.pk}/").status_code == 404
    client.force_login(personas.staff)
    assert client.get(f"/jobs/{job.pk}/").status_code == 200


def test_jobs_command_follows_a_finished_job(personas, capsys):
    job = do_enqueue_job("test.count", {"n": 2}, actor=None)
    run_pending_jobs()
    call_command("jobs", follow=job.pk)
    out = capsys.readouterr().out
    assert "succeeded" in out and "counted: 2" in out


@pytest.mark.django_db(transaction=True)
def test_progress_reported_inside_the_handlers_transaction_is_seen_by_the_page_at_once(personas):
    SEEN_FROM_ELSEWHERE.clear()
    job = do_enqueue_job("test.apply-in-one-transaction", {}, actor=personas.staff)
    assert run_pending_jobs() == 1
    assert SEEN_FROM_ELSEWHERE == [("applying", 5, 10)]
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and not job.live_progress_path().exists()


# ---------------------------------------------------------------- idempotency keys


def test_a_job_with_an_idempotency_key_is_made_once(personas):
    first = do_enqueue_job("test.count", {"n": 1}, actor=personas.staff, idempotency_key="count:once")
    again = do_enqueue_job("test.count", {"n": 1}, actor=personas.staff, idempotency_key="count:once")
    other = do_enqueue_job("test.count", {"n": 1}, actor=personas.staff, idempotency_key="count:other")
    assert again.pk == first.pk and other.pk != first.pk
    assert Job.objects.filter(idempotency_key="count:once").count() == 1
    assert run_pending_jobs() == 2


def test_the_database_refuses_a_second_job_with_the_same_key(personas):
    do_enqueue_job("test.count", {"n": 1}, actor=None, idempotency_key="count:unique")
    with pytest.raises(IntegrityError), transaction.atomic():
        Job.objects.create(kind="test.count", params={"n": 1}, idempotency_key="count:unique")


@pytest.mark.django_db(transaction=True)
def test_jobs_asked_for_at_once_with_one_key_are_one_job(personas):
    """Four threads (four database connections) ask for the same job at the same moment."""
    ready, made, failures = threading.Barrier(4), [], []

    def ask() -> None:
        try:
            ready.wait()
            made.append(do_enqueue_job("test.count", {"n": 1}, actor=None, idempotency_key="count:racing").pk)
        except Exception as exc:  # a failure in a thread would otherwise pass unseen
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    assert len(made) == 4 and len(set(made)) == 1
    assert Job.objects.filter(idempotency_key="count:racing").count() == 1


# ---------------------------------------------------------------- leases and dead workers


def _dead_pid() -> int:
    """A process id that no process has: one that ran and was reaped."""
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()
    return finished.pid


def _claimed_by_a_dead_worker(job: Job) -> str:
    dead = worker_id(_dead_pid())
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, worker=dead, heartbeat_at=timezone.now() - timedelta(minutes=1), attempts=1
    )
    return dead


def test_a_job_whose_worker_died_is_released_without_waiting_for_its_heartbeat(personas):
    job = do_enqueue_job("test.count", {"n": 1}, actor=personas.staff)
    _claimed_by_a_dead_worker(job)
    assert run_pending_jobs() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.attempts == 2 and job.worker == worker_id()


def test_a_running_job_whose_worker_holds_its_lease_is_left_alone(personas):
    job = do_enqueue_job("test.count", {"n": 1}, actor=personas.staff)
    with WorkerLease("elsewhere.example:4242"):  # a worker on another machine, alive
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.RUNNING, worker="elsewhere.example:4242", heartbeat_at=timezone.now() - timedelta(hours=1)
        )
        assert release_jobs_of_dead_workers() == 0
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING
    assert release_jobs_of_dead_workers() == 1  # its lease is gone with it


def test_a_job_that_killed_its_worker_three_times_fails_saying_so(personas):
    job = do_enqueue_job("test.count", {"n": 1}, actor=personas.staff)
    dead = _claimed_by_a_dead_worker(job)
    Job.objects.filter(pk=job.pk).update(attempts=MAX_ATTEMPTS)
    assert release_jobs_of(dead) == 1
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.finished_at is not None
    assert "stopped before it finished, 3 times" in job.error


def test_job_page_says_when_no_worker_is_running(personas, client):
    job = do_enqueue_job("test.count", {"n": 5}, actor=personas.leader_a)
    client.force_login(personas.leader_a)
    assert b"no job worker is running" in client.get(f"/jobs/{job.pk}/").content
    with WorkerLease():
        assert b"Waiting for a worker" not in client.get(f"/jobs/{job.pk}/").content


def test_job_page_says_when_the_worker_running_it_stopped(personas, client):
    job = do_enqueue_job("test.count", {"n": 5}, actor=personas.leader_a)
    _claimed_by_a_dead_worker(job)
    Job.objects.filter(pk=job.pk).update(phase="counting", done=2, total=5)
    client.force_login(personas.leader_a)
    page = client.get(f"/jobs/{job.pk}/", headers={"HX-Request": "true"}).content
    assert b"the worker running this stopped before it finished" in page and b"2 of 5 (40%)" in page
    release_jobs_of_dead_workers()
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and "attempt 1 of 3" in job.error

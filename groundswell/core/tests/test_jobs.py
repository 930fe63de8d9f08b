"""The database job queue: claiming, progress, failure, retry of a dead job, and the pages."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from groundswell.core.jobs import (
    JobInputError,
    Progress,
    claim_next_job,
    do_enqueue_job,
    job_handler,
    run_pending_jobs,
)
from groundswell.core.models import Job, JobStatus

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

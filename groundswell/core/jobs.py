"""A job queue kept in the database, so it works the same on SQLite and PostgreSQL.

A handler receives the job and a Progress. Handlers are written to be re-run: a job whose worker
died is queued again, and the handler starts over or resumes from what it committed. Each handler
applies its changes in one transaction at the end, so a killed job never leaves half its work visible.

The rules the queue relies on:
- Claiming is a conditional UPDATE (queued -> running), so two workers never take the same job. The
  claim records the worker (``Job.worker``) and counts an attempt.
- A worker holds a lease while it lives (core/workers.py: a file it renews every few seconds). A running
  job whose worker's lease has lapsed, and whose heartbeat is older than the lease, is released: queued
  again, or failed once it has had MAX_ATTEMPTS. ``groundswell serve`` releases its own worker's jobs
  the moment it sees that worker die, then starts another. A job claimed by no named worker falls back
  on its heartbeat alone (STALE_AFTER).
- A job with an idempotency key is made once: a second ``do_enqueue_job`` with the key (a second click,
  a form sent twice) returns the first job. The key is unique in the database, so this holds for
  requests that race each other on either database.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

from django.db import IntegrityError, transaction
from django.utils import timezone

from groundswell.core import workers
from groundswell.core.audit import record_audit
from groundswell.core.models import AuditEvent, Job, JobStatus, User

log = logging.getLogger(__name__)

JobHandler = Callable[[Job, "Progress"], dict[str, Any]]
_HANDLERS: dict[str, JobHandler] = {}

# A running job claimed by no named worker, whose heartbeat is older than this, is taken to be dead.
STALE_AFTER = timedelta(minutes=2)
# A job held by a named worker is dead once that worker's lease has lapsed and its heartbeat is this old.
WORKER_LEASE = timedelta(seconds=workers.LEASE_SECONDS)
MAX_ATTEMPTS = 3


def job_handler(kind: str) -> Callable[[JobHandler], JobHandler]:
    def register(func: JobHandler) -> JobHandler:
        _HANDLERS[kind] = func
        return func

    return register


class ProgressReporter(Protocol):
    """What long work reports its progress to: a job's Progress, a command's progress bar, or nothing."""

    def phase(self, name: str, total: int | None = None) -> None: ...

    def advance(self, count: int = 1) -> None: ...


class NoProgress:
    """For work run where nobody watches (tests, the demo build)."""

    def phase(self, name: str, total: int | None = None) -> None:
        return None

    def advance(self, count: int = 1) -> None:
        return None


class Progress:
    """Reports how far a job has got, at most twice a second: to the job row, and to the job's live-progress
    file that the pages read while the handler's transaction keeps the row's figures from them."""

    def __init__(self, job: Job, *, min_interval: float = 0.5) -> None:
        self.job = job
        self.min_interval = min_interval
        self._last_write = 0.0

    def phase(self, name: str, total: int | None = None) -> None:
        self.job.phase, self.job.total, self.job.done = name, total, 0
        self._write(force=True)

    def advance(self, count: int = 1) -> None:
        self.job.done += count
        self._write()

    def set(self, done: int) -> None:
        self.job.done = done
        self._write()

    def _write(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last_write < self.min_interval:
            return
        self._last_write = now
        Job.objects.filter(pk=self.job.pk).update(
            phase=self.job.phase,
            done=self.job.done,
            total=self.job.total,
            heartbeat_at=timezone.now(),
        )
        self.job.write_live_progress()  # seen at once, even from inside the handler's transaction


def do_enqueue_job(kind: str, params: dict[str, Any], *, actor: User | None, idempotency_key: str | None = None) -> Job:
    """Queue a job; with an idempotency key, the job already made with that key if there is one."""
    if kind not in _HANDLERS:
        raise ValueError(f"no job handler for {kind!r}")
    with transaction.atomic():
        if idempotency_key is not None and (earlier := Job.objects.filter(idempotency_key=idempotency_key).first()):
            return earlier
        try:
            # A savepoint: on PostgreSQL a racing insert of the same key waits for the other transaction,
            # then fails here, and the outer transaction carries on to read the winner's job.
            with transaction.atomic():
                job = Job.objects.create(kind=kind, params=params, created_by=actor, idempotency_key=idempotency_key)
        except IntegrityError:
            if idempotency_key is None:
                raise
            return Job.objects.get(idempotency_key=idempotency_key)
        record_audit(AuditEvent.JOB_QUEUED, actor=actor, target=job, summary=f"queued {kind}")
    return job


def do_cancel_job(job: Job, *, actor: User) -> None:
    with transaction.atomic():
        changed = Job.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(
            status=JobStatus.CANCELLED, finished_at=timezone.now()
        )
        if changed:
            record_audit(AuditEvent.JOB_CANCELLED, actor=actor, target=job, summary=f"cancelled {job.kind}")


def _lease_has_lapsed(worker: str, heartbeat_at: datetime | None, now: datetime) -> bool:
    if worker:
        recent = heartbeat_at is not None and now - heartbeat_at < WORKER_LEASE
        return not recent and not workers.worker_is_alive(worker)
    return heartbeat_at is None or now - heartbeat_at >= STALE_AFTER


def _release_job(job_id: int, attempts: int, *, held_by: str, heartbeat_at: datetime | None) -> bool:
    """Queue again (or fail, after MAX_ATTEMPTS) a job whose worker stopped. Conditional on the job being
    as it was seen, so a job that finished or moved on meanwhile is left alone."""
    if attempts >= MAX_ATTEMPTS:
        update: dict[str, Any] = {
            "status": JobStatus.FAILED,
            "finished_at": timezone.now(),
            "error": f"The worker running this job stopped before it finished, {attempts} times; it was not "
            "tried again (a file this big may need more memory than the machine has). Nothing of it was saved.",
        }
    else:
        update = {
            "status": JobStatus.QUEUED,
            "error": f"the worker running it stopped before it finished (attempt {attempts} of {MAX_ATTEMPTS}); "
            "nothing of it was saved",
        }
    released = Job.objects.filter(pk=job_id, status=JobStatus.RUNNING, worker=held_by, heartbeat_at=heartbeat_at)
    return bool(released.update(**update))


def release_jobs_of_dead_workers() -> int:
    """Release every running job whose worker's lease has lapsed. Returns how many."""
    now = timezone.now()
    running = Job.objects.filter(status=JobStatus.RUNNING).values_list("id", "attempts", "worker", "heartbeat_at")
    return sum(
        _release_job(job_id, attempts, held_by=worker, heartbeat_at=heartbeat_at)
        for job_id, attempts, worker, heartbeat_at in running
        if _lease_has_lapsed(worker, heartbeat_at, now)
    )


def release_jobs_of(worker: str) -> int:
    """Release the running jobs of a worker known to be dead (its supervisor saw it exit)."""
    held = Job.objects.filter(status=JobStatus.RUNNING, worker=worker).values_list("id", "attempts", "heartbeat_at")
    released = sum(_release_job(job_id, attempts, held_by=worker, heartbeat_at=beat) for job_id, attempts, beat in held)
    workers.forget_worker(worker)
    return released


# Functions that queue work whose time has come (a webhook delivery's retry), asked before each claim:
# the queue itself has no run-at time, so work that must wait is queued only once it is due.
_DUE_WORK: list[Callable[[], object]] = []


def queue_when_due(func: Callable[[], object]) -> Callable[[], object]:
    _DUE_WORK.append(func)
    return func


def claim_next_job() -> Job | None:
    """Take the oldest queued job. The conditional UPDATE makes two workers never take the same one."""
    release_jobs_of_dead_workers()
    for queue_due_work in _DUE_WORK:
        queue_due_work()
    for job_id in (
        Job.objects.filter(status=JobStatus.QUEUED).order_by("created_at", "id").values_list("id", flat=True)[:5]
    ):
        now = timezone.now()
        claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
            status=JobStatus.RUNNING, started_at=now, heartbeat_at=now, worker=workers.worker_id()
        )
        if claimed:
            job = Job.objects.get(pk=job_id)
            Job.objects.filter(pk=job_id).update(attempts=job.attempts + 1)
            job.attempts += 1
            return job
    return None


def run_job(job: Job) -> Job:
    handler = _HANDLERS[job.kind]
    try:
        try:
            result = handler(job, Progress(job))
        finally:
            job.forget_live_progress()
    except Exception as exc:
        log.exception("job %s failed", job.pk)
        final = JobStatus.FAILED if job.attempts >= MAX_ATTEMPTS or _is_user_error(exc) else JobStatus.QUEUED
        Job.objects.filter(pk=job.pk).update(
            status=final,
            error=_describe(exc),
            finished_at=timezone.now() if final == JobStatus.FAILED else None,
        )
    else:
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.SUCCEEDED,
            result=result,
            error="",
            finished_at=timezone.now(),
            done=job.done,
        )
    job.refresh_from_db()
    return job


class JobInputError(Exception):
    """The job's input is wrong (a bad file, a bad mapping): running it again will not help."""


def _is_user_error(exc: Exception) -> bool:
    return isinstance(exc, JobInputError)


def _describe(exc: Exception) -> str:
    if isinstance(exc, JobInputError):
        return str(exc)
    return "".join(traceback.format_exception_only(type(exc), exc)).strip()


def run_pending_jobs(*, limit: int | None = None) -> int:
    """Run queued jobs until none is left (or limit is reached), holding this worker's lease meanwhile.
    Returns how many ran."""
    ran = 0
    with workers.WorkerLease():
        while limit is None or ran < limit:
            job = claim_next_job()
            if job is None:
                break
            run_job(job)
            ran += 1
    return ran


def work_forever(*, poll_seconds: float = 1.0) -> None:
    log.warning("job worker %s started", workers.worker_id())
    with workers.WorkerLease():
        while True:
            if not _run_queued_jobs():
                time.sleep(poll_seconds)


def _run_queued_jobs() -> int:
    ran = 0
    while job := claim_next_job():
        run_job(job)
        ran += 1
    return ran

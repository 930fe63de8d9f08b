"""A job queue kept in the database, so it works the same on SQLite and PostgreSQL.

A handler receives the job and a Progress. Handlers are written to be re-run: the worker
re-queues a job whose heartbeat stopped (its process was killed), and the handler starts over
or resumes from what it committed. Each handler applies its changes in one transaction at the
end, so a killed job never leaves half its work visible.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable
from datetime import timedelta
from typing import Any, Protocol

from django.db import transaction
from django.utils import timezone

from groundswell.core.audit import record_audit
from groundswell.core.models import AuditEvent, Job, JobStatus, User

log = logging.getLogger(__name__)

JobHandler = Callable[[Job, "Progress"], dict[str, Any]]
_HANDLERS: dict[str, JobHandler] = {}

# A running job whose heartbeat is older than this is taken to be dead and is run again.
STALE_AFTER = timedelta(minutes=2)
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


def do_enqueue_job(kind: str, params: dict[str, Any], *, actor: User | None) -> Job:
    if kind not in _HANDLERS:
        raise ValueError(f"no job handler for {kind!r}")
    with transaction.atomic():
        job = Job.objects.create(kind=kind, params=params, created_by=actor)
        record_audit(AuditEvent.JOB_QUEUED, actor=actor, target=job, summary=f"queued {kind}")
    return job


def do_cancel_job(job: Job, *, actor: User) -> None:
    with transaction.atomic():
        changed = Job.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(
            status=JobStatus.CANCELLED, finished_at=timezone.now()
        )
        if changed:
            record_audit(AuditEvent.JOB_CANCELLED, actor=actor, target=job, summary=f"cancelled {job.kind}")


def _requeue_stale_jobs() -> None:
    cutoff = timezone.now() - STALE_AFTER
    Job.objects.filter(status=JobStatus.RUNNING, heartbeat_at__lt=cutoff).update(status=JobStatus.QUEUED)


def claim_next_job() -> Job | None:
    """Take the oldest queued job. The conditional UPDATE makes two workers never take the same one."""
    _requeue_stale_jobs()
    for job_id in (
        Job.objects.filter(status=JobStatus.QUEUED).order_by("created_at", "id").values_list("id", flat=True)[:5]
    ):
        now = timezone.now()
        claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
            status=JobStatus.RUNNING, started_at=now, heartbeat_at=now
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
    """Run queued jobs until none is left (or limit is reached). Returns how many ran."""
    ran = 0
    while limit is None or ran < limit:
        job = claim_next_job()
        if job is None:
            break
        run_job(job)
        ran += 1
    return ran


def work_forever(*, poll_seconds: float = 1.0) -> None:
    log.warning("job worker started")
    while True:
        if not run_pending_jobs():
            time.sleep(poll_seconds)

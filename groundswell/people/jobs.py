"""Background jobs of the people app; core autodiscovers this module."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from groundswell.core.jobs import JobInputError, Progress, do_enqueue_job, job_handler
from groundswell.core.models import Job
from groundswell.people.importing import (
    ImportAlreadyApplied,
    ImportFileError,
    ImportRowsInvalid,
    do_check_import,
    do_import_people,
    result_of_applied_batch,
)
from groundswell.people.models import ImportBatch, ImportStatus
from groundswell.people.proposals import REFRESH_DUPLICATES, do_refresh_duplicate_proposals

IMPORT_PEOPLE = "people.import"
PREVIEW_IMPORT = "people.preview"


@job_handler(IMPORT_PEOPLE)
def import_people_job(job: Job, progress: Progress) -> dict[str, Any]:
    """Check every row of the batch's file, then apply them all at once (or nothing, on a bad row).
    A batch already applied (by a run whose worker died before it could say so) is not applied again."""
    batch = ImportBatch.objects.select_related("chapter").get(pk=job.params["batch_id"])
    if batch.status != ImportStatus.SUCCEEDED:
        ImportBatch.objects.filter(pk=batch.pk).exclude(status=ImportStatus.SUCCEEDED).update(
            status=ImportStatus.RUNNING
        )
        try:
            result = do_import_people(batch, actor=job.created_by, progress=progress)
        except (ImportRowsInvalid, ImportFileError) as exc:
            raise JobInputError(str(exc)) from exc
        except ImportAlreadyApplied:
            batch.refresh_from_db()
            result = result_of_applied_batch(batch)
    else:
        result = result_of_applied_batch(batch)
    return {"batch_id": batch.pk, "rows": result.row_count, **result.counts.as_dict()}


def import_key(batch: ImportBatch) -> str:
    """The idempotency key of a batch's import: one import job per upload, however often it is asked for."""
    return f"{IMPORT_PEOPLE}:batch:{batch.pk}"


def do_queue_people_import(batch: ImportBatch, *, actor: Any) -> Job:
    """Queue the import of an uploaded, mapped batch, once: asked again (a second click, two tabs, requests
    racing each other), it returns the job queued the first time."""
    with transaction.atomic():
        job = do_enqueue_job(IMPORT_PEOPLE, {"batch_id": batch.pk}, actor=actor, idempotency_key=import_key(batch))
        waiting = ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.UPLOADED)
        waiting.update(status=ImportStatus.QUEUED, job=job)
    batch.refresh_from_db()
    return job


@job_handler(PREVIEW_IMPORT)
def preview_import_job(job: Job, progress: Progress) -> dict[str, Any]:
    """Check every row and match it against the people already known, writing only the result on the
    batch. Bad rows are the check's answer, not its failure: the job succeeds and lists them."""
    batch = ImportBatch.objects.get(pk=job.params["batch_id"])
    try:
        preview = do_check_import(batch, job=job, progress=progress)
    except ImportFileError as exc:
        raise JobInputError(str(exc)) from exc
    return {"batch_id": batch.pk, "rows": preview.rows, "errors": preview.error_count, "new": preview.new}


def do_queue_import_preview(batch: ImportBatch, *, actor: Any) -> Job:
    """Queue the check of a mapped batch; the preview page follows it and then shows its result."""
    with transaction.atomic():
        job = do_enqueue_job(PREVIEW_IMPORT, {"batch_id": batch.pk}, actor=actor)
        ImportBatch.objects.filter(pk=batch.pk).update(preview_job=job, preview={})
    batch.refresh_from_db()
    return job


@job_handler(REFRESH_DUPLICATES)
def refresh_duplicates_job(job: Job, progress: Progress) -> dict[str, Any]:
    refresh = do_refresh_duplicate_proposals(
        actor=job.created_by, full=bool(job.params.get("full")), job=job, progress=progress
    )
    return {"full": refresh.full, "people_rescored": refresh.people_rescored, "proposals": refresh.proposals}

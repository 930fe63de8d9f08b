"""Background jobs of the people app; core autodiscovers this module."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from groundswell.core.jobs import JobInputError, Progress, do_enqueue_job, job_handler
from groundswell.core.models import Job
from groundswell.people.importing import ImportRowsInvalid, do_import_people
from groundswell.people.models import ImportBatch, ImportStatus

IMPORT_PEOPLE = "people.import"


@job_handler(IMPORT_PEOPLE)
def import_people_job(job: Job, progress: Progress) -> dict[str, Any]:
    """Check every row of the batch's file, then apply them all at once (or nothing, on a bad row)."""
    batch = ImportBatch.objects.select_related("chapter").get(pk=job.params["batch_id"])
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.RUNNING)
    try:
        result = do_import_people(batch, actor=job.created_by, progress=progress)
    except ImportRowsInvalid as exc:
        raise JobInputError(str(exc)) from exc
    return {"batch_id": batch.pk, "rows": result.row_count, **result.counts.as_dict()}


def do_queue_people_import(batch: ImportBatch, *, actor: Any) -> Job:
    """Queue the import of an uploaded, mapped batch."""
    with transaction.atomic():
        job = do_enqueue_job(IMPORT_PEOPLE, {"batch_id": batch.pk}, actor=actor)
        ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.QUEUED, job=job)
    batch.refresh_from_db()
    return job

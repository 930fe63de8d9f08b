"""Background jobs of the turnout app; core autodiscovers this module."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.db import transaction

from groundswell.chapters.access import AnyUser
from groundswell.core.jobs import JobInputError, Progress, do_enqueue_job, job_handler
from groundswell.core.models import Job
from groundswell.turnout.ballots import BallotFileError
from groundswell.turnout.importing import (
    BallotImportAlreadyApplied,
    BallotRowsInvalid,
    counts_of_applied_import,
    do_import_ballots,
)
from groundswell.turnout.models import BallotImport, BallotImportStatus

IMPORT_BALLOTS = "turnout.import_ballots"


@job_handler(IMPORT_BALLOTS)
def import_ballots_job(job: Job, progress: Progress) -> dict[str, Any]:
    """Check every row of the stored file, then apply them all at once (or nothing, on a bad row). A file
    already applied (by a run whose worker died before it could say so) is not applied again: the job
    reports what the import recorded."""
    ballot_import = BallotImport.objects.get(pk=job.params["import_id"])
    if ballot_import.status == BallotImportStatus.IMPORTED:
        counts = counts_of_applied_import(ballot_import)
    else:
        try:
            counts = do_import_ballots(ballot_import, actor=job.created_by, progress=progress)
        except (BallotRowsInvalid, BallotFileError) as exc:
            raise JobInputError(str(exc)) from exc
        except BallotImportAlreadyApplied:
            ballot_import.refresh_from_db()
            counts = counts_of_applied_import(ballot_import)
    return {"import_id": ballot_import.pk, **asdict(counts)}


def ballot_import_key(ballot_import: BallotImport) -> str:
    """One upload, one import job: a second queueing of it (a form sent twice) finds the first job."""
    return f"{IMPORT_BALLOTS}:{ballot_import.pk}"


def do_queue_ballot_import(ballot_import: BallotImport, *, actor: AnyUser | None) -> Job:
    """Queue the import of an uploaded ballot file."""
    with transaction.atomic():
        job = do_enqueue_job(
            IMPORT_BALLOTS, {"import_id": ballot_import.pk}, actor=actor if actor and actor.is_authenticated else None,
            idempotency_key=ballot_import_key(ballot_import),
        )  # fmt: skip
        # Queued once: a second queueing of an import already running or done leaves its status alone.
        BallotImport.objects.filter(pk=ballot_import.pk, job__isnull=True).update(
            status=BallotImportStatus.QUEUED, job=job
        )
    ballot_import.refresh_from_db()
    return job

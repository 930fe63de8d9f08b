"""Background jobs of the voters app; core autodiscovers this module."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from groundswell.core.jobs import JobInputError, Progress, do_enqueue_job, job_handler
from groundswell.core.models import Job
from groundswell.voters.models import VoterImport

IMPORT_VOTERS = "voters.import"


@job_handler(IMPORT_VOTERS)
def import_voters_job(job: Job, progress: Progress) -> dict[str, Any]:
    """Import one uploaded voter file into its state's store (all or nothing), then match people. A file
    the destructive-change guard holds ends the job with nothing applied; its import page asks to confirm."""
    from groundswell.voters.actions import VoterImportError, VoterImportHeld, do_import_voters

    voter_import = VoterImport.objects.get(pk=job.params["import_id"])
    try:
        done = do_import_voters(voter_import, actor=job.created_by, progress=progress)
    except VoterImportHeld:
        voter_import.refresh_from_db()
        return {"rows read": voter_import.rows_read, "applied": "nothing: waiting for confirmation"}
    except VoterImportError as exc:
        raise JobInputError(str(exc)) from exc
    return {
        "rows read": done.rows_read, "new": done.inserted, "updated": done.updated, "removed": done.removed,
        "unchanged": done.unchanged, "rejected": done.rejected, "linked": done.linked.get("auto", 0),
        "to review": done.linked.get("review", 0),
    }  # fmt: skip


def do_queue_voter_import(voter_import: VoterImport, *, actor: Any) -> Job:
    with transaction.atomic():
        job = do_enqueue_job(IMPORT_VOTERS, {"import_id": voter_import.pk}, actor=actor)
        VoterImport.objects.filter(pk=voter_import.pk).update(job=job)
    voter_import.job = job
    return job

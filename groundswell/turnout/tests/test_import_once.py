"""One ballot file is imported at most once: its import queued twice at the same moment (a form sent
twice) makes one job, two applies racing each other apply it once, and a job run again after the
import committed applies nothing and reports what the import recorded."""

from __future__ import annotations

from pathlib import Path

import pytest

from groundswell.core.jobs import do_enqueue_job, run_pending_jobs
from groundswell.core.models import AuditEntry, AuditEvent, Job, JobStatus
from groundswell.core.tests.racing import at_once
from groundswell.turnout.importing import BallotImportAlreadyApplied, do_import_ballots, do_upload_ballot_file
from groundswell.turnout.jobs import IMPORT_BALLOTS, ballot_import_key, do_queue_ballot_import
from groundswell.turnout.models import BallotImport, BallotImportStatus, BallotReturn
from groundswell.turnout.tests.test_importing import NC_HEADER, nc_row, write_csv

VOTERS = 300


def _upload(tmp_path: Path) -> BallotImport:
    rows = [nc_row(f"AB{i}", "MAIL", "10/10/2024", "ACCEPTED", req_dt="09/01/2024") for i in range(VOTERS)]
    path = write_csv(tmp_path / "absentee_20241020.csv", NC_HEADER, rows)
    return do_upload_ballot_file(path, state="NC", layout="nc_absentee", actor=None)


def _audits(ballot_import: BallotImport) -> int:
    return AuditEntry.objects.filter(event_type=AuditEvent.BALLOTS_IMPORTED, target_id=str(ballot_import.pk)).count()


@pytest.mark.django_db(transaction=True)
def test_an_import_queued_twice_at_once_makes_one_job_and_imports_once(tmp_path: Path, personas) -> None:
    ballot_import = _upload(tmp_path)
    jobs, failures = at_once(2, lambda _: do_queue_ballot_import(ballot_import, actor=personas.staff).pk)
    assert not failures and jobs[0] == jobs[1]
    job = Job.objects.get(kind=IMPORT_BALLOTS, params__import_id=ballot_import.pk)
    assert job.idempotency_key == ballot_import_key(ballot_import)

    assert run_pending_jobs() == 1
    ballot_import.refresh_from_db()
    assert ballot_import.status == BallotImportStatus.IMPORTED and ballot_import.inserted == VOTERS
    # queued again once done: the same job, and the import stays imported
    assert do_queue_ballot_import(ballot_import, actor=personas.staff).pk == job.pk
    assert BallotImport.objects.get(pk=ballot_import.pk).status == BallotImportStatus.IMPORTED
    assert run_pending_jobs() == 0


@pytest.mark.django_db(transaction=True)
def test_two_applies_of_one_file_at_once_apply_it_once(tmp_path: Path) -> None:
    ballot_import = _upload(tmp_path)

    def apply(_: int) -> str:
        try:
            do_import_ballots(BallotImport.objects.get(pk=ballot_import.pk), actor=None)
        except BallotImportAlreadyApplied:
            return "refused"
        return "applied"

    outcomes, failures = at_once(2, apply)
    assert not failures
    assert sorted(str(outcome) for outcome in outcomes) == ["applied", "refused"]
    ballot_import.refresh_from_db()
    assert ballot_import.inserted == VOTERS and ballot_import.unchanged == 0
    assert BallotReturn.objects.filter(state="NC").count() == VOTERS
    assert _audits(ballot_import) == 1


@pytest.mark.django_db(transaction=True)
def test_an_import_job_run_again_after_its_file_was_applied_applies_nothing(tmp_path: Path, personas) -> None:
    """A worker killed after the import committed but before its job was marked done: the job runs again
    and finds the file imported."""
    ballot_import = _upload(tmp_path)
    do_import_ballots(ballot_import, actor=None)
    again = do_enqueue_job(IMPORT_BALLOTS, {"import_id": ballot_import.pk}, actor=personas.staff)
    run_pending_jobs()
    again.refresh_from_db()
    assert again.status == JobStatus.SUCCEEDED
    assert again.result["inserted"] == VOTERS and again.result["unchanged"] == 0
    assert BallotReturn.objects.filter(state="NC").count() == VOTERS
    assert _audits(ballot_import) == 1

"""Background jobs: the Open States and OpenElections imports, run from an uploaded file."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.utils import timezone

from groundswell.core.jobs import JobInputError, Progress, job_handler
from groundswell.core.models import Job
from groundswell.elections.actions import do_import_boundary_votes, do_import_legislators, do_import_results
from groundswell.elections.openstates import read_legislators_csv, read_legislators_yaml
from groundswell.geo.importing import ImportRejected, ImportReport, job_progress


def _finish(report: ImportReport) -> dict[str, Any]:
    return report.as_dict() | {"summary": report.summary()}


@job_handler("elections.import_legislators")
def import_legislators_job(job: Job, progress: Progress) -> dict[str, Any]:
    params = job.params
    path = Path(params["path"])
    states = {s.lower() for s in params.get("states") or []} or None
    try:
        if path.suffix in {".yml", ".yaml"}:
            rows = read_legislators_yaml([path], today=timezone.localdate(), states=states)
        else:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                rows = read_legislators_csv(handle, states=states)
        report = do_import_legislators(
            rows,
            source_name=params.get("filename", path.name),
            dry_run=bool(params.get("dry_run")),
            progress=job_progress(progress),
            actor=job.created_by,
        )
    except ImportRejected as exc:
        raise JobInputError(str(exc)) from exc
    return _finish(report)


@job_handler("elections.import_results")
def import_results_job(job: Job, progress: Progress) -> dict[str, Any]:
    params = job.params
    path = Path(params["path"])
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            report = do_import_results(
                handle,
                state=params["state"],
                election_date=date.fromisoformat(params["date"]),
                kind=params["kind"],
                county=params.get("county", ""),
                source_name=params.get("filename", path.name),
                dry_run=bool(params.get("dry_run")),
                progress=job_progress(progress),
                actor=job.created_by,
            )
    except ImportRejected as exc:
        raise JobInputError(str(exc)) from exc
    return _finish(report)


@job_handler("elections.import_boundary_votes")
def import_boundary_votes_job(job: Job, progress: Progress) -> dict[str, Any]:
    params = job.params
    try:
        report = do_import_boundary_votes(
            Path(params["path"]),
            state=params["state"],
            source_name=params.get("filename", ""),
            dry_run=bool(params.get("dry_run")),
            progress=job_progress(progress),
            actor=job.created_by,
        )
    except ImportRejected as exc:
        raise JobInputError(str(exc)) from exc
    return _finish(report)

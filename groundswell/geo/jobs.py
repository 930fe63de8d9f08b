"""Background job: import precinct and district boundaries from an uploaded GeoJSON file."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from groundswell.core.jobs import JobInputError, Progress, job_handler
from groundswell.core.models import Job
from groundswell.geo.actions import do_import_boundaries
from groundswell.geo.importing import ImportRejected, job_progress


def optional_date(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


@job_handler("geo.import_boundaries")
def import_boundaries_job(job: Job, progress: Progress) -> dict[str, Any]:
    params = job.params
    try:
        report = do_import_boundaries(
            Path(params["path"]),
            state=params["state"],
            plan_valid_from=optional_date(params.get("plan_valid_from")),
            plan_valid_to=optional_date(params.get("plan_valid_to")),
            source_name=params.get("filename", ""),
            dry_run=bool(params.get("dry_run")),
            progress=job_progress(progress),
            actor=job.created_by,
        )
    except ImportRejected as exc:
        raise JobInputError(str(exc)) from exc
    return report.as_dict() | {"summary": report.summary()}

"""Background job: a file of past endorsements, loaded after its rows were checked in the request."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from groundswell.core.jobs import JobInputError, Progress, job_handler
from groundswell.core.models import Job
from groundswell.endorsements import importing
from groundswell.geo.importing import ImportRejected, job_progress

IMPORT_HISTORICAL = "endorsements.import_historical"


@job_handler(IMPORT_HISTORICAL)
def import_historical_job(job: Job, progress: Progress) -> dict[str, Any]:
    """Load the uploaded file with the mapping chosen for it: every row or none (one transaction).

    A file of thousands of rows takes longer than a request should (each row finds or makes its
    election, office, race and candidacy); the page shows the progress. The upload is deleted once
    its rows are in."""
    params = job.params
    path = Path(params["path"])
    if not path.is_file():  # loaded already by a twin of this job (a form sent twice), or cleaned away
        raise JobInputError(f"the uploaded file {params['filename']} is gone: upload it again")
    try:
        report = importing.do_import_historical_endorsements(
            importing.text_of(path.read_bytes()),
            mapping=importing.Mapping(**params["mapping"]),
            file_name=params["filename"],
            actor=job.created_by,
            progress=job_progress(progress),
        )
    except ImportRejected as exc:
        raise JobInputError(f"Nothing was loaded: {exc}") from exc
    path.unlink(missing_ok=True)
    return {"summary": report.summary(), "import_id": report.import_id}

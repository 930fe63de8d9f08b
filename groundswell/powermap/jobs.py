"""Background job: compute every district's lean from a reference race."""

from __future__ import annotations

from typing import Any

from groundswell.core.jobs import Progress, job_handler
from groundswell.core.models import Job
from groundswell.elections.models import Race
from groundswell.geo.importing import job_progress
from groundswell.powermap.actions import do_compute_lean


@job_handler("powermap.compute_lean")
def compute_lean_job(job: Job, progress: Progress) -> dict[str, Any]:
    race = Race.objects.select_related("election").get(pk=job.params["race_id"])
    count = do_compute_lean(job.params["state"], race, actor=job.created_by, progress=job_progress(progress))
    return {"districts": count, "summary": f"{count} districts got a lean from {race}"}

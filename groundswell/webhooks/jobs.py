"""The job that sends webhook deliveries, and the sweep that queues retries once they are due."""

from __future__ import annotations

from typing import Any

from groundswell.core.jobs import Progress, job_handler, queue_when_due
from groundswell.core.models import Job
from groundswell.webhooks.deliveries import DELIVER_JOB, queue_due_retries, send_deliveries


@job_handler(DELIVER_JOB)
def deliver(job: Job, progress: Progress) -> dict[str, Any]:
    ids = [int(i) for i in job.params.get("deliveries", [])]
    progress.phase("sending", total=len(ids))
    return send_deliveries(ids, replay=bool(job.params.get("replay")), progress=progress)


queue_when_due(queue_due_retries)

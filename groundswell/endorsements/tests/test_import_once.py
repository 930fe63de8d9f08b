"""One file of past endorsements is loaded at most once: Load clicked twice at the same moment (two
requests of one session racing each other) queues one job, and the file's endorsements are loaded once."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from groundswell.core.jobs import run_pending_jobs
from groundswell.core.models import Job, JobStatus
from groundswell.core.tests.racing import at_once
from groundswell.endorsements.jobs import IMPORT_HISTORICAL
from groundswell.endorsements.models import Endorsement, EndorsementSource, HistoricalImport
from groundswell.endorsements.tests.test_importing import CSV, MAPPING_FORM, with_readings
from groundswell.testing import Personas


@pytest.mark.django_db(transaction=True)
def test_two_clicks_on_load_at_once_queue_one_job_and_load_the_file_once(
    personas: Personas, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    first = Client()
    first.force_login(personas.staff)
    upload = io.BytesIO(CSV.encode())
    upload.name = "past.csv"
    first.post("/endorsements/import/", {"file": upload})
    second = Client()
    second.cookies = first.cookies  # the same signed-in session, with the upload in it: a second click
    clients = [first, second]
    form = with_readings(MAPPING_FORM, CSV)

    def click(i: int) -> int:
        response = clients[i].post("/endorsements/import/mapping/", form)
        return int(response.status_code)

    statuses, failures = at_once(2, click)
    assert not failures and statuses == [302, 302]
    job = Job.objects.get(kind=IMPORT_HISTORICAL)
    assert job.idempotency_key is not None and job.idempotency_key.startswith(f"{IMPORT_HISTORICAL}:")

    assert run_pending_jobs() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert HistoricalImport.objects.count() == 1
    assert Endorsement.objects.filter(source=EndorsementSource.HISTORICAL).count() == 6

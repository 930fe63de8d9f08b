"""One upload is imported at most once: Import clicked three times at the same moment (real requests
racing against a live server) queues one import, and two imports of one batch applied at the same
moment (two database connections) apply it once."""

from __future__ import annotations

import re

import pytest
import requests
from django.test import Client

from groundswell.core.jobs import do_enqueue_job, run_pending_jobs
from groundswell.core.models import Job, JobStatus
from groundswell.core.tests.racing import at_once
from groundswell.people.importing import ImportAlreadyApplied, do_import_people
from groundswell.people.jobs import IMPORT_PEOPLE, import_key
from groundswell.people.models import EmailAddress, ImportBatch, ImportStatus, Person
from groundswell.people.tests.test_importing import upload

ROWS = 500
HEADER = "First Name,Last Name,Email\n"
FILE = HEADER + "".join(f"Ada{i},Okafor,ada{i}@example.org\n" for i in range(ROWS))
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _signed_in_session(live_server, user) -> requests.Session:
    client = Client()
    client.force_login(user)
    session = requests.Session()
    session.cookies.set("sessionid", client.cookies["sessionid"].value)
    return session


@pytest.mark.django_db(transaction=True)
def test_three_clicks_on_import_at_once_import_the_file_once(personas, live_server):
    people_before = Person.objects.count()  # the personas' members
    batch = upload(FILE, actor=personas.staff, name="volunteers.csv")
    sessions = [_signed_in_session(live_server, personas.staff) for _ in range(3)]
    preview = f"{live_server.url}/people/import/{batch.pk}/preview/"
    found = [_CSRF.search(s.get(preview).text) for s in sessions]
    tokens = [match.group(1) for match in found if match is not None]
    assert len(tokens) == 3
    commit = f"{live_server.url}/people/import/{batch.pk}/commit/"

    def click(i: int) -> requests.Response:
        response: requests.Response = sessions[i].post(
            commit, data={"csrfmiddlewaretoken": tokens[i]}, headers={"Referer": preview}
        )
        return response

    responses, failures = at_once(3, click)
    assert not failures
    for response in responses:
        assert isinstance(response, requests.Response)
        assert response.status_code == 200 and response.url.endswith(f"/people/import/{batch.pk}/")
    jobs = Job.objects.filter(kind=IMPORT_PEOPLE, params__batch_id=batch.pk)
    assert jobs.count() == 1 and jobs.get().idempotency_key == import_key(batch)

    run_pending_jobs()
    batch.refresh_from_db()
    assert batch.status == ImportStatus.SUCCEEDED and batch.inserted == ROWS
    assert Person.objects.count() == people_before + ROWS
    page = sessions[0].get(f"{live_server.url}/people/import/{batch.pk}/").text
    assert "<strong>500</strong> new here" in page


@pytest.mark.django_db(transaction=True)
def test_two_imports_of_one_batch_applied_at_once_apply_it_once(personas):
    people_before = Person.objects.count()  # the personas' members
    batch = upload(FILE, actor=personas.staff, name="volunteers.csv")

    def apply(_: int) -> str:
        try:
            do_import_people(ImportBatch.objects.get(pk=batch.pk), actor=personas.staff)
        except ImportAlreadyApplied:
            return "refused"
        return "applied"

    outcomes, failures = at_once(2, apply)
    assert not failures
    assert sorted(str(outcome) for outcome in outcomes) == ["applied", "refused"]
    assert Person.objects.count() == people_before + ROWS
    assert EmailAddress.objects.filter(address__startswith="ada").count() == ROWS


@pytest.mark.django_db(transaction=True)
def test_an_import_job_run_again_after_its_batch_was_applied_applies_nothing(personas):
    """A worker killed after the import committed but before its job was marked done: the job runs
    again and finds the batch imported."""
    people_before = Person.objects.count()  # the personas' members
    batch = upload(FILE, actor=personas.staff, name="volunteers.csv")
    do_import_people(batch, actor=personas.staff)
    again = do_enqueue_job(IMPORT_PEOPLE, {"batch_id": batch.pk}, actor=personas.staff)
    run_pending_jobs()
    again.refresh_from_db()
    assert again.status == JobStatus.SUCCEEDED and again.result["inserted"] == ROWS
    assert Person.objects.count() == people_before + ROWS

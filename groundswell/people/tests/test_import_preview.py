"""The check of every row before an import (the preview) runs as a background job; its result is kept
on the batch and the preview page reads it."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from groundswell.core.jobs import Progress, claim_next_job, run_pending_jobs
from groundswell.core.models import Job, JobStatus
from groundswell.people.actions import PersonDetails, do_save_person
from groundswell.people.importing import do_set_import_mapping
from groundswell.people.jobs import PREVIEW_IMPORT, do_queue_import_preview, preview_import_job
from groundswell.people.models import ImportBatch, ImportStatus, Person
from groundswell.people.tests.test_importing import GOOD_HEADER, good_rows, upload
from groundswell.testing import WatchedProgress


def map_columns(client: Client, batch: ImportBatch):
    return client.post(f"/people/import/{batch.pk}/mapping/", {f"column_{i}": f for i, f in enumerate(batch.mapping)})


@pytest.mark.django_db(transaction=True)
def test_the_preview_job_reports_progress_while_it_checks_and_matches(personas):
    batch = upload(GOOD_HEADER + good_rows(40), actor=personas.staff)
    job = do_queue_import_preview(batch, actor=personas.staff)
    watching = WatchedProgress(job)
    job.refresh_from_db()
    preview_import_job(job, watching)
    assert ("Checking rows", 20, 40) in watching.seen
    assert ("Checking rows", 40, 40) in watching.seen
    assert ("Matching people already known", 40, 40) in watching.seen


@pytest.mark.django_db
def test_mapping_a_big_file_answers_at_once_with_a_check_queued_that_the_page_follows(personas, client: Client):
    client.force_login(personas.leader_a)
    rows = 20_000
    text = GOOD_HEADER + "".join(f"P{i},Tester,p{i}@example.com,,,Pittsburgh,PA,15213,,yes,\n" for i in range(rows))
    client.post(
        "/people/import/",
        {"file": SimpleUploadedFile("national.csv", text.encode()),
         "chapter": personas.chapter_a.pk},
    )  # fmt: skip
    batch = ImportBatch.objects.get()

    response = map_columns(client, batch)

    assert response.status_code == 302 and response["Location"] == f"/people/import/{batch.pk}/preview/"
    batch.refresh_from_db()
    job = batch.preview_job
    assert job is not None and (job.kind, job.status) == (PREVIEW_IMPORT, JobStatus.QUEUED)
    assert batch.preview == {} and batch.row_count == 0  # not one row was read in the request
    page = client.get(f"/people/import/{batch.pk}/preview/").content.decode()
    assert "Checking your file" in page and "Waiting for a worker to start checking" in page
    assert f'hx-get="/people/import/{batch.pk}/preview/progress/"' in page and 'hx-trigger="every 1s"' in page
    assert 'name="commit"' not in page

    running = claim_next_job()  # what the worker does before running the handler
    assert running is not None and running.pk == job.pk
    progress = Progress(running, min_interval=0)
    progress.phase("Checking rows", total=rows)
    progress.set(5_000)
    fragment = client.get(f"/people/import/{batch.pk}/preview/progress/")
    assert "HX-Refresh" not in fragment
    assert "Checking rows: 5,000 of 20,000 rows" in fragment.content.decode()
    assert 'value="25"' in fragment.content.decode()

    Job.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED)
    run_pending_jobs()
    fragment = client.get(f"/people/import/{batch.pk}/preview/progress/")
    assert fragment["HX-Refresh"] == "true"  # the page reloads itself and shows the result
    assert "hx-trigger" not in fragment.content.decode()
    page = client.get(f"/people/import/{batch.pk}/preview/").content.decode()
    assert "<strong>20,000</strong> new to Pittsburgh Groundswell" in page
    assert "Import 20,000 rows into Pittsburgh Groundswell" in page
    assert not Person.objects.filter(last_name="Tester").exists()


@pytest.mark.django_db
def test_the_preview_result_is_stored_on_the_batch(personas):
    do_save_person(PersonDetails(first_name="Known", emails=["person0@example.com"]), source="t", actor=None)
    text = GOOD_HEADER + good_rows(4) + good_rows(1, start=2) + "Bad,Zip,,,,,PA,999,,,\n"
    batch = upload(text, actor=personas.staff)
    job = do_queue_import_preview(batch, actor=personas.staff)
    run_pending_jobs()

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED  # bad rows are the check's answer, not its failure
    assert job.result == {"batch_id": batch.pk, "rows": 6, "errors": 1, "new": 3}
    batch.refresh_from_db()
    stored = batch.preview
    counts = {name: stored[name] for name in ("rows", "good_rows", "new", "matched", "repeated")}
    assert counts == {"rows": 6, "good_rows": 5, "new": 3, "matched": 1, "repeated": 1}
    assert stored["error_count"] == 1 and (batch.row_count, batch.error_count) == (6, 1)
    assert stored["errors"] == [
        {
            "row": 7,
            "column": "Zip",
            "message": "'999' is not a ZIP code (a spreadsheet may have dropped its leading zeros)",
        }
    ]
    assert stored["mapping"] == batch.mapping
    assert [(row, status) for row, status, _ in stored["sample"]] == [
        (2, "already here"), (3, "new here"), (4, "new here"), (5, "new here"), (6, "repeats an earlier row"),
    ]  # fmt: skip
    assert "person1@example.com" in stored["sample"][1][2]
    assert batch.status == ImportStatus.UPLOADED  # nothing imported
    assert Person.objects.filter(last_name="Tester").count() == 0


@pytest.mark.django_db
def test_a_leader_cannot_see_another_leaders_preview(personas, client: Client):
    batch = upload(GOOD_HEADER + good_rows(3), actor=personas.leader_a, chapter=personas.chapter_a)
    do_queue_import_preview(batch, actor=personas.leader_a)
    run_pending_jobs()

    client.force_login(personas.leader_b)
    assert client.get(f"/people/import/{batch.pk}/preview/").status_code == 404
    assert client.get(f"/people/import/{batch.pk}/preview/progress/").status_code == 404
    assert client.post(f"/people/import/{batch.pk}/preview/").status_code == 404
    assert Job.objects.filter(kind=PREVIEW_IMPORT).count() == 1

    client.force_login(personas.leader_a)
    assert (
        "<strong>3</strong> new to Pittsburgh Groundswell"
        in client.get(f"/people/import/{batch.pk}/preview/").content.decode()
    )


@pytest.mark.django_db
def test_a_new_mapping_drops_the_preview_and_a_late_result_of_the_old_check_is_not_kept(personas, client: Client):
    batch = upload("Name,Mail\nAna,ana@example.com\n", actor=personas.staff)
    old_check = do_queue_import_preview(batch, actor=personas.staff)
    assert do_set_import_mapping(batch, ["first_name", "email"], actor=personas.staff) == []
    run_pending_jobs()  # the old check finishes after the mapping changed

    old_check.refresh_from_db()
    assert old_check.status == JobStatus.SUCCEEDED
    batch.refresh_from_db()
    assert batch.preview == {} and batch.preview_job is None
    client.force_login(personas.staff)
    page = client.get(f"/people/import/{batch.pk}/preview/").content.decode()
    assert "Not checked yet" in page and 'name="commit"' not in page

    assert client.post(f"/people/import/{batch.pk}/preview/").status_code == 302
    run_pending_jobs()
    page = client.get(f"/people/import/{batch.pk}/preview/").content.decode()
    assert "<strong>1</strong> new to Groundswell national" in page and "ana@example.com" in page


@pytest.mark.django_db
def test_a_check_of_an_unreadable_file_says_why_and_offers_to_check_again(personas, client: Client):
    batch = upload(GOOD_HEADER + good_rows(2), actor=personas.staff)
    do_queue_import_preview(batch, actor=personas.staff)
    (Path(settings.DATA_DIR) / batch.stored_path).write_bytes(b"")  # the stored upload lost on the way
    run_pending_jobs()

    client.force_login(personas.staff)
    page = client.get(f"/people/import/{batch.pk}/preview/").content.decode()
    assert "The check stopped" in page and "The file is empty" in page
    assert "Check every row" in page

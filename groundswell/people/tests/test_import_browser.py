import threading

import pytest
from django.db import close_old_connections

from conftest import sign_in
from groundswell.core.jobs import run_pending_jobs
from groundswell.people.models import Person

HEADER = "First Name,Last Name,Email,Phone,City,State,Zip\n"
GOOD = "".join(
    f"Good{i},Importer,good{i}@example.com,412-555-{1000 + i},Pittsburgh,PA,15213\n" for i in range(25)
)  # fmt: skip


class Worker:
    """A job worker in a thread beside the live server, as `groundswell serve` runs one beside gunicorn."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stop.is_set():
            run_pending_jobs()
            close_old_connections()
            self.stop.wait(0.3)

    def __enter__(self) -> "Worker":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=30)


def upload(page, live_server, tmp_path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    page.goto(f"{live_server.url}/people/")
    page.get_by_role("link", name="Import CSV").click()
    page.get_by_label("CSV file").set_input_files(str(path))
    page.get_by_label("Add everyone to this chapter").select_option(label="Pittsburgh Groundswell")
    page.get_by_role("button", name="Upload and match columns").click()
    page.get_by_role("heading", name=f"Match the columns of {name}").wait_for()
    assert page.get_by_label("Email", exact=True).input_value() == "email"
    page.get_by_role("button", name="Check every row").click()
    # The check runs as a job: the page says so, follows it, and reloads itself with the result.
    page.get_by_role("heading", name="Checking your file").wait_for()
    with Worker():
        page.get_by_role("list", name="What importing would do").wait_for(timeout=30_000)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_leader_sees_a_bad_row_cannot_import_it_then_imports_a_good_file_and_watches_it_finish(
    personas, page, live_server, tmp_path
):
    sign_in(page, live_server, "leader.a@example.org")

    bad = HEADER + GOOD.splitlines(keepends=True)[0] + "Bad,Row,bad@,412-555-0000,Pittsburgh,PA,15213\n"
    upload(page, live_server, tmp_path, "with-a-bad-row.csv", bad)
    problems = page.get_by_role("region", name="Problems to fix first")
    problems.get_by_role("row", name="Row 3 Email").wait_for()
    row = problems.get_by_role("row", name="Row 3 Email").inner_text()
    assert "'bad@' is not an email address" in row
    assert page.get_by_role("button", name="Import").count() == 0
    assert not Person.objects.filter(last_name="Importer").exists()

    upload(page, live_server, tmp_path, "members.csv", HEADER + GOOD)
    assert "25 new to Pittsburgh Groundswell" in page.get_by_role("list", name="What importing would do").inner_text()
    page.get_by_role("button", name="Import 25 rows into Pittsburgh Groundswell").click()
    page.get_by_text("Waiting for a worker to start the import").wait_for()
    with Worker():  # the page polls the job and changes by itself, without a reload
        page.get_by_role("heading", name="Imported").wait_for(timeout=30_000)
    figures = page.locator("#import-progress").inner_text()
    assert "25 new" in figures and "0 updated" in figures and "0 unchanged" in figures
    assert Person.objects.filter(last_name="Importer", memberships__chapter=personas.chapter_a).count() == 25
    page.get_by_role("link", name="See the people list").click()
    page.get_by_role("link", name="Good0 Importer").wait_for()

"""People files that are not what an export looks like: a cell over 128 KB (often a quote left open),
thousands of columns. Each gets a message naming the row and column, or the file's problem, over the
whole request cycle: never a 500, never a bare "Bad Request"."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from groundswell.core.jobs import run_pending_jobs
from groundswell.people.importing import MAX_CELL_CHARS, MAX_COLUMNS
from groundswell.people.models import ImportBatch
from groundswell.people.tests.test_importing import upload

pytestmark = pytest.mark.django_db

HUGE = 200_000  # over Python's csv limit (131,072) and ours


def _upload_over_http(client, text: str, name: str = "people.csv"):
    return client.post("/people/import/", {"file": SimpleUploadedFile(name, text.encode(), "text/csv")})


def _map_and_check(client, batch: ImportBatch) -> bytes:
    """Send the mapping page's own guesses, run the check it queues, and return the preview page."""
    fields = {f"column_{i}": field_name for i, field_name in enumerate(batch.mapping)}
    response = client.post(f"/people/import/{batch.pk}/mapping/", fields)
    assert response.status_code == 302, response.content[:500]
    run_pending_jobs()
    page = client.get(f"/people/import/{batch.pk}/preview/")
    assert page.status_code == 200
    content: bytes = page.content
    return content


def test_a_cell_over_128_kb_is_a_problem_named_by_row_and_column(personas, client):
    client.force_login(personas.staff)
    text = "First Name,Last Name,Email,Notes\nAda,Okafor,ada@example.org,fine\n"
    text += f"Ben,Ruiz,ben@example.org,{'x' * HUGE}\nCy,Lee,cy@example.org,\n"
    assert _upload_over_http(client, text).status_code == 302
    batch = ImportBatch.objects.get()

    mapping = client.get(f"/people/import/{batch.pk}/mapping/")
    assert mapping.status_code == 200
    assert len(mapping.content) < 100_000  # the sample shows the cell cut short, not 200 KB of it

    preview = _map_and_check(client, batch).decode()
    assert "Row 3</td><td>Notes</td>" in preview
    assert f"the cell holds {HUGE:,} characters, more than a cell may ({MAX_CELL_CHARS:,})" in preview
    commit = client.post(f"/people/import/{batch.pk}/commit/")
    assert commit.status_code == 200 and b"the cell holds" in commit.content  # nothing imported


def test_a_quote_left_open_is_named_where_it_opens(personas, client):
    client.force_login(personas.staff)
    rows = "".join(f"Person{i},Tester,p{i}@example.org\n" for i in range(12_000))
    text = 'First Name,Last Name,Email\nAda,Okafor,ada@example.org\nBen,"Ruiz,ben@example.org\n' + rows
    assert _upload_over_http(client, text).status_code == 302
    batch = ImportBatch.objects.get()
    assert client.get(f"/people/import/{batch.pk}/mapping/").status_code == 200
    preview = _map_and_check(client, batch).decode()
    assert "Row 3</td><td>Last Name</td>" in preview
    assert "lines of the file, so a quote (&quot;) is probably left open" in preview


def test_a_10000_column_file_is_refused_at_upload_saying_why(personas, client):
    client.force_login(personas.staff)
    header = "First Name,Last Name,Email," + ",".join(f"Custom {i}" for i in range(9_997))
    text = header + "\n" + "Ada,Okafor,ada@example.org" + "," * 9_997 + "\n"
    response = _upload_over_http(client, text, name="wide.csv")
    assert response.status_code == 200
    assert f"The file has 10,000 columns; Groundswell reads at most {MAX_COLUMNS:,}" in response.content.decode()
    assert len(response.content) < 100_000
    assert not ImportBatch.objects.exists()


def test_a_too_wide_file_uploaded_before_the_limit_gets_a_message_not_a_form(personas, client, settings):
    client.force_login(personas.staff)
    batch = upload("First Name,Email\nAda,ada@example.org\n", actor=personas.staff)
    wide = ",".join(f"Column {i}" for i in range(10_000)) + "\n" + "," * 9_999 + "\n"
    (settings.DATA_DIR / batch.stored_path).write_text(wide)
    ImportBatch.objects.filter(pk=batch.pk).update(headers=[f"Column {i}" for i in range(10_000)])
    page = client.get(f"/people/import/{batch.pk}/mapping/")
    assert page.status_code == 200
    assert b"The file has 10,000 columns" in page.content and b"<select" not in page.content


def test_the_command_line_names_the_problem_too(personas, tmp_path):
    wide = tmp_path / "wide.csv"
    wide.write_text(",".join(f"Column {i}" for i in range(600)) + "\n")
    with pytest.raises(CommandError, match="The file has 600 columns"):
        call_command("import_people", str(wide))

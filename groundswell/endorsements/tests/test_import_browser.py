"""The past-endorsement import in a real browser: FiveThirtyEight's layout, the mapping page's own guesses,
the win rates on the scorecard, and the import undone whole after a confirmation with the counts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conftest import sign_in
from groundswell.core.jobs import run_pending_jobs
from groundswell.core.models import AuditEntry, AuditEvent
from groundswell.endorsements.models import Endorsement
from groundswell.testing import make_personas

FILE = Path(__file__).parent / "data" / "fivethirtyeight_2018_primary_layout.csv"


def endorser_rates(page: Any) -> dict[str, str]:
    table = page.get_by_role("heading", name="By endorser").locator("xpath=..").locator("table tbody tr")
    return {row.locator("th").inner_text(): row.locator("td").first.inner_text() for row in table.all()}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_fivethirtyeight_layout_imports_with_the_pages_guesses_and_is_undone_whole(
    page: Any, live_server: Any, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    personas = make_personas()
    sign_in(page, live_server, personas.staff.email)
    page.goto(f"{live_server.url}/endorsements/import/")
    page.get_by_label("CSV file of past endorsements").set_input_files(str(FILE))
    page.get_by_role("button", name="Upload and map columns").click()
    page.get_by_role("heading", name="Which column is which?").wait_for()

    # Only the columns whose header names an endorsement or support are ticked.
    for endorser in ("Emily Endorsed?", "Justice Dems Endorsed?", "Party Support?", "No Labels Support?"):
        assert page.get_by_label(endorser, exact=True).is_checked(), endorser
    for fact in ("Veteran?", "LGBTQ?", "STEM?", "Elected Official?", "Guns Sense Candidate?"):
        assert not page.get_by_label(fact, exact=True).is_checked(), fact
    assert page.get_by_label("Result (won / lost, advanced, 1 / 0, a vote share ...)").input_value() == "Won Primary"
    assert page.get_by_label("“Yes”").input_value() == "won" and page.get_by_label("(blank)").input_value() == "pending"
    page.get_by_role("button", name="Import").click()
    page.get_by_text("All 12 rows of fivethirtyeight_2018_primary_layout.csv are good").wait_for()

    assert run_pending_jobs() == 1
    page.reload()
    page.get_by_text("12 rows: 16 endorsements of 11 candidates").wait_for()
    page.get_by_role("link", name="See them on the scorecard").click()
    page.get_by_role("heading", name="By endorser").wait_for()
    assert endorser_rates(page) == {
        "Emily": "3 of 3, 100%",
        "Justice Dems": "2 of 4, 50%",
        "Our Revolution": "2 of 5, 40%",
        "Party": "2 of 3, 67%",
    }

    # Undo, after a confirmation that shows what goes.
    page.goto(f"{live_server.url}/endorsements/import/")
    page.get_by_role("link", name="Undo this import").click()
    removes = page.get_by_role("list", name="What undoing removes").inner_text()
    assert "16 endorsements" in removes and "11 candidacies, 8 races and 6 elections" in removes
    assert Endorsement.objects.count() == 16  # the counts were worked out and rolled back
    page.get_by_label("Yes, take this import back").check()
    page.get_by_role("button", name="Undo this import").click()
    page.get_by_text("The import of fivethirtyeight_2018_primary_layout.csv is undone").wait_for()
    assert Endorsement.objects.count() == 0
    assert (
        AuditEntry.objects.filter(event_type=AuditEvent.ENDORSEMENTS_IMPORT_UNDONE, actor=personas.staff).count() == 1
    )
    page.goto(f"{live_server.url}/endorsements/scorecard/?endorser=all")
    assert page.locator(".figure strong").first.inner_text() == "0 of 0, —"

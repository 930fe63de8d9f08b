"""The turnout pages in a real Chromium: the charts draw (Chart.js under the CSP), the tables fill, a ballot
file uploaded on the page is imported by the background job and the page shows what it did.

Set TURNOUT_SCREENSHOTS=DIR to keep a full-page screenshot of each page there."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import sign_in
from groundswell.core.jobs import run_pending_jobs
from groundswell.turnout.models import BallotReturn
from groundswell.turnout.tests.conftest import LIFT_ELECTION
from groundswell.turnout.tests.test_importing import NC_HEADER, nc_row, write_csv


def shoot(page, name: str) -> None:
    folder = os.environ.get("TURNOUT_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def drawn_charts(page) -> int:
    return int(page.evaluate("Array.from(document.querySelectorAll('canvas[data-turnout-chart]'))"
                         ".filter(c => window.Chart.getChart(c)).length"))  # fmt: skip


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_chase_lift_and_dashboards_draw_their_charts(gotv, personas, live_server, page) -> None:
    _election, supporters, voted = gotv
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    sign_in(page, live_server, personas.staff.email)

    page.goto(f"{live_server.url}/turnout/?where=state:NC")
    page.wait_for_function("window.Chart !== undefined")
    assert drawn_charts(page) == 3
    figures = page.get_by_role("list", name="Supporters", exact=True).inner_text()
    assert f"{len(supporters):,}" in figures and f"{len(voted):,}" in figures
    assert page.locator("table.turnout-table tbody tr").count() == min(500, len(supporters) - len(voted))
    shoot(page, "chase")

    page.goto(f"{live_server.url}/turnout/lift/?state=NC&election={LIFT_ELECTION.isoformat()}")
    assert page.get_by_role("row", name="Turnout 2026").count() == 1
    assert "pts" in page.get_by_role("list", name="All campaigns").inner_text()
    shoot(page, "lift")

    page.goto(f"{live_server.url}/turnout/dashboards/")
    page.wait_for_function("window.Chart !== undefined")
    assert drawn_charts(page) == 4
    shoot(page, "dashboards")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/turnout/?where=state:NC")
    shoot(page, "chase-phone")
    assert problems == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_ballot_file_uploaded_on_the_page_is_imported(personas, live_server, page, tmp_path, settings) -> None:
    settings.DATA_DIR = tmp_path
    path = write_csv(tmp_path / "absentee_20261021.csv", NC_HEADER,
                     [nc_row("ZZ1", "ONE-STOP", "10/21/2026", "ACCEPTED"), nc_row("ZZ2", "MAIL", "", "")])  # fmt: skip
    sign_in(page, live_server, personas.staff.email)
    page.goto(f"{live_server.url}/turnout/ballots/")
    page.get_by_label("Ballot file (CSV)").set_input_files(str(path))
    page.get_by_role("button", name="Upload and import").click()
    page.get_by_text("Queued").wait_for()
    assert run_pending_jobs() == 1
    page.get_by_role("heading", name="Imported").wait_for()
    assert "2 new" in page.locator("#import-progress").inner_text()
    shoot(page, "ballot-import")
    assert BallotReturn.objects.filter(accepted=True).count() == 1

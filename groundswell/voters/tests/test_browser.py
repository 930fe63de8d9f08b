"""In a real Chromium: a leader builds a universe, watches the count change, saves it, freezes a list and
exports it (audited); a volunteer reaches none of it. A leader looks a voter up by name."""

from __future__ import annotations

import csv
import io

import pytest
from playwright.sync_api import expect

from conftest import sign_in
from groundswell.core.models import AuditEntry, AuditEvent
from groundswell.voters.models import SavedUniverse, VoterList
from groundswell.voters.tests.conftest import import_pa


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_leader_builds_saves_freezes_and_exports_a_universe(page, live_server, personas, voter_dirs, pa_file):
    import_pa(personas, pa_file)
    sign_in(page, live_server, personas.leader_a.email)
    page.get_by_role("link", name="Voters", exact=True).click()
    page.get_by_role("link", name="Pittsburgh Groundswell (PA)").click()
    total = page.locator("#vb-total")
    total.wait_for()
    assert total.inner_text() == "43"  # the voters of chapter A's area, all active or inactive (the default)
    page.get_by_label("Republican").check()
    expect(total).not_to_have_text("43")
    republicans = int(total.inner_text())
    assert 0 < republicans < 43
    page.get_by_label("Age from").fill("40")
    expect(total).not_to_have_text(str(republicans))
    assert "Republicans, aged 40 or older" in page.locator("#vb-count").inner_text()
    older = int(total.inner_text())
    page.get_by_label("Name", exact=True).fill("Older Republicans")
    page.get_by_role("button", name="Save universe").click()
    page.get_by_role("heading", name="Older Republicans").wait_for()
    universe = SavedUniverse.objects.get()
    assert universe.definition["parties"] == ["REP"] and universe.definition["age_min"] == 40

    page.get_by_role("button", name="Freeze a list").click()
    page.get_by_role("button", name="Export CSV").wait_for()
    voter_list = VoterList.objects.get()
    assert voter_list.voter_count == older
    with page.expect_download() as download:
        page.get_by_role("button", name="Export CSV").click()
    rows = list(csv.DictReader(io.StringIO(open(download.value.path(), encoding="utf-8-sig").read())))
    assert len(rows) == older and {r["party"] for r in rows} == {"REP"}
    exported = AuditEntry.objects.get(event_type=AuditEvent.VOTERS_EXPORTED)
    assert exported.actor == personas.leader_a and exported.details["count"] == older
    assert AuditEntry.objects.filter(event_type=AuditEvent.VOTERS_SEARCHED, actor=personas.leader_a).count() >= 3

    page.context.clear_cookies()
    sign_in(page, live_server, personas.volunteer.email)
    assert page.get_by_role("link", name="Voters", exact=True).count() == 0
    for url in ("/voters/", f"/voters/universes/{universe.pk}/", f"/voters/lists/{voter_list.pk}/",
                "/voters/build/?where=chapter:pittsburgh"):  # fmt: skip
        assert page.goto(f"{live_server.url}{url}").status == 404


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_leader_looks_up_a_voter_by_name_and_opens_their_page(page, live_server, personas, voter_dirs, pa_file):
    import_pa(personas, pa_file)
    sign_in(page, live_server, personas.leader_a.email)
    page.goto(f"{live_server.url}/voters/")
    page.get_by_role("link", name="Look up a voter").click()
    page.get_by_label("Last name").fill("voter07")
    page.get_by_label("Born in").fill("19x")
    page.get_by_role("button", name="Look up").click()
    expect(page.get_by_role("alert")).to_have_text("A year such as 1971.")
    page.get_by_label("Born in").fill("")
    page.get_by_role("button", name="Look up").click()
    page.get_by_role("heading", name="1 found").wait_for()
    page.get_by_role("link", name="Pat Voter07").click()
    page.get_by_role("heading", name="Vote history").wait_for()
    assert "PA PA000007" in page.locator(".vb-facts").inner_text()
    page.goto(f"{live_server.url}/voters/lookup/?last_name=voter45")  # Philadelphia, outside the area
    page.get_by_role("heading", name="No one found").wait_for()
    lookups = AuditEntry.objects.filter(event_type=AuditEvent.VOTERS_SEARCHED, details__via="lookup")
    assert [e.details["found"] for e in lookups.order_by("id")] == [1, 0]
    assert AuditEntry.objects.filter(event_type=AuditEvent.VOTER_VIEWED, actor=personas.leader_a).count() == 1


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_meets_a_held_file_on_its_page_and_applies_it_only_by_confirming(
    page, live_server, personas, voter_dirs, pa_file, tmp_path
):
    from groundswell.core.jobs import run_pending_jobs
    from groundswell.voters.models import VoterImport
    from groundswell.voters.tests.conftest import PA_HEADER

    import_pa(personas, pa_file)  # 63 voters
    header_only = tmp_path / "pa_voters_new.csv"
    header_only.write_text(PA_HEADER + "\n")
    sign_in(page, live_server, personas.staff.email)
    page.goto(f"{live_server.url}/voters/imports/")
    page.get_by_label("Voter file").set_input_files(str(header_only))
    page.get_by_label("Layout").select_option("mapped")
    page.locator("#id_state").fill("PA")
    page.get_by_label("Saved column mapping (for a CSV)").select_option(label="PA county export (PA)")
    page.get_by_role("button", name="Upload and import").click()
    page.wait_for_url("**/voters/imports/*/")
    run_pending_jobs()
    page.reload()
    expect(page.locator("#import-status")).to_have_text("Waiting for confirmation")
    expect(page.locator("#import-error")).to_contain_text("this file would mark 63 of 63 voters removed")
    held = VoterImport.objects.order_by("-id").first()
    assert held is not None and held.status == "held" and held.removed == 63
    page.get_by_role("button", name="Apply this file anyway").click()
    expect(page.get_by_text("Confirmed: pa_voters_new.csv is being applied.")).to_be_visible()
    run_pending_jobs()
    page.reload()
    expect(page.locator("#import-status")).to_have_text("Imported")
    expect(page.locator(".vb-figures")).to_contain_text("63 removed")
    held.refresh_from_db()
    assert held.confirmed_by == personas.staff and held.removed == 63

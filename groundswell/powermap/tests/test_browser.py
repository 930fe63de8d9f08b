from __future__ import annotations

import pytest

from conftest import sign_in
from groundswell.powermap.demo import load_power_map_demo
from groundswell.testing import make_personas


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_state_page_to_a_target_district_and_its_map(page, live_server):
    personas = make_personas()
    load_power_map_demo()
    sign_in(page, live_server, personas.leader_b.email)
    page.get_by_role("link", name="Power map").click()
    page.get_by_role("link", name="Rhode Island").click()
    page.get_by_role("heading", name="Rhode Island House: targets").wait_for()
    flip_rows = page.locator("details[open] table.targets").first.locator("tbody tr")
    assert flip_rows.count() >= 1
    first_target = flip_rows.first.get_by_role("link").first
    district_name = first_target.inner_text()
    first_target.click()
    page.get_by_role("heading", name=district_name).wait_for()
    # Leaflet drew the district outline and its precincts as SVG paths, shaded by lean.
    page.locator("#lean-map[data-ready=true]").wait_for()
    paths = page.locator("#lean-map path.leaflet-interactive")
    assert paths.count() >= 2
    fills = {paths.nth(i).get_attribute("fill") for i in range(paths.count())}
    assert fills & {"#1d4f91", "#4a7fc1", "#a9c4e8", "#f2b1a8", "#d9604f", "#a3261b"}
    assert page.get_by_text("Lean (2016 President of the United States)").is_visible()

    page.go_back()
    page.get_by_role("link", name="Map of districts by lean").first.click()
    page.locator("#lean-map[data-ready=true]").wait_for()
    assert page.locator("#lean-map path.leaflet-interactive").count() == 75

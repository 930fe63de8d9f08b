"""The turf page draws the precinct's outline with Leaflet where a boundary is imported."""

from __future__ import annotations

import json

import pytest

from conftest import sign_in
from groundswell.field.actions import do_cut_turfs
from groundswell.geo.models import Division, DivisionKind

SQUARE = {"type": "Polygon", "coordinates": [[[-78.70, 35.80], [-78.60, 35.80], [-78.60, 35.90], [-78.70, 35.90],
                                              [-78.70, 35.80]]]}  # fmt: skip


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_turf_in_a_precinct_with_a_boundary_shows_its_outline(page, live_server, voter_list, campaign, personas):
    turf = do_cut_turfs(voter_list, campaign, target=15, unit="voters", actor=personas.staff).turfs[0]
    Division.objects.create(
        ocd_id=f"ocd-division/country:us/state:nc/precinct:{turf.precinct.lower()}", kind=DivisionKind.PRECINCT,
        name=turf.precinct, state="NC", geometry=json.dumps(SQUARE),
    )  # fmt: skip
    sign_in(page, live_server, personas.staff.email)
    page.goto(f"{live_server.url}/field/turfs/{turf.pk}/")
    outline = page.locator("#turf-map path.leaflet-interactive")
    outline.wait_for()
    assert outline.count() == 1
    box = outline.bounding_box()
    assert box is not None and box["width"] > 50 and box["height"] > 50  # fitted to the map, not a dot
    assert page.locator(".field-nomap").count() == 0


@pytest.mark.django_db
def test_a_turf_without_a_boundary_says_there_is_no_map(client, voter_list, campaign, personas):
    turf = do_cut_turfs(voter_list, campaign, target=15, unit="voters", actor=personas.staff).turfs[0]
    client.force_login(personas.staff)
    page = client.get(f"/field/turfs/{turf.pk}/")
    assert b"There is no map for this turf" in page.content
    assert b"turf-map-data" not in page.content

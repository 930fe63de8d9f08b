from __future__ import annotations

import io
import json

import pytest
from django.db.models import Count, Sum

from groundswell.geo import ocd
from groundswell.geo.actions import do_import_boundaries
from groundswell.geo.importing import ImportRejected
from groundswell.geo.models import Division, DivisionKind, PrecinctDistrict
from groundswell.powermap.demo import RI_PLAN_FROM, RI_PLAN_TO, RI_PRECINCTS, load_power_map_demo
from groundswell.powermap.models import DistrictLean


@pytest.mark.django_db
def test_rhode_island_precinct_votes_sum_into_its_75_house_districts_with_none_lost():
    load_power_map_demo()
    features = json.loads(RI_PRECINCTS.read_text())["features"]
    dem = sum(f["properties"]["PRES16D"] for f in features)
    rep = sum(f["properties"]["PRES16R"] for f in features)
    assert (dem, rep) == (248_124, 178_596)
    house = DistrictLean.objects.filter(district__kind=DivisionKind.STATE_HOUSE, district__state="RI")
    assert house.count() == 75
    totals = house.aggregate(d=Sum("democratic_votes"), r=Sum("republican_votes"), p=Sum("precincts"))
    assert (totals["d"], totals["r"], totals["p"]) == (248_124, 178_596, 419)
    senate = DistrictLean.objects.filter(district__kind=DivisionKind.STATE_SENATE, district__state="RI")
    assert senate.count() == 38 and senate.aggregate(d=Sum("democratic_votes"))["d"] == 248_124
    # every precinct lies in exactly one house district
    per_precinct = PrecinctDistrict.objects.filter(district__kind=DivisionKind.STATE_HOUSE).values("precinct")
    assert set(per_precinct.annotate(n=Count("district")).values_list("n", flat=True)) == {1}


@pytest.mark.django_db
def test_boundaries_carry_plan_dates_places_and_shapes_and_reimport_unchanged():
    first = do_import_boundaries(RI_PRECINCTS, state="ri", plan_valid_from=RI_PLAN_FROM, plan_valid_to=RI_PLAN_TO,
                                 source_name="ri", actor=None)  # fmt: skip
    assert first.inserted["precinct assignments"] == 419 * 3
    precinct = Division.objects.get(ocd_id="ocd-division/country:us/state:ri/precinct:3206")
    assert precinct.name == "South Kingstown 3206" and precinct.parent is not None
    assert precinct.parent.ocd_id == "ocd-division/country:us/state:ri/place:south_kingstown"
    assert precinct.facts["REGVOT16"] == 2856
    link = PrecinctDistrict.objects.get(precinct=precinct, district__kind=DivisionKind.STATE_HOUSE)
    assert link.district.ocd_id == "ocd-division/country:us/state:ri/sldl:35"
    assert (link.valid_from, link.valid_to) == (RI_PLAN_FROM, RI_PLAN_TO)
    outline = json.loads(link.district.geometry)
    assert outline["type"] in {"Polygon", "MultiPolygon"}
    again = do_import_boundaries(RI_PRECINCTS, state="ri", plan_valid_from=RI_PLAN_FROM, plan_valid_to=RI_PLAN_TO,
                                 source_name="ri", actor=None)  # fmt: skip
    assert again.total_inserted == 0 and again.total_updated == 0


@pytest.mark.django_db
def test_bad_features_are_named_and_nothing_is_saved():
    good = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [0, 0]},
            "properties": {"NAME": "1", "PRENAME": "A 1", "HDIST": "1", "SENDIST": "1", "CD": "1"}}  # fmt: skip
    no_district = {**good, "properties": {**good["properties"], "NAME": "2", "HDIST": ""}}
    duplicate = good
    data = json.dumps({"type": "FeatureCollection", "features": [good, no_district, duplicate]}).encode()
    with pytest.raises(ImportRejected) as rejected:
        do_import_boundaries(io.BytesIO(data), state="ri", actor=None)
    assert [str(e) for e in rejected.value.errors] == [
        "row 2, HDIST: missing district number",
        "row 3, NAME: precinct '1' appears twice",
    ]
    assert not Division.objects.exists()


def test_ocd_ids():
    assert ocd.district_ocd_id("RI", "sldl", "035") == "ocd-division/country:us/state:ri/sldl:35"
    assert ocd.district_ocd_id("vt", "sldu", "1st Franklin") == "ocd-division/country:us/state:vt/sldu:1st_franklin"
    assert (
        ocd.precinct_ocd_id(ocd.county_ocd_id("pa", "Dauphin"), "HARRISBURG CITY--1ST WARD, 1ST PRECINCT")
        == "ocd-division/country:us/state:pa/county:dauphin/precinct:harrisburg_city--1st_ward_1st_precinct"
    )
    assert ocd.state_ocd_id("dc") == "ocd-division/country:us/district:dc"
    assert ocd.state_of("ocd-division/country:us/state:ri/sldl:35") == "RI"

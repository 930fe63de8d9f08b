from __future__ import annotations

import pytest

from groundswell.geo.models import Division
from groundswell.powermap.analysis import TargetKind, classify_seat, sum_district_votes
from groundswell.powermap.models import DistrictLean, lean_label
from groundswell.powermap.selectors import chamber_views
from groundswell.powermap.tests.tiny_state import build_tiny_state


@pytest.mark.parametrize(
    ("holder", "lean", "contested", "expected"),
    [
        ("Republican", 3.0, True, TargetKind.FLIP),
        ("Republican", -9.9, True, TargetKind.FLIP),
        ("", -5.0, None, TargetKind.FLIP),  # vacant and close: ours to take
        ("Republican", -15.0, True, TargetKind.INROADS),
        ("Republican", -25.0, False, TargetKind.UNCONTESTED),
        ("Republican", -25.0, True, TargetKind.OUT_OF_REACH),
        ("Democratic", 5.0, True, TargetKind.HOLD),
        ("Democratic", -12.0, True, TargetKind.HOLD),
        ("Democratic", 30.0, False, TargetKind.UNCONTESTED),
        ("Democratic", 30.0, True, TargetKind.SAFE),
        ("Democratic", None, None, TargetKind.SAFE),
    ],
)
def test_classify_seat(holder, lean, contested, expected):
    assert classify_seat(holder_party=holder, lean=lean, contested=contested) == expected


def test_a_precinct_in_two_districts_counts_once_in_each():
    links = [(1, 10), (1, 11), (2, 11), (1, 10)]  # a repeated link must not count the precinct twice
    votes = {10: {"Democratic": 60, "Republican": 40}, 11: {"Democratic": 10, "Republican": 30, "Green": 5}}
    totals = sum_district_votes(links, votes, {10: (200, 110), 11: (100, None)})
    assert (totals[1].democratic, totals[1].republican, totals[1].total, totals[1].precincts) == (70, 70, 145, 2)
    assert totals[1].lean == 0.0
    assert totals[1].ballots is None  # one precinct lacks ballots cast: no partial turnout
    assert round(totals[2].lean, 2) == -50.0


def test_lean_label():
    assert lean_label(12.345) == "D+12.3"
    assert lean_label(-4.0) == "R+4.0"
    assert lean_label(0.01) == "Even"
    assert lean_label(None) == "—"


@pytest.mark.django_db
def test_lean_is_summed_from_the_precincts_of_each_district(personas):
    build_tiny_state()
    one = DistrictLean.objects.get(district__ocd_id="ocd-division/country:us/state:ri/sldl:1")
    assert (one.democratic_votes, one.republican_votes, one.precincts) == (525, 475, 2)
    assert one.lean == 5.0
    assert one.registered_voters == 2000 and one.ballots_cast == 1020
    senate = DistrictLean.objects.get(district__ocd_id="ocd-division/country:us/state:ri/sldu:1")
    assert senate.democratic_votes == 300 + 225 + 515 + 425 + 700
    assert Division.objects.get(ocd_id="ocd-division/country:us/state:ri/sldl:1").geometry.startswith(
        '{"type":"Polygon"'
    )


@pytest.mark.django_db
def test_chamber_view_counts_seats_majority_and_targets(personas):
    build_tiny_state()
    house, senate = chamber_views(personas.volunteer, "ri")
    assert house.chamber == "lower" and senate.chamber == "upper"
    assert house.by_party == {"Democratic": 2, "Republican": 2}  # fusion label counted as Democratic
    # Rhode Island's House has 75 seats whatever this tiny state imported: four offices, 71 not on record.
    assert (house.total_seats, house.majority, house.seats_to_flip) == (75, 38, 36)
    assert (house.seats_on_record, house.seats_without_record) == (4, 71)
    assert house.controlling_party == "No majority"
    assert [s.district.short_code for s in house.targets(TargetKind.FLIP)] == ["2"]
    assert [s.district.short_code for s in house.targets(TargetKind.HOLD)] == ["1"]
    assert [s.district.short_code for s in house.targets(TargetKind.INROADS)] == ["3"]
    assert [s.kind for s in house.seats if s.district.short_code == "4"] == [TargetKind.SAFE]
    assert (senate.total_seats, senate.cushion) == (38, 1 - 20)

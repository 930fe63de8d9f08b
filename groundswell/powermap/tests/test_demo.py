from __future__ import annotations

import pytest

from groundswell.elections.models import Term
from groundswell.powermap.demo import load_power_map_demo
from groundswell.powermap.models import DistrictLean, ReferenceRace


@pytest.mark.django_db
def test_the_demo_loads_rhode_island_for_real_and_twice_changes_nothing():
    seen = []
    first = load_power_map_demo(progress=lambda phase, done, total: seen.append(phase))
    assert "divisions" in seen and "terms" in seen
    assert Term.objects.filter(office__division__state="RI", end_date__isnull=True).count() == 113
    reference = ReferenceRace.objects.get(state="RI")
    assert (reference.race.office.role, reference.race.election.date.year) == ("president", 2016)
    assert first["districts"] == 75 + 38 + 2
    lean = DistrictLean.objects.get(district__ocd_id="ocd-division/country:us/state:ri/sldl:39")
    assert (lean.democratic_votes, lean.republican_votes, lean.label) == (2_958, 3_693, "R+11.1")
    second = load_power_map_demo()
    for name in ("legislators", "boundaries", "votes"):
        report = second[name]
        assert not isinstance(report, int)
        assert report.total_inserted == 0 and report.total_updated == 0, name

"""Rhode Island, for real, for the demo: its legislators, its precinct map and its 2016 presidential lean."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from groundswell.elections.actions import do_import_boundary_votes, do_import_legislators
from groundswell.elections.openstates import read_legislators_csv
from groundswell.geo.actions import do_import_boundaries
from groundswell.geo.importing import ImportReport, ProgressFn, no_progress
from groundswell.powermap.actions import do_compute_lean
from groundswell.powermap.selectors import find_race

DATA_DIR = Path(__file__).resolve().parent / "data"
LEGISLATORS_CSV = DATA_DIR / "openstates-legislators.csv"
RI_PRECINCTS = DATA_DIR / "ri_precincts_2018.geojson"
# The precinct file carries the districts of the 2012 plan, used in the 2012-2020 elections.
RI_PLAN_FROM = date(2012, 1, 1)
RI_PLAN_TO = date(2022, 2, 28)


def load_power_map_demo(*, progress: ProgressFn | None = None) -> dict[str, ImportReport | int]:
    """Load Rhode Island's power map (idempotent: a second run changes nothing)."""
    report = progress or no_progress
    legislators = _load_legislators(report)
    boundaries = do_import_boundaries(
        RI_PRECINCTS,
        state="ri",
        plan_valid_from=RI_PLAN_FROM,
        plan_valid_to=RI_PLAN_TO,
        source_name=RI_PRECINCTS.name,
        progress=report,
        actor=None,
    )
    votes = do_import_boundary_votes(
        RI_PRECINCTS, state="ri", source_name=RI_PRECINCTS.name, progress=report, actor=None
    )
    race = find_race("ri", 2016, "president")
    assert race is not None, "the 2016 presidential votes were just imported"
    districts = do_compute_lean("ri", race, actor=None, progress=report)
    return {"legislators": legislators, "boundaries": boundaries, "votes": votes, "districts": districts}


def _load_legislators(progress: ProgressFn) -> ImportReport:
    with LEGISLATORS_CSV.open(encoding="utf-8-sig", newline="") as handle:
        rows = read_legislators_csv(handle, states={"ri"})
    return do_import_legislators(rows, source_name=LEGISLATORS_CSV.name, progress=progress, actor=None)

"""A four-district state built through the real imports, for page and rule tests (not the product)."""

from __future__ import annotations

import io
import json
from datetime import date

from groundswell.elections.actions import VoteProperty, do_import_boundary_votes, do_import_legislators
from groundswell.elections.openstates import read_legislators_csv
from groundswell.geo.actions import do_import_boundaries
from groundswell.powermap.actions import do_compute_lean
from groundswell.powermap.selectors import find_race

HEADER = (
    "state,chamber,district,name,given_name,family_name,party,ocd_person_id,gender,role_start_date,email,"
    "capitol_phone\n"
)
LEGISLATORS = HEADER + (
    "ri,lower,1,Ann Dee,Ann,Dee,Democratic,ocd-person/00000000-0000-0000-0000-000000000001,,2021-01-05,"
    "ann@example.gov,\n"
    "ri,lower,2,Rob Arr,Rob,Arr,Republican,ocd-person/00000000-0000-0000-0000-000000000002,,2019-01-01,,\n"
    "ri,lower,3,Ray Far,Ray,Far,Republican,ocd-person/00000000-0000-0000-0000-000000000003,,,,\n"
    "ri,lower,4,Dana Safe,Dana,Safe,Democratic/Working Families,ocd-person/00000000-0000-0000-0000-000000000004,,,,\n"
    "ri,upper,1,Sam Senate,Sam,Senate,Democratic,ocd-person/00000000-0000-0000-0000-000000000005,,,,\n"
)
# (precinct, house district, D, R): district 1 D+5, 2 D+3 (held by R: flip), 3 R+15 (inroads), 4 D+40 (safe)
PRECINCTS = [
    ("0101", "001", 300, 270), ("0102", "001", 225, 205),
    ("0201", "002", 515, 485),
    ("0301", "003", 425, 575),
    ("0401", "004", 700, 300),
]  # fmt: skip
PRES = (
    VoteProperty("PRES16D", date(2016, 11, 8), "President", "Democratic", "Hillary Clinton"),
    VoteProperty("PRES16R", date(2016, 11, 8), "President", "Republican", "Donald J. Trump"),
)


def square(i: int) -> dict[str, object]:
    x, y = -71.6 + 0.05 * i, 41.7
    ring = [[x, y], [x + 0.05, y], [x + 0.05, y + 0.05], [x, y + 0.05], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


def geojson() -> bytes:
    features = [
        {
            "type": "Feature",
            "geometry": square(i),
            "properties": {"NAME": code, "PRENAME": f"Testtown {code}", "HDIST": hd, "SENDIST": "001", "CD": "01",
                           "PRES16D": d, "PRES16R": r, "REGVOT16": 1000, "TOTVOT16": d + r + 10},
        }
        for i, (code, hd, d, r) in enumerate(PRECINCTS)
    ]  # fmt: skip
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def build_tiny_state() -> None:
    rows = read_legislators_csv(io.StringIO(LEGISLATORS))
    do_import_legislators(rows, source_name="tiny.csv", actor=None)
    do_import_boundaries(io.BytesIO(geojson()), state="ri", source_name="tiny.geojson", actor=None)
    do_import_boundary_votes(io.BytesIO(geojson()), state="ri", properties=PRES, source_name="tiny", actor=None)
    race = find_race("ri", 2016, "president")
    assert race is not None
    do_compute_lean("ri", race, actor=None)

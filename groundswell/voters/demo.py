"""Demo voters: a synthetic North Carolina file for the demo's NC chapters, imported and matched.

    from groundswell.voters.demo import load_voter_demo
    load_voter_demo(seed=2026)    # after groundswell.web.demo.build_demo

The generator spreads voters over all 100 NC counties; the demo chapters are in four (Wake, Durham,
Mecklenburg, Buncombe: see web/demo.py). So the generated file is folded onto those four before import:
every generated county becomes one of them (its precincts keep distinct codes), in-city voters live in
the chapter's city and each precinct gets one of the chapter's ZIP codes (so a household shares one).
Then some voters are made to be demo members (their name, address, ZIP and birth year), most exactly and
some without the street, so that the match finds sure links and a review queue.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
from django.conf import settings

from groundswell.people.models import Person
from groundswell.voterfile import generate, layouts
from groundswell.voters.actions import do_import_voter_file_now
from groundswell.voters.models import Layout

DEMO_VOTERS = 20_000
# (county id, county, city, ZIP codes) of the demo's NC chapters (web/demo.py CHAPTERS)
DEMO_COUNTIES = (
    (92, "WAKE", "RALEIGH", ("27601", "27603", "27605", "27608")),
    (32, "DURHAM", "DURHAM", ("27701", "27703", "27705", "27707")),
    (60, "MECKLENBURG", "CHARLOTTE", ("28202", "28203", "28205", "28208")),
    (11, "BUNCOMBE", "ASHEVILLE", ("28801", "28803", "28806")),
)
MEMBERS_AS_VOTERS = 120


@dataclass(frozen=True)
class VoterDemoSummary:
    voters: int
    history_rows: int
    linked: int
    to_review: int


def _read(path: Path) -> pa.Table:
    options = pacsv.ConvertOptions(column_types={c: pa.string() for c in layouts.NCVOTER_COLUMNS})
    return pacsv.read_csv(path, parse_options=pacsv.ParseOptions(delimiter="\t"), convert_options=options)


def _fold_counties(table: pa.Table) -> pa.Table:
    original = [int(x) for x in table.column("county_id").to_pylist()]
    precincts = table.column("precinct_abbrv").to_pylist()
    cities = table.column("res_city_desc").to_pylist()
    generated_zips = table.column("zip_code").to_pylist()  # the generator gives each precinct one ZIP code
    columns: dict[str, list[Any]] = {
        "county_id": [],
        "county_desc": [],
        "precinct_abbrv": [],
        "precinct_desc": [],
        "res_city_desc": [],
        "zip_code": [],
    }
    for county, precinct, city, generated_zip in zip(original, precincts, cities, generated_zips, strict=True):
        target_id, name, city_name, zips = DEMO_COUNTIES[county % len(DEMO_COUNTIES)]
        columns["county_id"].append(str(target_id))
        columns["county_desc"].append(name)
        columns["precinct_abbrv"].append(f"{county:03d}{precinct}")
        columns["precinct_desc"].append(f"{name} PCT {county:03d}{precinct}")
        columns["res_city_desc"].append(city_name if (city or "").endswith(" CITY") else f"{name} COUNTY")
        columns["zip_code"].append(zips[int(generated_zip) % len(zips)])
    for name, values in columns.items():
        table = table.set_column(table.schema.get_field_index(name), name, pa.array(values, pa.string()))
    return table


def _members_as_voters(table: pa.Table, seed: int) -> pa.Table:
    """Overwrite some voters with demo members' details: a sure match for most, an unsure one for some."""
    people = list(
        Person.objects.live()
        .filter(state="NC")
        .exclude(address_line1="")
        .exclude(birth_year=None)
        .order_by("pk")[:MEMBERS_AS_VOTERS]
    )
    if not people:
        return table
    rng = random.Random(seed + 7)
    rows_by_zip: dict[str, list[int]] = {}
    for row, code in enumerate(table.column("zip_code").to_pylist()):
        rows_by_zip.setdefault(code, []).append(row)
    rows = []
    for person in people:  # a member becomes a voter with their own ZIP code, so inside their chapter's county
        choices = rows_by_zip.get(person.zip_code[:5]) or [r for rs in rows_by_zip.values() for r in rs]
        rows.append(choices.pop(rng.randrange(len(choices))))
    names = {
        c: table.column(c).to_pylist()
        for c in ("first_name", "last_name", "res_street_address", "zip_code", "birth_year", "age_at_year_end")
    }
    for index, (row, person) in enumerate(zip(rows, people, strict=True)):
        names["first_name"][row], names["last_name"][row] = person.first_name.upper(), person.last_name.upper()
        names["zip_code"][row] = person.zip_code[:5]
        names["birth_year"][row] = str(person.birth_year)
        names["age_at_year_end"][row] = str(generate.FILE_YEAR - int(person.birth_year or 0))
        unsure = index % 4 == 3  # a quarter moved since they joined: no street match, so a person decides
        names["res_street_address"][row] = "1 NEW PLACE RD" if unsure else person.address_line1.upper()
    for name, values in names.items():
        table = table.set_column(table.schema.get_field_index(name), name, pa.array(values, pa.string()))
    return table


def demo_files(seed: int, voters: int = DEMO_VOTERS) -> generate.Generated:
    out = Path(settings.DATA_DIR) / "voter-demo"
    made = generate.generate_nc(out, voters, seed)
    table = _members_as_voters(_fold_counties(_read(made.voter_file)), seed)
    options = pacsv.WriteOptions(delimiter="\t", quoting_style="all_valid")
    pacsv.write_csv(table, made.voter_file, write_options=options)
    return made


def load_voter_demo(*, seed: int, voters: int = DEMO_VOTERS) -> VoterDemoSummary:
    """Generate, fold and import the demo's NC voter and history files, then match demo members."""
    made = demo_files(seed, voters)
    assert made.history_file is not None
    first = do_import_voter_file_now(made.voter_file, state="NC", layout=Layout.NCVOTER, actor=None)
    history = do_import_voter_file_now(made.history_file, state="NC", layout=Layout.NCVHIS, actor=None)
    return VoterDemoSummary(
        voters=first.inserted, history_rows=history.inserted,
        linked=history.linked.get("auto", 0), to_review=history.linked.get("review", 0),
    )  # fmt: skip

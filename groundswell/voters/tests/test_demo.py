from collections import defaultdict

import pyarrow.csv as pacsv
import pytest
from django.test import override_settings

from groundswell.voterfile import layouts
from groundswell.voters.demo import DEMO_COUNTIES, demo_files


@pytest.mark.django_db
def test_demo_voters_live_in_the_demo_chapters_counties_one_zip_code_per_household(tmp_path):
    with override_settings(DATA_DIR=tmp_path):
        made = demo_files(seed=11, voters=3000)
    options = pacsv.ConvertOptions(column_types={c: "string" for c in layouts.NCVOTER_COLUMNS})
    table = pacsv.read_csv(made.voter_file, parse_options=pacsv.ParseOptions(delimiter="\t"), convert_options=options)
    zips_of: dict[tuple[str, str], set[str]] = defaultdict(set)
    columns = (table.column(c).to_pylist() for c in ("county_id", "res_street_address", "zip_code"))
    for county, address, zip_code in zip(*columns, strict=True):
        if address != "REMOVED":  # a confidential voter's address is withheld: not a household
            zips_of[(county, address)].add(zip_code)
    households = list(zips_of.values())
    assert len(households) < table.num_rows / 1.5  # households: most addresses hold more than one voter
    assert all(len(zips) == 1 for zips in households)  # a household has one ZIP code
    allowed = {str(county): set(zips) for county, _, _, zips in DEMO_COUNTIES}
    assert all(zip_code in allowed[county] for (county, _), zips in zips_of.items() for zip_code in zips)
    assert {zip_code for zips in households for zip_code in zips} == set().union(*allowed.values())

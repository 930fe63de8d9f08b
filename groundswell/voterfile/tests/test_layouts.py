from pathlib import Path

import pytest

from groundswell.voterfile import layouts


def test_ncvoter_layout_has_the_67_current_columns_in_file_order():
    assert len(layouts.NCVOTER_COLUMNS) == 67
    assert layouts.NCVOTER_COLUMNS[:4] == ("county_id", "county_desc", "voter_reg_num", "ncid")
    assert layouts.NCVOTER_COLUMNS[-2:] == ("vtd_abbrv", "vtd_desc")
    assert len(set(layouts.NCVOTER_COLUMNS)) == 67


def test_ids_zip_and_phone_are_read_as_text():
    types = layouts.NCVOTER.column_types()
    for column in ("voter_reg_num", "ncid", "zip_code", "full_phone_number", "nc_house_abbrv", "precinct_abbrv"):
        assert types[column] == "VARCHAR"
    assert types["registr_dt"] == "DATE" and types["county_id"] == "INTEGER"


def test_ncvhis_has_15_columns_joined_by_ncid():
    assert len(layouts.NCVHIS_COLUMNS) == 15
    assert layouts.NCVHIS.id_column == "ncid" and "ncid" in layouts.NCVHIS_COLUMNS


def test_code_tables_cover_the_published_codes():
    assert set(layouts.STATUS_CODES) == {"A", "D", "I", "R", "S"}
    assert set(layouts.RACE_CODES) == {"A", "B", "I", "M", "O", "P", "U", "W"}
    assert set(layouts.ETHNIC_CODES) == {"HL", "NL", "UN"}
    assert len(layouts.NC_COUNTIES) == 100 and layouts.NC_COUNTIES[91] == "WAKE"
    assert len(layouts.OHIO_COUNTIES) == 88
    assert layouts.OHIO_COUNTIES[17] == "CUYAHOGA" and layouts.OHIO_COUNTIES[76] == "SUMMIT"


def test_ohio_layout_reads_the_election_columns_of_a_header():
    header = [*layouts.OHIO_FIXED_COLUMNS, "PRIMARY-03/15/2016", "GENERAL-11/08/2016"]
    layout = layouts.ohio_layout(header)
    assert layout.columns[-2:] == ("PRIMARY-03/15/2016", "GENERAL-11/08/2016")
    assert layout.column_types()["RESIDENTIAL_ZIP"] == "VARCHAR"


def test_ohio_layout_refuses_a_header_that_is_not_ohio():
    with pytest.raises(ValueError, match="not an Ohio SWVF header"):
        layouts.ohio_layout(["ncid", "last_name"])
    with pytest.raises(ValueError, match="GENERAL-11/08/2016"):
        layouts.ohio_layout([*layouts.OHIO_FIXED_COLUMNS, "NOV 2016"])


def test_layout_sources_are_noted_next_to_the_code():
    readme = (Path(layouts.__file__).parent / "README.md").read_text()
    assert "layout_ncvoter.txt" in readme and "reggie" in readme

"""The published layouts of the voter files Groundswell reads, and the code tables they use.

Sources (copied, not read at run time; see README.md in this folder):

- North Carolina ``ncvoter``: NCSBE ``layout_ncvoter.txt``, current 67-column layout "from 02/12/2022"
  (the first table of that file), plus its status, race, ethnic and county code tables.
- North Carolina ``ncvhis``: the 15 columns read by several independent public projects (the NCSBE
  layout document itself was not available); tab-delimited, header line, values usually quoted.
- Ohio statewide voter file (SWVF): the 46 fixed columns from public code reading the real files,
  followed by one column per election named ``<TYPE>-<MM/DD/YYYY>``.

Every column is read as text unless listed here with another type: ids, ZIP codes, phone numbers and
district codes keep their leading zeros because nothing ever guesses their type.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

ColumnType = Literal["VARCHAR", "INTEGER", "DATE"]


@dataclass(frozen=True)
class Layout:
    """A delimited file layout: column names in file order and the non-text ones with their types."""

    name: str
    columns: tuple[str, ...]
    typed: dict[str, ColumnType]
    delimiter: str
    date_format: str  # strptime format of every DATE column of the layout
    id_column: str

    def column_types(self) -> dict[str, ColumnType]:
        """Every column with its read type: text unless the layout says otherwise."""
        return {name: self.typed.get(name, "VARCHAR") for name in self.columns}


# layout_ncvoter.txt, "File layout (from 02/12/2022)", in file order.
NCVOTER_COLUMNS: tuple[str, ...] = (
    "county_id", "county_desc", "voter_reg_num", "ncid", "last_name", "first_name", "middle_name",
    "name_suffix_lbl", "status_cd", "voter_status_desc", "reason_cd", "voter_status_reason_desc",
    "res_street_address", "res_city_desc", "state_cd", "zip_code", "mail_addr1", "mail_addr2",
    "mail_addr3", "mail_addr4", "mail_city", "mail_state", "mail_zipcode", "full_phone_number",
    "confidential_ind", "registr_dt", "race_code", "ethnic_code", "party_cd", "gender_code",
    "birth_year", "age_at_year_end", "birth_state", "drivers_lic", "precinct_abbrv", "precinct_desc",
    "municipality_abbrv", "municipality_desc", "ward_abbrv", "ward_desc", "cong_dist_abbrv",
    "super_court_abbrv", "judic_dist_abbrv", "nc_senate_abbrv", "nc_house_abbrv",
    "county_commiss_abbrv", "county_commiss_desc", "township_abbrv", "township_desc",
    "school_dist_abbrv", "school_dist_desc", "fire_dist_abbrv", "fire_dist_desc", "water_dist_abbrv",
    "water_dist_desc", "sewer_dist_abbrv", "sewer_dist_desc", "sanit_dist_abbrv", "sanit_dist_desc",
    "rescue_dist_abbrv", "rescue_dist_desc", "munic_dist_abbrv", "munic_dist_desc", "dist_1_abbrv",
    "dist_1_desc", "vtd_abbrv", "vtd_desc",
)  # fmt: skip

NCVOTER = Layout(
    name="ncvoter",
    columns=NCVOTER_COLUMNS,
    # county_id is "int"; registr_dt is char(10) holding MM/DD/YYYY; birth_year char(4) and
    # age_at_year_end char(3) hold numbers. Everything else (voter_reg_num, ncid, zip_code,
    # full_phone_number, district abbreviations) stays text.
    typed={"county_id": "INTEGER", "registr_dt": "DATE", "birth_year": "INTEGER", "age_at_year_end": "INTEGER"},
    delimiter="\t",
    date_format="%m/%d/%Y",
    id_column="ncid",
)

# ncvhis-columns.md: 15 columns in file order.
NCVHIS_COLUMNS: tuple[str, ...] = (
    "county_id", "county_desc", "voter_reg_num", "election_lbl", "election_desc", "voting_method",
    "voted_party_cd", "voted_party_desc", "pct_label", "pct_description", "ncid", "voted_county_id",
    "voted_county_desc", "vtd_label", "vtd_description",
)  # fmt: skip

NCVHIS = Layout(
    name="ncvhis",
    columns=NCVHIS_COLUMNS,
    typed={"county_id": "INTEGER", "election_lbl": "DATE"},
    delimiter="\t",
    date_format="%m/%d/%Y",
    id_column="ncid",
)

# ohio-swvf-columns.md: the 46 fixed columns in file order; election columns follow.
OHIO_FIXED_COLUMNS: tuple[str, ...] = (
    "SOS_VOTERID", "COUNTY_NUMBER", "COUNTY_ID", "LAST_NAME", "FIRST_NAME", "MIDDLE_NAME", "SUFFIX",
    "DATE_OF_BIRTH", "REGISTRATION_DATE", "VOTER_STATUS", "PARTY_AFFILIATION", "RESIDENTIAL_ADDRESS1",
    "RESIDENTIAL_SECONDARY_ADDR", "RESIDENTIAL_CITY", "RESIDENTIAL_STATE", "RESIDENTIAL_ZIP",
    "RESIDENTIAL_ZIP_PLUS4", "RESIDENTIAL_COUNTRY", "RESIDENTIAL_POSTALCODE", "MAILING_ADDRESS1",
    "MAILING_SECONDARY_ADDRESS", "MAILING_CITY", "MAILING_STATE", "MAILING_ZIP", "MAILING_ZIP_PLUS4",
    "MAILING_COUNTRY", "MAILING_POSTAL_CODE", "CAREER_CENTER", "CITY", "CITY_SCHOOL_DISTRICT",
    "COUNTY_COURT_DISTRICT", "CONGRESSIONAL_DISTRICT", "COURT_OF_APPEALS", "EDU_SERVICE_CENTER_DISTRICT",
    "EXEMPTED_VILL_SCHOOL_DISTRICT", "LIBRARY", "LOCAL_SCHOOL_DISTRICT", "MUNICIPAL_COURT_DISTRICT",
    "PRECINCT_NAME", "PRECINCT_CODE", "STATE_BOARD_OF_EDUCATION", "STATE_REPRESENTATIVE_DISTRICT",
    "STATE_SENATE_DISTRICT", "TOWNSHIP", "VILLAGE", "WARD",
)  # fmt: skip

OHIO_TYPED: dict[str, ColumnType] = {
    "COUNTY_NUMBER": "INTEGER",
    "DATE_OF_BIRTH": "DATE",
    "REGISTRATION_DATE": "DATE",
}
OHIO_DATE_FORMAT = "%Y-%m-%d"  # reggie's ohio.yaml date format
# "Parsing pattern seen in public code": \w{5,7}-\d{2}/\d{2}/\d{4}, split on "-".
OHIO_ELECTION_COLUMN = re.compile(r"^(PRIMARY|GENERAL|SPECIAL)-(\d{2})/(\d{2})/(\d{4})$")


def ohio_layout(header: list[str]) -> Layout:
    """The Ohio layout of one file: the fixed columns, then that file's election columns, all checked."""
    fixed = tuple(header[: len(OHIO_FIXED_COLUMNS)])
    if fixed != OHIO_FIXED_COLUMNS:
        missing = [c for c in OHIO_FIXED_COLUMNS if c not in fixed]
        raise ValueError(f"not an Ohio SWVF header: expected {OHIO_FIXED_COLUMNS[:3]}...; missing {missing[:5]}")
    elections = tuple(header[len(OHIO_FIXED_COLUMNS) :])
    bad = [c for c in elections if not OHIO_ELECTION_COLUMN.match(c)]
    if bad:
        raise ValueError(f"Ohio SWVF election columns must look like GENERAL-11/08/2016, not {bad[:3]}")
    return Layout(
        name="ohio_swvf",
        columns=OHIO_FIXED_COLUMNS + elections,
        typed=OHIO_TYPED,
        delimiter=",",
        date_format=OHIO_DATE_FORMAT,
        id_column="SOS_VOTERID",
    )


# layout_ncvoter.txt code tables.
STATUS_CODES: dict[str, str] = {
    "A": "ACTIVE",
    "D": "DENIED",
    "I": "INACTIVE",
    "R": "REMOVED",
    "S": "TEMPORARY",
}
RACE_CODES: dict[str, str] = {
    "A": "ASIAN",
    "B": "BLACK or AFRICAN AMERICAN",
    "I": "AMERICAN INDIAN or ALASKA NATIVE",
    "M": "TWO or MORE RACES",
    "O": "OTHER",
    "P": "NATIVE HAWAIIAN or PACIFIC ISLANDER",
    "U": "UNDESIGNATED",
    "W": "WHITE",
}
ETHNIC_CODES: dict[str, str] = {"HL": "HISPANIC or LATINO", "NL": "NOT HISPANIC or NOT LATINO", "UN": "UNDESIGNATED"}
# Party codes used by NC (party_cd, voted_party_cd). Ohio's D/R/blank map onto DEM/REP/UNA.
PARTY_CODES: dict[str, str] = {
    "DEM": "DEMOCRATIC",
    "REP": "REPUBLICAN",
    "UNA": "UNAFFILIATED",
    "LIB": "LIBERTARIAN",
    "GRE": "GREEN",
    "CST": "CONSTITUTION",
    "NLB": "NO LABELS",
}
OHIO_PARTY_TO_PARTY: dict[str, str] = {"D": "DEM", "R": "REP", "L": "LIB", "G": "GRE", "C": "CST", "": "UNA"}
# NCSBE blanks the precinct and every district field of removed (R) and denied (D) registrations: such a
# voter is kept with their status and no precinct, where any other voter without a precinct is a bad row.
NO_PRECINCT_STATUSES: tuple[str, ...] = ("R", "D")
# reggie's ohio.yaml: ACTIVE is active, CONFIRMATION is inactive.
OHIO_STATUS_TO_STATUS: dict[str, str] = {"ACTIVE": "A", "CONFIRMATION": "I"}

# layout_ncvoter.txt county code table (YANCEY is "00" in the table; it is county 100 in the files).
NC_COUNTIES: tuple[str, ...] = (
    "ALAMANCE", "ALEXANDER", "ALLEGHANY", "ANSON", "ASHE", "AVERY", "BEAUFORT", "BERTIE", "BLADEN",
    "BRUNSWICK", "BUNCOMBE", "BURKE", "CABARRUS", "CALDWELL", "CAMDEN", "CARTERET", "CASWELL", "CATAWBA",
    "CHATHAM", "CHEROKEE", "CHOWAN", "CLAY", "CLEVELAND", "COLUMBUS", "CRAVEN", "CUMBERLAND", "CURRITUCK",
    "DARE", "DAVIDSON", "DAVIE", "DUPLIN", "DURHAM", "EDGECOMBE", "FORSYTH", "FRANKLIN", "GASTON", "GATES",
    "GRAHAM", "GRANVILLE", "GREENE", "GUILFORD", "HALIFAX", "HARNETT", "HAYWOOD", "HENDERSON", "HERTFORD",
    "HOKE", "HYDE", "IREDELL", "JACKSON", "JOHNSTON", "JONES", "LEE", "LENOIR", "LINCOLN", "MACON",
    "MADISON", "MARTIN", "MCDOWELL", "MECKLENBURG", "MITCHELL", "MONTGOMERY", "MOORE", "NASH",
    "NEWHANOVER", "NORTHAMPTON", "ONSLOW", "ORANGE", "PAMLICO", "PASQUOTANK", "PENDER", "PERQUIMANS",
    "PERSON", "PITT", "POLK", "RANDOLPH", "RICHMOND", "ROBESON", "ROCKINGHAM", "ROWAN", "RUTHERFORD",
    "SAMPSON", "SCOTLAND", "STANLY", "STOKES", "SURRY", "SWAIN", "TRANSYLVANIA", "TYRRELL", "UNION",
    "VANCE", "WAKE", "WARREN", "WASHINGTON", "WATAUGA", "WAYNE", "WILKES", "WILSON", "YADKIN", "YANCEY",
)  # fmt: skip

# Ohio COUNTY_NUMBER is alphabetical 1-88 (reggie's ohio.yaml county_names).
OHIO_COUNTIES: tuple[str, ...] = (
    "ADAMS", "ALLEN", "ASHLAND", "ASHTABULA", "ATHENS", "AUGLAIZE", "BELMONT", "BROWN", "BUTLER",
    "CARROLL", "CHAMPAIGN", "CLARK", "CLERMONT", "CLINTON", "COLUMBIANA", "COSHOCTON", "CRAWFORD",
    "CUYAHOGA", "DARKE", "DEFIANCE", "DELAWARE", "ERIE", "FAIRFIELD", "FAYETTE", "FRANKLIN", "FULTON",
    "GALLIA", "GEAUGA", "GREENE", "GUERNSEY", "HAMILTON", "HANCOCK", "HARDIN", "HARRISON", "HENRY",
    "HIGHLAND", "HOCKING", "HOLMES", "HURON", "JACKSON", "JEFFERSON", "KNOX", "LAKE", "LAWRENCE",
    "LICKING", "LOGAN", "LORAIN", "LUCAS", "MADISON", "MAHONING", "MARION", "MEDINA", "MEIGS", "MERCER",
    "MIAMI", "MONROE", "MONTGOMERY", "MORGAN", "MORROW", "MUSKINGUM", "NOBLE", "OTTAWA", "PAULDING",
    "PERRY", "PICKAWAY", "PIKE", "PORTAGE", "PREBLE", "PUTNAM", "RICHLAND", "ROSS", "SANDUSKY", "SCIOTO",
    "SENECA", "SHELBY", "STARK", "SUMMIT", "TRUMBULL", "TUSCARAWAS", "UNION", "VAN WERT", "VINTON",
    "WARREN", "WASHINGTON", "WAYNE", "WILLIAMS", "WOOD", "WYANDOT",
)  # fmt: skip

# The canonical district kinds a universe or an area can name, and the voters column each one is.
DISTRICT_COLUMNS: dict[str, str] = {
    "county": "county_id",
    "precinct": "precinct",
    "congressional": "cong_dist",
    "state_senate": "state_senate",
    "state_house": "state_house",
    "municipality": "municipality",
    "ward": "ward",
    "school": "school_dist",
    "township": "township",
    "county_commission": "county_commission",
    "vtd": "vtd",
}

ELECTION_TYPES = ("GENERAL", "PRIMARY", "SPECIAL", "MUNICIPAL", "OTHER")
VOTING_METHODS = ("ELECTION_DAY", "EARLY", "ABSENTEE", "PROVISIONAL", "OTHER")

# Words that start a unit at the end of a street address: "APT 2", "STE 100", "# 4"
UNIT_WORDS = ("APT", "UNIT", "STE", "SUITE", "LOT", "RM", "#")
# What NC's registration file has for a confidential voter's residential address
NC_WITHHELD_ADDRESS = "REMOVED"

"""Which office a source's office name means, and the division it belongs to."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from groundswell.elections.models import Chamber, OfficeLevel
from groundswell.geo import ocd
from groundswell.geo.models import DivisionKind


@dataclass(frozen=True)
class OfficeKind:
    role: str
    level: str
    chamber: str = ""
    district_kind: str = ""  # 'sldl', 'sldu', 'cd': the office belongs to a numbered district
    scope: str = "state"  # 'country', 'state' or 'county' when not a district
    title: str = ""


_KNOWN: dict[str, OfficeKind] = {
    "president": OfficeKind("president", OfficeLevel.FEDERAL, scope="country", title="President"),
    "u.s. senate": OfficeKind("us_senate", OfficeLevel.FEDERAL, title="U.S. Senate"),
    "us senate": OfficeKind("us_senate", OfficeLevel.FEDERAL, title="U.S. Senate"),
    "u.s. house": OfficeKind("us_house", OfficeLevel.FEDERAL, district_kind="cd", title="U.S. House"),
    "us house": OfficeKind("us_house", OfficeLevel.FEDERAL, district_kind="cd", title="U.S. House"),
    "representative in congress": OfficeKind("us_house", OfficeLevel.FEDERAL, district_kind="cd", title="U.S. House"),
    "state senate": OfficeKind("upper", OfficeLevel.STATE_LEGISLATURE, Chamber.UPPER, "sldu", title="Senate"),
    "state senator": OfficeKind("upper", OfficeLevel.STATE_LEGISLATURE, Chamber.UPPER, "sldu", title="Senate"),
    "state house": OfficeKind("lower", OfficeLevel.STATE_LEGISLATURE, Chamber.LOWER, "sldl", title="House"),
    "state representative": OfficeKind("lower", OfficeLevel.STATE_LEGISLATURE, Chamber.LOWER, "sldl", title="House"),
    "state assembly": OfficeKind("lower", OfficeLevel.STATE_LEGISLATURE, Chamber.LOWER, "sldl", title="Assembly"),
    "house of delegates": OfficeKind("lower", OfficeLevel.STATE_LEGISLATURE, Chamber.LOWER, "sldl", title="House"),
    "district attorney": OfficeKind("district_attorney", OfficeLevel.COUNTY, scope="county", title="District Attorney"),
}
_STATE_EXECUTIVE = (
    "governor",
    "lieutenant governor",
    "attorney general",
    "auditor general",
    "state treasurer",
    "treasurer",
    "secretary of state",
    "comptroller",
    "state auditor",
)

# States and territories that elect one member of the U.S. House for the whole state: the seat
# belongs to the state's own division, as Open Civic Data has it (Montana from 1993 through 2022).
AT_LARGE_HOUSE_STATES = frozenset({"ak", "de", "mt", "nd", "sd", "vt", "wy", "dc", "pr", "gu", "vi", "as", "mp"})
_AT_LARGE_WORDS = frozenset({"", "at-large", "at large", "atlarge", "al", "0", "00"})

CHAMBER_TITLES: dict[str, str] = {"lower": "House", "upper": "Senate", "legislature": "Legislature"}


@lru_cache(maxsize=1024)
def office_kind(name: str) -> OfficeKind | None:
    """The office a results file's office column names, or None for a local office or question."""
    key = re.sub(r"\s+", " ", name.strip().lower())
    if key in _KNOWN:
        return _KNOWN[key]
    if key in _STATE_EXECUTIVE:
        return OfficeKind(ocd.ocd_slug(key), OfficeLevel.STATE_EXECUTIVE, title=name.strip().title())
    return None


def is_at_large(district: str) -> bool:
    """A results file's district value for a seat elected by the whole state ('', 'AL', 'At-Large')."""
    return district.strip().lower() in _AT_LARGE_WORDS


def at_large_house_seat(state: str, district: str) -> bool:
    return state.lower() in AT_LARGE_HOUSE_STATES and is_at_large(district)


def legislative_division(state: str, chamber: str, district: str) -> tuple[str, str, str]:
    """(ocd id, division kind, office role) of a legislative seat as Open States names it."""
    label = district.strip()
    lowered = label.lower()
    if lowered.startswith("ward "):
        return f"{ocd.state_ocd_id(state)}/ward:{ocd.district_number(label[5:])}", DivisionKind.WARD, chamber
    if lowered in {"at-large", "at large", "chairman", "chair"}:
        return ocd.state_ocd_id(state), DivisionKind.STATE, f"{chamber}:{ocd.ocd_slug(label)}"
    kind = "sldl" if chamber == Chamber.LOWER else "sldu"  # Nebraska's unicameral seats are sldu in OCD
    return ocd.district_ocd_id(state, kind, label), kind, chamber


# Senate terms of two years (the rest are four, some 2-4-4); houses of four years (the rest are two).
# Source: NCSL, "State Legislative Term Lengths" (ncsl.org), checked for the 2020s.
_TWO_YEAR_SENATES = {"az", "ct", "ga", "id", "me", "ma", "nh", "ny", "nc", "ri", "sd", "vt"}
_FOUR_YEAR_HOUSES = {"al", "la", "md", "nd"}


def legislative_term_years(state: str, chamber: str) -> int:
    code = state.lower()
    if chamber == Chamber.UPPER:
        return 2 if code in _TWO_YEAR_SENATES else 4
    if chamber == Chamber.UNICAMERAL:
        return 4 if code == "ne" else 2
    return 4 if code in _FOUR_YEAR_HOUSES else 2


def legislative_office_name(state: str, chamber: str, district: str) -> str:
    title = CHAMBER_TITLES.get(chamber, "Legislature")
    return f"{ocd.state_name(state)} {title} District {district.strip()}"

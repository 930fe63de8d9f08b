"""Building Open Civic Data division ids (https://open-civic-data.readthedocs.io, OCDEP 2)."""

from __future__ import annotations

import re
from functools import lru_cache

from groundswell.chapters.geo import STATE_NAMES

COUNTRY_US = "ocd-division/country:us"
_INVALID = re.compile(r"[^a-z0-9_.~-]+")


@lru_cache(maxsize=65_536)  # imports slug the same county and precinct names on every row
def ocd_slug(value: str) -> str:
    """An id component: lower case, spaces to underscores, only [a-z0-9_.~-] (commas and the like dropped)."""
    text = value.strip().lower().replace(" ", "_")
    return _INVALID.sub("", text).strip("_") or "_"


@lru_cache(maxsize=4096)
def district_number(value: str) -> str:
    """District ids drop zero padding ('035' -> '35') but keep names ('1st Franklin' -> '1st_franklin')."""
    text = value.strip()
    return str(int(text)) if text.isdigit() else ocd_slug(text)


def state_ocd_id(state: str) -> str:
    code = state.strip().lower()
    if code == "dc":
        return f"{COUNTRY_US}/district:dc"
    if code in {"pr", "gu", "vi", "as", "mp"}:
        return f"{COUNTRY_US}/territory:{code}"
    return f"{COUNTRY_US}/state:{code}"


def state_name(state: str) -> str:
    return STATE_NAMES.get(state.upper(), state.upper())


def county_ocd_id(state: str, county: str) -> str:
    return f"{state_ocd_id(state)}/county:{ocd_slug(county)}"


def place_ocd_id(state: str, place: str) -> str:
    return f"{state_ocd_id(state)}/place:{ocd_slug(place)}"


def district_ocd_id(state: str, kind: str, district: str) -> str:
    """kind is 'sldl', 'sldu' or 'cd'."""
    return f"{state_ocd_id(state)}/{kind}:{district_number(district)}"


def precinct_ocd_id(parent_ocd_id: str, precinct: str) -> str:
    return f"{parent_ocd_id}/precinct:{ocd_slug(precinct)}"


def state_of(ocd_id: str) -> str:
    """The two-letter state code inside an id, or '' for ids outside a US state."""
    match = re.search(r"/(?:state|territory|district):([a-z]{2})(?:/|$)", ocd_id)
    return match.group(1).upper() if match else ""

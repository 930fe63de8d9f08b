"""Party names as sources spell them, reduced to one spelling.

Files keep their own spellings ("DEM", "DEMOCRATIC", Delaware's "LIBERTARIN" cut to ten letters,
"IND OF DEL", Open States' fusion "Democratic/Working Families", Minnesota's "Democratic-Farmer-Labor"):
imports keep the value as written and show :func:`normalize_party`; seats are counted by
:func:`party_family`. A spelling not listed here is kept as written and reported by the import."""

from __future__ import annotations

import re
from functools import lru_cache

DEMOCRATIC = "Democratic"
REPUBLICAN = "Republican"

_SPELLINGS: dict[str, str] = {
    "d": "Democratic", "dem": "Democratic", "democrat": "Democratic", "democratic": "Democratic",
    "democratic party": "Democratic", "democrats": "Democratic",
    "dfl": "Democratic-Farmer-Labor", "democratic-farmer-labor": "Democratic-Farmer-Labor",
    "democratic farmer labor": "Democratic-Farmer-Labor",
    "r": "Republican", "rep": "Republican", "gop": "Republican", "republican": "Republican",
    "republican party": "Republican", "republicans": "Republican",
    "l": "Libertarian", "lib": "Libertarian", "lbt": "Libertarian", "libertarian": "Libertarian",
    "libertarin": "Libertarian", "libertarian party": "Libertarian",
    "g": "Green", "grn": "Green", "gre": "Green", "green": "Green", "green party": "Green",
    "i": "Independent", "ind": "Independent", "independent": "Independent",
    "una": "Unaffiliated", "unaffiliated": "Unaffiliated", "u": "Unaffiliated",
    "npa": "No party", "no party": "No party", "no party affiliation": "No party",
    "np": "Nonpartisan", "non": "Nonpartisan", "nonpartisan": "Nonpartisan",
    "wf": "Working Families", "wfp": "Working Families", "working families": "Working Families",
    "working families party": "Working Families",
    "cst": "Constitution", "con": "Constitution", "constitution": "Constitution",
    "conservative": "Conservative", "c": "Conservative",
    "ipod": "Independent Party of Delaware", "ind of del": "Independent Party of Delaware",
    "independent party of delaware": "Independent Party of Delaware",
    "american delta": "American Delta", "ad": "American Delta",
    "progressive": "Progressive", "prog": "Progressive", "vermont progressive": "Progressive",
    "independence": "Independence", "inp": "Independence", "ip": "Independence",
    "reform": "Reform", "ref": "Reform",
    "socialist": "Socialist", "soc": "Socialist",
    "alaska independence": "Alaskan Independence", "alaskan independence": "Alaskan Independence",
    "aip": "Alaskan Independence",
    "write-in": "Write-in", "write in": "Write-in", "wri": "Write-in",
}  # fmt: skip

# The major party each party belongs to when seats are counted: Minnesota's DFL sits as Democrats.
_FAMILIES = {"Democratic-Farmer-Labor": DEMOCRATIC}
_SPACES = re.compile(r"\s+")


def _one_party(part: str) -> str:
    text = _SPACES.sub(" ", part.strip())
    return _SPELLINGS.get(text.lower(), text)


@lru_cache(maxsize=4096)  # a results file spells the same few parties on every row
def normalize_party(raw: str) -> str:
    """'DEM', 'Democrat', 'DEMOCRATIC' -> 'Democratic'; a fusion label name by name ('DEM/WFP' ->
    'Democratic/Working Families'); blank stays blank; an unknown spelling is kept as written."""
    if not raw.strip():
        return ""
    return "/".join(_one_party(part) for part in raw.split("/") if part.strip())


def is_known_party(raw: str) -> bool:
    """Whether every name in a label is a spelling listed here (blank counts as known: no party)."""
    return all(part.strip().lower() in _SPELLINGS or _one_party(part) in _SPELLINGS.values()
               for part in raw.split("/") if part.strip())  # fmt: skip


def party_family(raw: str) -> str:
    """The major party a label belongs to: fusion labels ('Democratic/Working Families') by their first
    party, Minnesota's DFL as Democratic. Used to count seats and classify targets."""
    first = normalize_party(raw.split("/")[0])
    return _FAMILIES.get(first, first)


def party_initial(raw: str) -> str:
    family = party_family(raw)
    return family[:1] if family else "?"

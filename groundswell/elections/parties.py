"""Party names as sources spell them, reduced to one spelling."""

from __future__ import annotations

_SPELLINGS: dict[str, str] = {
    "d": "Democratic", "dem": "Democratic", "democrat": "Democratic", "democratic": "Democratic",
    "democratic party": "Democratic", "democratic-farmer-labor": "Democratic", "dfl": "Democratic",
    "r": "Republican", "rep": "Republican", "gop": "Republican", "republican": "Republican",
    "republican party": "Republican",
    "l": "Libertarian", "lib": "Libertarian", "libertarian": "Libertarian",
    "g": "Green", "grn": "Green", "gre": "Green", "green": "Green",
    "i": "Independent", "ind": "Independent", "independent": "Independent",
    "np": "Nonpartisan", "non": "Nonpartisan", "nonpartisan": "Nonpartisan",
    "wf": "Working Families", "wfp": "Working Families", "working families": "Working Families",
    "cst": "Constitution", "con": "Constitution", "constitution": "Constitution",
}  # fmt: skip

DEMOCRATIC = "Democratic"
REPUBLICAN = "Republican"


def normalize_party(raw: str) -> str:
    """'DEM', 'Democrat', 'DEMOCRATIC' -> 'Democratic'; blank stays blank; unknown names keep their words."""
    text = raw.strip()
    if not text:
        return ""
    return _SPELLINGS.get(text.lower(), text.title() if text.isupper() else text)


def party_family(raw: str) -> str:
    """The major party a label belongs to: fusion labels ('Democratic/Working Families') by their first
    party, Minnesota's DFL as Democratic. Used to count seats and classify targets."""
    return normalize_party(raw.split("/")[0])


def party_initial(raw: str) -> str:
    family = party_family(raw)
    return family[:1] if family else "?"

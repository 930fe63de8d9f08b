from __future__ import annotations

import pytest

from groundswell.elections.parties import is_known_party, normalize_party, party_family


@pytest.mark.parametrize(
    ("raw", "shown", "family"),
    [
        ("LIBERTARIN", "Libertarian", "Libertarian"),  # Delaware's files cut party names to ten letters
        ("IND OF DEL", "Independent Party of Delaware", "Independent Party of Delaware"),
        ("DEM", "Democratic", "Democratic"),
        ("DEMOCRATIC", "Democratic", "Democratic"),
        ("Democratic-Farmer-Labor", "Democratic-Farmer-Labor", "Democratic"),
        ("DFL", "Democratic-Farmer-Labor", "Democratic"),
        ("Democratic/Working Families", "Democratic/Working Families", "Democratic"),
        ("REP/Conservative", "Republican/Conservative", "Republican"),
        ("  Green  ", "Green", "Green"),
        ("", "", ""),
    ],
)
def test_spellings_as_files_write_them_are_normalized(raw, shown, family):
    assert normalize_party(raw) == shown
    assert party_family(raw) == family
    assert is_known_party(raw)


def test_an_unknown_spelling_is_kept_as_written_and_known_as_unknown():
    assert normalize_party("SAM") == "SAM"
    assert normalize_party("Partido Nuevo Progresista") == "Partido Nuevo Progresista"
    assert not is_known_party("SAM") and not is_known_party("DEM/SAM")

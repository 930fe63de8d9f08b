import pytest

from groundswell.chapters.geo import STATE_NAMES, ZIP3_RANGES, state_for_zip


@pytest.mark.parametrize(
    ("zip_code", "state"),
    [
        ("15213", "PA"),
        ("02903", "RI"),
        ("10001", "NY"),
        ("94110", "CA"),
        ("00901", "PR"),
        ("20001", "DC"),
        ("22201", "VA"),
        ("27701", "NC"),
        ("43215", "OH"),
        ("99501", "AK"),
        ("05501", "MA"),
        ("73301", "TX"),
        ("15213-3890", "PA"),
    ],
)
def test_zip_prefix_names_the_state(zip_code, state):
    assert state_for_zip(zip_code) == state


@pytest.mark.parametrize("zip_code", ["", "abc12", "1", "00012", "09012", "96201"])
def test_unassigned_or_malformed_zip_has_no_state(zip_code):
    assert state_for_zip(zip_code) is None


def test_ranges_are_ordered_disjoint_and_name_known_states():
    previous_high = -1
    for low, high, state in ZIP3_RANGES:
        assert previous_high < low <= high <= 999
        assert state in STATE_NAMES
        previous_high = high


def test_every_state_has_zip_prefixes():
    assert {state for _, _, state in ZIP3_RANGES} == set(STATE_NAMES)

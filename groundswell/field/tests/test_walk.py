"""Walk lists and turf cutting on rows shaped like the engine's walk_rows output, made into doors by
the engine's own ``in_walk_order`` and ``doors_of``."""

from __future__ import annotations

import itertools
import random

import pyarrow as pa
import pytest

from groundswell.field.walk import TurfError, block_face, cut_precinct, door_dicts, size_of, voters_at
from groundswell.voterfile.targeting import doors_of, in_walk_order


def doors_from_rows(rows, keep=None):
    shuffled = random.Random(5).sample(rows, len(rows))  # any order: in_walk_order restores it
    return door_dicts(doors_of(in_walk_order(pa.Table.from_pylist(shuffled))), keep)


def row(vid, street, number, apartment=None, first="A", last="Voter"):
    address = f"{number} {street}" + (f" APT {apartment}" if apartment else "")
    return {"voter_id": vid, "name": f"{first} {last}", "age": 40, "party": "DEM",
            "street_name": street, "house_number": number, "apartment": apartment, "address": address,
            "odd": number % 2 == 1, "along": number if number % 2 == 1 else -number}  # fmt: skip


def walk_rows():
    """Elm St up the odd side, down the even side, then Oak St; a building with apartments on Elm.
    (Listed in walk order; the tests shuffle them, as an engine would return them.)"""
    rows = []
    n = 0
    for street in ("ELM ST", "OAK ST"):
        odds = [101, 103, 105, 201, 203]
        evens = [204, 202, 104, 102]
        for number in odds + evens:
            units = ["1", "2"] if (street, number) == ("ELM ST", 103) else [None]
            for unit in units:
                for _ in range(2):
                    n += 1
                    rows.append(row(f"V{n:03d}", street, number, unit))
    return rows


def test_doors_group_apartments_under_their_building_in_walk_order():
    doors = doors_from_rows(walk_rows())
    elm = [d for d in doors if d["street"] == "ELM ST"]
    assert [d["house_number"] for d in elm] == [101, 103, 105, 201, 203, 204, 202, 104, 102]
    building = elm[1]
    assert building["address"] == "103 ELM ST"
    assert [u["apartment"] for u in building["units"]] == ["1", "2"]
    assert [len(u["voters"]) for u in building["units"]] == [2, 2]


def test_doors_keep_only_the_lists_voters():
    doors = doors_from_rows(walk_rows(), keep={"V001", "V002", "V005"})
    assert [[v["id"] for v in voters_at(d)] for d in doors] == [["V001", "V002"], ["V005"]]


@pytest.mark.parametrize(("target", "unit"), [(3, "doors"), (4, "doors"), (5, "voters"), (8, "voters"), (1, "doors")])
def test_turfs_keep_block_faces_and_households_whole_and_fit_the_target(target, unit):
    doors = doors_from_rows(walk_rows())
    turfs = cut_precinct("P1", doors, target, unit)
    # every door exactly once, in walk order
    assert [d["key"] for t in turfs for d in t.doors] == [d["key"] for d in doors]
    faces = {}
    for number, turf in enumerate(turfs):
        for door in turf.doors:
            faces.setdefault(block_face(door), set()).add(number)
        own_faces = {block_face(d) for d in turf.doors}
        # over the target only when the turf is one block face bigger than the target by itself
        assert size_of(turf.doors, unit) <= target or len(own_faces) == 1
    assert all(len(turf_numbers) == 1 for turf_numbers in faces.values()), "a block face was split"
    # households (door + apartment) are inside one door, and a door is never split
    keys = [d["key"] for t in turfs for d in t.doors]
    assert len(keys) == len(set(keys))
    # greedy packing: a turf closed early only because the next face would not fit
    for first, second in itertools.pairwise(turfs):
        next_face = [d for d in second.doors if block_face(d) == block_face(second.doors[0])]
        assert size_of(first.doors, unit) + size_of(next_face, unit) > target


def test_turf_target_must_be_positive():
    with pytest.raises(TurfError, match="target"):
        cut_precinct("P1", [], 0, "doors")


def test_a_door_without_a_house_number_or_any_address_is_labelled_and_has_no_side():
    from groundswell.field.canvass import turf_data
    from groundswell.field.models import Campaign, Turf
    from groundswell.field.walk import NO_ADDRESS, WITHHELD

    def bare(vid, street):  # as walk_rows gives a row whose file address had no house number, or nothing
        return {"voter_id": vid, "name": "B Voter", "age": 50, "party": "UNA", "street_name": street,
                "house_number": None, "apartment": None, "address": street, "odd": False, "along": None}  # fmt: skip

    doors = doors_from_rows([*walk_rows()[:4], bare("X1", "REMOVED"), bare("X2", None)])
    assert [(d["address"], d["side"], d["house_number"]) for d in doors[-2:]] == [
        (WITHHELD, "even", None),  # the file's "REMOVED": a confidential voter
        (NO_ADDRESS, "even", None),
    ]
    turf = Turf(name="Elm", doors=doors, campaign=Campaign(name="Knock", results=["contacted"]))
    stops = turf_data(turf, None)["stops"]
    assert [(s["title"], s["subtitle"]) for s in stops] == [
        ("101 ELM ST", "odd side"),
        ("103 ELM ST", "odd side"),
        (WITHHELD, ""),
        (NO_ADDRESS, ""),
    ]


def test_units_are_shown_as_the_file_wrote_them_and_a_bare_unit_with_a_number_sign():
    from groundswell.field.canvass import turf_data
    from groundswell.field.models import Campaign, Turf
    from groundswell.field.walk import unit_label

    assert [unit_label(u) for u in ("APT 2", "STE 100", "#4", "1/2", "1/2 APT 2", "2B", "", None)] == [
        "APT 2", "STE 100", "#4", "1/2", "1/2 APT 2", "#2B", "", "",
    ]  # fmt: skip
    rows = [row("U1", "MAIN ST", 700), row("U2", "MAIN ST", 700), row("U3", "MAIN ST", 700)]
    for r, unit in zip(rows, ("APT 2", "2B", None), strict=True):  # "2B": a unit from a column of its own (Ohio)
        r["apartment"] = unit
    turf = Turf(name="Main", doors=doors_from_rows(rows), campaign=Campaign(name="Knock", results=["contacted"]))
    (stop,) = turf_data(turf, None)["stops"]
    assert [(p["voter_id"], p["unit"]) for p in stop["people"]] == [("U2", "#2B"), ("U1", "APT 2"), ("U3", "")]

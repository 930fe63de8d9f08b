from datetime import date

import ibis
import pyarrow as pa
import pytest

from groundswell.voterfile import targeting as tg
from groundswell.voterfile.engines import copy_tables
from groundswell.voterfile.targeting import Area, Universe, UniverseError

# What each universe must count, computed straight from DuckDB SQL over the same tables.
CASES = {
    "county_house_party_age": (
        {"counties": [92], "parties": ["DEM"], "age_min": 18, "age_max": 40},
        "county_id = 92 AND party = 'DEM' AND age BETWEEN 18 AND 40",
    ),
    "two_of_last_four_generals": (
        {"history": [{"election_type": "GENERAL", "at_least": 2, "of_last": 4}]},
        """voter_id IN (SELECT voter_id FROM vote_history WHERE election_type = 'GENERAL'
           AND election_date IN (SELECT election_date FROM elections WHERE election_type = 'GENERAL' AND ordinal < 4)
           GROUP BY 1 HAVING count(*) >= 2)""",
    ),
    "early_dem_ballot_2024_primary": (
        {"history": [{"election_date": "2024-03-05", "methods": ["EARLY"], "party_ballot": "DEM"}]},
        """voter_id IN (SELECT voter_id FROM vote_history WHERE election_date = DATE '2024-03-05'
           AND voting_method = 'EARLY' AND party_ballot = 'DEM')""",
    ),
    "did_not_vote_2022_general_registered_before_2020": (
        {
            "history": [{"election_date": "2022-11-08", "voted": False}],
            "registered_before": "2020-01-01",
            "genders": ["F"],
        },
        """voter_id NOT IN (SELECT voter_id FROM vote_history WHERE election_date = DATE '2022-11-08')
           AND registration_date <= DATE '2020-01-01' AND gender = 'F'""",
    ),
    "unaffiliated_excluding_primary_voters": (
        {"parties": ["UNA"], "exclude": [{"history": [{"election_type": "PRIMARY", "at_least": 1, "of_last": 4}]}]},
        "party = 'UNA' AND voter_id NOT IN (SELECT voter_id FROM vote_history WHERE election_type = 'PRIMARY')",
    ),
}


def sql_count(duckdb_engine, where, statuses="('A', 'I')"):
    sql = f"SELECT count(*) FROM voters WHERE status IN {statuses} AND {where}"
    return duckdb_engine.backend.con.execute(sql).fetchall()[0][0]


@pytest.mark.parametrize("case", sorted(CASES))
def test_universe_counts_match_hand_written_sql_on_every_engine(engine, duckdb_engine, case):
    spec, where = CASES[case]
    expected = sql_count(duckdb_engine, where)
    assert expected > 0
    assert tg.count(engine, Universe.from_dict(spec)) == expected


def test_count_by_dimensions_is_the_same_on_every_engine(engine, duckdb_engine):
    u = Universe.from_dict({"parties": ["DEM", "REP"]})
    got = tg.count_by(engine, u, ["state_house", "party", "age_band"])
    assert got == tg.count_by(duckdb_engine, u, ["state_house", "party", "age_band"])
    assert sum(r["voters"] for r in got) == tg.count(duckdb_engine, u)
    assert {r["age_band"] for r in got} <= {"18-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75+"}


def test_precinct_party_counts_cover_every_precinct(engine, duckdb_engine):
    counts = tg.precinct_party_counts(engine)
    precincts = duckdb_engine.backend.con.execute(
        "SELECT count(DISTINCT precinct) FROM voters WHERE status IN ('A', 'I')"
    ).fetchall()[0][0]
    assert len(counts) == precincts
    assert counts == tg.precinct_party_counts(duckdb_engine)


def test_doors_come_in_walk_order_with_apartments_under_their_building(engine, duckdb_engine):
    precinct = duckdb_engine.backend.con.execute(
        "SELECT precinct FROM voters WHERE apartment IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
    ).fetchall()[0][0]
    doors = tg.doors(engine, precinct)
    assert doors == tg.doors(duckdb_engine, precinct)
    streets = [d.street_name for d in doors]
    assert streets == sorted(streets)
    for street in set(streets):
        on_street = [d for d in doors if d.street_name == street]
        sides = [d.side for d in on_street]
        assert sides == sorted(sides, key=lambda s: s != "odd")  # up the odd side, then down the even
        odd = [d.house_number for d in on_street if d.side == "odd"]
        even = [d.house_number for d in on_street if d.side == "even"]
        assert odd == sorted(odd) and even == sorted(even, reverse=True)
    buildings = [d for d in doors if len(d.units) > 1]
    assert buildings and all(u.apartment for d in buildings for u in d.units)
    total = sum(len(u.voters) for d in doors for u in d.units)
    assert total == sql_count(duckdb_engine, f"precinct = '{precinct}'")


def test_walk_order_sorts_many_precincts_each_the_way_its_doors_are_walked(engine, duckdb_engine):
    # the engine's ORDER BY (lists, exports, chase lists) and the doors (walk sheets) must agree
    precincts = [r[0] for r in duckdb_engine.backend.con.execute(
        "SELECT precinct FROM voters WHERE apartment IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 2"
    ).fetchall()]  # fmt: skip
    t = tg.voters_in(engine, Universe(precincts=tuple(precincts)))
    rows = engine.backend.to_pyarrow(t.order_by(tg.walk_order(t)).select("precinct", "voter_id")).to_pylist()
    assert [r["precinct"] for r in rows] == sorted(r["precinct"] for r in rows)
    walked = [v.voter_id for p in sorted(precincts) for d in tg.doors(engine, p) for v in d.voters]
    assert [r["voter_id"] for r in rows] == walked
    assert len(walked) > 100


def test_a_lookup_finds_the_same_voters_on_every_engine(engine, duckdb_engine):
    con = duckdb_engine.backend.con
    last, first, year, zip_code, address, voter_id = con.execute(
        "SELECT last_name, first_name, birth_year, zip, address, voter_id FROM voters "
        "ORDER BY voter_id LIMIT 1 OFFSET 77"
    ).fetchall()[0]
    street = address.split(" ")[1]
    for fields, where in (
        ({"last_name": f" {last.lower()} "}, f"last_name = '{last}'"),
        ({"last_name": last, "first_name": first[:2].lower(), "birth_year": str(year)},
         f"last_name = '{last}' AND first_name LIKE '{first[:2]}%' AND birth_year = {year}"),
        ({"last_name": last, "zip": zip_code[:3], "address": street.lower()},
         f"last_name = '{last}' AND zip LIKE '{zip_code[:3]}%' AND address LIKE '%{street}%'"),
        ({"voter_id": f" {voter_id.lower()} "}, f"voter_id = '{voter_id}'"),
    ):  # fmt: skip
        expected = sorted(r[0] for r in con.execute(f"SELECT voter_id FROM voters WHERE {where}").fetchall())
        v = engine.table("voters")
        found = engine.backend.to_pyarrow(v.filter(tg.Lookup.from_fields(fields).predicate(v)).select("voter_id"))
        assert sorted(found.column("voter_id").to_pylist()) == expected and expected, fields
    with pytest.raises(ValueError, match=r"^zip: "):
        tg.Lookup.from_fields({"last_name": last, "zip": "2760A"})


def test_scoping_to_an_area_intersects(engine, duckdb_engine):
    u = Universe.from_dict({"parties": ["DEM"]})
    scoped = u.within(Area(counties=(92,))).within(Area(districts=(("state_house", ("041", "042")),)))
    expected = sql_count(duckdb_engine, "party = 'DEM' AND county_id = 92 AND state_house IN ('041', '042')")
    assert tg.count(engine, scoped) == expected


def test_a_list_is_a_frozen_snapshot_with_its_definition(engine, duckdb_engine, tmp_path):
    u = Universe.from_dict({"counties": [92], "parties": ["REP"]})
    made = tg.materialize(engine, u, "Wake Republicans")
    assert len(made.voter_ids) == sql_count(duckdb_engine, "county_id = 92 AND party = 'REP'")
    assert made.voter_ids == tg.materialize(duckdb_engine, u, "again").voter_ids
    made.save(tmp_path / "list.parquet")
    loaded = tg.VoterList.load(tmp_path / "list.parquet")
    assert loaded == made and Universe.from_dict(loaded.definition) == u


def test_universe_round_trips_through_a_plain_dict():
    spec = {"counties": [92, 60], "districts": {"state_house": ["041"]}, "parties": ["dem"], "age_min": 30,
            "history": [{"election_type": "general", "at_least": 3, "of_last": 4}],
            "areas": [{"precincts": ["092-0107"]}]}  # fmt: skip
    u = Universe.from_dict(spec)
    assert u.parties == ("DEM",) and u.counties == (60, 92)
    assert Universe.from_dict(u.to_dict()) == u


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"parties": ["XYZ"]}, "parties: unknown"),
        ({"age_min": 50, "age_max": 20}, "age_min: greater than age_max"),
        ({"history": [{"election_type": "GENERAL", "at_least": 5, "of_last": 4}]}, "at_least <= of_last"),
        ({"history": [{"election_date": "2024-13-01"}]}, "election_date: expected a date"),
        ({"history": [{"election_date": "2024-03-05", "methods": ["CARRIER PIGEON"]}]}, "history.methods"),
        ({"districts": {"galaxy": ["1"]}}, "districts: unknown kind"),
        ({"where": "1=1; DROP TABLE voters"}, "unknown fields: where"),
        ({"counties": "92"}, "counties: expected a list of whole numbers"),
    ],
)
def test_bad_universes_are_refused_with_the_field_named(spec, message):
    with pytest.raises(UniverseError, match=message):
        Universe.from_dict(spec)


def test_a_universe_is_data_not_sql():
    u = Universe.from_dict({"precincts": ["092-0107' OR '1'='1"], "registered_after": date(2000, 1, 1)})
    assert u.precincts == ("092-0107' OR '1'='1",)


ROLLUP_CASES = {
    "whole state": ({}, "TRUE"),
    "one county, two parties": (
        {"counties": [92], "parties": ["DEM", "UNA"]},
        "county_id = 92 AND party IN ('DEM', 'UNA')",
    ),
    "active only, in an area": (
        {"statuses": ["A"], "areas": [{"counties": [92, 60]}]},
        "county_id IN (92, 60)",
    ),
}


@pytest.mark.parametrize("case", sorted(ROLLUP_CASES))
def test_counts_the_precinct_rollup_answers_match_the_voters_table(engine, duckdb_engine, case):
    spec, where = ROLLUP_CASES[case]
    u = Universe.from_dict(spec)
    statuses = "('A')" if spec.get("statuses") == ["A"] else "('A', 'I')"
    assert engine.has_table("precinct_party")  # the rollup came along to every engine
    assert tg.count(engine, u) == sql_count(duckdb_engine, where, statuses)
    rows = duckdb_engine.backend.con.execute(
        f"SELECT precinct, party, count(*) FROM voters WHERE status IN {statuses} AND {where} GROUP BY ALL"
    ).fetchall()
    expected: dict[str, dict[str, int]] = {}
    for precinct, party, n in rows:
        expected.setdefault(precinct, {})[party] = n
    assert tg.precinct_party_counts(engine, u) == expected


def test_an_engine_without_the_rollup_counts_from_the_voters(duckdb_engine):
    import ibis

    from groundswell.voterfile.engines import Engine, copy_tables

    bare = Engine("duckdb", ibis.duckdb.connect())
    copy_tables(duckdb_engine, bare, tables=("voters", "vote_history", "elections"))
    assert not bare.has_table("precinct_party")
    u = Universe.from_dict({"counties": [92]})
    assert tg.precinct_party_counts(bare) == tg.precinct_party_counts(duckdb_engine)
    assert tg.count(bare, u) == tg.count(duckdb_engine, u) == sql_count(duckdb_engine, "county_id = 92")


def test_doors_are_ordinary_immutable_values(duckdb_engine):
    precinct = duckdb_engine.backend.con.execute("SELECT min(precinct) FROM voters").fetchall()[0][0]
    door = tg.doors(duckdb_engine, precinct)[0]
    rebuilt = tg.Door(
        door.street_name,
        door.side,
        door.house_number,
        door.address,
        tuple(tg.Unit(u.apartment, tuple(tg.DoorVoter(v.voter_id, v.name, v.age, v.party) for v in u.voters))
              for u in door.units),
    )  # fmt: skip
    assert door == rebuilt and hash(door) == hash(rebuilt) and repr(door) == repr(rebuilt)
    assert type(door.units[0]) is tg.Unit and type(door.units[0].voters[0]) is tg.DoorVoter
    with pytest.raises(AttributeError):
        door.units[0].voters[0].name = "someone else"  # immutable: the point of the test
    assert door._asdict()["units"][0].voters[0].voter_id == door.voters[0].voter_id


def test_doors_of_rows_group_buildings_and_units_with_nulls_as_values():
    rows = [
        # voter_id, name, age, party, street, number, apartment, address, odd
        ("V1", "ANN A", 30, "DEM", "ELM ST", 101, None, "101 ELM ST", True),
        ("V2", "BOB A", 31, "REP", "ELM ST", 101, None, "101 ELM ST", True),
        ("V3", "CY B", 40, None, "ELM ST", 103, "1", "103 ELM ST APT 1", True),
        ("V4", "DI B", None, "UNA", "ELM ST", 103, "2", "103 ELM ST APT 2", True),
        ("V5", "ED C", 50, "DEM", "ELM ST", 102, None, "102 ELM ST", False),
        ("V8", "HAL E", 70, "DEM", "OAK ST", 101, None, "101 OAK ST", True),
        ("V6", "FE D", 60, "DEM", "ELM ST", None, None, "ELM ST", False),  # no number: after every street
        ("V7", "GUS D", 61, "DEM", "ELM ST", None, None, "ELM ST", False),
    ]
    names = ("voter_id", "name", "age", "party", "street_name", "house_number", "apartment", "address", "odd")
    doors = tg.doors_of(pa.table({n: [r[i] for r in rows] for i, n in enumerate(names)}))
    # the same rows in any order are put back in walk order (NULL house numbers after every street)
    along = [None if r[5] is None else (r[5] if r[8] else -r[5]) for r in rows]
    for shuffled in (rows[::-1], rows[3:] + rows[:3]):
        positions = [rows.index(r) for r in shuffled]
        table = pa.table({**{n: [r[i] for r in shuffled] for i, n in enumerate(names)},
                          "along": pa.array([along[p] for p in positions], pa.int32())})  # fmt: skip
        assert tg.doors_of(tg.in_walk_order(table)) == doors
        assert tg.doors_of(table, tg.walk_indices(table)) == doors  # the rows left as they are, read in order
    assert [(d.street_name, d.side, d.house_number, d.address) for d in doors] == [
        ("ELM ST", "odd", 101, "101 ELM ST"), ("ELM ST", "odd", 103, "103 ELM ST"),
        ("ELM ST", "even", 102, "102 ELM ST"), ("OAK ST", "odd", 101, "101 OAK ST"), ("ELM ST", "even", None, "ELM ST"),
    ]  # fmt: skip
    assert [[(u.apartment, [v.voter_id for v in u.voters]) for u in d.units] for d in doors] == [
        [(None, ["V1", "V2"])], [("1", ["V3"]), ("2", ["V4"])], [(None, ["V5"])], [(None, ["V8"])],
        [(None, ["V6", "V7"])],
    ]  # fmt: skip
    assert doors[1].voters[1] == tg.DoorVoter("V4", "DI B", None, "UNA")
    assert doors[1].voters[0].party is None
    assert tg.doors_of(pa.table({n: pa.array([], type=doors_type) for n, doors_type in zip(
        names, (pa.string(),) * 2 + (pa.int32(), pa.string(), pa.string(), pa.int32(), pa.string(), pa.string(),
                                     pa.bool_()), strict=True)})) == []  # fmt: skip


def test_walk_table_names_and_sides_voters_as_the_engines_order_by_does():
    # walk_table derives in Arrow what walk_order's keys compute in the engine: the two must agree
    rows = pa.table({
        "voter_id": ["V1", "V2", "V3", "V4", "V5"], "first_name": ["ANN", None, "CY", None, ""],
        "last_name": ["ABLE", "BOYD", None, None, "EDDY"], "age": pa.array([30, 31, None, 50, 60], pa.int32()),
        "party": ["DEM", None, "REP", "UNA", "DEM"], "street_name": ["ELM ST"] * 4 + [None],
        "house_number": pa.array([101, 102, None, 0, 7], pa.int32()), "apartment": [None, "2", None, None, None],
        "address": ["101 ELM ST", "102 ELM ST APT 2", "PO BOX 5", "0 ELM ST", "7"],
    })  # fmt: skip
    t = ibis.memtable(rows)
    odd, along, name = tg._walk_parts(t)
    expected = ibis.duckdb.connect().to_pyarrow(t.select("voter_id", name=name, odd=odd, along=along))
    got = tg.walk_table(rows)
    assert got.select(["voter_id", "name", "odd", "along"]).to_pylist() == expected.to_pylist()
    assert got.column("name").to_pylist() == ["ANN ABLE", "BOYD", "CY", "", " EDDY"]
    assert got.column("along").to_pylist() == [101, -102, None, 0, 7]
    assert got.select(["age", "party", "apartment", "address"]) == rows.select(["age", "party", "apartment", "address"])


def imported_precinct(store, tmp_path, addresses):
    """(engine, precinct) after importing one precinct's voters: voter id -> address as the state's file gives it."""
    from groundswell.voterfile.engines import duckdb_engine as open_engine
    from groundswell.voterfile.importing import import_file
    from groundswell.voterfile.tests.test_importing import header, voter_row, write

    path = write(
        tmp_path / "ncvoter.txt", [header()] + [voter_row(v, res_street_address=a) for v, a in addresses.items()]
    )
    import_file(store, path, "ncvoter")
    engine = open_engine(store)
    (precinct,) = engine.backend.con.execute("SELECT DISTINCT precinct FROM voters").fetchall()[0]
    return engine, precinct


def test_lists_sort_punctuated_streets_as_the_doors_do_on_every_engine(store, tmp_path, scratch_engines):
    # PostgreSQL under a language's collation puts "CAÑON DR" before "CANYON DR" (ICU's en-US), or ignores
    # punctuation ("ST. MARY ST" after "ST MARY ST" under glibc's en_US); Arrow and the other engines sort bytes
    addresses = {
        "AB1": "5 ST MARY ST", "AB2": "7 ST. MARY ST", "AB3": "9 OAK ST", "AB4": "3 O'NEAL RD", "AB5": "2 OAKHURST DR",
        "AB6": "4 MC-KAY LN", "AB7": "6 MCKAY LN", "AB8": "8 oak st", "AB9": "5 CAÑON DR", "AC1": "7 CANYON DR",
        "AC2": "9 CANON DR",
    }  # fmt: skip
    engine, precinct = imported_precinct(store, tmp_path, addresses)
    doors = tg.doors(engine, precinct)
    walked = [v.voter_id for d in doors for v in d.voters]
    streets = [d.street_name for d in doors]
    # byte order: "CANYON DR" < "CAÑON DR", "MC-KAY LN" < "MCKAY LN", "O'NEAL RD" < "OAK ST",
    # "ST MARY ST" < "ST. MARY ST"
    assert streets == sorted(streets) and streets.index("CANYON DR") < streets.index("CAÑON DR")
    for other in scratch_engines:
        copy_tables(engine, other)
        t = tg.voters_in(other, Universe(precincts=(precinct,)))
        listed = other.backend.to_pyarrow(t.order_by(tg.walk_order(t)).select("voter_id")).column(0).to_pylist()
        assert listed == walked, other.name
        assert [v.voter_id for d in tg.doors(other, precinct) for v in d.voters] == walked, other.name


def test_addresses_without_a_house_number_come_after_every_street(store, tmp_path):
    addresses = {
        "AA1": "13 OAK ST", "AA2": "PO BOX 5", "AA3": "12 OAK ST", "AA4": "REMOVED", "AA5": "11 OAK ST",
        "AA6": "PO BOX 5", "AA7": "4 ZION ST", "AA8": "1 ASH ST",
    }  # fmt: skip
    engine, precinct = imported_precinct(store, tmp_path, addresses)
    doors = tg.doors(engine, precinct)  # such an address must not cost the precinct its walk sheet
    assert [(d.street_name, d.side, d.house_number, [v.voter_id for v in d.voters]) for d in doors] == [
        ("ASH ST", "odd", 1, ["AA8"]),
        ("OAK ST", "odd", 11, ["AA5"]), ("OAK ST", "odd", 13, ["AA1"]), ("OAK ST", "even", 12, ["AA3"]),
        ("ZION ST", "even", 4, ["AA7"]),  # every street first: nothing to walk to at the doors after it
        ("PO BOX 5", "even", None, ["AA2", "AA6"]), ("REMOVED", "even", None, ["AA4"]),
    ]  # fmt: skip
    # lists and exports sort in the engine the same way
    t = tg.voters_in(engine, Universe(precincts=(precinct,)))
    listed = engine.backend.to_pyarrow(t.order_by(tg.walk_order(t)).select("voter_id")).column(0).to_pylist()
    assert listed == [v.voter_id for d in doors for v in d.voters]


def test_units_and_half_numbered_houses_stay_on_their_street_under_a_door_titled_without_them(store, tmp_path):
    addresses = {  # voter id -> residential address as the state's file gives it
        "AB1": "700 MAIN ST STE 200", "AB2": "700 MAIN ST STE 100", "AB3": "123 1/2 MAIN ST", "AB4": "123 MAIN ST",
        "AB5": "12B OAK ST # 4", "AB6": "12 OAK ST APT", "AB7": "9 MAIN ST #", "AB8": "121 MAIN ST",
        "AB9": "100 N STEWART ST APT 2", "AC1": "14 OAK LOTUS RD UNIT 5",
    }  # fmt: skip
    engine, precinct = imported_precinct(store, tmp_path, addresses)
    doors = tg.doors(engine, precinct)
    # 123 1/2 is walked beside 123 on MAIN ST (not on a street called "1/2 MAIN ST"); a unit word with no
    # unit after it ("12 OAK ST APT", "9 MAIN ST #") is no unit, and no part of the door's title; a word
    # that starts like a unit word (STEWART, LOTUS) is part of the street
    assert [(d.address, d.house_number, [(u.apartment, [v.voter_id for v in u.voters]) for u in d.units])
            for d in doors] == [
        ("9 MAIN ST", 9, [(None, ["AB7"])]),
        ("121 MAIN ST", 121, [(None, ["AB8"])]),
        ("123 MAIN ST", 123, [("1/2", ["AB3"]), (None, ["AB4"])]),
        ("700 MAIN ST", 700, [("STE 100", ["AB2"]), ("STE 200", ["AB1"])]),
        ("100 N STEWART ST", 100, [("APT 2", ["AB9"])]),
        ("14 OAK LOTUS RD", 14, [("UNIT 5", ["AC1"])]),
        ("12B OAK ST", 12, [("#4", ["AB5"]), (None, ["AB6"])]),
    ]  # fmt: skip

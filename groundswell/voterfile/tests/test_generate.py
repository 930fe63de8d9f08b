import hashlib

import duckdb
import numpy as np

from groundswell.voterfile import generate, layouts


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _read(path, delim="\t"):
    return duckdb.sql(f"SELECT * FROM read_csv('{path}', delim='{delim}', header=true, all_varchar=true)")


def test_same_seed_same_files_and_another_seed_differs(tmp_path):
    a = generate.generate_nc(tmp_path / "a", 2000, seed=5)
    b = generate.generate_nc(tmp_path / "b", 2000, seed=5)
    c = generate.generate_nc(tmp_path / "c", 2000, seed=6)
    assert _sha(a.voter_file) == _sha(b.voter_file) and _sha(a.history_file) == _sha(b.history_file)
    assert _sha(a.voter_file) != _sha(c.voter_file)


def test_chunk_size_does_not_change_the_people():
    synth = generate.Synth(generate.NC, 5000, seed=3)
    whole = next(synth.chunks(size=5000))
    parts = list(synth.chunks(size=777))
    assert np.array_equal(whole.household, np.concatenate([p.household for p in parts]))
    assert np.array_equal(whole.party, np.concatenate([p.party for p in parts]))


def test_nc_file_has_the_real_layout_and_requested_size(nc_files):
    rel = _read(nc_files.voter_file)
    assert tuple(rel.columns) == layouts.NCVOTER_COLUMNS
    assert rel.count("*").fetchall()[0][0] == 3000 == nc_files.voters
    hist = _read(nc_files.history_file)
    assert tuple(hist.columns) == layouts.NCVHIS_COLUMNS
    assert 2.0 < nc_files.history_rows / nc_files.voters < 4.0  # about 3 history rows per voter


def test_distributions_look_like_a_state(tmp_path):
    files = generate.generate_nc(tmp_path, 60_000, seed=2)
    row = duckdb.sql(
        """
        SELECT count(DISTINCT county_id), count(DISTINCT county_id || precinct_abbrv),
               count(*) FILTER (WHERE try_cast(split_part(res_street_address, ' ', 1) AS INT) % 2 = 0),
               count(*) FILTER (WHERE res_street_address LIKE '% APT %'),
               count(DISTINCT res_street_address || zip_code), count(DISTINCT party_cd), count(DISTINCT status_cd),
               min(age_at_year_end::INT), max(age_at_year_end::INT),
               count(DISTINCT election_lbl)
        FROM read_csv('VOTERS', delim='\t', header=true, all_varchar=true),
             (SELECT DISTINCT election_lbl FROM read_csv(?, delim='\t', header=true, all_varchar=true))
    """.replace("?", f"'{files.history_file}'").replace("VOTERS", str(files.voter_file))
    ).fetchall()[0]
    counties, precincts, even, apartments, households, parties, statuses, youngest, oldest, elections = row
    assert counties == 100 and precincts == 200  # 60,000 voters / 300 per precinct
    assert 0.35 < even / 60_000 / 8 < 0.65  # the cross join repeats rows per election: 8 elections
    assert apartments > 0
    assert 60_000 / 4 < households < 60_000 * 0.8  # many households hold more than one voter
    assert parties == 5 and statuses == 5 and youngest == 18 and oldest >= 90 and elections == 8


def test_a_few_voters_are_confidential_and_a_few_houses_half_numbered(tmp_path):
    files = generate.generate_nc(tmp_path, 20_000, seed=4)
    confidential, marked_only, with_phone, half, half_in_apartments = (
        _read(files.voter_file)
        .query(
            "voters",
            """SELECT count(*) FILTER (WHERE res_street_address = 'REMOVED'),
                  count(*) FILTER (WHERE (res_street_address = 'REMOVED') <> (confidential_ind = 'Y')),
                  count(*) FILTER (WHERE res_street_address = 'REMOVED' AND full_phone_number IS NOT NULL),
                  count(*) FILTER (WHERE regexp_matches(res_street_address, '^\\d+ 1/2 ')),
                  count(*) FILTER (WHERE res_street_address LIKE '% 1/2 %' AND res_street_address LIKE '% APT %')
           FROM voters""",
        )
        .fetchall()[0]
    )
    assert 10 < confidential < 100 and marked_only == 0 and with_phone == 0  # 0.2%: "REMOVED", marked, no phone
    assert 10 < half < 300 and half_in_apartments == 0


def test_full_size_geography_has_2700_precincts_in_100_counties():
    geo = generate.Geography(generate.NC, 8_500_000, seed=1)
    assert len(geo.county_of_precinct) == 2700 and len(set(geo.county_of_precinct)) == 100
    assert geo.voters_in_precinct.sum() == 8_500_000


def test_ids_keep_leading_zeros(nc_files):
    rel = _read(nc_files.voter_file)
    first = rel.filter("voter_reg_num = '000000000001'").fetchall()
    assert len(first) == 1
    assert rel.filter("ncid LIKE 'AA000000%'").count("*").fetchall()[0][0] > 0


def test_ohio_file_has_fixed_then_election_columns(tmp_path):
    files = generate.generate_ohio(tmp_path, 1500, seed=4)
    rel = _read(files.voter_file, ",")
    assert tuple(rel.columns[:46]) == layouts.OHIO_FIXED_COLUMNS
    assert rel.columns[-1] == "GENERAL-11/05/2024" and len(rel.columns) == 46 + 8
    assert rel.filter("\"GENERAL-11/05/2024\" = 'X'").count("*").fetchall()[0][0] > 0


def test_a_later_revision_removes_changes_and_adds_voters(tmp_path):
    first = generate.generate_nc(tmp_path, 4000, seed=9)
    later = generate.generate_nc(tmp_path, 4000, seed=9, revision=1)
    a, b = _read(first.voter_file), _read(later.voter_file)
    ids_a = {r[0] for r in a.select("ncid").fetchall()}
    ids_b = {r[0] for r in b.select("ncid").fetchall()}
    assert 0 < len(ids_a - ids_b) < 200 and 0 < len(ids_b - ids_a) < 200


def test_removed_and_denied_registrations_have_no_precinct_and_no_district_as_ncsbe_writes_them(nc_files):
    placed = " + ".join(f"(nullif({c}, '') IS NOT NULL)::INT" for c in generate.NC_PLACE_COLUMNS)
    by_status = dict(
        _read(nc_files.voter_file).query("voters", f"SELECT status_cd, max({placed}) FROM voters GROUP BY 1").fetchall()
    )
    assert set(by_status) == set(layouts.STATUS_CODES)
    assert by_status["R"] == by_status["D"] == 0  # not one precinct or district field filled in
    assert min(by_status[s] for s in ("A", "I", "S")) > 10  # the others have their precinct and districts
    assert generate.NC_PLACE_COLUMNS[0] == "precinct_abbrv" and generate.NC_PLACE_COLUMNS[-1] == "vtd_desc"


def test_a_county_file_is_the_statewide_header_and_that_countys_rows(nc_files, tmp_path):
    statewide = tmp_path / "ncvoter_Statewide.txt"
    statewide.write_bytes(nc_files.voter_file.read_bytes())
    county = generate.nc_county_file(statewide, 92)
    assert county.name == "ncvoter92.txt"
    got = _read(county).query("v", "SELECT count(*), min(county_id), max(county_id) FROM v").fetchall()[0]
    expected = _read(statewide).query("v", "SELECT count(*) FROM v WHERE county_id = '92'").fetchall()[0][0]
    assert got == (expected, "92", "92") and expected > 0

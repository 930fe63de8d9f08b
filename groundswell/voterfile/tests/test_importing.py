import csv
import itertools
import zipfile

import blake3
import duckdb
import pytest

from groundswell.voterfile import generate, layouts
from groundswell.voterfile import targeting as tg
from groundswell.voterfile.engines import duckdb_engine
from groundswell.voterfile.importing import (
    ADDRESS_PARTS,
    ADDRESS_PATTERN,
    COMMON_METHODS,
    MAX_ELECTIONS_AS_BITS,
    UNCOMPRESSED,
    ColumnMapping,
    ImportHeld,
    ImportRefused,
    UnreadableFile,
    address_parts_sql,
    address_unit_sql,
    county_prefix,
    election_type_sql,
    import_file,
    lit,
    voting_method_sql,
)
from groundswell.voterfile.store import VoterStore, WriterBusy

BASE = {
    "county_id": "92", "county_desc": "WAKE", "status_cd": "A", "voter_status_desc": "ACTIVE",
    "res_street_address": "12 OAK ST", "res_city_desc": "RALEIGH", "state_cd": "NC", "zip_code": "02760",
    "registr_dt": "01/15/2010", "party_cd": "DEM", "gender_code": "F", "birth_year": "1980",
    "age_at_year_end": "44", "precinct_abbrv": "0107", "nc_house_abbrv": "041", "full_phone_number": "0195551234",
}  # fmt: skip


def voter_row(ncid, quoted=True, **values):
    fields = {**BASE, "ncid": ncid, "voter_reg_num": "000000" + ncid[-6:], "last_name": "DOE", "first_name": ncid}
    fields.update(values)
    cells = [fields.get(c, "") for c in layouts.NCVOTER_COLUMNS]
    return "\t".join(f'"{v}"' if quoted else v for v in cells)


def header(quoted=True):
    return "\t".join(f'"{c}"' if quoted else c for c in layouts.NCVOTER_COLUMNS)


def write(path, lines, encoding="utf-8", bom=False):
    data = "\n".join(lines) + "\n"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data.encode(encoding))
    return path


def rows(store, sql):
    con = store.connect_readonly()
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_quoted_and_unquoted_fields_ids_and_zips_keep_leading_zeros(store, tmp_path):
    path = write(tmp_path / "nc.txt", [header(), voter_row("AA000001"), voter_row("AA000002", quoted=False)])
    result = import_file(store, path, "ncvoter")
    assert (result.inserted, result.rejected) == (2, 0)
    got = rows(store, "SELECT voter_id, reg_num, zip, phone, state_house, precinct FROM voters ORDER BY voter_id")
    assert got == [
        ("AA000001", "000000000001", "02760", "0195551234", "041", "092-0107"),
        ("AA000002", "000000000002", "02760", "0195551234", "041", "092-0107"),
    ]


def test_latin1_file_is_read_as_latin1(store, tmp_path):
    path = write(tmp_path / "nc.txt", [header(), voter_row("AA000001", last_name="PEÑA")], encoding="latin-1")
    result = import_file(store, path, "ncvoter")
    assert result.encoding == "latin-1"
    assert rows(store, "SELECT last_name FROM voters") == [("PEÑA",)]


def test_latin1_found_late_in_the_file_is_retried_as_latin1(store, tmp_path):
    lines = [header(), *[voter_row(f"AA{i:06d}") for i in range(1, 20000)], voter_row("AB000001", last_name="MUÑOZ")]
    path = write(tmp_path / "nc.txt", lines, encoding="latin-1")
    result = import_file(store, path, "ncvoter")
    assert result.encoding == "latin-1" and result.rejected == 0
    assert rows(store, "SELECT last_name FROM voters WHERE voter_id = 'AB000001'") == [("MUÑOZ",)]


def test_utf8_with_bom(store, tmp_path):
    path = write(tmp_path / "nc.txt", [header(), voter_row("AA000001", first_name="JOSÉ")], bom=True)
    import_file(store, path, "ncvoter")
    assert rows(store, "SELECT voter_id, first_name FROM voters") == [("AA000001", "JOSÉ")]


def test_ragged_rows_and_blank_trailing_fields_are_padded(store, tmp_path):
    full = voter_row("AA000001")
    short = "\t".join(full.split("\t")[:40])  # the row stops after ward_desc
    trailing = voter_row("AA000003", vtd_abbrv="", vtd_desc="")
    path = write(tmp_path / "nc.txt", [header(), short.replace("AA000001", "AA000002"), trailing])
    result = import_file(store, path, "ncvoter")
    assert (result.inserted, result.rejected) == (2, 0)
    assert rows(store, "SELECT voter_id, state_house, vtd FROM voters ORDER BY 1") == [
        ("AA000002", None, None),
        ("AA000003", "041", None),
    ]


def test_zip_archive_is_extracted_and_recorded(store, tmp_path):
    path = write(tmp_path / "ncvoter92.txt", [header(), voter_row("AA000001")])
    archive = tmp_path / "ncvoter92.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(path, "ncvoter92.txt")
    result = import_file(store, archive, "ncvoter")
    assert result.file_name == "ncvoter92.zip!ncvoter92.txt" and result.inserted == 1
    # the zip as received, hashed independently
    checksum = rows(store, "SELECT checksum FROM import_batches")[0][0]
    assert result.checksum == checksum == "blake3:" + blake3.blake3(archive.read_bytes()).hexdigest()


def test_a_store_from_before_blake3_keeps_its_sha256_checksums_marked(store, tmp_path):
    import_file(store, write(tmp_path / "a.txt", [header(), voter_row("AA000001")]), "ncvoter")
    old_digest = "cd" * 32
    path = store.current()  # made as an earlier release made it: SHA-256 in a column of that name
    with duckdb.connect(str(path)) as con:
        con.execute("ALTER TABLE import_batches RENAME COLUMN checksum TO sha256")
        con.execute(f"UPDATE import_batches SET sha256 = '{old_digest}'")
    later = write(tmp_path / "b.txt", [header(), voter_row("AA000001"), voter_row("AA000002")])
    result = import_file(store, later, "ncvoter")
    assert rows(store, "SELECT batch_id, checksum FROM import_batches ORDER BY 1") == [
        (1, f"sha256:{old_digest}"), (2, result.checksum),
    ]  # fmt: skip
    assert result.checksum == "blake3:" + blake3.blake3(later.read_bytes()).hexdigest()


def bad_file(tmp_path):
    return write(
        tmp_path / "nc.txt",
        [
            header(),
            voter_row("AA000001"),
            voter_row("AA000002", registr_dt="13/45/2010"),  # line 3: not a date
            voter_row(""),  # line 4: no voter id
            voter_row("AA000004") + "\tEXTRA",  # line 5: too many fields
            voter_row("AA000005", status_cd="Q"),  # line 6: unknown status
            voter_row("AA000001"),  # line 7: duplicate id
            voter_row("AA000007"),
        ],
    )


def test_bad_rows_are_reported_with_line_column_reason_and_counted(store, tmp_path):
    result = import_file(store, bad_file(tmp_path), "ncvoter", max_rejected_share=1.0)
    assert (result.rows_read, result.inserted, result.rejected) == (7, 2, 5)
    found = {(r.line, r.column) for r in result.rejects}
    assert found == {(3, "registr_dt"), (4, "voter id"), (5, None), (6, "status"), (7, "voter id")}
    reasons = {r.line: r.reason for r in result.rejects}
    assert "too many fields" in reasons[5] and "unknown status code Q" in reasons[6]
    assert "duplicate voter id AA000001" in reasons[7]
    stored = rows(store, "SELECT line, column_name, reason FROM import_rejects ORDER BY line")
    assert [s[0] for s in stored] == [3, 4, 5, 6, 7]
    assert rows(store, "SELECT rejected FROM import_batches") == [(5,)]


# A file large enough that DuckDB reads it in parallel pieces and appends them to the staging table
# out of file order (about 30 MB): a staged row's position then says nothing of its line.
BIG_FILE_ROWS = 100_000


def big_file(tmp_path, changes):
    """BIG_FILE_ROWS voters AB0000000... on lines 2.. (line = row + 2), with some rows replaced."""
    lines = [header()] + [voter_row(f"AB{i:07d}") for i in range(BIG_FILE_ROWS)]
    for line, row in changes.items():
        lines[line - 1] = row
    return write(tmp_path / "big.txt", lines)


def read_out_of_order(store, lines):
    """Whether the import staged some of these lines' neighbours (line + 1) out of file order.

    A first import keeps the staging table's order, so ``voters``' rowids show the order rows were staged in.
    """
    staged = dict(rows(store, "SELECT voter_id, rowid FROM voters"))
    positions = [staged[f"AB{line + 1 - 2:07d}"] for line in sorted(lines)]
    return any(later < earlier for earlier, later in itertools.pairwise(positions))


def import_read_out_of_order(tmp_path, path, layout, out_of_order):
    """Import ``path`` into a new store until DuckDB's reading threads stage it out of file order
    (``out_of_order(store)``): on a loaded machine one thread may read the whole file before the other
    starts. Returns (store, result); fails if four imports in a row came in order."""
    for attempt in range(4):
        store = VoterStore(tmp_path / f"import-{attempt}" / "voters.duckdb")
        result = import_file(store, path, layout, max_rejected_share=1.0)
        if out_of_order(store):
            return store, result
    pytest.fail(f"DuckDB staged {path.name} in file order four times: make it larger")


def test_rejects_keep_their_lines_and_an_ids_first_row_wins_in_a_file_read_out_of_order(tmp_path):
    step = BIG_FILE_ROWS // 25
    firsts = [1000 + i * step for i in range(20)]  # each repeated three and a half steps further on
    later = {a: a + 3 * step + step // 2 for a in firsts}
    changes = {later[a]: voter_row(f"AB{a - 2:07d}", first_name="LATER") for a in firsts}
    changes.update({
        500: voter_row("AB0000498", status_cd="Q"),  # unknown status
        51_003: voter_row(""),  # no voter id
        60_005: voter_row("AB0060003", registr_dt="13/45/2010"),  # DuckDB cannot read it
        99_007: voter_row("AB0099005", status_cd="X"),
    })  # fmt: skip
    store, result = import_read_out_of_order(
        tmp_path, big_file(tmp_path, changes), "ncvoter", lambda store: read_out_of_order(store, [*firsts, *changes])
    )
    expected = {line: "voter id" for line in changes}
    expected.update({500: "status", 60_005: "registr_dt", 99_007: "status"})
    assert {r.line: r.column for r in result.rejects} == expected
    repeats = {r.line: r.reason for r in result.rejects if "duplicate" in r.reason}
    assert repeats == {later[a]: f"duplicate voter id AB{a - 2:07d}" for a in firsts}
    assert (result.rows_read, result.rejected) == (BIG_FILE_ROWS, len(expected))
    ids = ", ".join(f"'AB{a - 2:07d}'" for a in firsts)
    kept = rows(store, f"SELECT voter_id, first_name FROM voters WHERE voter_id IN ({ids}) ORDER BY voter_id")
    assert kept == [(f"AB{a - 2:07d}", f"AB{a - 2:07d}") for a in firsts]  # the first row, not the LATER one


def test_lines_of_rejects_skip_rows_the_reader_could_not_parse_in_a_file_read_out_of_order(tmp_path):
    # no repeated ids: the second, in-order reading takes only the columns a reject depends on, so it
    # reads line 3,000 (its bad date is in a column it skips) and must leave it out by line
    changes = {
        3_000: voter_row("AB0002998", registr_dt="13/45/2010", status_cd="Q"),
        70_000: voter_row("AB0069998", status_cd="Q"),
        80_000: voter_row("AB0079998", precinct_abbrv=""),
        90_000: voter_row("", last_name="NOBODY"),
    }
    sample = [line for line in range(1_000, BIG_FILE_ROWS, 1_000) if line + 1 not in changes]
    _, result = import_read_out_of_order(
        tmp_path, big_file(tmp_path, changes), "ncvoter", lambda store: read_out_of_order(store, sample)
    )
    assert [(r.line, r.column) for r in result.rejects] == [
        (3_000, "registr_dt"), (70_000, "status"), (80_000, "precinct"), (90_000, "voter id")]  # fmt: skip
    assert (result.rows_read, result.inserted) == (BIG_FILE_ROWS, BIG_FILE_ROWS - 4)


def test_too_many_bad_rows_refuse_the_whole_file_and_change_nothing(store, tmp_path):
    good = write(tmp_path / "good.txt", [header(), voter_row("ZZ000001")])
    import_file(store, good, "ncvoter")
    before = store.current()
    with pytest.raises(ImportRefused, match=r"5 of 7 rows of nc\.txt were rejected") as refused:
        import_file(store, bad_file(tmp_path), "ncvoter")
    assert len(refused.value.result.rejects) == 5
    assert store.current() == before
    assert rows(store, "SELECT voter_id FROM voters") == [("ZZ000001",)]
    assert len(list(store.path.parent.glob("voters.*.duckdb"))) == 1  # the unfinished generation is gone


def test_only_one_writer_at_a_time(store, tmp_path):
    path = write(tmp_path / "nc.txt", [header(), voter_row("AA000001")])
    with store.writer_lock(), pytest.raises(WriterBusy):
        import_file(store, path, "ncvoter")


def test_readers_keep_their_snapshot_while_a_new_generation_is_published(store, tmp_path):
    import_file(store, write(tmp_path / "a.txt", [header(), voter_row("AA000001")]), "ncvoter")
    reader = store.connect_readonly()
    import_file(store, write(tmp_path / "b.txt", [header(), voter_row("AA000001"), voter_row("AA000002")]), "ncvoter")
    assert reader.execute("SELECT count(*) FROM voters").fetchall() == [(1,)]
    assert rows(store, "SELECT count(*) FROM voters") == [(2,)]
    reader.close()


def test_reimport_updates_changed_marks_removed_keeps_history_and_provenance(store, tmp_path):
    first = generate.generate_nc(tmp_path / "r0", 3000, seed=21)
    later = generate.generate_nc(tmp_path / "r1", 3000, seed=21, revision=1)
    a = import_file(store, first.voter_file, "ncvoter")
    h = import_file(store, first.history_file, "ncvhis")
    history_before = rows(store, "SELECT count(*) FROM vote_history")[0][0]
    assert a.inserted == 3000 and h.inserted == first.history_rows == history_before
    b = import_file(store, later.voter_file, "ncvoter")
    assert b.inserted > 0 and b.updated > 0 and b.removed > 0 and b.unchanged > 2000
    assert b.inserted + b.updated + b.unchanged == later.voters
    removed = rows(store, f"SELECT count(*) FROM voters WHERE status = 'R' AND removed_batch = {b.batch_id}")[0][0]
    assert removed == b.removed
    assert rows(store, "SELECT count(*) FROM voters")[0][0] == 3000 + b.inserted
    changed = rows(store, f"SELECT count(*) FROM voters WHERE changed_batch = {b.batch_id}")[0][0]
    assert changed == b.inserted + b.updated + b.removed
    assert rows(store, "SELECT count(*) FROM vote_history")[0][0] == history_before  # kept
    # the later history file repeats most rows: only new ones are added
    h2 = import_file(store, later.history_file, "ncvhis")
    assert h2.unchanged > 0 and h2.inserted + h2.unchanged == later.history_rows
    batches = rows(store, "SELECT batch_id, kind, file_name, checksum, rows_read, inserted FROM import_batches")
    files = (first.voter_file, first.history_file, later.voter_file, later.history_file)
    checksums = {f: batch[3] for f, batch in zip(files, batches, strict=True)}
    assert [(x[0], x[1]) for x in batches] == [(1, "ncvoter"), (2, "ncvhis"), (3, "ncvoter"), (4, "ncvhis")]
    assert checksums == {f: "blake3:" + blake3.blake3(f.read_bytes()).hexdigest() for f in checksums}
    # vote bits match the detailed history
    mismatched = rows(
        store,
        """
        SELECT count(*) FROM voters v LEFT JOIN (
            SELECT voter_id, count(*) AS n FROM vote_history WHERE election_type = 'GENERAL' GROUP BY 1) h
        USING (voter_id) WHERE bit_count(v.general_bits) <> coalesce(h.n, 0)""",
    )
    assert mismatched == [(0,)]


def test_reimporting_the_same_file_changes_nothing(store, nc_files):
    import_file(store, nc_files.voter_file, "ncvoter")
    again = import_file(store, nc_files.voter_file, "ncvoter")
    assert (again.inserted, again.updated, again.removed, again.unchanged) == (0, 0, 0, 3000)


def test_ohio_file_imports_voters_and_columnar_history(store, tmp_path):
    files = generate.generate_ohio(tmp_path, 2000, seed=8)
    result = import_file(store, files.voter_file, "ohio_swvf", file_date=generate.FILE_DATE)
    assert result.inserted == 2000 and result.rejected == 0
    got = rows(
        store, "SELECT min(voter_id), count(DISTINCT county_id), count(*) FILTER (WHERE party = 'UNA') FROM voters"
    )
    assert got[0][0] == "OH0000000001" and got[0][1] > 50 and got[0][2] > 0
    hist = rows(store, "SELECT election_type, count(*), count(party_ballot) FROM vote_history GROUP BY 1 ORDER BY 1")
    assert [h[0] for h in hist] == ["GENERAL", "PRIMARY"]
    assert hist[0][2] == 0 and hist[1][2] == hist[1][1]  # primaries record the party ballot


def test_ohio_file_read_out_of_order_keeps_lines_first_rows_and_their_own_history(store, tmp_path):
    files = generate.generate_ohio(tmp_path, 140_000, seed=8)  # about 32 MB: read in parallel pieces
    lines = files.voter_file.read_text().splitlines()
    head = next(csv.reader([lines[0]]))
    col = {name: i for i, name in enumerate(head)}
    elections = [c for c in head if c.startswith(("GENERAL-", "PRIMARY-"))]

    def cells(line):
        return next(csv.reader([lines[line - 1]]))

    def as_line(values):
        return ",".join(f'"{v}"' if v else "" for v in values)

    # a voter with some history, whose id comes back on line 120,000 with another name and none
    at = next(n for n in range(1_000, 2_000) if any(cells(n)[col[e]] for e in elections))
    first = cells(at)
    again = [*first]
    again[col["FIRST_NAME"]] = "LATER"
    for e in elections:
        again[col[e]] = ""
    lines[120_000 - 1] = as_line(again)
    unknown = cells(50_000)
    unknown[col["VOTER_STATUS"]] = "SLEEPING"
    lines[50_000 - 1] = as_line(unknown)
    path = tmp_path / "ohio.txt"
    path.write_text("\n".join(lines) + "\n")
    result = import_file(store, path, "ohio_swvf", file_date=generate.FILE_DATE, max_rejected_share=1.0)

    assert [(r.line, r.column) for r in result.rejects] == [(50_000, "status"), (120_000, "voter id")]
    assert "duplicate voter id" in result.rejects[1].reason
    voter = first[col["SOS_VOTERID"]]
    assert rows(store, f"SELECT first_name FROM voters WHERE voter_id = '{voter}'") == [(first[col["FIRST_NAME"]],)]
    voted = rows(store, f"SELECT election_desc FROM vote_history WHERE voter_id = '{voter}' ORDER BY 1")
    assert voted == sorted((e,) for e in elections if first[col[e]].strip())  # the first row's own cells
    # each kept voter's history came from its own row: the cells of a sample of voters agree
    sample = {cells(n)[col["SOS_VOTERID"]]: cells(n) for n in range(2, len(lines), 9_973) if n not in (at, 50_000)}
    ids = ", ".join(f"'{v}'" for v in sample)
    got = rows(store, f"SELECT voter_id, election_desc FROM vote_history WHERE voter_id IN ({ids})")
    assert sorted(got) == sorted((v, e) for v, row in sample.items() for e in elections if row[col[e]].strip())


def test_any_csv_through_a_saved_column_mapping(store, tmp_path):
    path = write(tmp_path / "county.csv", [
        "ID,Last,First,County,Pct,Party,Birth,Zip,Street,Registered",
        "007,Lee,Ann,3,P1,DEM,1970,02906,10 Elm St,2001-05-06",
        '"008","Kim","Bo","3","P2","","1990","02906","11 Elm St Apt 2","2015-01-01"',
    ])  # fmt: skip
    mapping = ColumnMapping(
        fields={
            "voter_id": "ID",
            "last_name": "Last",
            "first_name": "First",
            "county_id": "County",
            "precinct": "Pct",
            "party": "Party",
            "birth_year": "Birth",
            "zip": "Zip",
            "address": "Street",
            "registration_date": "Registered",
            "status": "ID",
        },
        state="RI",
    )
    saved = ColumnMapping.from_dict(mapping.to_dict())
    with pytest.raises(ImportRefused):  # "status" maps to the id column: every status is unknown
        import_file(store, path, "mapped", mapping=saved)
    fields = {k: v for k, v in saved.fields.items() if k != "status"}  # no status column: registered, active
    result = import_file(store, path, "mapped", mapping=ColumnMapping(fields=fields, state="RI"), encoding="utf-8")
    assert (result.inserted, result.rejected) == (2, 0)
    assert rows(store, "SELECT voter_id, zip, precinct, party, status, house_number, street_name, apartment "
                       "FROM voters ORDER BY 1") == [
        ("007", "02906", "003-P1", "DEM", "A", 10, "ELM ST", None),
        ("008", "02906", "003-P2", "UNA", "A", 11, "ELM ST", "APT 2"),
    ]  # fmt: skip


def test_a_mapping_must_name_the_voter_id_and_known_fields():
    with pytest.raises(ValueError, match="voter id"):
        ColumnMapping(fields={"last_name": "Last"}, state="RI")
    with pytest.raises(ValueError, match="unknown voter fields in mapping: shoe_size"):
        ColumnMapping(fields={"voter_id": "ID", "shoe_size": "S"}, state="RI")


def test_progress_is_reported_by_phase(store, nc_files):
    seen = []
    import_file(store, nc_files.voter_file, "ncvoter", progress=lambda phase, done, total: seen.append(phase))
    assert seen[0] == "read" and "validate" in seen and seen[-1] == "done"


def test_store_before_any_import_says_so(store):
    with pytest.raises(LookupError, match="no voter data"):
        store.connect_readonly()
    assert isinstance(duckdb.__version__, str)
    assert VoterStore(store.path).current() is None


def history_row(ncid, election_lbl="11/05/2024", desc="11/05/2024 GENERAL", method="IN-PERSON", party="DEM"):
    cells = {"county_id": "92", "county_desc": "WAKE", "voter_reg_num": "000000" + ncid[-6:],
             "election_lbl": election_lbl, "election_desc": desc, "voting_method": method, "voted_party_cd": party,
             "pct_label": "0107", "ncid": ncid, "voted_county_id": "92"}  # fmt: skip
    return "\t".join(f'"{cells.get(c, "")}"' for c in layouts.NCVHIS_COLUMNS)


@pytest.mark.parametrize("dates", [62, 63, MAX_ELECTIONS_AS_BITS, MAX_ELECTIONS_AS_BITS + 4])
def test_repeats_are_found_in_a_long_history(store, tmp_path, dates):
    """A bit per election date in a BIGINT up to 62 dates, in a HUGEINT up to MAX_ELECTIONS_AS_BITS; more
    dates than that, and repeats are found by the hash of the key instead. The repeat is of the latest
    date: the highest bit."""
    from datetime import date, timedelta

    import_file(store, write(tmp_path / "nc.txt", [header(), voter_row("AA000001"), voter_row("AA000002")]), "ncvoter")
    days = [date(2000, 1, 4) + timedelta(days=30 * i) for i in range(dates)]
    lines = ["\t".join(f'"{c}"' for c in layouts.NCVHIS_COLUMNS)]
    lines += [history_row("AA000001", election_lbl=f"{d:%m/%d/%Y}", desc=f"{d:%m/%d/%Y} MUNICIPAL") for d in days]
    lines.append(history_row("AA000001", election_lbl=f"{days[-1]:%m/%d/%Y}", desc="REPEAT", method="ABSENTEE"))
    lines.append(history_row("AA000002"))
    h = import_file(store, write(tmp_path / "ncvhis.txt", lines), "ncvhis")
    assert (h.rows_read, h.inserted, h.unchanged) == (len(days) + 2, len(days) + 1, 1)
    assert rows(
        store, "SELECT count(*), count(DISTINCT election_date) FROM vote_history WHERE voter_id = 'AA000001'"
    ) == [(len(days), len(days))]
    # of the two rows for the latest day, the absentee one stays (REPEAT_ORDER: by voting method)
    assert rows(store, f"SELECT election_desc FROM vote_history WHERE election_date = '{days[-1]}'") == [("REPEAT",)]
    assert rows(store, "SELECT voter_id, general_bits FROM voters ORDER BY 1") == [("AA000001", 0), ("AA000002", 1)]


@pytest.mark.parametrize("repeat_first", [False, True])
def test_history_keeps_one_row_per_voter_and_election_and_reports_bad_rows(store, tmp_path, repeat_first):
    voters = write(tmp_path / "nc.txt", [header(), voter_row("AA000001"), voter_row("AA000002"), voter_row("")])
    v = import_file(store, voters, "ncvoter", max_rejected_share=1.0)
    assert (v.inserted, v.rejected) == (2, 1)
    repeated = [history_row("AA000001"), history_row("AA000001", method="ABSENTEE BY MAIL")]
    lines = [
        "\t".join(f'"{c}"' for c in layouts.NCVHIS_COLUMNS),
        *(repeated[::-1] if repeat_first else repeated),  # lines 2 and 3: the same voter and election twice
        history_row(""),  # line 4: no voter id
        history_row("AA000002", election_lbl="02/30/2024"),  # line 5: not a date
        history_row("AA000002", election_lbl="11/08/2022", desc="11/08/2022 GENERAL"),  # line 6
        history_row("AA000002"),  # line 7
    ]
    path = write(tmp_path / "ncvhis.txt", lines)
    h = import_file(store, path, "ncvhis", max_rejected_share=1.0)
    assert (h.rows_read, h.inserted, h.unchanged, h.rejected) == (6, 3, 1, 2)
    assert [(r.line, r.column) for r in h.rejects] == [(4, "ncid"), (5, "election_lbl")]
    got = rows(store, "SELECT voter_id, election_date::VARCHAR, voting_method FROM vote_history ORDER BY 1, 2")
    # of the repeated rows the same one stays whichever comes first in the file (REPEAT_ORDER)
    assert got == [("AA000001", "2024-11-05", "ABSENTEE"), ("AA000002", "2022-11-08", "ELECTION_DAY"),
                   ("AA000002", "2024-11-05", "ELECTION_DAY")]  # fmt: skip
    bits = rows(store, "SELECT voter_id, general_bits FROM voters ORDER BY 1")
    assert bits == [("AA000001", 0b01), ("AA000002", 0b11)]  # newest general is bit 0
    # provenance of both batches is carried into each new generation
    kept = rows(store, "SELECT batch_id, line FROM import_rejects ORDER BY 1, 2")
    assert kept == [(1, 4), (2, 4), (2, 5)]
    again = import_file(store, path, "ncvhis", max_rejected_share=1.0)
    assert (again.inserted, again.unchanged) == (0, 4)
    assert rows(store, "SELECT count(*) FROM vote_history") == [(3,)]
    assert rows(store, "SELECT count(*) FROM import_batches") == [(3,)]


def test_history_rejects_keep_their_lines_in_a_file_read_out_of_order(tmp_path):
    n = 200_000  # about 40 MB: DuckDB reads it in parallel pieces
    lines = ["\t".join(f'"{c}"' for c in layouts.NCVHIS_COLUMNS)]
    lines += [history_row(f"AB{i:07d}", election_lbl=f"11/0{1 + i % 8}/2024") for i in range(n)]
    bad = {
        7_000: history_row("AB0006998", election_lbl="02/30/2024"),  # DuckDB cannot read it
        9_000: history_row(""),
        120_000: history_row("AB0119998", election_lbl=""),
        199_000: history_row(""),
    }
    for line, row in bad.items():
        lines[line - 1] = row

    def out_of_order(store):
        staged = dict(rows(store, "SELECT voter_id, rowid FROM vote_history"))  # a first history stays as staged
        positions = [staged[f"AB{i:07d}"] for i in range(0, n, 1000)]
        return any(b < a for a, b in itertools.pairwise(positions))

    _, h = import_read_out_of_order(tmp_path, write(tmp_path / "ncvhis.txt", lines), "ncvhis", out_of_order)
    assert [(r.line, r.column) for r in h.rejects] == [
        (7_000, "election_lbl"), (9_000, "ncid"), (120_000, "election_lbl"), (199_000, "ncid")]  # fmt: skip
    assert (h.rows_read, h.inserted) == (n, n - 4)


def test_fields_lose_surrounding_spaces_of_every_kind_and_keep_inner_ones(store, tmp_path):
    path = write(tmp_path / "nc.txt", [
        header(),
        voter_row("AA000001", last_name="  de la cruz ", first_name="\u00a0josé\u00a0", res_city_desc="raleigh"),
        voter_row(" aa000002 ", last_name="\u3000LEE", party_cd=" rep ", status_cd=" a", precinct_abbrv=" 0107 "),
        voter_row("AA000003", middle_name="   ", party_cd=""),
    ])  # fmt: skip
    result = import_file(store, path, "ncvoter")
    assert (result.inserted, result.rejected) == (3, 0)
    got = rows(store, "SELECT voter_id, last_name, first_name, middle_name, city, party, status, precinct "
                      "FROM voters ORDER BY voter_id")  # fmt: skip
    assert got == [
        ("AA000001", "de la cruz", "josé", None, "RALEIGH", "DEM", "A", "092-0107"),
        ("AA000002", "LEE", "aa000002", None, "RALEIGH", "REP", "A", "092-0107"),  # names keep their case
        ("AA000003", "DOE", "AA000003", None, "RALEIGH", "UNA", "A", "092-0107"),
    ]


def test_precinct_rollup_matches_the_voters_after_every_import(store, tmp_path):
    first = generate.generate_nc(tmp_path / "r0", 2500, seed=31)
    later = generate.generate_nc(tmp_path / "r1", 2500, seed=31, revision=1)
    check = """SELECT count(*) FROM ((SELECT county_id, precinct, party, status, count(*) FROM voters GROUP BY ALL)
                                    EXCEPT ALL (SELECT * FROM precinct_party))"""
    for path, kind in ((first.voter_file, "ncvoter"), (first.history_file, "ncvhis"), (later.voter_file, "ncvoter")):
        import_file(store, path, kind)
        assert rows(store, check) == [(0,)]
        assert rows(store, "SELECT sum(voters) = (SELECT count(*) FROM voters) FROM precinct_party") == [(True,)]


def test_per_voter_columns_are_stored_uncompressed_through_first_import_and_reimport(store, tmp_path):
    """Ids, addresses, phones and the hashes skip DuckDB's compression analysis (most of what it costs to
    write a statewide file); codes and names keep it. Re-imports and history imports rebuild voters the
    same way."""
    first = generate.generate_nc(tmp_path / "r0", 2000, seed=41)
    later = generate.generate_nc(tmp_path / "r1", 2000, seed=41, revision=1)
    storage = """SELECT column_name, list(DISTINCT compression) FROM pragma_storage_info('voters')
                 WHERE segment_type <> 'VALIDITY' GROUP BY 1"""
    for path, kind in ((first.voter_file, "ncvoter"), (first.history_file, "ncvhis"), (later.voter_file, "ncvoter")):
        import_file(store, path, kind)
        found = dict(rows(store, storage))
        for column in UNCOMPRESSED:
            assert set(found[column]) <= {"Uncompressed", "Constant"}, (kind, column, found[column])
        assert "Uncompressed" not in found["party"] and "Uncompressed" not in found["county"], (kind, found["party"])
    assert rows(store, "SELECT count(*) FROM import_batches") == [(3,)]


ADDRESSES = {  # address: (house number, street, unit)
    "3317 SHILOH WAY": ("3317", "SHILOH WAY", None),
    "3317 SHILOH WAY APT 2": ("3317", "SHILOH WAY", "APT 2"),
    "12B ELM ST # 4": ("12", "ELM ST", "#4"),
    "12 ELM ST APT #4": ("12", "ELM ST", "APT 4"),
    "700 W MAIN ST STE 100": ("700", "W MAIN ST", "STE 100"),
    "12  ELM  ST": ("12", "ELM  ST", None),
    "5 APTOS RD": ("5", "APTOS RD", None),
    "5 LOTUS LN UNIT 3B": ("5", "LOTUS LN", "UNIT 3B"),
    "0012 OAK AVE": ("0012", "OAK AVE", None),
    "123 1/2 MAIN ST": ("123", "MAIN ST", "1/2"),  # a half-numbered house: on MAIN ST beside 123
    "123 1/2 MAIN ST APT 2": ("123", "MAIN ST", "1/2 APT 2"),
    "12 OAK ST APT": ("12", "OAK ST", None),  # a unit word with no unit
    "7 ELM ST #": ("7", "ELM ST", None),
    "4 US 1/64 HWY": ("4", "US 1/64 HWY", None),
    "1/2 ELM ST": ("", "", None),
    "PO BOX 5": ("", "", None),
    "12BC ELM": ("", "", None),
    "12": ("", "", None),
    "": ("", "", None),
    "1 APT 2": ("1", "APT 2", None),
}


def test_address_split_matches_the_one_pattern_on_every_shape():
    """Plain "<number> <street>" addresses skip the capturing pattern; every shape must split the same."""
    con = duckdb.connect()
    con.execute("CREATE TABLE a (address VARCHAR)")
    con.executemany("INSERT INTO a VALUES (?)", [[a] for a in ADDRESSES])
    names = ", ".join(lit(name) for name in ADDRESS_PARTS)
    got = con.execute(f"""
        SELECT address, fast, {address_unit_sql("fast")}, one FROM (
            SELECT address, {address_parts_sql("address")} AS fast,
                   regexp_extract(address, {lit(ADDRESS_PATTERN)}, [{names}]) AS one
            FROM a)""").fetchall()
    assert {a: (fast["num"], fast["street"], unit) for a, fast, unit, _ in got} == ADDRESSES
    assert all(fast == one for _, fast, _, one in got)


def test_common_voting_methods_and_election_types_agree_with_the_general_rules():
    con = duckdb.connect()
    for label, method in COMMON_METHODS.items():
        rules = voting_method_sql("x", common=False)
        assert con.execute(f"SELECT {rules} FROM (SELECT ?::VARCHAR AS x)", [label]).fetchone() == (method,)
    labels = [*COMMON_METHODS, "absentee curbside", "ONE STOP", "TRANSFER", None]
    one = "SELECT {} FROM (SELECT ?::VARCHAR AS x)"
    for label in labels:
        fast = con.execute(one.format(voting_method_sql("x")), [label]).fetchone()
        slow = con.execute(one.format(voting_method_sql("x", common=False)), [label]).fetchone()
        assert fast == slow, label
    descs = {"11/05/2024 GENERAL": "GENERAL", "03/05/2024 primary": "PRIMARY", "Municipal 2023": "MUNICIPAL",
             "SPECIAL ELECTION": "SPECIAL", "BOND REFERENDUM": "OTHER", None: "OTHER"}  # fmt: skip
    for desc, kind in descs.items():
        assert con.execute(one.format(election_type_sql("x")), [desc]).fetchone() == (kind,)


def test_county_prefix_pads_to_three_digits_and_keeps_longer_numbers_whole():
    con = duckdb.connect()
    got = [con.execute(f"SELECT {county_prefix('c')} FROM (SELECT ?::INTEGER AS c)", [n]).fetchone()[0]
           for n in (0, 1, 92, 999, 1000, 37183)]  # fmt: skip
    assert got == ["000-", "001-", "092-", "999-", "1000-", "37183-"]


# ---- removed and denied registrations, as NCSBE writes them --------------------------------------------

UNPLACED = {name: "" for name in generate.NC_PLACE_COLUMNS}  # no precinct and no district


def test_removed_and_denied_registrations_without_a_precinct_are_kept_with_their_status(store, tmp_path):
    path = write(tmp_path / "nc.txt", [
        header(), voter_row("AA000001"), voter_row("AA000002", status_cd="R", **UNPLACED),
        voter_row("AA000003", status_cd="D", **UNPLACED), voter_row("AA000004", **UNPLACED),
        voter_row("AA000005", status_cd="I", precinct_abbrv="   "),
    ])  # fmt: skip
    result = import_file(store, path, "ncvoter", max_rejected_share=1)
    assert (result.rows_read, result.inserted, result.rejected) == (5, 3, 2)
    assert [(r.line, r.column, r.reason) for r in result.rejects] == [
        (5, "precinct", "missing precinct"), (6, "precinct", "missing precinct"),
    ]  # fmt: skip
    assert rows(store, "SELECT voter_id, status, precinct, state_house FROM voters ORDER BY 1") == [
        ("AA000001", "A", "092-0107", "041"), ("AA000002", "R", None, None), ("AA000003", "D", None, None),
    ]  # fmt: skip


def test_a_generated_nc_file_imports_with_the_defaults_and_counts_removed_and_denied_voters(store, nc_files):
    statuses = dict(
        duckdb.sql(
            f"SELECT status_cd, count(*) FROM read_csv('{nc_files.voter_file}', all_varchar=true) GROUP BY 1"
        ).fetchall()
    )
    assert statuses["R"] > 0 and statuses["D"] > 0
    result = import_file(store, nc_files.voter_file, "ncvoter")  # the defaults: at most 1% rejected
    assert (result.inserted, result.rejected) == (3000, 0)
    engine = duckdb_engine(store)
    counted = tg.count_by(engine, tg.Universe(statuses=tuple(layouts.STATUS_CODES)), ["status"])
    assert {row["status"]: row["voters"] for row in counted} == statuses
    unplaced = tg.count(engine, tg.Universe(statuses=("R", "D")))
    assert unplaced == statuses["R"] + statuses["D"]
    # a precinct's counts and walk lists leave them out: they have no precinct to be walked in
    by_precinct = tg.precinct_party_counts(engine, tg.Universe(statuses=tuple(layouts.STATUS_CODES)))
    assert None not in by_precinct and sum(sum(p.values()) for p in by_precinct.values()) == 3000 - unplaced
    engine.backend.disconnect()


# ---- the destructive-change guard ---------------------------------------------------------------------


def _lines(path):
    return path.read_text().splitlines(keepends=True)


def test_the_guard_holds_a_file_that_would_remove_or_change_too_much_and_applies_it_when_confirmed(
    store, nc_files, tmp_path
):
    import_file(store, nc_files.voter_file, "ncvoter")
    before = store.current()
    lines = _lines(nc_files.voter_file)
    header_only = tmp_path / "ncvoter_Statewide.txt"
    header_only.write_text(lines[0])
    with pytest.raises(ImportHeld, match="this file would mark 3,000 of 3,000 voters removed") as held:
        import_file(store, header_only, "ncvoter", max_change_share=0.05)
    assert "the file holds no rows after its header" in held.value.reasons
    assert held.value.result.removed == 3000 and "Nothing was imported" in str(held.value)
    cut = tmp_path / "cut.txt"
    cut.write_text("".join(lines[:2701]))  # the header and 2,700 rows: a download cut at 90%
    with pytest.raises(ImportHeld) as held:
        import_file(store, cut, "ncvoter", max_change_share=0.05)
    assert held.value.reasons == [
        "it has 2,700 rows, 10% fewer than the 3,000 of the last ncvoter file (ncvoter_Statewide.txt, batch 1)",
        "this file would mark 300 of 3,000 voters removed",
    ]
    last_name = layouts.NCVOTER_COLUMNS.index("last_name")
    renamed = [line if n == 0 or n > 300 else "\t".join(['"CHANGED"' if i == last_name else cell
                                                for i, cell in enumerate(line.split("\t"))])
               for n, line in enumerate(lines)]  # fmt: skip
    changed = tmp_path / "changed.txt"
    changed.write_text("".join(renamed))
    with pytest.raises(ImportHeld, match=r"it would change 300 of 3,000 voters \(the limit is 5%\)"):
        import_file(store, changed, "ncvoter", max_change_share=0.05)
    assert store.current() == before and rows(store, "SELECT count(*) FROM voters WHERE status <> 'R'")[0][0] > 2900
    assert import_file(store, changed, "ncvoter", max_change_share=0.2).updated == 300  # within a wider guard
    applied = import_file(store, cut, "ncvoter")  # confirmed: no guard
    assert applied.removed == 300 and store.current() != before


def test_the_guard_holds_a_history_file_much_shorter_than_the_last(store, nc_files, tmp_path):
    assert nc_files.history_file is not None
    import_file(store, nc_files.voter_file, "ncvoter")
    import_file(store, nc_files.history_file, "ncvhis", max_change_share=0.05)  # the first: nothing to compare
    lines = _lines(nc_files.history_file)
    cut = tmp_path / "ncvhis_cut.txt"
    cut.write_text("".join(lines[: len(lines) // 2]))
    before = store.current()
    with pytest.raises(ImportHeld, match=r"fewer than the [\d,]+ of the last ncvhis file \(ncvhis_Statewide\.txt"):
        import_file(store, cut, "ncvhis", max_change_share=0.05)
    assert store.current() == before
    again = import_file(store, nc_files.history_file, "ncvhis", max_change_share=0.05)  # the same file: passes
    assert again.inserted == 0 and again.unchanged == nc_files.history_rows


# ---- files that are not the layout's ------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["ncvoter", "ncvhis"])
def test_a_binary_empty_or_other_layouts_file_fails_saying_what_is_wrong_with_it(store, tmp_path, kind):
    binary = tmp_path / "photo.txt"
    binary.write_bytes(bytes(range(256)) * 64)
    with pytest.raises(UnreadableFile, match=r"photo\.txt is not a text file \(byte 1 is a NUL byte"):
        import_file(store, binary, kind)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(UnreadableFile, match=r"empty\.txt is empty"):
        import_file(store, empty, kind)
    other = write(tmp_path / "other.txt", ["SOS_VOTERID,COUNTY_NUMBER", "OH1,2"])
    with pytest.raises(UnreadableFile, match=r"column 1 of its header is 'sos_voterid,county_number' where the layout"):
        import_file(store, other, kind)
    assert store.current() is None and not list(store.path.parent.glob("voters.*.duckdb"))


def test_an_oversized_number_is_rejected_naming_its_line_and_column(store, tmp_path):
    path = write(tmp_path / "nc.txt", [
        header(), voter_row("AA000001"), voter_row("AA000002", birth_year="99999999999"),
        voter_row("AA000003", county_id="4294967296"), voter_row("AA000004"),
    ])  # fmt: skip
    result = import_file(store, path, "ncvoter", max_rejected_share=1)
    range_ = "is not a whole number from -2,147,483,648 to 2,147,483,647"
    assert [(r.line, r.column, r.reason) for r in result.rejects] == [
        (3, "birth_year", f"not a valid value: '99999999999' {range_}"),
        (4, "county_id", f"not a valid value: '4294967296' {range_}"),
    ]
    assert rows(store, "SELECT voter_id FROM voters ORDER BY 1") == [("AA000001",), ("AA000004",)]

"""Ballot-return imports: NC's layout and generic CSVs, all or nothing, idempotent by file date."""

from __future__ import annotations

import csv
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from groundswell.core.jobs import run_pending_jobs
from groundswell.core.models import AuditEntry, AuditEvent, JobStatus
from groundswell.turnout.ballots import BallotFileError, GenericMapping
from groundswell.turnout.importing import BallotRowsInvalid, do_import_ballots, do_upload_ballot_file
from groundswell.turnout.jobs import do_queue_ballot_import
from groundswell.turnout.models import BallotImport, BallotImportStatus, BallotReturn

# A slice of the columns of NCSBE's absentee file, in its order, with some we ignore around ours.
NC_HEADER = [
    "county_desc", "voter_reg_num", "ncid", "voter_last_name", "voter_first_name", "race", "gender", "age",
    "election_dt", "voter_party_code", "precinct_desc", "ballot_req_delivery_type", "ballot_req_type",
    "ballot_request_party", "ballot_req_dt", "ballot_send_dt", "ballot_rtn_dt", "ballot_rtn_status", "site_name",
]  # fmt: skip


def nc_row(ncid: str, req_type: str, rtn_dt: str, status: str, precinct: str = "PCT 01", req_dt: str = "") -> list[str]:
    return [
        "WAKE", "000012345", ncid, "DOE", "JANE", "W", "F", "44", "11/05/2024", "DEM", precinct, "MAIL", req_type,
        "DEM", req_dt, "", rtn_dt, status, "WAKE COUNTY BOARD" if req_type == "ONE-STOP" else "",
    ]  # fmt: skip


def write_csv(path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


FIRST_DAY = [
    nc_row("AA1", "ONE-STOP", "10/17/2024", "ACCEPTED"),
    nc_row("AA2", "MAIL", "10/10/2024", "ACCEPTED", req_dt="09/01/2024"),
    nc_row("AA3", "MAIL", "", "", req_dt="09/02/2024"),  # requested, not returned
    nc_row("AA4", "MAIL", "10/12/2024", "SPOILED"),
    nc_row("AA4", "MAIL", "10/20/2024", "ACCEPTED - CURED"),  # the same voter's second ballot
]


def import_nc(path: Path, file_date: date | None = None) -> BallotImport:
    ballot_import = do_upload_ballot_file(path, state="NC", layout="nc_absentee", file_date=file_date, actor=None)
    do_import_ballots(ballot_import, actor=None)
    ballot_import.refresh_from_db()
    return ballot_import


@pytest.mark.django_db
def test_nc_file_is_read_by_column_name(tmp_path: Path) -> None:
    first = import_nc(write_csv(tmp_path / "absentee_20241020.csv", NC_HEADER, FIRST_DAY))
    assert (first.state, first.file_date, first.rows_read, first.voters) == ("NC", date(2024, 10, 20), 5, 4)
    assert (first.inserted, first.updated, first.unchanged) == (4, 0, 0)
    returns = {r.voter_id: r for r in BallotReturn.objects.all()}
    assert (returns["AA1"].method, returns["AA1"].accepted, returns["AA1"].returned_on) == (
        "early", True, date(2024, 10, 17))  # fmt: skip
    assert (returns["AA2"].method, returns["AA2"].requested_on) == ("mail", date(2024, 9, 1))
    assert (returns["AA3"].accepted, returns["AA3"].returned_on, returns["AA3"].status) == (False, None, "")
    assert (returns["AA4"].status, returns["AA4"].accepted) == ("ACCEPTED - CURED", True)
    assert returns["AA1"].precinct == "PCT 01" and returns["AA1"].county == "WAKE"
    entry = AuditEntry.objects.get(event_type=AuditEvent.BALLOTS_IMPORTED)
    assert entry.details["inserted"] == 4


@pytest.mark.django_db
def test_reimporting_the_same_file_updates_nothing(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "absentee_20241020.csv", NC_HEADER, FIRST_DAY)
    first = import_nc(path)
    again = import_nc(path)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 4)
    assert set(BallotReturn.objects.values_list("batch_id", flat=True)) == {first.pk}


@pytest.mark.django_db
def test_a_newer_file_updates_and_an_older_one_does_not_roll_back(tmp_path: Path) -> None:
    first = import_nc(write_csv(tmp_path / "absentee_20241020.csv", NC_HEADER, FIRST_DAY))
    later_rows = [*FIRST_DAY[:2], nc_row("AA3", "MAIL", "10/25/2024", "ACCEPTED", req_dt="09/02/2024"),
                  *FIRST_DAY[3:], nc_row("AA5", "ONE-STOP", "10/26/2024", "ACCEPTED")]  # fmt: skip
    later = import_nc(write_csv(tmp_path / "absentee_20241027.csv", NC_HEADER, later_rows))
    assert (later.inserted, later.updated, later.unchanged) == (1, 1, 3)
    aa3 = BallotReturn.objects.get(voter_id="AA3")
    assert (aa3.accepted, aa3.returned_on, aa3.batch_id) == (True, date(2024, 10, 25), later.pk)
    assert BallotReturn.objects.get(voter_id="AA1").batch_id == first.pk  # unchanged rows keep their batch

    late = import_nc(write_csv(tmp_path / "absentee_20241020_again.csv", NC_HEADER, FIRST_DAY), date(2024, 10, 20))
    assert (late.inserted, late.updated, late.older) == (0, 0, 1)
    assert BallotReturn.objects.get(voter_id="AA3").accepted  # the older file did not undo the return


@pytest.mark.django_db
def test_bad_rows_name_row_and_column_and_nothing_is_written(tmp_path: Path) -> None:
    rows = [*FIRST_DAY, nc_row("", "MAIL", "10/10/2024", "ACCEPTED"), nc_row("AA9", "MAIL", "13/45/2024", "ACCEPTED"),
            nc_row("AA8", "MAIL", "", "ACCEPTED")]  # fmt: skip
    ballot_import = do_upload_ballot_file(
        write_csv(tmp_path / "absentee_20241020.csv", NC_HEADER, rows), state="NC", layout="nc_absentee", actor=None
    )
    with pytest.raises(BallotRowsInvalid) as caught:
        do_import_ballots(ballot_import, actor=None)
    messages = [str(e) for e in caught.value.errors]
    assert messages == [
        "Row 7, ncid: the voter id is blank",
        "Row 8, ballot_rtn_dt: '13/45/2024' is not a date (use YYYY-MM-DD or MM/DD/YYYY)",
        "Row 9, ballot_rtn_dt: the ballot is ACCEPTED but has no date",
    ]
    assert BallotReturn.objects.count() == 0
    ballot_import.refresh_from_db()
    assert ballot_import.status == BallotImportStatus.FAILED
    assert ballot_import.errors[0] == {"row": 7, "column": "ncid", "message": "the voter id is blank"}


@pytest.mark.django_db
def test_missing_required_column_is_refused_at_upload(tmp_path: Path) -> None:
    header = [h for h in NC_HEADER if h != "ballot_rtn_status"]
    path = write_csv(tmp_path / "absentee_20241020.csv", header, [])
    with pytest.raises(BallotFileError, match="no column 'ballot_rtn_status'"):
        do_upload_ballot_file(path, state="NC", layout="nc_absentee", actor=None)
    assert BallotImport.objects.count() == 0


@pytest.mark.django_db
def test_nc_columns_in_another_order_and_case_with_extras(tmp_path: Path) -> None:
    header = ["EXTRA", "Ballot_Rtn_Status", "NCID", "ballot_rtn_dt", "Ballot Req Type"]
    rows = [["x", "ACCEPTED", "bb1", "2024-10-18", "ONE-STOP"], ["y", "", "bb2", "", "MAIL"]]
    write_csv(tmp_path / "absentee_20241018.csv", header, rows, encoding="cp1252")
    result = import_nc(tmp_path / "absentee_20241018.csv")
    assert result.inserted == 2
    assert BallotReturn.objects.get(voter_id="BB1").returned_on == date(2024, 10, 18)


@pytest.mark.django_db
def test_generic_csv_with_a_mapping(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "ri_early.csv", ["Voter ID", "Voted On", "How", "Where"],
                     [["RI-1", "10/30/2024", "Early", "P 101"], ["RI-2", "2024-11-01", "mail ballot", "P 102"],
                      ["RI-3", "", "", "P 102"]])  # fmt: skip
    mapping = GenericMapping(voter_id="voter id", returned_on="Voted On", method="How", precinct="Where")
    ballot_import = do_upload_ballot_file(path, state="ri", layout="generic", mapping=mapping,
                                          file_date=date(2024, 11, 2), actor=None)  # fmt: skip
    counts = do_import_ballots(ballot_import, actor=None)
    assert counts.inserted == 3
    rows = {r.voter_id: r for r in BallotReturn.objects.filter(state="RI")}
    assert (rows["RI-1"].method, rows["RI-1"].accepted, rows["RI-1"].precinct) == ("early", True, "P 101")
    assert rows["RI-2"].method == "mail"
    assert not rows["RI-3"].accepted  # no date, no status column: not a ballot cast


@pytest.mark.django_db
def test_generic_csv_with_statuses(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "oh.csv", ["id", "date", "status"],
                     [["OH1", "2024-10-30", "Counted"], ["OH2", "2024-10-30", "REJECTED"]])  # fmt: skip
    mapping = GenericMapping(voter_id="id", returned_on="date", status="status", default_method="mail")
    ballot_import = do_upload_ballot_file(path, state="OH", layout="generic", mapping=mapping, actor=None)
    do_import_ballots(ballot_import, actor=None)
    assert dict(BallotReturn.objects.values_list("voter_id", "accepted")) == {"OH1": True, "OH2": False}
    assert set(BallotReturn.objects.values_list("method", flat=True)) == {"mail"}


@pytest.mark.django_db
def test_coordinator_may_import_only_their_state(tmp_path: Path, personas) -> None:
    path = write_csv(tmp_path / "absentee_20241020.csv", NC_HEADER, FIRST_DAY)
    with pytest.raises(BallotFileError, match="may not import"):
        do_upload_ballot_file(path, state="NC", layout="nc_absentee", actor=personas.coordinator)
    with pytest.raises(BallotFileError, match="may not import"):
        do_upload_ballot_file(path, state="PA", layout="nc_absentee", actor=personas.leader_a)
    assert do_upload_ballot_file(path, state="NC", layout="nc_absentee", actor=personas.staff).state == "NC"


@pytest.mark.django_db
def test_background_job_imports_and_reports_bad_files(tmp_path: Path, personas) -> None:
    good = do_upload_ballot_file(write_csv(tmp_path / "absentee_20241020.csv", NC_HEADER, FIRST_DAY), state="NC",
                                 layout="nc_absentee", actor=personas.staff)  # fmt: skip
    job = do_queue_ballot_import(good, actor=personas.staff)
    bad = do_upload_ballot_file(write_csv(tmp_path / "absentee_20241021.csv", NC_HEADER,
                                          [nc_row("CC1", "MAIL", "yesterday", "ACCEPTED")]),
                                state="NC", layout="nc_absentee", actor=personas.staff)  # fmt: skip
    bad_job = do_queue_ballot_import(bad, actor=personas.staff)
    assert run_pending_jobs() == 2
    job.refresh_from_db()
    bad_job.refresh_from_db()
    assert (job.status, job.result["inserted"]) == (JobStatus.SUCCEEDED, 4)
    assert bad_job.status == JobStatus.FAILED
    assert "Row 2, ballot_rtn_dt: 'yesterday' is not a date" in bad_job.error
    assert not BallotReturn.objects.filter(voter_id="CC1").exists()


@pytest.mark.django_db
def test_import_ballots_command(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "absentee_20241020.csv", NC_HEADER, FIRST_DAY)
    out = StringIO()
    call_command("import_ballots", str(path), stdout=out, stderr=StringIO())
    assert "4 new, 0 updated, 0 unchanged" in out.getvalue()
    out = StringIO()
    call_command("import_ballots", str(path), stdout=out, stderr=StringIO())
    assert "0 new, 0 updated, 4 unchanged" in out.getvalue()


@pytest.mark.django_db
def test_import_ballots_command_lists_bad_rows(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "early.csv", ["vid", "day"], [["X1", "2024-10-01"], ["", "2024-10-02"]])
    err = StringIO()
    with pytest.raises(CommandError, match="Nothing was imported: 1 problem"):
        call_command("import_ballots", str(path), "--layout", "generic", "--state", "OH", "--voter-id-column", "vid",
                     "--date-column", "day", stdout=StringIO(), stderr=err)  # fmt: skip
    assert "Row 3, vid: the voter id is blank" in err.getvalue()
    assert BallotReturn.objects.count() == 0

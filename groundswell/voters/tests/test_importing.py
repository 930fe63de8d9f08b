"""Voter imports from the web and as background jobs: every quirk of the real files, bad rows with
line, column and reason, all-or-nothing batches with provenance, and who may import."""

from __future__ import annotations

import zipfile

import blake3
import duckdb
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from groundswell.core.jobs import run_pending_jobs
from groundswell.core.models import AuditEntry, AuditEvent, Job
from groundswell.voterfile import generate, layouts
from groundswell.voterfile.targeting import Universe
from groundswell.voters import engine as voter_engine
from groundswell.voters import queries
from groundswell.voters.actions import do_upload_voter_file
from groundswell.voters.forms import STATUSES
from groundswell.voters.models import ImportStatus, VoterImport

pytestmark = pytest.mark.django_db

BASE = {
    "county_id": "92", "county_desc": "WAKE", "status_cd": "A", "res_street_address": "12 OAK ST",
    "res_city_desc": "RALEIGH", "zip_code": "02760", "registr_dt": "01/15/2010", "party_cd": "DEM",
    "gender_code": "F", "birth_year": "1980", "age_at_year_end": "44", "precinct_abbrv": "0107",
    "full_phone_number": "0195551234",
}  # fmt: skip


def nc_row(ncid, quoted=True, **values):
    fields = {**BASE, "ncid": ncid, "voter_reg_num": "000000" + ncid[-6:], "last_name": "DOE", "first_name": "ANN"}
    fields.update(values)
    return "\t".join(f'"{fields.get(c, "")}"' if quoted else fields.get(c, "") for c in layouts.NCVOTER_COLUMNS)


def nc_header():
    return "\t".join(layouts.NCVOTER_COLUMNS)


def bad_nc_file(tmp_path):
    lines = [
        nc_header(), nc_row("AA000001"),
        nc_row("AA000002", registr_dt="13/45/2010"),  # line 3: not a date
        nc_row(""),  # line 4: no voter id
        nc_row("AA000004") + "\tEXTRA",  # line 5: too many fields
        nc_row("AA000005", status_cd="Q"),  # line 6: unknown status
        nc_row("AA000001"),  # line 7: the same voter twice
        nc_row("AA000007"),
    ]  # fmt: skip
    path = tmp_path / "ncvoter92.txt"
    path.write_text("\n".join(lines) + "\n")
    return path


def voters_sql(sql):
    with voter_engine.using_engine("NC") as engine:
        return engine.backend.con.execute(sql).fetchall()


def test_import_job_reports_progress_rejects_and_provenance(voter_dirs, personas, tmp_path, client):
    voter_import = do_upload_voter_file(bad_nc_file(tmp_path), state="", layout="ncvoter", max_rejected_percent=100,
                                        actor=personas.staff)  # fmt: skip
    assert voter_import.state == "NC" and voter_import.job.status == "queued"
    client.force_login(personas.staff)
    waiting = client.get(f"/voters/imports/{voter_import.pk}/").content.decode()
    assert f'id="job-{voter_import.job_id}"' in waiting and 'hx-trigger="every 1s"' in waiting  # polls its job
    run_pending_jobs()
    voter_import.refresh_from_db()
    job = Job.objects.get(pk=voter_import.job_id)
    assert job.status == "succeeded" and job.phase == "matching people"
    assert job.result["new"] == 2 and job.result["rejected"] == 5
    assert voter_import.status == ImportStatus.IMPORTED and voter_import.batch_id == 1
    assert (voter_import.rows_read, voter_import.inserted, voter_import.rejected) == (7, 2, 5)
    with open(voter_import.stored_path, "rb") as upload:  # the file as received, hashed independently here
        assert voter_import.checksum == "blake3:" + blake3.blake3(upload.read()).hexdigest()
    assert voter_import.source_name == "ncvoter92.txt"
    assert [(r["line"], r["column"]) for r in voter_import.rejects] == [
        (3, "registr_dt"), (4, "voter id"), (5, ""), (6, "status"), (7, "voter id"),
    ]  # fmt: skip
    assert AuditEntry.objects.filter(event_type=AuditEvent.VOTERS_IMPORTED, actor=personas.staff).count() == 1
    page = client.get(f"/voters/imports/{voter_import.pk}/").content.decode()
    assert "unknown status code Q" in page and "duplicate voter id AA000001" in page
    assert f"<code>{voter_import.checksum}</code>" in page
    assert 'id="job-' not in page and "matching people" not in page  # done: the import's own figures, once


def test_too_many_bad_rows_refuse_the_file_and_change_nothing(voter_dirs, personas, tmp_path):
    voter_import = do_upload_voter_file(bad_nc_file(tmp_path), state="NC", layout="ncvoter", actor=personas.staff)
    run_pending_jobs()
    voter_import.refresh_from_db()
    assert voter_import.status == ImportStatus.REFUSED and voter_import.rejected == 5
    assert "nothing was imported" in Job.objects.get(pk=voter_import.job_id).error
    assert voter_engine.store_for("NC").current() is None


def test_zipped_latin1_ragged_unquoted_and_bom_quoted_files(voter_dirs, personas, tmp_path, settings):
    settings.VOTER_IMPORT_GUARD_PERCENT = 100  # the second file removes one of two voters: past the default guard
    short = "\t".join(nc_row("AA000002", quoted=False, last_name="PEÑA").split("\t")[:40])  # stops after ward_desc
    text = tmp_path / "ncvoter92.txt"
    text.write_bytes(("\n".join([nc_header(), nc_row("AA000001", quoted=False), short]) + "\n").encode("latin-1"))
    archive = tmp_path / "ncvoter92.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(text, "ncvoter92.txt")
    first = do_upload_voter_file(archive, state="NC", layout="ncvoter", actor=personas.staff)
    run_pending_jobs()
    first.refresh_from_db()
    assert (first.status, first.inserted, first.encoding) == ("imported", 2, "latin-1")
    assert first.source_name == "ncvoter92.zip!ncvoter92.txt"
    assert voters_sql("SELECT voter_id, last_name, zip, phone FROM voters ORDER BY 1") == [
        ("AA000001", "DOE", "02760", "0195551234"), ("AA000002", "PEÑA", "02760", "0195551234"),
    ]  # fmt: skip
    bom = SimpleUploadedFile("ncvoter_new.txt", b"\xef\xbb\xbf" + ("\n".join(
        [nc_header(), nc_row("AA000001", first_name="JOSÉ"), nc_row("AA000003")]) + "\n").encode())  # fmt: skip
    second = do_upload_voter_file(bom, state="NC", layout="ncvoter", actor=personas.staff)
    run_pending_jobs()
    second.refresh_from_db()
    assert (second.batch_id, second.inserted, second.updated, second.removed) == (2, 1, 1, 1)
    assert voters_sql("SELECT voter_id, first_name, status FROM voters ORDER BY 1") == [
        ("AA000001", "JOSÉ", "A"), ("AA000002", "ANN", "R"), ("AA000003", "ANN", "A"),
    ]  # fmt: skip


def test_nc_history_and_ohio_files_import_with_their_vote_history(voter_dirs, personas, tmp_path, client):
    files = generate.generate_nc(tmp_path / "nc", 400, seed=5)
    for path, layout in ((files.voter_file, "ncvoter"), (files.history_file, "ncvhis")):
        do_upload_voter_file(path, state="NC", layout=layout, actor=personas.staff)
    ohio = generate.generate_ohio(tmp_path / "oh", 300, seed=6)
    do_upload_voter_file(ohio.voter_file, state="", layout="ohio_swvf", actor=personas.staff)
    assert run_pending_jobs() == 3
    assert list(VoterImport.objects.order_by("id").values_list("state", "status")) == [
        ("NC", "imported"), ("NC", "imported"), ("OH", "imported"),
    ]  # fmt: skip
    rule = Universe.from_dict({"history": [{"election_type": "GENERAL", "at_least": 2, "of_last": 4}]})
    for state in ("NC", "OH"):
        with voter_engine.using_engine(state) as engine:
            voted = queries.count(engine, queries.VoterQuery(rule, None))
            assert 0 < voted < queries.count(engine, queries.VoterQuery(Universe(), None))
    assert voter_engine.states_with_data() == ["NC", "OH"]

    # a voter's page names the status and how each vote was cast in words, not the file's codes
    with voter_engine.using_engine("NC") as engine:
        voter_id, status = engine.backend.con.execute(
            "SELECT v.voter_id, v.status FROM voters v JOIN vote_history h USING (voter_id) "
            "WHERE h.voting_method = 'ELECTION_DAY' ORDER BY 1 LIMIT 1"
        ).fetchall()[0]
    client.force_login(personas.staff)
    page = client.get(f"/voters/voter/nc/{voter_id}/").content.decode()
    label = dict(STATUSES)[status]
    assert f"<dt>Status</dt><dd>{label}" in page
    assert "<td>Election day</td>" in page and "ELECTION_DAY" not in page and "election_day" not in page


def test_only_staff_and_the_states_coordinator_import(client, voter_dirs, personas, tmp_path):
    client.force_login(personas.coordinator)  # Pennsylvania's
    upload = SimpleUploadedFile("ncvoter.txt", (nc_header() + "\n" + nc_row("AA000001") + "\n").encode())
    response = client.post(
        "/voters/imports/", {"file": upload, "layout": "ncvoter", "state": "", "max_rejected_percent": 1}
    )
    assert response.status_code == 200 and "import NC" in response.content.decode()
    assert not VoterImport.objects.exists()
    client.force_login(personas.leader_a)
    assert client.get("/voters/imports/").status_code == 404
    client.force_login(personas.staff)
    upload.seek(0)
    response = client.post(
        "/voters/imports/", {"file": upload, "layout": "ncvoter", "state": "", "max_rejected_percent": 1}
    )
    assert response.status_code == 302
    assert VoterImport.objects.get().stored_path.startswith(str(voter_dirs / "uploads" / "voters"))


@pytest.mark.django_db(transaction=True)
def test_migration_marks_earlier_checksums_as_sha256():
    """Imports recorded before BLAKE3 keep their SHA-256, marked so; going back unmarks them."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before, after = [("voters", "0001_voter_imports_universes_lists_links")], [("voters", "0002_voter_import_checksum")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("voters", "VoterImport")
    digest = "ab" * 32
    old.objects.create(state="NC", layout="ncvoter", file_name="a.txt", stored_path="a", sha256=digest)
    old.objects.create(state="NC", layout="ncvoter", file_name="b.txt", stored_path="b", sha256="")  # never ran
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    new = executor.loader.project_state(after).apps.get_model("voters", "VoterImport")
    assert dict(new.objects.values_list("file_name", "checksum")) == {"a.txt": f"sha256:{digest}", "b.txt": ""}
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    assert dict(old.objects.values_list("file_name", "sha256")) == {"a.txt": digest, "b.txt": ""}
    MigrationExecutor(connection).migrate(after)


# ---- files as NCSBE publishes them, refused and held files, and files that are not voter files -----------


def _upload(client, path, layout="ncvoter", state=""):
    """Upload through the import page as a person does, then let the worker run the job."""
    upload = SimpleUploadedFile(path.name, path.read_bytes())
    form = {"file": upload, "layout": layout, "state": state, "max_rejected_percent": 1}
    response = client.post("/voters/imports/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    run_pending_jobs()
    return VoterImport.objects.order_by("-id").first(), response["Location"]


def _statuses_in(path, where="true"):
    sql = f"SELECT status_cd, count(*) FROM read_csv('{path}', all_varchar=true) WHERE {where} GROUP BY 1"
    return dict(duckdb.sql(sql).fetchall())


def test_a_generated_county_file_imports_with_the_defaults_keeping_removed_and_denied_voters(
    voter_dirs, personas, tmp_path, client
):
    files = generate.generate_nc(tmp_path / "nc", 6000, seed=14)
    counties = duckdb.sql(
        f"SELECT county_id FROM read_csv('{files.voter_file}', all_varchar=true) WHERE status_cd = 'D' "
        "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"
    ).fetchall()
    county = generate.nc_county_file(files.voter_file, int(counties[0][0]))
    expected = _statuses_in(county)
    assert expected["R"] > 0 and expected["D"] > 0
    client.force_login(personas.staff)
    voter_import, _ = _upload(client, county)  # the defaults: at most 1% of rows rejected
    assert voter_import.status == ImportStatus.IMPORTED
    assert (voter_import.inserted, voter_import.rejected) == (sum(expected.values()), 0)
    for status, label in STATUSES:  # every status counts, removed and denied voters too
        page = client.get("/voters/build/count/", {"where": "state:NC", "statuses": status}).content.decode()
        assert f'<strong id="vb-total">{expected.get(status, 0):,}</strong>' in page, label
    builder = client.get("/voters/build/", {"where": "state:NC"}).content.decode()
    assert 'value="None"' not in builder  # no precinct offered for the voters without one


def test_a_refused_import_page_says_what_was_refused_and_why_and_counts_no_voter_as_new(
    voter_dirs, personas, tmp_path, client
):
    client.force_login(personas.staff)
    voter_import, location = _upload(client, bad_nc_file(tmp_path))
    assert voter_import.status == ImportStatus.REFUSED and voter_import.inserted == 0
    page = client.get(location).content.decode()
    assert "5 of 7 rows of ncvoter92.txt were rejected (at most 0 allowed); nothing was imported" in page
    assert "</strong> new" not in page and "nothing imported" in page
    assert "duplicate voter id AA000001" in page  # the rejected rows, by line and column


def test_a_header_only_file_is_held_with_its_counts_and_applied_only_when_confirmed(
    voter_dirs, personas, tmp_path, client
):
    files = generate.generate_nc(tmp_path / "nc", 500, seed=3)
    client.force_login(personas.staff)
    first, _ = _upload(client, files.voter_file)
    assert first.status == ImportStatus.IMPORTED and first.inserted == 500
    header_only = tmp_path / "ncvoter_Statewide.txt"
    header_only.write_text(files.voter_file.read_text().splitlines(keepends=True)[0])
    held, location = _upload(client, header_only)
    assert (held.status, held.rows_read, held.removed) == (ImportStatus.HELD, 0, 500)
    job = Job.objects.get(pk=held.job_id)
    assert job.status == "succeeded" and job.result["applied"] == "nothing: waiting for confirmation"
    page = client.get(location).content.decode()
    assert "this file would mark 500 of 500 voters removed" in page and "Nothing was imported" in page
    assert "Apply this file anyway" in page and "<li><strong>500</strong> removed</li>" not in page
    assert voters_sql("SELECT count(*) FROM voters WHERE removed_batch IS NOT NULL") == [(0,)]

    client.force_login(personas.coordinator)  # Pennsylvania's: not this import
    assert client.post(f"/voters/imports/{held.pk}/confirm/").status_code == 404
    client.force_login(personas.staff)
    assert client.get(f"/voters/imports/{held.pk}/confirm/").status_code == 405
    assert client.post(f"/voters/imports/{held.pk}/confirm/").status_code == 302
    run_pending_jobs()
    held.refresh_from_db()
    assert (held.status, held.removed, held.confirmed_by) == (ImportStatus.IMPORTED, 500, personas.staff)
    assert voters_sql("SELECT count(*) FROM voters WHERE removed_batch IS NOT NULL") == [(500,)]
    assert "<li><strong>500</strong> removed</li>" in client.get(location).content.decode()
    confirmed = AuditEntry.objects.filter(event_type=AuditEvent.VOTERS_IMPORTED, actor=personas.staff)
    assert confirmed.filter(summary__startswith="confirmed the held import of ncvoter_Statewide.txt").count() == 1
    assert confirmed.filter(details__confirmed=True, details__removed=500).count() == 1
    jobs = Job.objects.count()
    again = client.post(f"/voters/imports/{held.pk}/confirm/", follow=True).content.decode()
    assert "Only an import waiting for confirmation can be confirmed." in again and Job.objects.count() == jobs


def test_a_file_cut_short_is_held_for_voters_and_for_history(voter_dirs, personas, tmp_path, client):
    files = generate.generate_nc(tmp_path / "nc", 1000, seed=5)
    client.force_login(personas.staff)
    _upload(client, files.voter_file)
    _upload(client, files.history_file, layout="ncvhis")
    voters = files.voter_file.read_text().splitlines(keepends=True)
    cut = tmp_path / "ncvoter_Statewide.txt"
    cut.write_text("".join(voters[:901]))  # 900 of 1,000 rows: a download stopped at 90%
    held, location = _upload(client, cut)
    assert held.status == ImportStatus.HELD
    page = client.get(location).content.decode()
    assert "it has 900 rows, 10% fewer than the 1,000 of the last ncvoter file" in page
    assert "this file would mark 100 of 1,000 voters removed" in page
    history = files.history_file.read_text().splitlines(keepends=True)
    kept = int(files.history_rows * 0.9)
    cut_history = tmp_path / "ncvhis_Statewide.txt"
    cut_history.write_text("".join(history[: kept + 1]))
    held, location = _upload(client, cut_history, layout="ncvhis")
    assert held.status == ImportStatus.HELD
    assert f"it has {kept:,} rows, 10% fewer than the {files.history_rows:,} of the last ncvhis file" in held.error
    assert voters_sql("SELECT count(*) FROM vote_history") == [(files.history_rows,)]
    assert voters_sql("SELECT count(*) FROM voters WHERE removed_batch IS NOT NULL") == [(0,)]


def test_a_binary_file_fails_at_once_saying_so_and_never_stays_importing(voter_dirs, personas, tmp_path, client):
    photo = tmp_path / "ncvoter92.txt"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 100)
    client.force_login(personas.staff)
    voter_import, location = _upload(client, photo)
    assert voter_import.status == ImportStatus.FAILED
    assert voter_import.error.startswith("ncvoter92.txt is not a text file (byte 9 is a NUL byte")
    job = Job.objects.get(pk=voter_import.job_id)
    assert (job.status, job.attempts, job.error) == ("failed", 1, voter_import.error)  # no retries, no traceback
    for url in (location, f"/jobs/{job.pk}/"):
        page = client.get(url).content.decode()
        assert "is not a text file" in page
        assert not any(word in page for word in ("Traceback", "Exception", "duckdb", "Invalid Input Error"))
    assert voter_engine.store_for("NC").current() is None


def test_an_engine_failure_of_any_kind_leaves_the_import_failed_with_a_message_not_importing(
    voter_dirs, personas, tmp_path, client
):
    client.force_login(personas.staff)
    first, _ = _upload(client, _one_voter(tmp_path))
    assert first.status == ImportStatus.IMPORTED
    voter_engine.close_all()
    current = voter_engine.store_for("NC").current()
    assert current is not None
    current.write_bytes(b"not a database any more" * 100)  # the published generation damaged on disk
    voter_import, location = _upload(client, _one_voter(tmp_path, "AA000002"))
    assert voter_import.status == ImportStatus.FAILED
    assert voter_import.error == (
        "The import of ncvoter92.txt stopped on an unexpected error (logged for the administrators); "
        "nothing was imported."
    )
    job = Job.objects.get(pk=voter_import.job_id)
    assert (job.status, job.attempts, job.error) == ("failed", 1, voter_import.error)
    page = client.get(location).content.decode()
    assert voter_import.error in page and "Error:" not in page and "Traceback" not in page


def _one_voter(tmp_path, ncid="AA000001"):
    path = tmp_path / ncid / "ncvoter92.txt"
    path.parent.mkdir()
    path.write_text(nc_header() + "\n" + nc_row(ncid) + "\n")
    return path

"""Historical endorsements from a CSV: undecided rows apart, stray spaces, row errors, all or nothing."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from groundswell.core.jobs import do_enqueue_job, run_pending_jobs
from groundswell.core.models import AuditEntry, AuditEvent, Job, JobStatus
from groundswell.elections.models import Candidacy, Outcome
from groundswell.endorsements.importing import (
    Mapping,
    column_values,
    do_import_historical_endorsements,
    guess,
    guess_mapping,
    read_csv,
    result_readings,
)
from groundswell.endorsements.jobs import IMPORT_HISTORICAL
from groundswell.endorsements.models import Endorsement, EndorsementSource
from groundswell.endorsements.scorecard import scorecard_for
from groundswell.geo.importing import ImportRejected
from groundswell.testing import Personas

pytestmark = pytest.mark.django_db

# "Result " and "Groundswell " carry a trailing space in the header, as spreadsheets often leave them.
CSV = """Candidate,State,Year,Office,District,Level,Result ,Groundswell ,Working Families
Ana Ruiz,PA,2020,State House,98,state legislature,Won,Yes ,Yes
Bo Chen,PA,2020,State House,99,state legislature,Lost, yes,No
Cy Diaz,RI,2022,City Council,Ward 3,municipal,,Yes,No
Di Evans,RI,2022,School Committee,,school board,Runoff,YES,Yes
Ed Fox,PA,2022,State Senate,45,state legislature,Won,No,No
"""


def _mapping() -> Mapping:
    return Mapping(
        endorsers=["Groundswell ", "Working Families"],
        columns={
            "candidate": "Candidate",
            "state": "State",
            "date": "Year",
            "office": "Office",
            "district": "District",
            "level": "Level",
            "result": "Result ",
        },
    )


def guess_yes_no(headers: list[str], records: list[dict[str, str]]) -> list[str]:
    return guess(headers, records).yes_no


def with_readings(form: dict[str, Any], text: str) -> dict[str, Any]:
    """A mapping form as the page leaves it once it has shown how the result column's values read."""
    _, records = read_csv(io.StringIO(text))
    readings = result_readings(column_values(records, form["col_result"]), {})
    means = {f"means_{i}": reading for i, (_, _, reading) in enumerate(readings)}
    return {**form, "result_as": "values", "result_shown": f"{form['col_result']}|values", **means}


def _import(text: str, personas: Personas, mapping: Mapping | None = None) -> object:
    return do_import_historical_endorsements(
        io.StringIO(text), mapping=mapping or _mapping(), file_name="past.csv", actor=personas.staff
    )


def test_undecided_rows_are_counted_apart_never_as_losses(personas: Personas) -> None:
    report = _import(CSV, personas)
    assert (report.won, report.lost, report.undecided, report.not_endorsed) == (2, 1, 3, 1)  # type: ignore[attr-defined]  # a HistoricalReport
    card = scorecard_for(personas.staff, endorser="Groundswell")
    assert (card.overall.won, card.overall.lost, card.overall.undecided) == (1, 1, 2)
    assert card.overall.rate.label == "1 of 2, 50%"
    assert Candidacy.objects.get(name="Cy Diaz").outcome == Outcome.PENDING


def test_yes_with_stray_spaces_and_headers_with_trailing_spaces_are_read(personas: Personas) -> None:
    _import(CSV, personas)
    endorsed = set(Endorsement.objects.filter(endorser="Groundswell").values_list("candidacy__name", flat=True))
    assert endorsed == {"Ana Ruiz", "Bo Chen", "Cy Diaz", "Di Evans"}
    assert Endorsement.objects.filter(source=EndorsementSource.HISTORICAL).count() == 6


def test_a_state_house_row_lands_on_the_power_maps_district_office(personas: Personas) -> None:
    _import(CSV, personas)
    office = Candidacy.objects.get(name="Ana Ruiz").race.office
    assert office.division.ocd_id == "ocd-division/country:us/state:pa/sldl:98"
    assert office.role == "lower"


def test_a_bad_row_names_row_and_column_and_nothing_is_saved(personas: Personas) -> None:
    bad = CSV + "Fay Gold,ZZ,20x1,Mayor,,municipal,Won,Maybe,No\n"
    with pytest.raises(ImportRejected) as rejected:
        _import(bad, personas)
    messages = [str(e) for e in rejected.value.errors]
    assert "row 7, State: unknown state 'ZZ'" in messages
    assert "row 7, Year: not a date or year: '20x1'" in messages
    assert "row 7, Groundswell: expected Yes or No, found 'maybe'" in messages
    assert Endorsement.objects.count() == 0
    assert Candidacy.objects.count() == 0


def test_importing_twice_does_not_duplicate(personas: Personas) -> None:
    _import(CSV, personas)
    _import(CSV, personas)
    assert Endorsement.objects.count() == 6


def test_mapping_guess_finds_the_columns_and_ticks_no_yes_no_column_whose_header_names_no_endorser() -> None:
    headers, records = read_csv(io.StringIO(CSV))
    guess = guess_mapping(headers, records)
    assert guess.columns["candidate"] == "Candidate"
    assert guess.columns["result"] == "Result"
    assert guess.endorsers == []  # "Groundswell" and "Working Families" are Yes/No, but say nothing of endorsing
    assert guess_yes_no(headers, records) == ["Groundswell", "Working Families"]


def test_command_imports_with_a_progress_bar(personas: Personas, tmp_path: Path) -> None:
    path = tmp_path / "past.csv"
    path.write_text(CSV)
    out = io.StringIO()
    call_command(
        "import_endorsements",
        str(path),
        "--endorser",
        "Groundswell",
        "--endorser",
        "Working Families",
        "--candidate",
        "Candidate",
        "--state",
        "State",
        "--date",
        "Year",
        "--office",
        "Office",
        "--district",
        "District",
        "--level",
        "Level",
        "--result",
        "Result",
        stdout=out,
    )
    assert "6 endorsements" in out.getvalue()
    assert Endorsement.objects.count() == 6


def test_import_page_maps_columns_and_shows_row_errors(personas: Personas) -> None:
    client = Client()
    client.force_login(personas.staff)
    upload = io.BytesIO((CSV + "Fay Gold,PA,2022,Mayor,,municipal,Won,Maybe,No\n").encode())
    upload.name = "past.csv"
    assert client.post("/endorsements/import/", {"file": upload}).status_code == 302
    form = client.get("/endorsements/import/mapping/").content.decode()
    assert 'value="Working Families" id="id_endorsers_1" checked' in form or "Working Families" in form
    data = with_readings(
        {
            "endorsers": ["Groundswell", "Working Families"],
            "col_candidate": "Candidate",
            "col_state": "State",
            "col_date": "Year",
            "col_office": "Office",
            "col_district": "District",
            "col_level": "Level",
            "col_result": "Result",
            "default_kind": "general",
        },
        CSV,
    )
    page = client.post("/endorsements/import/mapping/", data).content.decode()
    assert "Row 7, column “Groundswell”: expected Yes or No, found &#x27;maybe&#x27;" in page
    assert Endorsement.objects.count() == 0


MAPPING_FORM = {
    "endorsers": ["Groundswell", "Working Families"], "col_candidate": "Candidate", "col_state": "State",
    "col_date": "Year", "col_office": "Office", "col_district": "District", "col_level": "Level",
    "col_result": "Result", "default_kind": "general",
}  # fmt: skip


def test_a_good_file_is_loaded_in_the_background_with_its_progress_on_the_import_page(
    personas: Personas, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    client = Client()
    client.force_login(personas.staff)
    upload = io.BytesIO(CSV.encode())
    upload.name = "past.csv"
    client.post("/endorsements/import/", {"file": upload})
    response = client.post("/endorsements/import/mapping/", with_readings(MAPPING_FORM, CSV), follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == "/endorsements/import/"
    assert "All 5 rows of past.csv are good: they are being loaded; progress shows below." in page
    job = Job.objects.get(kind=IMPORT_HISTORICAL)
    # queued, not loaded: the row polls its own status until the job is done
    assert job.status == JobStatus.QUEUED and Endorsement.objects.count() == 0
    assert f'hx-get="/jobs/{job.pk}/"' in page
    stored = Path(job.params["path"])
    assert stored.is_file() and stored.parent == tmp_path / "historical-endorsements"

    assert run_pending_jobs() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.created_by == personas.staff
    assert Endorsement.objects.filter(source=EndorsementSource.HISTORICAL).count() == 6
    assert not stored.exists()  # the upload is gone once its rows are in
    row = client.get(f"/jobs/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert "5 rows: 6 endorsements of 4 candidates" in row and "hx-get" not in row
    assert "5 rows: 6 endorsements of 4 candidates" in client.get("/endorsements/import/").content.decode()
    audit = AuditEntry.objects.get(event_type=AuditEvent.ENDORSEMENTS_IMPORTED)
    assert audit.actor == personas.staff


def test_a_file_that_changed_after_its_check_fails_its_job_and_loads_nothing(
    personas: Personas, tmp_path: Path
) -> None:
    bad = tmp_path / "past.csv"
    bad.write_text(CSV + "Fay Gold,ZZ,2022,Mayor,,municipal,Won,Yes,No\n")
    params = {"path": str(bad), "filename": "past.csv", "mapping": _mapping().as_dict()}
    job = do_enqueue_job(IMPORT_HISTORICAL, params, actor=personas.staff)
    run_pending_jobs()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "row 7, State: unknown state 'ZZ'" in job.error
    assert Endorsement.objects.count() == 0 and bad.exists()
    client = Client()
    client.force_login(personas.staff)
    row = client.get(f"/jobs/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert "Nothing was loaded: 1 bad row: row 7, State: unknown state &#x27;ZZ&#x27;" in row
    # a job whose upload is gone (its twin loaded it) fails at once, saying so
    gone = do_enqueue_job(IMPORT_HISTORICAL, {**params, "path": str(tmp_path / "gone.csv")}, actor=personas.staff)
    run_pending_jobs()
    gone.refresh_from_db()
    assert (gone.status, gone.attempts) == (JobStatus.FAILED, 1)
    assert gone.error == "the uploaded file past.csv is gone: upload it again"


def test_import_and_scorecard_pages_are_for_national_staff(personas: Personas) -> None:
    job = do_enqueue_job(IMPORT_HISTORICAL, {"path": "", "filename": "x.csv", "mapping": {}}, actor=personas.staff)
    client = Client()
    client.force_login(personas.leader_a)
    assert client.get("/endorsements/import/").status_code == 404
    assert client.get(f"/jobs/{job.pk}/").status_code == 404
    assert client.get("/endorsements/scorecard/").status_code == 404

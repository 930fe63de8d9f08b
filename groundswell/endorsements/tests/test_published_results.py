"""Past endorsements as their publishers write them: FiveThirtyEight's 2018 primary candidates layout
imports with the mapping page's own guesses and gives each endorser's true win rate; results read as
written; a value that could mean either is asked about; an import is undone whole."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from groundswell.core.models import AuditEntry, AuditEvent
from groundswell.elections.models import Candidacy, Election, ElectionKind, Outcome, Race
from groundswell.endorsements.actions import do_undo_historical_import
from groundswell.endorsements.importing import (
    READ_AS_SHARE,
    Mapping,
    do_import_historical_endorsements,
    guess,
    parse_rows,
    read_csv,
)
from groundswell.endorsements.models import Endorsement, HistoricalImport
from groundswell.endorsements.scorecard import scorecard_for
from groundswell.geo.importing import ImportRejected
from groundswell.recruitment.candidacies import ensure_election, ensure_office, ensure_race, file_candidacy
from groundswell.testing import Personas

pytestmark = pytest.mark.django_db

FILE = Path(__file__).parent / "data" / "fivethirtyeight_2018_primary_layout.csv"
# Worked out by hand from the file: won of decided, and undecided (Gale Ortiz's blank Won Primary).
RATES = {
    "Justice Dems": ("2 of 4, 50%", 1),
    "Our Revolution": ("2 of 5, 40%", 0),
    "Emily": ("3 of 3, 100%", 0),
    "Party": ("2 of 3, 67%", 0),
}


def guessed() -> tuple[list[dict[str, str]], Mapping]:
    headers, records = read_csv(io.StringIO(FILE.read_text(), newline=""))
    return records, guess(headers, records).mapping


def import_the_file(personas: Personas, text: str | None = None, mapping: Mapping | None = None) -> Any:
    return do_import_historical_endorsements(
        io.StringIO(text or FILE.read_text(), newline=""),
        mapping=mapping or guessed()[1],
        file_name=FILE.name,
        actor=personas.staff,
    )


def rates_by_endorser(personas: Personas) -> dict[str, tuple[str, int]]:
    card = scorecard_for(personas.staff)
    return {row.label: (row.rate.label, row.undecided) for row in card.dimensions["endorser"]}


def test_the_guesses_tick_only_endorsement_columns_and_read_the_layout() -> None:
    headers, records = read_csv(io.StringIO(FILE.read_text(), newline=""))
    found = guess(headers, records)
    assert "Warren Endorsed?" in found.mapping.endorsers  # its header's trailing space, as published, is read
    assert {"Party Support?", "Emily Endorsed?", "Justice Dems Endorsed?", "No Labels Support?"} <= set(
        found.mapping.endorsers
    )
    for fact in ("Veteran?", "LGBTQ?", "STEM?", "Elected Official?", "Self-Funder?", "Obama Alum?"):
        assert fact in found.yes_no and fact not in found.mapping.endorsers
    assert "Guns Sense Candidate?" not in found.mapping.endorsers  # its header names no endorsement: asked
    assert found.mapping.columns == {
        "candidate": "Candidate",
        "state": "State",
        "date": "Race Primary Election Date",
        "kind": "Race Type",
        "office": "District",  # the office written out: "U.S. House Alabama District 2"
        "result": "Won Primary",
    }
    assert found.mapping.default_kind == ElectionKind.PRIMARY
    assert found.other_results == ["Primary Status"]


def test_the_fivethirtyeight_layout_gives_each_endorsers_win_rate_with_the_guesses(personas: Personas) -> None:
    report = import_the_file(personas)
    assert (report.endorsements, report.won, report.lost, report.undecided) == (16, 9, 6, 1)
    assert report.not_endorsed == 1  # Jules Park: a veteran, endorsed by nobody
    assert rates_by_endorser(personas) == RATES
    assert scorecard_for(personas.staff).overall.rate.label == "9 of 15, 60%"
    office = Candidacy.objects.get(name="Casey Lund").race.office
    assert office.division.ocd_id == "ocd-division/country:us/state:al/cd:2" and office.role == "us_house"
    governor = Candidacy.objects.get(name="Avery Stone").race.office
    assert governor.division.ocd_id == "ocd-division/country:us/state:al" and governor.role == "governor"


def test_a_regular_and_a_special_primary_on_the_same_day_for_the_same_seat_are_two_races(
    personas: Personas,
) -> None:
    import_the_file(personas)
    marsh = Candidacy.objects.filter(name="Eli Marsh").select_related("race__election", "race__office")
    assert marsh.count() == 2
    races = {c.race.election.kind: (c.race, c.outcome) for c in marsh}
    assert races[ElectionKind.PRIMARY][1] == Outcome.WON and races[ElectionKind.SPECIAL][1] == Outcome.LOST
    regular, special = races[ElectionKind.PRIMARY][0], races[ElectionKind.SPECIAL][0]
    assert regular.pk != special.pk and regular.office_id == special.office_id
    assert regular.election.date == special.election.date
    assert [c.name for c in special.candidacies.order_by("name")] == ["Eli Marsh", "Frankie Vale"]


RESULT_CSV = "Candidate,State,Year,Office,District,Result,Endorsed?\n{rows}"


@pytest.mark.parametrize(
    ("won", "lost", "undecided"),
    [
        ("Yes", "No", ""),
        ("Won", "Lost", "pending"),
        ("W", "L", ""),
        ("Advanced", "Lost", "Advanced to runoff"),
        ("1", "0", ""),
    ],
)
def test_results_are_read_as_their_publishers_write_them(
    personas: Personas, won: str, lost: str, undecided: str
) -> None:
    rows = (
        f"Ana Ruiz,PA,2022,State House,98,{won},Yes\n"
        f"Bo Chen,PA,2022,State House,99,{lost},Yes\n"
        f'Cy Diaz,PA,2022,State House,100,"{undecided}",Yes\n'
    )
    text = RESULT_CSV.format(rows=rows)
    headers, records = read_csv(io.StringIO(text))
    report = import_the_file(personas, text, guess(headers, records).mapping)
    assert (report.won, report.lost, report.undecided) == (1, 1, 1)
    assert Candidacy.objects.get(name="Cy Diaz").outcome == Outcome.PENDING


def test_a_vote_share_decides_each_race_by_the_most_votes(personas: Personas) -> None:
    text = (
        "Candidate,State,Race Primary Election Date,District,Primary %,Sanders Endorsed?\n"
        "Ana Ruiz,PA,5/15/18,U.S. House Pennsylvania District 3,54.2,Yes\n"
        "Bo Chen,PA,5/15/18,U.S. House Pennsylvania District 3,45.8,Yes\n"
        "Cy Diaz,PA,5/15/18,U.S. House Pennsylvania District 4,100,Yes\n"
    )
    headers, records = read_csv(io.StringIO(text))
    mapping = guess(headers, records).mapping
    assert (mapping.columns["result"], mapping.result_as) == ("Primary %", READ_AS_SHARE)
    import_the_file(personas, text, mapping)
    outcomes = dict(Candidacy.objects.values_list("name", "outcome"))
    assert outcomes == {"Ana Ruiz": Outcome.WON, "Bo Chen": Outcome.LOST, "Cy Diaz": Outcome.WON}


def test_a_result_value_that_could_mean_either_is_asked_about_not_guessed(
    personas: Personas, settings: Any, tmp_path: Path
) -> None:
    text = RESULT_CSV.format(
        rows="Ana Ruiz,PA,2022,State House,98,Won,Yes\nBo Chen,PA,2022,State House,99,Conceded,Yes\n"
    )
    headers, records = read_csv(io.StringIO(text))
    mapping = guess(headers, records).mapping
    with pytest.raises(ImportRejected) as rejected:
        parse_rows(records, mapping)
    assert [str(e) for e in rejected.value.errors] == [
        "row 3, Result: cannot tell whether 'Conceded' is a win: say how it reads"
    ]
    settings.MEDIA_ROOT = tmp_path
    client = Client()
    client.force_login(personas.staff)
    upload = io.BytesIO(text.encode())
    upload.name = "past.csv"
    client.post("/endorsements/import/", {"file": upload})
    page = client.get("/endorsements/import/mapping/").content.decode()
    assert "“Conceded”" in page and '<option value="" selected>— say which —</option>' in page
    form = {"endorsers": ["Endorsed?"], "col_candidate": "Candidate", "col_state": "State", "col_date": "Year",
            "col_office": "Office", "col_district": "District", "col_result": "Result", "default_kind": "general",
            "result_as": "values", "result_shown": "Result|values", "means_0": "won", "means_1": ""}  # fmt: skip
    asked = client.post("/endorsements/import/mapping/", form).content.decode()
    assert "Say what this value means" in asked and Endorsement.objects.count() == 0
    done = client.post("/endorsements/import/mapping/", {**form, "means_1": "lost"})
    assert done.status_code == 302
    assert HistoricalImport.objects.count() == 0  # queued: the job loads it


def test_an_import_is_undone_whole_and_audited(personas: Personas) -> None:
    election = ensure_election("AL", dt.date(2018, 6, 5), ElectionKind.PRIMARY)
    race = ensure_race(election, ensure_office("AL", "Governor"))
    there_before = file_candidacy(race, name="Avery Stone")
    report = import_the_file(personas)
    batch = HistoricalImport.objects.get(pk=report.import_id)
    there_before.refresh_from_db()
    assert there_before.outcome == Outcome.WON  # the file's result, recorded on the candidacy that was there
    would = do_undo_historical_import(batch, actor=personas.staff, dry_run=True)
    assert (
        Endorsement.objects.count() == 16
        and not AuditEntry.objects.filter(event_type=AuditEvent.ENDORSEMENTS_IMPORT_UNDONE).exists()
    )
    undone = do_undo_historical_import(batch, actor=personas.staff)
    assert undone == would
    assert (undone.endorsements, undone.results) == (16, 1)
    assert undone.candidacies == 10  # every endorsed candidacy but the one that was there
    assert Endorsement.objects.count() == 0
    assert list(Candidacy.objects.values_list("name", flat=True)) == ["Avery Stone"]
    there_before.refresh_from_db()
    assert there_before.outcome == Outcome.PENDING
    assert list(Race.objects.all()) == [race] and list(Election.objects.all()) == [election]
    entry = AuditEntry.objects.get(event_type=AuditEvent.ENDORSEMENTS_IMPORT_UNDONE)
    assert entry.actor == personas.staff and "16 endorsements" in entry.summary
    batch.refresh_from_db()
    assert batch.is_undone and batch.undone_by == personas.staff


def test_the_command_imports_the_layout_with_nothing_but_the_file(personas: Personas) -> None:
    out = io.StringIO()
    call_command("import_endorsements", str(FILE), stdout=out)
    assert "16 endorsements of 11 candidates — 9 won, 6 lost, 1 undecided" in out.getvalue()
    assert "Veteran?" not in out.getvalue().split("Endorser columns:")[1].splitlines()[0]
    assert rates_by_endorser(personas) == RATES

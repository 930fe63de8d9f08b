from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from django.db.models import Sum

from groundswell.core.models import AuditEntry, AuditEvent
from groundswell.elections.actions import do_import_results
from groundswell.elections.models import Candidacy, Outcome, PrecinctResult, Race
from groundswell.elections.openelections import facts_from_filename
from groundswell.geo.importing import ImportRejected
from groundswell.geo.models import Division, PrecinctDistrict

DATA = Path(__file__).resolve().parents[2] / "powermap" / "data" / "openelections"
DAUPHIN = DATA / "20201103__pa__general__dauphin__precinct.csv"
ALLEGHENY = DATA / "20201103__pa__general__allegheny__precinct.csv"


def import_file(path: Path, **kwargs):
    facts = facts_from_filename(path.name)
    assert facts is not None
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return do_import_results(handle, state=facts.state, election_date=facts.election_date, kind=facts.kind,
                                 county=facts.county, source_name=path.name, actor=None, **kwargs)  # fmt: skip


def import_text(text: str, *, dry_run: bool = False):
    return do_import_results(io.StringIO(text), state="ny", election_date=date(2020, 11, 3), kind="general",
                             source_name="fixture.csv", dry_run=dry_run, actor=None)  # fmt: skip


def president_votes_by_county() -> dict[tuple[str, str], int]:
    rows = (
        PrecinctResult.objects.filter(race__office__role="president")
        .values_list("precinct__parent__name", "candidacy__name")
        .annotate(total=Sum("votes"))
    )
    return {(county, name): total for county, name, total in rows}


@pytest.mark.django_db
def test_pennsylvania_2020_president_matches_the_official_county_totals():
    import_file(DAUPHIN)
    import_file(ALLEGHENY)
    votes = president_votes_by_county()
    assert votes[("Dauphin County", "Joseph R. Biden")] == 78_983
    assert votes[("Dauphin County", "Donald J. Trump")] == 66_408
    assert votes[("Allegheny County", "Joseph R. Biden")] == 430_759
    assert votes[("Allegheny County", "Donald J. Trump")] == 282_913
    biden = Candidacy.objects.get(race__office__role="president", name="Joseph R. Biden")
    assert (biden.votes, biden.outcome, biden.party) == (78_983 + 430_759, Outcome.WON, "Democratic")
    # Allegheny's vote-mode columns are kept and add up to the votes.
    aleppo = PrecinctResult.objects.get(precinct__ocd_id__endswith="county:allegheny/precinct:aleppo",
                                        candidacy=biden)  # fmt: skip
    assert aleppo.votes_by_mode == {"election_day": 166, "absentee": 385, "provisional": 8}
    assert sum(aleppo.votes_by_mode.values()) == aleppo.votes == 559


@pytest.mark.django_db
def test_reimporting_a_file_reports_everything_unchanged():
    first = import_file(DAUPHIN)
    assert first.inserted["precinct results"] == 4_303
    again = import_file(DAUPHIN)
    assert again.total_inserted == 0 and again.total_updated == 0
    assert again.unchanged["precinct results"] == 4_303
    assert PrecinctResult.objects.count() == 4_303


@pytest.mark.django_db
def test_a_changed_count_is_an_update():
    import_text("county,precinct,office,district,party,candidate,votes\nKings,ED 1,President,,DEM,A,10\n")
    report = import_text("county,precinct,office,district,party,candidate,votes\nKings,ED 1,President,,DEM,A,12\n")
    assert report.updated == {"precinct results": 1}
    assert Candidacy.objects.get(name="A").votes == 12


@pytest.mark.django_db
def test_precincts_are_placed_in_the_state_house_districts_their_rows_name():
    import_file(DAUPHIN)
    district = Division.objects.get(ocd_id="ocd-division/country:us/state:pa/sldl:103")
    precincts = PrecinctDistrict.objects.filter(district=district)
    assert precincts.count() > 0
    assert precincts.filter(precinct__name__startswith="Harrisburg City").exists()
    house_race = Race.objects.get(office__division=district)
    assert house_race.candidacies.filter(outcome=Outcome.WON).count() == 1


TOTALS_VARIANT = """county,precinct_name,office,district,party,candidate,votes
Kings,ED 1,President,,DEMOCRATIC,Joe Biden,100
Kings,ED 1,President,,Republican,Donald Trump,40
Kings,ED 1,President,,,Total,140
Kings,ED 2,President,,Democrat,Joe Biden,70
Kings,ED 2,President,,REP,Donald Trump,30
Kings,ED 2,President,,,Total Votes,100
Kings,Total,President,,DEMOCRATIC,Joe Biden,170
Kings,Total,President,,Republican,Donald Trump,70
Kings,ED 1,President,,,Registered Voters,500
Kings,ED 2,President,,,Over Votes,1
"""


@pytest.mark.django_db
def test_total_rows_are_skipped_and_party_spellings_agree():
    report = import_text(TOTALS_VARIANT)
    assert report.skipped == {"total rows": 4, "turnout rows": 1, "over/under vote rows": 1}
    assert report.inserted["precinct results"] == 4
    biden = Candidacy.objects.get(name="Joe Biden")
    assert (biden.party, biden.votes) == ("Democratic", 170)  # DEMOCRATIC and Democrat: one candidacy
    assert Candidacy.objects.get(name="Donald Trump").votes == 70
    assert not Candidacy.objects.filter(name__icontains="total").exists()
    again = import_text(TOTALS_VARIANT)
    assert again.total_inserted == 0 and biden.votes == Candidacy.objects.get(name="Joe Biden").votes


@pytest.mark.django_db
def test_election_district_column_and_vote_mode_columns_without_votes():
    text = (
        "county,election_district,office,district,party,candidate,election_day,absentee,early_voting\n"
        "Kings,23001,State Senate,21,D,Zellnor Myrie,50,10,5\n"
        "Kings,23001,State Senate,21,R,Someone Else,5,1,0\n"
    )
    import_text(text)
    myrie = PrecinctResult.objects.get(candidacy__name="Zellnor Myrie")
    assert myrie.votes == 65
    assert myrie.precinct.ocd_id == "ocd-division/country:us/state:ny/county:kings/precinct:23001"
    assert myrie.race.office.division.ocd_id == "ocd-division/country:us/state:ny/sldu:21"
    assert PrecinctDistrict.objects.filter(precinct=myrie.precinct, district=myrie.race.office.division).exists()


@pytest.mark.django_db
def test_bad_rows_are_named_by_row_and_field_and_nothing_is_saved():
    text = (
        "county,precinct,office,district,party,candidate,votes\n"
        "Kings,ED 1,President,,DEM,Joe Biden,100\n"
        "Kings,ED 2,President,,DEM,Joe Biden,lots\n"
        "Kings,,President,,DEM,Joe Biden,3\n"
        "Kings,ED 1,President,,DEM,Joe Biden,7\n"
    )
    with pytest.raises(ImportRejected) as rejected:
        import_text(text)
    messages = [str(e) for e in rejected.value.errors]
    assert messages[0] == "row 3, votes: 'lots' is not a number"
    assert messages[1] == "row 4, precinct: is empty"
    assert messages[2] == "row 5, candidate: same precinct, office and candidate as row 2"
    assert not PrecinctResult.objects.exists() and not Division.objects.exists()


@pytest.mark.django_db
def test_a_dry_run_counts_and_rolls_back():
    report = import_file(DAUPHIN, dry_run=True)
    assert report.dry_run and report.inserted["precinct results"] == 4_303
    assert not PrecinctResult.objects.exists()
    assert not AuditEntry.objects.filter(event_type=AuditEvent.RESULTS_IMPORTED).exists()


def test_file_name_gives_date_state_kind_and_county():
    facts = facts_from_filename(ALLEGHENY.name)
    assert facts is not None
    assert (facts.election_date, facts.state, facts.kind, facts.county) == (
        date(2020, 11, 3),
        "pa",
        "general",
        "Allegheny",
    )


# ---------------------------------------------------------------- at-large seats, party spellings, bad input

DE_DATA = Path(__file__).resolve().parent / "data"
DE_2016 = DE_DATA / "20161108__de__general__precinct.csv"
DE_2018 = DE_DATA / "20181106__de__general__precinct.csv"


@pytest.mark.django_db
def test_an_at_large_house_seat_belongs_to_the_state_division():
    report = import_file(DE_2016)
    house = Race.objects.get(office__role="us_house")
    assert house.office.division.ocd_id == "ocd-division/country:us/state:de"
    assert house.office.name == "U.S. House DE At-Large"
    rochester = house.candidacies.get(name="Rochester")
    assert (rochester.votes, rochester.outcome) == (662 + 1109 + 46, Outcome.WON)
    governor = Race.objects.get(office__role="governor")
    assert governor.office.division.ocd_id == "ocd-division/country:us/state:de"
    assert Race.objects.get(office__role="lieutenant_governor").candidacies.get(name="Hall-Long").votes == 528 + 930
    assert Race.objects.get(office__role="president").office.division.ocd_id == "ocd-division/country:us"
    assert report.skipped == {"total rows": 12}  # Sussex's county totals are not precinct votes
    assert not Division.objects.filter(ocd_id__contains="/cd:").exists()


@pytest.mark.django_db
def test_party_spellings_are_kept_as_written_and_shown_normalized():
    report = import_file(DE_2016)
    johnson = Candidacy.objects.get(name="Johnson G")
    assert (johnson.party, johnson.party_as_written) == ("Libertarian", "LIBERTARIN")
    assert johnson.party_written_differently
    assert Candidacy.objects.get(name="Clinton H").party_as_written == "DEMOCRATIC"
    assert report.notes == []  # every Delaware spelling is one Groundswell knows


@pytest.mark.django_db
def test_unknown_party_spellings_are_listed_in_the_report():
    text = (
        "county,precinct,office,district,party,candidate,votes\n"
        "Kings,ED 1,President,,DEM,Joe Biden,100\n"
        "Kings,ED 1,President,,SAM,Brian Carroll,3\n"
        "Kings,ED 2,President,,SAM,Brian Carroll,4\n"
        "Kings,ED 2,President,,Democratic/Working Families,Joe Biden,7\n"
    )
    report = import_text(text)
    assert report.notes == ["party spellings not recognized, kept as written: 'SAM' (first on row 3)"]
    assert "'SAM' (first on row 3)" in report.summary()
    carroll = Candidacy.objects.get(name="Brian Carroll")
    assert (carroll.party, carroll.party_as_written, carroll.votes) == ("SAM", "SAM", 7)
    fusion = Candidacy.objects.get(name="Joe Biden", party="Democratic/Working Families")
    assert fusion.party_as_written == "Democratic/Working Families" and not fusion.party_written_differently


@pytest.mark.django_db
def test_a_blank_house_district_in_a_districted_state_is_a_row_error():
    text = (
        "county,precinct,office,district,party,candidate,votes\n"
        "Dauphin,HARRISBURG 1,U.S. House,10,DEM,Eugene DePasquale,100\n"
        "Dauphin,HARRISBURG 1,U.S. House,,REP,Scott Perry,90\n"
        "Dauphin,HARRISBURG 1,State Senate,,DEM,Someone,90\n"
    )
    with pytest.raises(ImportRejected) as rejected:
        do_import_results(io.StringIO(text), state="pa", election_date=date(2020, 11, 3), kind="general",
                          source_name="pa.csv", actor=None)  # fmt: skip
    assert [str(e) for e in rejected.value.errors] == [
        "row 3, district: is empty, but Pennsylvania elects its U.S. House members by district",
        "row 4, district: is empty: a State Senate row needs its district number",
    ]
    assert not Division.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("votes", "message"),
    [
        ("99999999999", "row 2, votes: '99999999999' is more votes than any count holds (at most 2,147,483,647)"),
        ("1e400", "row 2, votes: '1e400' is not a whole, non-negative count"),
        ("nan", "row 2, votes: 'nan' is not a whole, non-negative count"),
    ],
)
def test_an_impossible_vote_count_names_its_row_and_column(votes, message):
    text = f"county,precinct,office,district,party,candidate,votes\nKings,ED 1,President,,DEM,A,{votes}\n"
    with pytest.raises(ImportRejected) as rejected:
        import_text(text)
    assert [str(e) for e in rejected.value.errors] == [message]


@pytest.mark.django_db
def test_counts_that_add_up_past_what_a_total_holds_name_the_row():
    text = "county,precinct,office,district,party,candidate,votes\n" + (
        "Kings,ED 1,President,,DEM,A,2000000000\nKings,ED 2,President,,DEM,A,2000000000\n"
    )
    with pytest.raises(ImportRejected) as rejected:
        import_text(text)
    assert [str(e) for e in rejected.value.errors] == ["row 3, votes: brings A's total past 2,147,483,647 votes"]


@pytest.mark.django_db
def test_a_file_that_is_not_csv_text_is_named_as_such():
    with pytest.raises(ImportRejected) as rejected:
        do_import_results(io.TextIOWrapper(io.BytesIO(b"PK\x03\x04\xff\xfe\x00binary"), encoding="utf-8-sig"),
                          state="ny", election_date=date(2020, 11, 3), kind="general", source_name="x.xlsx",
                          actor=None)  # fmt: skip
    (error,) = rejected.value.errors
    assert error.field == "file" and "is not UTF-8 text" in error.message
    too_long = f"county,precinct,office,district,party,candidate,votes\nKings,ED 1,President,,{'D' * 41},A,1\n"
    with pytest.raises(ImportRejected) as rejected:
        import_text(too_long)
    assert [str(e) for e in rejected.value.errors] == ["row 2, party: is 41 characters long (at most 40)"]

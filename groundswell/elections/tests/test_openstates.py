from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from django.utils import timezone

from groundswell.elections.actions import do_import_legislators
from groundswell.elections.models import Office, Term
from groundswell.elections.openstates import read_legislators_csv, read_legislators_yaml, yaml_paths
from groundswell.elections.parties import party_family
from groundswell.geo.importing import ImportRejected

CSV = Path(__file__).resolve().parents[2] / "powermap" / "data" / "openstates-legislators.csv"
HEADER = (
    "state,chamber,district,name,given_name,family_name,party,ocd_person_id,gender,role_start_date,email,"
    "capitol_phone\n"
)


def import_csv(text: str | None = None, states: set[str] | None = None):
    if text is None:
        with CSV.open(encoding="utf-8-sig", newline="") as handle:
            rows = read_legislators_csv(handle, states=states)
    else:
        rows = read_legislators_csv(io.StringIO(text), states=states)
    return do_import_legislators(rows, source_name="test.csv", actor=None)


@pytest.mark.django_db
def test_rhode_island_legislators_become_offices_and_current_terms():
    report = import_csv(states={"ri"})
    assert report.inserted["terms"] == 113
    house = Office.objects.filter(division__state="RI", chamber="lower")
    assert house.count() == 75 and Office.objects.filter(division__state="RI", chamber="upper").count() == 38
    parties = [party_family(p) for p in Term.objects.filter(office__chamber="lower").values_list("party", flat=True)]
    assert (parties.count("Democratic"), parties.count("Republican"), parties.count("Independent")) == (64, 10, 1)
    seat = house.get(division__ocd_id="ocd-division/country:us/state:ri/sldl:35")
    assert seat.name == "Rhode Island House District 35" and seat.term_years == 2 and seat.seats == 1
    again = import_csv(states={"ri"})
    assert again.total_inserted == 0 and again.total_updated == 0 and again.unchanged["terms"] == 113


@pytest.mark.django_db
def test_multi_member_districts_and_dc_wards_and_at_large_seats():
    import_csv(states={"dc", "az"})
    at_large = Office.objects.get(division__ocd_id="ocd-division/country:us/district:dc", role="legislature:at-large")
    assert at_large.seats == 3
    assert Office.objects.filter(division__ocd_id="ocd-division/country:us/district:dc/ward:1").exists()
    # Arizona elects two representatives per house district.
    assert set(Office.objects.filter(division__state="AZ", chamber="lower").values_list("seats", flat=True)) <= {1, 2}
    assert Office.objects.filter(division__state="AZ", chamber="lower", seats=2).exists()


@pytest.mark.django_db
def test_a_legislator_missing_from_a_new_file_has_their_term_ended():
    one = HEADER + "ri,lower,1,Ann Dee,Ann,Dee,Democratic,ocd-person/00000000-0000-0000-0000-000000000001,,,,\n"
    two = one + "ri,lower,2,Rob Arr,Rob,Arr,Republican,ocd-person/00000000-0000-0000-0000-000000000002,,,,\n"
    import_csv(two)
    report = import_csv(one)
    assert report.updated == {"terms ended": 1}
    ended = Term.objects.get(holder_name="Rob Arr")
    assert ended.end_date == timezone.localdate()
    assert Term.objects.filter(end_date__isnull=True).count() == 1


@pytest.mark.django_db
def test_bad_legislator_rows_are_named_and_nothing_is_saved():
    text = HEADER + (
        "ri,lower,1,Ann Dee,Ann,Dee,Democratic,ocd-person/00000000-0000-0000-0000-000000000001,,2021-13-01,,\n"
        "zz,middle,,Bob,Bob,,Democratic,person-2,,,not-an-email,\n"
    )
    with pytest.raises(ImportRejected) as rejected:
        import_csv(text)
    assert [str(e) for e in rejected.value.errors] == [
        "row 2, role_start_date: '2021-13-01' is not a date (YYYY-MM-DD)",
        "row 3, state: 'zz' is not a US state code",
        "row 3, chamber: 'middle' is not one of lower, upper, legislature",
        "row 3, district: is empty",
        "row 3, ocd_person_id: 'person-2' is not an ocd-person id",
        "row 3, email: 'not-an-email' is not an email address",
    ]
    assert not Office.objects.exists()


PERSON_YAML = """id: ocd-person/11111111-2222-3333-4444-555555555555
name: Casey Example
given_name: Casey
family_name: Example
email: casey@example.gov
party:
- name: Democratic
- name: Working Families
roles:
- type: lower
  district: '12'
  jurisdiction: ocd-jurisdiction/country:us/state:ri/government
  start_date: '2019-01-01'
  end_date: '2021-01-05'
- type: upper
  district: '7'
  jurisdiction: ocd-jurisdiction/country:us/state:ri/government
  start_date: '2021-01-05'
offices:
- classification: capitol
  voice: 401-555-0100
"""
FORMER_YAML = """id: ocd-person/99999999-2222-3333-4444-555555555555
name: Former Member
party:
- name: Republican
roles:
- type: lower
  district: '3'
  jurisdiction: ocd-jurisdiction/country:us/state:ri/government
  end_date: '2020-01-01'
"""


@pytest.mark.django_db
def test_open_states_people_yaml_layout(tmp_path):
    folder = tmp_path / "data" / "ri" / "legislature"
    folder.mkdir(parents=True)
    (folder / "Casey-Example-11111111.yml").write_text(PERSON_YAML)
    (folder / "Former-Member-99999999.yml").write_text(FORMER_YAML)
    rows = read_legislators_yaml(yaml_paths(tmp_path / "data"), today=date(2026, 8, 5))
    assert len(rows) == 1  # the former member has no current role
    report = do_import_legislators(rows, source_name="people", actor=None)
    assert report.inserted["terms"] == 1
    term = Term.objects.get()
    assert term.office.division.ocd_id == "ocd-division/country:us/state:ri/sldu:7"
    assert (term.party, term.start_date, term.phone) == (
        "Democratic/Working Families",
        date(2021, 1, 5),
        "401-555-0100",
    )


def test_bad_yaml_is_named_by_file(tmp_path):
    (tmp_path / "legislature").mkdir()
    bad = tmp_path / "legislature" / "Broken.yml"
    bad.write_text(PERSON_YAML.replace("ocd-person/1111", "person/1111"))
    with pytest.raises(ImportRejected) as rejected:
        read_legislators_yaml(yaml_paths(tmp_path / "legislature"), today=date(2026, 8, 5))
    assert (
        str(rejected.value.errors[0])
        == "row 1, Broken.yml: ocd_person_id: 'person/11111111-2222-3333-4444-555555555555' is not an ocd-person id"
    )

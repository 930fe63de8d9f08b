from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from groundswell.core.jobs import run_pending_jobs
from groundswell.core.models import AuditEntry, AuditEvent, Job, JobStatus
from groundswell.elections.models import Candidacy
from groundswell.powermap.models import RedistrictingAuthority
from groundswell.powermap.tests.tiny_state import build_tiny_state

DISTRICT_2 = "ocd-division/country:us/state:ri/sldl:2"


@pytest.fixture
def tiny(personas):
    build_tiny_state()
    return personas


def signed_in(client, user):
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_state_page_shows_control_lines_and_targets(client, tiny, django_assert_num_queries):
    signed_in(client, tiny.volunteer)
    url = reverse("powermap:state", args=["ri"])
    # 12: the statewide races (the 2016 presidential race) and their candidacies are two of them.
    with django_assert_num_queries(12):
        response = client.get(url)
    text = response.content.decode()
    assert response.status_code == 200
    assert "Rhode Island House" in text and "75 seats · majority 38" in text  # the chamber's size, not 4 offices
    assert "36</strong> seats to flip for a majority" in text and "71 seats with no member on record" in text
    assert "Legislature with an advisory commission" in text  # seeded fact, with its source link
    assert "https://ballotpedia.org/Redistricting_in_Rhode_Island" in text
    flip_section = text.split("target-flip")[1].split("target-hold")[0]
    assert "RI House District 2" in flip_section and "Rob Arr" in flip_section and "D+3.0" in flip_section


@pytest.mark.django_db
def test_district_page_shows_incumbent_lean_and_chapters(client, tiny, django_assert_num_queries):
    signed_in(client, tiny.leader_b)
    url = reverse("powermap:district", args=[DISTRICT_2])
    # 18: counting the members in sight reads the owners of the leader's facts (chapters.access).
    with django_assert_num_queries(18):
        response = client.get(url)
    text = response.content.decode()
    assert "Rob Arr" in text and "D+3.0" in text and "Flip" in text
    assert "Providence Groundswell" in text
    assert "<strong>1</strong> member of these chapters that you can see" in text
    assert 'data-geojson-url="/powermap/district/ocd-division/country:us/state:ri/sldl:2/map.json"' in text


@pytest.mark.django_db
def test_member_counts_go_through_the_leaders_scope(client, tiny):
    text = signed_in(client, tiny.leader_a).get(reverse("powermap:district", args=[DISTRICT_2])).content.decode()
    assert "<strong>0</strong> members of these chapters that you can see" in text  # Ben is chapter B's
    client.logout()
    text = signed_in(client, tiny.volunteer).get(reverse("powermap:district", args=[DISTRICT_2])).content.decode()
    assert "that you can see" not in text


@pytest.mark.django_db
def test_maps_serve_geojson_shaded_by_lean(client, tiny):
    signed_in(client, tiny.candidate)
    chamber = client.get(reverse("powermap:chamber-map-json", args=["ri", "lower"])).json()
    by_code = {f["properties"]["code"]: f["properties"] for f in chamber["features"]}
    assert by_code["2"]["lean_label"] == "D+3.0" and by_code["2"]["target"] == "Flip"
    assert by_code["2"]["url"] == f"/powermap/district/{DISTRICT_2}/"
    district = client.get(reverse("powermap:district-map", args=["ocd-division/country:us/state:ri/sldl:1"])).json()
    roles = sorted(f["properties"]["role"] for f in district["features"])
    assert roles == ["district", "precinct", "precinct"]


@pytest.mark.django_db
def test_map_geojson_goes_gzipped_to_browsers_that_accept_it(client, tiny):
    signed_in(client, tiny.candidate)
    for url in (
        reverse("powermap:chamber-map-json", args=["ri", "lower"]),
        reverse("powermap:district-map", args=["ocd-division/country:us/state:ri/sldl:1"]),
    ):
        plain = client.get(url)
        packed = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
        assert plain.get("Content-Encoding") is None and packed["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in packed["Vary"]
        assert json.loads(gzip.decompress(packed.content)) == plain.json()
        assert len(packed.content) < len(plain.content)


@pytest.mark.django_db
def test_targets_export_as_csv(client, tiny):
    response = signed_in(client, tiny.volunteer).get(reverse("powermap:targets-csv", args=["ri", "lower"]))
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["target"], r["district"], r["lean"]) for r in rows] == [
        ("Flip", "RI House District 2", "D+3.0"),
        ("Hold", "RI House District 1", "D+5.0"),
        ("Inroads", "RI House District 3", "R+15.0"),
    ]
    # The file leaves the server: who took which chamber's targets is in the audit log.
    entry = AuditEntry.objects.get(event_type=AuditEvent.TARGETS_EXPORTED)
    assert entry.actor == tiny.volunteer
    assert entry.details == {"state": "RI", "chamber": "lower", "rows": 3}


@pytest.mark.django_db
def test_signed_out_visitors_are_sent_to_sign_in(client, tiny):
    response = client.get(reverse("powermap:state", args=["ri"]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["coordinator", "leader_a", "volunteer", "candidate", "partner"])
def test_only_national_staff_reach_imports_and_edits(client, tiny, who):
    signed_in(client, getattr(tiny, who))
    assert client.get(reverse("powermap:imports")).status_code == 404
    assert client.post(reverse("powermap:imports"), {"import": "results"}).status_code == 404
    assert client.get(reverse("powermap:lean", args=["ri"])).status_code == 404
    assert client.get(reverse("powermap:redistricting", args=["ri", "legislative"])).status_code == 404
    job = Job.objects.create(kind="elections.import_results")
    assert client.get(reverse("powermap:import-job", args=[job.pk])).status_code == 404


@pytest.mark.django_db
def test_staff_upload_runs_as_a_background_job(client, tiny):
    signed_in(client, tiny.staff)
    text = "county,precinct,office,district,party,candidate,votes\nKent,0201,State House,2,DEM,Joan Q,900\n"
    upload = SimpleUploadedFile("results.csv", text.encode(), content_type="text/csv")
    data = {"import": "results", "file": upload, "state": "RI", "date": "2020-11-03", "kind": "general"}
    response = client.post(reverse("powermap:imports"), data)
    assert response.status_code == 302
    job = Job.objects.get(kind="elections.import_results")
    assert job.created_by == tiny.staff
    assert run_pending_jobs() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.result["inserted"]["precinct results"] == 1
    assert Candidacy.objects.get(name="Joan Q").votes == 900
    page = client.get(reverse("powermap:import-job", args=[job.pk])).content.decode()
    assert "Succeeded" in page and job.result["summary"] in page


@pytest.mark.django_db
def test_a_bad_upload_fails_its_job_with_the_row_and_field(client, tiny):
    signed_in(client, tiny.staff)
    text = "county,precinct,office,district,party,candidate,votes\nKent,0201,State House,2,DEM,Joan Q,-3\n"
    upload = SimpleUploadedFile("bad.csv", text.encode(), content_type="text/csv")
    client.post(reverse("powermap:imports"), {"import": "results", "file": upload, "state": "RI",
                                              "date": "2020-11-03", "kind": "general"})  # fmt: skip
    run_pending_jobs()
    job = Job.objects.get(kind="elections.import_results")
    assert job.status == JobStatus.FAILED
    assert "row 2, votes: '-3' is not a whole, non-negative count" in job.error
    assert not Candidacy.objects.filter(name="Joan Q").exists()


@pytest.mark.django_db
def test_staff_edit_who_draws_the_lines_with_a_source(client, tiny):
    signed_in(client, tiny.staff)
    url = reverse("powermap:redistricting", args=["ri", "legislative"])
    response = client.post(url, {"body": "independent_commission", "source_url": "https://example.org/ri",
                                 "notes": "Amended"})  # fmt: skip
    assert response.status_code == 302
    authority = RedistrictingAuthority.objects.get(state="RI", plan="legislative")
    assert (authority.body, authority.source_url, authority.updated_by) == (
        "independent_commission", "https://example.org/ri", tiny.staff,
    )  # fmt: skip
    assert AuditEntry.objects.filter(event_type=AuditEvent.REDISTRICTING_AUTHORITY_SAVED).count() == 1


@pytest.mark.django_db
def test_staff_choose_the_reference_race(client, tiny):
    signed_in(client, tiny.staff)
    page = client.get(reverse("powermap:lean", args=["ri"])).content.decode()
    assert "2016 President of the United States" in page
    from groundswell.powermap.selectors import find_race

    race = find_race("ri", 2016, "president")
    assert race is not None
    client.post(reverse("powermap:lean", args=["ri"]), {"race": race.pk})
    assert run_pending_jobs() == 1
    assert Job.objects.get(kind="powermap.compute_lean").status == JobStatus.SUCCEEDED


DE_DATA = Path(__file__).resolve().parents[2] / "elections" / "tests" / "data"


def upload_results(client, path: Path) -> Job:
    upload = SimpleUploadedFile(path.name, path.read_bytes(), content_type="text/csv")
    facts = {"state": "DE", "date": f"{path.name[:4]}-{path.name[4:6]}-{path.name[6:8]}", "kind": "general"}
    response = client.post(reverse("powermap:imports"), {"import": "results", "file": upload, **facts})
    assert response.status_code == 302
    assert run_pending_jobs() == 1
    job = Job.objects.filter(kind="elections.import_results").latest("pk")
    assert job.status == JobStatus.SUCCEEDED, job.error
    return job


@pytest.mark.django_db
def test_an_at_large_file_uploaded_by_staff_shows_its_statewide_races_on_the_state_page(client, personas):
    signed_in(client, personas.staff)
    job = upload_results(client, DE_DATA / "20161108__de__general__precinct.csv")
    assert job.attempts == 1 and job.result["skipped"] == {"total rows": 12}
    client.force_login(personas.volunteer)
    response = client.get(reverse("powermap:state", args=["de"]))
    assert response.status_code == 200
    text = response.content.decode()
    statewide = text.split('id="statewide"')[1].split('id="lines"')[0]
    for office in ("President of the United States", "U.S. House DE At-Large", "Delaware Governor",
                   "Delaware Lieutenant Governor"):  # fmt: skip
        assert f"<h3>{office}</h3>" in statewide
    # Ballot order: president, the House seat, governor, lieutenant governor.
    assert statewide.index("President of") < statewide.index("U.S. House") < statewide.index("Delaware Governor")
    assert 'Johnson G</td><td>Libertarian <small class="muted">(as written: LIBERTARIN)</small>' in statewide
    assert "Rochester</td><td>Democratic</td>" in statewide  # DEMOCRATIC is the same word, not shown twice
    assert '<td class="num">1,817</td><td>Won</td>' in statewide  # Rochester: 662 + 1,109 + 46
    index = client.get(reverse("powermap:index")).content.decode()
    assert 'href="/powermap/de/"' in index and '<td class="num">62</td>' in index  # 41 + 21 seats


@pytest.mark.django_db
def test_a_chamber_is_as_large_as_the_state_makes_it_not_as_the_seats_that_were_up(client, personas):
    signed_in(client, personas.staff)
    upload_results(client, DE_DATA / "20181106__de__general__precinct.csv")  # 5 of Delaware's 21 senate seats
    client.force_login(personas.volunteer)
    text = client.get(reverse("powermap:state", args=["de"])).content.decode()
    card = text.split("<h2>Delaware Senate</h2>")[1].split("</article>")[0]
    assert "21 seats · majority 11" in card
    assert "<strong>11</strong> seats to flip for a majority" in card
    assert "16 seats with no member on record" in card and "5 vacant" in card
    district = client.get(reverse("powermap:district", args=["ocd-division/country:us/state:de/sldu:6"]))
    history = district.content.decode().split('id="history"')[1]
    assert "Lopez E B</td><td>Republican</td>" in history

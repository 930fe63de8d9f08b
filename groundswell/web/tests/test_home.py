"""Each role's home page: what it shows, and that it reads in a fixed number of queries."""

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from groundswell.people.actions import PersonDetails, do_sign_up_person
from groundswell.people.models import Membership
from groundswell.web.dashboards import cumulative, months_to_show


def sign_up(chapter, n: int, *, days_ago: int = 0) -> None:
    """n people join the chapter through the public action, then their join date is moved back."""
    for i in range(n):
        person = do_sign_up_person(
            PersonDetails(
                first_name=f"P{i}", last_name=chapter.slug, emails=[f"{chapter.slug}{days_ago}.{i}@example.com"]
            ),
            chapter=chapter,
        ).person
        joined = timezone.localdate() - dt.timedelta(days=days_ago)
        Membership.objects.filter(person=person, chapter=chapter).update(joined_on=joined)


def chart_data(response: Any) -> dict[str, Any]:
    """The chart's data as the page hands it to charts.js (json_script)."""
    html = response.content.decode()
    opening = '<script id="growth-data" type="application/json">'
    start = html.index(opening) + len(opening)
    data: dict[str, Any] = json.loads(html[start : html.index("</script>", start)])
    return data


def test_cumulative_counts_fold_older_months_into_the_first():
    months = [dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1)]
    counts = {dt.date(2025, 6, 1): 4, dt.date(2026, 1, 1): 1, dt.date(2026, 3, 1): 5}
    assert cumulative(counts, months) == [5, 5, 10]


def test_months_to_show_spans_first_data_to_now_within_three_years():
    now = dt.date(2026, 11, 1)
    assert months_to_show(dt.date(2026, 9, 1), now)[0] == dt.date(2025, 12, 1)  # at least a year
    assert months_to_show(dt.date(2020, 1, 1), now)[0] == dt.date(2023, 12, 1)  # at most 36 months
    assert months_to_show(None, now)[-1] == now
    assert months_to_show(dt.date(2024, 5, 1), now)[0] == dt.date(2024, 4, 1)  # the month before the first data
    assert len(months_to_show(dt.date(2024, 5, 1), now)) == 32


@pytest.mark.django_db
def test_staff_home_shows_growth_members_by_chapter_recent_sign_ups_and_tool_links(personas, client: Client):
    sign_up(personas.chapter_a, 3, days_ago=400)
    sign_up(personas.chapter_b, 2, days_ago=5)
    client.force_login(personas.staff)
    response = client.get("/home/")
    html = response.content.decode()
    figures = response.context["figures"]
    assert (figures.members, figures.new_since) == (7, 4)  # the two personas' members joined today
    assert [(c.slug, c.member_count) for c in response.context["chapters"]] == [("pittsburgh", 4), ("providence", 3)]
    data = chart_data(response)
    assert [d["label"] for d in data["datasets"]] == ["Memberships", "Chapters"]
    members = data["datasets"][0]["data"]
    assert members[-1] == 7 and members[0] == 0
    assert 3 in members  # the three who joined 400 days ago, before the rest
    assert data["datasets"][1]["data"][-1] == 2
    assert len(data["labels"]) == len(members) >= 14
    assert "/people/duplicates/" in html and "/staff/audit/" in html and 'href="/people/"' in html
    assert "P0 providence" in html  # a recent sign-up
    assert 'canvas id="growth-chart"' in html and "chart.umd.min.js" in html and "charts.js" in html
    assert "<script>" not in html  # data travels as JSON, never as inline script


@pytest.mark.django_db
def test_coordinator_home_shows_only_their_states_chapters(personas, client: Client):
    sign_up(personas.chapter_b, 2, days_ago=3)
    client.force_login(personas.coordinator)
    response = client.get("/home/")
    assert [c.slug for c in response.context["chapters"]] == ["pittsburgh"]
    assert response.context["figures"].members == 1
    assert [d["label"] for d in chart_data(response)["datasets"]] == ["Memberships"]
    html = response.content.decode()
    assert "Pennsylvania" in html and "Providence Groundswell" not in html and "P0 providence" not in html


@pytest.mark.django_db
def test_leader_home_shows_their_chapter_members_growth_and_recent_sign_ups(personas, client: Client):
    sign_up(personas.chapter_a, 2, days_ago=2)
    sign_up(personas.chapter_a, 1, days_ago=90)
    sign_up(personas.chapter_b, 4, days_ago=1)
    client.force_login(personas.leader_a)
    response = client.get("/home/")
    assert [(c.slug, c.member_count) for c in response.context["chapters"]] == [("pittsburgh", 4)]
    assert response.context["figures"].new_since == 3
    assert [person.first_name for _, person in response.context["recent"]] == ["Maria", "P1", "P0"]
    assert chart_data(response)["datasets"][0]["data"][-1] == 4
    assert "providence" not in response.content.decode().lower()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "says"),
    [
        ("volunteer", "You volunteer with Pittsburgh Groundswell"),
        ("candidate", "Your candidacy"),
        ("partner", "Partner: Sunrise Allies"),
    ],
)
def test_volunteer_candidate_and_partner_get_a_short_page_without_figures(personas, client: Client, who, says):
    client.force_login(getattr(personas, who))
    html = client.get("/home/").content.decode()
    assert says in html
    assert "growth-chart" not in html and "Members by chapter" not in html and "chart.umd.min.js" not in html


@pytest.mark.django_db
@pytest.mark.parametrize(("who", "queries"), [("staff", 13), ("coordinator", 13), ("leader_a", 13), ("volunteer", 5)])
def test_home_pages_read_in_a_fixed_number_of_queries(
    personas, client: Client, django_assert_num_queries, who, queries
):
    sign_up(personas.chapter_a, 5, days_ago=40)
    sign_up(personas.chapter_b, 5, days_ago=4)
    client.force_login(getattr(personas, who))
    client.get("/home/")
    # session, user, role grants, live field assignments, then: chapters with counts, figures, recent
    # sign-ups with each person as the reader sees them (the owners of the reader's facts, then their
    # views; national reads the people themselves) and the audit entry of that read (an insert between
    # a savepoint and its release), members by month (and chapters by month for staff); a volunteer:
    # their chapters only.
    with django_assert_num_queries(queries):
        assert client.get("/home/").status_code == 200

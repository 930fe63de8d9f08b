"""In a real Chromium: a visitor finds a chapter by ZIP and joins; leaders see (or do not see) the new
member; the staff home page draws its chart."""

import re

import pytest

from conftest import sign_in
from groundswell.people.models import Person


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_visitor_finds_a_chapter_by_zip_joins_and_only_its_leader_sees_them(personas, page, live_server):
    page.goto(f"{live_server.url}/chapters/")
    page.get_by_label("ZIP code").fill("15213")
    page.get_by_role("button", name="Find chapters").click()
    page.get_by_role("link", name=re.compile("Pittsburgh Groundswell")).click()
    page.wait_for_url(f"{live_server.url}/chapters/pittsburgh/")

    page.get_by_label("First name").fill("Rosa")
    page.get_by_label("Last name").fill("Delgado")
    page.get_by_role("textbox", name="Email", exact=True).fill("rosa@example.com")
    page.get_by_label("Mobile phone (optional)").fill("412 555 0142")
    page.get_by_label("ZIP code").fill("15213")
    page.get_by_label(re.compile("Email me about")).check()
    page.get_by_role("button", name="Join the chapter").click()
    page.wait_for_url(f"{live_server.url}/chapters/pittsburgh/thanks/")
    assert page.get_by_role("heading", name="Welcome to Pittsburgh Groundswell!").is_visible()
    rosa = Person.objects.get(emails__address="rosa@example.com")

    sign_in(page, live_server, "leader.a@example.org")
    page.get_by_role("link", name="My chapters").click()
    page.get_by_role("link", name="Pittsburgh Groundswell").click()
    members = page.get_by_role("table", name="Members")
    assert members.get_by_role("link", name="Rosa Delgado").is_visible()
    members.get_by_role("link", name="Rosa Delgado").click()
    page.wait_for_url(f"{live_server.url}/people/{rosa.uid}/")
    assert page.get_by_role("heading", name="Rosa Delgado").is_visible()

    page.context.clear_cookies()
    sign_in(page, live_server, "leader.b@example.org")
    response = page.goto(f"{live_server.url}/people/{rosa.uid}/")
    assert response.status == 404
    response = page.goto(f"{live_server.url}/chapters/pittsburgh/manage/")
    assert response.status == 404


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_home_draws_the_growth_chart(personas, page, live_server):
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    sign_in(page, live_server, "staff@example.org")
    canvas = page.locator("canvas#growth-chart")
    assert canvas.is_visible()
    page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('growth-chart'))")
    labels = page.evaluate(
        "() => Chart.getChart(document.getElementById('growth-chart')).data.datasets.map(d => d.label)"
    )
    assert labels == ["Memberships", "Chapters"]
    # Something was drawn: the canvas is not all transparent pixels.
    painted = page.evaluate(
        """() => {
            const canvas = document.getElementById('growth-chart');
            const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
            let painted = 0;
            for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) painted++;
            return painted;
        }"""
    )
    assert painted > 1000
    assert errors == []

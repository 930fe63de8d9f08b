"""The webhook pages in a real Chromium: make one, see its secret once, read its delivery log, replay."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from conftest import sign_in
from groundswell.core.jobs import run_pending_jobs
from groundswell.people.actions import PersonDetails, do_save_person
from groundswell.webhooks.actions import do_create_subscription
from groundswell.webhooks.models import Delivery, Subscription

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shoot(page: Any, name: str) -> None:
    """Keep a screenshot where WEBHOOK_SCREENSHOTS says (for a person to look at), if it says."""
    folder = os.environ.get("WEBHOOK_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


def _sign_up(first: str, personas: Any) -> None:
    details = PersonDetails(first_name=first, last_name="Tester", emails=[f"{first.lower()}@example.net"])
    do_save_person(details, source="test", actor=personas.leader_a, chapter=personas.chapter_a)


def test_staff_make_a_webhook_see_the_secret_once_and_replay_a_delivery(
    page, live_server, personas, receiver, closed_port_url, settings
):
    settings.WEBHOOK_PAUSE_AFTER_FAILURES = 4
    down, _ = do_create_subscription(
        url=closed_port_url, event_types=["person.created"], description="Old CRM", actor=personas.staff
    )
    sign_in(page, live_server, personas.staff.email)
    page.goto(f"{live_server.url}/webhooks/new/")
    page.get_by_label("URL").fill(receiver.url)
    page.get_by_label("Description").fill("Volunteer CRM")
    page.get_by_label("person.created", exact=False).check()
    page.get_by_label("tagging.created", exact=False).check()
    _shoot(page, "webhook-new")
    page.get_by_role("button", name="Make the webhook").click()
    made = Subscription.objects.get(description="Volunteer CRM")
    page.wait_for_url(f"{live_server.url}/webhooks/{made.pk}/")
    assert page.locator("#webhook-secret").inner_text() == made.secret
    _shoot(page, "webhook-secret")

    receiver.status = 503
    _sign_up("Ada", personas)
    run_pending_jobs()
    receiver.status = 200
    _sign_up("Grace", personas)
    run_pending_jobs()
    page.reload()
    assert page.locator("#webhook-secret").count() == 0  # shown once
    rows = page.locator("tbody tr")
    assert rows.count() == 2
    assert "Failed" in rows.nth(1).inner_text() and "503" in rows.nth(1).inner_text()
    assert "Succeeded" in rows.nth(0).inner_text() and "ms" in rows.nth(0).inner_text()
    _shoot(page, "webhook-log")

    failed = Delivery.objects.get(subscription=made, status="failed")
    page.get_by_role("button", name=f"Replay delivery {failed.pk}").click()
    page.wait_for_url(f"{live_server.url}/webhooks/{made.pk}/")
    run_pending_jobs()
    page.reload()
    failed.refresh_from_db()
    assert failed.status == "succeeded"
    assert "replay: 200" in page.locator("tbody tr").nth(1).inner_text()
    _shoot(page, "webhook-replayed")

    down.refresh_from_db()  # the old CRM never answered: retried, failed, and paused after 4 in a row
    assert down.status == "paused"
    page.goto(f"{live_server.url}/webhooks/")
    assert page.get_by_role("link", name=receiver.url).count() == 1
    assert "Paused" in page.locator("tbody tr", has_text="Old CRM").inner_text()
    _shoot(page, "webhook-list")

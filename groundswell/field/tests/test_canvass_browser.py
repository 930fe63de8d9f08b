"""The canvassing page in a real Chromium: offline recording survives a reload and syncs exactly once."""

from __future__ import annotations

import pytest

from conftest import sign_in
from groundswell.field.actions import do_cut_turfs
from groundswell.field.models import Contact
from groundswell.field.tests.conftest import assign


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_ten_results_recorded_offline_survive_a_reload_and_sync_once(page, live_server, voter_list, campaign, personas):
    turf = next(t for t in do_cut_turfs(voter_list, campaign, target=15, unit="voters", actor=personas.staff)
                if t.voter_count >= 10)  # fmt: skip
    assign(turf, personas.volunteer, personas.staff)
    sign_in(page, live_server, personas.volunteer.email)
    page.goto(f"{live_server.url}/field/canvass/{turf.pk}/")
    page.wait_for_selector("body[data-ready=offline-ready]")
    page.wait_for_function("navigator.serviceWorker.controller !== null")

    page.context.set_offline(True)
    people = page.locator("button.person")
    for index in range(10):
        people.nth(index).click()
        page.get_by_role("button", name="Not home", exact=True).click()
        page.wait_for_selector(f"#sync-status[data-waiting='{index + 1}']")
    assert page.locator("#sync-status").inner_text() == "Offline · 10 results waiting to sync"
    assert Contact.objects.count() == 0

    page.reload()
    page.wait_for_selector("button.person")
    page.wait_for_selector("#sync-status[data-waiting='10']")
    assert "10 results waiting to sync" in page.locator("#sync-status").inner_text()
    assert page.locator("button.person.done").count() == 10

    page.context.set_offline(False)
    page.wait_for_selector("#sync-status[data-waiting='0']")
    contacts = Contact.objects.filter(turf=turf)
    assert contacts.count() == 10
    assert set(contacts.values_list("result", flat=True)) == {"not_home"}
    assert set(contacts.values_list("canvasser", flat=True)) == {personas.volunteer.pk}
    first_ten = [v["id"] for d in turf.doors for u in d["units"] for v in u["voters"]][:10]
    assert sorted(contacts.values_list("voter_id", flat=True)) == sorted(first_ten)

"""The canvassing page in a real Chromium: offline recording survives a reload and syncs exactly once; results
the server refuses stay on the phone and the status line says so."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import sign_in
from groundswell.field.actions import do_cut_turfs
from groundswell.field.models import Contact
from groundswell.field.tests.conftest import assign


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_ten_results_recorded_offline_survive_a_reload_and_sync_once(page, live_server, voter_list, campaign, personas):
    turf = next(t for t in do_cut_turfs(voter_list, campaign, target=15, unit="voters", actor=personas.staff).turfs
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


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_results_refused_after_the_assignment_expired_stay_on_the_phone_and_are_named(
    page, live_server, voter_list, campaign, personas
):
    turf = next(t for t in do_cut_turfs(voter_list, campaign, target=15, unit="voters", actor=personas.staff).turfs
                if t.voter_count >= 2)  # fmt: skip
    assignment = assign(turf, personas.volunteer, personas.staff)
    sign_in(page, live_server, personas.volunteer.email)
    page.goto(f"{live_server.url}/field/canvass/{turf.pk}/")
    page.wait_for_selector("body[data-ready=offline-ready]")

    page.context.set_offline(True)
    people = page.locator("button.person")
    for index in range(2):
        people.nth(index).click()
        page.get_by_role("button", name="Not home", exact=True).click()
        page.wait_for_selector(f"#sync-status[data-waiting='{index + 1}']")
    assignment.expires_at = timezone.now() - timedelta(minutes=1)  # the shift ended before the phone was back
    assignment.save(update_fields=["expires_at"])

    page.context.set_offline(False)
    page.wait_for_selector("#sync-status[data-waiting='0']")
    status = page.locator("#sync-status").inner_text()
    assert "2 refused by the server: contact 1: no live assignment of this turf or call list to you" in status
    assert "waiting" in (page.locator("#sync-status").get_attribute("class") or "")  # not the green "synced" bar
    kept = page.evaluate(REFUSED_ON_THE_PHONE)
    first_two = [v["id"] for d in turf.doors for u in d["units"] for v in u["voters"]][:2]
    assert sorted(r["voter_id"] for r in kept) == sorted(first_two)
    assert all("no live assignment" in r["error"] and r["result"] == "not_home" for r in kept)
    assert page.locator("button.person.done").count() == 2  # still shown as recorded on the phone
    assert not Contact.objects.exists()


# What the page keeps in IndexedDB for results the server refused (field.js's "refused" store).
REFUSED_ON_THE_PHONE = """() => new Promise((resolve, reject) => {
  const open = indexedDB.open("groundswell-field");
  open.onsuccess = () => {
    const read = open.result.transaction("refused").objectStore("refused").getAll();
    read.onsuccess = () => resolve(read.result);
    read.onerror = () => reject(read.error);
  };
  open.onerror = () => reject(open.error);
})"""

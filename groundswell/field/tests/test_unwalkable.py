"""Voters nobody can knock for: turf cutting leaves them off and the organizer is told, by reason."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from groundswell.core.models import AuditEntry, AuditEvent
from groundswell.field import walk
from groundswell.field.actions import FieldError, do_cut_turfs, do_save_campaign
from groundswell.field.models import CallList, DoNotContact, Turf, TurfCut
from groundswell.field.walk import NO_ADDRESS, WITHHELD, left_off_text, unwalkable_reason, walkable
from groundswell.voterfile.importing import import_file
from groundswell.voterfile.store import VoterStore
from groundswell.voterfile.targeting import Universe
from groundswell.voterfile.tests.test_importing import header, voter_row, write
from groundswell.voters import engine as voter_engine
from groundswell.voters.actions import Target, do_freeze_list, do_save_universe
from groundswell.voters.selectors import Workspace


def door(address: str, number: int | None = None, voters: int = 1) -> walk.Door:
    units = [{"apartment": None, "voters": [{"id": f"{address}-{i}", "name": "A B"} for i in range(voters)]}]
    return {"key": address, "street": address, "side": "even", "house_number": number, "address": address,
            "units": units}  # fmt: skip


@pytest.mark.parametrize(("address", "number", "reason"), [
    ("12 OAK ST", 12, None),
    ("OLD FARM RD", None, None),  # a road with no house number: a canvasser who knows it can find the house
    ("PO BOX 5", None, walk.NOT_WALKABLE_BOX),
    ("P O BOX 12", None, walk.NOT_WALKABLE_BOX),
    ("RR 2 BOX 15", None, walk.NOT_WALKABLE_BOX),
    (WITHHELD, None, walk.NOT_WALKABLE_WITHHELD),
    (NO_ADDRESS, None, walk.NOT_WALKABLE_NO_ADDRESS),
])  # fmt: skip
def test_a_door_is_knockable_unless_it_is_a_box_withheld_or_missing(address, number, reason):
    assert unwalkable_reason(door(address, number)) == reason


def test_walkable_keeps_the_order_and_counts_the_voters_left_off_by_reason():
    doors = [door("1 ELM ST", 1), door(WITHHELD, voters=3), door("OLD FARM RD"), door("PO BOX 5", voters=2)]
    kept, left, left_ids = walkable(doors)
    assert [d["address"] for d in kept] == ["1 ELM ST", "OLD FARM RD"]
    assert left == {walk.NOT_WALKABLE_WITHHELD: 3, walk.NOT_WALKABLE_BOX: 2}
    assert left_ids == [f"{WITHHELD}-0", f"{WITHHELD}-1", f"{WITHHELD}-2", "PO BOX 5-0", "PO BOX 5-1"]
    assert left_off_text(left) == (
        "5 voters are on no turf, with no door to knock (address withheld by the state: 3; "
        "a post office or rural route box: 2)."
    )
    assert left_off_text({walk.NOT_WALKABLE_BOX: 1}).startswith("1 voter is on no turf")
    assert left_off_text({}) == ""
    # once it is known how many of them have a phone, it says so
    phones = {n: left_off_text(left, n).rsplit("): ", 1)[1] for n in (0, 1, 2, 5)}
    assert phones == {
        0: "none of them has a phone on file.",
        1: "1 of them has a phone on file.",
        2: "2 of them have a phone on file.",
        5: "all 5 have a phone on file.",
    }
    one = {walk.NOT_WALKABLE_BOX: 1}
    assert left_off_text(one, 0).endswith("): the voter has no phone on file.")
    assert left_off_text(one, 1).endswith("): the voter has a phone on file.")


ADDRESSES = {
    "AA1": "13 OAK ST", "AA2": "PO BOX 5", "AA3": "12 OAK ST", "AA4": "REMOVED", "AA5": "REMOVED",
    "AA6": "RR 2 BOX 15", "AA7": "OLD FARM RD", "AA8": "", "AA9": "11 OAK ST APT 2",
}  # fmt: skip


def frozen_list(settings, tmp_path, personas, addresses, phones=None):
    """A frozen list of one precinct's voters: voter id -> address as the state's file gives it (and, given
    ``phones``, voter id -> phone, none for the others)."""
    settings.VOTER_DB_PATH = tmp_path / "voters.duckdb"
    voter_engine.close_all()
    cells = {v: {"res_street_address": a} | ({"full_phone_number": phones.get(v, "")} if phones is not None else {})
             for v, a in addresses.items()}  # fmt: skip
    lines = [header()] + [voter_row(v, **cells[v]) for v in addresses]
    import_file(VoterStore(tmp_path / "voters" / "NC" / "voters.duckdb"), write(tmp_path / "nc.txt", lines), "ncvoter")
    universe = do_save_universe(
        Workspace("NC"), Target(Universe.from_dict({"counties": [92]})), name="Oak St", actor=personas.staff
    )
    return do_freeze_list(universe, name="Oak St, frozen", actor=personas.staff)


@pytest.fixture
def crafted_list(settings, tmp_path, personas):
    """A frozen list of one precinct whose file holds every kind of address a walk list meets."""
    yield frozen_list(settings, tmp_path, personas, ADDRESSES)
    voter_engine.close_all()


@pytest.mark.django_db
def test_cutting_turfs_leaves_doors_nobody_can_knock_off_and_tells_the_organizer(crafted_list, campaign, personas):
    client = Client()
    client.force_login(personas.staff)
    url = reverse("field:turfs-cut", args=[campaign.pk])
    response = client.post(url, {"voter_list": crafted_list.pk, "target": 40, "unit": "doors"}, follow=True)
    assert response.status_code == 200
    said = (
        "Cut 1 turf from Oak St, frozen. 5 voters are on no turf, with no door to knock (a post office or rural "
        "route box: 2; address withheld by the state: 2; no street address on file: 1): all 5 have a phone on file."
    )
    assert said in response.content.decode()
    turf = Turf.objects.get(campaign=campaign)
    assert sorted(turf.voter_ids) == ["AA1", "AA3", "AA7", "AA9"]
    assert [d["address"] for d in turf.doors] == ["11 OAK ST", "13 OAK ST", "12 OAK ST", "OLD FARM RD"]
    cut = TurfCut.objects.get(campaign=campaign, voter_list=crafted_list)
    assert (cut.target, cut.unit) == (40, "doors")
    assert cut.left_off == {
        walk.NOT_WALKABLE_WITHHELD: 2, walk.NOT_WALKABLE_BOX: 2, walk.NOT_WALKABLE_NO_ADDRESS: 1,
    }  # fmt: skip
    assert sorted(cut.left_off_ids) == ["AA2", "AA4", "AA5", "AA6", "AA8"] and cut.left_off_with_phone == 5
    audit = AuditEntry.objects.get(event_type=AuditEvent.FIELD_TURFS_CUT)
    assert audit.details["left_off"] == cut.left_off and audit.details["voters"] == 4
    # the campaign page keeps saying it after the message is gone, with a way to reach them
    page = client.get(reverse("field:campaign", args=[campaign.pk])).content.decode()
    assert f"From Oak St, frozen: {cut.left_off_text}" in page
    assert reverse("field:left-off-call-list", args=[campaign.pk, cut.pk]) in page
    # the list cannot be cut again for the campaign, turfs or not
    again = client.post(url, {"voter_list": crafted_list.pk, "target": 40, "unit": "doors"})
    assert again.status_code == 400 and "already cut" in again.content.decode()


@pytest.mark.django_db
def test_a_list_with_no_door_to_knock_makes_no_turf_and_cannot_be_cut_again(settings, tmp_path, campaign, personas):
    voter_list = frozen_list(settings, tmp_path, personas, {"AD1": "REMOVED", "AD2": "PO BOX 9", "AD3": ""})
    made = do_cut_turfs(voter_list, campaign, target=40, unit="doors", actor=personas.staff)
    assert made.turfs == [] and sum(made.cut.left_off.values()) == 3
    # no turf to find: the record's constraint refuses the second cut, as it does one running at the same time
    with pytest.raises(FieldError, match="already cut"):
        do_cut_turfs(voter_list, campaign, target=10, unit="voters", actor=personas.staff)
    assert list(TurfCut.objects.values_list("target", flat=True)) == [40]
    assert AuditEntry.objects.filter(event_type=AuditEvent.FIELD_TURFS_CUT).count() == 1
    voter_engine.close_all()


@pytest.mark.django_db
def test_the_voters_left_off_become_a_call_list_of_those_who_can_be_called(
    settings, tmp_path, campaign, personas
):  # fmt: skip
    addresses = {"AE1": "1 ELM ST", "AE2": "PO BOX 5", "AE3": "REMOVED", "AE4": "RR 2 BOX 15", "AE5": ""}
    phones = {"AE1": "9195550101", "AE2": "9195550102", "AE4": "9195550104", "AE5": "9195550105"}
    voter_list = frozen_list(settings, tmp_path, personas, addresses, phones)
    DoNotContact.objects.create(state="NC", voter_id="AE4", reason="asked at the door")
    cut = do_cut_turfs(voter_list, campaign, target=40, unit="doors", actor=personas.staff).cut
    client = Client()
    client.force_login(personas.staff)
    url = reverse("field:left-off-call-list", args=[campaign.pk, cut.pk])
    page = client.get(reverse("field:campaign", args=[campaign.pk])).content.decode()
    assert "2 of them have a phone on file." in page and url in page
    page = client.post(url, follow=True).content.decode()
    assert "Made the call list Oak St, frozen: no door to knock with 2 of the 4 voters left off the turfs" in page
    made = CallList.objects.get(campaign=campaign)
    # the box and the voter with no address on file; never the confidential voter with no phone, nor the one
    # who asked not to be contacted, nor the voter at a door on a turf
    assert sorted(e["voter_id"] for e in made.entries) == ["AE2", "AE5"]
    assert (made.voter_list, made.entry_count, made.method) == (voter_list, 2, "phone")
    audit = AuditEntry.objects.get(event_type=AuditEvent.FIELD_CALL_LIST_MADE)
    assert audit.details["source"] == "the voters turf cutting left off Oak St, frozen"
    # a volunteer, or a cut asked for under another campaign, finds nothing
    other = do_save_campaign(name="Other", state="NC", chapter=None, actor=personas.staff)
    assert client.post(reverse("field:left-off-call-list", args=[other.pk, cut.pk])).status_code == 404
    client.force_login(personas.volunteer)
    assert client.post(url).status_code == 404
    assert CallList.objects.count() == 1
    voter_engine.close_all()


@pytest.mark.django_db
def test_no_call_list_when_none_of_the_voters_left_off_can_be_called(settings, tmp_path, campaign, personas):
    voter_list = frozen_list(settings, tmp_path, personas, {"AF1": "REMOVED", "AF2": "PO BOX 9"}, phones={})
    cut = do_cut_turfs(voter_list, campaign, target=40, unit="doors", actor=personas.staff).cut
    client = Client()
    client.force_login(personas.staff)
    url = reverse("field:left-off-call-list", args=[campaign.pk, cut.pk])
    page = client.get(reverse("field:campaign", args=[campaign.pk])).content.decode()
    assert "none of them has a phone on file." in page and "Make a call list of them" not in page
    # asked for all the same (the page was open before), it says why there is none
    page = client.post(url, follow=True).content.decode()
    assert "none of the 2 voters left off the turfs of Oak St, frozen can be called" in page
    assert not CallList.objects.exists()
    voter_engine.close_all()

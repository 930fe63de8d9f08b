"""Voters nobody can knock for: turf cutting leaves them off and the organizer is told, by reason."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from groundswell.core.models import AuditEntry, AuditEvent
from groundswell.field import walk
from groundswell.field.actions import FieldError, do_cut_turfs
from groundswell.field.models import Turf, TurfCut
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
    kept, left = walkable(doors)
    assert [d["address"] for d in kept] == ["1 ELM ST", "OLD FARM RD"]
    assert left == {walk.NOT_WALKABLE_WITHHELD: 3, walk.NOT_WALKABLE_BOX: 2}
    assert left_off_text(left) == (
        "5 voters are on no turf, with no door to knock (address withheld by the state: 3; "
        "a post office or rural route box: 2): reach them by phone or mail."
    )
    assert left_off_text({walk.NOT_WALKABLE_BOX: 1}).startswith("1 voter is on no turf")
    assert left_off_text({}) == ""


ADDRESSES = {
    "AA1": "13 OAK ST", "AA2": "PO BOX 5", "AA3": "12 OAK ST", "AA4": "REMOVED", "AA5": "REMOVED",
    "AA6": "RR 2 BOX 15", "AA7": "OLD FARM RD", "AA8": "", "AA9": "11 OAK ST APT 2",
}  # fmt: skip


def frozen_list(settings, tmp_path, personas, addresses):
    """A frozen list of one precinct's voters: voter id -> address as the state's file gives it."""
    settings.VOTER_DB_PATH = tmp_path / "voters.duckdb"
    voter_engine.close_all()
    lines = [header()] + [voter_row(v, res_street_address=a) for v, a in addresses.items()]
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
        "route box: 2; address withheld by the state: 2; no street address on file: 1): reach them by phone or "
        "mail."
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
    audit = AuditEntry.objects.get(event_type=AuditEvent.FIELD_TURFS_CUT)
    assert audit.details["left_off"] == cut.left_off and audit.details["voters"] == 4
    # the campaign page keeps saying it after the message is gone
    page = client.get(reverse("field:campaign", args=[campaign.pk])).content.decode()
    assert f"From Oak St, frozen: {cut.left_off_text}" in page
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

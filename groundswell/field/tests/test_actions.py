"""Turfs, control groups, call lists, assignments and contact sync on a real voter store and database."""

from __future__ import annotations

import base64
import json
import re
import threading
import time
import uuid
import zlib
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from groundswell.core.models import AuditEntry, AuditEvent
from groundswell.field import voterdata
from groundswell.field.actions import (
    FieldError,
    do_assign,
    do_cut_turfs,
    do_hold_out_control_group,
    do_make_call_list,
    do_print_walk_sheet,
    do_revoke_assignment,
    do_submit_contacts,
)
from groundswell.field.canvass import turf_data
from groundswell.field.models import Contact, ControlVoter, DoNotContact, Turf
from groundswell.field.selectors import current_script
from groundswell.field.tests.conftest import assign
from groundswell.field.walk import NO_ADDRESS, WITHHELD, block_face, voters_at
from groundswell.people.actions import PersonDetails, do_save_person
from groundswell.voters import engine as voter_engine

pytestmark = pytest.mark.django_db


def _cut(voter_list, campaign, personas, target=12, unit="doors"):
    return do_cut_turfs(voter_list, campaign, target=target, unit=unit, actor=personas.staff).turfs


def test_turfs_cover_the_list_keep_faces_whole_and_fit_the_target(voter_list, campaign, personas):
    turfs = _cut(voter_list, campaign, personas, target=12)
    listed = set(voterdata.list_voter_ids(voter_list.path))
    in_turfs = [v for t in turfs for v in t.voter_ids]
    assert sorted(in_turfs) == sorted(listed), "every voter of the list in exactly one turf"
    face_turf = {}
    for turf in turfs:
        faces = {block_face(d) for d in turf.doors}
        assert turf.door_count <= 12 or len(faces) == 1
        assert turf.door_count == len(turf.doors) and turf.voter_count == len(turf.voter_ids)
        for face in faces:
            assert face_turf.setdefault((turf.precinct, face), turf.pk) == turf.pk, "a block face was split"
        units = [(d["key"], u["apartment"]) for d in turf.doors for u in d["units"]]
        assert len(units) == len(set(units)), "a household appears twice"
    assert sum(t.door_count for t in turfs) / len(turfs) > 6  # packed, not one face per turf


def test_turf_doors_follow_the_engines_walk_order(voter_list, campaign, personas):
    turf = _cut(voter_list, campaign, personas, target=40)[0]
    with voter_engine.using_engine("NC") as engine:
        order = [v.voter_id for door in voterdata.walk_doors(engine, turf.precinct) for v in door.voters]
    position = {v: i for i, v in enumerate(order)}
    assert [position[v] for v in turf.voter_ids] == sorted(position[v] for v in turf.voter_ids)
    streets = [d["street"] for d in turf.doors]
    assert streets == sorted(streets)
    for street in set(streets):
        sides = [d["side"] for d in turf.doors if d["street"] == street]
        assert sides == sorted(sides, reverse=True)  # odd side first, then even
        odd = [d["house_number"] for d in turf.doors if d["street"] == street and d["side"] == "odd"]
        even = [d["house_number"] for d in turf.doors if d["street"] == street and d["side"] == "even"]
        assert odd == sorted(odd) and even == sorted(even, reverse=True)


def test_control_group_is_seeded_recorded_and_never_cut_or_called(voter_list, campaign, personas):
    group = do_hold_out_control_group(voter_list, 0.2, 99, actor=personas.staff)
    held = set(ControlVoter.objects.filter(control_group=group).values_list("voter_id", flat=True))
    assert group.held_out == len(held) == round(0.2 * voter_list.voter_count) and group.seed == 99
    audit = AuditEntry.objects.get(event_type=AuditEvent.FIELD_CONTROL_GROUP_HELD_OUT)
    assert audit.details["seed"] == 99 and audit.details["share"] == 0.2
    turfs = _cut(voter_list, campaign, personas)
    assert not held & {v for t in turfs for v in t.voter_ids}
    calls = do_make_call_list(campaign, name="Calls", kind="voters", voter_list=voter_list, actor=personas.staff)
    assert calls.entry_count > 0 and not held & {e["voter_id"] for e in calls.entries}
    with pytest.raises(FieldError, match="already has one"):
        do_hold_out_control_group(voter_list, 0.1, 1, actor=personas.staff)


def test_call_lists_have_phones_and_never_anyone_who_opted_out(voter_list, campaign, personas):
    first = do_make_call_list(campaign, name="All", kind="voters", voter_list=voter_list, actor=personas.staff)
    assert all(e["phone"] for e in first.entries)
    refuser, by_phone = first.entries[0], first.entries[1]
    DoNotContact.objects.create(state="NC", voter_id=refuser["voter_id"], reason="asked at the door")
    DoNotContact.objects.create(phone=by_phone["phone"], reason="replied STOP")
    second = do_make_call_list(campaign, name="Again", kind="voters", voter_list=voter_list, actor=personas.staff)
    ids = {e["voter_id"] for e in second.entries}
    assert refuser["voter_id"] not in ids and by_phone["voter_id"] not in ids
    assert second.entry_count == first.entry_count - 2


def test_member_call_lists_skip_opt_outs_and_texts_need_consent(personas):
    from groundswell.field.actions import do_save_campaign

    campaign = do_save_campaign(name="Member calls", state="PA", chapter=personas.chapter_a, actor=personas.leader_a)
    with_phone, _ = do_save_person(PersonDetails(first_name="Pia", last_name="Phone", phones=["+14125550101"]),
                                   source="test", actor=None, chapter=personas.chapter_a)  # fmt: skip
    out, _ = do_save_person(PersonDetails(first_name="Otto", last_name="Out", phones=["+14125550102"]),
                            source="test", actor=None, chapter=personas.chapter_a)  # fmt: skip
    DoNotContact.objects.create(person=out, reason="asked")
    calls = do_make_call_list(campaign, name="Members", kind="members", actor=personas.leader_a)
    assert [e["person_id"] for e in calls.entries] == [with_phone.pk]
    texts = do_make_call_list(campaign, name="Texts", kind="members", method="text", actor=personas.leader_a)
    assert texts.entries == []  # nobody agreed to SMS


def _item(turf, voter_id, **extra):
    return {"uuid": str(uuid.uuid4()), "turf": turf.pk, "voter_id": voter_id, "method": "door",
            "result": "not_home", **extra}  # fmt: skip


def test_the_same_phone_id_twice_makes_one_contact_and_the_same_receipt(voter_list, campaign, personas):
    turf = _cut(voter_list, campaign, personas)[0]
    assign(turf, personas.volunteer, personas.staff)
    item = _item(turf, turf.voter_ids[0])
    first = do_submit_contacts([item], actor=personas.volunteer)
    again = do_submit_contacts([item, item], actor=personas.volunteer)
    assert Contact.objects.filter(client_uuid=item["uuid"]).count() == 1
    assert first.receipts == again.receipts and first.created == 1 and again.created == 0
    assert AuditEntry.objects.filter(event_type=AuditEvent.FIELD_CONTACTS_RECORDED).count() == 1


def test_contacts_are_ordered_by_the_servers_receipt_not_the_phones_clock(voter_list, campaign, personas):
    turf = _cut(voter_list, campaign, personas)[0]
    assign(turf, personas.volunteer, personas.staff)
    early_phone = (timezone.now() - timedelta(days=3)).isoformat()
    late_phone = (timezone.now() + timedelta(days=3)).isoformat()
    a = _item(turf, turf.voter_ids[0], recorded_at=late_phone)
    b = _item(turf, turf.voter_ids[1], recorded_at=early_phone)
    do_submit_contacts([a], actor=personas.volunteer)
    do_submit_contacts([b], actor=personas.volunteer)
    ordered = list(turf.contacts.order_by("received_at", "id").values_list("client_uuid", flat=True))
    assert [str(u) for u in ordered] == [a["uuid"], b["uuid"]]
    assert list(Contact.objects.all()) == list(Contact.objects.order_by("received_at", "id"))
    assert Contact.objects.get(client_uuid=b["uuid"]).client_recorded_at < Contact.objects.get(
        client_uuid=a["uuid"]).client_recorded_at  # kept, but not used for order  # fmt: skip


def test_answers_are_checked_against_the_script(voter_list, campaign, personas):
    turf = _cut(voter_list, campaign, personas)[0]
    assign(turf, personas.volunteer, personas.staff)
    script = current_script(campaign)
    good = _item(turf, turf.voter_ids[0], result="contacted", script=script.pk,
                 answers={"support": "1", "m4a": "for", "pledge": "yes"})  # fmt: skip
    bad = _item(turf, turf.voter_ids[1], result="contacted", script=script.pk, answers={"support": 9})
    unknown = _item(turf, turf.voter_ids[2], result="contacted", script=script.pk, answers={"shoe": 9})
    outsider = _item(turf, "NOT-A-VOTER")
    outcome = do_submit_contacts([good, bad, unknown, outsider], actor=personas.volunteer)
    assert Contact.objects.get(client_uuid=good["uuid"]).answers == {"support": 1, "m4a": "for", "pledge": "yes"}
    assert "contact 2: answers.support" in outcome.errors[bad["uuid"]]
    assert "no such question shoe" in outcome.errors[unknown["uuid"]]
    assert "not a voter of this turf" in outcome.errors[outsider["uuid"]]
    assert Contact.objects.count() == 1


def test_no_submission_without_a_live_assignment(voter_list, campaign, personas):
    turf = _cut(voter_list, campaign, personas)[0]
    outcome = do_submit_contacts([_item(turf, turf.voter_ids[0])], actor=personas.volunteer)
    assert "no live assignment" in next(iter(outcome.errors.values()))
    assignment = assign(turf, personas.volunteer, personas.staff)
    do_revoke_assignment(assignment, actor=personas.staff)
    outcome = do_submit_contacts([_item(turf, turf.voter_ids[0])], actor=personas.volunteer)
    assert outcome.errors and not Contact.objects.exists()


def test_volunteer_sees_only_their_live_assignment(voter_list, campaign, personas):
    first, second = _cut(voter_list, campaign, personas)[:2]
    assignment = assign(first, personas.volunteer, personas.staff)
    client = Client()
    client.force_login(personas.volunteer)
    assert client.get(reverse("field:canvass", args=[first.pk])).status_code == 200
    data = client.get(reverse("field:canvass-data", args=[first.pk]))
    assert data.status_code == 200 and data.json()["stops"][0]["title"] == first.doors[0]["address"]
    assert AuditEntry.objects.filter(event_type=AuditEvent.FIELD_TURF_OPENED, actor=personas.volunteer).exists()
    assert client.get(reverse("field:canvass", args=[second.pk])).status_code == 404  # not theirs
    assert client.get(reverse("field:canvass-data", args=[second.pk])).status_code == 404
    assert client.get(reverse("field:turf-sheet", args=[first.pk])).status_code == 404  # never an export
    assert client.get(reverse("field:turf", args=[first.pk])).status_code == 404
    Turf.objects.filter(pk=first.pk)  # the expiry passes:
    assignment.expires_at = timezone.now() - timedelta(seconds=1)
    assignment.save(update_fields=["expires_at"])
    assert client.get(reverse("field:canvass", args=[first.pk])).status_code == 404
    assert client.get(reverse("field:canvass-data", args=[first.pk])).status_code == 404
    other = Client()
    other.force_login(personas.leader_b)
    assert other.get(reverse("field:canvass-data", args=[first.pk])).status_code == 404


def test_sync_endpoint_is_idempotent_over_http(voter_list, campaign, personas, django_assert_num_queries):
    turf = _cut(voter_list, campaign, personas)[0]
    assign(turf, personas.volunteer, personas.staff)
    client = Client()
    client.force_login(personas.volunteer)
    body = json.dumps({"contacts": [_item(turf, v) for v in turf.voter_ids[:5]]})
    # Session, user, savepoint, live assignments, then on PostgreSQL one statement that inserts, answers the
    # receipts and writes the audit entry (SQLite: insert, receipts, audit), release.
    with django_assert_num_queries(SYNC_QUERIES[connection.vendor]):
        first = client.post(reverse("field:contacts-sync"), body, content_type="application/json")
    again = client.post(reverse("field:contacts-sync"), body, content_type="application/json")
    assert first.status_code == again.status_code == 200
    assert first.json()["receipts"] == again.json()["receipts"] and again.json()["created"] == 0
    assert Contact.objects.count() == 5
    assert AuditEntry.objects.get(event_type=AuditEvent.FIELD_CONTACTS_RECORDED).details["contacts"] == sorted(
        r["id"] for r in first.json()["receipts"].values()
    )


def test_asking_not_to_be_contacted_is_recorded_once_with_the_contact_and_the_phone(voter_list, campaign, personas):
    turf = _cut(voter_list, campaign, personas)[0]
    calls = do_make_call_list(campaign, name="Calls", kind="voters", voter_list=voter_list, actor=personas.staff)
    assign(turf, personas.volunteer, personas.staff)
    do_assign(personas.volunteer, expires_at=timezone.now() + timedelta(hours=1), call_list=calls,
              actor=personas.staff)  # fmt: skip
    entry = calls.entries[0]
    at_door = _item(turf, turf.voter_ids[0], do_not_contact=True)
    on_phone = {"uuid": str(uuid.uuid4()), "call_list": calls.pk, "voter_id": entry["voter_id"], "method": "phone",
                "result": "refused", "do_not_contact": True}  # fmt: skip
    first = do_submit_contacts([at_door, on_phone], actor=personas.volunteer)
    again = do_submit_contacts([at_door, on_phone], actor=personas.volunteer)
    assert first.errors == {} and first.created == 2 and again.created == 0
    stored = {d.voter_id: d for d in DoNotContact.objects.all()}
    assert set(stored) == {turf.voter_ids[0], entry["voter_id"]}  # once each, though sent twice
    assert stored[turf.voter_ids[0]].contact_id == first.receipts[at_door["uuid"]]["id"]
    assert stored[turf.voter_ids[0]].phone == "" and stored[turf.voter_ids[0]].state == "NC"
    assert stored[entry["voter_id"]].phone == entry["phone"]
    assert stored[entry["voter_id"]].contact_id == first.receipts[on_phone["uuid"]]["id"]


SYNC_QUERIES = {"postgresql": 6, "sqlite": 8}


def test_sync_refuses_results_once_the_assignment_expired_and_keeps_the_rest(voter_list, campaign, personas):
    expired_turf, live_turf = _cut(voter_list, campaign, personas)[:2]
    expiring = assign(expired_turf, personas.volunteer, personas.staff)
    assign(live_turf, personas.volunteer, personas.staff)
    expiring.expires_at = timezone.now() - timedelta(seconds=1)  # the shift ended while the phone was offline
    expiring.save(update_fields=["expires_at"])
    client = Client()
    client.force_login(personas.volunteer)
    late = [_item(expired_turf, v) for v in expired_turf.voter_ids[:2]]
    refused = client.post(reverse("field:contacts-sync"), json.dumps({"contacts": late}),
                          content_type="application/json")  # fmt: skip
    assert refused.status_code == 400
    assert refused.json()["receipts"] == {} and refused.json()["created"] == 0
    assert refused.json()["errors"] == {
        item["uuid"]: f"contact {n}: no live assignment of this turf or call list to you"
        for n, item in enumerate(late, start=1)
    }
    on_time = _item(live_turf, live_turf.voter_ids[0])
    mixed = client.post(reverse("field:contacts-sync"), json.dumps({"contacts": [late[0], on_time]}),
                        content_type="application/json")  # fmt: skip
    assert mixed.status_code == 200
    assert list(mixed.json()["receipts"]) == [on_time["uuid"]] and list(mixed.json()["errors"]) == [late[0]["uuid"]]
    assert list(Contact.objects.values_list("turf", flat=True)) == [live_turf.pk]


@pytest.mark.django_db(transaction=True)
def test_a_retry_racing_its_first_copy_gets_the_same_receipt(voter_list, campaign, personas):
    """The first copy's transaction is still open when the retry arrives: the retry waits for it (PostgreSQL
    on the row, SQLite on the write lock) and then answers the receipt of the row the first copy made."""
    turf = _cut(voter_list, campaign, personas)[0]
    assign(turf, personas.volunteer, personas.staff)
    item = _item(turf, turf.voter_ids[0])
    first_stored, let_first_commit = threading.Event(), threading.Event()
    outcomes: dict[str, Any] = {}

    def first_copy() -> None:
        try:
            with transaction.atomic():
                outcomes["first"] = do_submit_contacts([item], actor=personas.volunteer)
                first_stored.set()
                let_first_commit.wait(timeout=60)
        finally:
            connection.close()

    def retry() -> None:
        try:
            outcomes["retry"] = do_submit_contacts([item], actor=personas.volunteer)
        finally:
            connection.close()

    first = threading.Thread(target=first_copy)
    first.start()
    assert first_stored.wait(timeout=60)
    second = threading.Thread(target=retry)
    second.start()
    _wait_until_blocked_on_a_lock()
    let_first_commit.set()
    first.join(timeout=60)
    second.join(timeout=60)
    assert outcomes["first"].created == 1 and outcomes["retry"].created == 0
    assert outcomes["retry"].receipts == outcomes["first"].receipts and outcomes["retry"].errors == {}
    assert Contact.objects.filter(client_uuid=item["uuid"]).count() == 1


def _wait_until_blocked_on_a_lock() -> None:
    """PostgreSQL shows the retry waiting on the first copy's row; SQLite has no such view, and there the
    retry simply queues on the write lock whenever it arrives."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for _ in range(600):
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = "
                           "current_database()")  # fmt: skip
            if cursor.fetchone()[0]:
                return
            time.sleep(0.05)
    raise AssertionError("the retry never waited for the first copy")


def _pdf_text(pdf: bytes) -> str:
    chunks = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\n?endstream", pdf, re.S):
        if stream.rstrip().endswith(b"~>"):  # reportlab writes ASCII85 over Flate
            stream = base64.a85decode(stream.strip()[:-2])
        try:
            chunks.append(zlib.decompress(stream).decode("latin-1"))
        except zlib.error:
            chunks.append(stream.decode("latin-1"))
    return "".join(chunks)


def test_walk_sheet_prints_the_script_and_the_doors_in_walk_order(voter_list, campaign, personas):
    turf = _cut(voter_list, campaign, personas)[0]
    pdf = do_print_walk_sheet(turf, current_script(campaign), actor=personas.staff)
    assert pdf.startswith(b"%PDF")
    text = _pdf_text(pdf)
    assert "Can we count on your support" in text and "Medicare for All?" in text
    positions = [text.find(door["address"]) for door in turf.doors]
    assert -1 not in positions and positions == sorted(positions)
    assert voters_at(turf.doors[0])[0]["name"] in text
    assert AuditEntry.objects.filter(event_type=AuditEvent.FIELD_WALK_SHEET_PRINTED).exists()


@pytest.mark.parametrize("stored", [(WITHHELD, NO_ADDRESS), ("REMOVED", None)], ids=["titled", "cut-before-titles"])
def test_doors_with_no_house_number_are_printed_and_shown_without_a_street_side(voter_list, campaign, personas, stored):
    turf = _cut(voter_list, campaign, personas)[0]
    voter = voters_at(turf.doors[0])[0]
    numbered = len(turf.doors)
    # as door_dicts makes them; or as a turf cut before the titles stored the file's word, or no address
    for street, address in zip(("REMOVED", None), stored, strict=True):
        unit = {"apartment": None, "voters": [voter]}
        turf.doors.append({"key": f"{street}|even|", "street": street, "side": "even", "house_number": None,
                           "address": address, "units": [unit]})  # fmt: skip
    turf.save()
    text = _pdf_text(do_print_walk_sheet(turf, None, actor=personas.staff))
    # the PDF's text escapes ( and ): each door with no number has its title alone, without a side
    assert f"({numbered + 1}. \\{WITHHELD[:-1]}\\))" in text and f"({numbered + 2}. \\{NO_ADDRESS[:-1]}\\))" in text
    assert text.count(" side\\)") == numbered
    client = Client()
    client.force_login(personas.staff)
    page = client.get(reverse("field:turf", args=[turf.pk])).content.decode()
    assert f"<strong>{NO_ADDRESS}</strong>\n" in page and f"<strong>{WITHHELD}</strong>\n" in page
    assert page.count(" side)</small>") == numbered
    stops = turf_data(turf, None)["stops"]  # the canvass app's
    assert [(s["title"], s["subtitle"]) for s in stops[-2:]] == [(WITHHELD, ""), (NO_ADDRESS, "")]


def test_a_door_stored_with_part_of_its_street_is_shown_with_all_of_it(voter_list, campaign, personas):
    """A turf cut before units were read word by word stored "100 N" for 100 N STEWART ST APT 2."""
    turf = _cut(voter_list, campaign, personas)[0]
    door = turf.doors[0]
    kept = (door["address"], door["house_number"], door["street"])
    voter = voters_at(door)[0]
    turf.doors.append({"key": "N STEWART ST|even|100", "street": "N STEWART ST", "side": "even", "house_number": 100,
                       "address": "100 N", "units": [{"apartment": "APT 2", "voters": [voter]}]})  # fmt: skip
    turf.save()
    text = _pdf_text(do_print_walk_sheet(turf, None, actor=personas.staff))
    assert f"({len(turf.doors)}. 100 N STEWART ST" in text
    client = Client()
    client.force_login(personas.staff)
    page = client.get(reverse("field:turf", args=[turf.pk])).content.decode()
    assert "<strong>100 N STEWART ST</strong>" in page and "<strong>100 N</strong>" not in page
    stops = turf_data(turf, None)["stops"]
    assert stops[-1]["title"] == "100 N STEWART ST"
    # a door whose title holds its street reads as stored ("12B OAK ST" keeps its letter)
    assert stops[0]["title"] == kept[0] and kept[2] in kept[0]


def test_units_are_printed_and_shown_as_the_file_wrote_them(voter_list, campaign, personas):
    turf = _cut(voter_list, campaign, personas)[0]
    door = turf.doors[0]
    voter = voters_at(door)[0]
    door["units"] = [{"apartment": "APT 2", "voters": [voter]}, {"apartment": "2B", "voters": [voter]}]
    turf.save()
    text = _pdf_text(do_print_walk_sheet(turf, None, actor=personas.staff))
    assert "APT 2 " in text and "#2B " in text and "Apt " not in text
    client = Client()
    client.force_login(personas.staff)
    page = client.get(reverse("field:turf", args=[turf.pk])).content.decode()
    assert f"<li>APT 2 · {voter['name']}" in page and f"<li>#2B · {voter['name']}" in page and "Apt " not in page


def test_campaign_and_turf_pages_read_a_fixed_number_of_queries(
    voter_list, campaign, personas, django_assert_num_queries
):
    turfs = _cut(voter_list, campaign, personas)
    client = Client()
    client.force_login(personas.staff)
    client.get(reverse("field:campaign", args=[campaign.pk]))
    with django_assert_num_queries(PINNED["campaign"]):
        assert client.get(reverse("field:campaign", args=[campaign.pk])).status_code == 200
    with django_assert_num_queries(PINNED["turf"]):
        assert client.get(reverse("field:turf", args=[turfs[0].pk])).status_code == 200
    assert len(turfs) > 3  # the page lists every turf in the same queries


PINNED = {"campaign": 12, "turf": 11}  # the campaign page: one more for the cuts, however many

"""The fold's rules on plain rows: which details a view holds, and which consent counts."""

from __future__ import annotations

import datetime as dt

from groundswell.people import fold

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
PROVIDENCE = {"first_name": "Diana", "address_line1": "1412 Main St", "address_line2": "Apt 2",
              "city": "Providence", "state": "RI", "zip_code": "02903", "birth_year": 1983}  # fmt: skip


def rows(*values: dict[str, object]) -> list[fold.DetailRow]:
    return [fold.DetailRow(owner_id=1, at=T0 + dt.timedelta(days=i), id=i, values=v) for i, v in enumerate(values)]


def test_a_later_fact_giving_part_of_a_field_set_keeps_the_rest():
    assert fold.fold_details(rows(PROVIDENCE, {"first_name": "Di", "zip_code": "02903"})) == {
        **PROVIDENCE,
        "first_name": "Di",
    }


def test_a_new_zip_code_is_a_move_and_leaves_the_old_street_behind():
    folded = fold.fold_details(rows(PROVIDENCE, {"first_name": "Di", "state": "RI", "zip_code": "02860"}))
    assert folded == {"first_name": "Di", "state": "RI", "zip_code": "02860", "birth_year": 1983}


def test_a_new_town_or_state_is_a_move_too():
    assert "address_line1" not in fold.fold_details(rows(PROVIDENCE, {"city": "Pawtucket"}))
    assert "zip_code" not in fold.fold_details(rows(PROVIDENCE, {"state": "MA"}))


def test_a_new_street_in_the_same_town_drops_only_the_old_apartment():
    folded = fold.fold_details(rows(PROVIDENCE, {"address_line1": "9 Hope St"}))
    assert folded == {**{k: v for k, v in PROVIDENCE.items() if k != "address_line2"}, "address_line1": "9 Hope St"}


def test_the_same_place_written_differently_is_no_move():
    folded = fold.fold_details(rows(PROVIDENCE, {"city": " providence ", "zip_code": "02903"}))
    assert folded["address_line1"] == "1412 Main St" and folded["city"] == " providence "


def test_order_is_by_time_then_id_not_by_the_order_given():
    late, early = rows(PROVIDENCE, {"zip_code": "02860"})[::-1]
    assert fold.fold_details([late, early])["zip_code"] == "02860"


OWNERS = fold.Owners([
    fold.OwnerInfo(1, "national"), fold.OwnerInfo(2, "state", "RI"),
    fold.OwnerInfo(3, "chapter", "RI", chapter_id=30), fold.OwnerInfo(4, "chapter", "RI", chapter_id=40),
])  # fmt: skip


def consent(
    owner_id: int, granted: bool, day: int, *, value: str = "a@x.test", pending: bool = False
) -> fold.ConsentRow:
    return fold.ConsentRow(owner_id, "email", value, granted, T0 + dt.timedelta(days=day), day, pending)


def test_a_chapter_grant_reaches_up_and_a_chapter_withdrawal_binds_only_the_chapter():
    events = [consent(3, True, 0), consent(3, False, 1)]
    assert fold.consent_of(events, OWNERS, 3, "email", "a@x.test") is False
    assert fold.consent_of(events, OWNERS, 1, "email", "a@x.test") is True
    assert fold.consent_of(events, OWNERS, 4, "email", "a@x.test") is None  # a sibling hears of neither


def test_a_pending_grant_counts_for_nobody_and_another_address_is_never_switched_on():
    assert fold.consent_of([consent(3, True, 0, pending=True)], OWNERS, 3, "email", "a@x.test") is None
    assert fold.consent_of([consent(3, True, 0)], OWNERS, 1, "email", "b@x.test") is None

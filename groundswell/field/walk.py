"""Walk lists and turf cutting as plain data: no Django, no database.

The engine (``groundswell.voterfile.targeting.doors``) gives one precinct's doors in walk order:
street by street, up the odd side, then down the even side, apartments of a building under its door.
Here those doors become the plain data a turf stores, doors become block faces (one side
of one hundred-block of one street) and block faces are packed into turfs of about a target size.
A door is never split, so a household (one unit) always stays together, and a block face is never
split, so a canvasser never leaves a street side half-knocked for someone else.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

import usaddress

from groundswell.voterfile import layouts, targeting

Door = dict[str, Any]
SizeUnit = Literal["doors", "voters"]
SIZE_UNITS: tuple[SizeUnit, ...] = ("doors", "voters")


class TurfError(ValueError):
    """A turf request that does not make sense; the message names the field."""


# A voter whose file row has no residential address at all (the engine lists such doors after every street)
NO_ADDRESS = "(no street address on file)"
# A confidential voter: the state's file says "REMOVED" where the address would be, a word that on a walk
# sheet reads like the voter status of the same name
WITHHELD = "(address withheld by the state)"


def door_title(address: str | None) -> str:
    """A door's address as a walk list shows it: the file's, or what its absence means. Shown again from
    a stored turf, a title already made reads the same, and a turf cut before these titles (storing the
    file's "REMOVED", or no address) reads as one cut now."""
    if not address:
        return NO_ADDRESS
    return WITHHELD if address == layouts.NC_WITHHELD_ADDRESS else address


def shown_title(door: Door) -> str:
    """A stored door's title as a walk list shows it now: ``door_title`` of the title stored, except where
    that lost part of the street. A turf cut before units were read word by word stored "100 N" for
    100 N STEWART ST APT 2 (the street read as ending at "STE"): such a door is titled by its number and
    street."""
    title = door_title(door["address"])
    number, street = door["house_number"], door["street"]
    if number is not None and street and street not in title:
        return f"{number} {street}"
    return title


def door_key(street: str, odd: bool, house_number: int | None) -> str:
    return f"{street}|{'odd' if odd else 'even'}|{'' if house_number is None else house_number}"


def door_dicts(doors: Iterable[targeting.Door], keep: set[str] | None = None) -> list[Door]:
    """The engine's doors as a turf stores them (plain JSON), limited to these voter ids (``keep``).

    A unit with none of the kept voters is left out, and so is a door left with no units.
    """
    out: list[Door] = []
    for door in doors:
        units = []
        for unit in door.units:
            voters = [
                {"id": v.voter_id, "name": v.name, "age": v.age, "party": v.party}
                for v in unit.voters
                if keep is None or v.voter_id in keep
            ]
            if voters:
                units.append({"apartment": unit.apartment, "voters": voters})
        if units:
            key = door_key(door.street_name, door.side == "odd", door.house_number)
            out.append({"key": key, "street": door.street_name, "side": door.side, "house_number": door.house_number,
                        "address": door_title(door.address), "units": units})  # fmt: skip
    return out


def voters_at(door: Door) -> list[dict[str, Any]]:
    return [voter for unit in door["units"] for voter in unit["voters"]]


def side_label(door: Door) -> str:
    """ "odd side" or "even side" for a numbered door; none for "PO BOX 5" or a confidential "REMOVED"."""
    return f"{door['side']} side" if door["house_number"] is not None else ""


def unit_label(apartment: str | None) -> str:
    """How a unit is shown under its door: as the file wrote it ("APT 2", "STE 100", "#4", "1/2" for a
    half-numbered house), a bare unit ("2B", as some files keep it in a column of its own) as "#2B"."""
    if not apartment:
        return ""
    return apartment if " " in apartment or "/" in apartment or apartment.startswith("#") else f"#{apartment}"


# Why a voter's door is not one a canvasser can knock (see ``unwalkable_reason``)
NOT_WALKABLE_WITHHELD = "address withheld by the state"
NOT_WALKABLE_NO_ADDRESS = "no street address on file"
NOT_WALKABLE_BOX = "a post office or rural route box"


def unwalkable_reason(door: Door) -> str | None:
    """Why nobody can knock at this door, or None for a door a canvasser can find.

    A door with a house number is walkable. Without one, a confidential voter's withheld address, no
    address at all and a box (``PO BOX 5``, ``RR 2 BOX 15``, as usaddress reads it) are not: turf cutting
    leaves such voters to phone and mail. A street with no house number (``OLD FARM RD``) stays on the
    walk list, last in its precinct: a canvasser who knows the road can find the house.
    """
    if door["house_number"] is not None:
        return None
    title = door["address"]
    if title == WITHHELD:
        return NOT_WALKABLE_WITHHELD
    if title == NO_ADDRESS:
        return NOT_WALKABLE_NO_ADDRESS
    try:
        kind = usaddress.tag(title)[1]
    except usaddress.RepeatedLabelError:  # an address usaddress cannot read at all is not a box it knows
        return None
    return NOT_WALKABLE_BOX if kind == "PO Box" else None


class Walkable(NamedTuple):
    """Of a precinct's doors, those a canvasser can knock, and the voters behind the others."""

    doors: list[Door]  # in their order
    left_off: Counter[str]  # how many voters the other doors hold, by reason (``unwalkable_reason``)
    left_off_ids: list[str]  # those voters, in walk order: for a call list


def walkable(doors: Iterable[Door]) -> Walkable:
    """The doors a canvasser can knock, in their order, and who the others hold, counted by reason."""
    kept: list[Door] = []
    left: Counter[str] = Counter()
    left_ids: list[str] = []
    for door in doors:
        reason = unwalkable_reason(door)
        if reason is None:
            kept.append(door)
        else:
            voters = voters_at(door)
            left[reason] += len(voters)
            left_ids.extend(v["id"] for v in voters)
    return Walkable(kept, left, left_ids)


def left_off_text(left_off: Mapping[str, int], with_phone: int | None = None) -> str:
    """ "9 voters are on no turf, with no door to knock (address withheld by the state: 7, ...)", or "";
    given how many of them have a phone (``with_phone``), it says so.

    Nothing more is promised: the state withholds a confidential voter's mailing address with the
    residential one, and a voter with no address on file has none to write to; a box takes mail."""
    total = sum(left_off.values())
    if not total:
        return ""
    reasons = "; ".join(f"{reason}: {n:,}" for reason, n in sorted(left_off.items(), key=lambda r: (-r[1], r[0])))
    voters = "1 voter is" if total == 1 else f"{total:,} voters are"
    text = f"{voters} on no turf, with no door to knock ({reasons})"
    if with_phone is None:
        return f"{text}."
    if total == 1:
        phones = "the voter has a phone on file" if with_phone else "the voter has no phone on file"
    elif with_phone == total:
        phones = f"all {total:,} have a phone on file"
    else:
        some, verb = ("none", "has") if with_phone == 0 else (f"{with_phone:,}", "has" if with_phone == 1 else "have")
        phones = f"{some} of them {verb} a phone on file"
    return f"{text}: {phones}."


def block_face(door: Door) -> tuple[str, str, int | None]:
    """One side of one hundred-block of a street: 101-199 odd of Elm St is one face, 100-198 even another."""
    number = door["house_number"]
    return (door["street"], door["side"], None if number is None else int(number) // 100)


def block_faces(doors: Sequence[Door]) -> list[list[Door]]:
    """Consecutive doors on the same block face (walk order makes each face one run)."""
    faces: list[list[Door]] = []
    for door in doors:
        if faces and block_face(faces[-1][-1]) == block_face(door):
            faces[-1].append(door)
        else:
            faces.append([door])
    return faces


def size_of(doors: Sequence[Door], unit: SizeUnit) -> int:
    return len(doors) if unit == "doors" else sum(len(voters_at(d)) for d in doors)


@dataclass(frozen=True)
class CutTurf:
    precinct: str
    doors: tuple[Door, ...]

    @property
    def door_count(self) -> int:
        return len(self.doors)

    @property
    def voter_ids(self) -> list[str]:
        return [v["id"] for door in self.doors for v in voters_at(door)]


def cut_precinct(precinct: str, doors: Sequence[Door], target: int, unit: SizeUnit) -> list[CutTurf]:
    """Pack whole block faces into turfs of at most ``target`` (a face bigger than the target is a turf
    of its own). Greedy in walk order, so a turf is a run of neighbouring faces of the same streets."""
    if target < 1:
        raise TurfError("target: at least 1")
    if unit not in SIZE_UNITS:
        raise TurfError(f"unit: one of {', '.join(SIZE_UNITS)}")
    turfs: list[list[Door]] = []
    current: list[Door] = []
    for face in block_faces(doors):
        if current and size_of(current, unit) + size_of(face, unit) > target:
            turfs.append(current)
            current = []
        current = current + face
    if current:
        turfs.append(current)
    return [CutTurf(precinct, tuple(t)) for t in turfs]

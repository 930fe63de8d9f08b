"""Walk lists and turf cutting as plain data: no Django, no database.

The engine (``groundswell.voterfile.targeting.doors``) gives one precinct's doors in walk order:
street by street, up the odd side, then down the even side, apartments of a building under its door.
Here those doors become the plain data a turf stores, doors become block faces (one side
of one hundred-block of one street) and block faces are packed into turfs of about a target size.
A door is never split, so a household (one unit) always stays together, and a block face is never
split, so a canvasser never leaves a street side half-knocked for someone else.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

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
    """A door's address as a walk list shows it: the file's, or what its absence means."""
    if not address:
        return NO_ADDRESS
    return WITHHELD if address == layouts.NC_WITHHELD_ADDRESS else address


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

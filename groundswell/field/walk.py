"""Walk lists and turf cutting as plain data: no Django, no database.

The engine (``groundswell.voterfile.targeting.walk_list``) gives one precinct's voters in walk order:
street by street, up the odd side, then down the even side, apartments of a building together. Here
those rows become doors (buildings, with their units and voters), doors become block faces (one side
of one hundred-block of one street) and block faces are packed into turfs of about a target size.
A door is never split, so a household (one unit) always stays together, and a block face is never
split, so a canvasser never leaves a street side half-knocked for someone else.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

Door = dict[str, Any]
SizeUnit = Literal["doors", "voters"]
SIZE_UNITS: tuple[SizeUnit, ...] = ("doors", "voters")


class TurfError(ValueError):
    """A turf request that does not make sense; the message names the field."""


def _name(row: Mapping[str, Any]) -> str:
    return " ".join(str(p) for p in (row.get("first_name"), row.get("last_name")) if p)


def _building_address(row: Mapping[str, Any]) -> str:
    address = str(row.get("address") or "")
    return address.split(" APT ")[0] if row.get("apartment") else address


def door_key(street: str, odd: bool, house_number: int | None) -> str:
    return f"{street}|{'odd' if odd else 'even'}|{'' if house_number is None else house_number}"


def doors_from_rows(rows: Iterable[Mapping[str, Any]], keep: set[str] | None = None) -> list[Door]:
    """Walk-ordered rows -> doors in the same order; ``keep`` limits them to these voter ids."""
    doors: dict[str, Door] = {}
    for row in rows:
        if keep is not None and row["voter_id"] not in keep:
            continue
        key = door_key(row["street_name"], bool(row["odd"]), row["house_number"])
        door = doors.get(key)
        if door is None:
            door = doors[key] = {
                "key": key,
                "street": row["street_name"],
                "side": "odd" if row["odd"] else "even",
                "house_number": row["house_number"],
                "address": _building_address(row),
                "units": [],
            }
        units: list[dict[str, Any]] = door["units"]
        if not units or units[-1]["apartment"] != row["apartment"]:
            units.append({"apartment": row["apartment"], "voters": []})
        voter = {"id": row["voter_id"], "name": _name(row), "age": row.get("age"), "party": row.get("party")}
        units[-1]["voters"].append(voter)
    return list(doors.values())


def voters_at(door: Door) -> list[dict[str, Any]]:
    return [voter for unit in door["units"] for voter in unit["voters"]]


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

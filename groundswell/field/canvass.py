"""What the canvassing page loads: a turf or call list as stops (doors, or people to call) with the
people at each, the script and the campaign's results. Plain dicts for JSON."""

from __future__ import annotations

from typing import Any

from groundswell.field.models import CallList, Result, Script, Turf
from groundswell.field.scripts import choices_of
from groundswell.field.walk import shown_title, side_label, unit_label


def _script(script: Script | None) -> dict[str, Any] | None:
    if script is None:
        return None
    questions = [{**q, "choices": list(choices_of(q))} for q in script.questions]
    return {"id": script.pk, "name": script.name, "intro": script.intro, "questions": questions}


def _results(results: list[str]) -> list[dict[str, str]]:
    return [{"value": r, "label": Result(r).label} for r in results]


def _voter_detail(voter: dict[str, Any]) -> str:
    return ", ".join(str(p) for p in (voter.get("age"), voter.get("party")) if p)


def turf_data(turf: Turf, script: Script | None) -> dict[str, Any]:
    stops = []
    for door in turf.doors:
        people = [
            {"voter_id": v["id"], "name": v["name"], "detail": _voter_detail(v),
             "unit": unit_label(unit["apartment"])}
            for unit in door["units"] for v in unit["voters"]
        ]  # fmt: skip
        stops.append({"key": door["key"], "title": shown_title(door), "subtitle": side_label(door), "people": people})
    return {
        "kind": "turf", "id": turf.pk, "title": turf.name, "method": "door", "campaign": turf.campaign.name,
        "results": _results(turf.campaign.results), "script": _script(script), "stops": stops,
    }  # fmt: skip


def call_list_data(call_list: CallList, script: Script | None) -> dict[str, Any]:
    stops = [
        {"key": e["key"], "title": e["name"], "subtitle": e["phone"], "phone": e["phone"],
         "people": [{"voter_id": e.get("voter_id", ""), "person_id": e.get("person_id"), "name": e["name"],
                     "detail": e["phone"], "unit": ""}]}
        for e in call_list.entries
    ]  # fmt: skip
    results = [*call_list.campaign.results]
    if Result.WRONG_NUMBER.value not in results:
        results.append(Result.WRONG_NUMBER.value)
    return {
        "kind": "call_list", "id": call_list.pk, "title": call_list.name, "method": call_list.method,
        "campaign": call_list.campaign.name, "results": _results(results), "script": _script(script), "stops": stops,
    }  # fmt: skip

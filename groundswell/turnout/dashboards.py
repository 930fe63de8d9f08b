"""Field dashboards: doors knocked, contacts made and supporters identified, by day, chapter, turf and
volunteer, over the contacts of the campaigns a user may see (field.selectors.campaigns_visible_to).

Doors knocked are door attempts (every result: a door nobody opened was still knocked); contacts are
attempts that reached someone (any method); supporters identified are contacts whose support answer was
1 or 2. Read in one pass over the contacts plus one query for the scripts' support questions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.db.models.functions import TruncDate

from groundswell.field.models import Campaign, Contact, Method, Result, Script
from groundswell.turnout.chase import SUPPORTER_SCORES, support_keys, support_score

TOP = 20
MEASURES = (("doors", "Doors knocked"), ("contacts", "Contacts"), ("supporters", "Supporters identified"))


@dataclass
class Tally:
    doors: Counter[Any] = field(default_factory=Counter)
    contacts: Counter[Any] = field(default_factory=Counter)
    supporters: Counter[Any] = field(default_factory=Counter)

    def add(self, key: Any, *, door: bool, reached: bool, supporter: bool) -> None:
        self.doors[key] += door
        self.contacts[key] += reached
        self.supporters[key] += supporter

    def keys(self) -> set[Any]:
        return set(self.doors) | set(self.contacts) | set(self.supporters)

    def chart(self, labels: list[Any], names: Mapping[Any, str] | None = None) -> dict[str, Any]:
        return {
            "labels": [names.get(k, str(k)) if names else str(k) for k in labels],
            "datasets": [
                {"label": label, "data": [getattr(self, measure)[k] for k in labels]} for measure, label in MEASURES
            ],
        }

    def busiest(self, limit: int = TOP) -> list[Any]:
        return sorted(self.keys(), key=lambda k: (-self.doors[k] - self.contacts[k], str(k)))[:limit]


@dataclass
class Dashboard:
    totals: dict[str, int]
    by_day: dict[str, Any]
    by_chapter: dict[str, Any]
    by_turf: dict[str, Any]
    by_volunteer: dict[str, Any]


ROW_FIELDS = (
    "day", "method", "result", "answers", "script_id", "campaign__chapter__name", "turf__name",
    "canvasser__first_name", "canvasser__last_name", "canvasser__email",
)  # fmt: skip


def _rows(contacts: QuerySet[Contact]) -> list[tuple[Any, ...]]:
    return list(contacts.annotate(day=TruncDate("received_at")).order_by().values_list(*ROW_FIELDS))


def build_dashboard(campaigns: QuerySet[Campaign]) -> Dashboard:
    rows = _rows(Contact.objects.filter(campaign__in=campaigns))
    script_ids = {r[4] for r in rows if r[4]}
    keys = {pk: support_keys(q) for pk, q in Script.objects.filter(pk__in=script_ids).values_list("pk", "questions")}
    days, chapters, turfs, volunteers = Tally(), Tally(), Tally(), Tally()
    for day, method, result, answers, script_id, chapter, turf, first, last, email in rows:
        reached = result == Result.CONTACTED
        score = support_score(answers or {}, keys.get(script_id, ("support",))) if reached else None
        marks = {"door": method == Method.DOOR, "reached": reached, "supporter": score in SUPPORTER_SCORES}
        days.add(day, **marks)
        chapters.add(chapter or "State campaigns", **marks)
        if turf:
            turfs.add(turf, **marks)
        volunteers.add(f"{first} {last}".strip() or email or "Unknown", **marks)
    return Dashboard(
        totals={measure: sum(getattr(days, measure).values()) for measure, _ in MEASURES},
        by_day=_days_chart(days), by_chapter=chapters.chart(sorted(chapters.keys())),
        by_turf=turfs.chart(turfs.busiest()), by_volunteer=volunteers.chart(volunteers.busiest()),
    )  # fmt: skip


def _days_chart(days: Tally) -> dict[str, Any]:
    ordered: list[date] = sorted(days.keys())
    return days.chart(ordered, {d: f"{d:%b %-d}" for d in ordered})

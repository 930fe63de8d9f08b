"""What each role sees first: figures read through the scoped selectors, and chart data."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from groundswell.chapters.access import AnyUser, Scope, scope_for
from groundswell.chapters.geo import STATE_NAMES
from groundswell.chapters.models import Role
from groundswell.chapters.selectors import (
    chapters_founded_by_month,
    chapters_volunteered_for,
    chapters_with_member_counts,
)
from groundswell.endorsements.selectors import nominations_of_candidate
from groundswell.field.selectors import my_assignments
from groundswell.people.selectors import member_figures, new_members_by_month, recent_memberships, with_seen

RECENT_DAYS = 30
RECENT_SHOWN = 12
# The growth chart shows at most three years; anything older is folded into its first point.
MONTHS_SHOWN = 36


def role_of(scope: Scope) -> str:
    """The home page a user gets: the widest of their roles."""
    if scope.national:
        return "national"
    if scope.coordinator_states:
        return "coordinator"
    if scope.led_chapter_ids:
        return "leader"
    return "participant"


def _add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def months_to_show(first_month: dt.date | None, this_month: dt.date) -> list[dt.date]:
    """Every month from the one before the first with data (so the line rises from zero), at most
    MONTHS_SHOWN back and at least a year, to this one."""
    earliest = _add_months(this_month, -(MONTHS_SHOWN - 1))
    start = max(_add_months(first_month, -1), earliest) if first_month else _add_months(this_month, -11)
    start = min(start, _add_months(this_month, -11))
    months = [start]
    while months[-1] < this_month:
        months.append(_add_months(months[-1], 1))
    return months


def cumulative(new_by_month: dict[dt.date, int], months: list[dt.date]) -> list[int]:
    """Running totals at the end of each month; counts before the window start the first value."""
    totals, running, pending = [], 0, sorted(new_by_month.items())
    for month in months:
        while pending and pending[0][0] <= month:
            running += pending.pop(0)[1]
        totals.append(running)
    return totals


def growth_chart(members_by_month: dict[dt.date, int], chapters_by_month: dict[dt.date, int] | None) -> dict[str, Any]:
    """Chart.js data for members (and chapters) over time, cumulative by month."""
    this_month = timezone.localdate().replace(day=1)
    starts = [*members_by_month, *(chapters_by_month or {})]
    months = months_to_show(min(starts) if starts else None, this_month)
    datasets: list[dict[str, Any]] = [
        {"label": "Memberships", "data": cumulative(members_by_month, months), "yAxisID": "y"}
    ]
    if chapters_by_month is not None:
        datasets.append({"label": "Chapters", "data": cumulative(chapters_by_month, months), "yAxisID": "y1"})
    return {"labels": [f"{m:%b %Y}" for m in months], "datasets": datasets}


def _figures_and_growth(user: AnyUser, *, with_chapters: bool) -> dict[str, Any]:
    since = timezone.localdate() - dt.timedelta(days=RECENT_DAYS)
    chapters = list(chapters_with_member_counts(user))
    figures = member_figures(user, since=since)
    recent = with_seen(user, list(recent_memberships(user, since=since)[:RECENT_SHOWN]))
    return {
        "since": since,
        "figures": figures,
        "recent": recent,
        "more_recent": max(0, figures.new_since - len(recent)),
        "chapters": chapters,
        # member_count is annotated by chapters_with_member_counts; the stubs do not see annotations.
        "most_members": max((c.member_count for c in chapters), default=0),  # type: ignore[attr-defined]
        "growth": growth_chart(new_members_by_month(user), chapters_founded_by_month(user) if with_chapters else None),
    }


def home_for(user: AnyUser) -> dict[str, Any]:
    scope = scope_for(user)
    role = role_of(scope)
    # live turfs and call lists assigned to this user, whatever else they do (a leader may knock doors too)
    context: dict[str, Any] = {"scope": scope, "role": role, "assignments": list(my_assignments(user))}
    if role == "participant":
        context["volunteer_chapters"] = list(chapters_volunteered_for(user)) if scope.volunteer_chapter_ids else []
        context["partner_organizations"] = sorted(scope.partner_organizations)
        context["nominations"] = list(nominations_of_candidate(user)) if scope.candidate else []
        context["role_labels"] = [label for value, label in Role.choices if value in scope.roles] or ["Member"]
        return context
    context.update(_figures_and_growth(user, with_chapters=role == "national"))
    context["states"] = [STATE_NAMES.get(s, s) for s in sorted(scope.coordinator_states)]
    return context

"""Filters for the lift report: rates as percentages, effects as percentage points with their interval."""

from __future__ import annotations

from django import template

from groundswell.turnout.statistics import Interval

register = template.Library()


@register.filter
def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{100 * rate:.1f}%"


@register.filter
def points(effect: float | None) -> str:
    return "—" if effect is None else f"{100 * effect:+.1f} pts"


@register.filter
def interval(value: Interval | None) -> str:
    return "—" if value is None else f"{100 * value.low:+.1f} to {100 * value.high:+.1f}"

"""What each role sees first: figures read through the scoped selectors."""

from __future__ import annotations

from typing import Any

from groundswell.chapters.access import AnyUser, scope_for
from groundswell.chapters.selectors import chapters_managed_by
from groundswell.people.selectors import people_visible_to


def home_for(user: AnyUser) -> dict[str, Any]:
    scope = scope_for(user)
    context: dict[str, Any] = {"scope": scope}
    if scope.is_leader_or_above:
        chapters = chapters_managed_by(user)
        context["chapters"] = chapters
        context["people_count"] = people_visible_to(user).count()
    return context

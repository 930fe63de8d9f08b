"""What every page's navigation needs to know about the signed-in user."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from groundswell.chapters.access import scope_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    return {"scope": scope_for(request.user)}

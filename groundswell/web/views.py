"""The public front page and each role's home page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from groundswell.chapters.selectors import public_chapters
from groundswell.web import dashboards


def public_home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    return render(request, "web/public_home.html", {"chapter_count": public_chapters().count()})


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html", dashboards.home_for(request.user))


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")

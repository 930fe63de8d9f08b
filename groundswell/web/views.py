"""The public front page and each role's home page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from groundswell.chapters.selectors import public_chapters
from groundswell.core.models import User
from groundswell.people.actions import do_audit_people_read
from groundswell.web import dashboards


def public_home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    return render(request, "web/public_home.html", {"chapter_count": public_chapters().count()})


@login_required
def home(request: HttpRequest) -> HttpResponse:
    context = dashboards.home_for(request.user)
    if context.get("recent"):  # the newest members, by name: a read of people, logged as every one is
        assert isinstance(request.user, User)
        people = [person for _, person in context["recent"]]
        do_audit_people_read(request.user, people=people, what="home page: new sign-ups", details={})
    return render(request, "web/home.html", context)


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")

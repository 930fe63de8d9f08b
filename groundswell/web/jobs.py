"""Pages that show background jobs and their progress, refreshed by HTMX while they run."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from groundswell.chapters.access import scope_for
from groundswell.core.selectors import get_job, jobs_visible_to


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    jobs = jobs_visible_to(request.user, national=scope_for(request.user).national)[:100]
    return render(request, "web/job_list.html", {"jobs": jobs})


@login_required
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = get_job(request.user, job_id, national=scope_for(request.user).national)
    template = "web/_job_progress.html" if request.headers.get("HX-Request") else "web/job_detail.html"
    return render(request, template, {"job": job})

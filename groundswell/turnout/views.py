"""Turnout pages: ballot imports, the chase list and GOTV progress, the lift report, the field dashboards."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from groundswell.core.models import JobStatus
from groundswell.turnout import importing
from groundswell.turnout.ballots import BallotFileError
from groundswell.turnout.forms import GENERIC_COLUMNS, BallotUploadForm
from groundswell.turnout.jobs import do_queue_ballot_import
from groundswell.turnout.models import BallotImport

# ------------------------------------------------------------------------------------------- ballot imports


@login_required
@require_http_methods(["GET", "POST"])
def ballot_imports(request: HttpRequest) -> HttpResponse:
    """Upload a ballot file (staff and state coordinators), which a background job imports."""
    if not importing.can_import_ballots(request.user):
        raise Http404("No such page")
    form = BallotUploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ballot_import = importing.do_upload_ballot_file(
                data["file"], state=data.get("state") or "", layout=data["layout"], mapping=data["mapping"],
                file_date=data.get("file_date"), actor=request.user,
            )  # fmt: skip
        except BallotFileError as exc:
            form.add_error(None, str(exc))
        else:
            do_queue_ballot_import(ballot_import, actor=request.user)
            return redirect(ballot_import)
    recent = importing.ballot_imports_visible_to(request.user)[:15]
    generic = [form[name] for name in (*GENERIC_COLUMNS, "default_method")]
    return render(request, "turnout/ballot_imports.html", {"form": form, "recent": recent, "generic": generic})


@login_required
@require_GET
def ballot_import(request: HttpRequest, import_id: int) -> HttpResponse:
    item = importing.get_ballot_import(request.user, import_id)
    return render(request, "turnout/ballot_import.html", _progress_context(item))


@login_required
@require_GET
def ballot_import_progress(request: HttpRequest, import_id: int) -> HttpResponse:
    """The fragment the status page polls every second until the job has finished."""
    item = importing.get_ballot_import(request.user, import_id)
    return render(request, "turnout/_ballot_import_progress.html", _progress_context(item))


def _progress_context(item: BallotImport) -> dict[str, Any]:
    job = item.job
    return {
        "item": item,
        "job": job,
        "finished": job is None or job.is_finished,
        "retrying": job is not None and job.status == JobStatus.QUEUED and bool(job.error),
    }

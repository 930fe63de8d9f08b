"""Importing people from a CSV (upload, map columns, preview, commit, watch) and exporting them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from groundswell.chapters.access import AnyUser
from groundswell.chapters.models import Chapter
from groundswell.chapters.selectors import chapters_managed_by
from groundswell.core.models import JobStatus
from groundswell.people import exporting, importing
from groundswell.people.jobs import do_queue_import_preview, do_queue_people_import
from groundswell.people.models import ImportBatch, ImportStatus

MAX_UPLOAD_BYTES = 100 * 1024 * 1024


class UploadForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text="UTF-8 or Latin-1; commas, semicolons or tabs.")
    chapter = forms.ModelChoiceField(
        queryset=Chapter.objects.none(), required=False, label="Add everyone to this chapter",
        empty_label="No chapter",
    )  # fmt: skip

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        chapter_field = self.fields["chapter"]
        assert isinstance(chapter_field, forms.ModelChoiceField)
        chapter_field.queryset = chapters_managed_by(user).order_by("name")

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file is larger than 100 MB; split it or use the command line.")
        return upload


class MappingForm(forms.Form):
    def __init__(self, *args: Any, batch: ImportBatch, samples: list[list[str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.columns = []
        for index, header in enumerate(batch.headers):
            name = f"column_{index}"
            self.fields[name] = forms.ChoiceField(
                choices=list(importing.FIELD_LABELS.items()), initial=batch.mapping[index], label=header or "(blank)"
            )
            self.columns.append((self[name], [row[index] if index < len(row) else "" for row in samples]))

    def mapping(self) -> list[str]:
        return [self.cleaned_data[f"column_{i}"] for i in range(len(self.columns))]


def _require_importer(request: HttpRequest) -> None:
    if not importing.can_import_people(request.user):
        raise Http404


@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    _require_importer(request)
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            batch = importing.do_upload_people_file(
                form.cleaned_data["file"], chapter=form.cleaned_data["chapter"], actor=request.user
            )
        except importing.ImportFileError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("people:import-mapping", batch.pk)
    recent = importing.import_batches_visible_to(request.user)[:10]
    return render(request, "people/import_upload.html", {"form": form, "recent": recent})


@login_required
def import_mapping(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = importing.get_import_batch(request.user, batch_id)
    if batch.status != ImportStatus.UPLOADED:
        return redirect("people:import-status", batch.pk)
    try:
        samples = importing.sample_records(batch, 3)
    except importing.ImportFileError as exc:
        # No form: a file that cannot be mapped (one uploaded before the limits) is fixed and uploaded again.
        return render(request, "people/import_mapping.html", {"batch": batch, "form": None, "problems": [str(exc)]})
    form = MappingForm(request.POST or None, batch=batch, samples=samples)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        problems = importing.do_set_import_mapping(batch, form.mapping(), actor=request.user)
        if not problems:
            # Checking a national list takes longer than a request may: a job does it, the page follows.
            do_queue_import_preview(batch, actor=request.user)
            return redirect("people:import-preview", batch.pk)
    return render(request, "people/import_mapping.html", {"batch": batch, "form": form, "problems": problems})


@login_required
@require_http_methods(["GET", "POST"])
def import_preview(request: HttpRequest, batch_id: int) -> HttpResponse:
    """The check of every row: its progress while the job runs, then what importing would do.
    A POST checks the file (again)."""
    batch = importing.get_import_batch(request.user, batch_id)
    if batch.status != ImportStatus.UPLOADED:
        return redirect("people:import-status", batch.pk)
    if request.method == "POST":
        do_queue_import_preview(batch, actor=request.user)
        return redirect("people:import-preview", batch.pk)
    return _render_preview(request, batch)


@login_required
@require_GET
def import_preview_progress(request: HttpRequest, batch_id: int) -> HttpResponse:
    """The fragment the "Checking your file" page polls; once the check has ended, it asks the page
    to reload (HX-Refresh), which then shows the result."""
    batch = importing.get_import_batch(request.user, batch_id)
    context = _preview_context(batch)
    response = render(request, "people/_import_check.html", context)
    if not context["checking"]:
        response["HX-Refresh"] = "true"
    return response


def _preview_context(batch: ImportBatch) -> dict[str, Any]:
    preview = importing.StoredPreview.of(batch)
    job = batch.preview_job
    checking = preview is None and job is not None and not job.is_finished
    return {
        "batch": batch,
        "owner": importing.batch_owner(batch),
        "preview": preview,
        "job": job,
        "checking": checking,
        "retrying": checking and job is not None and job.status == JobStatus.QUEUED and bool(job.error),
        "columns": [importing.FIELD_LABELS[f].removesuffix(" (comma-separated)") for f in importing.PREVIEW_FIELDS],
    }


def _render_preview(request: HttpRequest, batch: ImportBatch) -> HttpResponse:
    return render(request, "people/import_preview.html", _preview_context(batch))


@login_required
@require_POST
def import_commit(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = importing.get_import_batch(request.user, batch_id)
    if batch.status != ImportStatus.UPLOADED:
        return redirect("people:import-status", batch.pk)
    if batch.error_count:
        # The check found bad rows: show them again. Committing before the check has finished is
        # allowed: the import job checks every row itself and, finding one bad, writes nothing.
        return _render_preview(request, batch)
    do_queue_people_import(batch, actor=request.user)
    return redirect("people:import-status", batch.pk)


@login_required
@require_GET
def import_status(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = importing.get_import_batch(request.user, batch_id)
    return render(request, "people/import_status.html", _progress_context(batch))


@login_required
@require_GET
def import_progress(request: HttpRequest, batch_id: int) -> HttpResponse:
    """The fragment the status page polls every second until the job has finished."""
    batch = importing.get_import_batch(request.user, batch_id)
    return render(request, "people/import_progress.html", _progress_context(batch))


def _progress_context(batch: ImportBatch) -> dict[str, Any]:
    job = batch.job
    finished = job is not None and job.is_finished
    return {
        "batch": batch,
        "job": job,
        "finished": finished or batch.status == ImportStatus.UPLOADED,
        "retrying": job is not None and job.status == JobStatus.QUEUED and bool(job.error),
    }


@login_required
@require_GET
def export_people_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The people list, filtered the same way, as CSV; a 404 for those who may not export."""
    filters = exporting.ExportFilters.from_query(request.GET)
    try:
        rows = exporting.do_export_people(request.user, filters=filters)
    except PermissionDenied:
        raise Http404 from None
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="people.csv"'
    return response

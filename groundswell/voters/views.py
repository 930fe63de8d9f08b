"""Voter pages: the universe builder with its live count, saved universes, frozen lists and their
export, a quick lookup by name, a voter's page, imports with progress, and the review queue of
uncertain matches."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from groundswell.core.models import User
from groundswell.people import actions as people_actions
from groundswell.people.selectors import names_seen_by
from groundswell.voterfile.targeting import LOOKUP_FIELDS, Lookup, LookupInvalid
from groundswell.voters import actions, selectors
from groundswell.voters import engine as voter_engine
from groundswell.voters.describe import describe
from groundswell.voters.forms import METHODS, STATUSES, BuilderForm, UploadForm, initial_from
from groundswell.voters.models import ColumnMappingRecord
from groundswell.voters.queries import facets
from groundswell.voters.selectors import Workspace

REJECTS_PER_PAGE = 50


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    selectors.require_voter_access(request.user)
    spaces = selectors.workspaces_for(request.user)
    context = {
        "workspaces": spaces,
        "universes": selectors.universes_visible_to(request.user)[:50],
        "lists": selectors.lists_visible_to(request.user)[:50],
        "to_review": selectors.review_queue(request.user).count(),
        "can_import": selectors.can_import_voters(request.user),
    }
    return render(request, "voters/home.html", context)


def _builder_form(request: HttpRequest, workspace: Workspace, data: Any = None, initial: Any = None) -> BuilderForm:
    with voter_engine.using_engine(workspace.state) as engine:
        found = facets(engine, selectors.area_for(workspace, engine))
    same_place = selectors.universes_visible_to(request.user).filter(state=workspace.state, chapter=workspace.chapter)
    universes = [(u.pk, u.name, u.definition) for u in same_place[:100]]
    tags = selectors.tag_choices(request.user)
    return BuilderForm(data, initial=initial, facets=found, tags=tags, universes=universes)


def _target(form: BuilderForm) -> actions.Target:
    data = form.cleaned_data
    return actions.Target(data["universe"], tuple(data.get("tags") or ()), tuple(data.get("exclude_tags") or ()))


def _workspace_from(request: HttpRequest) -> Workspace:
    return selectors.get_workspace(request.user, request.GET.get("where") or request.POST.get("where") or "")


def _no_data(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    return render(request, "voters/no_data.html", {"workspace": workspace}, status=200)


@login_required
def builder(request: HttpRequest) -> HttpResponse:
    """A new universe in a place; POST saves it."""
    selectors.require_voter_access(request.user)
    if not (request.GET.get("where") or request.POST.get("where")):
        return redirect("voters:home")
    workspace = _workspace_from(request)
    try:
        form = _builder_form(request, workspace, request.POST if request.method == "POST" else None)
    except voter_engine.NoVoterData:
        return _no_data(request, workspace)
    if request.method == "POST" and form.is_valid():
        try:
            universe = actions.do_save_universe(
                workspace, _target(form), name=form.cleaned_data["name"], actor=request.user
            )
        except ValueError as exc:
            form.add_error("name", str(exc).removeprefix("name: "))
        else:
            messages.success(request, f"Saved “{universe.name}”.")
            return redirect(universe)
    return render(request, "voters/builder.html", {"form": form, "workspace": workspace, "universe": None})


@login_required
def universe_detail(request: HttpRequest, universe_id: int) -> HttpResponse:
    """A saved universe in the builder; POST saves the changes."""
    universe = selectors.get_universe(request.user, universe_id)
    workspace = selectors.workspace_of(universe, request.user)
    initial = initial_from(universe.definition, universe.tags, universe.exclude_tags, universe.name)
    try:
        form = _builder_form(request, workspace, request.POST if request.method == "POST" else None, initial)
    except voter_engine.NoVoterData:
        return _no_data(request, workspace)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_save_universe(
                workspace, _target(form), name=form.cleaned_data["name"], actor=request.user, universe=universe
            )
        except ValueError as exc:
            form.add_error("name", str(exc).removeprefix("name: "))
        else:
            messages.success(request, f"Saved “{universe.name}”.")
            return redirect(universe)
    lists = universe.lists.all()[:20]
    return render(
        request, "voters/builder.html", {"form": form, "workspace": workspace, "universe": universe, "lists": lists}
    )


@login_required
@require_GET
def count(request: HttpRequest) -> HttpResponse:
    """The live count fragment: the form's current values, counted and broken down (audited)."""
    workspace = _workspace_from(request)
    try:
        form = _builder_form(request, workspace, request.GET)
        if not form.is_valid():
            return render(request, "voters/_count.html", {"form": form, "workspace": workspace})
        result = actions.do_count_voters(workspace, _target(form), actor=request.user)
    except voter_engine.NoVoterData:
        raise Http404("No voter data") from None
    data = form.cleaned_data
    context = {
        "form": form, "workspace": workspace, "result": result, "chart": _chart(result),
        "description": describe(data["universe"], data.get("tags") or (), data.get("exclude_tags") or ()),
    }  # fmt: skip
    return render(request, "voters/_count.html", context)


def _chart(result: actions.CountResult) -> dict[str, Any]:
    top = max([n for _, n in result.by_party + result.by_age] or [1])

    def bars(pairs: list[tuple[str, int]]) -> list[tuple[str, int, int]]:
        return [(label, n, round(100 * n / top) if top else 0) for label, n in pairs]

    return {"party": bars(result.by_party), "age": bars(result.by_age)}


@login_required
@require_POST
def universe_freeze(request: HttpRequest, universe_id: int) -> HttpResponse:
    universe = selectors.get_universe(request.user, universe_id)
    try:
        voter_list = actions.do_freeze_list(universe, name=request.POST.get("name", ""), actor=request.user)
    except voter_engine.NoVoterData:
        raise Http404("No voter data") from None
    messages.success(request, f"Froze {voter_list.voter_count:,} voters as “{voter_list.name}”.")
    return redirect(voter_list)


@login_required
@require_POST
def universe_delete(request: HttpRequest, universe_id: int) -> HttpResponse:
    universe = selectors.get_universe(request.user, universe_id)
    name = universe.name
    kept = actions.do_delete_universe(universe, actor=request.user)
    lists = f"; its {kept} frozen list{'s' if kept != 1 else ''} stay{'s' if kept == 1 else ''}" if kept else ""
    messages.success(request, f"Deleted “{name}”{lists}.")
    return redirect("voters:home")


@login_required
@require_GET
def list_detail(request: HttpRequest, list_id: int) -> HttpResponse:
    voter_list = selectors.get_voter_list(request.user, list_id)
    try:
        rows = actions.do_show_list_sample(voter_list, actor=request.user)
    except voter_engine.NoVoterData:
        rows = []
    context = {
        "list": voter_list, "rows": rows, "can_export": selectors.can_export_voters(request.user),
        "definition": json.dumps(voter_list.definition, indent=2, default=str),
    }  # fmt: skip
    return render(request, "voters/list.html", context)


@login_required
@require_POST
def list_export(request: HttpRequest, list_id: int) -> StreamingHttpResponse:
    voter_list = selectors.get_voter_list(request.user, list_id)
    try:
        _, lines = actions.do_export_list(voter_list, actor=request.user)
    except (PermissionDenied, voter_engine.NoVoterData):
        raise Http404("No such page") from None
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="voters-list-{voter_list.pk}.csv"'
    return response


STATUS_LABELS = dict(STATUSES)


def _status_label(code: str | None) -> str:
    return STATUS_LABELS.get(code or "", code or "—")


@login_required
@require_GET
def lookup(request: HttpRequest) -> HttpResponse:
    """Quick lookup: find a voter by name (narrowed by address, ZIP code or birth year) in a place the
    user may target; each search is audited."""
    spaces = selectors.workspaces_for(request.user)
    where = request.GET.get("where") or (spaces[0].key if spaces else "")
    workspace = selectors.get_workspace(request.user, where) if where else None
    values = {name: request.GET.get(name, "") for name in LOOKUP_FIELDS}
    context: dict[str, Any] = {
        "spaces": spaces, "workspace": workspace, "values": values, "rows": [], "more": False, "error": None,
        "searched": False,
    }  # fmt: skip
    if workspace is not None and any(values.values()):
        try:
            who = Lookup.from_fields(values)
        except LookupInvalid as exc:
            context["error"] = (exc.field, exc.message)
        else:
            try:
                rows, context["more"] = actions.do_lookup_voters(workspace, who, actor=request.user)
                context["rows"] = [{**row, "status_label": _status_label(row["status"])} for row in rows]
            except voter_engine.NoVoterData:
                return _no_data(request, workspace)
            context["searched"] = True
    return render(request, "voters/lookup.html", context)


@login_required
@require_GET
def voter_detail(request: HttpRequest, state: str, voter_id: str) -> HttpResponse:
    """A voter's page, when the voter is inside one of the places the user may target."""
    selectors.require_voter_access(request.user)
    for workspace in selectors.workspaces_for(request.user):
        if workspace.state != state.upper():
            continue
        voter = actions.do_view_voter(workspace, voter_id, actor=request.user)
        if voter is not None:
            links = list(selectors.links_of_voter(request.user, workspace.state, voter_id))
            methods = dict(METHODS)
            for vote in voter["history"]:  # "Election day", not ELECTION_DAY
                vote["method_label"] = methods.get(vote["voting_method"] or "", vote["voting_method"])
            context = {
                "voter": voter, "workspace": workspace, "links": links,
                "names": names_seen_by(request.user, [link.person_id for link in links]),
                "status_label": _status_label(voter["status"]),
            }  # fmt: skip
            return render(request, "voters/voter.html", context)
    raise Http404("No such voter")


# ---- importing ------------------------------------------------------------------------------


def _require_importer(request: HttpRequest) -> None:
    if not selectors.can_import_voters(request.user):
        raise Http404("No such page")


def _mappings() -> list[tuple[int, str]]:
    return [(m.pk, str(m)) for m in ColumnMappingRecord.objects.all()]


@login_required
def imports(request: HttpRequest) -> HttpResponse:
    """Upload a voter file (national staff, state coordinators) and see recent imports."""
    _require_importer(request)
    form = UploadForm(request.POST or None, request.FILES or None, mappings=_mappings())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        record = ColumnMappingRecord.objects.filter(pk=data["mapping"]).first() if data["mapping"] else None
        try:
            voter_import = actions.do_upload_voter_file(
                data["file"], state=data["state"], layout=data["layout"], mapping=record.mapping if record else None,
                max_rejected_percent=data["max_rejected_percent"], actor=request.user,
            )  # fmt: skip
        except actions.VoterImportError as exc:
            form.add_error(None, str(exc))
        except PermissionDenied as exc:
            form.add_error("state", str(exc))
        else:
            return redirect(voter_import)
    recent = selectors.imports_visible_to(request.user)[:30]
    return render(
        request, "voters/imports.html", {"form": form, "imports": recent, "mappings": ColumnMappingRecord.objects.all()}
    )


@login_required
@require_GET
def import_detail(request: HttpRequest, import_id: int) -> HttpResponse:
    voter_import = selectors.get_voter_import(request.user, import_id)
    page = Paginator(voter_import.rejects, REJECTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "voters/import.html", {"item": voter_import, "job": voter_import.job, "rejects": page})


@login_required
@require_POST
def import_confirm(request: HttpRequest, import_id: int) -> HttpResponse:
    """Apply a file the destructive-change guard held (its page showed what it would do)."""
    voter_import = selectors.get_voter_import(request.user, import_id)
    try:
        actions.do_confirm_voter_import(voter_import, actor=request.user)
    except actions.VoterImportError as exc:
        messages.error(request, str(exc))
    except PermissionDenied:
        raise Http404("No such page") from None
    else:
        messages.success(request, f"Confirmed: {voter_import.file_name} is being applied.")
    return redirect(voter_import)


@login_required
@require_POST
def mapping_new(request: HttpRequest) -> HttpResponse:
    """Save a column mapping: one 'voter_field=Column name' per line."""
    _require_importer(request)
    try:
        record = actions.do_save_column_mapping(
            name=request.POST.get("name", ""), state=request.POST.get("state", ""),
            lines=request.POST.get("fields", ""),
            delimiter=request.POST.get("delimiter", ","), date_format=request.POST.get("date_format", "%Y-%m-%d"),
            actor=request.user,
        )  # fmt: skip
    except (actions.VoterImportError, PermissionDenied) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Saved the column mapping “{record}”.")
    return redirect("voters:imports")


# ---- review queue ---------------------------------------------------------------------------


@login_required
@require_GET
def review(request: HttpRequest) -> HttpResponse:
    selectors.require_voter_access(request.user)
    page = Paginator(selectors.links_to_review(request.user), 25).get_page(request.GET.get("page"))
    assert isinstance(request.user, User)  # login_required
    people_actions.do_audit_people_read(
        request.user, people=[item.person for item in page.object_list], what="voter match review",
        details={"page": page.number, "voters": [f"{i.link.state}:{i.link.voter_id}" for i in page.object_list]},
    )  # fmt: skip
    return render(request, "voters/review.html", {"links": page})


@login_required
@require_POST
def review_decide(request: HttpRequest, link_id: int) -> HttpResponse:
    link = selectors.get_link(request.user, link_id)
    decision = request.POST.get("decision")
    if decision not in ("confirm", "reject"):
        return HttpResponse("Say confirm or reject.", status=400)
    actions.do_review_link(link, confirm=decision == "confirm", actor=request.user)
    name = names_seen_by(request.user, [link.person_id]).get(link.person_id, "the person")
    messages.success(request, f"{'Linked' if decision == 'confirm' else 'Rejected'}: {name}.")
    return redirect("voters:review")

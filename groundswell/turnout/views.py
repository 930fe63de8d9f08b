"""Turnout pages: ballot imports, the chase list and GOTV progress, the lift report, the field dashboards."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from groundswell.core.models import JobStatus
from groundswell.field.selectors import assignable_users
from groundswell.turnout import actions, importing, selectors
from groundswell.turnout.ballots import BallotFileError
from groundswell.turnout.dashboards import build_dashboard
from groundswell.turnout.forms import GENERIC_COLUMNS, BallotUploadForm, ChaseCallListForm, CostForm, HoursForm
from groundswell.turnout.jobs import do_queue_ballot_import
from groundswell.turnout.lift import campaign_cost
from groundswell.turnout.models import BallotImport, ProgramCost
from groundswell.voters.selectors import Workspace

CHASE_ROWS_SHOWN = 500

# ------------------------------------------------------------------------------------------- chase list


@login_required
@require_GET
def chase(request: HttpRequest) -> HttpResponse:
    """Supporters who have not voted yet in a place the user may target, and the GOTV progress charts."""
    workspace = selectors.chase_workspace(request.user, request.GET.get("where"))
    context: dict[str, Any] = {"workspaces": selectors.chase_workspaces(request.user), "workspace": workspace}
    if workspace is not None:
        result = actions.do_read_chase_list(workspace, actor=request.user)
        context.update(chase=result, rows=result.rows[:CHASE_ROWS_SHOWN], shown=CHASE_ROWS_SHOWN)
        context["call_list_campaigns"] = list(selectors.chase_campaigns(request.user, workspace))
        context["charts"] = {
            "by_day": result.by_day,
            "by_chapter": result.by_chapter,
            "by_precinct": result.by_precinct,
        }
    return render(request, "turnout/chase.html", context)


def _chase_workspace_or_404(request: HttpRequest, key: str | None) -> Workspace:
    workspace = selectors.chase_workspace(request.user, key)
    if workspace is None:
        raise Http404("No voter data")
    return workspace


@login_required
@require_GET
def chase_export(request: HttpRequest) -> StreamingHttpResponse:
    workspace = _chase_workspace_or_404(request, request.GET.get("where"))
    try:
        _, lines = actions.do_export_chase_list(workspace, actor=request.user)
    except PermissionDenied:
        raise Http404("No such page") from None
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="chase-{slugify(workspace.key)}.csv"'
    return response


@login_required
@require_POST
def chase_call_list(request: HttpRequest) -> HttpResponse:
    """Make a call list of the chase list, in one of the user's field campaigns of the same state."""
    workspace = _chase_workspace_or_404(request, request.POST.get("where"))
    campaigns = selectors.chase_campaigns(request.user, workspace)
    form = ChaseCallListForm(request.POST, campaigns=campaigns)
    back = f"{reverse('turnout:chase')}?where={quote(workspace.key)}"
    if not form.is_valid():
        messages.error(request, "; ".join(f"{k}: {' '.join(str(m) for m in v)}" for k, v in form.errors.items()))
        return redirect(back)
    try:
        made = actions.do_make_chase_call_list(
            workspace, form.cleaned_data["campaign"], name=form.cleaned_data["name"], actor=request.user
        )
    except PermissionDenied:
        raise Http404("No such page") from None
    except actions.TurnoutError as error:
        messages.error(request, str(error))
        return redirect(back)
    messages.success(
        request, f"Made the call list “{made.name}”: {made.entry_count:,} people to call. Assign it below."
    )
    return redirect(made.campaign)


# ------------------------------------------------------------------------------------------- lift


def _chosen_election(request: HttpRequest, elections: list[tuple[date, str, str]]) -> date | None:
    asked = request.GET.get("election")
    if asked:
        try:
            chosen = date.fromisoformat(asked)
        except ValueError:
            raise Http404("No such election") from None
        if chosen not in {e[0] for e in elections}:
            raise Http404("No such election")
        return chosen
    return elections[0][0] if elections else None


@login_required
@require_GET
def lift(request: HttpRequest) -> HttpResponse:
    """Turnout among contacted, attempted and control voters, and the lift, for one state's election."""
    states = selectors.lift_states(request.user)
    state = (request.GET.get("state") or (states[0] if states else "")).upper()
    context: dict[str, Any] = {"states": states, "state": state}
    if state:
        campaigns = list(selectors.lift_campaigns(request.user, state))
        elections = selectors.state_elections(state)
        election = _chosen_election(request, elections)
        context.update(elections=elections, election=election)
        if election is not None:
            context["report"] = actions.do_read_lift_report(state, election, campaigns, actor=request.user)
    return render(request, "turnout/lift.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def campaign_costs(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """Record volunteer hours and what an hour is worth, for the cost per net vote."""
    campaign = selectors.campaign_for_costs(request.user, campaign_id)
    cost = ProgramCost.objects.filter(campaign=campaign).first()
    volunteers = assignable_users(campaign)
    hours_form = HoursForm(request.POST if "hours" in request.POST else None, volunteers=volunteers, prefix="h")
    cost_form = CostForm(
        request.POST if "cost" in request.POST else None, prefix="c",
        initial={"hourly_value": cost.hourly_value if cost else 0, "money_spent": cost.money_spent if cost else 0},
    )  # fmt: skip
    if request.method == "POST":
        if "hours" in request.POST and hours_form.is_valid():
            data = hours_form.cleaned_data
            actions.do_record_hours(campaign, worked_on=data["worked_on"], hours=data["hours"],
                                    volunteer=data["volunteer"], note=data["note"], actor=request.user)  # fmt: skip
            messages.success(request, f"Recorded {data['hours']} hours.")
            return redirect("turnout:campaign-costs", campaign.pk)
        if "cost" in request.POST and cost_form.is_valid():
            data = cost_form.cleaned_data
            actions.do_set_program_cost(campaign, hourly_value=data["hourly_value"], money_spent=data["money_spent"],
                                        actor=request.user)  # fmt: skip
            messages.success(request, "Saved the campaign's cost.")
            return redirect("turnout:campaign-costs", campaign.pk)
    hours, total = campaign_cost(campaign)
    context = {"campaign": campaign, "hours_form": hours_form, "cost_form": cost_form,
               "entries": selectors.hours_of(campaign)[:50], "total_hours": hours, "total_cost": total}  # fmt: skip
    return render(request, "turnout/campaign_costs.html", context, status=400 if request.method == "POST" else 200)


# ------------------------------------------------------------------------------------------- dashboards


@login_required
@require_GET
def dashboards(request: HttpRequest) -> HttpResponse:
    """Doors knocked, contacts and supporters identified, by day, chapter, turf and volunteer."""
    board = build_dashboard(selectors.field_campaigns(request.user))
    charts = {"by_day": board.by_day, "by_chapter": board.by_chapter, "by_turf": board.by_turf,
              "by_volunteer": board.by_volunteer}  # fmt: skip
    return render(request, "turnout/dashboards.html", {"board": board, "charts": charts})


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

"""Field pages: campaigns, turfs and call lists for leaders; the canvassing page for volunteers.

Volunteers reach only the canvassing and calling pages of what is assigned to them, while it is, and
the sync endpoint. Nothing here exports for them: the walk sheet is a leader's page.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_POST

from groundswell.chapters.selectors import chapters_managed_by
from groundswell.core.models import User
from groundswell.field import actions, selectors
from groundswell.field.actions import FieldError
from groundswell.field.canvass import call_list_data, turf_data
from groundswell.field.forms import AssignForm, CallListForm, CampaignForm, ControlGroupForm, CutTurfsForm, ScriptForm
from groundswell.field.maps import precinct_geometry
from groundswell.field.models import Campaign
from groundswell.field.walk import shown_title, side_label, unit_label
from groundswell.voters import engine as voter_engine

SERVICE_WORKER = Path(settings.BASE_DIR) / "static" / "groundswell" / "field-sw.js"


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """My assignments (everyone signed in), and the campaigns (leaders and above)."""
    manager = selectors.campaigns_visible_to(request.user).exists() or _is_manager(request)
    form = CampaignForm(chapters=chapters_managed_by(request.user)) if manager else None
    return render(
        request,
        "field/home.html",
        {
            "assignments": selectors.my_assignments(request.user),
            "campaigns": selectors.campaigns_visible_to(request.user) if manager else None,
            "form": form,
        },
    )


def _is_manager(request: HttpRequest) -> bool:
    from groundswell.chapters.access import scope_for

    return scope_for(request.user).is_leader_or_above


@login_required
@require_POST
def campaign_new(request: HttpRequest) -> HttpResponse:
    selectors.require_field_manager(request.user)
    chapters = chapters_managed_by(request.user)
    form = CampaignForm(request.POST, chapters=chapters)
    if form.is_valid():
        data = form.cleaned_data
        if data["chapter"] is None and not _manages_state(request, data["state"]):
            form.add_error("state", "state: you do not run field work in that state")
        else:
            campaign = actions.do_save_campaign(
                name=data["name"], state=data["state"] or "", chapter=data["chapter"], results=data["results"],
                actor=_user(request),
            )  # fmt: skip
            return redirect(campaign)
    response = render(
        request, "field/home.html", {"assignments": selectors.my_assignments(request.user),
                                     "campaigns": selectors.campaigns_visible_to(request.user), "form": form},
    )  # fmt: skip
    response.status_code = 400
    return response


def _manages_state(request: HttpRequest, state: str) -> bool:
    from groundswell.chapters.access import scope_for

    scope = scope_for(request.user)
    return scope.national or state.upper() in scope.coordinator_states


def _campaign_page(request: HttpRequest, campaign: Campaign, status: int = 200, **forms: Any) -> HttpResponse:
    lists = selectors.voter_lists_for(request.user, campaign)
    context = {
        "campaign": campaign,
        "script": selectors.current_script(campaign),
        "turfs": selectors.turfs_of(campaign),
        "turf_cuts": selectors.turf_cuts_of(campaign),
        "call_lists": selectors.call_lists_of(campaign),
        "lists": lists,
        "script_form": forms.get("script_form") or ScriptForm(),
        "cut_form": forms.get("cut_form") or CutTurfsForm(lists=lists),
        "control_form": forms.get("control_form") or ControlGroupForm(lists=lists),
        "call_form": forms.get("call_form") or CallListForm(lists=lists),
    }
    return render(request, "field/campaign.html", context, status=status)


@login_required
def campaign_detail(request: HttpRequest, campaign_id: int) -> HttpResponse:
    return _campaign_page(request, selectors.get_campaign(request.user, campaign_id))


def _acted(request: HttpRequest, campaign: Campaign, form_name: str, form: Any, act: Any) -> HttpResponse:
    """Run ``act(cleaned_data)`` when the form is valid; otherwise, or on a FieldError, show the page again."""
    if form.is_valid():
        try:
            message = act(form.cleaned_data)
        except (FieldError, ValueError) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, message)
            return redirect(campaign)
    return _campaign_page(request, campaign, status=400, **{form_name: form})


@login_required
@require_POST
def script_new(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = selectors.get_campaign(request.user, campaign_id)

    def act(data: dict[str, Any]) -> str:
        script = actions.do_save_script(campaign, actor=_user(request), **data)
        return f"Saved the script {script.name}; canvassers use it from now on."

    return _acted(request, campaign, "script_form", ScriptForm(request.POST), act)


@login_required
@require_POST
def turfs_cut(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = selectors.get_campaign(request.user, campaign_id)
    form = CutTurfsForm(request.POST, lists=selectors.voter_lists_for(request.user, campaign))

    def act(data: dict[str, Any]) -> str:
        made = actions.do_cut_turfs(
            data["voter_list"], campaign, target=data["target"], unit=data["unit"], actor=_user(request)
        )
        left_off = made.cut.left_off_text
        turfs = f"{len(made.turfs)} turf{'' if len(made.turfs) == 1 else 's'}"
        return f"Cut {turfs} from {data['voter_list']}." + (f" {left_off}" if left_off else "")

    return _acted(request, campaign, "cut_form", form, act)


@login_required
@require_POST
def control_group(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = selectors.get_campaign(request.user, campaign_id)
    form = ControlGroupForm(request.POST, lists=selectors.voter_lists_for(request.user, campaign))

    def act(data: dict[str, Any]) -> str:
        group = actions.do_hold_out_control_group(data["voter_list"], data["share"], data["seed"], actor=_user(request))
        return f"Held out {group.held_out:,} voters of {data['voter_list']} as a control group (seed {group.seed})."

    return _acted(request, campaign, "control_form", form, act)


@login_required
@require_POST
def call_list_new(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = selectors.get_campaign(request.user, campaign_id)
    form = CallListForm(request.POST, lists=selectors.voter_lists_for(request.user, campaign))

    def act(data: dict[str, Any]) -> str:
        made = actions.do_make_call_list(campaign, actor=_user(request), **data)
        return f"Made the call list {made.name} with {made.entry_count:,} people."

    return _acted(request, campaign, "call_form", form, act)


@login_required
@require_POST
def left_off_call_list(request: HttpRequest, campaign_id: int, cut_id: int) -> HttpResponse:
    """A call list of the voters a turf cut left off (no door to knock), from the line that reports them."""
    campaign = selectors.get_campaign(request.user, campaign_id)
    cut = selectors.get_turf_cut(request.user, campaign, cut_id)
    try:
        made = actions.do_call_left_off(cut, actor=_user(request))
    except FieldError as error:
        messages.error(request, str(error))
    except voter_engine.NoVoterData:
        messages.error(request, f"call list: no voter file is loaded for {cut.voter_list.state} to find their phones")
    else:
        left = len(cut.left_off_ids)
        messages.success(request, f"Made the call list {made.name} with {made.entry_count:,} of the {left:,} voters "
                                  "left off the turfs: the others have no phone on file or asked not to be contacted."
                         if made.entry_count < left else
                         f"Made the call list {made.name} with all {left:,} voters left off the turfs.")  # fmt: skip
    return redirect(campaign)


@login_required
def turf_detail(request: HttpRequest, turf_id: int) -> HttpResponse:
    turf = selectors.get_managed_turf(request.user, turf_id)
    actions.do_open_turf(turf, actor=_user(request), via="turf page")
    return _turf_page(request, turf, AssignForm(users=selectors.assignable_users(turf.campaign)))


def _turf_page(request: HttpRequest, turf: Any, form: AssignForm, status: int = 200) -> HttpResponse:
    geometry = precinct_geometry(turf.campaign.state, turf.precinct)
    context = {
        "turf": turf,
        "form": form,
        "assignments": selectors.assignments_of_turf(turf),
        "contacts": selectors.contacts_of_turf(turf)[:200],
        "map_data": {"geometry": json.loads(geometry), "name": turf.precinct} if geometry else None,
        "doors": [
            {
                **door,
                "address": shown_title(door),
                "side_label": side_label(door),
                "units": [{**u, "label": unit_label(u["apartment"])} for u in door["units"]],
            }
            for door in turf.doors
        ],
    }
    return render(request, "field/turf.html", context, status=status)


@login_required
@require_POST
def turf_assign(request: HttpRequest, turf_id: int) -> HttpResponse:
    turf = selectors.get_managed_turf(request.user, turf_id)
    form = AssignForm(request.POST, users=selectors.assignable_users(turf.campaign))
    if form.is_valid():
        try:
            actions.do_assign(form.cleaned_data["volunteer"], expires_at=form.cleaned_data["expires_at"], turf=turf,
                              actor=_user(request))  # fmt: skip
        except FieldError as error:
            form.add_error("expires_at", str(error))
        else:
            messages.success(request, f"Assigned {turf.name} to {form.cleaned_data['volunteer']}.")
            return redirect(turf)
    return _turf_page(request, turf, form, status=400)


@login_required
@require_GET
def turf_sheet(request: HttpRequest, turf_id: int) -> HttpResponse:
    turf = selectors.get_managed_turf(request.user, turf_id)
    pdf = actions.do_print_walk_sheet(turf, selectors.current_script(turf.campaign), actor=_user(request))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="walk-sheet-{turf.pk}.pdf"'
    return response


@login_required
def call_list_detail(request: HttpRequest, call_list_id: int) -> HttpResponse:
    call_list = selectors.get_managed_call_list(request.user, call_list_id)
    return _call_list_page(request, call_list, AssignForm(users=selectors.assignable_users(call_list.campaign)))


def _call_list_page(request: HttpRequest, call_list: Any, form: AssignForm, status: int = 200) -> HttpResponse:
    context = {"call_list": call_list, "form": form, "assignments": selectors.assignments_of_call_list(call_list)}
    return render(request, "field/call_list.html", context, status=status)


@login_required
@require_POST
def call_list_assign(request: HttpRequest, call_list_id: int) -> HttpResponse:
    call_list = selectors.get_managed_call_list(request.user, call_list_id)
    form = AssignForm(request.POST, users=selectors.assignable_users(call_list.campaign))
    if form.is_valid():
        try:
            actions.do_assign(form.cleaned_data["volunteer"], expires_at=form.cleaned_data["expires_at"],
                              call_list=call_list, actor=_user(request))  # fmt: skip
        except FieldError as error:
            form.add_error("expires_at", str(error))
        else:
            messages.success(request, f"Assigned {call_list.name} to {form.cleaned_data['volunteer']}.")
            return redirect(call_list)
    return _call_list_page(request, call_list, form, status=400)


@login_required
@require_POST
def assignment_revoke(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = selectors.get_managed_assignment(request.user, assignment_id)
    actions.do_revoke_assignment(assignment, actor=_user(request))
    messages.success(request, "Assignment revoked.")
    target = assignment.turf or assignment.call_list
    assert target is not None
    return redirect(target)


# ---- the canvassing and calling pages (volunteers) ----------------------------------------------


@login_required
@ensure_csrf_cookie
def canvass(request: HttpRequest, turf_id: int) -> HttpResponse:
    """The page shell: no voter data in it (that comes from data.json), so a phone may cache it."""
    turf = selectors.get_turf_to_canvass(request.user, turf_id)
    data_url = reverse("field:canvass-data", args=[turf.pk])
    return _canvass_shell(request, turf.name, data_url, f"turf-{turf.pk}")


@login_required
@ensure_csrf_cookie
def call(request: HttpRequest, call_list_id: int) -> HttpResponse:
    call_list = selectors.get_call_list_to_call(request.user, call_list_id)
    data_url = reverse("field:call-data", args=[call_list.pk])
    return _canvass_shell(request, call_list.name, data_url, f"call-{call_list.pk}")


def _canvass_shell(request: HttpRequest, title: str, data_url: str, queue_key: str) -> HttpResponse:
    config = {
        "data_url": data_url,
        "sync_url": reverse("field:contacts-sync"),
        "sw_url": reverse("field:service-worker"),
        "sw_scope": reverse("field:home"),
        "queue_key": queue_key,
        "user": request.user.pk,
    }
    return render(request, "field/canvass.html", {"title": title, "config": config})


@login_required
@never_cache
def canvass_data(request: HttpRequest, turf_id: int) -> JsonResponse:
    turf = selectors.get_turf_to_canvass(request.user, turf_id)
    actions.do_open_turf(turf, actor=_user(request))
    return JsonResponse(turf_data(turf, selectors.current_script(turf.campaign)))


@login_required
@never_cache
def call_data(request: HttpRequest, call_list_id: int) -> JsonResponse:
    call_list = selectors.get_call_list_to_call(request.user, call_list_id)
    actions.do_open_call_list(call_list, actor=_user(request))
    return JsonResponse(call_list_data(call_list, selectors.current_script(call_list.campaign)))


@require_POST
def contacts_sync(request: HttpRequest) -> JsonResponse:
    """A sync batch from a phone: {"contacts": [...]} -> receipts and errors by the phone's ids."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": "sign in again to sync"}, status=401)
    try:
        payload = json.loads(request.body or b"{}")
        items = payload["contacts"]
        if not isinstance(items, list):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": 'contacts: expected {"contacts": [...]}'}, status=400)
    try:
        outcome = actions.do_submit_contacts(items, actor=_user(request))
    except FieldError as error:
        return JsonResponse({"error": str(error)}, status=400)
    status = 200 if outcome.receipts or not outcome.errors else 400
    return JsonResponse({"receipts": outcome.receipts, "errors": outcome.errors, "created": outcome.created},
                        status=status)  # fmt: skip


@require_GET
def service_worker(request: HttpRequest) -> FileResponse:
    """The service worker, served under /field/ so its scope is the field pages."""
    if not SERVICE_WORKER.exists():
        raise Http404("No service worker")
    response = FileResponse(SERVICE_WORKER.open("rb"), content_type="text/javascript")
    response["Service-Worker-Allowed"] = reverse("field:home")
    response["Cache-Control"] = "no-cache"
    return response

"""Reorganization drive pages: the drives, one drive's rules and progress, and its vacancy map."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from groundswell.chapters.access import scope_for
from groundswell.core.models import User
from groundswell.reorg import actions, selectors
from groundswell.reorg.forms import DateForm, DriveForm, LeadershipForm, RuleForm, SeatsForm
from groundswell.reorg.models import Tier

LIST_LIMIT = 60


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@login_required
def drive_list(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    if not scope.is_leader_or_above:
        raise Http404
    form = DriveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            drive = actions.do_create_drive(actor=_user(request), **form.cleaned_data)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            return redirect(drive)
    return render(
        request,
        "reorg/list.html",
        {
            "drives": selectors.drives_visible_to(request.user).select_related("election"),
            "form": form,
            "may_create": scope.national or bool(scope.coordinator_states),
        },
    )


@login_required
def drive_detail(request: HttpRequest, drive_id: int) -> HttpResponse:
    drive = selectors.get_drive(request.user, drive_id)
    rows = selectors.seat_rows(drive)
    return render(
        request,
        "reorg/detail.html",
        {
            "drive": drive,
            "dates": drive.dates.all(),
            "rules": drive.rules.all(),
            "by_area": selectors.progress_by_area(rows),
            "by_chapter": selectors.progress_by_chapter(rows),
            "totals": selectors.totals(rows),
            "leaders": [r for r in rows if r.tier != Tier.PRECINCT],
            "may_run": selectors.can_run_drive(request.user, drive),
            "rule_form": RuleForm(),
            "date_form": DateForm(),
            "seats_form": SeatsForm(),
            "leadership_form": LeadershipForm(),
        },
    )


@login_required
def vacancies(request: HttpRequest, drive_id: int) -> HttpResponse:
    drive = selectors.get_drive(request.user, drive_id)
    area = request.GET.get("area", "")
    rows = selectors.seat_rows(drive, area=area, tier=Tier.PRECINCT)
    show = request.GET.get("show", "vacant")
    listed = [r for r in rows if r.vacant] if show == "vacant" else rows
    # A statewide list runs to hundreds of precincts: the page shows the first ones; a town shows all.
    shown = listed if area else listed[:LIST_LIMIT]
    return render(
        request,
        "reorg/vacancies.html",
        {
            "drive": drive,
            "rows": shown,
            "listed": len(listed),
            "area": area,
            "areas": selectors.areas_of(drive),
            "show": show,
            "map_data": selectors.vacancy_map_data(rows),
            "totals": selectors.totals(rows),
        },
    )


def _post(request: HttpRequest, drive_id: int, form_class: Any, apply: Any) -> HttpResponse:
    drive = selectors.get_drive_to_run(request.user, drive_id)
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
        return redirect(drive)
    try:
        messages.success(request, apply(drive, form.cleaned_data, _user(request)))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(drive)


@login_required
@require_POST
def add_rule(request: HttpRequest, drive_id: int) -> HttpResponse:
    return _post(
        request,
        drive_id,
        RuleForm,
        lambda d, data, actor: f"Rule saved: {actions.do_save_reorg_rule(d, actor=actor, **data)}.",
    )


@login_required
@require_POST
def add_date(request: HttpRequest, drive_id: int) -> HttpResponse:
    return _post(
        request,
        drive_id,
        DateForm,
        lambda d, data, actor: f"Added {actions.do_add_drive_date(d, actor=actor, **data)}.",
    )


@login_required
@require_POST
def add_seats(request: HttpRequest, drive_id: int) -> HttpResponse:
    return _post(
        request,
        drive_id,
        SeatsForm,
        lambda d, data, actor: f"{actions.do_add_precinct_seats(d, actor=actor, **data)} precinct committees added.",
    )


@login_required
@require_POST
def add_leadership(request: HttpRequest, drive_id: int) -> HttpResponse:
    return _post(
        request,
        drive_id,
        LeadershipForm,
        lambda d, data, actor: f"{actions.do_add_leadership_office(d, actor=actor, **data).office.name} in play.",
    )

"""Power map pages: states, a state's chambers and targets, a district, the lean map, and staff imports."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_http_methods

from groundswell.core.models import User
from groundswell.geo import ocd
from groundswell.powermap import actions, forms, selectors
from groundswell.powermap.analysis import TargetKind
from groundswell.powermap.models import PlanKind, lean_label


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # login_required let only signed-in users through
    return request.user


@login_required
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "powermap/index.html", {"states": selectors.states_with_legislators(request.user)})


@login_required
def state_page(request: HttpRequest, state: str) -> HttpResponse:
    chambers = selectors.chamber_views(request.user, state)
    statewide = selectors.statewide_races(request.user, state)
    if not chambers and not statewide:
        return render(request, "powermap/index.html", {"states": [], "missing": ocd.state_name(state)}, status=404)
    context = {
        "state": state.upper(),
        "state_name": ocd.state_name(state),
        "chambers": chambers,
        "statewide": statewide,
        "authorities": selectors.redistricting_authorities(request.user, state),
        "plans": PlanKind.choices,
        "reference": selectors.reference_race(state),
    }
    return render(request, "powermap/state.html", context)


@login_required
def chamber_map_page(request: HttpRequest, state: str, chamber: str) -> HttpResponse:
    view = selectors.chamber_view(request.user, state, chamber)
    return render(
        request,
        "powermap/chamber_map.html",
        {"chamber": view, "state": state.upper(), "reference": selectors.reference_race(state)},
    )


# The maps' GeoJSON (a chamber's is a few hundred kilobytes) goes gzipped to browsers that take it:
# about a fifth of the bytes on a phone. It holds no secret a compressed response could leak (BREACH).
@login_required
@gzip_page
def chamber_map_json(request: HttpRequest, state: str, chamber: str) -> JsonResponse:
    return JsonResponse(selectors.chamber_map(request.user, state, chamber))


@login_required
def targets_csv(request: HttpRequest, state: str, chamber: str) -> HttpResponse:
    view = selectors.chamber_view(request.user, state, chamber)
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="targets-{state.lower()}-{chamber}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "target",
            "rank",
            "district",
            "ocd_id",
            "holders",
            "holder_party",
            "lean",
            "lean_points",
            "last_margin",
            "contested",
            "open_seat",
        ]
    )
    rows = 0
    for kind in TargetKind.TARGETS:
        for rank, seat in enumerate(view.targets(kind), start=1):
            rows += 1
            writer.writerow(
                [
                    TargetKind.LABELS[kind],
                    rank,
                    seat.district.name,
                    seat.district.ocd_id,
                    "; ".join(t.holder_name for t in seat.holders),
                    seat.holder_party,
                    lean_label(seat.lean_points),
                    "" if seat.lean_points is None else f"{seat.lean_points:.2f}",
                    "" if seat.last_margin is None else f"{seat.last_margin:.2f}",
                    "" if seat.contested is None else ("yes" if seat.contested else "no"),
                    "yes" if seat.open_seat else "no",
                ]
            )
    assert isinstance(request.user, User)  # login_required
    actions.do_audit_targets_export(state=state.upper(), chamber=chamber, rows=rows, actor=request.user)
    return response


@login_required
def district_page(request: HttpRequest, ocd_id: str) -> HttpResponse:
    district = selectors.get_district(request.user, ocd_id)
    page = selectors.district_page(request.user, district)
    return render(
        request,
        "powermap/district.html",
        {"page": page, "district": district, "reference": selectors.reference_race(district.state)},
    )


@login_required
@gzip_page
def district_map_json(request: HttpRequest, ocd_id: str) -> JsonResponse:
    district = selectors.get_district(request.user, ocd_id)
    return JsonResponse(selectors.district_map(request.user, district))


# ---------------------------------------------------------------- staff: imports and redistricting facts

_IMPORT_FORMS: dict[str, Any] = {
    "legislators": forms.LegislatorsImportForm,
    "results": forms.ResultsImportForm,
    "boundaries": forms.BoundariesImportForm,
}


@login_required
@require_http_methods(["GET", "POST"])
def imports_page(request: HttpRequest) -> HttpResponse:
    jobs = selectors.import_jobs_visible_to(request.user)[:20]  # 404 for anyone but national staff
    bound: dict[str, Any] = {}
    if request.method == "POST":
        which = request.POST.get("import", "")
        form_class = _IMPORT_FORMS.get(which)
        if form_class is not None:
            form = form_class(request.POST, request.FILES)
            if form.is_valid():
                _queue(which, form.cleaned_data, request)
                messages.success(request, "Import queued: it runs in the background; progress shows below.")
                return redirect("powermap:imports")
            bound[which] = form
    context = {name: bound.get(name) or form_class() for name, form_class in _IMPORT_FORMS.items()}
    return render(request, "powermap/imports.html", {**context, "jobs": jobs})


def _queue(which: str, data: dict[str, Any], request: HttpRequest) -> None:
    actor = _user(request)
    upload = data.pop("file")
    dry_run = bool(data.pop("dry_run", False))
    if which == "legislators":
        states = [s.strip().lower() for s in data["states"].split(",") if s.strip()]
        actions.do_queue_import(
            "elections.import_legislators", upload, {"states": states, "dry_run": dry_run}, actor=actor
        )
    elif which == "results":
        params = {
            "state": data["state"].lower(),
            "date": data["date"].isoformat(),
            "kind": data["kind"],
            "county": data["county"],
            "dry_run": dry_run,
        }
        actions.do_queue_import("elections.import_results", upload, params, actor=actor)
    else:
        params = {
            "state": data["state"].lower(),
            "dry_run": dry_run,
            "plan_valid_from": data["plan_valid_from"].isoformat() if data["plan_valid_from"] else "",
            "plan_valid_to": data["plan_valid_to"].isoformat() if data["plan_valid_to"] else "",
        }
        job = actions.do_queue_import("geo.import_boundaries", upload, params, actor=actor)
        if data.get("with_votes"):
            actions.do_queue_import(
                "elections.import_boundary_votes",
                None,
                {
                    "path": job.params["path"],
                    "filename": job.params["filename"],
                    "state": params["state"],
                    "dry_run": dry_run,
                },
                actor=actor,
            )


@login_required
def import_job_status(request: HttpRequest, job_id: int) -> HttpResponse:
    job = selectors.get_import_job(request.user, job_id)
    return render(request, "powermap/_job.html", {"job": job})


@login_required
@require_http_methods(["GET", "POST"])
def lean_page(request: HttpRequest, state: str) -> HttpResponse:
    races = selectors.reference_races(request.user, state)  # 404 for anyone but national staff
    choices = [(r.pk, f"{r.election.date.year} {r.office.name}") for r in races]
    form = forms.LeanForm(request.POST or None, races=choices)
    if request.method == "POST" and form.is_valid():
        params = {"state": state.upper(), "race_id": form.cleaned_data["race"]}
        actions.do_queue_import("powermap.compute_lean", None, params, actor=_user(request))
        messages.success(request, "Lean computation queued; the state page shows it when the job is done.")
        return redirect("powermap:imports")
    return render(
        request, "powermap/lean_form.html", {"form": form, "state": state.upper(), "state_name": ocd.state_name(state)}
    )


@login_required
@require_http_methods(["GET", "POST"])
def redistricting_edit(request: HttpRequest, state: str, plan: str) -> HttpResponse:
    current = selectors.get_redistricting_authority(request.user, state, plan)  # 404 for non-staff
    initial = {"body": current.body, "source_url": current.source_url, "notes": current.notes} if current else None
    form = forms.RedistrictingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        actions.do_save_redistricting_authority(state=state, plan=plan, actor=_user(request), **form.cleaned_data)
        messages.success(request, "Saved.")
        return redirect("powermap:state", state=state.lower())
    plan_label = dict(PlanKind.choices).get(plan, plan)
    return render(
        request,
        "powermap/redistricting_form.html",
        {"form": form, "state": state.upper(), "state_name": ocd.state_name(state), "plan_label": plan_label},
    )

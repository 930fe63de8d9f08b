"""Recruitment pages: the pipeline list, one recruit, the funnel, trainings, and the public “I want to run” form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from groundswell.chapters.access import scope_for
from groundswell.chapters.selectors import get_public_chapter
from groundswell.core.models import User
from groundswell.elections.models import OfficeLevel
from groundswell.people.actions import ConsentWords, PersonDetails, do_save_person
from groundswell.people.selectors import names_seen_by
from groundswell.recruitment import actions, selectors
from groundswell.recruitment.forms import (
    AttendanceForm,
    MoveForm,
    RecruitDetailsForm,
    RecruitForm,
    RunForm,
    TrainingForm,
)
from groundswell.recruitment.models import PROGRESSION, Recruit, Stage, stage_rank

CSS = "groundswell/pipeline.css"


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _require_leader(request: HttpRequest) -> None:
    if not scope_for(request.user).is_leader_or_above:
        raise Http404


def _filters(request: HttpRequest) -> selectors.RecruitFilters:
    chapter = request.GET.get("chapter", "")
    return selectors.RecruitFilters(
        chapter_id=int(chapter) if chapter.isdigit() else None,
        state=request.GET.get("state", "").upper()[:2],
        level=request.GET.get("level", ""),
        stage=request.GET.get("stage", ""),
    )


def _filter_context(request: HttpRequest, filters: selectors.RecruitFilters) -> dict[str, object]:
    chapters = selectors.chapters_for_recruiting(request.user)
    return {
        "filters": filters,
        "chapters": chapters,
        "states": sorted({c.state for c in chapters if c.state}),
        "levels": OfficeLevel.choices,
        "stages": Stage.choices,
    }


@login_required
def recruit_list(request: HttpRequest) -> HttpResponse:
    _require_leader(request)
    filters = _filters(request)
    recruits = selectors.filter_recruits(request.user, filters)
    shown = list(selectors.recruit_list(recruits)[:500])
    return render(
        request,
        "recruitment/list.html",
        {
            **_filter_context(request, filters),
            "recruits": shown,
            "names": names_seen_by(request.user, [r.person_id for r in shown]),
            "funnel": selectors.recruit_funnel(recruits),
            "today": timezone.localdate(),
        },
    )


@login_required
def funnel(request: HttpRequest) -> HttpResponse:
    _require_leader(request)
    filters = _filters(request)
    recruits = selectors.filter_recruits(
        request.user, selectors.RecruitFilters(chapter_id=filters.chapter_id, state=filters.state, level=filters.level)
    )
    result = selectors.recruit_funnel(recruits)
    return render(
        request,
        "recruitment/funnel.html",
        {
            **_filter_context(request, filters),
            "funnel": result,
            "funnel_data": result.chart_data(),
            "over_time": selectors.funnel_over_time(recruits),
        },
    )


@login_required
def recruit_new(request: HttpRequest) -> HttpResponse:
    _require_leader(request)
    actor = _user(request)
    form = RecruitForm(request.POST or None, chapters=selectors.chapters_for_recruiting(actor))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person, _ = do_save_person(
            PersonDetails(
                first_name=data["first_name"],
                last_name=data["last_name"],
                emails=[data["email"].lower()] if data["email"] else [],
                phones=[data["phone"]] if data["phone"] else [],
            ),
            source="recruitment",
            actor=actor,
            chapter=data["chapter"],
        )
        recruit = actions.do_create_recruit(
            person,
            chapter=data["chapter"],
            stage=data["stage"],
            actor=actor,
            details=actions.RecruitDetails(
                office_type=data["office_type"],
                office_sought=data["office_sought"],
                office_level=data["office_level"],
                owner=actor,
                next_step=data["next_step"],
                next_step_due=data["next_step_due"],
                notes=data["notes"],
            ),
        )
        typed = " ".join(p for p in (data["first_name"], data["last_name"]) if p)
        messages.success(request, f"{typed} added to the pipeline.")
        return redirect(recruit)
    return render(request, "recruitment/new.html", {"form": form})


def _detail_context(request: HttpRequest, recruit: Recruit) -> dict[str, object]:
    details = RecruitDetailsForm(
        owners=selectors.owners_for(recruit.chapter),
        initial={
            "owner": recruit.owner_id,
            "office_type": recruit.office_type,
            "office_sought": recruit.office_sought,
            "office_level": recruit.office_level,
            "party": recruit.party,
            "next_step": recruit.next_step,
            "next_step_due": recruit.next_step_due,
            "notes": recruit.notes,
        },
    )
    rank = stage_rank(recruit.stage)
    return {
        "recruit": recruit,
        "names": names_seen_by(request.user, [recruit.person_id]),
        "history": selectors.stage_history(recruit),
        "move_form": MoveForm(races=selectors.races_open_for_filing(recruit), initial={"stage": _next_stage(recruit)}),
        "details_form": details,
        "steps": [
            (
                s.label,
                "current" if s == recruit.stage else "done" if RANK_OF[s] <= max(rank, recruit.furthest_rank) else "",
            )
            for s in PROGRESSION
        ],
        "today": timezone.localdate(),
    }


RANK_OF = {s: i for i, s in enumerate(PROGRESSION)}


def _next_stage(recruit: Recruit) -> str:
    rank = RANK_OF.get(Stage(recruit.stage))
    if rank is None or rank + 1 >= len(PROGRESSION):
        return recruit.stage
    return PROGRESSION[rank + 1].value


@login_required
def recruit_detail(request: HttpRequest, recruit_id: int) -> HttpResponse:
    recruit = selectors.get_recruit(request.user, recruit_id)
    return render(request, "recruitment/detail.html", _detail_context(request, recruit))


@login_required
@require_POST
def recruit_move(request: HttpRequest, recruit_id: int) -> HttpResponse:
    recruit = selectors.get_recruit(request.user, recruit_id)
    form = MoveForm(request.POST, races=selectors.races_open_for_filing(recruit))
    if form.is_valid():
        try:
            actions.do_move_recruit(
                recruit,
                stage=form.cleaned_data["stage"],
                race=form.cleaned_data["race"],
                note=form.cleaned_data["note"],
                actor=_user(request),
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, f"{recruit.person} moved to {recruit.get_stage_display()}.")
            return redirect(recruit)
    context = _detail_context(request, recruit)
    context["move_form"] = form
    return render(request, "recruitment/detail.html", context, status=400)


@login_required
@require_POST
def recruit_edit(request: HttpRequest, recruit_id: int) -> HttpResponse:
    recruit = selectors.get_recruit(request.user, recruit_id)
    form = RecruitDetailsForm(request.POST, owners=selectors.owners_for(recruit.chapter))
    if not form.is_valid():
        context = _detail_context(request, recruit)
        context["details_form"] = form
        return render(request, "recruitment/detail.html", context, status=400)
    actions.do_update_recruit(recruit, details=actions.RecruitDetails(**form.cleaned_data), actor=_user(request))
    messages.success(request, "Saved.")
    return redirect(recruit)


@login_required
@require_POST
def sync_results(request: HttpRequest) -> HttpResponse:
    _require_leader(request)
    moved = actions.do_sync_recruit_results(actor=_user(request))
    messages.success(request, f"{moved} recruit{'s' if moved != 1 else ''} updated from imported results.")
    return redirect("recruitment:list")


# ---------------------------------------------------------------- the public form


def run_form(request: HttpRequest, slug: str) -> HttpResponse:
    chapter = get_public_chapter(slug)
    form = RunForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["website"]:  # a bot filled the hidden field: say thanks, keep nothing
            return redirect("recruitment:run-thanks", slug=chapter.slug)
        actions.do_submit_run_interest(
            PersonDetails(
                first_name=data["first_name"],
                last_name=data["last_name"],
                emails=[data["email"]],
                phones=[data["phone"]] if data["phone"] else [],
                zip_code=data["zip_code"],
                email_consent=data["email_consent"] or None,
            ),
            chapter=chapter,
            office_type=data["office_type"],
            office_sought=data["office_sought"],
            why=data["why"],
            consent=ConsentWords(email=str(form.fields["email_consent"].label), method=actions.RUN_FORM_SOURCE),
            link_base=request.build_absolute_uri("/").rstrip("/"),
        )
        return redirect("recruitment:run-thanks", slug=chapter.slug)
    return render(
        request, "recruitment/run.html", {"chapter": chapter, "form": form}, status=400 if form.errors else 200
    )


def run_thanks(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "recruitment/run_thanks.html", {"chapter": get_public_chapter(slug)})


# ---------------------------------------------------------------- trainings


@login_required
def training_list(request: HttpRequest) -> HttpResponse:
    _require_leader(request)
    actor = _user(request)
    form = TrainingForm(request.POST or None, chapters=selectors.chapters_for_recruiting(actor))
    if request.method == "POST" and form.is_valid():
        training = actions.do_create_training(actor=actor, **form.cleaned_data)
        messages.success(request, f"Training “{training.title}” added.")
        return redirect(training)
    return render(request, "recruitment/trainings.html", {"trainings": selectors.training_list(actor), "form": form})


@login_required
def training_detail(request: HttpRequest, training_id: int) -> HttpResponse:
    training = selectors.get_training(request.user, training_id)
    actor = _user(request)
    candidates = selectors.people_who_may_attend(actor, training)
    shown = list(selectors.attendees(training))
    names = names_seen_by(actor, [p.pk for p in shown] + list(candidates.values_list("pk", flat=True)))
    form = AttendanceForm(request.POST or None, people=candidates, names=names)
    if request.method == "POST" and form.is_valid():
        actions.do_record_attendance(training, person=form.cleaned_data["person"], actor=actor)
        messages.success(request, f"{names.get(form.cleaned_data['person'].pk, 'They')} marked present.")
        return redirect(training)
    return render(
        request,
        "recruitment/training.html",
        {"training": training, "attendees": shown, "names": names, "form": form},
    )

"""Chapter pages: the public finder, chapter page and join form; the leaders' chapter pages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from groundswell.chapters import selectors
from groundswell.chapters.actions import do_update_chapter
from groundswell.chapters.forms import ABROAD, ChapterEditForm, FinderForm, JoinForm
from groundswell.chapters.geo import STATE_NAMES, state_for_zip
from groundswell.chapters.models import AreaKind, Chapter, ChapterArea
from groundswell.core.models import User
from groundswell.people import actions as actions_people
from groundswell.people.actions import do_sign_up_person
from groundswell.people.selectors import chapter_memberships, member_figures, with_seen

MEMBERS_PER_PAGE = 50


@dataclass
class ChapterGroup:
    heading: str
    chapters: list[Chapter]


@dataclass
class FinderResult:
    groups: list[ChapterGroup] = field(default_factory=list)
    note: str = ""
    searched: bool = False


def _grouped(chapters: QuerySet[Chapter]) -> list[ChapterGroup]:
    """Chapters by state, states in name order, chapters abroad last under "Abroad"."""
    groups: dict[str, list[Chapter]] = {}
    for chapter in chapters:
        heading = "Abroad" if chapter.is_abroad else STATE_NAMES.get(chapter.state, chapter.state)
        groups.setdefault(heading, []).append(chapter)
    ordered = sorted(groups, key=lambda heading: (heading == "Abroad", heading))
    return [ChapterGroup(heading, groups[heading]) for heading in ordered]


def _find_by_zip(zip5: str) -> FinderResult:
    serving = list(selectors.public_chapters_serving_zip(zip5))
    if serving:
        return FinderResult([ChapterGroup(f"Chapters serving {zip5}", serving)], searched=True)
    state = state_for_zip(zip5) or ""
    state_name = STATE_NAMES.get(state, state)
    in_state = list(selectors.public_chapters_in_state(state))
    if in_state:
        note = f"No chapter lists {zip5} yet. These chapters are in {state_name}: the nearest may welcome you."
        return FinderResult([ChapterGroup(state_name, in_state)], note=note, searched=True)
    return FinderResult(note=f"There is no chapter in {state_name} yet.", searched=True)


def _find(form: FinderForm) -> FinderResult:
    if not form.is_valid():
        return FinderResult(searched=True)
    zip5, state = form.cleaned_data["zip_code"], form.cleaned_data["state"]
    if zip5:
        return _find_by_zip(zip5)
    if state == ABROAD:
        return FinderResult(_grouped(selectors.public_chapters_abroad()), searched=True)
    if state:
        chapters = selectors.public_chapters_in_state(state)
        result = FinderResult(_grouped(chapters), searched=True)
        result.note = "" if result.groups else f"There is no chapter in {STATE_NAMES.get(state, state)} yet."
        return result
    return FinderResult(_grouped(selectors.public_chapters_with_areas()))


def finder(request: HttpRequest) -> HttpResponse:
    form = FinderForm(request.GET or None, states=selectors.public_chapter_states())
    result = _find(form) if request.GET else FinderResult(_grouped(selectors.public_chapters_with_areas()))
    return render(request, "chapters/finder.html", {"form": form, "result": result})


def detail(request: HttpRequest, slug: str) -> HttpResponse:
    chapter = selectors.get_public_chapter(slug)
    return _render_detail(request, chapter, JoinForm(chapter=chapter))


@dataclass
class AreaSummary:
    named: list[ChapterArea]  # counties and cities
    zip_codes: list[str]


def _area_summary(chapter: Chapter) -> AreaSummary:
    areas = list(chapter.areas.all())
    return AreaSummary(
        named=[a for a in areas if a.kind != AreaKind.ZIP],
        zip_codes=[a.value for a in areas if a.kind == AreaKind.ZIP],
    )


def _render_detail(request: HttpRequest, chapter: Chapter, form: JoinForm, status: int = 200) -> HttpResponse:
    context = {"chapter": chapter, "form": form, "areas": _area_summary(chapter)}
    return render(request, "chapters/detail.html", context, status=status)


@require_POST
def join(request: HttpRequest, slug: str) -> HttpResponse:
    chapter = selectors.get_public_chapter(slug)
    form = JoinForm(request.POST, chapter=chapter)
    if not form.is_valid():
        return _render_detail(request, chapter, form, status=400)
    if not form.is_bot:
        do_sign_up_person(
            form.person_details(), chapter=chapter, source=f"join form on {chapter.name}",
            consent=form.consent_words(), link_base=request.build_absolute_uri("/").rstrip("/"),
        )  # fmt: skip
    # A bot that filled the hidden field sees the same thanks, so it learns nothing.
    return redirect("chapters:thanks", slug=chapter.slug)


def thanks(request: HttpRequest, slug: str) -> HttpResponse:
    chapter = selectors.get_public_chapter(slug)
    return render(request, "chapters/thanks.html", {"chapter": chapter})


@login_required
def my_chapters(request: HttpRequest) -> HttpResponse:
    chapters = selectors.chapters_with_member_counts(request.user).prefetch_related("areas")
    return render(request, "chapters/mine.html", {"chapters": chapters})


def _first_of_month() -> dt.date:
    return timezone.localdate().replace(day=1)


@login_required
def manage(request: HttpRequest, slug: str) -> HttpResponse:
    chapter = selectors.get_managed_chapter(request.user, slug)
    memberships = chapter_memberships(request.user, chapter)
    page = Paginator(memberships, MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
    members = with_seen(request.user, list(page.object_list))
    chapter_only = selectors.chapters_managed_by(request.user).filter(pk=chapter.pk)
    assert isinstance(request.user, User)  # login_required
    actions_people.do_audit_people_read(
        request.user, people=[p for _, p in members], what="chapter members", details={"chapter": chapter.slug}
    )
    context = {
        "chapter": chapter,
        "page": page,
        "members": members,
        "figures": member_figures(request.user, since=_first_of_month(), chapters=chapter_only),
        "leaders": selectors.chapter_leaders(request.user, chapter),
        "areas": _area_summary(chapter),
    }
    return render(request, "chapters/manage.html", context)


@login_required
def edit(request: HttpRequest, slug: str) -> HttpResponse:
    chapter = selectors.get_managed_chapter(request.user, slug)
    if request.method != "POST":
        form = ChapterEditForm(initial=ChapterEditForm.initial_for(chapter))
        return render(request, "chapters/edit.html", {"chapter": chapter, "form": form})
    form = ChapterEditForm(request.POST)
    if form.is_valid():
        assert isinstance(request.user, User)  # login_required
        try:
            do_update_chapter(chapter, actor=request.user, areas=form.areas(), **form.chapter_fields())
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, f"Saved {chapter.name}.")
            return redirect("chapters:manage", slug=chapter.slug)
    return render(request, "chapters/edit.html", {"chapter": chapter, "form": form}, status=400)

"""Reads of recruits and trainings, scoped to the acting user, and the recruitment funnel."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.shortcuts import get_object_or_404
from django.utils import timezone

from groundswell.chapters.access import AnyUser, scope_for
from groundswell.chapters.models import Chapter, Role, RoleGrant
from groundswell.core.models import User
from groundswell.elections.models import Race
from groundswell.people.models import Membership, MembershipStatus, Person
from groundswell.recruitment.models import PROGRESSION, Recruit, RecruitStageChange, Stage, Training
from groundswell.recruitment.rates import Rate


def recruits_visible_to(user: AnyUser) -> QuerySet[Recruit]:
    """Leaders see their chapters' recruits, coordinators their states', national staff everyone's."""
    scope = scope_for(user)
    if not scope.is_leader_or_above:
        return Recruit.objects.none()
    return Recruit.objects.filter(scope.chapters_q("chapter__"))


def get_recruit(user: AnyUser, recruit_id: int) -> Recruit:
    recruits = recruits_visible_to(user).select_related(
        "person", "chapter", "owner", "candidacy__race__election", "candidacy__race__office", "office", "training"
    )
    return get_object_or_404(recruits, pk=recruit_id)


@dataclass(frozen=True)
class RecruitFilters:
    chapter_id: int | None = None
    state: str = ""
    level: str = ""
    stage: str = ""


def filter_recruits(user: AnyUser, filters: RecruitFilters) -> QuerySet[Recruit]:
    recruits = recruits_visible_to(user)
    if filters.chapter_id:
        recruits = recruits.filter(chapter_id=filters.chapter_id)
    if filters.state:
        recruits = recruits.filter(chapter__state=filters.state)
    if filters.level:
        recruits = recruits.filter(office_level=filters.level)
    if filters.stage:
        recruits = recruits.filter(stage=filters.stage)
    return recruits


def recruit_list(recruits: QuerySet[Recruit]) -> QuerySet[Recruit]:
    return recruits.select_related("person", "chapter", "owner").order_by(
        F("next_step_due").asc(nulls_last=True), "-stage_changed_at", "id"
    )


def stage_history(recruit: Recruit) -> QuerySet[RecruitStageChange]:
    return recruit.stage_changes.select_related("changed_by")


def chapters_for_recruiting(user: AnyUser) -> QuerySet[Chapter]:
    scope = scope_for(user)
    if not scope.is_leader_or_above:
        return Chapter.objects.none()
    return Chapter.objects.filter(scope.chapters_q())


def owners_for(chapter: Chapter) -> QuerySet[User]:
    """The users who may own a recruit of this chapter: its leaders and the coordinators of its state."""
    grants = RoleGrant.objects.active().filter(
        Q(chapter=chapter, role=Role.CHAPTER_LEADER) | Q(state=chapter.state, role=Role.STATE_COORDINATOR)
    )
    return User.objects.filter(pk__in=grants.values("user")).order_by("first_name", "last_name")


def races_open_for_filing(recruit: Recruit) -> QuerySet[Race]:
    """Races in the recruit's state on a ballot still to come."""
    return (
        Race.objects.filter(office__division__state=recruit.chapter.state, election__date__gte=timezone.localdate())
        .select_related("office", "election")
        .order_by("election__date", "office__name")
    )


# ---------------------------------------------------------------- the funnel


@dataclass(frozen=True)
class FunnelStep:
    stage: str
    label: str
    current: int  # recruits at this stage now
    reached: int  # recruits who ever got this far
    conversion: Rate | None  # of those who reached the previous stage, how many reached this one


@dataclass(frozen=True)
class Funnel:
    steps: list[FunnelStep]
    total: int
    declined: int
    lost: int

    def chart_data(self) -> dict[str, Any]:
        return {
            "labels": [s.label for s in self.steps],
            "reached": [s.reached for s in self.steps],
            "current": [s.current for s in self.steps],
            "conversion": [s.conversion.label if s.conversion else "" for s in self.steps],
        }


def recruit_funnel(recruits: QuerySet[Recruit]) -> Funnel:
    """Counts at each stage and the conversion from each stage to the next, in one grouped query."""
    rows = list(recruits.order_by().values_list("stage", "furthest_rank").annotate(n=Count("id")))
    current: dict[str, int] = defaultdict(int)
    reached = [0] * len(PROGRESSION)
    for stage, furthest, n in rows:
        current[stage] += n
        for rank in range(min(furthest, len(PROGRESSION) - 1) + 1):
            reached[rank] += n
    steps = [
        FunnelStep(
            stage.value, stage.label, current[stage], reached[i], Rate(reached[i], reached[i - 1]) if i else None
        )
        for i, stage in enumerate(PROGRESSION)
    ]
    return Funnel(steps, sum(current.values()), current[Stage.DECLINED], current[Stage.LOST])


def funnel_over_time(recruits: QuerySet[Recruit], *, months: int = 12) -> dict[str, Any]:
    """How many recruits entered each stage in each of the last ``months`` months."""
    today = timezone.localdate()
    start = (today.replace(day=1) - dt.timedelta(days=31 * (months - 1))).replace(day=1)
    changes = (
        RecruitStageChange.objects.filter(recruit__in=recruits.order_by().values("pk"), changed_at__date__gte=start)
        .annotate(month=TruncMonth("changed_at"))
        .values_list("month", "to_stage")
        .annotate(n=Count("id"))
    )
    labels = []
    cursor = start
    while cursor <= today:
        labels.append(cursor)
        cursor = (cursor + dt.timedelta(days=32)).replace(day=1)
    counts: dict[str, dict[dt.date, int]] = defaultdict(dict)
    for month, stage, n in changes:
        day = month.date() if isinstance(month, dt.datetime) else month
        counts[stage][day] = counts[stage].get(day, 0) + n
    stages = [*PROGRESSION, Stage.LOST, Stage.DECLINED]
    return {
        "labels": [f"{m:%b %Y}" for m in labels],
        "series": [{"label": s.label, "stage": s.value, "data": [counts[s].get(m, 0) for m in labels]} for s in stages],
    }


# ---------------------------------------------------------------- trainings


def trainings_visible_to(user: AnyUser) -> QuerySet[Training]:
    """National trainings and those of chapters in the user's scope."""
    scope = scope_for(user)
    if not scope.is_leader_or_above:
        return Training.objects.none()
    if scope.national:
        # Not folded into the filter below: chapters_q() is an empty Q for national staff, and
        # "national trainings OR an empty Q" would keep only the national trainings.
        return Training.objects.all()
    return Training.objects.filter(Q(chapter__isnull=True) | scope.chapters_q("chapter__"))


def get_training(user: AnyUser, training_id: int) -> Training:
    return get_object_or_404(trainings_visible_to(user).select_related("chapter"), pk=training_id)


def training_list(user: AnyUser) -> QuerySet[Training]:
    return trainings_visible_to(user).select_related("chapter").annotate(attended=Count("attendance"))


def attendees(training: Training) -> QuerySet[Person]:
    return Person.objects.filter(trainings_attended__training=training).order_by("sort_name")


def people_who_may_attend(user: AnyUser, training: Training) -> QuerySet[Person]:
    """Members and recruits of the chapters in the user's scope (the training's chapter, if it has one)."""
    scope = scope_for(user)
    chapters = Chapter.objects.filter(scope.chapters_q())
    if training.chapter_id:
        chapters = chapters.filter(pk=training.chapter_id)
    members = Membership.objects.filter(chapter__in=chapters, status=MembershipStatus.ACTIVE).values("person")
    recruits = Recruit.objects.filter(chapter__in=chapters).values("person")
    return (
        Person.objects.live()
        .filter(Q(pk__in=members) | Q(pk__in=recruits))
        .exclude(trainings_attended__training=training)
        .order_by("sort_name")
    )


def get_attendee_candidate(user: AnyUser, training: Training, person_id: int) -> Person:
    return get_object_or_404(people_who_may_attend(user, training), pk=person_id)

"""Reads of the endorsement process, scoped to the acting user; the public slate and feed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from groundswell.chapters.access import AnyUser, scope_for
from groundswell.chapters.models import Chapter
from groundswell.core.models import Job, User
from groundswell.elections.models import Candidacy, OfficeLevel
from groundswell.endorsements.jobs import IMPORT_HISTORICAL
from groundswell.endorsements.models import (
    Answer,
    Ballot,
    ChapterVote,
    Endorsement,
    HistoricalImport,
    Nomination,
    PlatformIssue,
    QuestionnaireResponse,
    QuestionnaireTemplate,
)
from groundswell.endorsements.tokens import token_hash

# ---------------------------------------------------------------- a signed-in candidate's own nominations


def nominations_of_candidate(user: AnyUser) -> QuerySet[Nomination]:
    """The nominations made to this candidate: those whose questionnaire goes to the candidate's own
    sign-in address. Only users with the candidate role; nobody else sees any."""
    if not isinstance(user, User) or not scope_for(user).candidate:
        return Nomination.objects.none()
    return (
        Nomination.objects.filter(candidate_email=user.email.strip().lower())
        .select_related("candidacy__race__office", "candidacy__race__election", "chapter", "vote")
        .order_by("-nominated_at", "-id")
    )


def get_candidate_nomination(user: AnyUser, nomination_id: int) -> Nomination:
    return get_object_or_404(nominations_of_candidate(user), pk=nomination_id)


# ---------------------------------------------------------------- nominations (leaders and above)


def nominations_visible_to(user: AnyUser) -> QuerySet[Nomination]:
    """A nomination is seen by leaders of its nominating and partner chapters, coordinators of those
    chapters' states, and national staff."""
    scope = scope_for(user)
    if not scope.is_leader_or_above:
        return Nomination.objects.none()
    if scope.national:
        return Nomination.objects.all()
    in_scope = Chapter.objects.filter(scope.chapters_q()).values("pk")
    return Nomination.objects.filter(Q(chapter__in=in_scope) | Q(partner_chapters__in=in_scope)).distinct()


def nomination_list(user: AnyUser, *, status: str = "") -> QuerySet[Nomination]:
    nominations = nominations_visible_to(user).select_related(
        "chapter", "candidacy__race__office", "candidacy__race__election"
    )
    return nominations.filter(status=status) if status else nominations


def nominations_managed_by(user: AnyUser) -> QuerySet[Nomination]:
    """The nominations whose steps a user may take: those of the chapters they manage (its leaders, the
    coordinators of its state, national staff). A partner chapter's leader sees a joint nomination, but
    the nominating chapter runs it."""
    scope = scope_for(user)
    if not scope.is_leader_or_above:
        return Nomination.objects.none()
    return Nomination.objects.filter(scope.chapters_q("chapter__"))


def nominations_for_state_review(user: AnyUser) -> QuerySet[Nomination]:
    """The state review is the coordinator's of the nominating chapter's state (or national staff's)."""
    scope = scope_for(user)
    if scope.national:
        return Nomination.objects.all()
    return Nomination.objects.filter(chapter__state__in=scope.coordinator_states)


def nominations_for_national_decision(user: AnyUser) -> QuerySet[Nomination]:
    """Deciding and withdrawing endorsements is national staff's alone."""
    return Nomination.objects.all() if scope_for(user).national else Nomination.objects.none()


def _get_nomination_in(nominations: QuerySet[Nomination], nomination_id: int) -> Nomination:
    nominations = nominations.select_related(
        "chapter", "template", "candidacy__race__office__division", "candidacy__race__election", "nominated_by"
    )
    return get_object_or_404(nominations, pk=nomination_id)


def get_nomination(user: AnyUser, nomination_id: int) -> Nomination:
    return _get_nomination_in(nominations_visible_to(user), nomination_id)


def get_managed_nomination(user: AnyUser, nomination_id: int) -> Nomination:
    return _get_nomination_in(nominations_managed_by(user), nomination_id)


def get_nomination_for_state_review(user: AnyUser, nomination_id: int) -> Nomination:
    return _get_nomination_in(nominations_for_state_review(user), nomination_id)


def get_nomination_for_national_decision(user: AnyUser, nomination_id: int) -> Nomination:
    return _get_nomination_in(nominations_for_national_decision(user), nomination_id)


def answers_for(nomination: Nomination) -> list[Answer]:
    response = QuestionnaireResponse.objects.filter(nomination=nomination).first()
    if response is None:
        return []
    return list(response.answers.select_related("question__issue"))


def vote_of(nomination: Nomination) -> ChapterVote | None:
    return ChapterVote.objects.filter(nomination=nomination).first()


def ballots_returned(vote: ChapterVote) -> int:
    """How many members have voted so far: turnout, never how they voted (that stays hidden)."""
    return vote.ballots.filter(cast_at__isnull=False).count()


def ballots_for_leader(vote: ChapterVote) -> QuerySet[Ballot]:
    """The roll: who may vote, who has voted, who recused. Never the choice."""
    return (
        vote.ballots.select_related("person")
        .only(
            "pk", "person__first_name", "person__last_name", "email", "cast_at", "recused", "recusal_reason", "vote_id"
        )
        .order_by("person__sort_name")
    )


def get_ballot_for_leader(user: AnyUser, nomination_id: int, ballot_id: int) -> Ballot:
    """A ballot of the vote on this nomination, for the leaders who run it (recusal, a new link)."""
    managed = nominations_managed_by(user).filter(pk=nomination_id).values("pk")
    ballots = Ballot.objects.select_related("vote__nomination__chapter", "person")
    return get_object_or_404(ballots, pk=ballot_id, vote__nomination__in=managed)


def candidacies_to_nominate(user: AnyUser, chapter: Chapter) -> QuerySet[Candidacy]:
    """Candidacies on a ballot still to come in the chapter's state, not yet nominated by it."""
    if not scope_for(user).manages_chapter(chapter):
        return Candidacy.objects.none()
    return (
        Candidacy.objects.filter(
            race__office__division__state=chapter.state, race__election__date__gte=timezone.localdate()
        )
        .exclude(nominations__chapter=chapter)
        .select_related("race__office", "race__election")
        .order_by("race__election__date", "race__office__name", "name")
    )


def partner_chapter_choices(chapter: Chapter) -> QuerySet[Chapter]:
    return Chapter.objects.filter(state=chapter.state).exclude(pk=chapter.pk)


def questionnaire_templates() -> QuerySet[QuestionnaireTemplate]:
    return QuestionnaireTemplate.objects.filter(active=True)


# ---------------------------------------------------------------- platform (national staff edit it)


def platform_issues() -> QuerySet[PlatformIssue]:
    return PlatformIssue.objects.filter(active=True)


def require_national(user: AnyUser) -> None:
    if not scope_for(user).national:
        raise Http404


def historical_import_jobs(user: AnyUser) -> QuerySet[Job]:
    """Imports of past endorsements, newest first: national staff's."""
    require_national(user)
    return Job.objects.filter(kind=IMPORT_HISTORICAL).select_related("created_by").order_by("-created_at", "-id")


def all_platform_issues(user: AnyUser) -> QuerySet[PlatformIssue]:
    require_national(user)
    return PlatformIssue.objects.all()


def get_platform_issue(user: AnyUser, issue_id: int) -> PlatformIssue:
    return get_object_or_404(all_platform_issues(user), pk=issue_id)


def all_questionnaires(user: AnyUser) -> QuerySet[QuestionnaireTemplate]:
    require_national(user)
    return QuestionnaireTemplate.objects.annotate(question_count=Count("questions"))


def get_questionnaire(user: AnyUser, template_id: int) -> QuestionnaireTemplate:
    return get_object_or_404(all_questionnaires(user).prefetch_related("questions__issue"), pk=template_id)


# ---------------------------------------------------------------- private links


def get_response_by_token(token: str) -> QuestionnaireResponse:
    responses = QuestionnaireResponse.objects.select_related(
        "nomination__chapter",
        "nomination__template",
        "nomination__candidacy__race__office",
        "nomination__candidacy__race__election",
    )
    return get_object_or_404(responses, token_hash=token_hash(token))


def get_ballot_by_token(token: str) -> Ballot:
    ballots = Ballot.objects.select_related(
        "vote__nomination__chapter",
        "vote__nomination__candidacy__race__office",
        "vote__nomination__candidacy__race__election",
        "person",
    )
    return get_object_or_404(ballots, token_hash=token_hash(token))


# ---------------------------------------------------------------- endorsements and the public slate


def get_endorsement_for_staff(user: AnyUser, endorsement_id: int) -> Endorsement:
    require_national(user)
    return get_object_or_404(Endorsement.objects.select_related("candidacy"), pk=endorsement_id)


# The slate shows this season's endorsements: races still ahead, and those decided within this window.
SLATE_RECENT_DAYS = 60


def slate(*, state: str = "", level: str = "") -> QuerySet[Endorsement]:
    """The public slate: active endorsements of races still ahead or just decided."""
    since = timezone.localdate() - dt.timedelta(days=SLATE_RECENT_DAYS)
    endorsements = Endorsement.objects.filter(withdrawn_at__isnull=True, candidacy__race__election__date__gte=since)
    if state:
        endorsements = endorsements.filter(candidacy__race__office__division__state=state.upper())
    if level:
        endorsements = endorsements.filter(candidacy__race__office__level=level)
    return (
        endorsements.select_related("candidacy__race__office__division", "candidacy__race__election", "chapter")
        .prefetch_related("candidacy__pledges")
        .order_by(
            "candidacy__race__office__division__state",
            "candidacy__race__election__date",
            "candidacy__race__office__name",
        )
    )


def slate_states() -> list[str]:
    since = timezone.localdate() - dt.timedelta(days=SLATE_RECENT_DAYS)
    return sorted(
        set(
            Endorsement.objects.filter(withdrawn_at__isnull=True, candidacy__race__election__date__gte=since)
            .values_list("candidacy__race__office__division__state", flat=True)
            .distinct()
        )
    )


def feed_item(endorsement: Endorsement) -> dict[str, Any]:
    candidacy = endorsement.candidacy
    race = candidacy.race
    return {
        "id": endorsement.pk,
        "candidate": candidacy.name,
        "party": candidacy.party,
        "office": race.office.name,
        "office_level": race.office.level,
        "office_level_label": OfficeLevel(race.office.level).label if race.office.level in OfficeLevel.values else "",
        "state": race.office.division.state,
        "division": race.office.division.ocd_id,
        "election": race.election.name,
        "election_date": race.election.date.isoformat(),
        "election_kind": race.election.kind,
        "endorser": endorsement.endorser,
        "chapter": endorsement.chapter.name if endorsement.chapter else None,
        "endorsed_at": endorsement.decided_at.isoformat(),
        "outcome": candidacy.outcome,
        "pledges": [p.get_kind_display() for p in candidacy.pledges.all()],
    }


def get_historical_import(user: AnyUser, import_id: int) -> HistoricalImport:
    require_national(user)
    return get_object_or_404(HistoricalImport, pk=import_id)


def historical_imports_by_job(jobs: list[Job]) -> dict[int, HistoricalImport]:
    """The import each finished job loaded (its result names it), by job id."""
    ids = {job.pk: job.result.get("import_id") for job in jobs if isinstance(job.result, dict)}
    found = HistoricalImport.objects.in_bulk([i for i in ids.values() if i])
    return {job_id: found[i] for job_id, i in ids.items() if i in found}

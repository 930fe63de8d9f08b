"""Every change in the endorsement process: platform, nominations, answers, votes, reviews, decisions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from groundswell.chapters.access import AnyUser, scope_for
from groundswell.chapters.models import Chapter
from groundswell.core.audit import record_audit
from groundswell.core.models import AuditEvent, User
from groundswell.elections.models import Candidacy
from groundswell.endorsements import tokens
from groundswell.endorsements.models import (
    NATIONAL_ENDORSER,
    Answer,
    Ballot,
    BallotChoice,
    ChapterVote,
    Endorsement,
    HistoricalImport,
    IssueCommitment,
    Nomination,
    NominationStatus,
    PlatformIssue,
    Pledge,
    Question,
    QuestionKind,
    QuestionnaireResponse,
    QuestionnaireTemplate,
    Recommendation,
    StateReview,
    VoteOutcome,
)
from groundswell.people.models import Membership, MembershipStatus, Person
from groundswell.people.selectors import contact_emails_for_chapter, first_names_for_chapter
from groundswell.recruitment.candidacies import remove_rows_a_file_made

# ---------------------------------------------------------------- the platform (national staff)


def _require_national(actor: AnyUser) -> None:
    if not scope_for(actor).national:
        raise PermissionDenied("Only national staff may do this.")


def _require_manages(chapter: Chapter, actor: AnyUser) -> None:
    if not scope_for(actor).manages_chapter(chapter):
        raise PermissionDenied("You do not lead this chapter.")


def do_save_platform_issue(
    *,
    title: str,
    summary: str,
    position: int = 0,
    active: bool = True,
    issue: PlatformIssue | None = None,
    actor: User,
) -> PlatformIssue:
    _require_national(actor)
    with transaction.atomic():
        issue = issue or PlatformIssue()
        issue.title, issue.summary, issue.position, issue.active = title.strip(), summary.strip(), position, active
        issue.save()
        record_audit(AuditEvent.PLATFORM_ISSUE_SAVED, actor=actor, target=issue, summary=f"platform issue {issue}")
    return issue


@dataclass(frozen=True)
class QuestionSpec:
    prompt: str
    kind: str = QuestionKind.YES_NO
    issue: PlatformIssue | None = None


def do_save_questionnaire(
    *,
    title: str,
    introduction: str,
    questions: list[QuestionSpec],
    template: QuestionnaireTemplate | None = None,
    actor: User,
) -> QuestionnaireTemplate:
    """Create or rewrite a questionnaire. Questions already answered are kept (answers point at them);
    rewriting replaces the list a new nomination will be asked."""
    _require_national(actor)
    if not questions:
        raise ValidationError({"questions": "A questionnaire needs at least one question."})
    with transaction.atomic():
        template = template or QuestionnaireTemplate()
        template.title, template.introduction = title.strip(), introduction.strip()
        template.save()
        answered = set(Answer.objects.filter(question__template=template).values_list("question_id", flat=True))
        template.questions.exclude(pk__in=answered).delete()
        Question.objects.filter(pk__in=answered).update(position=10_000)  # kept for old answers, listed last
        for position, spec in enumerate(questions):
            Question.objects.create(
                template=template, prompt=spec.prompt.strip(), kind=spec.kind, issue=spec.issue, position=position
            )
        record_audit(
            AuditEvent.QUESTIONNAIRE_SAVED,
            actor=actor,
            target=template,
            summary=f"questionnaire {template} ({len(questions)} questions)",
        )
    return template


# ---------------------------------------------------------------- nomination and the questionnaire


def _send_later(subject: str, body: str, to: str) -> None:
    if to:
        transaction.on_commit(lambda: send_mail(subject, body, None, [to]))


def _new_questionnaire_token(nomination: Nomination) -> str:
    """A fresh private token for the candidate's questionnaire; any earlier link stops working."""
    token, digest = tokens.new_token()
    QuestionnaireResponse.objects.update_or_create(
        nomination=nomination, defaults={"token_hash": digest, "link_sent_at": timezone.now()}
    )
    return token


def _questionnaire_link(nomination: Nomination) -> str:
    """A fresh private link for the candidate, emailed to them; any earlier link stops working."""
    link = tokens.absolute_url("endorsements:answer", _new_questionnaire_token(nomination))
    _send_later(
        f"{nomination.chapter.name}: your endorsement questionnaire",
        f"Hello {nomination.candidacy.name},\n\n{nomination.chapter.name} has nominated you for an endorsement in "
        f"{nomination.candidacy.race}.\nPlease answer the questionnaire here (no account needed):\n\n{link}\n\n"
        "This link is personal: please do not share it.\n",
        nomination.candidate_email,
    )
    return link


def do_nominate(
    candidacy: Candidacy,
    *,
    chapter: Chapter,
    template: QuestionnaireTemplate,
    candidate_email: str,
    reason: str = "",
    partner_chapters: Iterable[Chapter] = (),
    candidate: Person | None = None,
    actor: User,
) -> tuple[Nomination, str]:
    """A chapter nominates a candidacy; the candidate is emailed a private questionnaire link.
    Returns the nomination and the link (shown once to the leader, to pass on by hand if need be)."""
    _require_manages(chapter, actor)
    partners = [c for c in partner_chapters if c.pk != chapter.pk]
    if Nomination.objects.filter(candidacy=candidacy, chapter=chapter).exists():
        raise ValidationError({"candidacy": f"{chapter.name} has already nominated {candidacy.name}."})
    with transaction.atomic():
        nomination = Nomination.objects.create(
            candidacy=candidacy,
            chapter=chapter,
            template=template,
            candidate_email=candidate_email.strip().lower(),
            reason=reason,
            candidate=candidate,
            nominated_by=actor,
        )
        nomination.partner_chapters.set(partners)
        link = _questionnaire_link(nomination)
        record_audit(
            AuditEvent.NOMINATION_CREATED,
            actor=actor,
            target=nomination,
            summary=f"{chapter.name} nominated {candidacy.name} ({candidacy.race})",
            details={"partner_chapters": [c.pk for c in partners]},
        )
    return nomination, link


def do_resend_questionnaire_link(nomination: Nomination, *, actor: User) -> str:
    _require_manages(nomination.chapter, actor)
    if nomination.status not in (NominationStatus.AWAITING_ANSWERS, NominationStatus.READY_FOR_VOTE):
        raise ValidationError("The questionnaire is closed once the vote opens.")
    with transaction.atomic():
        link = _questionnaire_link(nomination)
        record_audit(
            AuditEvent.QUESTIONNAIRE_LINK_SENT,
            actor=actor,
            target=nomination,
            summary=f"new questionnaire link for {nomination.candidacy.name}",
        )
    return link


def do_open_own_questionnaire(nomination: Nomination, *, actor: User) -> str:
    """A signed-in candidate opens their own questionnaire (no need to find the email): returns a fresh
    private token to go straight to it. The emailed link stops working, as when a leader resends it."""
    if not scope_for(actor).candidate or nomination.candidate_email != actor.email.strip().lower():
        raise PermissionDenied("This nomination is not yours.")
    if nomination.status not in (NominationStatus.AWAITING_ANSWERS, NominationStatus.READY_FOR_VOTE):
        raise ValidationError("The questionnaire is closed once the vote opens.")
    with transaction.atomic():
        token = _new_questionnaire_token(nomination)
        record_audit(
            AuditEvent.QUESTIONNAIRE_LINK_SENT, actor=actor, target=nomination,
            summary=f"{nomination.candidacy.name} opened the questionnaire while signed in",
        )  # fmt: skip
    return token


def do_answer_questionnaire(response: QuestionnaireResponse, *, answers: Mapping[int, tuple[bool | None, str]]) -> None:
    """The candidate's answers, through the private link: ``answers`` maps question id -> (agrees, text).
    They may change them until the chapter's vote opens."""
    nomination = response.nomination
    if nomination.status not in (NominationStatus.AWAITING_ANSWERS, NominationStatus.READY_FOR_VOTE):
        raise ValidationError("The chapter has started voting; answers can no longer change.")
    questions = {q.pk: q for q in nomination.template.questions.all()}
    missing = [
        q for q in questions.values() if q.kind == QuestionKind.YES_NO and answers.get(q.pk, (None, ""))[0] is None
    ]
    if missing:
        raise ValidationError({f"q{q.pk}": "Please answer yes or no." for q in missing})
    with transaction.atomic():
        for question_id, (agrees, text) in answers.items():
            if question_id in questions:
                Answer.objects.update_or_create(
                    response=response, question_id=question_id, defaults={"agrees": agrees, "text": text.strip()}
                )
        response.submitted_at = timezone.now()
        response.save(update_fields=["submitted_at"])
        nomination.status = NominationStatus.READY_FOR_VOTE
        nomination.save(update_fields=["status"])
        record_audit(
            AuditEvent.QUESTIONNAIRE_ANSWERED,
            actor=None,
            target=nomination,
            summary=f"{nomination.candidacy.name} answered the questionnaire",
        )


# ---------------------------------------------------------------- the members' vote


def eligible_voters(nomination: Nomination) -> list[Person]:
    """Active members of the nominating and partner chapters, each once (merged records excluded)."""
    chapter_ids = [nomination.chapter_id, *nomination.partner_chapters.values_list("pk", flat=True)]
    members = Membership.objects.filter(chapter_id__in=chapter_ids, status=MembershipStatus.ACTIVE).values("person")
    return list(Person.objects.live().filter(pk__in=members).order_by("pk"))


def _ballot_addresses(nomination: Nomination, people: list[Person]) -> tuple[dict[int, str], dict[int, str]]:
    """Each voter's address and first name as their own chapter has them (the nominating chapter's
    first, then its partners'): a ballot goes where the member's chapter writes to them."""
    chapters = [nomination.chapter, *nomination.partner_chapters.order_by("pk")]
    ids = [p.pk for p in people]
    emails: dict[int, str] = {}
    names: dict[int, str] = {}
    for chapter in chapters:
        for pid, address in contact_emails_for_chapter(chapter, ids).items():
            emails.setdefault(pid, address)
        for pid, first in first_names_for_chapter(chapter, ids).items():
            names.setdefault(pid, first)
    return emails, names


def _ballot_mail(vote: ChapterVote, first_name: str, link: str) -> tuple[str, str]:
    nomination = vote.nomination
    local_close = timezone.localtime(vote.closes_at)
    return (
        f"Your ballot: should we endorse {nomination.candidacy.name}?",
        f"Hello {first_name or 'member'},\n\nAs a member of {nomination.chapter.name} you have a vote on "
        f"endorsing {nomination.candidacy.name} in {nomination.candidacy.race}.\n\nVote here (your personal, "
        f"single-use ballot; no account needed):\n\n{link}\n\nIf you have a conflict of interest, the same page "
        f"lets you recuse yourself.\nVoting closes {local_close:%A %B %-d at %-I:%M %p}.\n",
    )


def do_open_vote(
    nomination: Nomination,
    *,
    closes_at: dt.datetime,
    quorum_percent: int = 25,
    threshold_percent: int = 60,
    actor: User,
) -> ChapterVote:
    """Open the members' vote: one ballot per eligible member, each emailed a personal link."""
    _require_manages(nomination.chapter, actor)
    if nomination.status != NominationStatus.READY_FOR_VOTE:
        raise ValidationError("The vote opens once the candidate has answered the questionnaire.")
    if closes_at <= timezone.now():
        raise ValidationError({"closes_at": "The vote must close in the future."})
    if not 0 <= quorum_percent <= 100 or not 1 <= threshold_percent <= 100:
        raise ValidationError("Quorum is 0-100% and the threshold 1-100%.")
    voters = eligible_voters(nomination)
    if not voters:
        raise ValidationError("The chapter has no active members to vote.")
    emails, first_names = _ballot_addresses(nomination, voters)
    with transaction.atomic():
        vote = ChapterVote.objects.create(
            nomination=nomination,
            quorum_percent=quorum_percent,
            threshold_percent=threshold_percent,
            opened_by=actor,
            opened_at=timezone.now(),
            closes_at=closes_at,
            eligible=len(voters),
        )
        for person in voters:
            token, digest = tokens.new_token()
            if person.pk == nomination.candidate_id:
                # The candidate may be a member: their conflict is plain, so they are recused from the start.
                Ballot.objects.create(
                    vote=vote, person=person, token_hash=digest, recused=True, recusal_reason="The candidate"
                )
                continue
            Ballot.objects.create(vote=vote, person=person, email=emails.get(person.pk, ""), token_hash=digest)
            _send_later(
                *_ballot_mail(vote, first_names.get(person.pk, ""), tokens.absolute_url("endorsements:ballot", token)),
                to=emails.get(person.pk, ""),
            )
        nomination.status = NominationStatus.VOTING
        nomination.save(update_fields=["status"])
        record_audit(
            AuditEvent.VOTE_OPENED,
            actor=actor,
            target=nomination,
            summary=f"vote opened on {nomination.candidacy.name}: {len(voters)} eligible members",
            details={
                "quorum_percent": quorum_percent,
                "threshold_percent": threshold_percent,
                "closes_at": closes_at.isoformat(),
                "eligible": len(voters),
            },
        )
    return vote


def do_reissue_ballot_link(ballot: Ballot, *, actor: User) -> str:
    """A new link for a member who has no email or lost theirs (the old link stops working).
    Shown to the leader once, to hand to the member; a cast ballot gets no new link."""
    _require_manages(ballot.vote.nomination.chapter, actor)
    if ballot.cast_at or ballot.recused or ballot.vote.is_closed:
        raise ValidationError("This ballot is already used or the vote is closed.")
    token, digest = tokens.new_token()
    with transaction.atomic():
        Ballot.objects.filter(pk=ballot.pk).update(token_hash=digest)
        record_audit(
            AuditEvent.BALLOT_LINK_REISSUED,
            actor=actor,
            target=ballot.vote.nomination,
            summary=f"new ballot link issued to member {ballot.person_id}",
        )
    return tokens.absolute_url("endorsements:ballot", token)


def _require_open(vote: ChapterVote) -> None:
    if vote.is_closed or timezone.now() >= vote.closes_at:
        raise ValidationError("This vote is closed.")


def do_cast_ballot(ballot: Ballot, *, choice: str) -> None:
    """Cast a ballot once. The conditional update is the guarantee: of two clicks racing, one wins.
    The audit entry says a ballot was cast, never how: the vote is secret."""
    if choice not in BallotChoice.values:
        raise ValidationError({"choice": "Choose yes, no or abstain."})
    _require_open(ballot.vote)
    with transaction.atomic():
        used = Ballot.objects.filter(pk=ballot.pk, cast_at__isnull=True, recused=False).update(
            choice=choice, cast_at=timezone.now()
        )
        if not used:
            raise ValidationError("This ballot has already been used.")
        record_audit(
            AuditEvent.BALLOT_CAST,
            actor=None,
            target=ballot.vote.nomination,
            summary=f"a ballot was cast on {ballot.vote.nomination.candidacy.name}",
        )


def do_recuse(ballot: Ballot, *, reason: str, actor: User | None) -> None:
    """Step aside for a conflict of interest (the member through their link, actor None, or a leader
    recording it). A recused member neither votes nor counts toward the quorum."""
    if actor is not None:
        _require_manages(ballot.vote.nomination.chapter, actor)
    if not reason.strip():
        raise ValidationError({"reason": "Say what the conflict of interest is."})
    _require_open(ballot.vote)
    with transaction.atomic():
        done = Ballot.objects.filter(pk=ballot.pk, cast_at__isnull=True, recused=False).update(
            recused=True, recusal_reason=reason.strip()[:300]
        )
        if not done:
            raise ValidationError("This ballot has already been used.")
        record_audit(
            AuditEvent.MEMBER_RECUSED,
            actor=actor,
            target=ballot.vote.nomination,
            summary=f"member {ballot.person_id} recused: {reason.strip()[:200]}",
        )


@dataclass(frozen=True)
class Tally:
    yes: int
    no: int
    abstain: int
    recused: int
    eligible: int

    @property
    def returned(self) -> int:
        return self.yes + self.no + self.abstain

    def outcome(self, *, quorum_percent: int, threshold_percent: int) -> str:
        voting_members = self.eligible - self.recused
        if voting_members <= 0 or self.returned * 100 < quorum_percent * voting_members:
            return VoteOutcome.NO_QUORUM
        if self.yes + self.no == 0 or self.yes * 100 < threshold_percent * (self.yes + self.no):
            return VoteOutcome.BELOW_THRESHOLD
        return VoteOutcome.PASSED


def _tally(vote: ChapterVote) -> Tally:
    ballots = list(vote.ballots.values_list("choice", "recused"))
    return Tally(
        yes=sum(1 for c, _ in ballots if c == BallotChoice.YES),
        no=sum(1 for c, _ in ballots if c == BallotChoice.NO),
        abstain=sum(1 for c, _ in ballots if c == BallotChoice.ABSTAIN),
        recused=sum(1 for _, r in ballots if r),
        eligible=vote.eligible,
    )


def vote_may_close(vote: ChapterVote) -> bool:
    """At the closing time, or earlier once every member has voted or recused."""
    if vote.is_closed:
        return False
    outstanding = vote.ballots.filter(cast_at__isnull=True, recused=False).exists()
    return timezone.now() >= vote.closes_at or not outstanding


def do_close_vote(vote: ChapterVote, *, actor: User) -> ChapterVote:
    _require_manages(vote.nomination.chapter, actor)
    if not vote_may_close(vote):
        raise ValidationError("The vote stays open until its closing time or until every member has voted.")
    with transaction.atomic():
        tally = _tally(vote)
        vote.yes, vote.no, vote.abstain, vote.recused = tally.yes, tally.no, tally.abstain, tally.recused
        vote.outcome = tally.outcome(quorum_percent=vote.quorum_percent, threshold_percent=vote.threshold_percent)
        vote.closed_at = timezone.now()
        vote.save()
        nomination = vote.nomination
        passed = vote.outcome == VoteOutcome.PASSED
        nomination.status = NominationStatus.STATE_REVIEW if passed else NominationStatus.NOT_SUPPORTED
        nomination.save(update_fields=["status"])
        record_audit(
            AuditEvent.VOTE_CLOSED,
            actor=actor,
            target=nomination,
            summary=f"vote on {nomination.candidacy.name} closed: {vote.get_outcome_display()}",
            details={
                "yes": tally.yes,
                "no": tally.no,
                "abstain": tally.abstain,
                "recused": tally.recused,
                "eligible": tally.eligible,
            },
        )
    return vote


# ---------------------------------------------------------------- review, decision, withdrawal


def do_state_review(nomination: Nomination, *, recommendation: str, notes: str, actor: User) -> StateReview:
    """The state coordinator (or national staff) reviews a nomination the chapter voted for."""
    scope = scope_for(actor)
    if not (scope.national or nomination.chapter.state in scope.coordinator_states):
        raise PermissionDenied("Only the state's coordinator or national staff review this nomination.")
    if nomination.status != NominationStatus.STATE_REVIEW:
        raise ValidationError("This nomination is not waiting for a state review.")
    if recommendation not in Recommendation.values:
        raise ValidationError({"recommendation": "Choose a recommendation."})
    with transaction.atomic():
        review = StateReview.objects.create(
            nomination=nomination,
            recommendation=recommendation,
            notes=notes.strip(),
            reviewed_by=actor,
            reviewed_at=timezone.now(),
        )
        nomination.status = NominationStatus.NATIONAL_REVIEW
        nomination.save(update_fields=["status"])
        record_audit(
            AuditEvent.STATE_REVIEWED,
            actor=actor,
            target=nomination,
            summary=f"state review of {nomination.candidacy.name}: {review.get_recommendation_display()}",
        )
    return review


def do_decide_endorsement(nomination: Nomination, *, endorse: bool, reasons: str, actor: User) -> Endorsement | None:
    """National staff decide, with reasons. Endorsing publishes the endorsement on the slate."""
    _require_national(actor)
    if nomination.status != NominationStatus.NATIONAL_REVIEW:
        raise ValidationError("This nomination is not waiting for a national decision.")
    if not reasons.strip():
        raise ValidationError({"reasons": "Give the reasons for the decision."})
    with transaction.atomic():
        nomination.status = NominationStatus.ENDORSED if endorse else NominationStatus.DECLINED
        nomination.decision_reasons = reasons.strip()
        nomination.save(update_fields=["status", "decision_reasons"])
        endorsement = None
        if endorse:
            endorsement = Endorsement.objects.create(
                candidacy=nomination.candidacy,
                nomination=nomination,
                endorser=NATIONAL_ENDORSER,
                chapter=nomination.chapter,
                reasons=reasons.strip(),
                decided_by=actor,
                decided_at=timezone.now(),
            )
        record_audit(
            AuditEvent.ENDORSEMENT_DECIDED,
            actor=actor,
            target=nomination,
            summary=f"{'endorsed' if endorse else 'declined to endorse'} {nomination.candidacy.name}",
            details={"reasons": reasons.strip()},
        )
    return endorsement


def do_withdraw_endorsement(endorsement: Endorsement, *, reason: str, actor: User) -> Endorsement:
    _require_national(actor)
    if endorsement.withdrawn_at is not None:
        raise ValidationError("This endorsement is already withdrawn.")
    if not reason.strip():
        raise ValidationError({"reason": "Give the reason for withdrawing."})
    with transaction.atomic():
        endorsement.withdrawn_at = timezone.now()
        endorsement.withdrawn_reason = reason.strip()
        endorsement.save(update_fields=["withdrawn_at", "withdrawn_reason"])
        if endorsement.nomination_id:
            Nomination.objects.filter(pk=endorsement.nomination_id).update(status=NominationStatus.WITHDRAWN)
        record_audit(
            AuditEvent.ENDORSEMENT_WITHDRAWN,
            actor=actor,
            target=endorsement,
            summary=f"withdrew endorsement of {endorsement.candidacy.name}",
            details={"reason": reason},
        )
    return endorsement


# ---------------------------------------------------------------- pledges and commitments


def _require_candidacy_steward(candidacy: Candidacy, actor: User) -> None:
    """National staff, or a leader of a chapter that nominated the candidacy."""
    scope = scope_for(actor)
    if scope.national:
        return
    if not Nomination.objects.filter(Q(candidacy=candidacy) & scope.chapters_q("chapter__")).exists():
        raise PermissionDenied("Only a nominating chapter's leaders or national staff record this.")


def do_record_pledge(candidacy: Candidacy, *, kind: str, taken_on: dt.date, actor: User) -> Pledge:
    _require_candidacy_steward(candidacy, actor)
    with transaction.atomic():
        pledge, _ = Pledge.objects.update_or_create(
            candidacy=candidacy, kind=kind, defaults={"taken_on": taken_on, "recorded_by": actor}
        )
        record_audit(
            AuditEvent.PLEDGE_RECORDED,
            actor=actor,
            target=candidacy,
            summary=f"{candidacy.name} pledged: {pledge.get_kind_display()}",
        )
    return pledge


def do_record_commitment(candidacy: Candidacy, *, issue: PlatformIssue, statement: str, actor: User) -> IssueCommitment:
    _require_candidacy_steward(candidacy, actor)
    with transaction.atomic():
        commitment, _ = IssueCommitment.objects.update_or_create(
            candidacy=candidacy, issue=issue, defaults={"statement": statement.strip(), "recorded_by": actor}
        )
        record_audit(
            AuditEvent.COMMITMENT_RECORDED,
            actor=actor,
            target=candidacy,
            summary=f"{candidacy.name} committed to {issue.title}",
        )
    return commitment


# ---------------------------------------------------------------- undoing a historical import


@dataclass(frozen=True)
class UndoneImport:
    endorsements: int
    candidacies: int
    races: int
    elections: int
    results: int
    kept: int

    def summary(self) -> str:
        kept = f"; {self.kept} candidacies kept because something else uses them now" if self.kept else ""
        return (
            f"{self.endorsements} endorsements, {self.candidacies} candidacies, {self.races} races and "
            f"{self.elections} elections removed; {self.results} results recorded on candidacies that were "
            f"already there taken back{kept}"
        )


def do_undo_historical_import(batch: HistoricalImport, *, actor: User, dry_run: bool = False) -> UndoneImport:
    """Take a file of past endorsements back, whole: its endorsements, and the candidacies, races and
    elections it made once nothing else uses them, in one transaction with one audit entry. A dry run
    (the confirmation page's counts) does the same and rolls back."""
    _require_national(actor)
    with transaction.atomic():
        batch = HistoricalImport.objects.select_for_update().get(pk=batch.pk)
        if batch.is_undone:
            raise ValidationError(f"The import of {batch.file_name} was undone already.")
        undone = _remove_what_the_import_made(batch)
        batch.undone_at, batch.undone_by = timezone.now(), actor
        batch.save(update_fields=["undone_at", "undone_by"])
        record_audit(
            AuditEvent.ENDORSEMENTS_IMPORT_UNDONE,
            actor=actor,
            target=batch,
            summary=f"import of {batch.file_name} undone: {undone.summary()}",
            details={"dry_run": dry_run, **undone.__dict__},
        )
        if dry_run:
            transaction.set_rollback(True)
    return undone


def _remove_what_the_import_made(batch: HistoricalImport) -> UndoneImport:
    made: dict[str, list[int]] = {
        key: list(batch.made.get(key, [])) for key in ("elections", "races", "candidacies", "results")
    }
    ours = Endorsement.objects.filter(historical_import=batch)
    endorsements = ours.count()
    ours.delete()
    still_ours = Candidacy.objects.filter(pk__in=made["candidacies"]).filter(
        Q(endorsements__isnull=False)
        | Q(nominations__isnull=False)
        | Q(pledges__isnull=False)
        | Q(commitments__isnull=False)
    )
    in_use = set(still_ours.values_list("pk", flat=True))
    removed = remove_rows_a_file_made(
        candidacy_ids=[pk for pk in made["candidacies"] if pk not in in_use],
        race_ids=made["races"],
        election_ids=made["elections"],
        result_ids=made["results"],
    )
    return UndoneImport(
        endorsements, removed.candidacies, removed.races, removed.elections, removed.results, removed.kept + len(in_use)
    )

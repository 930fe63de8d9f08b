"""The members' vote: one ballot per member by private link, quorum, threshold, recusal, hidden results."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlparse

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from groundswell.core.models import AuditEntry, AuditEvent
from groundswell.endorsements.actions import (
    Tally,
    do_answer_questionnaire,
    do_cast_ballot,
    do_close_vote,
    do_nominate,
    do_open_vote,
    do_recuse,
)
from groundswell.endorsements.models import Ballot, BallotChoice, ChapterVote, Nomination, NominationStatus, VoteOutcome
from groundswell.endorsements.tests.conftest import RaceSetup, add_members, links_in
from groundswell.testing import Personas

pytestmark = pytest.mark.django_db


def _ready_nomination(personas: Personas, race: RaceSetup, **kwargs: Any) -> Nomination:
    nomination, _ = do_nominate(
        race.candidacy,
        chapter=personas.chapter_a,
        template=race.template,
        candidate_email="jamie@example.net",
        actor=personas.leader_a,
        **kwargs,
    )
    questions = list(race.template.questions.all())
    do_answer_questionnaire(nomination.response, answers={q.pk: (True, "yes") for q in questions})
    nomination.refresh_from_db()
    return nomination


def _open(personas: Personas, nomination: Nomination, *, quorum: int = 50, threshold: int = 60) -> ChapterVote:
    return do_open_vote(
        nomination,
        closes_at=timezone.now() + dt.timedelta(days=3),
        quorum_percent=quorum,
        threshold_percent=threshold,
        actor=personas.leader_a,
    )


def _ballots(vote: ChapterVote) -> list[Ballot]:
    return list(vote.ballots.order_by("person__first_name"))


def _close_when_due(personas: Personas, vote: ChapterVote) -> ChapterVote:
    ChapterVote.objects.filter(pk=vote.pk).update(closes_at=timezone.now() - dt.timedelta(seconds=1))
    vote.refresh_from_db()
    return do_close_vote(vote, actor=personas.leader_a)


def test_each_member_gets_a_personal_ballot_link_that_works_once(
    personas: Personas, race: RaceSetup, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    add_members(personas.chapter_a, 2)
    nomination = _ready_nomination(personas, race)
    with django_capture_on_commit_callbacks(execute=True):
        vote = _open(personas, nomination)
    links = links_in(smtp_server.messages)
    assert set(links) == {"maria@example.net", "member0@example.net", "member1@example.net"}
    assert vote.eligible == 3
    client = Client()
    path = urlparse(links["member0@example.net"]).path
    assert client.post(path, {"action": "vote", "choice": "yes"}).status_code == 200
    second = client.post(path, {"action": "vote", "choice": "no"})
    assert "This ballot has already been used" in second.content.decode()
    ballot = Ballot.objects.get(vote=vote, email="member0@example.net")
    assert ballot.choice == BallotChoice.YES
    assert client.get("/endorsements/ballot/not-a-real-token/").status_code == 404


def test_results_are_hidden_from_everyone_until_the_vote_closes(personas: Personas, race: RaceSetup) -> None:
    add_members(personas.chapter_a, 3)
    vote = _open(personas, _ready_nomination(personas, race))
    for ballot in _ballots(vote)[:3]:
        do_cast_ballot(ballot, choice=BallotChoice.YES)
    vote.refresh_from_db()
    assert (vote.yes, vote.no, vote.outcome) == (None, None, "")
    staff = Client()
    staff.force_login(personas.staff)
    page = staff.get(f"/endorsements/nominations/{vote.nomination_id}/").content.decode()
    assert "3 of 4 members have voted" in page
    assert "Results stay hidden" in page
    assert "Yes 3" not in page
    audit = AuditEntry.objects.filter(event_type=AuditEvent.BALLOT_CAST)
    assert audit.count() == 3
    assert all("yes" not in (e.summary + str(e.details)).lower().replace("a ballot was cast", "") for e in audit)
    leader = Client()
    leader.force_login(personas.leader_a)
    leader.post(f"/endorsements/nominations/{vote.nomination_id}/close-vote/")
    vote.refresh_from_db()
    assert vote.closed_at is None  # one member has not voted and the closing time has not come
    _close_when_due(personas, vote)
    page = staff.get(f"/endorsements/nominations/{vote.nomination_id}/").content.decode()
    assert "Yes 3, no 0, abstain 0, recused 0" in page


def test_quorum_counts_returned_ballots_against_members_not_recused(personas: Personas, race: RaceSetup) -> None:
    add_members(personas.chapter_a, 3)  # four eligible with Maria
    vote = _open(personas, _ready_nomination(personas, race), quorum=50)
    do_cast_ballot(_ballots(vote)[0], choice=BallotChoice.YES)
    closed = _close_when_due(personas, vote)
    assert closed.outcome == VoteOutcome.NO_QUORUM
    assert Nomination.objects.get(pk=vote.nomination_id).status == NominationStatus.NOT_SUPPORTED


def test_recused_members_neither_vote_nor_count_toward_quorum(personas: Personas, race: RaceSetup) -> None:
    add_members(personas.chapter_a, 3)
    vote = _open(personas, _ready_nomination(personas, race), quorum=50)
    ballots = _ballots(vote)
    do_recuse(ballots[1], reason="I am the campaign's treasurer", actor=None)
    do_recuse(ballots[2], reason="Married to the candidate", actor=personas.leader_a)
    with pytest.raises(ValidationError, match="already been used"):
        do_cast_ballot(ballots[1], choice=BallotChoice.NO)
    do_cast_ballot(ballots[0], choice=BallotChoice.YES)
    closed = _close_when_due(personas, vote)
    assert (closed.yes, closed.no, closed.recused, closed.eligible) == (1, 0, 2, 4)
    assert closed.outcome == VoteOutcome.PASSED  # 1 of the 2 members not recused: 50% quorum met
    assert Nomination.objects.get(pk=vote.nomination_id).status == NominationStatus.STATE_REVIEW


def test_threshold_is_yes_among_yes_and_no_and_abstentions_only_make_quorum(
    personas: Personas, race: RaceSetup
) -> None:
    add_members(personas.chapter_a, 5)
    vote = _open(personas, _ready_nomination(personas, race), quorum=50, threshold=60)
    choices = ["yes", "yes", "yes", "no", "no", "abstain"]
    for ballot, choice in zip(_ballots(vote), choices, strict=True):
        do_cast_ballot(ballot, choice=choice)
    closed = do_close_vote(vote, actor=personas.leader_a)  # everyone voted: may close early
    assert (closed.yes, closed.no, closed.abstain) == (3, 2, 1)
    assert closed.outcome == VoteOutcome.PASSED  # 3 of 5 is exactly 60%


def test_tally_rules() -> None:
    assert Tally(yes=2, no=2, abstain=0, recused=0, eligible=4).outcome(quorum_percent=25, threshold_percent=60) == (
        VoteOutcome.BELOW_THRESHOLD
    )
    assert Tally(yes=0, no=0, abstain=3, recused=0, eligible=4).outcome(quorum_percent=50, threshold_percent=50) == (
        VoteOutcome.BELOW_THRESHOLD
    )
    assert Tally(yes=1, no=0, abstain=0, recused=4, eligible=4).outcome(quorum_percent=0, threshold_percent=50) == (
        VoteOutcome.NO_QUORUM
    )


def test_joint_vote_gives_a_member_of_both_chapters_one_ballot(personas: Personas, race: RaceSetup) -> None:
    from groundswell.people.actions import do_add_membership

    do_add_membership(personas.member_b, chapter=personas.chapter_a, source="test", actor=personas.staff)
    nomination = _ready_nomination(personas, race, partner_chapters=[personas.chapter_b])
    vote = _open(personas, nomination)
    people = list(vote.ballots.values_list("person_id", flat=True))
    assert sorted(people) == sorted([personas.member_a.pk, personas.member_b.pk])


def test_the_candidate_as_a_member_is_recused_from_the_start(personas: Personas, race: RaceSetup) -> None:
    nomination = _ready_nomination(personas, race, candidate=personas.member_a)
    add_members(personas.chapter_a, 1)
    vote = _open(personas, nomination)
    ballot = vote.ballots.get(person=personas.member_a)
    assert ballot.recused and ballot.recusal_reason == "The candidate"
    with pytest.raises(ValidationError):
        do_cast_ballot(ballot, choice=BallotChoice.YES)


def test_the_vote_opens_only_after_the_answers_and_closes_only_once(personas: Personas, race: RaceSetup) -> None:
    nomination, _ = do_nominate(
        race.candidacy,
        chapter=personas.chapter_a,
        template=race.template,
        candidate_email="jamie@example.net",
        actor=personas.leader_a,
    )
    with pytest.raises(ValidationError, match="answered"):
        _open(personas, nomination)
    nomination = _ready_nomination_from(nomination, race)
    vote = _open(personas, nomination)
    do_cast_ballot(_ballots(vote)[0], choice=BallotChoice.YES)
    do_close_vote(vote, actor=personas.leader_a)
    with pytest.raises(ValidationError):
        do_close_vote(vote, actor=personas.leader_a)
    with pytest.raises(ValidationError, match="closed"):
        do_cast_ballot(_ballots(vote)[0], choice=BallotChoice.NO)


def _ready_nomination_from(nomination: Nomination, race: RaceSetup) -> Nomination:
    do_answer_questionnaire(nomination.response, answers={q.pk: (True, "") for q in race.template.questions.all()})
    nomination.refresh_from_db()
    return nomination

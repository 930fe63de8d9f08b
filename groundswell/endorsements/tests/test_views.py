"""Who may take each step of a nomination through the pages: anyone else gets the same 404 as for a missing one."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from groundswell.core.models import AuditEntry, AuditEvent, User
from groundswell.endorsements.actions import (
    do_answer_questionnaire,
    do_cast_ballot,
    do_close_vote,
    do_nominate,
    do_open_vote,
    do_state_review,
)
from groundswell.endorsements.models import (
    BallotChoice,
    ChapterVote,
    Endorsement,
    Nomination,
    NominationStatus,
    QuestionnaireResponse,
    Recommendation,
)
from groundswell.endorsements.tests.conftest import RaceSetup, make_race
from groundswell.testing import Personas

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _nominate(personas: Personas, race: RaceSetup) -> Nomination:
    nomination, _ = do_nominate(
        race.candidacy,
        chapter=personas.chapter_a,
        template=race.template,
        candidate_email="jamie@example.net",
        actor=personas.leader_a,
    )
    return nomination


def _vote_open(personas: Personas, nomination: Nomination) -> ChapterVote:
    questions = nomination.template.questions.all()
    do_answer_questionnaire(nomination.response, answers={q.pk: (True, "") for q in questions})
    nomination.refresh_from_db()
    return do_open_vote(nomination, closes_at=timezone.now() + dt.timedelta(days=3), actor=personas.leader_a)


def _voted_for(personas: Personas, race: RaceSetup) -> Nomination:
    """Chapter A's members voted yes: the nomination waits for the state review."""
    nomination = _nominate(personas, race)
    vote = _vote_open(personas, nomination)
    for ballot in vote.ballots.all():
        do_cast_ballot(ballot, choice=BallotChoice.YES)
    do_close_vote(vote, actor=personas.leader_a)
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.STATE_REVIEW
    return nomination


def test_only_the_states_coordinator_and_national_staff_review(personas: Personas, race: RaceSetup) -> None:
    nomination = _voted_for(personas, race)
    path = f"/endorsements/nominations/{nomination.pk}/state-review/"
    review = {"recommendation": Recommendation.RECOMMEND, "notes": "strong"}
    assert _client(personas.leader_a).post(path, review).status_code == 404
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.STATE_REVIEW
    assert _client(personas.coordinator).post(path, review).status_code == 302
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.NATIONAL_REVIEW


def test_only_national_staff_decide_and_withdraw(personas: Personas, race: RaceSetup) -> None:
    nomination = _voted_for(personas, race)
    do_state_review(nomination, recommendation=Recommendation.RECOMMEND, notes="", actor=personas.coordinator)
    decide = f"/endorsements/nominations/{nomination.pk}/decide/"
    decision = {"decision": "endorse", "reasons": "shares the platform"}
    for user in (personas.leader_a, personas.coordinator):
        assert _client(user).post(decide, decision).status_code == 404
    assert not Endorsement.objects.exists()
    staff = _client(personas.staff)
    assert staff.post(decide, decision).status_code == 302
    endorsement = Endorsement.objects.get(nomination=nomination)
    withdraw = f"/endorsements/nominations/{nomination.pk}/withdraw/"
    for user in (personas.leader_a, personas.coordinator):
        assert _client(user).post(withdraw, {"reason": "changed their mind"}).status_code == 404
    endorsement.refresh_from_db()
    assert endorsement.is_active


def test_a_partner_chapters_leader_sees_a_joint_nomination_but_does_not_run_it(personas: Personas) -> None:
    race = make_race(personas)
    nomination, _ = do_nominate(
        race.candidacy,
        chapter=personas.chapter_b,
        template=race.template,
        candidate_email="jamie@example.net",
        partner_chapters=[personas.chapter_a],
        actor=personas.leader_b,
    )
    leader_a = _client(personas.leader_a)
    assert leader_a.get(f"/endorsements/nominations/{nomination.pk}/").status_code == 200
    link_hash = nomination.response.token_hash
    assert leader_a.post(f"/endorsements/nominations/{nomination.pk}/resend-link/").status_code == 404
    assert QuestionnaireResponse.objects.get(nomination=nomination).token_hash == link_hash  # the link still works
    assert _client(personas.leader_b).post(f"/endorsements/nominations/{nomination.pk}/resend-link/").status_code == 302


def test_a_ballot_is_reached_only_through_its_own_nomination(personas: Personas, race: RaceSetup) -> None:
    voting = _nominate(personas, race)
    ballot = _vote_open(personas, voting).ballots.get()
    elsewhere = _nominate(personas, make_race(personas, name="Sam Ortiz"))
    leader_a = _client(personas.leader_a)
    for step, data in (("recuse", {"reason": "I work on the campaign"}), ("reissue", {})):
        wrong = f"/endorsements/nominations/{elsewhere.pk}/ballots/{ballot.pk}/{step}/"
        assert leader_a.post(wrong, data).status_code == 404, step
    ballot.refresh_from_db()
    assert not ballot.recused
    right = f"/endorsements/nominations/{voting.pk}/ballots/{ballot.pk}/recuse/"
    assert leader_a.post(right, {"reason": "I work on the campaign"}).status_code == 302
    ballot.refresh_from_db()
    assert ballot.recused


def test_a_signed_in_candidate_sees_their_nomination_and_answers_from_home(personas: Personas, race: RaceSetup) -> None:
    """The candidate's home page shows the nominations sent to their sign-in address, with a way straight
    to the questionnaire (a fresh link: the emailed one stops working); nobody else can use it."""
    nomination, emailed = do_nominate(
        race.candidacy, chapter=personas.chapter_a, template=race.template,
        candidate_email=personas.candidate.email.upper(), actor=personas.leader_a,
    )  # fmt: skip
    other = make_race(personas, name="Someone Else")
    do_nominate(other.candidacy, chapter=personas.chapter_b, template=other.template,
                candidate_email="else@example.net", actor=personas.leader_b)  # fmt: skip
    client = _client(personas.candidate)
    home = client.get("/home/").content.decode()
    assert str(race.candidacy.race.office) in home and "Someone Else" not in home
    assert "Waiting for your answers" in home and "Answer the questionnaire" in home
    url = reverse("endorsements:my-questionnaire", args=[nomination.pk])
    assert f'action="{url}"' in home

    opened = client.post(url)
    assert opened.status_code == 302 and opened["Location"].startswith("/endorsements/questionnaire/")
    assert client.get(opened["Location"]).status_code == 200
    assert client.get(urlsplit(emailed).path).status_code == 404  # the emailed link was replaced
    assert AuditEntry.objects.filter(event_type=AuditEvent.QUESTIONNAIRE_LINK_SENT, actor=personas.candidate).exists()
    for user in (personas.volunteer, personas.leader_a, personas.staff):
        assert _client(user).post(url).status_code == 404  # only the candidate it was sent to

    questions = nomination.template.questions.all()
    do_answer_questionnaire(nomination.response, answers={q.pk: (True, "") for q in questions})
    nomination.refresh_from_db()
    vote = do_open_vote(nomination, closes_at=timezone.now() + dt.timedelta(days=3), actor=personas.leader_a)
    home = client.get("/home/").content.decode()
    assert "Chapter vote open" in home and f"{vote.closes_at.astimezone():%b}" in home
    assert "Answer the questionnaire" not in home
    assert client.post(url).status_code == 302 and ChapterVote.objects.count() == 1  # closed: back home, nothing new

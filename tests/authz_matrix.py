"""The authorization matrix: every route of the URLconf, asked by every role about its own chapter's
object, another chapter's object and a missing one, against the answers kept in authz_matrix.csv.

Shared by tests/test_authz_matrix.py (which compares) and tests/authz_matrix_generate.py (which prints
rows for routes the table lacks). How to add rows: docs/authz-matrix.md.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from groundswell.api.actions import do_create_api_token
from groundswell.chapters.models import Chapter, Role, RoleGrant
from groundswell.core.models import Job, User
from groundswell.elections.models import ElectionKind
from groundswell.endorsements.actions import (
    QuestionSpec,
    do_answer_questionnaire,
    do_nominate,
    do_open_vote,
    do_reissue_ballot_link,
    do_resend_questionnaire_link,
    do_save_platform_issue,
    do_save_questionnaire,
)
from groundswell.endorsements.models import Ballot, ChapterVote, Nomination
from groundswell.lists.actions import do_add_to_people_list, do_create_people_list
from groundswell.lists.models import PeopleList
from groundswell.people.actions import (
    PersonDetails,
    do_list_tag,
    do_merge_people,
    do_save_person,
    do_tag_person_through_api,
)
from groundswell.people.confirmation import Confirmation, token_for
from groundswell.people.importing import do_upload_people_file
from groundswell.people.models import DetailFact, MergeRecord, Person, Tag
from groundswell.powermap.selectors import IMPORT_JOB_KINDS
from groundswell.recruitment.actions import RecruitDetails, do_create_recruit, do_create_training
from groundswell.recruitment.candidacies import ensure_election, ensure_office, ensure_race, file_candidacy
from groundswell.reorg.actions import do_create_drive
from groundswell.testing import Personas
from groundswell.voterfile.targeting import Universe
from groundswell.voterfile.targeting import VoterList as EngineVoterList
from groundswell.voters.models import LinkStatus, SavedUniverse, VoterImport, VoterList, VoterPersonLink
from groundswell.webhooks.actions import do_create_subscription
from groundswell.webhooks.models import Delivery, Subscription

TABLE = Path(__file__).with_name("authz_matrix.csv")
COLUMNS = ("route_name", "method", "role", "target", "expected")

# Role name in the table -> the persona (groundswell/testing.py) who plays it; None is a visitor.
ROLES: dict[str, str | None] = {
    "anonymous": None,
    "national_staff": "staff",
    "state_coordinator": "coordinator",  # Pennsylvania: chapter A's state, not chapter B's
    "chapter_leader": "leader_a",
    "volunteer": "volunteer",  # a volunteer of chapter A
    "candidate": "candidate",
    "partner_liaison": "partner",
}
# "own" is chapter A's object (leader A's chapter), "other" chapter B's, "missing" one that does not exist.
TARGETS = ("own", "other", "missing")
NO_TARGET = "-"
MISSING_ID = 999999
MISSING_SLUG = "no-such-slug"
MISSING_UID = "0000000000000000"

# Routes that are not the product's pages.
SKIPPED_PREFIXES = ("django-admin/", "static/", "media/", "__debug__/")


def _three(own: Callable[[Personas], Any], other: Callable[[Personas], Any], missing: Any) -> KwargFactory:
    def value(personas: Personas, target: str) -> Any:
        if target == "own":
            return own(personas)
        if target == "other":
            return other(personas)
        return missing

    return value


def _leader_grant(user_attr: str) -> Callable[[Personas], int]:
    def grant_id(personas: Personas) -> int:
        user = getattr(personas, user_attr)
        return RoleGrant.objects.get(user=user, role=Role.CHAPTER_LEADER).pk

    return grant_id


def _job_started_by(user_attr: str, kind: str = "authz-matrix") -> Callable[[Personas], int]:
    def job_id(personas: Personas) -> int:
        return Job.objects.create(kind=kind, created_by=getattr(personas, user_attr)).pk

    return job_id


def _another_member(chapter_attr: str) -> Callable[[Personas], int]:
    """A second member of the chapter with the same name as its first: a duplicate pair within one chapter."""

    def person_id(personas: Personas) -> int:
        chapter = getattr(personas, chapter_attr)
        first = personas.member_a if chapter == personas.chapter_a else personas.member_b
        details = PersonDetails(first_name=first.first_name, last_name=first.last_name, city=first.city)
        person, _ = do_save_person(details, source="authz matrix", actor=None, chapter=chapter)
        return person.pk

    return person_id


def _another_member_uid(chapter_attr: str) -> Callable[[Personas], str]:
    def uid(personas: Personas) -> str:
        return Person.objects.get(pk=_another_member(chapter_attr)(personas)).uid

    return uid


def _details_given(member_attr: str) -> Callable[[Personas], int]:
    """Details a public form gave about the member, not national's yet: what national staff accept."""

    def fact_id(personas: Personas) -> int:
        member = getattr(personas, member_attr)
        chapter = personas.chapter_a if member == personas.member_a else personas.chapter_b
        details = PersonDetails(first_name="Another", last_name="Name", emails=[member.emails.first().address])
        saved = do_save_person(details, source="authz matrix", actor=None, chapter=chapter)
        assert saved.details is not None and saved.person == member
        return saved.details.pk

    return fact_id


def _merge_record(chapter: str) -> Callable[[Personas], int]:
    """The member merged with a second record of theirs in the chapter (kwarg uid is the survivor)."""

    def record_id(personas: Personas) -> int:
        member = personas.member_a if chapter == "a" else personas.member_b
        twin = Person.objects.get(pk=_another_member(f"chapter_{chapter}")(personas))
        do_merge_people(member, twin, field_choices={}, actor=personas.staff)
        return MergeRecord.objects.get(survivor=member, other=twin).pk

    return record_id


def _confirmation_token(member_attr: str) -> Callable[[Personas], str]:
    """The link emailed to the member to confirm details a form gave in their name."""

    def token(personas: Personas) -> str:
        fact = DetailFact.objects.get(pk=_details_given(member_attr)(personas))
        return token_for(Confirmation.of(fact.person, fact, []))

    return token


def _import_batch(leader_attr: str, chapter_attr: str) -> Callable[[Personas], int]:
    """A file of people uploaded by the chapter's leader into their chapter, not yet imported."""

    def batch_id(personas: Personas) -> int:
        upload = Path(tempfile.mkdtemp()) / "people.csv"
        upload.write_text("first_name,last_name,email\nAda,Lovelace,ada@example.net\n")
        leader, chapter = getattr(personas, leader_attr), getattr(personas, chapter_attr)
        return do_upload_people_file(upload, chapter=chapter, actor=leader).pk

    return batch_id


def _uid(user_attr: str) -> Callable[[Personas], str]:
    return lambda personas: urlsafe_base64_encode(force_bytes(getattr(personas, user_attr).pk))


# ---------------------------------------------------------------- the pipeline: recruits, drives, endorsements
# "own" is the object of chapter A (Pittsburgh, PA, led by leader A), "other" chapter B's (Providence, RI).


def _chapter_and_leader(personas: Personas, side: str) -> tuple[Chapter, User]:
    return (personas.chapter_a, personas.leader_a) if side == "a" else (personas.chapter_b, personas.leader_b)


def _recruit(side: str) -> Callable[[Personas], int]:
    """The chapter's member, recruited by its leader."""

    def recruit_id(personas: Personas) -> int:
        chapter, leader = _chapter_and_leader(personas, side)
        member = personas.member_a if side == "a" else personas.member_b
        details = RecruitDetails(office_sought="school board", owner=leader)
        return do_create_recruit(member, chapter=chapter, details=details, actor=leader).pk

    return recruit_id


def _training(side: str) -> Callable[[Personas], int]:
    """A training the chapter's leader holds for their chapter."""

    def training_id(personas: Personas) -> int:
        chapter, leader = _chapter_and_leader(personas, side)
        held_on = timezone.localdate() + dt.timedelta(days=14)
        return do_create_training(title="How to file", held_on=held_on, chapter=chapter, actor=leader).pk

    return training_id


def _drive(side: str) -> Callable[[Personas], int]:
    """A reorganization drive in the chapter's state, started by national staff."""

    def drive_id(personas: Personas) -> int:
        chapter, _ = _chapter_and_leader(personas, side)
        election_date = timezone.localdate() + dt.timedelta(days=120)
        drive = do_create_drive(
            name=f"{chapter.state} reorganization", state=chapter.state, party="Democratic",
            election_date=election_date, actor=personas.staff,
        )  # fmt: skip
        return drive.pk

    return drive_id


def _nomination_of(personas: Personas, side: str, *, awaiting_answers: bool = False) -> Nomination:
    """The chapter's nomination of a state house candidacy in its state: made once per request, so the
    nomination_id and ballot_id of one URL are the same nomination's. With awaiting_answers, one whose
    members' vote has not opened (its questionnaire link still works), made anew if need be."""
    chapter, leader = _chapter_and_leader(personas, side)
    existing = Nomination.objects.filter(chapter=chapter).order_by("pk")
    if awaiting_answers:
        existing = existing.exclude(pk__in=ChapterVote.objects.values("nomination_id"))
    if existing.exists():
        return existing[0]
    number = Nomination.objects.filter(chapter=chapter).count() + 1
    election = ensure_election(chapter.state, timezone.localdate() + dt.timedelta(days=60), ElectionKind.GENERAL)
    race = ensure_race(election, ensure_office(chapter.state, "State House", district="7"))
    template = do_save_questionnaire(
        title="Candidate questionnaire", introduction="", questions=[QuestionSpec("Medicare for All?")],
        actor=personas.staff,
    )  # fmt: skip
    nomination, _ = do_nominate(
        file_candidacy(race, name=f"Candidate {side.upper()}{number}", party="DEM"), chapter=chapter,
        template=template, candidate_email=f"candidate.{side}{number}@example.net", actor=leader,
    )  # fmt: skip
    return nomination


def _nomination(side: str) -> Callable[[Personas], int]:
    return lambda personas: _nomination_of(personas, side).pk


def _ballot_of(personas: Personas, side: str) -> Ballot:
    """A member's ballot in the members' vote on the chapter's nomination (answered, vote open)."""
    nomination = _nomination_of(personas, side)
    vote = ChapterVote.objects.filter(nomination=nomination).first()
    if vote is None:
        questions = nomination.template.questions.all()
        do_answer_questionnaire(nomination.response, answers={q.pk: (True, "") for q in questions})
        nomination.refresh_from_db()
        _, leader = _chapter_and_leader(personas, side)
        closes_at = timezone.now() + dt.timedelta(days=3)
        vote = do_open_vote(nomination, closes_at=closes_at, actor=leader)
    return vote.ballots.order_by("pk")[0]


def _ballot(side: str) -> Callable[[Personas], int]:
    return lambda personas: _ballot_of(personas, side).pk


def _token_of(link: str) -> str:
    return link.rstrip("/").rsplit("/", 1)[-1]


def _questionnaire_token(side: str) -> Callable[[Personas], str]:
    """The candidate's private questionnaire link for the chapter's nomination (a fresh one, as a resend makes)."""

    def token(personas: Personas) -> str:
        nomination = _nomination_of(personas, side, awaiting_answers=True)
        _, leader = _chapter_and_leader(personas, side)
        return _token_of(do_resend_questionnaire_link(nomination, actor=leader))

    return token


def _ballot_token(side: str) -> Callable[[Personas], str]:
    """A member's private ballot link in the chapter's vote (reissued, as a leader does for a lost one)."""

    def token(personas: Personas) -> str:
        ballot = _ballot_of(personas, side)
        _, leader = _chapter_and_leader(personas, side)
        return _token_of(do_reissue_ballot_link(ballot, actor=leader))

    return token


def _platform_issue(title: str) -> Callable[[Personas], int]:
    """Platform issues and questionnaires are national: "own" and "other" are two that exist."""
    return lambda personas: do_save_platform_issue(title=title, summary="", actor=personas.staff).pk


def _questionnaire(title: str) -> Callable[[Personas], int]:
    def template_id(personas: Personas) -> int:
        questions = [QuestionSpec("Do you support Medicare for All?")]
        return do_save_questionnaire(title=title, introduction="", questions=questions, actor=personas.staff).pk

    return template_id


# ---------------------------------------------------------------- field: campaigns, turfs, call lists, assignments
# "own" is chapter A's (its own campaign, with a turf and a call list assigned to chapter A's volunteer until
# tomorrow), "other" chapter B's (assigned to nobody the roles play).


def _field_campaign(personas: Personas, side: str) -> Any:
    from groundswell.field.actions import do_save_campaign

    chapter, leader = _chapter_and_leader(personas, side)
    return do_save_campaign(name=f"Field {side}", state=chapter.state, chapter=chapter, actor=leader)


def _field_turf(side: str) -> Callable[[Personas], int]:
    def turf_id(personas: Personas) -> int:
        from groundswell.field.actions import do_assign
        from groundswell.field.models import Turf
        from groundswell.voters.models import VoterList

        campaign = _field_campaign(personas, side)
        voter_list = VoterList.objects.create(
            name="List", state=campaign.state, chapter=campaign.chapter, definition={}, frozen_at=timezone.now(),
            voter_count=1, path="",
        )  # fmt: skip
        door = {"key": "ELM ST|odd|1", "street": "ELM ST", "side": "odd", "house_number": 1, "address": "1 ELM ST",
                "units": [{"apartment": None,
                           "voters": [{"id": "V1", "name": "Ada Voter", "age": 40, "party": "DEM"}]}]}  # fmt: skip
        turf = Turf.objects.create(
            voter_list=voter_list, campaign=campaign, name="Turf", precinct="P1", number=1, door_count=1,
            voter_count=1, doors=[door], voter_ids=["V1"],
        )  # fmt: skip
        if side == "a":
            tomorrow = timezone.now() + dt.timedelta(days=1)
            do_assign(personas.volunteer, expires_at=tomorrow, turf=turf, actor=personas.leader_a)
        return turf.pk

    return turf_id


def _field_call_list(side: str) -> Callable[[Personas], int]:
    def call_list_id(personas: Personas) -> int:
        from groundswell.field.actions import do_assign, do_make_call_list

        call_list = do_make_call_list(_field_campaign(personas, side), name="Calls", kind="members", actor=None)
        if side == "a":
            tomorrow = timezone.now() + dt.timedelta(days=1)
            do_assign(personas.volunteer, expires_at=tomorrow, call_list=call_list, actor=personas.leader_a)
        return call_list.pk

    return call_list_id


def _field_turf_cut(side: str) -> Callable[[Personas], int]:
    """A cut of the side's campaign in the URL (the one ``campaign_id`` just made) that left a voter off."""

    def cut_id(personas: Personas) -> int:
        from groundswell.field.models import Campaign, TurfCut
        from groundswell.voters.models import VoterList

        chapter, _ = _chapter_and_leader(personas, side)
        campaign = Campaign.objects.filter(chapter=chapter, name=f"Field {side}").order_by("-id").first()
        campaign = campaign or _field_campaign(personas, side)
        voter_list = VoterList.objects.create(
            name="List", state=campaign.state, chapter=chapter, definition={}, frozen_at=timezone.now(),
            voter_count=1, path="",
        )  # fmt: skip
        return TurfCut.objects.create(
            voter_list=voter_list, campaign=campaign, target=30, unit="doors",
            left_off={"a post office or rural route box": 1}, left_off_ids=["V1"], left_off_with_phone=1,
        ).pk  # fmt: skip

    return cut_id


def _field_assignment(side: str) -> Callable[[Personas], int]:
    def assignment_id(personas: Personas) -> int:
        from groundswell.field.models import Assignment, Turf

        turf = Turf.objects.get(pk=_field_turf("b")(personas)) if side == "b" else None
        if turf is None:
            return Assignment.objects.get(turf_id=_field_turf("a")(personas)).pk
        from groundswell.field.actions import do_assign

        tomorrow = timezone.now() + dt.timedelta(days=1)
        return do_assign(personas.leader_b, expires_at=tomorrow, turf=turf, actor=personas.leader_b).pk

    return assignment_id


KwargFactory = Callable[[Personas, str], Any]


def _matrix_tag(personas: Personas, side: str) -> Tag:
    """Leader A's (or B's) own listed tag, the same one however often it is asked for."""
    return do_list_tag(f"matrix-{side}", actor=getattr(personas, f"leader_{side}"))


def _tag(side: str) -> Callable[[Personas], int]:
    def tag_id(personas: Personas) -> int:
        return _matrix_tag(personas, side).pk

    return tag_id


def _tagging(side: str) -> Callable[[Personas], int]:
    """Member A tagged by leader A with A's matrix tag (B's likewise): the tag_id factory's tag."""

    def tagging_id(personas: Personas) -> int:
        member, leader = getattr(personas, f"member_{side}"), getattr(personas, f"leader_{side}")
        return do_tag_person_through_api(member, _matrix_tag(personas, side), actor=leader).pk

    return tagging_id


def _people_list_of(personas: Personas, side: str) -> PeopleList:
    leader = getattr(personas, f"leader_{side}")
    found = PeopleList.objects.filter(name=f"Matrix {side}", created_by=leader).first()
    return found or do_create_people_list(name=f"Matrix {side}", actor=leader)


def _people_list(side: str) -> Callable[[Personas], str]:
    def list_uid(personas: Personas) -> str:
        return _people_list_of(personas, side).uid

    return list_uid


def _list_item(side: str) -> Callable[[Personas], str]:
    """Member A on leader A's matrix list (B's likewise): the list_uid factory's list."""

    def item_uid(personas: Personas) -> str:
        people_list = _people_list_of(personas, side)
        member, leader = getattr(personas, f"member_{side}"), getattr(personas, f"leader_{side}")
        return do_add_to_people_list(people_list, member, actor=leader)[0].uid

    return item_uid


def _subscription_of(personas: Personas, side: str) -> Subscription:
    leader = getattr(personas, f"leader_{side}")
    found = Subscription.objects.filter(made_by=leader).first()
    return (
        found
        or do_create_subscription(url=f"https://{side}.example.org/hook", event_types=["person.created"], actor=leader)[
            0
        ]
    )


def _subscription(side: str) -> Callable[[Personas], int]:
    def subscription_id(personas: Personas) -> int:
        return _subscription_of(personas, side).pk

    return subscription_id


def _delivery(side: str) -> Callable[[Personas], int]:
    """A delivery of leader A's (or B's) webhook: the subscription_id factory's subscription."""

    def delivery_id(personas: Personas) -> int:
        subscription = _subscription_of(personas, side)
        return Delivery.objects.create(
            subscription=subscription, event_type="person.created", event_id=f"matrix-{side}", payload={}
        ).pk

    return delivery_id


def _voter_universe(chapter_attr: str, leader_attr: str) -> Callable[[Personas], int]:
    """A saved voter universe of the chapter (plain row: its definition is the empty universe)."""

    def universe_id(personas: Personas) -> int:
        chapter = getattr(personas, chapter_attr)
        return SavedUniverse.objects.create(
            name="Everyone", state=chapter.state, chapter=chapter, owner=getattr(personas, leader_attr),
            definition=Universe().to_dict(),
        ).pk  # fmt: skip

    return universe_id


def _voter_list(chapter_attr: str) -> Callable[[Personas], int]:
    """A frozen list of the chapter: a real list file of two voter ids (the personas load no voter file)."""

    def list_id(personas: Personas) -> int:
        chapter = getattr(personas, chapter_attr)
        path = Path(tempfile.mkdtemp()) / "list.parquet"
        frozen = EngineVoterList("List", {}, timezone.now(), "duckdb", None, ("X1", "X2"))
        frozen.save(path)
        return VoterList.objects.create(
            name="List", state=chapter.state, chapter=chapter, definition={}, frozen_at=frozen.created_at,
            voter_count=2, path=str(path),
        ).pk  # fmt: skip

    return list_id


def _voter_import(state: str) -> Callable[[Personas], int]:
    def import_id(personas: Personas) -> int:
        return VoterImport.objects.create(state=state, layout="mapped", file_name="v.csv", stored_path="/nowhere").pk

    return import_id


def _voter_link(member_attr: str, state: str) -> Callable[[Personas], int]:
    def link_id(personas: Personas) -> int:
        person = getattr(personas, member_attr)
        return VoterPersonLink.objects.create(
            state=state, voter_id="V1", person=person, confidence=70, status=LinkStatus.REVIEW
        ).pk

    return link_id


# URL kwarg name -> the value for own / other / missing. Add yours here when a route uses a new kwarg;
# for a kwarg whose meaning depends on the route, add it to ROUTE_KWARG_FACTORIES instead.
KWARG_FACTORIES: dict[str, KwargFactory] = {
    "slug": _three(lambda p: p.chapter_a.slug, lambda p: p.chapter_b.slug, MISSING_SLUG),
    "chapter_slug": _three(lambda p: p.chapter_a.slug, lambda p: p.chapter_b.slug, MISSING_SLUG),
    "person_id": _three(lambda p: p.member_a.pk, lambda p: p.member_b.pk, MISSING_ID),
    # People are shown by their random id (Person.uid), in every URL.
    "uid": _three(lambda p: p.member_a.uid, lambda p: p.member_b.uid, MISSING_UID),
    "first_uid": _three(lambda p: p.member_a.uid, lambda p: p.member_b.uid, MISSING_UID),
    "second_uid": _three(_another_member_uid("chapter_a"), _another_member_uid("chapter_b"), MISSING_UID),
    "fact_id": _three(_details_given("member_a"), _details_given("member_b"), MISSING_ID),
    "record_id": _three(_merge_record("a"), _merge_record("b"), MISSING_ID),
    "user_id": _three(lambda p: p.leader_a.pk, lambda p: p.leader_b.pk, MISSING_ID),
    "job_id": _three(_job_started_by("leader_a"), _job_started_by("leader_b"), MISSING_ID),
    "first_id": _three(lambda p: p.member_a.pk, lambda p: p.member_b.pk, MISSING_ID),
    "second_id": _three(_another_member("chapter_a"), _another_member("chapter_b"), MISSING_ID),
    "batch_id": _three(_import_batch("leader_a", "chapter_a"), _import_batch("leader_b", "chapter_b"), MISSING_ID),
    # The power map holds public facts by state; the personas load none, so these pages answer for an
    # empty map. A state, chamber or district is "own" when it is chapter A's (Pennsylvania).
    "state": _three(lambda p: p.chapter_a.state.lower(), lambda p: p.chapter_b.state.lower(), "zz"),
    "chamber": _three(lambda p: "lower", lambda p: "lower", "no-such-chamber"),
    "plan": _three(lambda p: "legislative", lambda p: "legislative", "no-such-plan"),
    "ocd_id": _three(
        lambda p: "ocd-division/country:us/state:pa/sldl:1",
        lambda p: "ocd-division/country:us/state:ri/sldl:1",
        "ocd-division/country:us/state:zz/sldl:0",
    ),
    "grant_id": _three(_leader_grant("leader_a"), _leader_grant("leader_b"), MISSING_ID),
    # The API's tags and taggings, saved lists of people and webhooks: leader A's own, or leader B's.
    "tag_id": _three(_tag("a"), _tag("b"), MISSING_ID),
    "tagging_id": _three(_tagging("a"), _tagging("b"), MISSING_ID),
    "list_uid": _three(_people_list("a"), _people_list("b"), MISSING_UID),
    "item_uid": _three(_list_item("a"), _list_item("b"), MISSING_UID),
    "subscription_id": _three(_subscription("a"), _subscription("b"), MISSING_ID),
    "delivery_id": _three(_delivery("a"), _delivery("b"), MISSING_ID),
    # A password-reset link for leader A or B with a token that is not valid: the page says so.
    "uidb64": _three(_uid("leader_a"), _uid("leader_b"), urlsafe_base64_encode(force_bytes(MISSING_ID))),
    "token": _three(lambda p: "not-a-valid-token", lambda p: "not-a-valid-token", "not-a-valid-token"),
    # Voters: the personas load no voter file, so voter pages answer for an empty voter database.
    "universe_id": _three(
        _voter_universe("chapter_a", "leader_a"), _voter_universe("chapter_b", "leader_b"), MISSING_ID
    ),
    "list_id": _three(_voter_list("chapter_a"), _voter_list("chapter_b"), MISSING_ID),
    "import_id": _three(_voter_import("PA"), _voter_import("RI"), MISSING_ID),
    "link_id": _three(_voter_link("member_a", "PA"), _voter_link("member_b", "RI"), MISSING_ID),
    "voter_id": _three(lambda p: "PA000001", lambda p: "RI000001", "NOSUCHVOTER"),
    "recruit_id": _three(_recruit("a"), _recruit("b"), MISSING_ID),
    "training_id": _three(_training("a"), _training("b"), MISSING_ID),
    "drive_id": _three(_drive("a"), _drive("b"), MISSING_ID),
    "nomination_id": _three(_nomination("a"), _nomination("b"), MISSING_ID),
    "ballot_id": _three(_ballot("a"), _ballot("b"), MISSING_ID),
    "issue_id": _three(_platform_issue("Medicare for All"), _platform_issue("A $15 minimum wage"), MISSING_ID),
    "template_id": _three(_questionnaire("Questionnaire A"), _questionnaire("Questionnaire B"), MISSING_ID),
    "campaign_id": _three(lambda p: _field_campaign(p, "a").pk, lambda p: _field_campaign(p, "b").pk, MISSING_ID),
    "turf_id": _three(_field_turf("a"), _field_turf("b"), MISSING_ID),
    "call_list_id": _three(_field_call_list("a"), _field_call_list("b"), MISSING_ID),
    "assignment_id": _three(_field_assignment("a"), _field_assignment("b"), MISSING_ID),
}


def _ballot_import(state: str) -> Callable[[Personas], int]:
    """A ballot-return import of the state (an imported file's record; the file itself is not needed)."""

    def import_id(personas: Personas) -> int:
        from groundswell.turnout.models import BallotImport

        return BallotImport.objects.create(
            state=state,
            layout="generic",
            file_name="b.csv",
            stored_path="nowhere",
            sha256="0",
            file_date=dt.date.today(),
        ).pk

    return import_id


def _historical_import(name: str) -> Callable[[Personas], int]:
    """A past-endorsements import (national staff's; own and other are two that exist)."""

    def import_id(personas: Personas) -> int:
        from groundswell.endorsements.models import HistoricalImport

        return HistoricalImport.objects.create(file_name=name, rows=1).pk

    return import_id


# (route_name, kwarg) -> factory, for routes where a kwarg name means something unusual.
ROUTE_KWARG_FACTORIES: dict[tuple[str, str], KwargFactory] = {
    # Turnout's ballot imports: a state's file; own is chapter A's state (PA), other chapter B's (RI).
    ("endorsements:import-undo", "import_id"): _three(
        _historical_import("a.csv"), _historical_import("b.csv"), MISSING_ID
    ),
    ("turnout:ballot-import", "import_id"): _three(_ballot_import("PA"), _ballot_import("RI"), MISSING_ID),
    ("turnout:ballot-import-progress", "import_id"): _three(_ballot_import("PA"), _ballot_import("RI"), MISSING_ID),
    # Power-map import jobs are national staff's; own/other differ only by who started them.
    ("powermap:import-job", "job_id"): _three(
        _job_started_by("leader_a", IMPORT_JOB_KINDS[0]), _job_started_by("leader_b", IMPORT_JOB_KINDS[0]), MISSING_ID
    ),
    # Private links that need no account: the candidate's questionnaire and a member's ballot.
    ("endorsements:answer", "token"): _three(_questionnaire_token("a"), _questionnaire_token("b"), "not-a-valid-token"),
    ("endorsements:ballot", "token"): _three(_ballot_token("a"), _ballot_token("b"), "not-a-valid-token"),
    # A turf cut of the campaign in the same URL: own is chapter A's, other chapter B's.
    ("field:left-off-call-list", "cut_id"): _three(_field_turf_cut("a"), _field_turf_cut("b"), MISSING_ID),
    # The link a person follows to confirm their details: public, like a ballot.
    ("people:confirm", "token"): _three(
        _confirmation_token("member_a"), _confirmation_token("member_b"), "not-a-valid-token"
    ),
}

# The API's write helpers, asked with the role's own API token and a body they accept (the matrix's
# other routes are pages, asked with a browser session and an empty form).
API_WRITES: dict[tuple[str, str], dict[str, Any]] = {
    ("api:person-signup", "POST"): {
        "person": {"given_name": "Matrix", "email_addresses": [{"address": "matrix.signup@example.org"}]},
        "add_tags": ["matrix"],
    },
    ("api:person", "PUT"): {"given_name": "Matrix", "phone_numbers": [{"number": "+14125550177"}]},
    ("api:person", "DELETE"): {},
    ("api:people", "POST"): {
        "person": {"given_name": "Matrix", "email_addresses": [{"address": "matrix.people@example.org"}]},
    },
    ("api:tags", "POST"): {"name": "matrix-new"},
    ("api:tag-taggings", "POST"): {"_links": {"osdi:person": {"href": "people/0000000000000000"}}},
    ("api:tagging", "DELETE"): {},
    ("api:lists", "POST"): {"name": "Matrix new"},
    ("api:list", "PUT"): {"name": "Matrix renamed"},
    ("api:list", "DELETE"): {},
    ("api:list-items", "POST"): {"_links": {"osdi:person": {"href": "people/0000000000000000"}}},
    ("api:list-item", "DELETE"): {},
    ("api:webhooks", "POST"): {"url": "https://matrix.example.org/hook", "event_types": ["person.created"]},
    ("api:webhook", "DELETE"): {},
    ("api:webhook-delivery-replay", "POST"): {},
}


@dataclass(frozen=True)
class Route:
    name: str  # "app:name", or the path pattern when the route has no name
    path: str  # "people/<int:person_id>/"
    kwargs: tuple[str, ...]
    segments: tuple[Any, ...]  # the URL patterns from the root down, to build the URL from

    @property
    def targets(self) -> tuple[str, ...]:
        return TARGETS if self.kwargs else (NO_TARGET,)


def _pattern_kwargs(pattern: Any) -> list[str]:
    if isinstance(pattern, RoutePattern):
        return list(pattern.converters)
    if isinstance(pattern, RegexPattern):
        return list(pattern.regex.groupindex)
    return []


def _walk(
    patterns: list[Any], prefix: str, namespace: str, segments: tuple[Any, ...]
) -> Iterator[tuple[str, str, tuple[str, ...], tuple[Any, ...]]]:
    for entry in patterns:
        here = prefix + str(entry.pattern)
        chain = (*segments, entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, here, inner, chain)
        elif isinstance(entry, URLPattern):
            kwargs = tuple(k for seg in chain for k in _pattern_kwargs(seg))
            name = f"{namespace}{entry.name}" if entry.name else here
            yield name, here, kwargs, chain


def all_routes() -> list[Route]:
    """Every route of the URLconf but Django's admin and static files, in URLconf order."""
    routes: list[Route] = []
    seen: set[str] = set()
    for name, path, kwargs, chain in _walk(get_resolver().url_patterns, "", "", ()):
        if path.lstrip("^").startswith(SKIPPED_PREFIXES):
            continue
        key = name if name not in seen else f"{name}@{path}"
        seen.add(key)
        routes.append(Route(key, path, kwargs, chain))
    return routes


def unknown_kwargs(route: Route) -> list[str]:
    return [k for k in route.kwargs if k not in KWARG_FACTORIES and (route.name, k) not in ROUTE_KWARG_FACTORIES]


def _segment_url(pattern: Any, values: dict[str, Any]) -> str:
    if isinstance(pattern, RoutePattern):

        def converted(match: re.Match[str]) -> str:
            name = match.group("name")
            return str(pattern.converters[name].to_url(values[name]))

        return re.sub(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>", converted, str(pattern))
    text = str(pattern).lstrip("^").rstrip("$")
    text = re.sub(r"\(\?P<(?P<name>\w+)>[^)]*\)", lambda m: str(values[m.group("name")]), text)
    return text.replace("\\", "")


def url_for(route: Route, personas: Personas, target: str) -> str:
    values = {}
    for kwarg in route.kwargs:
        factory = ROUTE_KWARG_FACTORIES.get((route.name, kwarg), KWARG_FACTORIES.get(kwarg))
        assert factory is not None, f"no factory for URL kwarg {kwarg!r} of {route.name}"
        values[kwarg] = factory(personas, target)
    return "/" + "".join(_segment_url(segment, values) for segment in route.segments)


def status_class(response: Any) -> str:
    """200, 404, ...; a redirect to the sign-in page is 302-login, any other redirect 302."""
    if response.status_code in (301, 302, 303, 307, 308):
        login = resolve_url(settings.LOGIN_URL)
        return "302-login" if response["Location"].split("?")[0] == login else "302"
    return str(response.status_code)


def _api_token(user: User) -> str:
    _, secret = do_create_api_token(user=user, name="authz matrix", actor=None)
    return secret


def api_write_body(route_name: str, method: str) -> dict[str, Any] | None:
    """The body for an API write; the Action Network face (an:) takes the same as the OSDI face (api:)."""
    osdi_name = "api:" + route_name.removeprefix("an:") if route_name.startswith("an:") else route_name
    return API_WRITES.get((osdi_name, method))


def _is_api(route: Route) -> bool:
    return route.name.startswith(("api:", "an:"))


def _ask(client: Client, route: Route, method: str, url: str, user: User | None) -> Any:
    if _is_api(route) and method != "GET":
        body = api_write_body(route.name, method) or {}
        headers = {"OSDI-API-Token": _api_token(user)} if user is not None else {}
        send = {"PUT": client.put, "DELETE": client.delete}.get(method, client.post)
        return send(url, json.dumps(body), content_type="application/json", headers=headers)
    return client.get(url) if method == "GET" else client.post(url, {})


def observe(route: Route, method: str, role: str, target: str, personas: Personas) -> str:
    """Ask the route as this role, in a transaction that is rolled back so no request changes the next."""
    with transaction.atomic():
        url = url_for(route, personas, target)
        client = Client(raise_request_exception=True)
        persona = ROLES[role]
        user = getattr(personas, persona) if persona is not None else None
        if user is not None:
            client.force_login(user)
        try:
            response = _ask(client, route, method, url, user)
            observed = status_class(response)
        except Exception as exc:  # a crash is an answer the table can show, not a reason to stop
            observed = f"error {type(exc).__name__}: {exc}"[:200]
        transaction.set_rollback(True)
    return observed


@dataclass(frozen=True)
class Row:
    route_name: str
    method: str
    role: str
    target: str
    expected: str

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.route_name, self.method, self.role, self.target)


def read_table(path: Path = TABLE) -> list[Row]:
    if not path.exists():
        return []
    with path.open(newline="") as f:
        reader = csv.DictReader(line for line in f if not line.startswith("#"))
        return [Row(**{c: (r.get(c) or "").strip() for c in COLUMNS}) for r in reader]


def _api_write_methods(route: Route) -> set[str]:
    return {m for m in ("POST", "PUT", "DELETE") if api_write_body(route.name, m) is not None}


def rows_needed(route: Route, methods: set[str]) -> list[tuple[str, str, str, str]]:
    """The (route, method, role, target) cells a route must have: GET always, POST once it has any, and
    every API write the route takes."""
    writes = _api_write_methods(route)
    return [
        (route.name, m, role, t) for m in sorted(methods | writes | {"GET"}) for role in ROLES for t in route.targets
    ]


def observe_route(route: Route, personas: Personas) -> list[Row]:
    """What the route answers now, for every role and target: GET, POST too when GET is refused (405),
    and the API writes it takes."""
    methods = ["GET"]
    rows = [
        Row(route.name, "GET", role, t, observe(route, "GET", role, t, personas))
        for role in ROLES
        for t in route.targets
    ]
    if any(row.expected == "405" for row in rows):
        methods.append("POST")
    methods += [m for m in sorted(_api_write_methods(route)) if m not in methods]
    for method in methods[1:]:
        rows += [Row(route.name, method, role, t, observe(route, method, role, t, personas))
                 for role in ROLES for t in route.targets]  # fmt: skip
    return rows


def format_rows(rows: list[Row]) -> str:
    return "\n".join(",".join((r.route_name, r.method, r.role, r.target, r.expected)) for r in rows)

"""A race in the personas' Pennsylvania chapter, a questionnaire, and members to vote."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from email.message import Message

import pytest
from django.utils import timezone

from groundswell.chapters.models import Chapter
from groundswell.elections.models import Candidacy, ElectionKind
from groundswell.endorsements.actions import QuestionSpec, do_save_questionnaire
from groundswell.endorsements.models import QuestionKind, QuestionnaireTemplate
from groundswell.people.actions import PersonDetails, do_save_person
from groundswell.people.models import Person
from groundswell.recruitment.candidacies import ensure_election, ensure_office, ensure_race, file_candidacy
from groundswell.testing import Personas


@dataclass
class RaceSetup:
    candidacy: Candidacy
    template: QuestionnaireTemplate


def make_race(personas: Personas, *, name: str = "Jamie Rivera", days_ahead: int = 60) -> RaceSetup:
    election = ensure_election("PA", timezone.localdate() + dt.timedelta(days=days_ahead), ElectionKind.GENERAL)
    office = ensure_office("PA", "State House", district="98")
    candidacy = file_candidacy(ensure_race(election, office), name=name, party="DEM")
    template = do_save_questionnaire(
        title="2026 candidate questionnaire",
        introduction="Tell our members where you stand.",
        questions=[
            QuestionSpec("Do you support Medicare for All?"),
            QuestionSpec("Will you refuse corporate PAC money?"),
            QuestionSpec("Why are you running?", QuestionKind.TEXT),
        ],
        actor=personas.staff,
    )
    return RaceSetup(candidacy, template)


def add_members(chapter: Chapter, count: int, *, prefix: str = "member") -> list[Person]:
    people = []
    for i in range(count):
        person, _ = do_save_person(
            PersonDetails(first_name=f"{prefix.title()}{i}", last_name="Voter", emails=[f"{prefix}{i}@example.net"]),
            source="test",
            actor=None,
            chapter=chapter,
        )
        people.append(person)
    return people


LINK = re.compile(r"https?://\S+/endorsements/(?:ballot|questionnaire)/[\w-]+/")


def links_in(messages: list[Message]) -> dict[str, str]:
    """The private link in each message, by recipient."""
    found = {}
    for message in messages:
        body = message.get_payload(decode=True)
        assert isinstance(body, bytes)
        match = LINK.search(body.decode())
        assert match, body
        found[str(message["To"])] = match.group(0)
    return found


@pytest.fixture
def race(personas: Personas) -> RaceSetup:
    return make_race(personas)

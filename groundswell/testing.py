"""Seeded personas and helpers shared by the test suites (not imported by the product)."""

from __future__ import annotations

from dataclasses import dataclass

from groundswell.chapters.actions import do_create_chapter, do_grant_role
from groundswell.chapters.models import AreaKind, Chapter, ChapterStatus, Role
from groundswell.core.actions import do_create_user
from groundswell.core.jobs import Progress
from groundswell.core.models import Job, User
from groundswell.people.actions import PersonDetails, do_save_person
from groundswell.people.models import Person

PASSWORD = "correct-Horse-battery-9"


@dataclass
class Personas:
    """A national staffer, a Pennsylvania coordinator, leaders of chapters A and B, a volunteer of A,
    a candidate and a partner liaison, with one member in each chapter."""

    staff: User
    coordinator: User
    leader_a: User
    leader_b: User
    volunteer: User
    candidate: User
    partner: User
    chapter_a: Chapter
    chapter_b: Chapter
    member_a: Person
    member_b: Person


def make_user(email: str, name: str = "") -> User:
    first, _, last = name.partition(" ")
    return do_create_user(email=email, password=PASSWORD, first_name=first, last_name=last, actor=None)


def make_personas() -> Personas:
    chapter_a = do_create_chapter(
        name="Pittsburgh Groundswell", slug="pittsburgh", state="PA", status=ChapterStatus.ACTIVE,
        areas=[(AreaKind.COUNTY, "Allegheny"), (AreaKind.ZIP, "15213")], actor=None,
    )  # fmt: skip
    chapter_b = do_create_chapter(
        name="Providence Groundswell", slug="providence", state="RI", status=ChapterStatus.ACTIVE,
        areas=[(AreaKind.CITY, "Providence"), (AreaKind.ZIP, "02903")], actor=None,
    )  # fmt: skip
    staff = make_user("staff@example.org", "Nadia National")
    coordinator = make_user("coordinator@example.org", "Pat Pennsylvania")
    leader_a = make_user("leader.a@example.org", "Alex Allegheny")
    leader_b = make_user("leader.b@example.org", "Bea Providence")
    volunteer = make_user("volunteer@example.org", "Val Volunteer")
    candidate = make_user("candidate@example.org", "Cam Candidate")
    partner = make_user("partner@example.org", "Parker Partner")
    do_grant_role(staff, Role.NATIONAL_STAFF, actor=None)
    do_grant_role(coordinator, Role.STATE_COORDINATOR, state="PA", actor=None)
    do_grant_role(leader_a, Role.CHAPTER_LEADER, chapter=chapter_a, actor=None)
    do_grant_role(leader_b, Role.CHAPTER_LEADER, chapter=chapter_b, actor=None)
    do_grant_role(volunteer, Role.VOLUNTEER, chapter=chapter_a, actor=None)
    do_grant_role(candidate, Role.CANDIDATE, actor=None)
    do_grant_role(partner, Role.PARTNER_LIAISON, organization="Sunrise Allies", actor=None)
    member_a, _ = do_save_person(
        PersonDetails(first_name="Maria", last_name="Alvarez", emails=["maria@example.net"], city="Pittsburgh",
                      state="PA", zip_code="15213"),
        source="test", actor=None, chapter=chapter_a,
    )  # fmt: skip
    member_b, _ = do_save_person(
        PersonDetails(first_name="Ben", last_name="Okafor", emails=["ben@example.net"], city="Providence",
                      state="RI", zip_code="02903"),
        source="test", actor=None, chapter=chapter_b,
    )  # fmt: skip
    return Personas(
        staff,
        coordinator,
        leader_a,
        leader_b,
        volunteer,
        candidate,
        partner,
        chapter_a,
        chapter_b,
        member_a,
        member_b,
    )


class WatchedProgress(Progress):
    """A job's progress, written on every report and read back from the job row each time, as the page's
    poll would read it: ``seen`` holds every (phase, done, total) a watcher saw."""

    def __init__(self, job: Job) -> None:
        super().__init__(job, min_interval=0)
        self.seen: list[tuple[str, int, int | None]] = []

    def _write(self, *, force: bool = False) -> None:
        super()._write(force=force)
        row = Job.objects.get(pk=self.job.pk)
        self.seen.append((row.phase, row.done, row.total))

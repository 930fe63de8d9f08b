"""The pipeline's demo data: recruits, trainings, a Rhode Island reorganization drive, the platform, a
questionnaire, endorsements in every step of the process, and a past record with results.

Called by ``groundswell demo`` after the chapters, logins and people (and, when loaded, the Rhode Island
power map) exist. Everything goes through the real actions; only the dates of past events are moved
back afterwards, so the funnel over time and the scorecard's years have something to show.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from groundswell.chapters.models import Chapter, Role, RoleGrant
from groundswell.core.models import User
from groundswell.elections.models import ElectionKind, OfficeLevel, Term
from groundswell.endorsements import actions as endorse
from groundswell.endorsements.importing import Mapping, do_import_historical_endorsements
from groundswell.endorsements.models import BallotChoice, QuestionKind, Recommendation
from groundswell.geo import ocd
from groundswell.geo.actions import DivisionSpec, state_specs, upsert_divisions
from groundswell.geo.importing import ImportReport
from groundswell.geo.models import Division, DivisionKind
from groundswell.people.models import Membership, MembershipStatus, Person
from groundswell.powermap.models import DistrictLean
from groundswell.recruitment import actions as recruiting
from groundswell.recruitment.candidacies import ensure_election, ensure_office, ensure_race, file_candidacy
from groundswell.recruitment.models import PROGRESSION, OfficeType, Recruit, RecruitSource, RecruitStageChange, Stage
from groundswell.reorg import actions as reorg
from groundswell.reorg.models import SelectionMethod, Tier

PLATFORM = (
    ("Medicare for All", "Guaranteed health care for everyone, paid for publicly."),
    ("A $15 minimum wage", "No one who works full time should live in poverty."),
    ("Free public college", "Tuition-free public colleges and universities."),
    ("Climate action", "A rapid, just transition off fossil fuels."),
    ("Criminal-justice reform", "End cash bail and mass incarceration."),
    ("Sanctuary protections", "Local police do not do federal immigration enforcement."),
)
PUBLIC_OFFICES = ("school committee", "city council", "state house", "state senate", "town council")
PARTY_OFFICES = ("precinct committee", "ward committee", "city Democratic committee")


@dataclass
class PipelineDemoSummary:
    recruits: int
    trainings: int
    drive_seats: int
    nominations: int
    endorsements: int
    historical_rows: int


def _national_staff() -> User:
    grant = RoleGrant.objects.active().filter(role=Role.NATIONAL_STAFF).select_related("user").first()
    if grant is not None:
        return grant.user
    user = User.objects.filter(is_superuser=True).first()
    if user is None:
        raise RuntimeError("The pipeline demo needs a national staff login: load the base demo first.")
    return user


def _leader_of(chapter: Chapter, staff: User) -> User:
    grant = RoleGrant.objects.active().filter(role=Role.CHAPTER_LEADER, chapter=chapter).select_related("user").first()
    return grant.user if grant else staff


def _members(chapter: Chapter) -> list[Person]:
    ids = Membership.objects.filter(chapter=chapter, status=MembershipStatus.ACTIVE).values("person")
    return list(Person.objects.live().filter(pk__in=ids).order_by("pk"))


def load_pipeline_demo(*, seed: int) -> PipelineDemoSummary:
    """Add the pipeline's demo data (all or nothing). Deterministic for a seed."""
    rng = random.Random(seed)
    staff = _national_staff()
    with transaction.atomic():
        template = _platform_and_questionnaire(staff)
        chapters = list(Chapter.objects.filter(country="US").order_by("pk"))
        recruits, trainings = _recruits_and_trainings(rng, chapters, staff)
        seats = _ri_drive(rng, chapters, staff)
        nominations, endorsements = _endorsements_in_process(rng, chapters, staff, template)
        historical = _past_record(rng, staff)
    return PipelineDemoSummary(recruits, trainings, seats, nominations, endorsements, historical)


def _platform_and_questionnaire(staff: User) -> object:
    issues = [
        endorse.do_save_platform_issue(title=title, summary=summary, position=i, actor=staff)
        for i, (title, summary) in enumerate(PLATFORM)
    ]
    questions = [endorse.QuestionSpec(f"Do you support {_in_sentence(i.title)}?", issue=i) for i in issues]
    questions += [
        endorse.QuestionSpec("Will you refuse corporate PAC money?"),
        endorse.QuestionSpec("Why are you running, and who is on your team?", QuestionKind.TEXT),
    ]
    return endorse.do_save_questionnaire(
        title="Candidate questionnaire",
        introduction="Our members read every answer before they vote. Please be candid.",
        questions=questions,
        actor=staff,
    )


def _in_sentence(title: str) -> str:
    """A plank's title mid-sentence: 'Climate action' -> 'climate action'; 'Medicare for All' keeps its capital."""
    first, _, rest = title.partition(" ")
    return title if first in {"Medicare"} else f"{first.lower()} {rest}".strip()


def _recruits_and_trainings(rng: random.Random, chapters: list[Chapter], staff: User) -> tuple[int, int]:
    today = timezone.localdate()
    national = recruiting.do_create_training(
        title="Run for Something Local: candidate bootcamp",
        held_on=today - dt.timedelta(days=40),
        chapter=None,
        location="Online",
        actor=staff,
    )
    count, trainings = 0, 1
    for chapter in chapters:
        leader = _leader_of(chapter, staff)
        members = _members(chapter)
        rng.shuffle(members)
        local = recruiting.do_create_training(
            title=f"{chapter.name}: how to file for precinct committee",
            held_on=today - dt.timedelta(days=20),
            chapter=chapter,
            location="Public library",
            actor=leader,
        )
        trainings += 1
        for person in members[: rng.randint(8, 14)]:
            count += 1
            party = rng.random() < 0.4
            recruit = recruiting.do_create_recruit(
                person,
                chapter=chapter,
                source=rng.choice([RecruitSource.OUTREACH, RecruitSource.OUTREACH, RecruitSource.RUN_FORM]),
                details=recruiting.RecruitDetails(
                    office_type=OfficeType.PARTY if party else OfficeType.PUBLIC,
                    office_sought=rng.choice(PARTY_OFFICES if party else PUBLIC_OFFICES),
                    office_level=OfficeLevel.PARTY
                    if party
                    else rng.choice([OfficeLevel.MUNICIPAL, OfficeLevel.SCHOOL_BOARD]),
                    owner=leader,
                    next_step=rng.choice(
                        [
                            "Call about the filing deadline",
                            "Invite to training",
                            "Coffee to talk it over",
                            "Collect petition signatures",
                        ]
                    ),
                    next_step_due=today + dt.timedelta(days=rng.randint(-5, 21)),
                ),
                actor=leader,
            )
            _advance(rng, recruit, leader, national if rng.random() < 0.5 else local)
    _spread_history(rng)
    return count, trainings


def _advance(rng: random.Random, recruit: Recruit, leader: User, training: object) -> None:
    """Walk a recruit up the stages, as far as a roll of the dice says; some decline on the way."""
    target = min(rng.choices(range(5), weights=[3, 4, 4, 3, 1])[0], 3)
    for stage in PROGRESSION[1 : target + 1]:
        if stage == Stage.TRAINED:
            recruiting.do_record_attendance(training, person=recruit.person, actor=leader)  # type: ignore[arg-type]  # a Training
        else:
            recruiting.do_move_recruit(recruit, stage=stage, actor=leader)
    if rng.random() < 0.15:
        recruiting.do_move_recruit(recruit, stage=Stage.DECLINED, note="not this cycle", actor=leader)


def _spread_history(rng: random.Random) -> None:
    """Move the demo's stage changes back over the past year, in order, so the funnel has a history."""
    now = timezone.now()
    for recruit_id in Recruit.objects.values_list("pk", flat=True):
        changes = list(RecruitStageChange.objects.filter(recruit_id=recruit_id).order_by("changed_at", "pk"))
        start = now - dt.timedelta(days=rng.randint(30, 330))
        step = (now - start) / (len(changes) + 1)
        for i, change in enumerate(changes):
            change.changed_at = start + step * i
        RecruitStageChange.objects.bulk_update(changes, ["changed_at"])


# ---------------------------------------------------------------- Rhode Island's reorganization


def _ri_precincts(rng: random.Random) -> None:
    """The drive needs precincts: the power map demo loads Rhode Island's; without it, a few stand-ins."""
    if Division.objects.filter(state="RI", kind=DivisionKind.PRECINCT).exists():
        return
    state = ocd.state_ocd_id("ri")
    specs = list(state_specs("ri"))
    for town, count in (("Providence", 12), ("Pawtucket", 6), ("Newport", 4)):
        town_id = ocd.place_ocd_id("ri", town)
        specs.append(DivisionSpec(town_id, DivisionKind.PLACE, town, "RI", state))
        specs += [
            DivisionSpec(
                ocd.precinct_ocd_id(town_id, str(100 + i)),
                DivisionKind.PRECINCT,
                f"{town} {100 + i}",
                "RI",
                town_id,
                source="pipeline demo stand-in",
            )
            for i in range(count)
        ]
    upsert_divisions(specs, report=ImportReport())


def _ri_drive(rng: random.Random, chapters: list[Chapter], staff: User) -> int:
    _ri_precincts(rng)
    today = timezone.localdate()
    drive = reorg.do_create_drive(
        name="Rhode Island Democratic reorganization 2026",
        state="RI",
        party="Democratic",
        election_date=today + dt.timedelta(days=150),
        filing_opens=today + dt.timedelta(days=20),
        filing_deadline=today + dt.timedelta(days=45),
        reorganization_date=today + dt.timedelta(days=200),
        notes="City and town committees are elected in the September primary; they then elect their officers.",
        actor=staff,
    )
    reorg.do_save_reorg_rule(
        drive,
        seats_per_precinct=2,
        selection=SelectionMethod.ELECTED,
        signatures_required=50,
        eligibility="A registered Democrat living in the precinct.",
        actor=staff,
        source_url="https://www.sos.ri.gov/divisions/elections",
    )
    reorg.do_save_reorg_rule(
        drive,
        county="Providence",
        seats_per_precinct=3,
        selection=SelectionMethod.ELECTED,
        signatures_required=50,
        actor=staff,
    )
    reorg.do_add_drive_date(
        drive, label="Declarations of candidacy", on=today + dt.timedelta(days=25), is_deadline=True, actor=staff
    )
    reorg.do_add_drive_date(
        drive,
        label="Nomination papers due to local boards",
        on=today + dt.timedelta(days=45),
        is_deadline=True,
        actor=staff,
    )
    seats = reorg.do_add_precinct_seats(drive, actor=staff)
    for tier, count in ((Tier.STATE_CHAIR, 1), (Tier.VICE_CHAIR, 1), (Tier.NATIONAL_COMMITTEE, 2)):
        reorg.do_add_leadership_office(drive, tier=tier, seats=count, actor=staff)
    _holders_and_filings(rng, drive, chapters, staff)
    return seats


def _holders_and_filings(rng: random.Random, drive: object, chapters: list[Chapter], staff: User) -> None:
    from groundswell.reorg.models import DriveOffice, ReorganizationDrive

    assert isinstance(drive, ReorganizationDrive)
    offices = [d.office for d in DriveOffice.objects.filter(drive=drive, tier=Tier.PRECINCT).select_related("office")]
    # Incumbent committee members: a seat or two in most precincts (the public record a drive starts from).
    Term.objects.bulk_create(
        [
            Term(office=office, holder_name=f"Incumbent {office.pk}-{seat}", party="Democratic", source="demo")
            for office in offices
            for seat in range(rng.choice([0, 0, 1, 1, 2]))
        ]
    )
    ri_chapters = [c for c in chapters if c.state == "RI"]
    party_recruits = list(
        Recruit.objects.filter(chapter__in=ri_chapters, office_type=OfficeType.PARTY)
        .exclude(stage=Stage.DECLINED)
        .select_related("chapter", "person")
    )
    races = {r.office_id: r for r in drive.election.races.all()}
    for recruit in party_recruits[: max(1, len(party_recruits) * 2 // 3)]:
        office = rng.choice(offices)
        leader = _leader_of(recruit.chapter, staff)
        recruiting.do_move_recruit(recruit, stage=Stage.FILING, race=races[office.pk], actor=leader)


# ---------------------------------------------------------------- endorsements in process


def _endorsements_in_process(
    rng: random.Random, chapters: list[Chapter], staff: User, template: object
) -> tuple[int, int]:
    """In Providence: one candidate endorsed for this fall, one whose members are voting now, one waiting
    for answers. Each step through the real actions."""
    from groundswell.endorsements.models import QuestionnaireTemplate

    assert isinstance(template, QuestionnaireTemplate)
    providence = next((c for c in chapters if c.slug == "providence"), None) or next(
        (c for c in chapters if c.state == "RI"), None
    )
    if providence is None:
        return 0, 0
    leader = _leader_of(providence, staff)
    election = ensure_election("RI", _general_day(timezone.localdate().year), ElectionKind.GENERAL)
    if election.date <= timezone.localdate():
        election = ensure_election("RI", _general_day(timezone.localdate().year + 1), ElectionKind.GENERAL)
    # the third is the demo's candidate login (candidate@example.org), who sees it waiting for their answers
    names = ("Marisol Vega", "Dev Okafor", "Cam Brennan")
    emails = ("marisol@example.net", "dev@example.net", "candidate@example.org")
    offices = [ensure_office("RI", "State House", district=d) for d in ("4", "10", "13")]
    endorsed = 0
    for i, (name, email, office) in enumerate(zip(names, emails, offices, strict=True)):
        candidacy = file_candidacy(ensure_race(election, office), name=name, party="Democratic")
        nomination, _ = endorse.do_nominate(
            candidacy,
            chapter=providence,
            template=template,
            candidate_email=email,
            reason="A member who has organized in the district for years.",
            actor=leader,
        )
        if i == 2:
            continue  # waiting for the candidate's answers
        endorse.do_answer_questionnaire(
            nomination.response,
            answers={
                q.pk: (True if q.kind == QuestionKind.YES_NO else None, "Yes, without reservation.")
                for q in template.questions.all()
            },
        )
        vote = endorse.do_open_vote(nomination, closes_at=timezone.now() + dt.timedelta(days=5), actor=leader)
        ballots = list(vote.ballots.filter(recused=False))
        for ballot in ballots[: len(ballots) * 3 // 5]:
            endorse.do_cast_ballot(ballot, choice=rng.choice([BallotChoice.YES] * 4 + [BallotChoice.NO]))
        if i == 1:
            continue  # the members' vote is open
        for ballot in vote.ballots.filter(recused=False, cast_at__isnull=True):
            endorse.do_cast_ballot(ballot, choice=BallotChoice.YES)
        endorse.do_close_vote(vote, actor=leader)
        endorse.do_state_review(
            nomination, recommendation=Recommendation.RECOMMEND, notes="Strong field plan.", actor=staff
        )
        endorse.do_decide_endorsement(
            nomination, endorse=True, reasons="Members voted overwhelmingly yes.", actor=staff
        )
        endorse.do_record_pledge(candidacy, kind="no_corporate_pac", taken_on=timezone.localdate(), actor=staff)
        endorsed += 1
    return len(names), endorsed


def _general_day(year: int) -> dt.date:
    from groundswell.endorsements.importing import general_election_day

    return general_election_day(year)


# ---------------------------------------------------------------- the past record


def _past_record(rng: random.Random, staff: User) -> int:
    """Three cycles of past endorsements in Rhode Island, loaded through the historical importer; who won
    follows each district's lean (when the power map has it) with an upset now and then."""
    leans = dict(
        DistrictLean.objects.filter(district__state="RI", district__kind=DivisionKind.STATE_HOUSE).values_list(
            "district__ocd_id", "lean"
        )
    )
    rows = ["Candidate,State,Year,Office,District,Level,Result,Groundswell,Working Families"]
    first = ("Ana", "Bo", "Cyd", "Dana", "Eli", "Fay", "Gus", "Hana", "Ike", "Jo", "Kai", "Lu", "Mo", "Noor", "Oz")
    last = ("Reyes", "Chen", "Silva", "Nguyen", "Murphy", "Costa", "Patel", "Brown", "Kaur", "Diaz")
    for year in (2020, 2022, 2024):
        for district in rng.sample(range(1, 76), 14):
            lean = leans.get(ocd.district_ocd_id("ri", "sldl", str(district)))
            chance = 0.55 if lean is None else min(0.95, max(0.1, 0.5 + lean / 60))
            result = "Won" if rng.random() < chance else "Lost"
            wfp = "Yes" if rng.random() < 0.5 else "No"
            rows.append(
                f"{rng.choice(first)} {rng.choice(last)},RI,{year},State House,{district},state legislature,"
                f"{result},Yes,{wfp}"
            )
        for _ in range(4):
            office = rng.choice(["School Committee", "City Council"])
            level = "school board" if office == "School Committee" else "municipal"
            result = rng.choice(["Won", "Won", "Lost", ""])  # blank: the record never said
            rows.append(
                f"{rng.choice(first)} {rng.choice(last)},RI,{year},{office},Ward {rng.randint(1, 15)},{level},"
                f"{result},Yes,No"
            )
    mapping = Mapping(
        endorsers=["Groundswell", "Working Families"],
        columns={
            "candidate": "Candidate",
            "state": "State",
            "date": "Year",
            "office": "Office",
            "district": "District",
            "level": "Level",
            "result": "Result",
        },
    )
    do_import_historical_endorsements(
        io.StringIO("\n".join(rows) + "\n"), mapping=mapping, file_name="past-endorsements-demo.csv", actor=staff
    )
    return len(rows) - 1

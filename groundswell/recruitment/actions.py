"""Every change to recruits and trainings. The pages, the public form and the demo all come through here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from groundswell.chapters.access import AnyUser, scope_for
from groundswell.chapters.models import Chapter
from groundswell.core.audit import record_audit
from groundswell.core.models import AuditEvent, User
from groundswell.elections.models import Outcome, Race
from groundswell.people.actions import ConsentWords, PersonDetails, do_sign_up_person
from groundswell.people.models import Person
from groundswell.recruitment.candidacies import file_candidacy
from groundswell.recruitment.models import (
    CANDIDATE_STAGES,
    ENDED,
    RANK,
    OfficeType,
    Recruit,
    RecruitSource,
    RecruitStageChange,
    Stage,
    Training,
    TrainingAttendance,
    stage_rank,
)

RUN_FORM_SOURCE = "“I want to run” form"


def _require_manages(chapter: Chapter, actor: AnyUser) -> None:
    if not scope_for(actor).manages_chapter(chapter):
        raise PermissionDenied("You do not lead this chapter.")


def _user(actor: AnyUser | None) -> User | None:
    return actor if isinstance(actor, User) else None


@dataclass
class RecruitDetails:
    """What a leader knows about what a recruit is running for and what happens next."""

    office_type: str = OfficeType.PUBLIC
    office_sought: str = ""
    office_level: str = ""
    party: str = ""
    owner: User | None = None
    next_step: str = ""
    next_step_due: dt.date | None = None
    notes: str = ""


def _record_stage(recruit: Recruit, *, from_stage: str, note: str, actor: AnyUser | None, when: dt.datetime) -> None:
    RecruitStageChange.objects.create(
        recruit=recruit,
        from_stage=from_stage,
        to_stage=recruit.stage,
        changed_at=when,
        changed_by=_user(actor),
        note=note[:300],
    )


def _new_recruit(
    person: Person,
    chapter: Chapter,
    details: RecruitDetails,
    *,
    stage: str,
    source: str,
    training: Training | None,
    actor: AnyUser | None,
) -> Recruit:
    now = timezone.now()
    recruit = Recruit.objects.create(
        person=person,
        chapter=chapter,
        stage=stage,
        furthest_rank=max(stage_rank(stage), 0),
        source=source,
        training=training,
        stage_changed_at=now,
        office_type=details.office_type,
        office_sought=details.office_sought,
        office_level=details.office_level,
        party=details.party,
        owner=details.owner,
        next_step=details.next_step,
        next_step_due=details.next_step_due,
        notes=details.notes,
    )
    _record_stage(recruit, from_stage="", note=f"came in through {recruit.get_source_display()}", actor=actor, when=now)
    return recruit


def do_create_recruit(
    person: Person,
    *,
    chapter: Chapter,
    details: RecruitDetails,
    stage: str = Stage.IDENTIFIED,
    source: str = RecruitSource.OUTREACH,
    training: Training | None = None,
    actor: User,
) -> Recruit:
    _require_manages(chapter, actor)
    with transaction.atomic():
        recruit = _new_recruit(person, chapter, details, stage=stage, source=source, training=training, actor=actor)
        record_audit(
            AuditEvent.RECRUIT_CREATED,
            actor=actor,
            target=recruit,
            summary=f"{person} recruited in {chapter.name} for {details.office_sought or 'an office'}",
        )
    return recruit


def do_submit_run_interest(
    details: PersonDetails,
    *,
    chapter: Chapter,
    office_type: str,
    office_sought: str,
    why: str,
    consent: ConsentWords | None = None,
    link_base: str = "",
) -> Recruit:
    """The public "I want to run" form. Anyone may send it; what they give is the chapter's, as on the
    join form (a known email adds it to the person already known, changing nothing else of theirs),
    and someone already in this chapter's pipeline is not entered twice: their note is added."""
    with transaction.atomic():
        person = do_sign_up_person(
            details, chapter=chapter, source=f"{RUN_FORM_SOURCE} of {chapter.name}", consent=consent,
            link_base=link_base,
        ).person  # fmt: skip
        note = f"{timezone.localdate():%Y-%m-%d} via the form: {why}".strip() if why else ""
        recruit = Recruit.objects.filter(person=person, chapter=chapter).exclude(stage__in=ENDED).first()
        if recruit is None:
            recruit = _new_recruit(
                person,
                chapter,
                RecruitDetails(
                    office_type=office_type,
                    office_sought=office_sought,
                    notes=note,
                    next_step="Call to welcome them and talk about the race",
                    next_step_due=timezone.localdate() + dt.timedelta(days=7),
                ),
                stage=Stage.INTERESTED,
                source=RecruitSource.RUN_FORM,
                training=None,
                actor=None,
            )
        elif note:
            recruit.notes = f"{recruit.notes}\n{note}".strip()
            recruit.save(update_fields=["notes", "updated_at"])
        record_audit(
            AuditEvent.RUN_FORM_SUBMITTED,
            actor=None,
            target=recruit,
            summary=f"{person} wants to run for {office_sought or 'office'} ({chapter.name})",
        )
    return recruit


def do_update_recruit(recruit: Recruit, *, details: RecruitDetails, actor: User) -> Recruit:
    _require_manages(recruit.chapter, actor)
    with transaction.atomic():
        changed = []
        for name, value in vars(details).items():
            current = getattr(recruit, name)
            if current != value:
                setattr(recruit, name, value)
                changed.append(name)
        if changed:
            recruit.save()
        record_audit(
            AuditEvent.RECRUIT_UPDATED,
            actor=actor,
            target=recruit,
            summary=f"updated recruit {recruit.person}",
            details={"changed": changed},
        )
    return recruit


def do_move_recruit(
    recruit: Recruit, *, stage: str, note: str = "", race: Race | None = None, actor: User | None
) -> Recruit:
    """Move a recruit to ``stage``. Filing (or any later candidate stage) needs the race they run in:
    the recruit becomes a candidacy in it, so the result the power map imports reaches the scorecard.
    ``actor`` None is the system itself (a result arriving)."""
    if actor is not None:
        _require_manages(recruit.chapter, actor)
    if stage not in Stage.values:
        raise ValidationError({"stage": f"Unknown stage {stage!r}."})
    if stage in CANDIDATE_STAGES and recruit.candidacy_id is None and race is None:
        raise ValidationError({"race": "Choose the race they are filing in."})
    with transaction.atomic():
        previous = recruit.stage
        now = timezone.now()
        if race is not None and stage in CANDIDATE_STAGES:
            recruit.candidacy = file_candidacy(race, name=recruit.person.full_name, party=recruit.party)
            recruit.office = race.office
            recruit.office_level = race.office.level
        recruit.stage = stage
        recruit.furthest_rank = max(recruit.furthest_rank, stage_rank(stage))
        recruit.stage_changed_at = now
        recruit.save()
        _record_stage(recruit, from_stage=previous, note=note, actor=actor, when=now)
        race_text = f" in {race}" if race is not None else ""
        record_audit(
            AuditEvent.RECRUIT_STAGE_CHANGED,
            actor=actor,
            target=recruit,
            summary=f"{recruit.person}: {Stage(previous).label} → {Stage(stage).label}{race_text}",
            details={"from": previous, "to": stage, "candidacy": recruit.candidacy_id},
        )
    return recruit


def do_sync_recruit_results(*, actor: User | None) -> int:
    """Recruits on the ballot whose race has a result move to won or lost. Returns how many moved.
    A person syncs only the recruits in their scope (their count must not reveal other chapters');
    ``actor`` None is the system itself, for every recruit."""
    moved = 0
    pending = Recruit.objects.filter(stage__in=[Stage.FILING, Stage.ON_BALLOT], candidacy__isnull=False).exclude(
        candidacy__outcome=Outcome.PENDING
    )
    if actor is not None:
        scope = scope_for(actor)
        pending = pending.filter(scope.chapters_q("chapter__")) if scope.is_leader_or_above else pending.none()
    for recruit in pending.select_related("candidacy", "person", "chapter"):
        assert recruit.candidacy is not None
        stage = Stage.WON if recruit.candidacy.outcome == Outcome.WON else Stage.LOST
        do_move_recruit(recruit, stage=stage, note="result imported", actor=None)
        moved += 1
    if moved:
        record_audit(AuditEvent.RECRUIT_RESULTS_SYNCED, actor=actor, summary=f"{moved} recruits' results recorded")
    return moved


def do_create_training(
    *, title: str, held_on: dt.date, chapter: Chapter | None, location: str = "", actor: User
) -> Training:
    scope = scope_for(actor)
    if chapter is None and not scope.national:
        raise PermissionDenied("Only national staff hold national trainings.")
    if chapter is not None:
        _require_manages(chapter, actor)
    with transaction.atomic():
        training = Training.objects.create(
            title=title, held_on=held_on, chapter=chapter, location=location, created_by=actor
        )
        record_audit(AuditEvent.TRAINING_CREATED, actor=actor, target=training, summary=f"training {training}")
    return training


def do_record_attendance(training: Training, *, person: Person, actor: User) -> TrainingAttendance:
    """Mark someone present. Their open recruits in chapters the actor leads that had not yet been
    trained move to "trained": the training is what that stage means."""
    if training.chapter is not None:
        _require_manages(training.chapter, actor)
    scope = scope_for(actor)
    with transaction.atomic():
        attendance, _ = TrainingAttendance.objects.get_or_create(
            training=training, person=person, defaults={"recorded_by": actor}
        )
        untrained = Recruit.objects.filter(person=person, furthest_rank__lt=RANK[Stage.TRAINED]).exclude(
            stage__in=ENDED
        )
        for recruit in untrained.filter(scope.chapters_q("chapter__")).select_related("chapter", "person"):
            do_move_recruit(recruit, stage=Stage.TRAINED, note=f"attended {training.title}", actor=actor)
        record_audit(
            AuditEvent.TRAINING_ATTENDANCE_RECORDED,
            actor=actor,
            target=training,
            summary=f"{person} attended {training}",
            details={"person": person.pk},
        )
    return attendance

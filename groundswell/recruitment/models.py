"""Recruits: people encouraged to run for public or party office, and the trainings that prepare them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from groundswell.chapters.models import Chapter
from groundswell.elections.models import Candidacy, Office, OfficeLevel
from groundswell.people.models import Person


class Stage(models.TextChoices):
    IDENTIFIED = "identified", "Identified"
    ASKED = "asked", "Asked"
    INTERESTED = "interested", "Interested"
    TRAINED = "trained", "Trained"
    FILING = "filing", "Filing"
    ON_BALLOT = "on_ballot", "On the ballot"
    WON = "won", "Won"
    LOST = "lost", "Lost"
    DECLINED = "declined", "Declined"


# The road from first name on a list to office, in order. Lost and declined are ends, not steps:
# a recruit who lost still reached the ballot, so the funnel counts them up to "on the ballot".
PROGRESSION = (
    Stage.IDENTIFIED,
    Stage.ASKED,
    Stage.INTERESTED,
    Stage.TRAINED,
    Stage.FILING,
    Stage.ON_BALLOT,
    Stage.WON,
)
RANK = {stage: i for i, stage in enumerate(PROGRESSION)}
ENDED = (Stage.WON, Stage.LOST, Stage.DECLINED)
# Stages at which a recruit is a candidate in a race: from here on they need a candidacy.
CANDIDATE_STAGES = (Stage.FILING, Stage.ON_BALLOT, Stage.WON, Stage.LOST)


def stage_rank(stage: str) -> int:
    """How far along the progression a stage is; lost counts as having been on the ballot."""
    if stage == Stage.LOST:
        return RANK[Stage.ON_BALLOT]
    return RANK.get(Stage(stage), -1) if stage in Stage.values else -1


class RecruitSource(models.TextChoices):
    OUTREACH = "outreach", "Chapter outreach"
    RUN_FORM = "run_form", "“I want to run” form"
    TRAINING = "training", "A training"


class OfficeType(models.TextChoices):
    PUBLIC = "public", "Public office"
    PARTY = "party", "Party office"


class Training(models.Model):
    """A candidate training (a chapter's, or a national one when chapter is empty)."""

    title = models.CharField(max_length=200)
    chapter = models.ForeignKey(Chapter, null=True, blank=True, on_delete=models.CASCADE, related_name="trainings")
    held_on = models.DateField()
    location = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-held_on", "title")

    def __str__(self) -> str:
        return f"{self.title} ({self.held_on:%b %-d, %Y})"

    def get_absolute_url(self) -> str:
        return reverse("recruitment:training", args=[self.pk])


class Recruit(models.Model):
    """A person a chapter is encouraging to run, with where they are on the road to the ballot."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="recruits")
    chapter = models.ForeignKey(Chapter, on_delete=models.PROTECT, related_name="recruits")
    stage = models.CharField(max_length=12, choices=Stage.choices, default=Stage.IDENTIFIED, db_index=True)
    # The furthest step of PROGRESSION ever reached, kept by the stage action: the funnel's
    # "reached this stage" counts read it instead of replaying every recruit's history.
    furthest_rank = models.PositiveSmallIntegerField(default=0)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="recruits_owned"
    )
    next_step = models.CharField(max_length=200, blank=True)
    next_step_due = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    office_type = models.CharField(max_length=8, choices=OfficeType.choices, default=OfficeType.PUBLIC)
    office_sought = models.CharField(max_length=200, blank=True, help_text="In their words, e.g. “school board”")
    office_level = models.CharField(max_length=24, choices=OfficeLevel.choices, blank=True)
    office = models.ForeignKey(Office, null=True, blank=True, on_delete=models.SET_NULL, related_name="recruits")
    party = models.CharField(max_length=40, blank=True, help_text="The party label they file under, if any")
    source = models.CharField(max_length=10, choices=RecruitSource.choices, default=RecruitSource.OUTREACH)
    training = models.ForeignKey(Training, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Filing makes the recruit a candidacy in the power map; results imported there land here.
    candidacy = models.OneToOneField(
        Candidacy, null=True, blank=True, on_delete=models.SET_NULL, related_name="recruit"
    )
    stage_changed_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("next_step_due", "-stage_changed_at", "id")
        indexes = (models.Index(fields=("chapter", "stage"), name="recruit_chapter_stage"),)

    def __str__(self) -> str:
        return f"{self.person} ({self.get_stage_display()})"

    def get_absolute_url(self) -> str:
        return reverse("recruitment:detail", args=[self.pk])


class RecruitStageChange(models.Model):
    """One move of a recruit from a stage to another: the funnel over time is read from these."""

    recruit = models.ForeignKey(Recruit, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=12, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=12, choices=Stage.choices)
    changed_at = models.DateTimeField(db_index=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ("-changed_at", "-id")

    def __str__(self) -> str:
        return f"{self.from_stage or 'new'} → {self.to_stage}"


class TrainingAttendance(models.Model):
    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="trainings_attended")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("person__sort_name",)
        constraints = (models.UniqueConstraint(fields=("training", "person"), name="training_attendance_unique"),)

    def __str__(self) -> str:
        return f"{self.person} at {self.training}"

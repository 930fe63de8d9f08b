"""Party reorganization drives: one state party's reorganization, its rules as data, and the seats in play."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from groundswell.elections.models import Election, Office


class ReorganizationDrive(models.Model):
    """A push to fill a state party's committee seats and leadership at its reorganization."""

    name = models.CharField(max_length=200)
    state = models.CharField(max_length=2, db_index=True)
    party = models.CharField(max_length=40, default="Democratic")
    # The election (kind "reorganization", or the primary that elects committee members) whose races
    # hold the drive's seats; candidacies of recruits who file are made in it.
    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="reorganization_drives")
    filing_opens = models.DateField(null=True, blank=True)
    filing_deadline = models.DateField(null=True, blank=True)
    reorganization_date = models.DateField(null=True, blank=True, help_text="When the new committees meet")
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-election__date", "state")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("reorg:detail", args=[self.pk])


class DriveDate(models.Model):
    """A date that matters to the drive: petitions available, a county's filing deadline, a convention."""

    drive = models.ForeignKey(ReorganizationDrive, on_delete=models.CASCADE, related_name="dates")
    label = models.CharField(max_length=200)
    on = models.DateField()
    county = models.CharField(max_length=80, blank=True, help_text="Blank: statewide")
    is_deadline = models.BooleanField(default=False)

    class Meta:
        ordering = ("on", "county", "label")

    def __str__(self) -> str:
        return f"{self.on}: {self.label}"


class SelectionMethod(models.TextChoices):
    ELECTED = "elected", "Elected on the primary ballot"
    CAUCUS = "caucus", "Elected at a caucus or meeting"
    APPOINTED = "appointed", "Appointed by the county chair"


class ReorgRule(models.Model):
    """How a state's (or one county's) party fills precinct committee seats. A county rule overrides
    the statewide one (county blank): party rules really do differ by county in many states."""

    drive = models.ForeignKey(ReorganizationDrive, on_delete=models.CASCADE, related_name="rules")
    county = models.CharField(max_length=80, blank=True, help_text="Blank: the statewide rule")
    seats_per_precinct = models.PositiveSmallIntegerField(default=2)
    selection = models.CharField(max_length=10, choices=SelectionMethod.choices, default=SelectionMethod.ELECTED)
    eligibility = models.TextField(
        blank=True, help_text="Who may hold a seat, e.g. a registered party voter in the precinct"
    )
    signatures_required = models.PositiveIntegerField(default=0)
    source_url = models.URLField(max_length=300, blank=True)

    class Meta:
        ordering = ("county",)
        constraints = (models.UniqueConstraint(fields=("drive", "county"), name="reorg_rule_unique"),)

    def __str__(self) -> str:
        return f"{self.county or 'Statewide'}: {self.seats_per_precinct} seats, {self.get_selection_display()}"


class Tier(models.TextChoices):
    PRECINCT = "precinct", "Precinct committee"
    COUNTY = "county", "County committee officer"
    STATE_COMMITTEE = "state_committee", "State committee member"
    STATE_CHAIR = "state_chair", "State chair"
    VICE_CHAIR = "vice_chair", "State vice chair"
    NATIONAL_COMMITTEE = "national_committee", "National committee member"


# Leadership tiers: winning one of these is a "leader elected" in the drive's progress.
LEADERSHIP_TIERS = (Tier.COUNTY, Tier.STATE_CHAIR, Tier.VICE_CHAIR, Tier.NATIONAL_COMMITTEE)


class DriveOffice(models.Model):
    """A party office in play in the drive (a precinct committee's seats, the state chair ...)."""

    drive = models.ForeignKey(ReorganizationDrive, on_delete=models.CASCADE, related_name="drive_offices")
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    tier = models.CharField(max_length=20, choices=Tier.choices)
    county = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ("tier", "county", "office__name")
        constraints = (models.UniqueConstraint(fields=("drive", "office"), name="drive_office_unique"),)
        indexes = (models.Index(fields=("drive", "tier", "county"), name="drive_office_tier"),)

    def __str__(self) -> str:
        return f"{self.office} ({self.get_tier_display()})"

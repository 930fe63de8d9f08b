"""Turnout: ballots returned during an election (from the state's early-vote and absentee files), and
what a field program cost, for the lift report's cost per net vote.

Who voted after the election comes from the voter file's history (groundswell.voterfile), not from
here; contacts, control groups and campaigns are the field app's.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from groundswell.core.models import Job


class BallotLayout(models.TextChoices):
    NC_ABSENTEE = "nc_absentee", "North Carolina absentee and early-vote file (absentee_<date>.csv)"
    GENERIC = "generic", "Any CSV, with its columns chosen"


class BallotImportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Importing"
    IMPORTED = "imported", "Imported"
    FAILED = "failed", "Failed: nothing imported"


class ReturnMethod(models.TextChoices):
    MAIL = "mail", "By mail"
    EARLY = "early", "Early in person"
    ELECTION_DAY = "election_day", "On election day"
    OTHER = "other", "Other"


class BallotImport(models.Model):
    """One file of ballot returns and what importing it did: the provenance of every BallotReturn."""

    state = models.CharField(max_length=2, db_index=True)
    layout = models.CharField(max_length=16, choices=BallotLayout.choices)
    # Generic layout: which column holds what (see ballots.GenericMapping); empty for NC's layout.
    mapping = models.JSONField(default=dict, blank=True)
    file_name = models.CharField(max_length=255)
    stored_path = models.CharField(max_length=500, help_text="The upload, under DATA_DIR/uploads/ballots")
    sha256 = models.CharField(max_length=64, db_index=True)
    size_bytes = models.PositiveBigIntegerField(default=0)
    file_date = models.DateField(help_text="The date the file describes; a newer file's rows replace an older one's")
    status = models.CharField(max_length=16, choices=BallotImportStatus.choices, default=BallotImportStatus.QUEUED)
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    rows_read = models.PositiveIntegerField(default=0)
    voters = models.PositiveIntegerField(default=0, help_text="Distinct voters in the file")
    inserted = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    older = models.PositiveIntegerField(default=0, help_text="Rows kept as they were: a newer file already said more")
    error_count = models.PositiveIntegerField(default=0)
    # The first errors, each {"row", "column", "message"}; error_count says how many there were.
    errors = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"{self.state} {self.file_name} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("turnout:ballot-import", args=[self.pk])


class BallotReturn(models.Model):
    """The latest word on one voter's ballot in the current election: requested, returned, accepted.

    One row per (state, voter_id); an import replaces it when its file is at least as new as the file
    that wrote it and says something different."""

    state = models.CharField(max_length=2)
    voter_id = models.CharField(max_length=32)
    method = models.CharField(max_length=16, choices=ReturnMethod.choices)
    requested_on = models.DateField(null=True, blank=True)
    returned_on = models.DateField(null=True, blank=True, db_index=True)
    status = models.CharField(max_length=40, blank=True, help_text="As the file spells it (ACCEPTED, SPOILED, ...)")
    accepted = models.BooleanField(help_text="The ballot was returned and accepted: this voter has voted")
    county = models.CharField(max_length=60, blank=True)
    precinct = models.CharField(max_length=80, blank=True)
    file_date = models.DateField(help_text="The date of the file this row came from")
    batch = models.ForeignKey(BallotImport, on_delete=models.PROTECT, related_name="returns")

    class Meta:
        ordering = ("state", "voter_id")
        constraints = (models.UniqueConstraint(fields=("state", "voter_id"), name="ballot_return_one_per_voter"),)
        indexes = (models.Index(fields=("state", "accepted", "returned_on"), name="ballot_return_accepted_day"),)

    def __str__(self) -> str:
        return f"{self.state} {self.voter_id} {self.status or 'requested'}"


class ProgramCost(models.Model):
    """What a field campaign's volunteer hour is worth, and money spent on it: the lift report's cost."""

    campaign = models.OneToOneField("field.Campaign", on_delete=models.CASCADE, related_name="program_cost")
    hourly_value = models.DecimalField(
        max_digits=8, decimal_places=2, default=0, help_text="What one volunteer hour is valued at, in dollars"
    )
    money_spent = models.DecimalField(max_digits=12, decimal_places=2, default=0, help_text="Dollars spent")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Cost of {self.campaign_id}"


class VolunteerHours(models.Model):
    """Hours a volunteer gave to a campaign on one day (a shift, or the time spent on an assignment)."""

    campaign = models.ForeignKey("field.Campaign", on_delete=models.CASCADE, related_name="volunteer_hours")
    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assignment = models.ForeignKey(
        "field.Assignment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    worked_on = models.DateField()
    hours = models.DecimalField(max_digits=6, decimal_places=2)
    note = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-worked_on", "-id")
        verbose_name_plural = "volunteer hours"
        constraints = (models.CheckConstraint(condition=models.Q(hours__gt=0), name="volunteer_hours_positive"),)

    def __str__(self) -> str:
        return f"{self.hours} h on {self.worked_on}"

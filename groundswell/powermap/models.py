"""The power map's own facts: who draws each state's lines, and each district's computed lean."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from groundswell.elections.models import Race
from groundswell.geo.models import Division


class PlanKind(models.TextChoices):
    LEGISLATIVE = "legislative", "State legislative districts"
    CONGRESSIONAL = "congressional", "Congressional districts"


class DrawingBody(models.TextChoices):
    LEGISLATURE = "legislature", "Legislature (governor may veto)"
    LEGISLATURE_NO_VETO = "legislature_no_veto", "Legislature (no veto)"
    POLITICIAN_COMMISSION = "politician_commission", "Politician commission"
    INDEPENDENT_COMMISSION = "independent_commission", "Independent commission"
    ADVISORY_COMMISSION = "advisory_commission", "Legislature with an advisory commission"
    BACKUP_COMMISSION = "backup_commission", "Legislature, commission if it fails"
    AT_LARGE = "at_large", "No districts (at-large)"


class RedistrictingAuthority(models.Model):
    """Which body draws a state's districts of one kind: public fact, edited by national staff, with its source."""

    state = models.CharField(max_length=2)
    plan = models.CharField(max_length=16, choices=PlanKind.choices)
    body = models.CharField(max_length=32, choices=DrawingBody.choices)
    notes = models.TextField(blank=True)
    source_url = models.URLField(max_length=300)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("state", "plan")
        verbose_name_plural = "redistricting authorities"
        constraints = (models.UniqueConstraint(fields=("state", "plan"), name="redistricting_state_plan"),)

    def __str__(self) -> str:
        return f"{self.state} {self.get_plan_display()}: {self.get_body_display()}"


class DistrictLean(models.Model):
    """A district's partisan lean in a reference race, summed from its precincts' results.

    ``lean`` is the Democratic minus the Republican share of the two-party vote, in points:
    +12.5 means D+12.5. Stored, not computed per page view: pages stay fast."""

    district = models.ForeignKey(Division, on_delete=models.CASCADE, related_name="leans")
    race = models.ForeignKey(Race, on_delete=models.CASCADE, related_name="+")
    democratic_votes = models.PositiveIntegerField()
    republican_votes = models.PositiveIntegerField()
    total_votes = models.PositiveIntegerField()
    precincts = models.PositiveIntegerField()
    registered_voters = models.PositiveIntegerField(null=True, blank=True)
    ballots_cast = models.PositiveIntegerField(null=True, blank=True)
    lean = models.FloatField()
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("district__ocd_id",)
        constraints = (models.UniqueConstraint(fields=("district", "race"), name="district_lean_unique"),)

    def __str__(self) -> str:
        return f"{self.district}: {self.label}"

    @property
    def label(self) -> str:
        return lean_label(self.lean)

    @property
    def turnout(self) -> float | None:
        if not self.registered_voters or self.ballots_cast is None:
            return None
        return 100 * self.ballots_cast / self.registered_voters


def lean_label(points: float | None) -> str:
    if points is None:
        return "—"
    if abs(points) < 0.05:
        return "Even"
    return f"{'D' if points > 0 else 'R'}+{abs(points):.1f}"


class ReferenceRace(models.Model):
    """The race a state's district leans are read from (e.g. its 2016 presidential vote)."""

    state = models.CharField(max_length=2, unique=True)
    race = models.ForeignKey(Race, on_delete=models.CASCADE, related_name="+")
    chosen_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("state",)

    def __str__(self) -> str:
        return f"{self.state}: {self.race}"

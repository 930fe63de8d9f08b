"""Political geography keyed by Open Civic Data division ids, and which precinct lies in which district."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class DivisionKind(models.TextChoices):
    COUNTRY = "country", "Country"
    STATE = "state", "State"
    COUNTY = "county", "County"
    PLACE = "place", "City or town"
    STATE_HOUSE = "sldl", "State house district"
    STATE_SENATE = "sldu", "State senate district"
    CONGRESSIONAL = "cd", "Congressional district"
    PRECINCT = "precinct", "Precinct"
    WARD = "ward", "Ward"
    SCHOOL_DISTRICT = "school_district", "School district"
    PARTY_UNIT = "party_unit", "Party unit"
    OTHER = "other", "Other"


# Kinds whose lines are redrawn after each census; their precinct assignments carry the plan's dates.
DISTRICT_KINDS = (DivisionKind.STATE_HOUSE, DivisionKind.STATE_SENATE, DivisionKind.CONGRESSIONAL)


class Division(models.Model):
    """A place or district with an Open Civic Data id, e.g. ``ocd-division/country:us/state:ri/sldl:35``."""

    ocd_id = models.CharField(max_length=255, unique=True)
    kind = models.CharField(max_length=16, choices=DivisionKind.choices, db_index=True)
    name = models.CharField(max_length=200)
    state = models.CharField(max_length=2, blank=True, db_index=True, help_text="US state code; blank abroad")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True, help_text="Last day these lines were in force")
    # GeoJSON geometry (lon/lat, WGS84/NAD83) for precincts and districts; blank when not imported.
    geometry = models.TextField(blank=True)
    # Public facts about the division, e.g. registered voters and ballots cast by year for a precinct.
    facts = models.JSONField(default=dict, blank=True)
    source = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ("ocd_id",)
        indexes = (models.Index(fields=("state", "kind"), name="division_state_kind"),)
        constraints = (
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="division_valid_range",
            ),
        )

    def __str__(self) -> str:
        return self.name

    @property
    def short_code(self) -> str:
        """The last part of the OCD id: ``sldl:35`` -> ``35``."""
        return self.ocd_id.rsplit(":", 1)[-1]


class PrecinctDistrict(models.Model):
    """A precinct lies in a district under one districting plan (the plan's dates bound the assignment)."""

    precinct = models.ForeignKey(Division, on_delete=models.CASCADE, related_name="district_links")
    district = models.ForeignKey(Division, on_delete=models.CASCADE, related_name="precinct_links")
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ("district", "precinct")
        constraints = (models.UniqueConstraint(fields=("precinct", "district"), name="precinct_district_unique"),)

    def __str__(self) -> str:
        return f"{self.precinct} in {self.district}"

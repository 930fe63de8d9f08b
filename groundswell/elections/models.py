"""Offices, elections, races, candidacies, results and terms, the Open Civic Data way: an office exists
whoever holds it and belongs to a division; terms and candidacies carry dates and their source."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from groundswell.elections.parties import normalize_party, party_family
from groundswell.geo.models import Division


class OfficeLevel(models.TextChoices):
    FEDERAL = "federal", "Federal"
    STATE_EXECUTIVE = "state_executive", "State executive"
    STATE_LEGISLATURE = "state_legislature", "State legislature"
    COUNTY = "county", "County"
    MUNICIPAL = "municipal", "Municipal"
    SCHOOL_BOARD = "school_board", "School board"
    JUDICIAL = "judicial", "Judicial"
    PARTY = "party", "Party office"
    BALLOT_MEASURE = "ballot_measure", "Ballot question"


class Chamber(models.TextChoices):
    NONE = "", "—"
    LOWER = "lower", "House"
    UPPER = "upper", "Senate"
    UNICAMERAL = "legislature", "Legislature"


class Office(models.Model):
    """A seat (or a set of equal seats) that exists whoever holds it, e.g. RI House District 35.

    ``role`` says which office of the division it is: 'lower', 'upper', 'president', 'us_house',
    'governor', 'district_attorney', 'precinct_committee', 'state_committee' ..."""

    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="offices")
    role = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    level = models.CharField(max_length=24, choices=OfficeLevel.choices)
    chamber = models.CharField(max_length=16, choices=Chamber.choices, blank=True, default="")
    seats = models.PositiveSmallIntegerField(default=1)
    term_years = models.PositiveSmallIntegerField(null=True, blank=True)
    partisan = models.BooleanField(default=True)
    source = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ("division__ocd_id", "role")
        constraints = (models.UniqueConstraint(fields=("division", "role"), name="office_unique_role"),)

    def __str__(self) -> str:
        return self.name

    @property
    def is_party_office(self) -> bool:
        return self.level == OfficeLevel.PARTY


class ElectionKind(models.TextChoices):
    PRIMARY = "primary", "Primary"
    GENERAL = "general", "General"
    SPECIAL = "special", "Special"
    RUNOFF = "runoff", "Runoff"
    CAUCUS = "caucus", "Caucus"
    PARTY_REORGANIZATION = "reorganization", "Party reorganization"


class Election(models.Model):
    """One election day in one jurisdiction (a state, usually)."""

    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="elections")
    date = models.DateField()
    kind = models.CharField(max_length=16, choices=ElectionKind.choices)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ("-date", "division__ocd_id")
        constraints = (models.UniqueConstraint(fields=("division", "date", "kind"), name="election_unique"),)

    def __str__(self) -> str:
        return self.name


class Race(models.Model):
    """An office on the ballot in an election (a party's primary for it is its own race)."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="races")
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="races")
    party = models.CharField(max_length=40, blank=True, help_text="For a primary: the party's race")
    seats = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ("-election__date", "office__name")
        constraints = (models.UniqueConstraint(fields=("election", "office", "party"), name="race_unique"),)

    def __str__(self) -> str:
        return f"{self.office} — {self.election}"


class Outcome(models.TextChoices):
    PENDING = "pending", "Pending"
    WON = "won", "Won"
    LOST = "lost", "Lost"


class Candidacy(models.Model):
    """A candidate (or a ballot choice, or the write-ins together) in a race, with the votes counted."""

    race = models.ForeignKey(Race, on_delete=models.CASCADE, related_name="candidacies")
    name = models.CharField(max_length=200)
    party = models.CharField(max_length=40, blank=True, help_text="Normalized: 'DEMOCRATIC' -> 'Democratic'")
    party_as_written = models.CharField(
        max_length=80, blank=True, help_text="The party as the source spelled it ('LIBERTARIN'), each spelling once"
    )
    ocd_person_id = models.CharField(max_length=80, blank=True)
    votes = models.PositiveIntegerField(null=True, blank=True, help_text="Sum of the precinct results")
    outcome = models.CharField(max_length=8, choices=Outcome.choices, default=Outcome.PENDING)
    is_write_in = models.BooleanField(default=False)

    class Meta:
        ordering = ("race", "-votes", "name")
        verbose_name_plural = "candidacies"
        constraints = (models.UniqueConstraint(fields=("race", "name", "party"), name="candidacy_unique"),)

    def __str__(self) -> str:
        return f"{self.name} ({self.party})" if self.party else self.name

    @property
    def party_written_differently(self) -> bool:
        """Whether the source spelled the party otherwise than it is shown (pages show both); a
        spelling that differs only in case ("DEMOCRATIC") is the same word and not shown twice."""
        return bool(self.party_as_written) and self.party_as_written.casefold() != self.party.casefold()


class PrecinctResult(models.Model):
    """The votes one candidacy got in one precinct; ``votes_by_mode`` keeps election-day, absentee,
    provisional ... columns when the source has them (they sum to ``votes``)."""

    candidacy = models.ForeignKey(Candidacy, on_delete=models.CASCADE, related_name="precinct_results")
    # Denormalised from the candidacy: lean sums one race's results by precinct without a join.
    race = models.ForeignKey(Race, on_delete=models.CASCADE, related_name="precinct_results")
    precinct = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="precinct_results")
    votes = models.PositiveIntegerField()
    votes_by_mode = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = (models.UniqueConstraint(fields=("candidacy", "precinct"), name="precinct_result_unique"),)
        indexes = (models.Index(fields=("race", "precinct"), name="result_race_precinct"),)

    def __str__(self) -> str:
        return f"{self.candidacy}: {self.votes} in {self.precinct}"


class Term(models.Model):
    """Who holds (or held) a seat of an office, from when to when."""

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="terms")
    holder_name = models.CharField(max_length=200)
    ocd_person_id = models.CharField(max_length=80, blank=True)
    party = models.CharField(max_length=80, blank=True, help_text="As the source wrote it")
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    source = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ("office", "-start_date")
        constraints = (
            models.UniqueConstraint(
                fields=("office", "ocd_person_id"),
                condition=Q(end_date__isnull=True) & ~Q(ocd_person_id=""),
                name="one_current_term_per_person",
            ),
        )

    def __str__(self) -> str:
        return f"{self.holder_name} — {self.office}"

    @property
    def party_name(self) -> str:
        """The party normalized for pages ('Democratic/Working Families'); ``party`` keeps the source's words."""
        return normalize_party(self.party)

    @property
    def party_family(self) -> str:
        return party_family(self.party)

"""The Django side of the voter file: imports, saved universes, frozen lists and links to people.

The voters themselves live in DuckDB (groundswell.voterfile, one store per state, see engine.py); these
tables hold what organizers make from them and the provenance of every import.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from groundswell.chapters.models import Chapter
from groundswell.core.models import Job
from groundswell.people.models import Person


class Layout(models.TextChoices):
    """The file layouts the engine reads (the engine's own names are the values)."""

    NCVOTER = "ncvoter", "North Carolina voter registration (ncvoter)"
    NCVHIS = "ncvhis", "North Carolina voter history (ncvhis)"
    OHIO = "ohio_swvf", "Ohio statewide voter file (SWVF)"
    MAPPED = "mapped", "Any CSV, through a saved column mapping"


LAYOUT_STATES = {Layout.NCVOTER: "NC", Layout.NCVHIS: "NC", Layout.OHIO: "OH"}


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Importing"
    IMPORTED = "imported", "Imported"
    REFUSED = "refused", "Refused (too many bad rows)"
    HELD = "held", "Waiting for confirmation"
    FAILED = "failed", "Failed"


class ColumnMappingRecord(models.Model):
    """A saved column mapping for files of one source (the engine's ColumnMapping, as a dict)."""

    name = models.CharField(max_length=120)
    state = models.CharField(max_length=2)
    mapping = models.JSONField(help_text="groundswell.voterfile.importing.ColumnMapping.to_dict()")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("state", "name")
        constraints = (models.UniqueConstraint(fields=("state", "name"), name="voter_mapping_unique_name"),)

    def __str__(self) -> str:
        return f"{self.name} ({self.state})"


class VoterImport(models.Model):
    """One uploaded voter file and what became of it: the job, and a mirror of the engine's batch."""

    state = models.CharField(max_length=2, db_index=True)
    layout = models.CharField(max_length=16, choices=Layout.choices)
    mapping = models.JSONField(null=True, blank=True, help_text="The column mapping used (mapped layout)")
    file_name = models.CharField(max_length=255)
    stored_path = models.CharField(max_length=500, help_text="The upload, under DATA_DIR/uploads")
    file_bytes = models.BigIntegerField(default=0)
    status = models.CharField(max_length=16, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # provenance, copied from the engine's import_batches row
    batch_id = models.PositiveIntegerField(null=True, blank=True)
    generation = models.PositiveIntegerField(null=True, blank=True)
    source_name = models.CharField(max_length=300, blank=True, help_text="File name as read (zip!member)")
    checksum = models.CharField(max_length=80, blank=True, help_text='"blake3:<hex>" of the file as received')
    encoding = models.CharField(max_length=16, blank=True)
    rows_read = models.BigIntegerField(default=0)
    inserted = models.BigIntegerField(default=0)
    updated = models.BigIntegerField(default=0)
    removed = models.BigIntegerField(default=0)
    unchanged = models.BigIntegerField(default=0)
    rejected = models.BigIntegerField(default=0)
    # The first rejects (the engine returns up to 1,000; every one is kept in its import_rejects table).
    rejects = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    linked = models.JSONField(default=dict, blank=True, help_text="Voter-person matching after the import")
    # Set when someone confirmed a file the destructive-change guard held: the next run applies it.
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"{self.state} {self.layout} {self.file_name} ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("voters:import", args=[self.pk])


class SavedUniverse(models.Model):
    """A named targeting query. ``definition`` is Universe.to_dict() — validated data, never SQL."""

    name = models.CharField(max_length=120)
    state = models.CharField(max_length=2, db_index=True)
    chapter = models.ForeignKey(
        Chapter, null=True, blank=True, on_delete=models.CASCADE, related_name="voter_universes",
        help_text="The chapter whose area the universe is cut to; blank for a whole state (staff, coordinators)",
    )  # fmt: skip
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    definition = models.JSONField(help_text="groundswell.voterfile.targeting.Universe.to_dict()")
    # Voters linked to people with any of these tags (empty: no such filter), and voters linked to people
    # with any of exclude_tags left out. Tag names; checked against the tags that exist when saved.
    tags = models.JSONField(default=list, blank=True)
    exclude_tags = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-updated_at", "-id")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("voters:universe", args=[self.pk])


class VoterList(models.Model):
    """A frozen snapshot of a universe: exactly who was in it, what it was and when."""

    name = models.CharField(max_length=160)
    state = models.CharField(max_length=2, db_index=True)
    chapter = models.ForeignKey(Chapter, null=True, blank=True, on_delete=models.CASCADE, related_name="voter_lists")
    universe = models.ForeignKey(SavedUniverse, null=True, blank=True, on_delete=models.SET_NULL, related_name="lists")
    definition = models.JSONField(help_text="The universe as run, area cut included")
    frozen_at = models.DateTimeField()
    voter_count = models.PositiveIntegerField()
    generation = models.CharField(max_length=200, blank=True, help_text="The voter database generation read")
    path = models.CharField(max_length=500, help_text="The engine's list file (Parquet of voter ids)")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ("-frozen_at", "-id")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("voters:list", args=[self.pk])


class LinkStatus(models.TextChoices):
    AUTO = "auto", "Linked automatically"
    REVIEW = "review", "Waiting for review"
    CONFIRMED = "confirmed", "Confirmed"
    REJECTED = "rejected", "Rejected"


class VoterPersonLink(models.Model):
    """A person we know matched to a voter-file record, with how sure we are and why.

    A rejected pair is kept, so matching again never proposes it again."""

    state = models.CharField(max_length=2)
    voter_id = models.CharField(max_length=32)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="voter_links")
    confidence = models.PositiveSmallIntegerField(help_text="0-100")
    status = models.CharField(max_length=12, choices=LinkStatus.choices)
    reasons = models.JSONField(default=list, blank=True)
    voter_summary = models.JSONField(default=dict, blank=True, help_text="Name, address, birth year as matched")
    created_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-confidence", "id")
        constraints = (models.UniqueConstraint(fields=("state", "voter_id", "person"), name="voter_link_unique_pair"),)
        indexes = (models.Index(fields=("status", "state"), name="voter_link_queue"),)

    def __str__(self) -> str:
        return f"{self.person} ~ {self.state} {self.voter_id} ({self.confidence})"

    @property
    def is_open(self) -> bool:
        return self.status == LinkStatus.REVIEW


def linked_statuses() -> Q:
    return Q(status__in=(LinkStatus.AUTO, LinkStatus.CONFIRMED))

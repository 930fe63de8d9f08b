"""People: one record per human, with their addresses, memberships, consent and timeline."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from groundswell.chapters.models import Chapter


class PersonQuerySet(models.QuerySet["Person"]):
    def live(self) -> PersonQuerySet:
        """People who have not been merged into someone else."""
        return self.filter(merged_into__isnull=True)


class Person(models.Model):
    """A human the movement knows: member, supporter, volunteer, recruit or candidate."""

    first_name = models.CharField(max_length=80, blank=True)
    middle_name = models.CharField(max_length=80, blank=True)
    last_name = models.CharField(max_length=80, blank=True)
    suffix = models.CharField(max_length=16, blank=True)
    # Lower-cased "last first" kept for prefix search with an index (LIKE 'abc%').
    sort_name = models.CharField(max_length=170, blank=True, db_index=True, editable=False)
    address_line1 = models.CharField(max_length=150, blank=True)
    address_line2 = models.CharField(max_length=150, blank=True)
    city = models.CharField(max_length=80, blank=True)
    state = models.CharField(max_length=2, blank=True, db_index=True)
    zip_code = models.CharField(max_length=10, blank=True, db_index=True)
    country = models.CharField(max_length=2, default="US")
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    source = models.CharField(max_length=120, blank=True, help_text="How this person first came in")
    notes = models.TextField(blank=True)
    # Current consent, kept in step with the latest ConsentEvent by the consent action so that
    # lists can filter on it without reading the whole consent history.
    email_opt_in = models.BooleanField(default=False)
    sms_opt_in = models.BooleanField(default=False)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_from")
    tags: models.ManyToManyField[Tag, PersonTag] = models.ManyToManyField(
        "Tag", through="PersonTag", related_name="people"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ("sort_name", "id")
        verbose_name_plural = "people"
        indexes = (
            # The people list: live people in name order, first page straight off the index, no sort.
            models.Index(fields=("sort_name", "id"), condition=Q(merged_into__isnull=True), name="person_live_by_name"),
        )

    def __str__(self) -> str:
        return self.full_name or f"Person {self.pk}"

    def save(self, *args: object, **kwargs: object) -> None:
        self.sort_name = sort_name_for(self.first_name, self.last_name)
        super().save(*args, **kwargs)  # type: ignore[arg-type]  # passes Model.save's own arguments through

    def get_absolute_url(self) -> str:
        return reverse("people:detail", args=[self.pk])

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.middle_name, self.last_name, self.suffix) if p)

    @property
    def address_text(self) -> str:
        street = ", ".join(p for p in (self.address_line1, self.address_line2) if p)
        place = " ".join(p for p in (self.city + ("," if self.city else ""), self.state, self.zip_code) if p)
        return ", ".join(p for p in (street, place.strip(" ,")) if p)


def sort_name_for(first_name: str, last_name: str) -> str:
    return f"{last_name} {first_name}".strip().lower()


class EmailAddress(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="emails")
    address = models.EmailField(unique=True, help_text="Stored lower-cased")
    is_primary = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-is_primary", "address")

    def __str__(self) -> str:
        return self.address


class PhoneKind(models.TextChoices):
    MOBILE = "mobile", "Mobile"
    HOME = "home", "Home"
    WORK = "work", "Work"
    OTHER = "other", "Other"


class PhoneNumber(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(max_length=20, unique=True, help_text="E.164, e.g. +14155550100")
    # The number's digits backwards, so that "ends with 5550100" is the index-friendly prefix
    # search "starts with 0010555" (LIKE 'x%' can use a b-tree; LIKE '%x' cannot).
    digits_reversed = models.CharField(max_length=20, blank=True, db_index=True, editable=False)
    kind = models.CharField(max_length=8, choices=PhoneKind.choices, default=PhoneKind.OTHER)
    is_primary = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-is_primary", "number")

    def __str__(self) -> str:
        return self.number

    def save(self, *args: object, **kwargs: object) -> None:
        self.digits_reversed = reversed_digits(self.number)
        super().save(*args, **kwargs)  # type: ignore[arg-type]  # passes Model.save's own arguments through


def reversed_digits(number: str) -> str:
    return "".join(ch for ch in reversed(number) if ch.isdigit())


class Tag(models.Model):
    name = models.CharField(max_length=60, unique=True)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class PersonTag(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="person_tags")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="person_tags")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = (models.UniqueConstraint(fields=("person", "tag"), name="person_tag_unique"),)

    def __str__(self) -> str:
        return f"{self.person_id}:{self.tag_id}"


class MembershipStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    LAPSED = "lapsed", "Lapsed"
    LEFT = "left", "Left"


class Membership(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    chapter = models.ForeignKey(Chapter, on_delete=models.CASCADE, related_name="memberships")
    status = models.CharField(max_length=8, choices=MembershipStatus.choices, default=MembershipStatus.ACTIVE)
    joined_on = models.DateField()
    source = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-joined_on",)
        constraints = (models.UniqueConstraint(fields=("person", "chapter"), name="membership_unique"),)
        indexes = (models.Index(fields=("chapter", "status"), name="membership_chapter_status"),)

    def __str__(self) -> str:
        return f"{self.person} in {self.chapter}"


class ConsentChannel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"


class ConsentEvent(models.Model):
    """Consent given or withdrawn, with when and how, kept forever."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consent_events")
    channel = models.CharField(max_length=8, choices=ConsentChannel.choices)
    granted = models.BooleanField()
    method = models.CharField(max_length=120, help_text="How: the join form, an import, a reply STOP ...")
    occurred_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("-occurred_at", "-id")

    def __str__(self) -> str:
        return f"{self.channel} {'granted' if self.granted else 'withdrawn'} ({self.method})"


class TimelineKind(models.TextChoices):
    CREATED = "created", "Added"
    SIGNED_UP = "signed_up", "Signed up"
    JOINED = "joined", "Joined a chapter"
    UPDATED = "updated", "Details updated"
    IMPORTED = "imported", "Imported"
    MERGED = "merged", "Merged"
    TAGGED = "tagged", "Tagged"
    CONSENT = "consent", "Consent"
    NOTE = "note", "Note"


class TimelineEntry(models.Model):
    """Something a person did or that happened to their record."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="timeline")
    kind = models.CharField(max_length=16, choices=TimelineKind.choices)
    occurred_at = models.DateTimeField(db_index=True)
    summary = models.CharField(max_length=300)
    chapter = models.ForeignKey(Chapter, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("-occurred_at", "-id")
        verbose_name_plural = "timeline entries"

    def __str__(self) -> str:
        return self.summary


class NotDuplicate(models.Model):
    """A pair a person looked at and said are two different humans; never proposed again."""

    first = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("first", "second"), name="not_duplicate_unique"),
            models.CheckConstraint(condition=Q(first__lt=models.F("second")), name="not_duplicate_ordered"),
        )

    def __str__(self) -> str:
        return f"{self.first_id} is not {self.second_id}"


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", "Uploaded"
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Imported"
    FAILED = "failed", "Failed"


class ImportBatch(models.Model):
    """One uploaded file of people and what importing it did: the provenance of every imported row."""

    file_name = models.CharField(max_length=255, help_text="The name the file had on the uploader's computer")
    stored_path = models.CharField(max_length=500, help_text="Where the upload is kept, under DATA_DIR/uploads")
    sha256 = models.CharField(max_length=64, db_index=True)
    size_bytes = models.PositiveBigIntegerField(default=0)
    encoding = models.CharField(max_length=16, blank=True)
    delimiter = models.CharField(max_length=1, blank=True)
    headers = models.JSONField(default=list)
    # One Person field name per column, aligned with headers (two columns may share a header).
    mapping = models.JSONField(default=list)
    chapter = models.ForeignKey(Chapter, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=16, choices=ImportStatus.choices, default=ImportStatus.UPLOADED)
    job = models.ForeignKey("core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The check of every row before the import ("preview"), run as a job of its own; its result is
    # kept here (counts, the first errors and rows) for the preview page. A new mapping clears it.
    preview_job = models.ForeignKey("core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    preview = models.JSONField(default=dict, blank=True)
    row_count = models.PositiveIntegerField(default=0)
    inserted = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    # The first errors (row, column, message); error_count says how many there were in all.
    errors = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name_plural = "import batches"

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"


class ColumnMapping(models.Model):
    """A column mapping someone chose, offered again for any file with the same headers."""

    headers_key = models.CharField(max_length=64, unique=True, help_text="sha256 of the normalized headers")
    headers = models.JSONField(default=list)
    mapping = models.JSONField(default=list)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return ", ".join(self.headers)[:100]


class DuplicateProposal(models.Model):
    """A pair the last refresh of proposals scored as probably one human (people/proposals.py).

    Stored for everyone at once; a reader sees the pairs whose two people are both in their scope.
    ``first_id < second_id``, as in NotDuplicate."""

    first = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField()
    reasons = models.JSONField(default=list, blank=True)
    doubts = models.JSONField(default=list, blank=True)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ("-score", "first_id", "second_id")
        constraints = (
            models.UniqueConstraint(fields=("first", "second"), name="duplicate_proposal_unique"),
            models.CheckConstraint(condition=Q(first__lt=models.F("second")), name="duplicate_proposal_ordered"),
        )
        # The duplicates page: best first, a page at a time, straight off the index.
        indexes = (models.Index(fields=("-score", "first", "second"), name="duplicate_proposal_best_first"),)

    def __str__(self) -> str:
        return f"{self.first_id} ~ {self.second_id} ({self.score})"

    @property
    def people(self) -> tuple[Person, Person]:
        return self.first, self.second

    @property
    def changed_since(self) -> bool:
        """One of the two was edited after this was scored; the next refresh rescores the pair."""
        return max(self.first.updated_at, self.second.updated_at) > self.computed_at


class DuplicateRefresh(models.Model):
    """One run of the proposals refresh. The next incremental run rescores only the people created
    or changed since the last finished run started."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    full = models.BooleanField(default=False, help_text="Everyone rescored, not only who changed")
    people_rescored = models.PositiveIntegerField(default=0)
    proposals = models.PositiveIntegerField(default=0, help_text="Stored proposals after the run")
    job = models.ForeignKey("core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ("-started_at", "-id")

    def __str__(self) -> str:
        return f"{'full' if self.full else 'incremental'} refresh at {self.started_at:%Y-%m-%d %H:%M}"

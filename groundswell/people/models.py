"""People: one record per human, and every fact about them with whose it is and how it came in.

A ``Person`` row is the human, deduplicated nationally; its name and address columns are national's
current view, changed only by national staff or by the person's own confirmation. Everything else
said about a person is a fact owned by national, a state or a chapter (``Fact``): an email, a
phone, the details given (``DetailFact``), a tag, a note, a consent event, a membership, a timeline
entry. A ``PersonView`` is one owner's current view of a person, folded from the facts that reach
it; the pages of anyone but national staff read only those (docs/privacy.md).
"""

from __future__ import annotations

import secrets
from typing import Protocol

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from groundswell.chapters.models import Chapter, Owner


def new_person_uid() -> str:
    """The id a person is shown by in links and the API: random, so that it says nothing about when
    the record was made (a low number would tell a chapter that an email it just sent was known)."""
    return secrets.token_hex(8)


class Via(models.TextChoices):
    """How a fact came in."""

    PUBLIC_FORM = "form", "public form"
    IMPORT = "import", "import"
    API = "api", "API"
    CANVASS = "canvass", "canvass"
    STAFF = "staff", "staff edit"
    PERSON = "person", "the person's own confirmation"
    EARLIER = "earlier", "recorded before provenance was kept"


class Fact(models.Model):
    """What every fact about a person records: whose it is, how and when it came in, and who wrote it."""

    owner = models.ForeignKey(Owner, on_delete=models.PROTECT, related_name="+")
    via = models.CharField(max_length=8, choices=Via.choices)
    source = models.CharField(max_length=200, blank=True, help_text="Which form, file, token or page")
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        abstract = True


class PersonQuerySet(models.QuerySet["Person"]):
    def live(self) -> PersonQuerySet:
        """People who have not been merged into someone else."""
        return self.filter(merged_into__isnull=True)


class Person(models.Model):
    """A human the movement knows: member, supporter, volunteer, recruit or candidate. The name,
    address, birth year and consent columns are national's view (see the module's docstring)."""

    uid = models.CharField(max_length=16, unique=True, default=new_person_uid, editable=False)
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
    # National's current consent (people/consent.py), kept in step with the events so that lists can
    # filter on it without reading the whole consent history.
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
            # The API pages people oldest first (created_at, id).
            models.Index(fields=("created_at", "id"), condition=Q(merged_into__isnull=True), name="person_live_by_age"),
        )

    def __str__(self) -> str:
        return self.full_name or f"Person {self.pk}"

    def save(self, *args: object, **kwargs: object) -> None:
        self.sort_name = sort_name_for(self.first_name, self.last_name)
        super().save(*args, **kwargs)  # type: ignore[arg-type]  # passes Model.save's own arguments through

    def get_absolute_url(self) -> str:
        return reverse("people:detail", args=[self.uid])

    @property
    def full_name(self) -> str:
        return full_name_of(self)

    @property
    def address_text(self) -> str:
        return address_text_of(self)


class _HasNameAndAddress(Protocol):
    first_name: str
    middle_name: str
    last_name: str
    suffix: str
    address_line1: str
    address_line2: str
    city: str
    state: str
    zip_code: str


def full_name_of(person: _HasNameAndAddress) -> str:
    return " ".join(p for p in (person.first_name, person.middle_name, person.last_name, person.suffix) if p)


def address_text_of(person: _HasNameAndAddress) -> str:
    street = ", ".join(p for p in (person.address_line1, person.address_line2) if p)
    place = " ".join(p for p in (person.city + ("," if person.city else ""), person.state, person.zip_code) if p)
    return ", ".join(p for p in (street, place.strip(" ,")) if p)


def sort_name_for(first_name: str, last_name: str) -> str:
    return f"{last_name} {first_name}".strip().lower()


class EmailAddress(Fact):
    """An address as one owner was given it. An address belongs to one person (email is what matches
    a write to someone already known), but each owner that was given it holds its own fact of it."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="emails")
    address = models.EmailField(db_index=True, help_text="Stored lower-cased")
    is_primary = models.BooleanField(default=False, help_text="The owner's first address for this person")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-is_primary", "address", "id")
        constraints = (models.UniqueConstraint(fields=("address", "owner"), name="email_once_per_owner"),)
        indexes = (models.Index(fields=("person", "owner"), name="email_person_owner"),)

    def __str__(self) -> str:
        return self.address


class PhoneKind(models.TextChoices):
    MOBILE = "mobile", "Mobile"
    HOME = "home", "Home"
    WORK = "work", "Work"
    OTHER = "other", "Other"


class PhoneNumber(Fact):
    """A number as one owner was given it for one person. A number may be several people's (a shared
    landline), so a phone never decides who a write is about."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(max_length=20, db_index=True, help_text="E.164, e.g. +14155550100")
    # The number's digits backwards, so that "ends with 5550100" is the index-friendly prefix
    # search "starts with 0010555" (LIKE 'x%' can use a b-tree; LIKE '%x' cannot).
    digits_reversed = models.CharField(max_length=20, blank=True, db_index=True, editable=False)
    kind = models.CharField(max_length=8, choices=PhoneKind.choices, default=PhoneKind.OTHER)
    is_primary = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-is_primary", "number", "id")
        constraints = (
            models.UniqueConstraint(fields=("person", "number", "owner"), name="phone_once_per_person_owner"),
        )
        indexes = (models.Index(fields=("person", "owner"), name="phone_person_owner"),)

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


class PersonTag(Fact):
    """A tag one owner put on a person. Tag names are shared; who tagged whom is the owner's."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="person_tags")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="person_tags")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = (models.UniqueConstraint(fields=("person", "tag", "owner"), name="person_tag_once_per_owner"),)
        indexes = (models.Index(fields=("tag", "owner"), name="person_tag_by_owner"),)

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
    # A membership is its chapter's fact; these say how it came in, as every fact does.
    via = models.CharField(max_length=8, choices=Via.choices, default=Via.EARLIER)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
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


class ConsentEvent(Fact):
    """Consent to one owner, on one channel, for one address or number, given or withdrawn, with
    when, how and in what words; kept forever. A grant reaches the owners above the one it was given
    to (a chapter's sign-up may be written to by national); a withdrawal binds only its own owner
    (people/consent.py). ``value`` is blank for events recorded before consent was kept per value."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consent_events")
    channel = models.CharField(max_length=8, choices=ConsentChannel.choices)
    value = models.CharField(max_length=254, blank=True, help_text="The address or number consented for")
    granted = models.BooleanField()
    method = models.CharField(max_length=120, help_text="How: the join form, an import, a reply STOP ...")
    wording = models.CharField(max_length=300, blank=True, help_text="The words the person agreed to")
    occurred_at = models.DateTimeField()
    # Given on a public form with an address someone already had: it counts only once the person
    # confirms through the link sent to that address (whoever typed it may not be its owner).
    pending = models.BooleanField(default=False)

    class Meta:
        ordering = ("-occurred_at", "-id")
        indexes = (models.Index(fields=("person", "owner"), name="consent_person_owner"),)

    def __str__(self) -> str:
        return f"{self.channel} {'granted' if self.granted else 'withdrawn'} ({self.method})"


DETAIL_FIELDS = (
    "first_name", "middle_name", "last_name", "suffix", "address_line1", "address_line2", "city", "state",
    "zip_code", "birth_year",
)  # fmt: skip


class Acceptance(models.TextChoices):
    """How details became national's view of a person."""

    CREATED = "created", "the first details given"
    STAFF = "staff", "accepted by national staff"
    PERSON = "person", "confirmed by the person"


class DetailFact(Fact):
    """Names, address and birth year as one owner was given them at one time. ``values`` holds only
    the fields given (a blank given on purpose, by an edit, clears the field)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="detail_facts")
    values = models.JSONField(default=dict)
    # The person's own choice, on the confirmation page, to show these to every chapter they are in.
    shared = models.BooleanField(default=False)
    accepted_at = models.DateTimeField(null=True, blank=True, help_text="When national took these values")
    accepted_how = models.CharField(max_length=8, choices=Acceptance.choices, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("-recorded_at", "-id")
        indexes = (models.Index(fields=("person", "owner"), name="detail_person_owner"),)

    def __str__(self) -> str:
        return f"{self.person_id}: {', '.join(self.values)}"


class PersonNote(Fact):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="person_notes")
    text = models.TextField()

    class Meta:
        ordering = ("-recorded_at", "-id")
        indexes = (models.Index(fields=("person", "owner"), name="note_person_owner"),)

    def __str__(self) -> str:
        return self.text[:60]


class PersonView(models.Model):
    """One owner's current view of a person: the latest value of each field among the facts that
    reach that owner, and its consent. Kept in step by every write (people/facts.py); rebuilt from
    the facts after a merge. A person is in a leader's or coordinator's sight exactly when their
    owner has a view of them."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="views")
    owner = models.ForeignKey(Owner, on_delete=models.CASCADE, related_name="+")
    first_name = models.CharField(max_length=80, blank=True)
    middle_name = models.CharField(max_length=80, blank=True)
    last_name = models.CharField(max_length=80, blank=True)
    suffix = models.CharField(max_length=16, blank=True)
    sort_name = models.CharField(max_length=170, blank=True, editable=False)
    address_line1 = models.CharField(max_length=150, blank=True)
    address_line2 = models.CharField(max_length=150, blank=True)
    city = models.CharField(max_length=80, blank=True)
    state = models.CharField(max_length=2, blank=True)
    zip_code = models.CharField(max_length=10, blank=True)
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    email_opt_in = models.BooleanField(default=False)
    sms_opt_in = models.BooleanField(default=False)
    created_at = models.DateTimeField(help_text="When this owner first heard of the person")
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ("owner_id", "sort_name", "person_id")
        constraints = (models.UniqueConstraint(fields=("person", "owner"), name="one_view_per_owner"),)
        # The people list of a leader or coordinator: one owner's views in name order, a page
        # straight off the index, as person_live_by_name is for national.
        indexes = (
            models.Index(fields=("owner", "sort_name", "person"), name="view_by_owner_name"),
            # The API pages an owner's people oldest first (created_at, person).
            models.Index(fields=("owner", "created_at", "person"), name="view_by_owner_age"),
        )

    def __str__(self) -> str:
        return f"{self.person_id} as {self.owner_id} sees them"


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
    # Whose the entry is: it is shown to the scopes that see its owner's facts.
    owner = models.ForeignKey(Owner, on_delete=models.PROTECT, related_name="+")
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
    # Whose the imported facts become: the chapter's, else the importer's state or national.
    owner = models.ForeignKey(Owner, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
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


class MergeRecord(models.Model):
    """One merge, with every row it moved, so that an unmerge can put each back where it came from."""

    survivor = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    # {"app.Model.field": [row ids moved from other to survivor]}
    moved = models.JSONField(default=dict)
    # The survivor's own values the merge changed, to restore: {"person": {...}, "memberships": {id: {...}}}
    changed = models.JSONField(default=dict)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    merged_at = models.DateTimeField()
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-merged_at", "-id")

    def __str__(self) -> str:
        return f"{self.other_id} into {self.survivor_id}"


class CustomField(Fact):
    """A named value one owner holds about a person (Action Network's ``custom_fields``). One row per
    person, owner and name, changed in place; a null value is the owner's "no value" (an API ``null``),
    so that it hides, in that owner's view, a value from an owner below it as a blank detail does."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="custom_fields")
    name = models.CharField(max_length=64)
    value = models.TextField(null=True, blank=True)  # noqa: DJ001  # null is "cleared", unlike a blank value

    class Meta:
        ordering = ("name", "recorded_at", "id")
        constraints = (models.UniqueConstraint(fields=("person", "owner", "name"), name="custom_field_once_per_owner"),)
        indexes = (models.Index(fields=("person", "owner"), name="custom_field_person_owner"),)

    def __str__(self) -> str:
        return f"{self.name}={self.value!r}"


class TagListing(Fact):
    """A tag an owner made for itself (the API's POST /tags), listed for it before anyone wears it."""

    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="listings")

    class Meta:
        constraints = (models.UniqueConstraint(fields=("tag", "owner"), name="tag_listed_once_per_owner"),)

    def __str__(self) -> str:
        return f"{self.tag_id} for {self.owner_id}"


class TombstoneKind(models.TextChoices):
    DELETED = "deleted", "Deleted"
    MERGED = "merged", "Merged"


class PersonTombstone(models.Model):
    """A person who left some owners' sight: deleted by them, or merged into someone else. Shown to the
    owners in ``owners`` (those that had a view of the person) and to national, so that a tool syncing
    from the API can drop or repoint its copy."""

    uid = models.CharField(max_length=16, db_index=True)
    kind = models.CharField(max_length=8, choices=TombstoneKind.choices)
    survivor_uid = models.CharField(max_length=16, blank=True)
    occurred_at = models.DateTimeField(db_index=True)
    owners = models.ManyToManyField(Owner, related_name="+")

    class Meta:
        ordering = ("occurred_at", "id")

    def __str__(self) -> str:
        return f"{self.uid} {self.kind}"

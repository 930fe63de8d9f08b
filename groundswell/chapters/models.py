"""Chapters, their areas, and the roles people hold in the organization."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from groundswell.chapters.geo import STATE_NAMES


class ChapterStatus(models.TextChoices):
    FORMING = "forming", "Forming"
    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"


class Chapter(models.Model):
    """A local group. Its area is a state (with counties, cities or ZIP codes), or a country abroad."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80, unique=True)
    status = models.CharField(max_length=16, choices=ChapterStatus.choices, default=ChapterStatus.FORMING)
    country = models.CharField(max_length=2, default="US", help_text="ISO 3166 country code")
    state = models.CharField(max_length=2, blank=True, db_index=True, help_text="US state code; blank abroad")
    description = models.TextField(blank=True)
    contact_email = models.EmailField(blank=True)
    founded_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("name",)
        constraints = (models.CheckConstraint(condition=~Q(country="US") | ~Q(state=""), name="us_chapter_has_state"),)

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("chapters:detail", args=[self.slug])

    @property
    def is_abroad(self) -> bool:
        return self.country != "US"

    @property
    def place_label(self) -> str:
        if self.is_abroad:
            return f"Abroad ({self.country})"
        return STATE_NAMES.get(self.state, self.state)


class AreaKind(models.TextChoices):
    COUNTY = "county", "County"
    CITY = "city", "City"
    ZIP = "zip", "ZIP code"


class ChapterArea(models.Model):
    """One piece of a chapter's area: a county, a city or a ZIP code inside its state."""

    chapter = models.ForeignKey(Chapter, on_delete=models.CASCADE, related_name="areas")
    kind = models.CharField(max_length=8, choices=AreaKind.choices)
    value = models.CharField(max_length=80, help_text="County or city name, or a five-digit ZIP code")

    class Meta:
        ordering = ("kind", "value")
        constraints = (models.UniqueConstraint(fields=("chapter", "kind", "value"), name="chapter_area_unique"),)
        indexes = (models.Index(fields=("kind", "value"), name="chapter_area_lookup"),)

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"


class Role(models.TextChoices):
    NATIONAL_STAFF = "national_staff", "National staff"
    STATE_COORDINATOR = "state_coordinator", "State coordinator"
    CHAPTER_LEADER = "chapter_leader", "Chapter leader"
    VOLUNTEER = "volunteer", "Volunteer"
    CANDIDATE = "candidate", "Candidate"
    PARTNER_LIAISON = "partner_liaison", "Partner liaison"


class RoleGrantQuerySet(models.QuerySet["RoleGrant"]):
    def active(self) -> RoleGrantQuerySet:
        return self.filter(revoked_at__isnull=True)


class RoleGrant(models.Model):
    """A role held by a user, scoped to a state, a chapter or a partner organization."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(max_length=24, choices=Role.choices)
    state = models.CharField(max_length=2, blank=True)
    chapter = models.ForeignKey(Chapter, null=True, blank=True, on_delete=models.CASCADE, related_name="role_grants")
    organization = models.CharField(max_length=120, blank=True, help_text="Partner organization, for liaisons")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = RoleGrantQuerySet.as_manager()

    class Meta:
        ordering = ("role", "state", "chapter__name")
        constraints = (
            models.CheckConstraint(condition=~Q(role="state_coordinator") | ~Q(state=""), name="coordinator_has_state"),
            models.CheckConstraint(
                condition=~Q(role__in=["chapter_leader", "volunteer"]) | Q(chapter__isnull=False),
                name="chapter_role_has_chapter",
            ),
            models.UniqueConstraint(
                fields=("user", "role", "state", "chapter"),
                condition=Q(revoked_at__isnull=True),
                name="one_active_grant",
            ),
        )

    def __str__(self) -> str:
        where = self.chapter.name if self.chapter else self.state or self.organization
        return f"{self.get_role_display()}{f' — {where}' if where else ''}"


class OwnerKind(models.TextChoices):
    NATIONAL = "national", "National"
    STATE = "state", "State"
    CHAPTER = "chapter", "Chapter"


class Owner(models.Model):
    """Whom a fact about a person belongs to: the national organization, a state (its coordinators'
    own work), or a chapter. Facts flow up — a chapter's to its state and to national — and never
    sideways to another chapter (docs/privacy.md)."""

    kind = models.CharField(max_length=8, choices=OwnerKind.choices)
    # A state owner's state; for a chapter, the chapter's own state (which never changes), so that a
    # coordinator's owners are one lookup on this column.
    state = models.CharField(max_length=2, blank=True, db_index=True)
    chapter = models.OneToOneField(Chapter, null=True, blank=True, on_delete=models.PROTECT, related_name="owner")

    class Meta:
        ordering = ("kind", "state", "chapter_id")
        constraints = (
            models.UniqueConstraint(fields=("kind",), condition=Q(kind="national"), name="one_national_owner"),
            models.UniqueConstraint(fields=("state",), condition=Q(kind="state"), name="one_owner_per_state"),
            models.CheckConstraint(
                condition=Q(kind="chapter", chapter__isnull=False) | Q(~Q(kind="chapter"), chapter__isnull=True),
                name="owner_chapter_iff_chapter_kind",
            ),
            models.CheckConstraint(condition=~Q(kind="state") | ~Q(state=""), name="state_owner_has_state"),
        )

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.kind == OwnerKind.CHAPTER and self.chapter is not None:
            return self.chapter.name
        if self.kind == OwnerKind.STATE:
            return f"{STATE_NAMES.get(self.state, self.state)} coordinators"
        return "Groundswell national"

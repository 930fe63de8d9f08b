"""Reads of chapters and roles, scoped to the acting user."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.shortcuts import get_object_or_404

from groundswell.chapters.access import AnyUser, scope_for
from groundswell.chapters.models import AreaKind, Chapter, ChapterStatus, Role, RoleGrant

# Membership lives in the people app, which depends on this one; chapters count members through the
# reverse relation by name and compare its status with the literal value of MembershipStatus.LEFT.
_CURRENT_MEMBER = ~Q(memberships__status="left") & Q(memberships__person__merged_into__isnull=True)


def public_chapters() -> QuerySet[Chapter]:
    """Chapters anyone may find and join."""
    return Chapter.objects.exclude(status=ChapterStatus.INACTIVE)


def get_public_chapter(slug: str) -> Chapter:
    return get_object_or_404(public_chapters(), slug=slug)


def chapters_managed_by(user: AnyUser) -> QuerySet[Chapter]:
    """Chapters whose members and business this user may see: staff all, coordinators their states,
    leaders their chapters, everyone else none."""
    scope = scope_for(user)
    if not scope.is_leader_or_above:
        return Chapter.objects.none()
    return Chapter.objects.filter(scope.chapters_q())


def get_managed_chapter(user: AnyUser, slug: str) -> Chapter:
    return get_object_or_404(chapters_managed_by(user), slug=slug)


def role_grants_visible_to(user: AnyUser) -> QuerySet[RoleGrant]:
    if not scope_for(user).can_manage_roles:
        return RoleGrant.objects.none()
    return RoleGrant.objects.select_related("user", "chapter", "granted_by")


def get_role_grant(user: AnyUser, grant_id: int) -> RoleGrant:
    return get_object_or_404(role_grants_visible_to(user), pk=grant_id)


def public_chapters_with_areas() -> QuerySet[Chapter]:
    return public_chapters().prefetch_related("areas").order_by("country", "state", "name")


def public_chapters_serving_zip(zip5: str) -> QuerySet[Chapter]:
    """Chapters whose area lists this five-digit ZIP code (the index on kind, value serves it)."""
    return public_chapters_with_areas().filter(areas__kind=AreaKind.ZIP, areas__value=zip5).distinct()


def public_chapters_in_state(state: str) -> QuerySet[Chapter]:
    return public_chapters_with_areas().filter(country="US", state=state.upper())


def public_chapter_states() -> list[str]:
    """State codes that have at least one public chapter, for the finder's select."""
    states = public_chapters().filter(country="US").order_by("state").values_list("state", flat=True).distinct()
    return list(states)


def chapters_with_member_counts(user: AnyUser) -> QuerySet[Chapter]:
    """The chapters the user manages, each with ``member_count`` (current members), most members first."""
    return (
        chapters_managed_by(user)
        .annotate(member_count=Count("memberships", filter=_CURRENT_MEMBER))
        .order_by("-member_count", "name")
    )


def chapter_leaders(user: AnyUser, chapter: Chapter) -> QuerySet[RoleGrant]:
    """The active leader grants of a chapter the user manages."""
    return (
        RoleGrant.objects.active()
        .filter(role=Role.CHAPTER_LEADER, chapter=chapter, chapter__in=chapters_managed_by(user))
        .select_related("user")
        .order_by("user__last_name", "user__email")
    )


def chapters_founded_by_month(user: AnyUser) -> dict[dt.date, int]:
    """How many of the user's chapters were founded in each month (founding date, else the day the
    record was made), in one grouped query."""
    rows = (
        chapters_managed_by(user)
        .annotate(month=TruncMonth(Coalesce("founded_on", TruncDate("created_at"))))
        .order_by()
        .values("month")
        .annotate(founded=Count("id"))
        .values_list("month", "founded")
    )
    return dict(rows)


def public_chapters_abroad() -> QuerySet[Chapter]:
    return public_chapters_with_areas().exclude(country="US")


def chapters_volunteered_for(user: AnyUser) -> QuerySet[Chapter]:
    """The chapters the user volunteers with (their own role, not a view of the chapter's business)."""
    return Chapter.objects.filter(pk__in=scope_for(user).volunteer_chapter_ids)

"""Reads of chapters and roles, scoped to the acting user."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from groundswell.chapters.access import AnyUser, scope_for
from groundswell.chapters.models import Chapter, ChapterStatus, RoleGrant


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

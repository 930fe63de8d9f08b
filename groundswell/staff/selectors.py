"""Reads for national staff: users with their roles, and the audit log.

Everything here is national staff's alone; for anyone else the pages answer 404, as if they did not exist.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from groundswell.chapters.access import AnyUser, Scope, scope_for
from groundswell.chapters.models import RoleGrant
from groundswell.chapters.selectors import role_grants_visible_to
from groundswell.core.models import AuditEntry, User


def require_staff(user: AnyUser) -> Scope:
    """The acting user's scope if they are national staff; otherwise the page does not exist for them."""
    scope = scope_for(user)
    if not scope.can_manage_roles:
        raise Http404("No such page.")
    return scope


def users_visible_to(user: AnyUser) -> QuerySet[User]:
    """Every user, each with ``active_grants`` (their current roles), for national staff; nobody otherwise."""
    if not scope_for(user).can_manage_roles:
        return User.objects.none()
    active = role_grants_visible_to(user).filter(revoked_at__isnull=True).order_by("role", "state", "chapter__name")
    return User.objects.prefetch_related(Prefetch("role_grants", queryset=active, to_attr="active_grants"))


def get_user(actor: AnyUser, user_id: int) -> User:
    return get_object_or_404(users_visible_to(actor), pk=user_id)


def search_users(users: QuerySet[User], query: str) -> QuerySet[User]:
    """Prefix match on email, first or last name."""
    text = query.strip().lower()
    if not text:
        return users
    return users.filter(Q(email__startswith=text) | Q(first_name__istartswith=text) | Q(last_name__istartswith=text))


def past_grants_of(actor: AnyUser, user: User) -> QuerySet[RoleGrant]:
    """The roles a user once held, newest revocation first."""
    return (
        role_grants_visible_to(actor)
        .filter(user=user, revoked_at__isnull=False)
        .select_related("revoked_by")
        .order_by("-revoked_at")
    )


def audit_entries_visible_to(user: AnyUser) -> QuerySet[AuditEntry]:
    if not scope_for(user).can_read_audit_log:
        return AuditEntry.objects.none()
    return AuditEntry.objects.select_related("actor")


@dataclass(frozen=True)
class AuditFilter:
    """What the audit log page was asked to show. Empty fields do not filter."""

    event_type: int | None = None
    actor: str = ""
    target_type: str = ""
    target_id: str = ""
    since: dt.date | None = None
    until: dt.date | None = None


def filter_audit_entries(entries: QuerySet[AuditEntry], wanted: AuditFilter) -> QuerySet[AuditEntry]:
    if wanted.event_type is not None:
        entries = entries.filter(event_type=wanted.event_type)
    if wanted.actor:
        entries = entries.filter(actor__email__startswith=wanted.actor.strip().lower())
    if wanted.target_type:
        entries = entries.filter(target_type=wanted.target_type)
    if wanted.target_id:
        entries = entries.filter(target_id=wanted.target_id.strip())
    # Dates are whole days in the site's time zone, both ends included.
    if wanted.since is not None:
        entries = entries.filter(created_at__gte=_start_of(wanted.since))
    if wanted.until is not None:
        entries = entries.filter(created_at__lt=_start_of(wanted.until + dt.timedelta(days=1)))
    return entries


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))

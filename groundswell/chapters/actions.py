"""Every change to chapters and roles."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from groundswell.chapters.access import forget_scope, scope_for
from groundswell.chapters.models import (
    AreaKind,
    Chapter,
    ChapterArea,
    ChapterStatus,
    Role,
    RoleGrant,
)
from groundswell.chapters.owners import chapter_owner
from groundswell.core.audit import record_audit
from groundswell.core.models import AuditEvent, User


def _unique_slug(name: str) -> str:
    base = slugify(name)[:70] or "chapter"
    slug, n = base, 2
    while Chapter.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def do_create_chapter(
    *,
    name: str,
    state: str = "",
    country: str = "US",
    status: str = ChapterStatus.FORMING,
    description: str = "",
    contact_email: str = "",
    areas: list[tuple[str, str]] | None = None,
    slug: str = "",
    actor: User | None,
) -> Chapter:
    if actor is not None and not scope_for(actor).national:
        raise PermissionDenied("Only national staff create chapters.")
    with transaction.atomic():
        chapter = Chapter(
            name=name,
            slug=slug or _unique_slug(name),
            state=state.upper(),
            country=country.upper(),
            status=status,
            description=description,
            contact_email=contact_email,
        )
        chapter.full_clean()
        chapter.save()
        chapter_owner(chapter)
        _set_areas(chapter, areas or [])
        record_audit(AuditEvent.CHAPTER_CREATED, actor=actor, target=chapter, summary=f"created {name}")
    return chapter


def _set_areas(chapter: Chapter, areas: list[tuple[str, str]]) -> None:
    chapter.areas.all().delete()
    rows = []
    for kind, value in areas:
        if kind not in AreaKind.values:
            raise ValidationError(f"Unknown area kind {kind!r}.")
        rows.append(ChapterArea(chapter=chapter, kind=kind, value=value.strip()))
    ChapterArea.objects.bulk_create(rows)


def do_update_chapter(
    chapter: Chapter,
    *,
    actor: User,
    areas: list[tuple[str, str]] | None = None,
    **fields: str,
) -> Chapter:
    if not scope_for(actor).manages_chapter(chapter):
        raise PermissionDenied("You do not manage this chapter.")
    allowed = {"name", "status", "description", "contact_email"}
    with transaction.atomic():
        changed = {}
        for name, value in fields.items():
            if name not in allowed:
                raise ValueError(f"{name} cannot be changed here")
            if getattr(chapter, name) != value:
                changed[name] = [getattr(chapter, name), value]
                setattr(chapter, name, value)
        chapter.full_clean()
        chapter.save()
        if areas is not None:
            _set_areas(chapter, areas)
            changed["areas"] = [f"{k}:{v}" for k, v in areas]
        record_audit(
            AuditEvent.CHAPTER_UPDATED,
            actor=actor,
            target=chapter,
            summary=f"updated {chapter.name}",
            details=changed,
        )
    return chapter


def do_grant_role(
    user: User,
    role: str,
    *,
    state: str = "",
    chapter: Chapter | None = None,
    organization: str = "",
    actor: User | None,
) -> RoleGrant:
    """Give a user a role. actor None is the command line run by an operator."""
    if actor is not None and not scope_for(actor).can_manage_roles:
        raise PermissionDenied("Only national staff grant roles.")
    if role == Role.STATE_COORDINATOR and not state and chapter is None:
        raise ValidationError("A state coordinator needs a state.")
    if role in {Role.CHAPTER_LEADER, Role.VOLUNTEER} and chapter is None:
        raise ValidationError("This role needs a chapter.")
    if role == Role.STATE_COORDINATOR and chapter is not None and not state:
        state = chapter.state
    with transaction.atomic():
        existing = RoleGrant.objects.active().filter(user=user, role=role, state=state, chapter=chapter).first()
        if existing:
            return existing
        grant = RoleGrant.objects.create(
            user=user,
            role=role,
            state=state,
            chapter=chapter,
            organization=organization,
            granted_by=actor,
        )
        record_audit(
            AuditEvent.ROLE_GRANTED,
            actor=actor,
            target=grant,
            summary=f"{user.email} is now {grant}",
            details={
                "user": user.email,
                "role": role,
                "state": state,
                "chapter": chapter.slug if chapter else "",
            },
        )
    forget_scope(user)
    return grant


def do_revoke_role(grant: RoleGrant, *, actor: User | None) -> RoleGrant:
    """End a role. A staffer's own national-staff role is ended by another staffer, and the last
    national staffer's never: someone must always be able to grant roles."""
    if actor is not None and not scope_for(actor).can_manage_roles:
        raise PermissionDenied("Only national staff revoke roles.")
    if grant.role == Role.NATIONAL_STAFF and grant.revoked_at is None:
        if actor is not None and grant.user_id == actor.pk:
            raise ValidationError("Another national staffer must end your national staff role.")
        others = RoleGrant.objects.active().filter(role=Role.NATIONAL_STAFF).exclude(user_id=grant.user_id)
        if not others.exists():
            raise ValidationError(
                f"{grant.user.email} is the last national staffer: grant the role to someone else first."
            )
    with transaction.atomic():
        if grant.revoked_at is None:
            grant.revoked_at = timezone.now()
            grant.revoked_by = actor
            grant.save(update_fields=["revoked_at", "revoked_by"])
            record_audit(
                AuditEvent.ROLE_REVOKED,
                actor=actor,
                target=grant,
                summary=f"{grant.user.email} is no longer {grant}",
                details={"user": grant.user.email, "role": grant.role},
            )
    forget_scope(grant.user)
    return grant

"""Writing the audit log. Every action calls record_audit inside its transaction."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import models

from groundswell.core.models import AuditEntry, AuditEvent, User


def record_audit(
    event: AuditEvent,
    *,
    actor: User | AnonymousUser | None,
    summary: str,
    target: models.Model | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    return AuditEntry.objects.create(
        event_type=event,
        actor=actor if isinstance(actor, User) else None,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        summary=summary[:300],
        details=details or {},
    )

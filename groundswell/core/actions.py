"""Changes to users."""

from __future__ import annotations

from django.db import transaction

from groundswell.core.audit import record_audit
from groundswell.core.models import AuditEvent, User


def do_create_user(*, email: str, password: str, first_name: str = "", last_name: str = "", actor: User | None) -> User:
    address = email.strip().lower()
    if User.objects.filter(email=address).exists():
        raise ValueError(f"A user with the email {address} already exists.")
    with transaction.atomic():
        user = User.objects.create_user(address, password, first_name=first_name, last_name=last_name)
        record_audit(AuditEvent.USER_CREATED, actor=actor, target=user, summary=f"created user {address}")
    return user

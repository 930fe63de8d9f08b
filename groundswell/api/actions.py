"""Making and revoking API tokens."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from groundswell.api.models import ApiToken, hash_token, new_raw_token
from groundswell.core.audit import record_audit
from groundswell.core.models import AuditEvent, User


def do_create_api_token(*, user: User, name: str, actor: User | None) -> tuple[ApiToken, str]:
    """Returns the token row and the raw token, which is never stored and cannot be shown again."""
    raw = new_raw_token()
    with transaction.atomic():
        token = ApiToken.objects.create(user=user, name=name, token_hash=hash_token(raw))
        record_audit(AuditEvent.API_TOKEN_CREATED, actor=actor, target=token, summary=f"API token {name} for {user}")
    return token, raw


def do_revoke_api_token(token: ApiToken, *, actor: User | None) -> None:
    with transaction.atomic():
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            record_audit(AuditEvent.API_TOKEN_REVOKED, actor=actor, target=token, summary=f"revoked API token {token}")

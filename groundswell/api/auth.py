"""Who an API request acts for: the owner of the OSDI-API-Token, or the signed-in user for reads."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils import timezone

from groundswell.api.models import ApiToken, hash_token
from groundswell.core.models import User

TOKEN_HEADER = "OSDI-API-Token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# last_used_at is a hint for people reviewing tokens; writing it on every call would be waste.
LAST_USED_RESOLUTION = timedelta(minutes=5)


def api_user(request: HttpRequest) -> User | AnonymousUser:
    raw = request.headers.get(TOKEN_HEADER, "").strip()
    if raw:
        token = (
            ApiToken.objects.select_related("user")
            .filter(token_hash=hash_token(raw), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if token is None:
            return AnonymousUser()
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user
    # A browser session may read; writing needs a token, so a forged cross-site form cannot write.
    if request.method in SAFE_METHODS and isinstance(request.user, User):
        return request.user
    return AnonymousUser()

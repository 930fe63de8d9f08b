"""Who an API request acts for: the owner of the OSDI-API-Token, or the signed-in user for reads."""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class Caller:
    """Who is calling: a user through one of their tokens, or (reads only) through their browser session."""

    user: User
    token: ApiToken | None = None

    @property
    def rate_key(self) -> str:
        """What the rate limit counts by: the token (by its hash, which no other token shares even in a
        database whose ids were reused), else the user."""
        if self.token is not None:
            return f"token:{self.token.token_hash[:32]}"
        return f"user:{self.user.pk}"


def api_caller(request: HttpRequest) -> Caller | None:
    raw = request.headers.get(TOKEN_HEADER, "").strip()
    if raw:
        token = (
            ApiToken.objects.select_related("user")
            .filter(token_hash=hash_token(raw), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if token is None:
            return None
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return Caller(token.user, token)
    # A browser session may read; writing needs a token, so a forged cross-site form cannot write.
    if request.method in SAFE_METHODS and isinstance(request.user, User):
        return Caller(request.user)
    return None


def api_user(request: HttpRequest) -> User | AnonymousUser:
    caller = api_caller(request)
    return caller.user if caller is not None else AnonymousUser()

"""Private links (questionnaire answers, ballots): a random token in the URL, only its hash stored."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.urls import reverse


def new_token() -> tuple[str, str]:
    """A fresh token and the hash to store."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def absolute_url(url_name: str, token: str) -> str:
    return f"{settings.BASE_URL}{reverse(url_name, args=[token])}"

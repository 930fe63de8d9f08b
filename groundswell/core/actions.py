"""Changes to users."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from groundswell.core.audit import record_audit
from groundswell.core.models import AuditEvent, User


def do_create_user(
    *, email: str, password: str | None, first_name: str = "", last_name: str = "", actor: User | None
) -> User:
    """Create a user who signs in with this email. password None: no password works until they
    choose one through the link do_invite_user mails them (so staff never know it)."""
    address = email.strip().lower()
    if User.objects.filter(email=address).exists():
        raise ValueError(f"A user with the email {address} already exists.")
    with transaction.atomic():
        user = User.objects.create_user(address, password, first_name=first_name, last_name=last_name)
        record_audit(
            AuditEvent.USER_CREATED,
            actor=actor,
            target=user,
            summary=f"created user {address}",
            details={"email": address, "name": user.get_full_name()},
        )
    return user


def do_invite_user(user: User, *, actor: User | None) -> None:
    """Mail the user a link to choose their password. Sent after commit, so a rolled-back
    creation never mails anyone."""
    link = settings.BASE_URL + reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    context = {"user": user, "link": link, "inviter": actor}
    subject = render_to_string("registration/invitation_subject.txt", context).strip()
    body = render_to_string("registration/invitation_email.txt", context)
    with transaction.atomic():
        record_audit(AuditEvent.USER_INVITED, actor=actor, target=user, summary=f"invited {user.email}")
        transaction.on_commit(lambda: send_mail(subject, body, None, [user.email]))


def do_log_password_reset_request(*, email: str) -> None:
    """Audit a reset request. The page answers the same whether or not the address has an account;
    the log says which, for staff looking into account takeovers."""
    address = email.strip().lower()
    user = User.objects.filter(email=address, is_active=True).first()
    record_audit(
        AuditEvent.PASSWORD_RESET_REQUESTED,
        actor=None,
        target=user,
        summary=f"password reset requested for {address}",
        details={"email": address, "account_exists": user is not None},
    )


def do_log_password_change(user: User, *, how: str) -> None:
    record_audit(AuditEvent.PASSWORD_CHANGED, actor=user, target=user, summary=f"{user.email} changed password ({how})")

import re

import pytest
from django.test import Client

from groundswell.core.models import AuditEntry, AuditEvent, User


@pytest.mark.django_db
def test_password_reset_mail_arrives_over_smtp_and_the_link_sets_a_new_password(personas, smtp_server, client: Client):
    response = client.post("/accounts/password-reset/", {"email": "leader.a@example.org"})
    assert response.status_code == 302
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["To"] == "leader.a@example.org"
    body = message.get_payload(decode=True).decode()
    found = re.search(r"https?://[^/]+(/accounts/reset/\S+)", body)
    assert found, body
    link = found.group(1)
    form = client.get(link, follow=True)
    assert b"Choose a new password" in form.content
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a-Brand-new-pass-77", "new_password2": "a-Brand-new-pass-77"},
    )
    assert done.status_code == 302
    assert User.objects.get(email="leader.a@example.org").check_password("a-Brand-new-pass-77")
    requested = AuditEntry.objects.get(event_type=AuditEvent.PASSWORD_RESET_REQUESTED)
    assert requested.details == {"email": "leader.a@example.org", "account_exists": True}
    changed = AuditEntry.objects.get(event_type=AuditEvent.PASSWORD_CHANGED)
    assert changed.target_id == str(personas.leader_a.pk) and changed.actor == personas.leader_a


@pytest.mark.django_db
def test_a_reset_for_an_unknown_address_looks_the_same_but_is_logged(smtp_server, client: Client):
    response = client.post("/accounts/password-reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password-reset/sent/"
    assert smtp_server.messages == []
    entry = AuditEntry.objects.get(event_type=AuditEvent.PASSWORD_RESET_REQUESTED)
    assert entry.details == {"email": "nobody@example.org", "account_exists": False}


@pytest.mark.django_db
def test_sign_in_is_locked_after_repeated_failures(personas, client: Client, password):
    for _ in range(5):
        client.post("/accounts/login/", {"username": "leader.a@example.org", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "leader.a@example.org", "password": password})
    assert response.status_code == 429
    assert b"Too many sign-in attempts" in response.content


@pytest.mark.django_db
def test_every_page_sends_a_content_security_policy_without_inline_script(client: Client):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy

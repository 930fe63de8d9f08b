"""Production hardening: Django's deployment checks, the Content-Security-Policy, CSRF on every form,
and sign-in throttling."""

import datetime as dt
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from authz_matrix import ROLES, all_routes, unknown_kwargs, url_for
from axes.models import AccessAttempt
from axes.utils import reset
from django.test import Client
from django.urls import reverse
from django.utils import timezone

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = sorted((ROOT / "groundswell" / "templates").rglob("*.html"))


def production_like_environment() -> dict[str, str]:
    """This process's environment less what only tests set (the browser fixture allows async-unsafe calls,
    which Django's deploy check rightly refuses)."""
    return {name: value for name, value in os.environ.items() if name != "DJANGO_ALLOW_ASYNC_UNSAFE"}


def test_deploy_check_passes_without_a_warning_in_production(tmp_path):
    environment = {
        **production_like_environment(),
        "GROUNDSWELL_HTTPS": "true",
        "GROUNDSWELL_DEBUG": "false",
        "GROUNDSWELL_SECRET_KEY": secrets.token_urlsafe(64),
        "GROUNDSWELL_ALLOWED_HOSTS": "example.org",
        "GROUNDSWELL_DATA_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output
    assert "WARNING" not in output and "?: (security." not in output, output


def test_deploy_check_does_flag_an_insecure_configuration(tmp_path):
    """The check above can fail: with debug on and plain HTTP, Django's deploy checks object."""
    environment = {
        **production_like_environment(),
        "GROUNDSWELL_HTTPS": "false",
        "GROUNDSWELL_DEBUG": "true",
        "GROUNDSWELL_DATA_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "security.W018" in result.stderr  # DEBUG on


def assert_strict_policy(response, url):
    policy = response.get("Content-Security-Policy", "")
    assert policy, f"{url} answered {response.status_code} without a Content-Security-Policy"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, (url, policy)
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if " " in part.strip())
    assert directives.get("script-src") == "'self'", (url, policy)
    assert directives.get("style-src") == "'self'", (url, policy)
    assert directives.get("object-src") == "'none'", (url, policy)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["anonymous", "national_staff", "volunteer"])
def test_every_response_carries_a_strict_content_security_policy(personas, role):
    client = Client()
    if ROLES[role]:
        client.force_login(getattr(personas, ROLES[role]))
    asked = 0
    for route in all_routes():
        if unknown_kwargs(route):
            continue  # tests/test_authz_matrix.py reports it
        for target in route.targets[:1] + route.targets[-1:]:  # an existing object, and a missing one (404)
            url = url_for(route, personas, target)
            assert_strict_policy(client.get(url), url)
            asked += 1
    assert asked > 20


def without_comments(text: str) -> str:
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    text = re.sub(r"\{#.*?#\}", "", text, flags=re.S)
    return re.sub(r"\{% comment %\}.*?\{% endcomment %\}", "", text, flags=re.S)


def inline_code_in(template: Path) -> list[str]:
    """Inline <script> code, <style> elements, style="" and on...="" handler attributes: the CSP blocks them all."""
    text = without_comments(template.read_text())
    found = []
    for attributes, body in re.findall(r"<script\b([^>]*)>(.*?)</script\s*>", text, re.S | re.I):
        if body.strip() or "src=" not in attributes:
            found.append(f"inline <script{attributes}>")
    found += [f"<style> element: {m[:60]}" for m in re.findall(r"<style\b[^>]*>", text, re.I)]
    for tag in re.findall(r"<[a-zA-Z][^<>]*>", text):
        if re.search(r"\sstyle\s*=", tag, re.I):
            found.append(f"style attribute: {tag[:80]}")
        if re.search(r"\son[a-z]+\s*=", tag, re.I):
            found.append(f"event handler attribute: {tag[:80]}")
    return found


def test_templates_are_found():
    assert len(TEMPLATES) > 10
    assert ROOT / "groundswell" / "templates" / "base.html" in TEMPLATES


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT / "groundswell" / "templates")))
def test_no_template_has_inline_script_or_style(template):
    found = inline_code_in(template)
    assert not found, f"{template.relative_to(ROOT)}: move these to static files under groundswell/static/: {found}"


def test_the_inline_code_scan_catches_what_it_should(tmp_path):
    page = tmp_path / "bad.html"
    page.write_text(
        '<script>alert(1)</script><script src="/x.js"></script><p style="color: red">'
        '<button onclick="go()">Go</button><style>p{}</style>{{ data|json_script:"d" }}'
        "<!-- a comment may mention <style> -->{# or <script>x</script> #}"
    )
    assert len(inline_code_in(page)) == 4


def post_forms_without_csrf_token(template: Path) -> list[str]:
    text = without_comments(template.read_text())
    missing = []
    for match in re.finditer(r"<form\b[^>]*>", text, re.I):
        if not re.search(r"""method\s*=\s*["']?post""", match.group(0), re.I):
            continue
        end = text.find("</form>", match.end())
        body = text[match.end() : end if end != -1 else len(text)]
        if "{% csrf_token %}" not in body:
            missing.append(match.group(0))
    return missing


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT / "groundswell" / "templates")))
def test_every_post_form_has_a_csrf_token(template):
    missing = post_forms_without_csrf_token(template)
    assert not missing, f"{template.relative_to(ROOT)}: add {{% csrf_token %}} inside {missing}"


def test_the_csrf_scan_catches_a_form_without_a_token(tmp_path):
    page = tmp_path / "form.html"
    page.write_text('<form method="post"><button>Go</button></form><form method="get"></form>')
    assert post_forms_without_csrf_token(page) == ['<form method="post">']


def fail_to_sign_in(client: Client, email: str, times: int) -> None:
    for _ in range(times):
        client.post(reverse("login"), {"username": email, "password": "wrong-password"})


@pytest.mark.django_db
def test_locked_out_sign_in_shows_the_lockout_page_even_with_the_right_password(personas, client: Client, password):
    fail_to_sign_in(client, "leader.a@example.org", 5)
    response = client.post(reverse("login"), {"username": "leader.a@example.org", "password": password})
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many sign-in attempts" in html
    assert "locked for an hour" in html
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_four_failures_do_not_lock_the_account(personas, client: Client, password):
    fail_to_sign_in(client, "leader.a@example.org", 4)
    response = client.post(reverse("login"), {"username": "leader.a@example.org", "password": password})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


@pytest.mark.django_db
def test_lockout_is_per_account_others_still_sign_in(personas, client: Client, password):
    fail_to_sign_in(client, "leader.a@example.org", 5)
    response = client.post(reverse("login"), {"username": "leader.b@example.org", "password": password})
    assert response.status_code == 302


@pytest.mark.django_db
def test_sign_in_works_again_after_the_cool_off_hour(personas, client: Client, password):
    fail_to_sign_in(client, "leader.a@example.org", 5)
    assert client.post(reverse("login"), {"username": "leader.a@example.org", "password": password}).status_code == 429
    # The hour passes: the failures are now older than the cool-off time.
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(hours=1, minutes=1))
    response = client.post(reverse("login"), {"username": "leader.a@example.org", "password": password})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


@pytest.mark.django_db
def test_an_operator_reset_unlocks_the_account(personas, client: Client, password):
    fail_to_sign_in(client, "leader.a@example.org", 5)
    assert client.post(reverse("login"), {"username": "leader.a@example.org", "password": password}).status_code == 429
    reset(username="leader.a@example.org")
    response = client.post(reverse("login"), {"username": "leader.a@example.org", "password": password})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200

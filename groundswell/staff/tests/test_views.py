import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import sign_in
from groundswell.chapters.actions import do_grant_role, do_revoke_role
from groundswell.chapters.models import Role, RoleGrant
from groundswell.core.audit import record_audit
from groundswell.core.models import AuditEntry, AuditEvent, User
from groundswell.testing import PASSWORD, make_user

NON_STAFF = ["coordinator", "leader_a", "leader_b", "volunteer", "candidate", "partner"]


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def staff_pages(personas) -> list[tuple[str, str]]:
    grant = RoleGrant.objects.get(user=personas.leader_a)
    return [
        ("get", reverse("staff:users")),
        ("get", reverse("staff:user-new")),
        ("post", reverse("staff:user-new")),
        ("get", reverse("staff:user-detail", args=[personas.leader_a.pk])),
        ("post", reverse("staff:user-grant", args=[personas.leader_a.pk])),
        ("post", reverse("staff:user-invite", args=[personas.leader_a.pk])),
        ("post", reverse("staff:grant-revoke", args=[grant.pk])),
        ("get", reverse("staff:audit")),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("persona", NON_STAFF)
def test_everyone_but_national_staff_gets_404_on_every_staff_page(personas, persona):
    client = client_for(getattr(personas, persona))
    for method, url in staff_pages(personas):
        response = getattr(client, method)(url, {"role": Role.NATIONAL_STAFF, "email": "x@example.org"})
        assert response.status_code == 404, (method, url)
    assert RoleGrant.objects.filter(role=Role.NATIONAL_STAFF).count() == 1
    assert not User.objects.filter(email="x@example.org").exists()
    assert RoleGrant.objects.get(user=personas.leader_a).revoked_at is None


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(personas, client: Client):
    for method, url in staff_pages(personas):
        response = getattr(client, method)(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login")), url


@pytest.mark.django_db
def test_staff_see_every_user_with_the_roles_they_hold_now(personas, django_assert_num_queries):
    client = client_for(personas.staff)
    retired = make_user("retired@example.org", "Rita Retired")
    old = do_grant_role(retired, Role.CHAPTER_LEADER, chapter=personas.chapter_b, actor=None)
    from groundswell.chapters.actions import do_revoke_role

    do_revoke_role(old, actor=None)
    # session, user, scope, count, the page of users, their active grants
    with django_assert_num_queries(6):
        response = client.get(reverse("staff:users"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "leader.a@example.org" in html
    assert "Chapter leader — Pittsburgh Groundswell" in html
    assert "State coordinator — PA" in html
    assert "Partner liaison — Sunrise Allies" in html
    retired_row = re.search(r"<tr>\s*<td><a[^>]*>Rita Retired</a></td>.*?</tr>", html, re.S)
    assert retired_row and "No role" in retired_row.group(0)
    assert "Providence" not in retired_row.group(0)


@pytest.mark.django_db
def test_staff_search_users_by_email_or_name(personas):
    client = client_for(personas.staff)
    html = client.get(reverse("staff:users"), {"q": "bea"}).content.decode()
    assert "leader.b@example.org" in html
    assert "leader.a@example.org" not in html
    html = client.get(reverse("staff:users"), {"q": "volunteer@"}).content.decode()
    assert "volunteer@example.org" in html
    assert "candidate@example.org" not in html


@pytest.mark.django_db
def test_a_new_user_is_invited_by_mail_and_chooses_a_password(
    personas, smtp_server, client: Client, django_capture_on_commit_callbacks
):
    staff = client_for(personas.staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            reverse("staff:user-new"), {"email": "New.Organizer@Example.org", "first_name": "Nia", "last_name": "New"}
        )
    user = User.objects.get(email="new.organizer@example.org")
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:user-detail", args=[user.pk])
    assert not user.has_usable_password()
    events = list(AuditEntry.objects.filter(target_type="core.user", target_id=str(user.pk)).order_by("id"))
    assert [(e.event_type, e.actor) for e in events] == [
        (AuditEvent.USER_CREATED, personas.staff),
        (AuditEvent.USER_INVITED, personas.staff),
    ]
    assert len(smtp_server.messages) == 1
    body = smtp_server.messages[0].get_payload(decode=True).decode()
    assert smtp_server.messages[0]["To"] == "new.organizer@example.org"
    found = re.search(r"https?://[^/]+(/accounts/reset/\S+)", body)
    assert found, body
    form = client.get(found.group(1), follow=True)
    new_password = "Fresh-start-2024x"
    client.post(form.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password})
    signed_in = client.post(reverse("login"), {"username": "new.organizer@example.org", "password": new_password})
    assert signed_in.status_code == 302
    assert signed_in["Location"] == reverse("home")


@pytest.mark.django_db
def test_a_taken_email_is_refused_with_a_message_and_nothing_is_created(personas):
    staff = client_for(personas.staff)
    before = AuditEntry.objects.count()
    response = staff.post(reverse("staff:user-new"), {"email": "LEADER.A@example.org", "first_name": "Dup"})
    assert response.status_code == 200
    assert "A user with the email leader.a@example.org already exists." in response.content.decode()
    assert User.objects.filter(first_name="Dup").count() == 0
    assert AuditEntry.objects.count() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("form", "expected"),
    [
        ({"role": Role.NATIONAL_STAFF}, {"state": "", "chapter": None, "organization": ""}),
        ({"role": Role.STATE_COORDINATOR, "state": "RI"}, {"state": "RI", "chapter": None, "organization": ""}),
        ({"role": Role.CHAPTER_LEADER, "chapter": "B"}, {"state": "", "chapter": "B", "organization": ""}),
        ({"role": Role.VOLUNTEER, "chapter": "A", "state": "PA"}, {"state": "", "chapter": "A", "organization": ""}),
        ({"role": Role.CANDIDATE, "organization": "x"}, {"state": "", "chapter": None, "organization": ""}),
        ({"role": Role.PARTNER_LIAISON, "organization": "Union 1"}, {"state": "", "organization": "Union 1"}),
    ],
)
def test_staff_grant_each_kind_of_role_with_its_own_scope_only(personas, form, expected):
    chapters = {"A": personas.chapter_a, "B": personas.chapter_b}
    newcomer = make_user("newcomer@example.org", "Noor Newcomer")
    data = {**form, "chapter": chapters[form["chapter"]].pk if "chapter" in form else ""}
    response = client_for(personas.staff).post(reverse("staff:user-grant", args=[newcomer.pk]), data)
    assert response.status_code == 302
    grant = RoleGrant.objects.get(user=newcomer)
    assert grant.role == form["role"]
    assert grant.state == expected["state"]
    assert grant.organization == expected["organization"]
    if "chapter" in expected:
        assert grant.chapter == (chapters[expected["chapter"]] if expected["chapter"] else None)
    audit = AuditEntry.objects.get(event_type=AuditEvent.ROLE_GRANTED, target_id=str(grant.pk))
    assert audit.actor == personas.staff
    assert audit.details["user"] == "newcomer@example.org"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "message"),
    [
        (Role.STATE_COORDINATOR, "A state coordinator needs a state."),
        (Role.CHAPTER_LEADER, "A chapter leader needs a chapter."),
        (Role.VOLUNTEER, "A volunteer needs a chapter."),
        (Role.PARTNER_LIAISON, "A partner liaison needs a partner organization."),
    ],
)
def test_a_role_without_its_scope_is_refused_naming_the_field(personas, role, message):
    newcomer = make_user("newcomer@example.org")
    response = client_for(personas.staff).post(reverse("staff:user-grant", args=[newcomer.pk]), {"role": role})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not RoleGrant.objects.filter(user=newcomer).exists()


@pytest.mark.django_db
def test_a_revoked_leader_loses_access_at_their_very_next_request(personas):
    leader = client_for(personas.leader_a)
    member_page = reverse("people:detail", args=[personas.member_a.uid])
    assert leader.get(member_page).status_code == 200
    grant = RoleGrant.objects.get(user=personas.leader_a, role=Role.CHAPTER_LEADER)

    response = client_for(personas.staff).post(reverse("staff:grant-revoke", args=[grant.pk]))

    assert response.status_code == 302
    assert leader.get(member_page).status_code == 404
    grant.refresh_from_db()
    assert grant.revoked_by == personas.staff
    audit = AuditEntry.objects.get(event_type=AuditEvent.ROLE_REVOKED, target_id=str(grant.pk))
    assert audit.actor == personas.staff


@pytest.mark.django_db
def test_a_new_grant_takes_effect_at_the_next_request(personas):
    leader_b = client_for(personas.leader_b)
    member_page = reverse("people:detail", args=[personas.member_a.uid])
    assert leader_b.get(member_page).status_code == 404
    client_for(personas.staff).post(
        reverse("staff:user-grant", args=[personas.leader_b.pk]),
        {"role": Role.CHAPTER_LEADER, "chapter": personas.chapter_a.pk},
    )
    assert leader_b.get(member_page).status_code == 200


@pytest.mark.django_db
def test_a_revoked_national_staffer_loses_the_staff_pages(personas):
    second = make_user("second.staff@example.org")
    grant = do_grant_role(second, Role.NATIONAL_STAFF, actor=None)
    client = client_for(second)
    assert client.get(reverse("staff:audit")).status_code == 200
    client_for(personas.staff).post(reverse("staff:grant-revoke", args=[grant.pk]))
    assert client.get(reverse("staff:audit")).status_code == 404


@pytest.mark.django_db
def test_user_page_shows_current_and_past_roles(personas, django_assert_num_queries):
    old = do_grant_role(personas.leader_a, Role.VOLUNTEER, chapter=personas.chapter_b, actor=personas.staff)
    client = client_for(personas.staff)
    client.post(reverse("staff:grant-revoke", args=[old.pk]))
    url = reverse("staff:user-detail", args=[personas.leader_a.pk])
    # session, user, scope, the user, their active grants, chapters for the form, past grants
    with django_assert_num_queries(7):
        html = client.get(url).content.decode()
    assert "Chapter leader" in html
    roles_now = html.split('id="roles-heading"')[1].split('id="grant-heading"')[0]
    assert "Pittsburgh Groundswell" in roles_now
    assert "Providence" not in roles_now
    past = html.split('id="past-heading"')[1]
    assert "Volunteer — Providence Groundswell" in past
    assert "revoked by Nadia National" in past


@pytest.mark.django_db
def test_missing_users_and_grants_are_404_for_staff(personas):
    client = client_for(personas.staff)
    assert client.get(reverse("staff:user-detail", args=[999999])).status_code == 404
    assert client.post(reverse("staff:grant-revoke", args=[999999])).status_code == 404
    assert client.get(reverse("staff:grant-revoke", args=[999999])).status_code == 405


def _entries_about(personas):
    """Three entries at known times: a grant by staff, a person update by leader A, an export by leader B."""
    rows = [
        (AuditEvent.ROLE_GRANTED, personas.staff, personas.leader_a, "2024-03-01 10:00"),
        (AuditEvent.PERSON_UPDATED, personas.leader_a, personas.member_a, "2024-03-02 23:30"),
        (AuditEvent.PEOPLE_EXPORTED, personas.leader_b, None, "2024-03-03 08:00"),
    ]
    for event, actor, target, when in rows:
        entry = record_audit(event, actor=actor, target=target, summary=f"test {event.label}", details={"n": 1})
        moment = timezone.make_aware(dt.datetime.strptime(when, "%Y-%m-%d %H:%M"))
        AuditEntry.objects.filter(pk=entry.pk).update(created_at=moment)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"event_type": int(AuditEvent.PERSON_UPDATED)}, ["test person updated"]),
        ({"actor": "leader.b@"}, ["test people exported"]),
        ({"target_type": "people.person"}, ["test person updated"]),
        ({"target_type": "core.user", "target_id": "LEADER_A"}, ["test role granted"]),
        ({"since": "2024-03-02", "until": "2024-03-02"}, ["test person updated"]),
        ({"since": "2024-03-02"}, ["test people exported", "test person updated"]),
        ({"until": "2024-03-01"}, ["test role granted"]),
    ],
)
def test_audit_log_filters(personas, query, expected):
    _entries_about(personas)
    if query.get("target_id") == "LEADER_A":
        query = {**query, "target_id": personas.leader_a.pk}
    html = client_for(personas.staff).get(reverse("staff:audit"), query).content.decode()
    assert re.findall(r"test [a-z ]+", html) == expected


@pytest.mark.django_db
def test_audit_entry_shows_who_what_which_record_when_and_details(personas):
    _entries_about(personas)
    response = client_for(personas.staff).get(reverse("staff:audit"), {"actor": "leader.a@"})
    html = response.content.decode()
    assert "leader.a@example.org" in html
    assert "person updated" in html
    assert f'href="{reverse("people:detail", args=[personas.member_a.uid])}"' in html
    assert f"Person #{personas.member_a.pk}" in html
    assert "2024-03-02 23:30:00" in html
    assert "<dt>n</dt><dd>1</dd>" in html


@pytest.mark.django_db
def test_audit_log_rejects_a_backwards_date_range_with_a_message(personas):
    html = client_for(personas.staff).get(reverse("staff:audit"), {"since": "2024-03-05", "until": "2024-03-01"})
    assert "The end date is before the start date." in html.content.decode()


@pytest.mark.django_db
def test_audit_log_pages_through_entries_with_a_fixed_number_of_queries(personas, django_assert_num_queries):
    for n in range(120):
        record_audit(AuditEvent.TAG_ADDED, actor=personas.leader_a, target=personas.member_a, summary=f"tag {n}")
    client = client_for(personas.staff)
    # session, user, scope, count, the page of entries with their actors, the people's ids for links
    with django_assert_num_queries(6):
        first = client.get(reverse("staff:audit"), {"event_type": int(AuditEvent.TAG_ADDED)}).content.decode()
    assert "Page 1 of 3" in first
    assert "tag 119" in first and "tag 69" not in first
    assert "?event_type=330&amp;page=2" in first
    third = client.get(reverse("staff:audit"), {"event_type": int(AuditEvent.TAG_ADDED), "page": 3}).content.decode()
    assert "tag 0<" in third and "tag 20<" not in third


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_grant_and_revoke_a_role_in_the_browser(page, live_server, personas):
    newcomer = make_user("newcomer@example.org", "Noor Newcomer")
    sign_in(page, live_server, personas.staff.email, PASSWORD)
    page.get_by_role("link", name="Users").click()
    page.get_by_role("link", name="Noor Newcomer").click()
    page.get_by_label("Role", exact=True).select_option(label="Chapter leader")
    page.get_by_label("Chapter", exact=True).select_option(label="Providence Groundswell")
    page.get_by_role("button", name="Grant the role").click()
    page.get_by_text("newcomer@example.org is now Chapter leader — Providence Groundswell.").wait_for()
    assert RoleGrant.objects.active().get(user=newcomer).chapter == personas.chapter_b
    page.get_by_role("button", name="Revoke Chapter leader — Providence Groundswell").click()
    page.get_by_text("newcomer@example.org is no longer").wait_for()
    assert not RoleGrant.objects.active().filter(user=newcomer).exists()
    page.get_by_role("link", name="Audit log").click()
    page.get_by_text("newcomer@example.org is no longer Chapter leader — Providence Groundswell").wait_for()


@pytest.mark.django_db
def test_a_staffer_cannot_end_their_own_staff_role_nor_the_last_one(personas):
    own = RoleGrant.objects.get(user=personas.staff, role=Role.NATIONAL_STAFF)
    client = client_for(personas.staff)
    response = client.post(reverse("staff:grant-revoke", args=[own.pk]), follow=True)
    assert "Another national staffer must end your national staff role." in response.content.decode()
    own.refresh_from_db()
    assert own.revoked_at is None and client.get(reverse("staff:audit")).status_code == 200
    assert not AuditEntry.objects.filter(event_type=AuditEvent.ROLE_REVOKED).exists()

    second = make_user("second.staff@example.org")
    theirs = do_grant_role(second, Role.NATIONAL_STAFF, actor=personas.staff)
    client_for(second).post(reverse("staff:grant-revoke", args=[own.pk]))  # another staffer may
    own.refresh_from_db()
    assert own.revoked_at is not None and own.revoked_by == second
    # the last staffer's role is never ended, even by the command line (no actor)
    with pytest.raises(ValidationError, match="last national staffer"):
        do_revoke_role(theirs, actor=None)
    assert client_for(second).get(reverse("staff:audit")).status_code == 200

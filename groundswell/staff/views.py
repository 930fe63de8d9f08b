"""National staff's pages: users and their roles, and the audit log. Anyone else gets 404."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from groundswell.chapters.actions import do_grant_role, do_revoke_role
from groundswell.chapters.selectors import chapters_managed_by, get_role_grant
from groundswell.core.actions import do_create_user, do_invite_user
from groundswell.core.models import AuditEntry, User
from groundswell.people.models import Person
from groundswell.staff import selectors
from groundswell.staff.forms import AuditFilterForm, GrantRoleForm, NewUserForm

View = Callable[..., HttpResponse]
USERS_PER_PAGE = 50
AUDIT_ENTRIES_PER_PAGE = 50


def staff_only(view: View) -> View:
    """Sign-in first (anonymous: to the login page), then 404 unless national staff."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        selectors.require_staff(request.user)
        return view(request, *args, **kwargs)

    return login_required(wrapped)


def _acting_user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # staff_only let only a signed-in user through
    return request.user


@staff_only
def user_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    users = selectors.search_users(selectors.users_visible_to(request.user), query).order_by("email", "id")
    page = Paginator(users, USERS_PER_PAGE).get_page(request.GET.get("page"))
    page_query = urlencode({"q": query}) if query else ""
    return render(request, "staff/users.html", {"page": page, "query": query, "page_query": page_query})


@staff_only
def user_new(request: HttpRequest) -> HttpResponse:
    form = NewUserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = do_create_user(password=None, actor=_acting_user(request), **form.cleaned_data)
        except ValueError as exc:
            form.add_error("email", str(exc))
        else:
            do_invite_user(user, actor=_acting_user(request))
            messages.success(request, f"Created {user.email} and mailed them a link to choose a password.")
            return redirect("staff:user-detail", user_id=user.pk)
    return render(request, "staff/user_new.html", {"form": form})


def _render_user_detail(request: HttpRequest, user: User, form: GrantRoleForm, status: int = 200) -> HttpResponse:
    context = {"person": user, "form": form, "past_grants": selectors.past_grants_of(request.user, user)}
    return render(request, "staff/user_detail.html", context, status=status)


@staff_only
def user_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    user = selectors.get_user(request.user, user_id)
    return _render_user_detail(request, user, GrantRoleForm(chapters=chapters_managed_by(request.user)))


@staff_only
@require_POST
def user_grant(request: HttpRequest, user_id: int) -> HttpResponse:
    user = selectors.get_user(request.user, user_id)
    form = GrantRoleForm(request.POST, chapters=chapters_managed_by(request.user))
    if not form.is_valid():
        return _render_user_detail(request, user, form, status=400)
    grant = do_grant_role(user, actor=_acting_user(request), **form.cleaned_data)
    messages.success(request, f"{user.email} is now {grant}.")
    return redirect("staff:user-detail", user_id=user.pk)


@staff_only
@require_POST
def user_invite(request: HttpRequest, user_id: int) -> HttpResponse:
    user = selectors.get_user(request.user, user_id)
    do_invite_user(user, actor=_acting_user(request))
    messages.success(request, f"Mailed {user.email} a new link to choose a password.")
    return redirect("staff:user-detail", user_id=user.pk)


@staff_only
@require_POST
def grant_revoke(request: HttpRequest, grant_id: int) -> HttpResponse:
    grant = get_role_grant(request.user, grant_id)
    try:
        do_revoke_role(grant, actor=_acting_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{grant.user.email} is no longer {grant}.")
    return redirect("staff:user-detail", user_id=grant.user_id)


@dataclass(frozen=True)
class AuditRow:
    """One audit entry as the page shows it: the record named and, where it has a page, linked."""

    entry: AuditEntry
    record_label: str
    record_url: str


# The page of each kind of record, by the audit log's target_type. A record type missing here is
# shown without a link.
RECORD_PAGES: dict[str, str] = {
    "core.user": "staff:user-detail",
    "people.person": "people:detail",
}


def _audit_row(entry: AuditEntry, person_uids: dict[str, str]) -> AuditRow:
    label = entry.target_type
    try:
        label = str(apps.get_model(entry.target_type)._meta.verbose_name).capitalize()
    except (LookupError, ValueError):
        pass
    url = ""
    if entry.target_type in RECORD_PAGES and entry.target_id.isdigit():
        # A person's page is found by their random id, not the row's number.
        arg = person_uids.get(entry.target_id, "") if entry.target_type == "people.person" else int(entry.target_id)
        try:
            url = reverse(RECORD_PAGES[entry.target_type], args=[arg]) if arg != "" else ""
        except NoReverseMatch:
            url = ""
    return AuditRow(entry, label, url)


def _audit_rows(entries: list[AuditEntry]) -> list[AuditRow]:
    person_ids = [int(e.target_id) for e in entries if e.target_type == "people.person" and e.target_id.isdigit()]
    uids = {str(pk): uid for pk, uid in Person.objects.filter(pk__in=person_ids).values_list("pk", "uid")}
    return [_audit_row(e, uids) for e in entries]


@staff_only
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET)
    entries = selectors.audit_entries_visible_to(request.user)
    if form.is_valid():
        entries = selectors.filter_audit_entries(entries, form.wanted())
    else:
        entries = entries.none()
    page = Paginator(entries, AUDIT_ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "rows": _audit_rows(list(page)), "page_query": query.urlencode()}
    return render(request, "staff/audit.html", context)

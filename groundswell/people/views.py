"""People pages for leaders and staff: the list, one person, duplicates and merging.

Every page starts with ``require_people_pages`` (volunteers and the public get 404) and reads only
through the scoped selectors; every change is a POST to an action in people/actions.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from groundswell.chapters.access import scope_for
from groundswell.core.models import User
from groundswell.people import actions, dedupe, selectors
from groundswell.people.models import ConsentChannel, Person
from groundswell.people.person_forms import PersonDetailsForm
from groundswell.people.proposals import do_queue_duplicate_refresh

PAGE_SIZE = 50
DUPLICATES_PAGE_SIZE = 25
_YES_NO = {"yes": True, "no": False}


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # login_required ran first
    return request.user


def _int_param(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() else None


# ---- the list -------------------------------------------------------------------------------


@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    selectors.require_people_pages(request.user)
    query = request.GET.get("q", "").strip()
    chapter_id, tag_id = _int_param(request, "chapter"), _int_param(request, "tag")
    chapter = selectors.get_filter_chapter(request.user, chapter_id) if chapter_id else None
    tag = selectors.get_tag(tag_id) if tag_id else None
    email, sms = request.GET.get("email", ""), request.GET.get("sms", "")
    people = selectors.filter_people(
        request.user,
        query=query,
        chapter=chapter,
        tag=tag,
        email_opt_in=_YES_NO.get(email),
        sms_opt_in=_YES_NO.get(sms),
    )
    page = Paginator(selectors.with_list_details(people, request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    filters = request.GET.copy()
    filters.pop("page", None)
    return render(
        request,
        "people/list.html",
        {
            "page": page,
            "query": query,
            "chapters": selectors.chapters_for_filter(request.user),
            "tags": selectors.tags_in_use_by(request.user),
            "chapter_id": chapter_id,
            "tag_id": tag_id,
            "email": email,
            "sms": sms,
            "filtering": bool(query or chapter or tag or email in _YES_NO or sms in _YES_NO),
            "filter_query": filters.urlencode(),
        },
    )


# ---- one person -----------------------------------------------------------------------------


def _consent_state(person: Person, channel: str) -> dict[str, Any]:
    # consent_events is prefetched newest first: the first of a channel is the current state.
    history = [event for event in person.consent_events.all() if event.channel == channel]
    granted = person.email_opt_in if channel == ConsentChannel.EMAIL else person.sms_opt_in
    return {
        "channel": channel,
        "label": ConsentChannel(channel).label,
        "granted": granted,
        "latest": history[0] if history else None,
    }


def _detail_context(request: HttpRequest, person: Person) -> dict[str, Any]:
    return {
        "person": person,
        "memberships": selectors.memberships_visible_to(request.user, person),
        "timeline": selectors.timeline_of(request.user, person)[:100],
        "consents": [_consent_state(person, channel) for channel in ConsentChannel.values],
        "tag_options": selectors.tags_in_use_by(request.user),
    }


@login_required
def person_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    selectors.require_people_pages(request.user)
    try:
        person = selectors.get_person_for_page(request.user, person_id)
    except Http404:
        survivor = selectors.survivor_of_merged(request.user, person_id)
        if survivor is None:
            raise
        messages.info(request, f"Record #{person_id} was merged into this person.")
        return redirect(survivor)
    return render(request, "people/detail.html", _detail_context(request, person))


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, person_id: int) -> HttpResponse:
    selectors.require_people_pages(request.user)
    person = selectors.get_person(request.user, person_id)
    fields = list(PersonDetailsForm.base_fields)
    form = PersonDetailsForm(request.POST or None, initial={name: getattr(person, name) for name in fields})
    if request.method == "POST" and form.is_valid():
        actions.do_update_person(person, actor=_actor(request), **form.cleaned_data)
        messages.success(request, "Details saved.")
        return redirect(person)
    status = 400 if request.method == "POST" else 200
    return render(request, "people/edit.html", {"person": person, "form": form}, status=status)


def _after_tag_change(request: HttpRequest, person_id: int, error: str = "") -> HttpResponse:
    if request.headers.get("HX-Request"):
        person = selectors.get_person_for_page(request.user, person_id)
        context = {"person": person, "tag_options": selectors.tags_in_use_by(request.user), "tag_error": error}
        return render(request, "people/_tags.html", context)
    if error:
        messages.error(request, error)
    return redirect("people:detail", person_id=person_id)


@login_required
@require_POST
def person_tag(request: HttpRequest, person_id: int) -> HttpResponse:
    selectors.require_people_pages(request.user)
    person = selectors.get_person(request.user, person_id)
    tag_name = " ".join(request.POST.get("tag", "").split())
    if not tag_name or len(tag_name) > 60:
        return _after_tag_change(request, person_id, "Tag: write a name of 1 to 60 characters.")
    actions.do_tag_person(person, tag_name=tag_name, actor=_actor(request))
    return _after_tag_change(request, person_id)


@login_required
@require_POST
def person_untag(request: HttpRequest, person_id: int) -> HttpResponse:
    selectors.require_people_pages(request.user)
    person = selectors.get_person(request.user, person_id)
    actions.do_untag_person(person, tag_name=request.POST.get("tag", ""), actor=_actor(request))
    return _after_tag_change(request, person_id)


@login_required
@require_POST
def person_consent(request: HttpRequest, person_id: int) -> HttpResponse:
    selectors.require_people_pages(request.user)
    person = selectors.get_person(request.user, person_id)
    channel, granted = request.POST.get("channel", ""), request.POST.get("granted", "")
    method = " ".join(request.POST.get("method", "").split())[:120]
    if channel not in ConsentChannel.values or granted not in ("yes", "no"):
        messages.error(request, "Consent: choose email or SMS, and grant or withdraw.")
    elif not method:
        messages.error(request, f"{ConsentChannel(channel).label} consent: say how they told you (e.g. by phone).")
    else:
        actions.do_set_consent(person, channel=channel, granted=granted == "yes", method=method, actor=_actor(request))
        verb = "granted" if granted == "yes" else "withdrawn"
        messages.success(request, f"{ConsentChannel(channel).label} consent {verb}.")
    return redirect(person)


# ---- duplicates and merging -----------------------------------------------------------------


@login_required
def duplicates(request: HttpRequest) -> HttpResponse:
    """The stored proposals in the user's scope, a page at a time, with when they were computed."""
    selectors.require_people_pages(request.user)
    proposals = selectors.duplicate_proposals_for(request.user)
    page = Paginator(proposals, DUPLICATES_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "total": page.paginator.count, "refresh": selectors.duplicate_refresh_status(request.user)}
    return render(request, "people/duplicates.html", context)


@login_required
@require_POST
def refresh_duplicates(request: HttpRequest) -> HttpResponse:
    """National staff recompute the proposals (only who changed, or everyone with full=1) in a job."""
    selectors.require_people_pages(request.user)
    if not selectors.duplicate_refresh_status(request.user).can_refresh:
        raise Http404("No such page")
    do_queue_duplicate_refresh(actor=_actor(request), full=request.POST.get("full") == "1")
    return redirect("people:duplicates")


@login_required
@require_GET
def duplicates_refresh_progress(request: HttpRequest) -> HttpResponse:
    """The fragment the duplicates page polls while a refresh runs; when the refresh it was following
    has ended, it asks the page to reload (HX-Refresh) to show the new proposals."""
    status = selectors.duplicate_refresh_status(request.user)
    response = render(request, "people/_duplicates_refresh.html", {"refresh": status})
    if status.job is None and request.GET.get("following"):
        response["HX-Refresh"] = "true"
    return response


@dataclass(frozen=True)
class FieldRow:
    """One line of the side-by-side merge table."""

    name: str
    label: str
    first: str
    second: str

    @property
    def differs(self) -> bool:
        return self.first != self.second

    @property
    def default(self) -> str:
        return "other" if not self.first and self.second else "survivor"


_FIELD_LABELS = {
    "first_name": "First name", "middle_name": "Middle name", "last_name": "Last name", "suffix": "Suffix",
    "address": "Address", "birth_year": "Birth year",
}  # fmt: skip


def _field_value(person: Person, name: str) -> str:
    if name == "address":
        return person.address_text
    value = getattr(person, name)
    return "" if value is None else str(value)


def _merge_context(request: HttpRequest, first: Person, second: Person) -> dict[str, Any]:
    scope = scope_for(request.user)
    rows = [
        FieldRow(name, _FIELD_LABELS[name], _field_value(first, name), _field_value(second, name))
        for name in actions.MERGE_FIELDS
    ]
    memberships = [*first.memberships.all(), *second.memberships.all()]
    in_scope = [m for m in memberships if scope.manages_chapter(m.chapter)]
    return {
        "first": first,
        "second": second,
        "rows": rows,
        "match": dedupe.explain_pair(first, second),
        "emails": [*first.emails.all(), *second.emails.all()],
        "phones": [*first.phones.all(), *second.phones.all()],
        "tags": sorted({tag.name for person in (first, second) for tag in person.tags.all()}, key=str.lower),
        "chapters": sorted({m.chapter.name for m in in_scope}),
        "other_memberships": len({m.chapter_id for m in memberships} - {m.chapter_id for m in in_scope}),
        "notes": actions.joined_notes(first.notes, second.notes),
    }


@login_required
@require_http_methods(["GET", "POST"])
def merge(request: HttpRequest, first_id: int, second_id: int) -> HttpResponse:
    """Compare two people and merge the newer record into the older one."""
    selectors.require_people_pages(request.user)
    if first_id > second_id:
        return redirect("people:merge", first_id=second_id, second_id=first_id)
    first, second = selectors.get_duplicate_pair(request.user, first_id, second_id)
    if request.method == "POST":
        choices = {
            name: request.POST[f"choice_{name}"] for name in actions.MERGE_FIELDS if f"choice_{name}" in request.POST
        }
        try:
            survivor = actions.do_merge_people(first, second, field_choices=choices, actor=_actor(request))
        except (ValueError, PermissionDenied) as error:
            messages.error(request, f"Not merged: {error}")
            return render(request, "people/merge.html", _merge_context(request, first, second), status=400)
        messages.success(request, f"Merged. Record #{second_id} now points here; nothing was lost.")
        return redirect(survivor)
    return render(request, "people/merge.html", _merge_context(request, first, second))


@login_required
@require_POST
def dismiss_duplicate(request: HttpRequest, first_id: int, second_id: int) -> HttpResponse:
    selectors.require_people_pages(request.user)
    first, second = selectors.get_duplicate_pair(request.user, first_id, second_id)
    actions.do_dismiss_duplicate(first, second, actor=_actor(request))
    messages.success(request, f"Noted: {first} (#{first.pk}) and {second} (#{second.pk}) are different people.")
    return redirect("people:duplicates")

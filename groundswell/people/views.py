"""People pages for leaders and staff: the list, one person, duplicates and merging; and the public
page where a person confirms details given in their name.

Every page but the confirmation starts with ``require_people_pages`` (volunteers and the public get
404) and reads only through the scoped selectors; every change is a POST to an action in
people/actions.py. Every page that shows people is audited with whom it showed.
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
from groundswell.people import actions, confirmation, selectors
from groundswell.people.models import DETAIL_FIELDS, ConsentChannel
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
    rows = selectors.filter_people(
        request.user,
        query=query,
        chapter=chapter,
        tag=tag,
        email_opt_in=_YES_NO.get(email),
        sms_opt_in=_YES_NO.get(sms),
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    people = selectors.seen_people(request.user, list(page.object_list))
    filters = request.GET.copy()
    filters.pop("page", None)
    actions.do_audit_people_read(
        _actor(request), people=people, what="people list", details={"filters": filters.dict(), "page": page.number}
    )
    return render(
        request,
        "people/list.html",
        {
            "page": page,
            "people": people,
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


def _consent_state(page: selectors.PersonPage, channel: str) -> dict[str, Any]:
    history = [event for event in page.consents if event.channel == channel]
    granted = page.person.email_opt_in if channel == ConsentChannel.EMAIL else page.person.sms_opt_in
    return {
        "channel": channel,
        "label": ConsentChannel(channel).label,
        "granted": granted,
        "latest": next((event for event in history if not event.pending), None),
        # A form that matched the person by email asked in their name: it counts once they confirm.
        "waiting": next((event for event in history if event.pending), None),
    }


def _detail_context(request: HttpRequest, page: selectors.PersonPage) -> dict[str, Any]:
    return {
        "page": page,
        "person": page.person,
        "memberships": page.memberships,
        "timeline": page.timeline,
        "consents": [_consent_state(page, channel) for channel in ConsentChannel.values],
        "tag_options": selectors.tags_in_use_by(request.user),
    }


@login_required
def person_detail(request: HttpRequest, uid: str) -> HttpResponse:
    selectors.require_people_pages(request.user)
    try:
        page = selectors.person_page(request.user, uid)
    except Http404:
        survivor = selectors.survivor_of_merged(request.user, uid)
        if survivor is None:
            raise
        messages.info(request, "That record was merged into this person.")
        return redirect(survivor)
    actions.do_audit_people_read(_actor(request), people=[page.person], what="person page", details={})
    return render(request, "people/detail.html", _detail_context(request, page))


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, uid: str) -> HttpResponse:
    selectors.require_people_pages(request.user)
    person = selectors.get_person(request.user, uid)
    seen = selectors.seen_person(request.user, person)
    initial = {name: getattr(seen, name) for name in DETAIL_FIELDS}
    form = PersonDetailsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_person(person, actor=_actor(request), **form.cleaned_data)
        except PermissionDenied as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Details saved.")
        return redirect(person)
    status = 400 if request.method == "POST" else 200
    return render(request, "people/edit.html", {"person": seen, "form": form}, status=status)


def _after_tag_change(request: HttpRequest, uid: str, error: str = "") -> HttpResponse:
    if request.headers.get("HX-Request"):
        seen = selectors.get_seen_person(request.user, uid)
        context = {"person": seen, "tag_options": selectors.tags_in_use_by(request.user), "tag_error": error}
        return render(request, "people/_tags.html", context)
    if error:
        messages.error(request, error)
    return redirect("people:detail", uid=uid)


@login_required
@require_POST
def person_tag(request: HttpRequest, uid: str) -> HttpResponse:
    selectors.require_people_pages(request.user)
    person = selectors.get_person(request.user, uid)
    tag_name = " ".join(request.POST.get("tag", "").split())
    if not tag_name or len(tag_name) > 60:
        return _after_tag_change(request, uid, "Tag: write a name of 1 to 60 characters.")
    actions.do_tag_person(person, tag_name=tag_name, actor=_actor(request))
    return _after_tag_change(request, uid)


@login_required
@require_POST
def person_untag(request: HttpRequest, uid: str) -> HttpResponse:
    selectors.require_people_pages(request.user)
    person = selectors.get_person(request.user, uid)
    actions.do_untag_person(person, tag_name=request.POST.get("tag", ""), actor=_actor(request))
    return _after_tag_change(request, uid)


@login_required
@require_POST
def person_consent(request: HttpRequest, uid: str) -> HttpResponse:
    selectors.require_people_pages(request.user)
    person = selectors.get_person(request.user, uid)
    channel, granted = request.POST.get("channel", ""), request.POST.get("granted", "")
    method = " ".join(request.POST.get("method", "").split())[:120]
    if channel not in ConsentChannel.values or granted not in ("yes", "no"):
        messages.error(request, "Consent: choose email or SMS, and grant or withdraw.")
    elif not method:
        messages.error(request, f"{ConsentChannel(channel).label} consent: say how they told you (e.g. by phone).")
    else:
        recorded = actions.do_set_consent(
            person, channel=channel, granted=granted == "yes", method=method, actor=_actor(request)
        )
        label, verb = ConsentChannel(channel).label, "granted" if granted == "yes" else "withdrawn"
        if recorded:
            messages.success(request, f"{label} consent {verb}.")
        else:
            what = "email address" if channel == ConsentChannel.EMAIL else "phone number"
            messages.error(request, f"{label} consent: you have no {what} for this person to record it for.")
    return redirect(person)


@login_required
@require_POST
def accept_details(request: HttpRequest, uid: str, fact_id: int) -> HttpResponse:
    """National staff make details another owner was given national's view of the person."""
    selectors.require_people_pages(request.user)
    fact = selectors.get_detail_fact(request.user, uid, fact_id)
    if not scope_for(request.user).national:
        raise Http404("No such page")
    changed = actions.do_accept_details(fact, actor=_actor(request))
    messages.success(request, f"National now uses {', '.join(changed) or 'these details'} from {fact.source}.")
    return redirect("people:detail", uid=uid)


@login_required
@require_POST
def unmerge(request: HttpRequest, uid: str, record_id: int) -> HttpResponse:
    selectors.require_people_pages(request.user)
    record = selectors.get_merge_record(request.user, uid, record_id)
    try:
        other = actions.do_unmerge_people(record, actor=_actor(request))
    except ValueError as error:
        messages.error(request, f"Not split: {error}")
        return redirect("people:detail", uid=uid)
    messages.success(request, "Split back into two records, each with the facts it came in with.")
    return redirect(other)


# ---- the person's own confirmation (public) ----------------------------------------------------


@require_http_methods(["GET", "POST"])
def confirm_details(request: HttpRequest, token: str) -> HttpResponse:
    """The page the confirmation email links to. GET shows what was given; only POST confirms, so
    that a mail scanner following the link confirms nothing."""
    asked = confirmation.confirmation_for_token(token)
    if asked is None:
        return render(request, "people/confirm.html", {"invalid": True}, status=404)
    context = {"values": asked.values(), "source": asked.source, "done": asked.done, "has_details": asked.fact}
    if request.method == "POST" and not asked.done:
        actions.do_confirm_details(asked, share_with_chapters=request.POST.get("share") == "yes")
        context["done"] = context["just_confirmed"] = True
    return render(request, "people/confirm.html", context)


# ---- duplicates and merging -----------------------------------------------------------------


@login_required
def duplicates(request: HttpRequest) -> HttpResponse:
    """The stored proposals in the user's scope, a page at a time, with when they were computed."""
    selectors.require_people_pages(request.user)
    proposals = selectors.duplicate_proposals_for(request.user)
    page = Paginator(proposals, DUPLICATES_PAGE_SIZE).get_page(request.GET.get("page"))
    shown = [person for pair in page.object_list for person in pair.people]
    actions.do_audit_people_read(_actor(request), people=shown, what="duplicates", details={"page": page.number})
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


def _field_value(person: selectors.SeenPerson, name: str) -> str:
    if name == "address":
        return person.address_text
    value = getattr(person, name)
    return "" if value is None else str(value)


def _merge_context(request: HttpRequest, first: selectors.SeenPerson, second: selectors.SeenPerson) -> dict[str, Any]:
    rows = [
        FieldRow(name, _FIELD_LABELS[name], _field_value(first, name), _field_value(second, name))
        for name in actions.MERGE_FIELDS
    ]
    return {
        "first": first,
        "second": second,
        "rows": rows,
        "national": scope_for(request.user).national,
        "match": selectors.explain_pair(request.user, first, second),
        "emails": sorted({e.value for person in (first, second) for e in person.emails}),
        "phones": sorted({p.value for person in (first, second) for p in person.phones}),
        "tags": sorted({tag for person in (first, second) for tag in person.tags}, key=str.lower),
        "chapters": sorted({m.chapter.name for person in (first, second) for m in person.memberships}),
    }


@login_required
@require_http_methods(["GET", "POST"])
def merge(request: HttpRequest, first_uid: str, second_uid: str) -> HttpResponse:
    """Compare two people and merge the newer record into the older one."""
    selectors.require_people_pages(request.user)
    first, second = selectors.get_duplicate_pair(request.user, first_uid, second_uid)
    if first.pk > second.pk:
        return redirect("people:merge", first_uid=second_uid, second_uid=first_uid)
    seen = [selectors.seen_person(request.user, p) for p in (first, second)]
    if request.method == "POST":
        national = scope_for(request.user).national
        choices = {
            name: request.POST[f"choice_{name}"]
            for name in actions.MERGE_FIELDS
            if national and f"choice_{name}" in request.POST
        }
        try:
            survivor = actions.do_merge_people(first, second, field_choices=choices, actor=_actor(request))
        except (ValueError, PermissionDenied) as error:
            messages.error(request, f"Not merged: {error}")
            return render(request, "people/merge.html", _merge_context(request, *seen), status=400)
        messages.success(request, "Merged. The other record's links now open this person; nothing was lost.")
        return redirect(survivor)
    actions.do_audit_people_read(_actor(request), people=seen, what="merge page", details={})
    return render(request, "people/merge.html", _merge_context(request, *seen))


@login_required
@require_POST
def dismiss_duplicate(request: HttpRequest, first_uid: str, second_uid: str) -> HttpResponse:
    selectors.require_people_pages(request.user)
    first, second = selectors.get_duplicate_pair(request.user, first_uid, second_uid)
    actions.do_dismiss_duplicate(first, second, actor=_actor(request))
    messages.success(request, "Noted: these are different people; they will not be proposed again.")
    return redirect("people:duplicates")

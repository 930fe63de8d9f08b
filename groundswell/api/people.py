"""People on both faces: the collection (GET lists, POST is the person signup helper, as on Action
Network), one person (GET, PUT that merges, DELETE from the caller's sight), a person's taggings,
and the tombstones a sync follows deletes and merges by.

Every read goes through people.selectors and every write through people.actions; every answer that
shows people is audited (``audit_people_read``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse

from groundswell.api.base import (
    ACTION_NETWORK,
    OSDI,
    ApiInputError,
    advertise,
    api_endpoint,
    call_of,
    collection,
    error,
    hal,
    read_object,
)
from groundswell.api.filters import FilterField, filter_rows
from groundswell.api.openapi import describe
from groundswell.api.osdi import (
    person_resource,
    person_signup,
    person_update,
    tagging_resource,
    tombstone_resource,
)
from groundswell.api.schemas import (
    COLLECTION,
    ERROR,
    NOTICE,
    PAGING,
    PERSON,
    PERSON_FILTER,
    PERSON_ID,
    PERSON_WRITE,
    SIGNUP,
    TAGGING,
    TOMBSTONE,
    TOMBSTONE_FILTER,
)
from groundswell.chapters.access import scope_for
from groundswell.chapters.models import Chapter
from groundswell.chapters.selectors import chapters_managed_by
from groundswell.core.audit import record_audit
from groundswell.core.models import AuditEvent, User
from groundswell.people import selectors as people_selectors
from groundswell.people.actions import (
    AddressTaken,
    NationalRecord,
    do_change_person_through_api,
    do_delete_person_from_sight,
    do_sign_up_through_api,
)
from groundswell.people.models import EmailAddress, PhoneNumber

advertise("osdi:people", "people")
# Action Network's helper is POST /people; the OSDI face also keeps /people/signup.
advertise("osdi:person_signup_helper", "people")
advertise("groundswell:tombstones", "people/tombstones")


def audit_people_read(user: User, request: HttpRequest, uids: Iterable[str], what: str = "people") -> None:
    """A tool reading people through the API is an export in all but name: log who read whom."""
    ids = [f"{OSDI.id_prefix}:{uid}" for uid in dict.fromkeys(uids)]
    record_audit(
        AuditEvent.API_PEOPLE_READ,
        actor=user,
        summary=f"read {len(ids)} {what} through the API",
        details={"path": request.get_full_path(), "ids": ids},
    )


def _people_rows(user: User, request: HttpRequest) -> QuerySet[Any]:
    """The caller's people (their own view of each), filtered by OSDI's ``filter``, oldest first."""
    scope = scope_for(user)
    column = people_selectors.person_column(scope)
    rows = people_selectors.visible_rows(scope)

    def emails_in_scope(address: str) -> Q:
        return Q(**{f"{column}__in": EmailAddress.objects.filter(scope.owner_q(), address=address).values("person_id")})

    def phones_in_scope(number: str) -> Q:
        return Q(**{f"{column}__in": PhoneNumber.objects.filter(scope.owner_q(), number=number).values("person_id")})

    rows = filter_rows(rows, request.GET.get("filter"), {
        "created_date": FilterField.datetime("created_at"),
        "modified_date": FilterField.datetime("updated_at"),
        "email_address": FilterField.email(emails_in_scope),
        "phone_number": FilterField.phone(phones_in_scope),
        "given_name": FilterField.string("first_name"),
        "family_name": FilterField.string("last_name"),
    })  # fmt: skip
    return rows.order_by("created_at", column)


@api_endpoint("GET", "POST")
def people_collection(request: HttpRequest, user: User) -> HttpResponse:
    if request.method == "POST":
        return _sign_up(request, user)
    call = call_of(request)

    rows = _people_rows(user, request)
    column = people_selectors.person_column(scope_for(user))

    def render_page(ids: list[int]) -> list[dict[str, Any]]:
        # The page is chosen by id alone, so a deep page skips ids, not rendered rows (a view's uid is a
        # subquery a database would otherwise work out for every row it skips); then its rows are read.
        found = {getattr(row, column): row for row in rows.filter(**{f"{column}__in": ids})}
        seen = people_selectors.seen_people(user, [found[i] for i in ids if i in found], custom_fields=True)
        return [person_resource(p, call.base, call.identifiers(p.uid)) for p in seen]

    response = collection(request, "osdi:people", rows.values_list(column, flat=True), render_page=render_page)
    people = json.loads(response.content)["_embedded"]["osdi:people"]
    audit_people_read(user, request, [_uid_of(p) for p in people])
    return response


def _uid_of(resource: dict[str, Any]) -> str:
    return str(resource["_links"]["self"]["href"]).rsplit("/", 1)[-1]


@api_endpoint("POST")
def person_signup_helper(request: HttpRequest, user: User) -> HttpResponse:
    """OSDI's path for the helper; Action Network's face has only POST /people."""
    if call_of(request).face is ACTION_NETWORK:
        raise Http404
    return _sign_up(request, user)


def _sign_up(request: HttpRequest, user: User) -> HttpResponse:
    """The person signup helper: record what was sent as the caller's facts, about the person the
    email matches or someone new, with custom fields, and tag and untag. The answer is the same
    either way: the caller's own view of the person (for a match outside their scope, only what they
    sent), and always 200, as Action Network answers."""
    body = read_object(request)
    details, custom = person_signup(body.get("person"))
    details.tags = _tag_names(body.get("add_tags"), "add_tags")
    remove = _tag_names(body.get("remove_tags"), "remove_tags")
    chapter = _signup_chapter(user, body.get("groundswell:chapter"))
    saved = do_sign_up_through_api(details, custom_fields=custom, remove_tags=remove, actor=user, chapter=chapter)
    return _person_answer(request, user, saved.person.uid)


def _tag_names(value: Any, field: str) -> list[str]:
    names = value or []
    if not isinstance(names, list) or not all(isinstance(t, str) and 0 < len(t.strip()) <= 60 for t in names):
        raise ApiInputError(field, "must be a list of tag names of 1 to 60 characters")
    return list(dict.fromkeys(t.strip() for t in names))


def _signup_chapter(user: User, slug: Any) -> Chapter | None:
    """Staff may sign people up without a chapter; anyone else signs them up into a chapter they run,
    so that the person they add stays in their sight."""
    managed = chapters_managed_by(user)
    if slug:
        chapter = managed.filter(slug=str(slug)).first()
        if chapter is None:
            raise ApiInputError("groundswell:chapter", f"you do not manage a chapter {str(slug)[:80]!r}")
        return chapter
    if scope_for(user).national:
        return None
    only = list(managed[:2])
    if len(only) == 1:
        return only[0]
    if not only:
        raise Http404
    raise ApiInputError("groundswell:chapter", "you manage several chapters: say which one")


def _person_answer(request: HttpRequest, user: User, uid: str, status: int = 200) -> HttpResponse:
    call = call_of(request)
    seen = people_selectors.get_seen_person(user, uid, custom_fields=True)
    audit_people_read(user, request, [seen.uid], "person")
    return hal(person_resource(seen, call.base, call.identifiers(seen.uid)), status=status)


@api_endpoint("GET", "PUT", "DELETE")
def person_item(request: HttpRequest, user: User, uid: str) -> HttpResponse:
    if request.method == "DELETE":
        return _delete(request, user, uid)
    person = people_selectors.get_person(user, uid)
    if request.method == "PUT":
        details, changes = person_update(read_object(request))
        try:
            do_change_person_through_api(person, details, changes, actor=user)
        except AddressTaken as exc:
            raise ApiInputError("person.email_addresses", str(exc)) from None
    return _person_answer(request, user, person.uid)


def _delete(request: HttpRequest, user: User, uid: str) -> HttpResponse:
    """OSDI's DELETE takes the person out of the caller's sight (people.actions); Action Network's API
    deletes no one, whoever it is asked about."""
    if call_of(request).face is ACTION_NETWORK:
        return error(405, "Action Network's API does not delete people; use GET or PUT", headers={"Allow": "GET, PUT"})
    try:
        do_delete_person_from_sight(people_selectors.get_person(user, uid), actor=user)
    except NationalRecord as exc:
        return error(409, str(exc))
    return hal({"notice": "This person was successfully deleted."})


@api_endpoint("GET")
def person_taggings(request: HttpRequest, user: User, uid: str) -> HttpResponse:
    """The tags the caller's scope put on a person, paged (audited: it is a read of a person)."""
    person = people_selectors.get_person(user, uid)
    call = call_of(request)
    rows = people_selectors.taggings_visible_to(user).filter(person=person)
    response = collection(
        request, "osdi:taggings", rows, lambda t: tagging_resource(t, call.base, call.identifiers(t.pk))
    )
    audit_people_read(user, request, [person.uid], "person's taggings")
    return response


# A tombstone's created and modified dates are both when it happened.
WHEN_IT_HAPPENED = {
    "created_date": FilterField.datetime("occurred_at"),
    "modified_date": FilterField.datetime("occurred_at"),
}


@api_endpoint("GET")
def person_tombstones(request: HttpRequest, user: User) -> HttpResponse:
    """People who left the caller's sight — deleted, or merged into someone (whose identifiers it
    gives) — oldest first, filtered by ``modified_date``/``created_date`` (when it happened)."""
    call = call_of(request)
    rows = filter_rows(people_selectors.tombstones_for(user), request.GET.get("filter"), WHEN_IT_HAPPENED)
    response = collection(
        request,
        "groundswell:tombstones",
        rows,
        lambda t: tombstone_resource(t, call.base, call.identifiers(t.uid)),
    )
    uids = [_uid_of(t) for t in json.loads(response.content)["_embedded"]["groundswell:tombstones"]]
    audit_people_read(user, request, uids, "tombstones")
    return response


_UID = [PERSON_ID]
describe(
    "/people", "GET", "People in the caller's scope, their own view of each (osdi:people)",
    parameters=[*PAGING, PERSON_FILTER], responses={200: COLLECTION("osdi:people", PERSON), 400: ERROR},
)  # fmt: skip
describe(
    "/people", "POST",
    "Person signup helper (Action Network's path): create, or add to the person the email matches; "
    "the same answer either way",
    request=SIGNUP, responses={200: PERSON, 400: ERROR, 404: ERROR},
)  # fmt: skip
describe(
    "/people/signup", "POST", "Person signup helper (OSDI face only; as POST /people)",
    request=SIGNUP, responses={200: PERSON, 400: ERROR, 404: ERROR},
)  # fmt: skip
describe(
    "/people/tombstones", "GET", "People who left the caller's sight: deleted, or merged into a survivor",
    parameters=[*PAGING, TOMBSTONE_FILTER], responses={200: COLLECTION("groundswell:tombstones", TOMBSTONE),
                                                       400: ERROR},
)  # fmt: skip
describe("/people/{uid}", "GET", "One person, as the caller sees them", parameters=_UID,
         responses={200: PERSON, 404: ERROR})  # fmt: skip
describe(
    "/people/{uid}", "PUT",
    "Change the caller's facts of a person: absent fields stay, null clears the caller's value",
    parameters=_UID, request=PERSON_WRITE, responses={200: PERSON, 400: ERROR, 404: ERROR},
)  # fmt: skip
describe(
    "/people/{uid}", "DELETE",
    "Take a person out of the caller's sight (their owners' facts go; others' stay). OSDI face only: "
    "Action Network's answers 405",
    parameters=_UID, responses={200: NOTICE, 404: ERROR, 405: ERROR, 409: ERROR},
)  # fmt: skip
describe(
    "/people/{uid}/taggings", "GET", "The taggings the caller's scope put on a person (osdi:taggings)",
    parameters=[*_UID, *PAGING], responses={200: COLLECTION("osdi:taggings", TAGGING), 404: ERROR},
)  # fmt: skip

"""Tags and taggings on both faces, as OSDI and Action Network have them.

A tag's name is shared by everyone; which tags an owner keeps (people.models.TagListing) and whom it
tagged (PersonTag) are that owner's. A caller sees the tags their scope listed or put on someone,
and only their own scope's taggings, of people in their sight. A tag or person outside that is a 404
like a missing one, and a tagging of someone out of scope changes nothing.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse

from groundswell.api.base import ApiInputError, advertise, api_endpoint, call_of, collection, hal, read_object
from groundswell.api.openapi import describe
from groundswell.api.osdi import person_uid_from_href, tag_resource, tagging_resource
from groundswell.api.people import audit_people_read
from groundswell.api.schemas import (
    COLLECTION,
    ERROR,
    NOTICE,
    PAGING,
    TAG,
    TAG_ID,
    TAG_WRITE,
    TAGGING,
    TAGGING_ID,
    TAGGING_WRITE,
)
from groundswell.core.models import User
from groundswell.people import selectors as people_selectors
from groundswell.people.actions import do_list_tag, do_tag_person_through_api, do_untag_person_through_api

advertise("osdi:tags", "tags")

TAG_LONGEST = 60


@api_endpoint("GET", "POST")
def tags_collection(request: HttpRequest, user: User) -> HttpResponse:
    """The caller's tags; POST ``{"name": ...}`` lists one for them (the tag of that name if there is
    one: the same answer whether or not anyone had it)."""
    call = call_of(request)
    if request.method == "POST":
        tag = do_list_tag(_tag_name(read_object(request)), actor=user)
        return hal(tag_resource(tag, call.base, call.identifiers(tag.pk)))
    tags = people_selectors.tags_for(user).order_by("name", "pk")
    return collection(request, "osdi:tags", tags, lambda t: tag_resource(t, call.base, call.identifiers(t.pk)))


def _tag_name(body: dict[str, Any]) -> str:
    name = body.get("name")
    if not isinstance(name, str) or not 0 < len(name.strip()) <= TAG_LONGEST:
        raise ApiInputError("name", f"must be a tag name of 1 to {TAG_LONGEST} characters")
    return name.strip()


@api_endpoint("GET")
def tag_item(request: HttpRequest, user: User, tag_id: int) -> HttpResponse:
    call = call_of(request)
    tag = people_selectors.get_tag_for(user, tag_id)
    return hal(tag_resource(tag, call.base, call.identifiers(tag.pk)))


@api_endpoint("GET", "POST")
def tag_taggings(request: HttpRequest, user: User, tag_id: int) -> HttpResponse:
    """Who the caller's scope tagged so (paged, audited); POST tags a person in their sight."""
    tag = people_selectors.get_tag_for(user, tag_id)
    call = call_of(request)
    if request.method == "POST":
        person = people_selectors.get_person(user, _person_uid(read_object(request)))
        tagging = do_tag_person_through_api(person, tag, actor=user)
        audit_people_read(user, request, [person.uid], "person's tagging")
        return hal(tagging_resource(tagging, call.base, call.identifiers(tagging.pk)))
    rows = people_selectors.taggings_visible_to(user).filter(tag=tag)
    response = collection(
        request, "osdi:taggings", rows, lambda t: tagging_resource(t, call.base, call.identifiers(t.pk))
    )
    taggings = json.loads(response.content)["_embedded"]["osdi:taggings"]
    audit_people_read(user, request, [_person_of(t) for t in taggings], "taggings")
    return response


def _person_uid(body: dict[str, Any]) -> str:
    """The person a tagging is for: ``_links.osdi:person.href``, or ``person.identifiers``."""
    links = body.get("_links")
    if isinstance(links, dict) and "osdi:person" in links:
        link = links["osdi:person"]
        return person_uid_from_href(link.get("href") if isinstance(link, dict) else None, "_links.osdi:person.href")
    person = body.get("person")
    identifiers = person.get("identifiers") if isinstance(person, dict) else None
    if isinstance(identifiers, list) and identifiers:
        return person_uid_from_href(identifiers[0], "person.identifiers")
    raise ApiInputError("_links.osdi:person.href", "say whom to tag: a link to the person")


def _person_of(tagging: dict[str, Any]) -> str:
    return str(tagging["_links"]["osdi:person"]["href"]).rsplit("/", 1)[-1]


@api_endpoint("GET", "DELETE")
def tagging_item(request: HttpRequest, user: User, tag_id: int, tagging_id: int) -> HttpResponse:
    """One of the caller's taggings; DELETE takes the tag off the person wherever the caller's scope
    put it (never another owner's tagging)."""
    tag = people_selectors.get_tag_for(user, tag_id)
    tagging = people_selectors.get_tagging(user, tag, tagging_id)
    if request.method == "DELETE":
        do_untag_person_through_api(tagging.person, tag_name=tag.name, actor=user)
        return hal({"notice": "This tagging was successfully deleted."})
    call = call_of(request)
    audit_people_read(user, request, [tagging.person.uid], "person's tagging")
    return hal(tagging_resource(tagging, call.base, call.identifiers(tagging.pk)))


_TAG = [TAG_ID]
_TAGGING = [TAG_ID, TAGGING_ID]
describe("/tags", "GET", "The caller's tags: those their scope listed or put on someone (osdi:tags)",
         parameters=PAGING, responses={200: COLLECTION("osdi:tags", TAG), 400: ERROR})  # fmt: skip
describe("/tags", "POST", "List a tag for the caller (the existing tag of that name if there is one)",
         request=TAG_WRITE, responses={200: TAG, 400: ERROR, 404: ERROR})  # fmt: skip
describe("/tags/{tag_id}", "GET", "One of the caller's tags", parameters=_TAG, responses={200: TAG, 404: ERROR})
describe("/tags/{tag_id}/taggings", "GET", "The caller's taggings with this tag, of people in their sight",
         parameters=[*_TAG, *PAGING], responses={200: COLLECTION("osdi:taggings", TAGGING), 404: ERROR})  # fmt: skip
describe("/tags/{tag_id}/taggings", "POST", "Tag a person in the caller's sight",
         parameters=_TAG, request=TAGGING_WRITE, responses={200: TAGGING, 400: ERROR, 404: ERROR})  # fmt: skip
describe("/tags/{tag_id}/taggings/{tagging_id}", "GET", "One of the caller's taggings",
         parameters=_TAGGING, responses={200: TAGGING, 404: ERROR})  # fmt: skip
describe("/tags/{tag_id}/taggings/{tagging_id}", "DELETE", "Take the tag off the person, as the caller's scope put it",
         parameters=_TAGGING, responses={200: NOTICE, 404: ERROR})  # fmt: skip

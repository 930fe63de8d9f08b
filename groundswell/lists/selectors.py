"""Reads of saved lists of people, scoped to the acting user.

A list is in sight when the caller's scope reads its owner (``Scope.owner_q``): a chapter's list for the
chapter's leaders, its state's coordinators and national staff. Of its items, only those whose person the
caller can see (people.selectors.people_visible_to) are shown or counted, so that a list never tells anyone
about a person outside their sight; a list or item out of sight is a 404, like a missing one.
"""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from groundswell.chapters.access import AnyUser, scope_for
from groundswell.lists.models import ListItem, PeopleList
from groundswell.people.selectors import people_visible_to


def lists_visible_to(user: AnyUser) -> QuerySet[PeopleList]:
    """The lists the user's scope reads, oldest first, each with ``seen_items``: how many of its people
    the user can see (one subquery per page, whatever the number of items)."""
    scope = scope_for(user)
    if not scope.is_leader_or_above:
        return PeopleList.objects.none()
    seen = (
        ListItem.objects.filter(people_list=OuterRef("pk"), person__in=people_visible_to(user))
        .order_by()
        .values("people_list")
        .annotate(n=Count("pk"))
        .values("n")
    )
    counted = Coalesce(Subquery(seen, output_field=IntegerField()), Value(0))
    return PeopleList.objects.filter(scope.owner_q()).annotate(seen_items=counted).order_by("created_at", "id")


def get_people_list(user: AnyUser, uid: str) -> PeopleList:
    """A list in the user's scope, or 404 — the same answer for missing and forbidden."""
    found = lists_visible_to(user).filter(uid=uid).select_related("owner__chapter").first()
    if found is None:
        raise Http404("No such list")
    return found


def items_seen(user: AnyUser, people_list: PeopleList) -> QuerySet[ListItem]:
    """The list's items whose person the user can see, in the order they were added."""
    return (
        ListItem.objects.filter(people_list=people_list, person__in=people_visible_to(user))
        .select_related("person")
        .order_by("recorded_at", "id")
    )


def get_item(user: AnyUser, people_list: PeopleList, uid: str) -> ListItem:
    """One item of a list in scope whose person the user can see, or 404."""
    found = items_seen(user, people_list).filter(uid=uid).first()
    if found is None:
        raise Http404("No such item")
    return found

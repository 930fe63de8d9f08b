"""Reads of people, scoped to the acting user. Views and the API read people only through here."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from groundswell.chapters.access import AnyUser, scope_for
from groundswell.people.models import Membership, MembershipStatus, Person, TimelineEntry


def people_visible_to(user: AnyUser) -> QuerySet[Person]:
    """Staff: everyone. Coordinators: people living in, or members of a chapter in, their states.
    Leaders: members of their chapters. Everyone else: nobody."""
    scope = scope_for(user)
    people = Person.objects.live()
    if scope.national:
        return people
    if not scope.is_leader_or_above:
        return people.none()
    member_of_scoped_chapter = Membership.objects.filter(scope.chapters_q("chapter__")).exclude(
        status=MembershipStatus.LEFT
    )
    q = Q(pk__in=member_of_scoped_chapter.values("person_id"))
    if scope.coordinator_states:
        q |= Q(state__in=scope.coordinator_states)
    return people.filter(q)


def get_person(user: AnyUser, person_id: int) -> Person:
    """A person in the user's scope, or 404 — the same answer for missing and forbidden."""
    return get_object_or_404(people_visible_to(user), pk=person_id)


def memberships_visible_to(user: AnyUser, person: Person) -> QuerySet[Membership]:
    scope = scope_for(user)
    return person.memberships.filter(scope.chapters_q("chapter__")).select_related("chapter")


def timeline_of(user: AnyUser, person: Person) -> QuerySet[TimelineEntry]:
    get_person(user, person.pk)
    return person.timeline.select_related("chapter", "actor")


def search_people(people: QuerySet[Person], query: str) -> QuerySet[Person]:
    """Prefix search on name, email or phone; each branch can use an index."""
    text = query.strip().lower()
    if not text:
        return people
    if "@" in text:
        return people.filter(emails__address__startswith=text)
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) >= 7 and len(digits) >= len(text.replace(" ", "")) - 4:
        return people.filter(phones__number__endswith=digits[-10:])
    parts = text.split()
    if len(parts) == 1:
        return people.filter(sort_name__startswith=parts[0])
    # "first last" or "last, first"
    first, last = (parts[1], parts[0].rstrip(",")) if parts[0].endswith(",") else (parts[0], parts[-1])
    return people.filter(sort_name__startswith=f"{last} {first}")

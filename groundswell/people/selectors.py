"""Reads of people, scoped to the acting user. Views and the API read people only through here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.shortcuts import get_object_or_404

from groundswell.chapters.access import AnyUser, scope_for
from groundswell.chapters.models import Chapter
from groundswell.chapters.selectors import chapters_managed_by
from groundswell.core.models import Job
from groundswell.people import dedupe, proposals
from groundswell.people.models import (
    ConsentEvent,
    DuplicateProposal,
    DuplicateRefresh,
    EmailAddress,
    Membership,
    MembershipStatus,
    NotDuplicate,
    Person,
    PersonTag,
    PhoneNumber,
    Tag,
    TimelineEntry,
)


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
    """The person's history, without entries about chapters outside the user's scope (the same
    rule as the memberships shown beside it)."""
    get_person(user, person.pk)
    in_scope = Q(chapter__isnull=True) | scope_for(user).chapters_q("chapter__")
    return person.timeline.filter(in_scope).select_related("chapter", "actor")


def _starts_with(field: str, prefix: str) -> Q:
    """A prefix match that can use an index, with the same prefix as a range beside the LIKE where
    the range means the same thing: SQLite never uses an index for LIKE here (its LIKE is
    case-insensitive and would need a NOCASE index), and PostgreSQL under a C collation otherwise
    walks the people list's name index from "a" filtering on LIKE (30 ms for "smit" at 200,000)."""
    q = Q(**{f"{field}__startswith": prefix})
    if _sorts_by_code_point():
        q &= Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix + "\U0010ffff"})
    return q


_CODE_POINT_COLLATIONS = {"c", "posix", "c.utf-8", "c.utf8", "ucs_basic"}
_collation_by_database: dict[str, bool] = {}


def _sorts_by_code_point() -> bool:
    """Whether text compares by code point, so that a prefix is exactly a range (SQLite: always;
    PostgreSQL: under a C collation, not under a language's, which ignores spaces and punctuation)."""
    if connection.vendor == "sqlite":
        return True
    if connection.vendor != "postgresql":
        return False
    name = str(connection.settings_dict["NAME"])
    if name not in _collation_by_database:
        # Once per process, on the driver's own cursor: a fact about the database, not a query of
        # the page (query counts pinned in tests stay the same whichever test searches first).
        connection.ensure_connection()
        with connection.connection.cursor() as cursor:
            cursor.execute("SELECT datcollate FROM pg_database WHERE datname = current_database()")
            row = cursor.fetchone()
        _collation_by_database[name] = bool(row) and str(row[0]).lower() in _CODE_POINT_COLLATIONS
    return _collation_by_database[name]


def search_people(people: QuerySet[Person], query: str) -> QuerySet[Person]:
    """Prefix search on name, email or phone; each branch can use an index (see bench/people_import.py).
    Emails and phones are matched in a subquery, not a join, so a person is one row without DISTINCT."""
    text = query.strip().lower()
    if not text:
        return people
    if "@" in text:
        return people.filter(pk__in=EmailAddress.objects.filter(_starts_with("address", text)).values("person_id"))
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) >= 7 and len(digits) >= len(text.replace(" ", "")) - 4:
        # "Ends with these digits" is "the reversed digits start with them reversed": index-friendly.
        ending = _starts_with("digits_reversed", digits[-10:][::-1])
        return people.filter(pk__in=PhoneNumber.objects.filter(ending).values("person_id"))
    parts = text.split()
    if len(parts) == 1:
        return people.filter(_starts_with("sort_name", parts[0]))
    # "first last" or "last, first"
    first, last = (parts[1], parts[0].rstrip(",")) if parts[0].endswith(",") else (parts[0], parts[-1])
    return people.filter(_starts_with("sort_name", f"{last} {first}"))


def chapter_memberships(user: AnyUser, chapter: Chapter) -> QuerySet[Membership]:
    """The current members of a chapter the user may see, newest first, with the person loaded."""
    return (
        Membership.objects.filter(chapter=chapter, person__in=people_visible_to(user))
        .exclude(status=MembershipStatus.LEFT)
        .select_related("person")
        .order_by("-joined_on", "-id")
    )


def memberships_in_scope(user: AnyUser, chapters: QuerySet[Chapter] | None = None) -> QuerySet[Membership]:
    """Current memberships of the chapters the user manages (optionally narrowed to ``chapters``)."""
    scope = scope_for(user)
    if not scope.is_leader_or_above:
        return Membership.objects.none()
    memberships = Membership.objects.filter(scope.chapters_q("chapter__"), person__merged_into__isnull=True).exclude(
        status=MembershipStatus.LEFT
    )
    if chapters is not None:
        memberships = memberships.filter(chapter__in=chapters)
    return memberships


def recent_memberships(
    user: AnyUser, *, since: dt.date, chapters: QuerySet[Chapter] | None = None
) -> QuerySet[Membership]:
    return (
        memberships_in_scope(user, chapters)
        .filter(joined_on__gte=since)
        .select_related("person", "chapter")
        .order_by("-joined_on", "-id")
    )


def new_members_by_month(user: AnyUser, chapters: QuerySet[Chapter] | None = None) -> dict[dt.date, int]:
    """How many current memberships began in each month (keyed by the month's first day): one
    grouped query, from which callers draw the cumulative growth curve."""
    rows = (
        memberships_in_scope(user, chapters)
        .annotate(month=TruncMonth("joined_on"))
        .order_by()
        .values("month")
        .annotate(joined=Count("id"))
        .values_list("month", "joined")
    )
    return dict(rows)


@dataclass(frozen=True)
class MemberFigures:
    members: int
    new_since: int
    email_consent: int


def member_figures(user: AnyUser, *, since: dt.date, chapters: QuerySet[Chapter] | None = None) -> MemberFigures:
    """Members, those who joined on or after ``since``, and those who agreed to email: one query."""
    figures = memberships_in_scope(user, chapters).aggregate(
        members=Count("person", distinct=True),
        new_since=Count("person", distinct=True, filter=Q(joined_on__gte=since)),
        email_consent=Count("person", distinct=True, filter=Q(person__email_opt_in=True)),
    )
    return MemberFigures(**figures)


# ---- the people pages -----------------------------------------------------------------------


def require_people_pages(user: AnyUser) -> None:
    """The people pages exist only for leaders and above; for anyone else they are not found."""
    if not scope_for(user).is_leader_or_above:
        raise Http404("No such page")


def _memberships_in_scope(user: AnyUser) -> QuerySet[Membership]:
    scope = scope_for(user)
    return (
        Membership.objects.filter(scope.chapters_q("chapter__"))
        .exclude(status=MembershipStatus.LEFT)
        .select_related("chapter")
        .order_by("chapter__name")
    )


def with_list_details(people: QuerySet[Person], user: AnyUser) -> QuerySet[Person]:
    """What a row of the people list shows, prefetched in a fixed number of queries per page:
    chapters in the user's scope (as ``visible_memberships``), emails, phones and tags."""
    return people.prefetch_related(
        Prefetch("memberships", queryset=_memberships_in_scope(user), to_attr="visible_memberships"),
        "emails",
        "phones",
        "tags",
    )


def chapters_for_filter(user: AnyUser) -> QuerySet[Chapter]:
    return chapters_managed_by(user).order_by("name")


def tags_in_use_by(user: AnyUser) -> QuerySet[Tag]:
    """Tags worn by at least one person in the user's scope."""
    if scope_for(user).national:
        # Everyone is in scope, and a tag exists only because someone was tagged: every tag. Asking
        # which tags live people wear costs PostgreSQL a join of every tagging with every person
        # (120 ms at 200,000 people; bench/people_import.py) for the same handful of tags.
        return Tag.objects.all()
    return Tag.objects.filter(
        Exists(PersonTag.objects.filter(tag=OuterRef("pk"), person__in=people_visible_to(user).values("pk")))
    )


def filter_people(
    user: AnyUser,
    *,
    query: str = "",
    chapter: Chapter | None = None,
    tag: Tag | None = None,
    email_opt_in: bool | None = None,
    sms_opt_in: bool | None = None,
) -> QuerySet[Person]:
    """The people list: search and filters over the user's scope, in name order, one row per person."""
    people = search_people(people_visible_to(user), query)
    if chapter is not None:
        in_chapter = Membership.objects.filter(person=OuterRef("pk"), chapter=chapter).exclude(
            status=MembershipStatus.LEFT
        )
        people = people.filter(Exists(in_chapter))
    if tag is not None:
        people = people.filter(Exists(PersonTag.objects.filter(person=OuterRef("pk"), tag=tag)))
    if email_opt_in is not None:
        people = people.filter(email_opt_in=email_opt_in)
    if sms_opt_in is not None:
        people = people.filter(sms_opt_in=sms_opt_in)
    return people.order_by("sort_name", "id")


def get_filter_chapter(user: AnyUser, chapter_id: int) -> Chapter:
    return get_object_or_404(chapters_managed_by(user), pk=chapter_id)


def get_tag(tag_id: int) -> Tag:
    return get_object_or_404(Tag, pk=tag_id)


def get_person_for_page(user: AnyUser, person_id: int) -> Person:
    """A person in scope with their contact details, tags and consent history prefetched."""
    consent = ConsentEvent.objects.select_related("recorded_by")
    people = people_visible_to(user).prefetch_related(
        "emails", "phones", "tags", Prefetch("consent_events", queryset=consent)
    )
    return get_object_or_404(people, pk=person_id)


def survivor_of_merged(user: AnyUser, person_id: int) -> Person | None:
    """For a record merged into someone else: the person it now lives on, if that person is in
    the user's scope. Old links keep working; a link to someone out of scope stays a 404."""
    current = person_id
    for _ in range(20):  # merges repoint older tombstones, so this is one hop in practice
        merged_into: int | None = Person.objects.filter(pk=current).values_list("merged_into_id", flat=True).first()
        if merged_into is None:
            break
        current = merged_into
    if current == person_id:
        return None
    return people_visible_to(user).filter(pk=current).first()


def duplicate_proposals_for(user: AnyUser) -> QuerySet[DuplicateProposal]:
    """The stored proposals (see people/proposals.py) whose two people are both in the user's scope,
    best first, without pairs since merged or dismissed. Fast at any size: it reads, never scores."""
    scope = scope_for(user)
    if not scope.is_leader_or_above:
        return DuplicateProposal.objects.none()
    dismissed = NotDuplicate.objects.filter(first=OuterRef("first"), second=OuterRef("second"))
    proposals = DuplicateProposal.objects.filter(first__merged_into__isnull=True, second__merged_into__isnull=True)
    if not scope.national:
        # The first person among the scope's people (an index range on first_id each), the second
        # checked pair by pair. "second IN (scope)" as well would let SQLite pair every person in
        # scope with every other through the (first, second) index: minutes for a big state.
        people = people_visible_to(user)
        proposals = proposals.filter(first__in=people.values("pk")).filter(
            Exists(people.filter(pk=OuterRef("second_id")))
        )
    return (
        proposals.exclude(Exists(dismissed))
        .select_related("first", "second")
        .prefetch_related("first__emails", "second__emails")
        .order_by("-score", "first_id", "second_id")
    )


def live_duplicate_proposals_for(user: AnyUser) -> list[dedupe.Proposal]:
    """Likely duplicates among the people this user may see, computed now (minutes for a national
    list: the page reads the stored ones; tests and bench/dedupe.py compare the two)."""
    if not scope_for(user).is_leader_or_above:
        return []
    return dedupe.propose_duplicates(people_visible_to(user))


@dataclass(frozen=True)
class RefreshStatus:
    """When proposals were last computed, the refresh under way if any, and whether the user may start one."""

    last: DuplicateRefresh | None
    job: Job | None
    can_refresh: bool


def duplicate_refresh_status(user: AnyUser) -> RefreshStatus:
    require_people_pages(user)
    job = proposals.active_refresh_job()
    return RefreshStatus(last=proposals.last_refresh(), job=job, can_refresh=proposals.can_refresh_duplicates(user))


def get_duplicate_pair(user: AnyUser, first_id: int, second_id: int) -> tuple[Person, Person]:
    """Two different people, both in scope (else 404), with their details prefetched."""
    if first_id == second_id:
        raise Http404("A person is not their own duplicate")
    people = people_visible_to(user).prefetch_related(
        "emails", "phones", "tags", Prefetch("memberships", queryset=Membership.objects.select_related("chapter"))
    )
    found = {person.pk: person for person in people.filter(pk__in=(first_id, second_id))}
    if len(found) != 2:
        raise Http404("No such pair")
    return found[first_id], found[second_id]

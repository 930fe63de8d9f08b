"""Reads of people, scoped to the acting user. Views, the API and exports read people only through here.

What a user sees of a person is the view of the owners in their scope (docs/privacy.md): national
staff see the person record and every fact with its source; a coordinator the view of their state
(which folds in the state's chapters); a leader their chapter's. A fact that does not reach the
scope is not shown, counted, searched or exported, and a person no owner in scope knows is a 404.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.urls import reverse

from groundswell.chapters.access import AnyUser, Scope, scope_for
from groundswell.chapters.models import Chapter, Owner
from groundswell.chapters.selectors import chapters_managed_by
from groundswell.core.models import Job
from groundswell.people import dedupe, facts, proposals
from groundswell.people.custom_fields import custom_fields_seen
from groundswell.people.models import (
    DETAIL_FIELDS,
    ConsentEvent,
    DetailFact,
    DuplicateProposal,
    DuplicateRefresh,
    EmailAddress,
    Membership,
    MembershipStatus,
    MergeRecord,
    NotDuplicate,
    Person,
    PersonNote,
    PersonTag,
    PersonTombstone,
    PersonView,
    PhoneNumber,
    Tag,
    TagListing,
    TimelineEntry,
    Via,
    address_text_of,
    full_name_of,
)

# ---- who is in sight ----------------------------------------------------------------------------


def people_visible_to(user: AnyUser) -> QuerySet[Person]:
    """Staff: everyone. Coordinators and leaders: the people an owner in their scope knows (has a
    view of). Everyone else: nobody."""
    scope = scope_for(user)
    people = Person.objects.live()
    if scope.national:
        return people
    if not scope.is_leader_or_above or not scope.view_owner_ids:
        return people.none()
    return people.filter(Exists(PersonView.objects.filter(person=OuterRef("pk"), owner_id__in=scope.view_owner_ids)))


def get_person(user: AnyUser, uid: str) -> Person:
    """A person in the user's scope, or 404 — the same answer for missing and forbidden."""
    person = people_visible_to(user).filter(uid=uid).first()
    if person is None:
        raise Http404("No such person")
    return person


def person_in_scope_by_pk(user: AnyUser, person_id: int) -> Person | None:
    return people_visible_to(user).filter(pk=person_id).first()


def visible_rows(scope: Scope) -> QuerySet[Any]:
    """One row per person in sight, in the scope's own view: Person rows for national staff, else
    PersonView rows of the scope's view owners (for a scope with several, the newest view of each
    person). Both carry the same field names, ``sort_name`` and ``person_id``-or-``pk``."""
    if scope.national:
        return Person.objects.live()
    owners = sorted(scope.view_owner_ids)
    if not scope.is_leader_or_above or not owners:
        return PersonView.objects.none()
    # A merged record has no views (facts.rebuild_views deletes them), so views need no join to be
    # live, and the uid for the page's links is a subquery a count leaves out: a count of the views
    # reads the (owner, sort_name, person) index alone.
    uid = Subquery(Person.objects.filter(pk=OuterRef("person_id")).values("uid")[:1])
    views = PersonView.objects.filter(owner_id__in=owners).annotate(uid=uid)
    if len(owners) > 1:
        newer = PersonView.objects.filter(
            person_id=OuterRef("person_id"), owner_id__in=owners, updated_at__gt=OuterRef("updated_at")
        )
        views = views.exclude(Exists(newer))
    return views


def person_column(scope: Scope) -> str:
    return "pk" if scope.national else "person_id"


# ---- a person as one user sees them ------------------------------------------------------------


@dataclass
class SeenFact:
    """A fact shown on a page: its value, whose it is and how it came in."""

    value: str
    owner: str
    via: str
    source: str
    at: dt.datetime
    is_primary: bool = False
    kind: str = ""

    @property
    def via_label(self) -> str:
        return Via(self.via).label if self.via in Via.values else self.via


@dataclass
class SeenPerson:
    """A person as one user sees them: the values of their scope's view, and only the facts that
    reach it. Templates use it as they would a Person."""

    pk: int
    uid: str
    first_name: str = ""
    middle_name: str = ""
    last_name: str = ""
    suffix: str = ""
    address_line1: str = ""
    address_line2: str = ""
    city: str = ""
    state: str = ""
    zip_code: str = ""
    birth_year: int | None = None
    email_opt_in: bool = False
    sms_opt_in: bool = False
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    source: str = ""
    country: str = "US"
    emails: list[SeenFact] = field(default_factory=list)
    phones: list[SeenFact] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    memberships: list[Membership] = field(default_factory=list)
    custom_fields: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> int:
        return self.pk

    @property
    def full_name(self) -> str:
        return full_name_of(self)

    @property
    def address_text(self) -> str:
        return address_text_of(self)

    @property
    def email(self) -> str:
        return self.emails[0].value if self.emails else ""

    @property
    def phone(self) -> str:
        return self.phones[0].value if self.phones else ""

    def __str__(self) -> str:
        return self.full_name or "(no name given)"

    def get_absolute_url(self) -> str:
        return reverse("people:detail", args=[self.uid])


def owner_labels(owner_ids: Iterable[int]) -> dict[int, str]:
    wanted = set(owner_ids)
    rows = Owner.objects.filter(pk__in=wanted).select_related("chapter")
    return {owner.pk: owner.label for owner in rows}


def _seen_from(row: Person | PersonView, uid: str) -> SeenPerson:
    values = {name: getattr(row, name) for name in DETAIL_FIELDS}
    seen = SeenPerson(
        pk=row.pk, uid=uid, email_opt_in=row.email_opt_in, sms_opt_in=row.sms_opt_in, created_at=row.created_at,
        updated_at=row.updated_at, **values,
    )  # fmt: skip
    if isinstance(row, PersonView):
        seen.pk = row.person_id
    else:
        seen.source, seen.country = row.source, row.country
    return seen


def seen_people(
    user: AnyUser,
    rows: Sequence[Person | PersonView],
    *,
    sources: bool = False,
    contacts: bool = True,
    custom_fields: bool = False,
) -> list[SeenPerson]:
    """The rows (from ``visible_rows``, which gives a view its person's uid) as the user sees them, with
    their emails, phones, tags and memberships in scope (unless ``contacts`` is False: names, places
    and consent only), and with ``sources`` whose each address and number is: a fixed number of
    queries however many rows. With ``custom_fields``, the custom fields in scope too (the API shows them;
    the pages do not)."""
    scope = scope_for(user)
    # A PersonView from visible_rows carries its person's uid as an annotation (the stubs cannot know).
    seen = [_seen_from(r, r.uid if isinstance(r, Person) else str(getattr(r, "uid"))) for r in rows]  # noqa: B009
    if contacts:
        _attach_contacts(scope, seen, sources=sources)
    if custom_fields:
        by_id = {s.pk: s for s in seen}
        for pid, values in custom_fields_seen(scope, list(by_id)).items():
            by_id[pid].custom_fields = values
    return seen


def _attach_contacts(scope: Scope, seen: list[SeenPerson], *, sources: bool) -> None:
    by_id = {s.pk: s for s in seen}
    if not by_id:
        return
    ids = list(by_id)
    labels: dict[int, str] = {}
    emails = EmailAddress.objects.filter(scope.owner_q(), person_id__in=ids).order_by("-is_primary", "id")
    phones = PhoneNumber.objects.filter(scope.owner_q(), person_id__in=ids).order_by("-is_primary", "id")
    listed: dict[tuple[str, int], set[str]] = defaultdict(set)
    email_rows = emails.values_list("person_id", "address", "owner_id", "via", "source", "recorded_at", "is_primary")
    for pid, value, owner_id, via, source, at, primary in email_rows:
        if value not in listed[("e", pid)]:  # one line per address, however many owners hold it
            listed[("e", pid)].add(value)
            by_id[pid].emails.append(SeenFact(value, str(owner_id), via, source, at, primary))
            labels[owner_id] = ""
    phone_rows = phones.values_list(
        "person_id", "number", "owner_id", "via", "source", "recorded_at", "is_primary", "kind"
    )
    for pid, value, owner_id, via, source, at, primary, kind in phone_rows:
        if value not in listed[("p", pid)]:
            listed[("p", pid)].add(value)
            by_id[pid].phones.append(SeenFact(value, str(owner_id), via, source, at, primary, kind))
            labels[owner_id] = ""
    tags = PersonTag.objects.filter(scope.owner_q(), person_id__in=ids).order_by("tag__name")
    for pid, name in tags.values_list("person_id", "tag__name").distinct():
        by_id[pid].tags.append(name)
    memberships = Membership.objects.filter(scope.chapters_q("chapter__"), person_id__in=ids).exclude(
        status=MembershipStatus.LEFT
    )
    for membership in memberships.select_related("chapter").order_by("chapter__name"):
        by_id[membership.person_id].memberships.append(membership)
    names = owner_labels(labels) if sources else {}
    for person in seen:
        for fact in (*person.emails, *person.phones):
            fact.owner = names.get(int(fact.owner), "")


def seen_person(user: AnyUser, person: Person, *, sources: bool = False, custom_fields: bool = False) -> SeenPerson:
    """One person (already fetched through a scoped selector) as the user sees them."""
    scope = scope_for(user)
    row: Person | PersonView | None = person
    if not scope.national:
        row = visible_rows(scope).filter(person=person).first()
        if row is None:
            raise Http404("No such person")
    assert row is not None
    return seen_people(user, [row], sources=sources, custom_fields=custom_fields)[0]


def get_seen_person(user: AnyUser, uid: str, *, custom_fields: bool = False) -> SeenPerson:
    return seen_person(user, get_person(user, uid), custom_fields=custom_fields)


# ---- the person page --------------------------------------------------------------------------


@dataclass
class FieldHistory:
    """One detail field on the person page: its current value and every value given, with sources."""

    name: str
    current: str
    given: list[tuple[str, SeenFact, int, bool]]  # (value, fact, detail fact id, differs from current)


@dataclass
class PersonPage:
    person: SeenPerson
    memberships: list[Membership]
    timeline: list[TimelineEntry]
    consents: list[ConsentEvent]
    notes: list[PersonNote]
    history: list[DetailFact]
    pending: list[DetailFact]
    merges: list[MergeRecord]
    national: bool


def person_page(user: AnyUser, uid: str) -> PersonPage:
    """Everything the person page shows, each part filtered to the facts that reach the user."""
    scope = scope_for(user)
    person = get_person(user, uid)
    seen = seen_person(user, person, sources=True)
    history = list(
        DetailFact.objects.filter(_details_q(scope, person), person=person)
        .select_related("owner__chapter", "recorded_by", "accepted_by")
        .order_by("-recorded_at", "-id")[:200]
    )
    pending = [f for f in history if scope.national and f.accepted_at is None and _differs(person, f)]
    return PersonPage(
        person=seen,
        memberships=list(memberships_visible_to(user, person)),
        timeline=list(timeline_of(user, person)[:100]),
        consents=list(
            ConsentEvent.objects.filter(scope.owner_q(), person=person).select_related("owner__chapter", "recorded_by")
        ),
        notes=list(
            PersonNote.objects.filter(scope.owner_q(), person=person).select_related("owner__chapter", "recorded_by")
        ),
        history=history,
        pending=pending,
        merges=list(MergeRecord.objects.filter(survivor=person, undone_at__isnull=True).select_related("other"))
        if scope.national
        else [],
        national=scope.national,
    )


def _details_q(scope: Scope, person: Person) -> Q:
    """Detail facts that reach the scope: its owners', and what the person shared with chapters they
    belong to in the scope."""
    if scope.national:
        return Q()
    member_here = Membership.objects.filter(scope.chapters_q("chapter__"), person=person).exclude(
        status=MembershipStatus.LEFT
    )
    return scope.owner_q() | (Q(shared=True) & Q(Exists(member_here)))


def _differs(person: Person, fact: DetailFact) -> bool:
    return any(getattr(person, name) != value for name, value in fact.values.items())


def memberships_visible_to(user: AnyUser, person: Person) -> QuerySet[Membership]:
    scope = scope_for(user)
    return person.memberships.filter(scope.chapters_q("chapter__")).select_related("chapter")


def timeline_of(user: AnyUser, person: Person) -> QuerySet[TimelineEntry]:
    """The person's history, only the entries whose owner's facts reach the user."""
    scope = scope_for(user)
    return person.timeline.filter(scope.owner_q()).select_related("owner__chapter", "actor")


def get_detail_fact(user: AnyUser, uid: str, fact_id: int) -> DetailFact:
    """For national staff accepting details: a fact of a person in scope, else 404."""
    person = get_person(user, uid)
    fact = DetailFact.objects.filter(_details_q(scope_for(user), person), person=person, pk=fact_id).first()
    if fact is None:
        raise Http404("No such details")
    return fact


def get_merge_record(user: AnyUser, uid: str, record_id: int) -> MergeRecord:
    person = get_person(user, uid)
    record = MergeRecord.objects.filter(survivor=person, pk=record_id, undone_at__isnull=True).first()
    if record is None or not scope_for(user).national:
        raise Http404("No such merge")
    return record


# ---- searching and listing ---------------------------------------------------------------------


def _starts_with(column: str, prefix: str) -> Q:
    """A prefix match that can use an index, with the same prefix as a range beside the LIKE where
    the range means the same thing: SQLite never uses an index for LIKE here (its LIKE is
    case-insensitive and would need a NOCASE index), and PostgreSQL under a C collation otherwise
    walks the people list's name index from "a" filtering on LIKE (30 ms for "smit" at 200,000)."""
    q = Q(**{f"{column}__startswith": prefix})
    if _sorts_by_code_point():
        q &= Q(**{f"{column}__gte": prefix, f"{column}__lt": prefix + "\U0010ffff"})
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


def search_rows(scope: Scope, rows: QuerySet[Any], query: str) -> QuerySet[Any]:
    """Prefix search on name, email or phone, over the scope's own facts only; each branch can use an
    index (see bench/people_import.py). Emails and phones are matched in a subquery, not a join, so
    a person is one row without DISTINCT."""
    text = query.strip().lower()
    if not text:
        return rows
    column = person_column(scope)
    if "@" in text:
        found = EmailAddress.objects.filter(scope.owner_q(), _starts_with("address", text))
        return rows.filter(**{f"{column}__in": found.values("person_id")})
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) >= 7 and len(digits) >= len(text.replace(" ", "")) - 4:
        # "Ends with these digits" is "the reversed digits start with them reversed": index-friendly.
        found_phones = PhoneNumber.objects.filter(scope.owner_q(), _starts_with("digits_reversed", digits[-10:][::-1]))
        return rows.filter(**{f"{column}__in": found_phones.values("person_id")})
    parts = text.split()
    if len(parts) == 1:
        return rows.filter(_starts_with("sort_name", parts[0]))
    # "first last" or "last, first"
    first, last = (parts[1], parts[0].rstrip(",")) if parts[0].endswith(",") else (parts[0], parts[-1])
    return rows.filter(_starts_with("sort_name", f"{last} {first}"))


def search_people(people: QuerySet[Person], query: str) -> QuerySet[Person]:
    """National's search over Person rows (every fact), for callers that hold a Person queryset."""
    return search_rows(Scope(national=True), people, query)


def filter_people(
    user: AnyUser,
    *,
    query: str = "",
    chapter: Chapter | None = None,
    tag: Tag | None = None,
    email_opt_in: bool | None = None,
    sms_opt_in: bool | None = None,
) -> QuerySet[Any]:
    """The people list: search and filters over the user's scope, in name order, one row per person
    (Person rows for national staff, PersonView rows for everyone else: see ``visible_rows``)."""
    scope = scope_for(user)
    column = person_column(scope)
    rows = search_rows(scope, visible_rows(scope), query)
    if chapter is not None:
        in_chapter = Membership.objects.filter(person=OuterRef(column), chapter=chapter).exclude(
            status=MembershipStatus.LEFT
        )
        rows = rows.filter(Exists(in_chapter))
    if tag is not None:
        rows = rows.filter(Exists(PersonTag.objects.filter(scope.owner_q(), person=OuterRef(column), tag=tag)))
    if email_opt_in is not None:
        rows = rows.filter(email_opt_in=email_opt_in)
    if sms_opt_in is not None:
        rows = rows.filter(sms_opt_in=sms_opt_in)
    return rows.order_by("sort_name", column)


def count_in_scope(user: AnyUser) -> int:
    return visible_rows(scope_for(user)).count()


def require_people_pages(user: AnyUser) -> None:
    """The people pages exist only for leaders and above; for anyone else they are not found."""
    if not scope_for(user).is_leader_or_above:
        raise Http404("No such page")


def chapters_for_filter(user: AnyUser) -> QuerySet[Chapter]:
    return chapters_managed_by(user).order_by("name")


def tags_in_use_by(user: AnyUser) -> QuerySet[Tag]:
    """Tags the user's scope has put on at least one live person."""
    scope = scope_for(user)
    if scope.national:
        # Every fact is in scope, and a tag exists only because someone was tagged: every tag. Asking
        # which tags live people wear costs PostgreSQL a join of every tagging with every person
        # (120 ms at 200,000 people; bench/people_import.py) for the same handful of tags.
        return Tag.objects.all()
    if not scope.fact_owner_ids:
        return Tag.objects.none()
    return Tag.objects.filter(Exists(PersonTag.objects.filter(scope.owner_q(), tag=OuterRef("pk"))))


def get_filter_chapter(user: AnyUser, chapter_id: int) -> Chapter:
    chapter = chapters_managed_by(user).filter(pk=chapter_id).first()
    if chapter is None:
        raise Http404("No such chapter")
    return chapter


def get_tag(tag_id: int) -> Tag:
    tag = Tag.objects.filter(pk=tag_id).first()
    if tag is None:
        raise Http404("No such tag")
    return tag


def survivor_of_merged(user: AnyUser, uid: str) -> Person | None:
    """For a record merged into someone else: the person it now lives on, if that person is in
    the user's scope. Old links keep working; a link to someone out of scope stays a 404."""
    current = Person.objects.filter(uid=uid).values_list("pk", "merged_into_id").first()
    if current is None or current[1] is None:
        return None
    target = current[1]
    for _ in range(20):  # merges repoint older tombstones, so this is one hop in practice
        merged_into = Person.objects.filter(pk=target).values_list("merged_into_id", flat=True).first()
        if merged_into is None:
            break
        target = merged_into
    return people_visible_to(user).filter(pk=target).first()


# ---- chapters' members and figures --------------------------------------------------------------


def chapter_memberships(user: AnyUser, chapter: Chapter) -> QuerySet[Membership]:
    """The current members of a chapter the user may see, newest first (a page of them goes through
    ``with_seen`` to be shown)."""
    return (
        Membership.objects.filter(chapter=chapter, person__in=people_visible_to(user))
        .exclude(status=MembershipStatus.LEFT)
        .select_related("chapter")
        .order_by("-joined_on", "-id")
    )


def with_seen(user: AnyUser, memberships: Sequence[Membership]) -> list[tuple[Membership, SeenPerson]]:
    """Each membership with its person as the user sees them — name, place and consent, in one query —
    leaving out people out of scope."""
    scope = scope_for(user)
    ids = [m.person_id for m in memberships]
    rows = visible_rows(scope).filter(**{f"{person_column(scope)}__in": ids})
    seen = {s.pk: s for s in seen_people(user, list(rows), contacts=False)}
    return [(m, seen[m.person_id]) for m in memberships if m.person_id in seen]


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
        .select_related("chapter")
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
    """Members, those who joined on or after ``since``, and those who may be emailed — by national's
    consent for national staff, by the member's chapter's for everyone else: one query."""
    memberships = memberships_in_scope(user, chapters)
    if scope_for(user).national:
        consent = Q(person__email_opt_in=True)
    else:
        chapter_view = PersonView.objects.filter(
            person_id=OuterRef("person_id"), owner__chapter_id=OuterRef("chapter_id"), email_opt_in=True
        )
        memberships = memberships.annotate(chapter_consent=Exists(chapter_view))
        consent = Q(chapter_consent=True)
    figures = memberships.aggregate(
        members=Count("person", distinct=True),
        new_since=Count("person", distinct=True, filter=Q(joined_on__gte=since)),
        email_consent=Count("person", distinct=True, filter=consent),
    )
    return MemberFigures(**figures)


def contact_emails_for_chapter(chapter: Chapter, person_ids: Iterable[int]) -> dict[int, str]:
    """Each person's first address that the chapter itself was given: what a chapter's own mail (its
    ballots) goes to. People the chapter has no address for are left out."""
    found: dict[int, str] = {}
    rows = EmailAddress.objects.filter(owner__chapter=chapter, person_id__in=list(person_ids)).order_by(
        "-is_primary", "id"
    )
    for pid, address in rows.values_list("person_id", "address"):
        found.setdefault(pid, address)
    return found


def first_names_for_chapter(chapter: Chapter, person_ids: Iterable[int]) -> dict[int, str]:
    """Each person's first name as the chapter knows it (its view), for the chapter's own mail."""
    views = PersonView.objects.filter(owner__chapter=chapter, person_id__in=list(person_ids)).exclude(first_name="")
    return dict(views.values_list("person_id", "first_name"))


def callable_members(
    owner: Owner, person_ids: Iterable[int], *, texts: bool, excluded_phones: set[str]
) -> list[tuple[int, str, str]]:
    """(person id, name, phone) of these people as ``owner`` knows them — its view's name, a number it
    was given and, for texts, its own SMS consent — in its name order; people it has no number for
    are left out. What a chapter's call list is made of: never another chapter's facts."""
    reaching = facts.owners_reaching(owner)
    ids = list(person_ids)
    views = PersonView.objects.filter(owner=owner, person_id__in=ids, person__merged_into__isnull=True)
    if texts:
        views = views.filter(sms_opt_in=True)
    phones: dict[int, str] = {}
    numbers = PhoneNumber.objects.filter(owner_id__in=reaching, person_id__in=ids).order_by("-is_primary", "id")
    for pid, number in numbers.values_list("person_id", "number"):
        if number not in excluded_phones:
            phones.setdefault(pid, number)
    return [
        (v.person_id, full_name_of(v) or "(no name given)", phones[v.person_id])
        for v in views.order_by("sort_name", "person_id")
        if v.person_id in phones
    ]


def names_seen_by(user: AnyUser, person_ids: Iterable[int]) -> dict[int, str]:
    """Each person's name as the user sees it; people out of scope are left out."""
    scope = scope_for(user)
    ids = list(person_ids)
    rows = visible_rows(scope).filter(**{f"{person_column(scope)}__in": ids})
    return {(r.pk if isinstance(r, Person) else r.person_id): (full_name_of(r) or "(no name given)") for r in rows}


# ---- duplicates ------------------------------------------------------------------------------


@dataclass
class ScopedProposal:
    """A stored proposal as one user may see it: scored again from the facts in their scope."""

    first: SeenPerson
    second: SeenPerson
    score: int
    reasons: list[str]
    doubts: list[str]
    changed_since: bool = False

    @property
    def people(self) -> tuple[SeenPerson, SeenPerson]:
        return self.first, self.second


def duplicate_proposals_for(user: AnyUser) -> list[ScopedProposal]:
    """Stored proposals (people/proposals.py) whose two people are both in the user's scope, best
    first, without pairs since merged or dismissed. National staff see them as scored; anyone else
    sees a pair only if the facts in their own scope score it as a likely duplicate, with the reasons
    those facts give: a proposal never tells a chapter what another chapter knows."""
    scope = scope_for(user)
    if not scope.is_leader_or_above:
        return []
    dismissed = NotDuplicate.objects.filter(first=OuterRef("first"), second=OuterRef("second"))
    stored = DuplicateProposal.objects.filter(first__merged_into__isnull=True, second__merged_into__isnull=True)
    if not scope.national:
        # The first person among the scope's people (an index range on first_id each), the second
        # checked pair by pair. "second IN (scope)" as well would let SQLite pair every person in
        # scope with every other through the (first, second) index: minutes for a big state.
        people = people_visible_to(user)
        stored = stored.filter(first__in=people.values("pk")).filter(Exists(people.filter(pk=OuterRef("second_id"))))
    pairs = list(
        stored.exclude(Exists(dismissed))
        .order_by("-score", "first_id", "second_id")
        .values_list("first_id", "second_id", "score", "reasons", "doubts", "computed_at")
    )
    return _scoped_proposals(user, scope, pairs)


def _scoped_proposals(user: AnyUser, scope: Scope, pairs: list[tuple[Any, ...]]) -> list[ScopedProposal]:
    ids = {pid for pair in pairs for pid in pair[:2]}
    rows = visible_rows(scope).filter(**{f"{person_column(scope)}__in": list(ids)})
    seen = {s.pk: s for s in seen_people(user, list(rows))}
    candidates = {pid: _candidate(s) for pid, s in seen.items()}
    found = []
    for first_id, second_id, score, reasons, doubts, computed_at in pairs:
        if first_id not in seen or second_id not in seen:
            continue
        changed = any((seen[i].updated_at or computed_at) > computed_at for i in (first_id, second_id))
        if scope.national:
            found.append(ScopedProposal(seen[first_id], seen[second_id], score, reasons, doubts, changed))
            continue
        match = dedupe.score_pair(candidates[first_id], candidates[second_id])
        if match.score >= dedupe.PROPOSAL_THRESHOLD:
            found.append(ScopedProposal(seen[first_id], seen[second_id], match.score, match.reasons, match.doubts))
    found.sort(key=lambda p: (-p.score, p.first.pk, p.second.pk))
    return found


def _candidate(person: SeenPerson) -> dedupe.Candidate:
    return dedupe.Candidate(
        id=person.pk, first_name=person.first_name, last_name=person.last_name, address_line1=person.address_line1,
        city=person.city, state=person.state, zip_code=person.zip_code, birth_year=person.birth_year,
        emails=tuple(e.value for e in person.emails), phones=tuple(p.value for p in person.phones),
    )  # fmt: skip


def explain_pair(user: AnyUser, first: SeenPerson, second: SeenPerson) -> dedupe.Match:
    """The score and reasons for two people, from what the user sees of them."""
    return dedupe.score_pair(_candidate(first), _candidate(second))


def live_duplicate_proposals_for(user: AnyUser) -> list[dedupe.Proposal]:
    """Likely duplicates among everyone, computed now (minutes for a national list: the page reads the
    stored ones; tests and bench/dedupe.py compare the two). National staff only: it reads every fact."""
    if not scope_for(user).national:
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


def get_duplicate_pair(user: AnyUser, first_uid: str, second_uid: str) -> tuple[Person, Person]:
    """Two different people, both in scope (else 404)."""
    if first_uid == second_uid:
        raise Http404("A person is not their own duplicate")
    return get_person(user, first_uid), get_person(user, second_uid)


# ---- the API's tags, taggings and tombstones ------------------------------------------------------


def tags_for(user: AnyUser) -> QuerySet[Tag]:
    """Tags the user's scope wears on someone or listed for itself (POST /tags); national: every tag."""
    scope = scope_for(user)
    if scope.national:
        return Tag.objects.all()
    if not scope.fact_owner_ids:
        return Tag.objects.none()
    listed = TagListing.objects.filter(scope.owner_q(), tag=OuterRef("pk"))
    worn = PersonTag.objects.filter(scope.owner_q(), tag=OuterRef("pk"))
    return Tag.objects.filter(Exists(listed) | Exists(worn))


def get_tag_for(user: AnyUser, tag_id: int) -> Tag:
    """A tag in the user's list (``tags_for``), or 404: a tag name another owner made is not told."""
    tag = tags_for(user).filter(pk=tag_id).first()
    if tag is None:
        raise Http404("No such tag")
    return tag


def taggings_visible_to(user: AnyUser) -> QuerySet[PersonTag]:
    """Taggings the user's scope made, of live people in their sight, oldest first."""
    scope = scope_for(user)
    if not scope.is_leader_or_above:
        return PersonTag.objects.none()
    taggings = PersonTag.objects.filter(scope.owner_q(), person__merged_into__isnull=True)
    if not scope.national:
        taggings = taggings.filter(person__in=people_visible_to(user))
    return taggings.select_related("person", "tag").order_by("added_at", "id")


def get_tagging(user: AnyUser, tag: Tag, tagging_id: int) -> PersonTag:
    tagging = taggings_visible_to(user).filter(tag=tag, pk=tagging_id).first()
    if tagging is None:
        raise Http404("No such tagging")
    return tagging


def tombstones_for(user: AnyUser) -> QuerySet[PersonTombstone]:
    """People who left the sight of an owner in the user's scope (deleted, or merged into someone),
    oldest first; national staff: all."""
    scope = scope_for(user)
    if scope.national:
        return PersonTombstone.objects.order_by("occurred_at", "id")
    if not scope.is_leader_or_above or not scope.fact_owner_ids:
        return PersonTombstone.objects.none()
    return PersonTombstone.objects.filter(
        Exists(PersonTombstone.owners.through.objects.filter(
            persontombstone_id=OuterRef("pk"), owner_id__in=scope.fact_owner_ids
        ))
    ).order_by("occurred_at", "id")  # fmt: skip

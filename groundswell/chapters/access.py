"""The one access-control mechanism: what a user's roles let them see.

Every selector in every app starts from ``scope_for(user)`` and filters with it; no view asks
"is this user allowed?" on its own. An object outside the scope is treated as missing (404).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from groundswell.chapters.models import Chapter, Owner, OwnerKind, Role, RoleGrant
from groundswell.core.models import User

AnyUser = User | AnonymousUser

_CACHE_ATTR = "_groundswell_scope"


@dataclass(frozen=True)
class Scope:
    """The roles of one user, resolved once per request."""

    user_id: int | None = None
    national: bool = False
    coordinator_states: frozenset[str] = frozenset()
    led_chapter_ids: frozenset[int] = frozenset()
    volunteer_chapter_ids: frozenset[int] = frozenset()
    candidate: bool = False
    partner_organizations: frozenset[str] = frozenset()
    roles: frozenset[str] = field(default_factory=frozenset)
    # Filled on first use (a page that reads no people pays no query): see fact_owner_ids.
    _owners: list[tuple[frozenset[int], frozenset[int]]] = field(default_factory=list, compare=False, repr=False)

    @property
    def fact_owner_ids(self) -> frozenset[int]:
        """The owners whose facts about people this scope sees: its chapters, its states and their
        chapters. Empty for national staff, who see every fact (use ``owner_q``)."""
        return self._resolved_owners()[0]

    @property
    def view_owner_ids(self) -> frozenset[int]:
        """The owners whose views of a person this scope reads: a state's for a coordinator (it folds
        in the state's chapters), a chapter's for a leader outside those states."""
        return self._resolved_owners()[1]

    def _resolved_owners(self) -> tuple[frozenset[int], frozenset[int]]:
        if not self._owners:
            self._owners.append(_owners_of(self.led_chapter_ids, self.coordinator_states))
        return self._owners[0]

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    @property
    def is_leader_or_above(self) -> bool:
        return self.national or bool(self.coordinator_states) or bool(self.led_chapter_ids)

    @property
    def can_export_people(self) -> bool:
        """Volunteers, candidates and partners never export; leaders export their own chapter."""
        return self.is_leader_or_above

    @property
    def can_manage_roles(self) -> bool:
        return self.national

    @property
    def can_read_audit_log(self) -> bool:
        return self.national

    def chapters_q(self, prefix: str = "") -> Q:
        """A filter on Chapter (or on a relation to it, through ``prefix``) for chapters in scope."""
        if self.national:
            # Always true, and still true when OR-ed: an empty Q() vanishes from "a | Q()", leaving
            # just "a". Django compiles NOT (pk IN ()) to no condition at all.
            return ~Q(**{f"{prefix}pk__in": []})
        q = Q(**{f"{prefix}pk__in": self.led_chapter_ids})
        if self.coordinator_states:
            q |= Q(**{f"{prefix}state__in": self.coordinator_states})
        return q

    def owner_q(self, prefix: str = "") -> Q:
        """A filter on a fact (or on a relation to one, through ``prefix``) for facts this scope sees."""
        if self.national:
            return ~Q(**{f"{prefix}pk__in": []})
        return Q(**{f"{prefix}owner_id__in": self.fact_owner_ids})

    def manages_chapter(self, chapter: Chapter) -> bool:
        return (
            self.national
            or chapter.pk in self.led_chapter_ids
            or (chapter.state != "" and chapter.state in self.coordinator_states)
        )


ANONYMOUS_SCOPE = Scope()


def scope_for(user: AnyUser) -> Scope:
    if not user.is_authenticated:
        return ANONYMOUS_SCOPE
    assert isinstance(user, User)
    cached: Scope | None = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    grants = list(
        RoleGrant.objects.active().filter(user=user).values_list("role", "state", "chapter_id", "organization")
    )
    led = frozenset(c for role, _, c, _ in grants if role == Role.CHAPTER_LEADER and c)
    states = frozenset(s for role, s, _, _ in grants if role == Role.STATE_COORDINATOR)
    scope = Scope(
        user_id=user.pk,
        national=user.is_superuser or any(role == Role.NATIONAL_STAFF for role, *_ in grants),
        coordinator_states=states,
        led_chapter_ids=led,
        volunteer_chapter_ids=frozenset(c for role, _, c, _ in grants if role == Role.VOLUNTEER and c),
        candidate=any(role == Role.CANDIDATE for role, *_ in grants),
        partner_organizations=frozenset(o for role, _, _, o in grants if role == Role.PARTNER_LIAISON and o),
        roles=frozenset(role for role, *_ in grants) | ({Role.NATIONAL_STAFF.value} if user.is_superuser else set()),
    )
    setattr(user, _CACHE_ATTR, scope)
    return scope


def _owners_of(led: frozenset[int], states: frozenset[str]) -> tuple[frozenset[int], frozenset[int]]:
    """(owners whose facts the scope sees, owners whose views it reads), in one query."""
    if not led and not states:
        return frozenset(), frozenset()
    rows = Owner.objects.filter(Q(chapter_id__in=led) | Q(state__in=states)).values_list("pk", "kind", "state")
    facts, views = set(), set()
    for pk, kind, state in rows:
        facts.add(pk)
        # A coordinator reads the state's view; a chapter they lead outside their states, its own.
        if (kind == OwnerKind.STATE and state in states) or (kind == OwnerKind.CHAPTER and state not in states):
            views.add(pk)
    return frozenset(facts), frozenset(views)


def forget_scope(user: AnyUser) -> None:
    """Drop the cached scope, after the user's roles changed."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)

"""Reads of voter data and of what organizers made from it, scoped to the acting user.

Who sees voters (chapters.access.scope_for is the only source of roles):
- national staff: every state's voter file;
- state coordinators: their states' files;
- chapter leaders: the voters inside their chapters' areas;
- volunteers, candidates, partner liaisons: nothing (every voter page and API answers 404).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from groundswell.chapters.access import AnyUser, Scope, scope_for
from groundswell.chapters.models import AreaKind, Chapter, Owner, OwnerKind
from groundswell.chapters.owners import chapter_owner
from groundswell.people.models import Person, PersonTag
from groundswell.people.selectors import (
    SeenPerson,
    people_visible_to,
    person_column,
    seen_people,
    tags_in_use_by,
    visible_rows,
)
from groundswell.voterfile.engines import Engine
from groundswell.voters import engine as voter_engine
from groundswell.voters import linking
from groundswell.voters.models import (
    ImportStatus,
    LinkStatus,
    SavedUniverse,
    VoterImport,
    VoterList,
    VoterPersonLink,
    linked_statuses,
)
from groundswell.voters.queries import VoterArea, resolve_area


def require_voter_access(user: AnyUser) -> Scope:
    """Voter pages exist only for leaders and above; for anyone else they are not found."""
    scope = scope_for(user)
    if not scope.is_leader_or_above:
        raise Http404("No such page")
    return scope


def can_export_voters(user: AnyUser) -> bool:
    """Exporting voters: leaders and above, never volunteers, candidates or partners."""
    return scope_for(user).is_leader_or_above


def can_import_voters(user: AnyUser) -> bool:
    scope = scope_for(user)
    return scope.national or bool(scope.coordinator_states)


@dataclass(frozen=True)
class Workspace:
    """Where a user targets: a whole state (staff, coordinators) or a chapter's area."""

    state: str
    chapter: Chapter | None = None
    # National staff's whole-state workspace also counts national's own tags; anyone else's, only
    # tags put on by the owners the workspace's place reaches (docs/privacy.md).
    national: bool = False

    @property
    def key(self) -> str:
        return f"chapter:{self.chapter.slug}" if self.chapter else f"state:{self.state}"

    @property
    def label(self) -> str:
        return f"{self.chapter.name} ({self.state})" if self.chapter else f"All of {self.state}"


def voter_states_of(scope: Scope) -> set[str] | None:
    """The states whose voters the user may read at least a part of; None means every state."""
    if scope.national:
        return None
    states = set(scope.coordinator_states)
    states |= set(Chapter.objects.filter(pk__in=scope.led_chapter_ids).values_list("state", flat=True))
    return states


def workspaces_for(user: AnyUser) -> list[Workspace]:
    """The places the user may target in, among the states that have voter data."""
    scope = require_voter_access(user)
    with_data = voter_engine.states_with_data()
    whole = [s for s in with_data if scope.national or s in scope.coordinator_states]
    chapters = Chapter.objects.filter(scope.chapters_q(), state__in=with_data).order_by("state", "name")
    spaces = [Workspace(s, national=scope.national) for s in whole] + [Workspace(c.state, c) for c in chapters]
    return sorted(spaces, key=lambda w: (w.state, w.chapter is not None, w.label))


def get_workspace(user: AnyUser, key: str) -> Workspace:
    """A workspace by its key (state:NC, chapter:raleigh) if the user may target there, else 404."""
    scope = require_voter_access(user)
    kind, _, value = key.partition(":")
    if kind == "state" and (scope.national or value in scope.coordinator_states):
        return Workspace(value.upper(), national=scope.national)
    if kind == "chapter":
        chapter = get_object_or_404(Chapter.objects.filter(scope.chapters_q()), slug=value)
        return Workspace(chapter.state, chapter)
    raise Http404("No such place")


def workspace_of(item: SavedUniverse | VoterList, user: AnyUser) -> Workspace:
    return Workspace(item.state, item.chapter, national=item.chapter is None and scope_for(user).national)


def tag_owner_ids(workspace: Workspace) -> list[int]:
    """Whose tags a targeting query in this workspace may use: the chapter's own; for a whole state,
    the state's and its chapters' (and national's, for national staff)."""
    if workspace.chapter is not None:
        return [chapter_owner(workspace.chapter).pk]
    owners = Owner.objects.filter(state=workspace.state)
    if workspace.national:
        owners = owners | Owner.objects.filter(kind=OwnerKind.NATIONAL)
    return list(owners.values_list("pk", flat=True))


def area_for(workspace: Workspace, engine: Engine) -> VoterArea | None:
    """The chapter's area in voter-file terms (None for a whole state): the one place ChapterArea's
    counties, cities and ZIP codes become county ids, city names and ZIP codes of the voter file."""
    if workspace.chapter is None:
        return None
    counties: list[str] = []
    cities: list[str] = []
    zips: list[str] = []
    for kind, value in workspace.chapter.areas.values_list("kind", "value"):
        {AreaKind.COUNTY: counties, AreaKind.CITY: cities, AreaKind.ZIP: zips}[AreaKind(kind)].append(value)
    return resolve_area(engine, counties, cities, zips)


def _owned_q(scope: Scope) -> Q:
    if scope.national:
        return Q()
    return Q(chapter_id__in=scope.led_chapter_ids) | Q(state__in=scope.coordinator_states)


def universes_visible_to(user: AnyUser) -> QuerySet[SavedUniverse]:
    scope = scope_for(user)
    if not scope.is_leader_or_above:
        return SavedUniverse.objects.none()
    return SavedUniverse.objects.filter(_owned_q(scope)).select_related("chapter", "owner")


def get_universe(user: AnyUser, universe_id: int) -> SavedUniverse:
    require_voter_access(user)
    return get_object_or_404(universes_visible_to(user), pk=universe_id)


def lists_visible_to(user: AnyUser) -> QuerySet[VoterList]:
    scope = scope_for(user)
    if not scope.is_leader_or_above:
        return VoterList.objects.none()
    return VoterList.objects.filter(_owned_q(scope)).select_related("chapter", "universe", "created_by")


def get_voter_list(user: AnyUser, list_id: int) -> VoterList:
    require_voter_access(user)
    return get_object_or_404(lists_visible_to(user), pk=list_id)


def imports_visible_to(user: AnyUser) -> QuerySet[VoterImport]:
    scope = scope_for(user)
    if scope.national:
        return VoterImport.objects.select_related("created_by", "job")
    return VoterImport.objects.filter(state__in=scope.coordinator_states).select_related("created_by", "job")


def get_voter_import(user: AnyUser, import_id: int) -> VoterImport:
    if not can_import_voters(user):
        raise Http404("No such page")
    return get_object_or_404(imports_visible_to(user), pk=import_id)


def latest_imports(states: list[str]) -> dict[str, VoterImport]:
    found: dict[str, VoterImport] = {}
    for item in VoterImport.objects.filter(state__in=states, status=ImportStatus.IMPORTED).order_by("-finished_at"):
        found.setdefault(item.state, item)
    return found


def links_visible_to(user: AnyUser) -> QuerySet[VoterPersonLink]:
    """Matches of people the user may see, in states whose voters they may read."""
    scope = scope_for(user)
    if not scope.is_leader_or_above:
        return VoterPersonLink.objects.none()
    links = VoterPersonLink.objects.filter(person__in=people_visible_to(user)).select_related("person")
    states = voter_states_of(scope)
    return links if states is None else links.filter(state__in=states)


def review_queue(user: AnyUser) -> QuerySet[VoterPersonLink]:
    return links_visible_to(user).filter(status=LinkStatus.REVIEW).order_by("-confidence", "id")


@dataclass(frozen=True)
class LinkToReview:
    """A voter match as one user may review it: the person as they see them, scored from that alone."""

    link: VoterPersonLink
    person: SeenPerson
    confidence: int
    reasons: tuple[str, ...]


def links_to_review(user: AnyUser) -> list[LinkToReview]:
    """The review queue, each pair scored again from what the user sees of the person: a chapter never
    learns a birth year or address that only another chapter gave (national sees them as stored)."""
    scope = scope_for(user)
    links = list(review_queue(user))
    rows = visible_rows(scope).filter(**{f"{person_column(scope)}__in": [link.person_id for link in links]})
    seen = {p.pk: p for p in seen_people(user, list(rows))}
    found = []
    for link in links:
        person = seen.get(link.person_id)
        if person is None:
            continue
        if scope.national:
            found.append(LinkToReview(link, person, link.confidence, tuple(link.reasons)))
            continue
        row = linking.PersonRow(
            person.pk, person.first_name, person.last_name, person.address_line1, person.zip_code, person.birth_year
        )
        voter = {key: None for key in ("first_name", "house_number", "street_name", "zip", "birth_year")}
        points, reasons = linking.score(row, {**voter, **link.voter_summary})
        if points >= linking.REVIEW:
            found.append(LinkToReview(link, person, points, reasons))
    found.sort(key=lambda item: (-item.confidence, item.link.pk))
    return found


def get_link(user: AnyUser, link_id: int) -> VoterPersonLink:
    require_voter_access(user)
    return get_object_or_404(links_visible_to(user), pk=link_id)


def links_of_voter(user: AnyUser, state: str, voter_id: str) -> QuerySet[VoterPersonLink]:
    return links_visible_to(user).filter(state=state, voter_id=voter_id).filter(linked_statuses())


def tag_choices(user: AnyUser) -> list[str]:
    """The tags the user's scope put on people it sees."""
    return list(tags_in_use_by(user).values_list("name", flat=True).order_by("name"))


def voter_ids_tagged(workspace: Workspace, tag_names: list[str]) -> tuple[str, ...]:
    """Voter ids linked (automatically or confirmed) to live people carrying any of these tags, as put
    on by the owners the workspace reaches: another chapter's tags never shape a count."""
    state = workspace.state
    tagged = PersonTag.objects.filter(tag__name__in=tag_names, owner_id__in=tag_owner_ids(workspace)).values(
        "person_id"
    )
    links = VoterPersonLink.objects.filter(linked_statuses(), state=state, person_id__in=tagged)
    return tuple(sorted(set(links.values_list("voter_id", flat=True))))


def people_to_match(state: str) -> QuerySet[Person]:
    """Live people of a state with what matching needs: a last name and a first name."""
    return Person.objects.live().filter(state=state).exclude(last_name="").exclude(first_name="")

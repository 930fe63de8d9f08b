"""Reads of field work, scoped to the acting user (chapters.access.scope_for is the only source of roles).

- Campaigns, turfs, call lists and their assignments: national staff everywhere, coordinators in their
  states, leaders in their chapters. Nobody else.
- A turf or call list to canvass (open its page and record results on it): those who manage it, and the
  volunteer it is assigned to, only while the assignment is live (not expired, not revoked). For anyone
  else it does not exist (404), and results sent for it are refused. Leaders, coordinators and staff
  knock doors too: whoever may open a turf's canvassing page may record its results.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from groundswell.chapters.access import AnyUser, Scope, scope_for
from groundswell.chapters.models import Role, RoleGrant
from groundswell.core.models import User
from groundswell.field.models import Assignment, CallList, Campaign, Contact, ControlVoter, Script, Turf, TurfCut
from groundswell.voters.models import VoterList
from groundswell.voters.selectors import lists_visible_to


def _campaigns_q(scope: Scope) -> Q:
    if scope.national:
        return Q()
    return Q(chapter_id__in=scope.led_chapter_ids) | Q(state__in=scope.coordinator_states)


def require_field_manager(user: AnyUser) -> Scope:
    """Managing field work is for leaders and above; for anyone else the pages do not exist."""
    scope = scope_for(user)
    if not scope.is_leader_or_above:
        raise Http404("No such page")
    return scope


def campaigns_visible_to(user: AnyUser) -> QuerySet[Campaign]:
    scope = scope_for(user)
    if not scope.is_leader_or_above:
        return Campaign.objects.none()
    return Campaign.objects.filter(_campaigns_q(scope)).select_related("chapter")


def get_campaign(user: AnyUser, campaign_id: int) -> Campaign:
    require_field_manager(user)
    return get_object_or_404(campaigns_visible_to(user), pk=campaign_id)


def scripts_of(campaign: Campaign) -> QuerySet[Script]:
    return campaign.scripts.order_by("-created_at", "-id")


def current_script(campaign: Campaign) -> Script | None:
    """The newest script of the campaign is the one canvassers use."""
    return scripts_of(campaign).first()


def turfs_managed_by(user: AnyUser) -> QuerySet[Turf]:
    return Turf.objects.filter(campaign__in=campaigns_visible_to(user)).select_related("campaign", "voter_list")


def get_managed_turf(user: AnyUser, turf_id: int) -> Turf:
    require_field_manager(user)
    return get_object_or_404(turfs_managed_by(user), pk=turf_id)


def call_lists_managed_by(user: AnyUser) -> QuerySet[CallList]:
    return CallList.objects.filter(campaign__in=campaigns_visible_to(user)).select_related("campaign")


def get_managed_call_list(user: AnyUser, call_list_id: int) -> CallList:
    require_field_manager(user)
    return get_object_or_404(call_lists_managed_by(user), pk=call_list_id)


def live_q(now: datetime | None = None) -> Q:
    return Q(revoked_at__isnull=True, expires_at__gt=now or timezone.now())


def get_managed_assignment(user: AnyUser, assignment_id: int) -> Assignment:
    require_field_manager(user)
    campaigns = campaigns_visible_to(user)
    managed = Assignment.objects.filter(Q(turf__campaign__in=campaigns) | Q(call_list__campaign__in=campaigns))
    return get_object_or_404(managed, pk=assignment_id)


def my_assignments(user: AnyUser) -> QuerySet[Assignment]:
    """The user's live assignments, soonest to expire first."""
    if not isinstance(user, User):
        return Assignment.objects.none()
    return (
        Assignment.objects.filter(live_q(), volunteer=user)
        .select_related("turf__campaign", "call_list__campaign")
        .order_by("expires_at", "id")
    )


def get_turf_to_canvass(user: AnyUser, turf_id: int) -> Turf:
    """The turf if it is assigned to the user right now, or if the user manages it; else 404."""
    if not user.is_authenticated:
        raise Http404("No such turf")
    assigned = Turf.objects.filter(pk=turf_id, assignments__in=my_assignments(user)).select_related("campaign")
    turf = assigned.first()
    if turf is None:
        turf = get_object_or_404(turfs_managed_by(user), pk=turf_id)
    return turf


def get_call_list_to_call(user: AnyUser, call_list_id: int) -> CallList:
    if not user.is_authenticated:
        raise Http404("No such call list")
    assigned = CallList.objects.filter(pk=call_list_id, assignments__in=my_assignments(user))
    found = assigned.select_related("campaign").first()
    if found is None:
        found = get_object_or_404(call_lists_managed_by(user), pk=call_list_id)
    return found


def assignments_of_turf(turf: Turf) -> QuerySet[Assignment]:
    return turf.assignments.select_related("volunteer", "assigned_by").order_by("-created_at", "-id")


def assignments_of_call_list(call_list: CallList) -> QuerySet[Assignment]:
    return call_list.assignments.select_related("volunteer", "assigned_by").order_by("-created_at", "-id")


def assignable_users(campaign: Campaign) -> QuerySet[User]:
    """Who may be given a turf or list: the campaign chapter's volunteers and leaders (or, for a state
    campaign, those of the state's chapters)."""
    grants = RoleGrant.objects.active().filter(role__in=(Role.VOLUNTEER, Role.CHAPTER_LEADER))
    grants = (
        grants.filter(chapter=campaign.chapter) if campaign.chapter_id else grants.filter(chapter__state=campaign.state)
    )
    return User.objects.filter(pk__in=grants.values("user_id"), is_active=True).order_by("first_name", "email")


def voter_lists_for(user: AnyUser, campaign: Campaign) -> QuerySet[VoterList]:
    """Frozen lists the user may read that belong to the campaign's chapter (or state)."""
    lists = lists_visible_to(user).filter(state=campaign.state)
    return lists.filter(chapter=campaign.chapter) if campaign.chapter_id else lists


def held_out_ids(voter_list: VoterList) -> set[str]:
    """The list's control group: never cut into turf, never called."""
    return set(ControlVoter.objects.filter(control_group__voter_list=voter_list).values_list("voter_id", flat=True))


def turfs_of(campaign: Campaign) -> QuerySet[Turf]:
    return campaign.turfs.defer("doors", "voter_ids").order_by("number", "id")


def turf_cuts_of(campaign: Campaign) -> QuerySet[TurfCut]:
    return campaign.turf_cuts.select_related("voter_list").defer("left_off_ids").order_by("created_at", "id")


def get_turf_cut(user: AnyUser, campaign: Campaign, cut_id: int) -> TurfCut:
    """A cut of the campaign (``get_campaign`` scopes it) from a list the user may read; else a 404."""
    cuts = campaign.turf_cuts.select_related("voter_list", "campaign")
    return get_object_or_404(cuts.filter(voter_list__in=voter_lists_for(user, campaign)), pk=cut_id)


def call_lists_of(campaign: Campaign) -> QuerySet[CallList]:
    return campaign.call_lists.defer("entries").order_by("-created_at", "-id")


def contacts_of_turf(turf: Turf) -> QuerySet[Contact]:
    """The turf's contacts in the order the server received them (never the phones' clocks)."""
    return turf.contacts.select_related("canvasser").order_by("received_at", "id")


def contacts_of_campaign(campaign: Campaign) -> QuerySet[Contact]:
    return campaign.contacts.order_by("received_at", "id")


@dataclass(frozen=True)
class LiveTarget:
    """A turf or call list the submitting user may record contacts on right now (live-assigned to them, or
    managed by them), with what checking a contact needs."""

    turf_id: int | None
    call_list_id: int | None
    campaign_id: int
    results: tuple[str, ...]
    state: str
    voter_list_id: int | None
    members: frozenset[str]  # a turf's voter ids, or a call list's entry keys ("v:<voter id>", "p:<person id>")
    phones: dict[str, str]  # a call list's phone by entry key


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


# The hot path of a sync (a volunteer sending results for their own turf) is one query. It is written as
# SQL because compiling the same ORM query (four joins, an OR of two IN lists) cost more than running it;
# the columns are this app's own.
LIVE_TARGETS_SQL = """
SELECT a.turf_id, a.call_list_id, COALESCE(t.campaign_id, cl.campaign_id), c.results, c.state,
       COALESCE(t.voter_list_id, cl.voter_list_id), t.voter_ids, cl.entries
FROM field_assignment a
LEFT JOIN field_turf t ON t.id = a.turf_id
LEFT JOIN field_calllist cl ON cl.id = a.call_list_id
JOIN field_campaign c ON c.id = COALESCE(t.campaign_id, cl.campaign_id)
WHERE a.volunteer_id = %s AND a.revoked_at IS NULL AND a.expires_at > %s AND ({where})
"""


def live_targets_for_submission(
    user: User, turf_ids: Iterable[int], call_list_ids: Iterable[int], now: datetime
) -> list[LiveTarget]:
    """The named turfs and call lists the user may record results on: those live-assigned to them, and
    (the same rule as ``get_turf_to_canvass``) those they manage. A target that is neither is left out."""
    turfs, lists = set(turf_ids), set(call_list_ids)
    targets = _assigned_targets(user, sorted(turfs), sorted(lists), now)
    unassigned_turfs = turfs - {t.turf_id for t in targets}
    unassigned_lists = lists - {t.call_list_id for t in targets}
    # Roles are read only when something was not assigned, so a volunteer's sync stays one query.
    if (unassigned_turfs or unassigned_lists) and scope_for(user).is_leader_or_above:
        targets += _managed_targets(user, unassigned_turfs, unassigned_lists)
    return targets


def _assigned_targets(user: User, turfs: list[int], lists: list[int], now: datetime) -> list[LiveTarget]:
    if not turfs and not lists:
        return []
    parts: list[str] = []
    params: list[Any] = [user.pk, now]
    if turfs:
        parts.append(f"a.turf_id IN ({', '.join(['%s'] * len(turfs))})")
        params.extend(turfs)
    if lists:
        parts.append(f"a.call_list_id IN ({', '.join(['%s'] * len(lists))})")
        params.extend(lists)
    with connection.cursor() as cursor:
        cursor.execute(LIVE_TARGETS_SQL.format(where=" OR ".join(parts)), params)
        rows = cursor.fetchall()
    # Two live assignments of the same turf give the same target once.
    return list({(row[0], row[1]): _live_target(row) for row in rows}.values())


def _managed_targets(user: User, turf_ids: set[int], call_list_ids: set[int]) -> list[LiveTarget]:
    rows: list[tuple[Any, ...]] = []
    if turf_ids:
        rows += [
            (pk, None, *rest, None)
            for pk, *rest in turfs_managed_by(user)
            .filter(pk__in=turf_ids)
            .values_list("pk", "campaign_id", "campaign__results", "campaign__state", "voter_list_id", "voter_ids")
        ]
    if call_list_ids:
        rows += [
            (None, pk, campaign_id, results, state, voter_list_id, None, entries)
            for pk, campaign_id, results, state, voter_list_id, entries in call_lists_managed_by(user)
            .filter(pk__in=call_list_ids)
            .values_list("pk", "campaign_id", "campaign__results", "campaign__state", "voter_list_id", "entries")
        ]
    return [_live_target(row) for row in rows]


def _live_target(row: tuple[Any, ...]) -> LiveTarget:
    turf_id, call_list_id, campaign_id, results, state, voter_list_id, voter_ids, entries = row
    entry_list = _json(entries) or []
    members = frozenset(_json(voter_ids) or []) if turf_id else frozenset(e["key"] for e in entry_list)
    return LiveTarget(
        turf_id, call_list_id, campaign_id, tuple(_json(results) or ()), state, voter_list_id, members,
        {e["key"]: e.get("phone", "") for e in entry_list},
    )  # fmt: skip

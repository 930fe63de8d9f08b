"""Reads for the turnout pages, scoped to the acting user (chapters.access.scope_for, through the voters
and field apps' selectors, is the only source of roles).

- The chase list and GOTV progress read voters: leaders and above, cut to a place they may target in
  (voters.selectors.workspaces_for: a whole state for staff and coordinators, a chapter's area for leaders).
- The lift report and the dashboards read field work: the campaigns the user may see
  (field.selectors.campaigns_visible_to). Everyone else gets 404.
"""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet
from django.http import Http404

from groundswell.chapters.access import AnyUser, scope_for
from groundswell.field.models import Campaign
from groundswell.field.selectors import campaigns_visible_to, get_campaign, require_field_manager
from groundswell.turnout import voterdata
from groundswell.turnout.models import VolunteerHours
from groundswell.voters import engine as voter_engine
from groundswell.voters.selectors import Workspace, get_workspace, require_voter_access, workspaces_for


def chase_workspaces(user: AnyUser) -> list[Workspace]:
    require_voter_access(user)
    return workspaces_for(user)


def chase_workspace(user: AnyUser, key: str | None) -> Workspace | None:
    """The place asked for (404 when out of scope), else the user's first; None when there is none."""
    if key:
        return get_workspace(user, key)
    spaces = chase_workspaces(user)
    return spaces[0] if spaces else None


def chase_campaigns(user: AnyUser, workspace: Workspace) -> QuerySet[Campaign]:
    """The field campaigns a chase call list may go into: the user's, in the place's state (none for
    someone who runs no campaigns)."""
    if not scope_for(user).is_leader_or_above:
        return Campaign.objects.none()
    in_state = campaigns_visible_to(user).filter(state=workspace.state)
    return in_state.select_related("chapter").order_by("-created_at", "-id")


def field_campaigns(user: AnyUser) -> QuerySet[Campaign]:
    require_field_manager(user)
    return campaigns_visible_to(user)


def lift_states(user: AnyUser) -> list[str]:
    """States where the user has campaigns and the voter file has been imported."""
    states = set(field_campaigns(user).values_list("state", flat=True))
    return sorted(states & set(voter_engine.states_with_data()))


def lift_campaigns(user: AnyUser, state: str) -> QuerySet[Campaign]:
    if state not in lift_states(user):
        raise Http404("No such state")
    return field_campaigns(user).filter(state=state).order_by("chapter__name", "name", "id")


def state_elections(state: str) -> list[tuple[date, str, str]]:
    with voter_engine.using_engine(state) as engine:
        return voterdata.elections(engine)


def campaign_for_costs(user: AnyUser, campaign_id: int) -> Campaign:
    return get_campaign(user, campaign_id)


def hours_of(campaign: Campaign) -> QuerySet[VolunteerHours]:
    return VolunteerHours.objects.filter(campaign=campaign).select_related("volunteer").order_by("-worked_on", "-id")

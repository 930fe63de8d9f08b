"""The turnout lift report: after an election's history is imported, how many more voted because of the
field program, per campaign and per chapter, with 95% intervals and the cost per net vote.

An experiment is one frozen list with a control group (held out by the field app, seeded and recorded)
worked by one campaign: the treatment group is the list less its control group; a treatment voter is
*contacted* when any of the campaign's attempts on them reached them (result "contacted"), *attempted*
when it only tried. Who voted is the voter file's history for the election's date.

A campaign's figures pool its lists; a chapter's pool its campaigns' (counts are added, so lists held out
at very different shares weigh by size: hold out the same share across a chapter's lists).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Sum

from groundswell.chapters.models import Chapter
from groundswell.field.models import Campaign, Contact, ControlGroup, Result
from groundswell.field.selectors import held_out_ids
from groundswell.field.voterdata import list_voter_ids
from groundswell.turnout import voterdata
from groundswell.turnout.models import ProgramCost, VolunteerHours
from groundswell.turnout.statistics import Experiment, Lift, lift
from groundswell.voterfile.engines import Engine
from groundswell.voters.models import VoterList


@dataclass(frozen=True)
class CampaignLift:
    campaign: Campaign
    lists: tuple[VoterList, ...]
    lift: Lift
    hours: Decimal | None
    cost: Decimal | None
    control_contacted: int  # held-out voters someone contacted anyway: the experiment leaked

    @property
    def cost_per_net_vote(self) -> float | None:
        return self.lift.cost_per_net_vote(float(self.cost) if self.cost is not None else None)


@dataclass(frozen=True)
class ChapterLift:
    chapter: Chapter | None
    campaigns: tuple[CampaignLift, ...]
    lift: Lift
    cost: Decimal | None

    @property
    def label(self) -> str:
        return self.chapter.name if self.chapter else "State campaigns"

    @property
    def cost_per_net_vote(self) -> float | None:
        return self.lift.cost_per_net_vote(float(self.cost) if self.cost is not None else None)


@dataclass(frozen=True)
class LiftReport:
    state: str
    election: date
    campaigns: list[CampaignLift]
    chapters: list[ChapterLift]

    @property
    def total(self) -> Lift | None:
        if not self.campaigns:
            return None
        return lift(_pooled(c.lift.experiment for c in self.campaigns))


def _pooled(experiments: Iterable[Experiment]) -> Experiment:
    total = Experiment(0, 0, 0, 0, 0, 0, 0, 0)
    for e in experiments:
        total = total + e
    return total


def lists_with_control_of(campaign: Campaign) -> list[VoterList]:
    """The campaign's frozen lists (it cut turfs or call lists from them) that have a control group."""
    controlled = ControlGroup.objects.values("voter_list_id")
    lists = VoterList.objects.filter(pk__in=controlled).filter(
        pk__in=list(campaign.turfs.values_list("voter_list_id", flat=True))
        + list(campaign.call_lists.exclude(voter_list=None).values_list("voter_list_id", flat=True))
    )
    return list(lists.order_by("frozen_at", "id"))


def _attempts(campaign: Campaign, voter_list: VoterList) -> tuple[set[str], set[str]]:
    """(reached, attempted) voter ids: every attempt of the campaign on the list's voters."""
    reached: set[str] = set()
    attempted: set[str] = set()
    contacts = Contact.objects.filter(campaign=campaign, voter_list=voter_list).exclude(voter_id="")
    for voter_id, result in contacts.values_list("voter_id", "result").iterator(chunk_size=5000):
        attempted.add(voter_id)
        if result == Result.CONTACTED:
            reached.add(voter_id)
    return reached, attempted - reached


def experiment_of(engine: Engine, campaign: Campaign, voter_list: VoterList, election: date) -> tuple[Experiment, int]:
    """The counts of one list worked by one campaign, and how many control voters were contacted."""
    everyone = set(list_voter_ids(voter_list.path))
    control = held_out_ids(voter_list) & everyone
    treatment = everyone - control
    reached, attempted = _attempts(campaign, voter_list)
    voted = voterdata.voted_in(engine, everyone, election)
    reached_t, attempted_t = reached & treatment, attempted & treatment
    experiment = Experiment(
        treatment=len(treatment), treatment_voted=len(treatment & voted), contacted=len(reached_t),
        contacted_voted=len(reached_t & voted), attempted=len(attempted_t), attempted_voted=len(attempted_t & voted),
        control=len(control), control_voted=len(control & voted),
    )  # fmt: skip
    return experiment, len((reached | attempted) & control)


def campaign_cost(campaign: Campaign) -> tuple[Decimal | None, Decimal | None]:
    """(hours, cost): hours recorded x the hourly value, plus money spent; None when nothing is known."""
    hours = VolunteerHours.objects.filter(campaign=campaign).aggregate(total=Sum("hours"))["total"]
    cost = ProgramCost.objects.filter(campaign=campaign).first()
    if hours is None and (cost is None or not cost.money_spent):
        return hours, None
    value = (hours or Decimal(0)) * (cost.hourly_value if cost else Decimal(0))
    total = value + (cost.money_spent if cost else Decimal(0))
    return hours, total if total > 0 else None


def campaign_lift(engine: Engine, campaign: Campaign, election: date) -> CampaignLift | None:
    lists = lists_with_control_of(campaign)
    if not lists:
        return None
    parts = [experiment_of(engine, campaign, voter_list, election) for voter_list in lists]
    hours, cost = campaign_cost(campaign)
    return CampaignLift(
        campaign=campaign, lists=tuple(lists), lift=lift(_pooled(e for e, _ in parts)), hours=hours, cost=cost,
        control_contacted=sum(leaked for _, leaked in parts),
    )  # fmt: skip


def chapter_lifts(campaigns: Sequence[CampaignLift]) -> list[ChapterLift]:
    by_chapter: dict[int | None, list[CampaignLift]] = defaultdict(list)
    for item in campaigns:
        by_chapter[item.campaign.chapter_id].append(item)
    out = []
    for items in by_chapter.values():
        costs = [c.cost for c in items if c.cost is not None]
        # A chapter's cost is known only when every one of its campaigns' is: a partial sum would flatter it.
        cost = sum(costs, Decimal(0)) if len(costs) == len(items) else None
        pooled = lift(_pooled(c.lift.experiment for c in items))
        out.append(ChapterLift(items[0].campaign.chapter, tuple(items), pooled, cost))
    return sorted(out, key=lambda c: c.label)


def lift_report(engine: Engine, state: str, election: date, campaigns: Iterable[Campaign]) -> LiftReport:
    found = [c for c in (campaign_lift(engine, campaign, election) for campaign in campaigns) if c is not None]
    return LiftReport(state, election, found, chapter_lifts(found))

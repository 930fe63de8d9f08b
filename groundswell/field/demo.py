"""Demo field work: a Raleigh canvass cut from a frozen list of the demo's NC voters, one turf and a
member call list assigned to the Raleigh chapter's demo volunteer (volunteer.nc@example.org).

    from groundswell.field.demo import load_field_demo
    load_field_demo(seed=2026)   # after groundswell.web.demo.build_demo and voters.demo.load_voter_demo
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone

from groundswell.chapters.models import Chapter
from groundswell.core.models import User
from groundswell.field.actions import (
    do_assign,
    do_cut_turfs,
    do_hold_out_control_group,
    do_make_call_list,
    do_save_campaign,
    do_save_script,
)
from groundswell.field.models import Method, Result
from groundswell.voterfile.targeting import Universe
from groundswell.voters.actions import Target, do_freeze_list, do_save_universe
from groundswell.voters.selectors import Workspace

DEMO_QUESTIONS: list[dict[str, Any]] = [
    {"key": "support", "kind": "support", "label": "Can we count on your support for Dana Reyes for State House?"},
    {"key": "m4a", "kind": "issue", "label": "Do you support Medicare for All?", "choices": ["yes", "no", "unsure"]},
    {"key": "pledge", "kind": "pledge", "label": "Will you pledge to vote on November 3?"},
    {"key": "volunteer", "kind": "volunteer", "label": "Would you knock doors with us one Saturday?"},
]
DEMO_INTRO = (
    "Hi, I'm {your name}, a neighbour volunteering with Raleigh Groundswell. We're talking with voters about "
    "Dana Reyes, who is running for State House to make health care a right."
)


@dataclass(frozen=True)
class FieldDemoSummary:
    campaign_id: int
    voter_list_id: int
    turfs: int
    held_out: int
    assigned_turf_id: int
    call_list_id: int


def load_field_demo(*, seed: int) -> FieldDemoSummary:
    """Freeze Raleigh's Democratic and unaffiliated voters, hold out a tenth, cut turfs of about 30 doors,
    write the script, and give the demo volunteer one turf and the members' call list for a week."""
    rng = random.Random(seed)
    staff = User.objects.get(email="staff@example.org")
    volunteer = User.objects.get(email="volunteer.nc@example.org")
    chapter = Chapter.objects.get(slug="raleigh")
    target = Target(Universe.from_dict({"parties": ["DEM", "UNA"]}))
    universe = do_save_universe(Workspace(chapter.state, chapter), target, name="Raleigh D + U", actor=staff)
    voter_list = do_freeze_list(universe, name="Raleigh D + U canvass", actor=staff)
    group = do_hold_out_control_group(voter_list, 0.1, rng.randrange(1, 10**9), actor=staff)
    campaign = do_save_campaign(
        name="Reyes for State House: doors", state=chapter.state, chapter=chapter, actor=staff,
        results=[r.value for r in Result if r not in (Result.CONTACTED, Result.WRONG_NUMBER)],
    )  # fmt: skip
    do_save_script(campaign, name="Door script", intro=DEMO_INTRO, questions=DEMO_QUESTIONS, actor=staff)
    turfs = do_cut_turfs(voter_list, campaign, target=30, unit="doors", actor=staff).turfs
    until = timezone.now() + timedelta(days=7)
    turf = max(turfs[:20], key=lambda t: t.door_count)
    do_assign(volunteer, expires_at=until, turf=turf, actor=staff)
    calls = do_make_call_list(campaign, name="Raleigh members", kind="members", method=Method.PHONE, actor=staff)
    do_assign(volunteer, expires_at=until, call_list=calls, actor=staff)
    return FieldDemoSummary(campaign.pk, voter_list.pk, len(turfs), group.held_out, turf.pk, calls.pk)

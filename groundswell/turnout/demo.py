"""Demo turnout: Raleigh's canvass has been under way for a week (most turfs knocked once, supporters
identified at the doors), and the state's early-vote file has come in: some supporters have voted early,
some asked for a mail ballot and have not sent it back. The chase list, its charts, the field dashboards
and the call list made from the chase list then show real-looking figures.

    from groundswell.turnout.demo import load_turnout_demo
    load_turnout_demo(field_demo, seed=2026)   # after groundswell.field.demo.load_field_demo
"""

from __future__ import annotations

import csv
import random
import tempfile
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.utils import timezone

from groundswell.core.models import User
from groundswell.field.actions import do_submit_contacts
from groundswell.field.demo import FieldDemoSummary
from groundswell.field.models import Campaign, Result
from groundswell.field.selectors import current_script
from groundswell.turnout.importing import do_import_ballots, do_upload_ballot_file

KNOCKED_TURFS = 40
ATTEMPTED, REACHED = 0.7, 0.45  # of a knocked turf's voters; of those attempted
SUPPORT_WEIGHTS = {1: 30, 2: 25, 3: 20, 4: 12, 5: 13}  # a D + U universe leans our way
VOTED_EARLY, ASKED_FOR_MAIL = 0.35, 0.12  # of the supporters found
OTHERS_VOTED_EARLY = 0.25  # of the other voters on the knocked turfs: the file is everyone's, not only ours
SYNC_BATCH = 500
# The NCSBE absentee file's columns, as the turnout importer reads them (ballots.NC_COLUMNS).
ABSENTEE_HEADER = ("county_desc", "ncid", "election_dt", "precinct_desc", "ballot_req_type", "ballot_req_dt",
                   "ballot_rtn_dt", "ballot_rtn_status", "site_name")  # fmt: skip


@dataclass(frozen=True)
class TurnoutDemoSummary:
    attempts: int
    contacted: int
    supporters: int
    voted_early: int
    mail_outstanding: int


def load_turnout_demo(field: FieldDemoSummary, *, seed: int) -> TurnoutDemoSummary:
    rng = random.Random(seed)
    leader = User.objects.get(email="leader.nc@example.org")
    campaign = Campaign.objects.get(pk=field.campaign_id)
    script = current_script(campaign)
    assert script is not None, "the field demo writes the campaign's script"
    items, supporters = _door_results(campaign, script.pk, field.assigned_turf_id, rng)
    found = set(supporters)
    others = sorted({item["voter_id"] for item in items} - found)
    for start in range(0, len(items), SYNC_BATCH):  # as the leader's phone would sync them, in batches
        outcome = do_submit_contacts(items[start : start + SYNC_BATCH], actor=leader)
        assert not outcome.errors, outcome.errors
    voted, mail = _early_vote(supporters, rng)
    everyone_voted = voted + [voter_id for voter_id in others if rng.random() < OTHERS_VOTED_EARLY]
    with tempfile.TemporaryDirectory() as folder:
        today = timezone.localdate()
        path = _absentee_file(Path(folder) / f"absentee_{today:%Y%m%d}.csv", everyone_voted, mail, today, rng)
        staff = User.objects.get(email="staff@example.org")
        do_import_ballots(do_upload_ballot_file(path, state="NC", layout="nc_absentee", actor=staff), actor=staff)
    contacted = sum(1 for item in items if item["result"] == Result.CONTACTED)
    return TurnoutDemoSummary(len(items), contacted, len(supporters), len(voted), len(mail))


def _door_results(
    campaign: Campaign, script_id: int, keep_fresh: int, rng: random.Random
) -> tuple[list[dict[str, Any]], list[str]]:
    """One knock at most voters of the first turfs (never the one assigned to the demo volunteer, which
    stays untouched for them), with answers where someone came to the door."""
    items: list[dict[str, Any]] = []
    supporters: list[str] = []
    supports, weights = list(SUPPORT_WEIGHTS), list(SUPPORT_WEIGHTS.values())
    for turf in campaign.turfs.exclude(pk=keep_fresh).order_by("number")[:KNOCKED_TURFS]:
        for voter_id in turf.voter_ids:
            if rng.random() >= ATTEMPTED:
                continue
            item: dict[str, Any] = {"uuid": str(uuid.UUID(int=rng.getrandbits(128))), "turf": turf.pk,
                                    "voter_id": voter_id, "method": "door", "result": Result.NOT_HOME}  # fmt: skip
            if rng.random() < REACHED:
                support = rng.choices(supports, weights)[0]
                answers = {"support": support, "pledge": "yes" if support <= 2 else "no"}
                item.update(result=Result.CONTACTED, script=script_id, answers=answers)
                if support <= 2:
                    supporters.append(voter_id)
            elif rng.random() < 0.1:
                item["result"] = rng.choice((Result.REFUSED, Result.MOVED, Result.INACCESSIBLE))
            items.append(item)
    return items, supporters


def _early_vote(supporters: list[str], rng: random.Random) -> tuple[list[str], list[str]]:
    voted, mail = [], []
    for voter_id in supporters:
        draw = rng.random()
        if draw < VOTED_EARLY:
            voted.append(voter_id)
        elif draw < VOTED_EARLY + ASKED_FOR_MAIL:
            mail.append(voter_id)
    return voted, mail


def _absentee_file(path: Path, voted: list[str], mail: list[str], today: date, rng: random.Random) -> Path:
    """The state's absentee file as of today: early votes over the last five days, mail ballots asked for."""
    election = f"{today + timedelta(days=7):%m/%d/%Y}"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(ABSENTEE_HEADER)
        for voter_id in voted:
            day = today - timedelta(days=rng.randrange(5))
            writer.writerow(["WAKE", voter_id, election, "", "ONE-STOP", f"{day:%m/%d/%Y}", f"{day:%m/%d/%Y}",
                             "ACCEPTED", "WAKE COUNTY BOARD OF ELECTIONS"])  # fmt: skip
        for voter_id in mail:
            asked = today - timedelta(days=rng.randrange(10, 30))
            writer.writerow(["WAKE", voter_id, election, "", "MAIL", f"{asked:%m/%d/%Y}", "", "", ""])
    return path

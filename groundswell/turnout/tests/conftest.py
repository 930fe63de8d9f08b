"""A synthetic election for the turnout tests, built with the real actions of every app involved.

A synthetic NC voter file (the engine's generator) is imported through the voters app; the whole state's
active voters are frozen into a list; the field app holds half of it out as a control group, cuts the rest
into turfs and assigns them; a volunteer's phone "syncs" one attempt on every treatment voter, reaching
each with a known probability; then two elections are simulated (seeded): turnout is ``BASE`` for
everyone, plus ``DELTA`` for reached voters in the first election and plus nothing in the second, and
their history is imported as an ncvhis file, as after a real election.
"""

from __future__ import annotations

import csv
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from groundswell.field.actions import (
    do_assign,
    do_cut_turfs,
    do_hold_out_control_group,
    do_save_campaign,
    do_save_script,
    do_submit_contacts,
)
from groundswell.field.models import Campaign, Contact, Result, Script
from groundswell.field.selectors import held_out_ids
from groundswell.field.voterdata import list_voter_ids
from groundswell.turnout.importing import do_import_ballots, do_upload_ballot_file
from groundswell.turnout.tests.test_importing import NC_HEADER, nc_row, write_csv
from groundswell.voterfile import generate, layouts
from groundswell.voterfile.targeting import Universe
from groundswell.voters import engine as voter_engine
from groundswell.voters.actions import Target, do_freeze_list, do_import_voter_file_now, do_save_universe
from groundswell.voters.models import VoterList
from groundswell.voters.selectors import Workspace

QUESTIONS = [
    {"key": "support", "kind": "support", "label": "Can we count on your support?"},
    {"key": "pledge", "kind": "pledge", "label": "Will you pledge to vote?"},
]
VOTERS = 9000  # about 7,900 active: 3,950 in each group, enough for an interval of about +-2.3 points on ITT
CONTROL_SHARE = 0.5
CONTACT_RATE = 0.45
BASE = 0.42
DELTA = 0.10
LIFT_ELECTION = date(2026, 11, 3)  # contact raised turnout by DELTA
NULL_ELECTION = date(2027, 11, 2)  # contact changed nothing
SYNC_BATCH = 500


@dataclass
class Election:
    campaign: Campaign
    script: Script
    voter_list: VoterList
    reached: set[str]
    attempted: set[str]
    control: set[str]
    voted: dict[date, set[str]]
    root: Path


@pytest.fixture
def voter_store(settings: Any, tmp_path: Path) -> Iterator[Path]:
    settings.VOTER_DB_PATH = tmp_path / "voters.duckdb"
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.DATA_DIR = tmp_path
    voter_engine.close_all()
    yield tmp_path
    voter_engine.close_all()


def import_nc_voters(root: Path, voters: int, seed: int) -> None:
    made = generate.generate_nc(root / "files", voters, seed=seed)
    do_import_voter_file_now(made.voter_file, state="NC", layout="ncvoter", actor=None)


def freeze_whole_state(actor: Any) -> VoterList:
    universe = do_save_universe(
        Workspace("NC"), Target(Universe.from_dict({"statuses": ["A"]})), name="Active NC voters", actor=actor
    )
    return do_freeze_list(universe, name="Active NC voters, frozen", actor=actor)


def canvass(campaign: Campaign, script: Script, voter_list: VoterList, volunteer: Any, actor: Any, *,
            rate: float, seed: int, supporter_share: float = 0.5) -> tuple[set[str], set[str]]:  # fmt: skip
    """One attempt on every treatment voter; reached with probability ``rate``. Returns (reached, attempted)."""
    rng = random.Random(seed)
    turfs = do_cut_turfs(voter_list, campaign, target=400, unit="voters", actor=actor).turfs
    items: list[dict[str, Any]] = []
    reached: set[str] = set()
    for turf in turfs:
        do_assign(volunteer, expires_at=timezone.now() + timedelta(hours=4), turf=turf, actor=actor)
        for voter_id in turf.voter_ids:
            item = {"uuid": str(uuid.UUID(int=rng.getrandbits(128))), "turf": turf.pk, "voter_id": voter_id,
                    "method": "door", "result": Result.NOT_HOME}  # fmt: skip
            if rng.random() < rate:
                reached.add(voter_id)
                support = rng.choice((1, 2)) if rng.random() < supporter_share else rng.choice((3, 4, 5))
                item.update(result=Result.CONTACTED, script=script.pk, answers={"support": support, "pledge": "yes"})
            items.append(item)
    for start in range(0, len(items), SYNC_BATCH):
        outcome = do_submit_contacts(items[start : start + SYNC_BATCH], actor=volunteer)
        assert not outcome.errors, outcome.errors
    return reached, {i["voter_id"] for i in items} - reached


def write_history(path: Path, voters: dict[str, dict[str, Any]], voted: dict[date, set[str]]) -> Path:
    """An ncvhis file (tab-separated, the NCSBE's columns) for the simulated elections."""
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t")
        writer.writerow(layouts.NCVHIS_COLUMNS)
        for day, ids in sorted(voted.items()):
            for voter_id in sorted(ids):
                v = voters[voter_id]
                precinct = str(v["precinct"]).split("-", 1)[-1]
                row = {
                    "county_id": v["county_id"], "county_desc": v["county"], "voter_reg_num": v["reg_num"],
                    "election_lbl": f"{day:%m/%d/%Y}", "election_desc": f"{day:%m/%d/%Y} GENERAL",
                    "voting_method": "IN-PERSON", "voted_party_cd": v["party"], "voted_party_desc": "",
                    "pct_label": precinct, "pct_description": "", "ncid": voter_id, "voted_county_id": v["county_id"],
                    "voted_county_desc": v["county"], "vtd_label": precinct, "vtd_description": "",
                }  # fmt: skip
                writer.writerow([row[c] for c in layouts.NCVHIS_COLUMNS])
    return path


def simulate_turnout(everyone: set[str], reached: set[str], seed: int) -> dict[date, set[str]]:
    rng = random.Random(seed)
    voted: dict[date, set[str]] = {}
    for day, delta in ((LIFT_ELECTION, DELTA), (NULL_ELECTION, 0.0)):
        voted[day] = {v for v in sorted(everyone) if rng.random() < BASE + (delta if v in reached else 0.0)}
    return voted


def import_history(root: Path, voted: dict[date, set[str]]) -> None:
    with voter_engine.using_engine("NC") as engine:
        v = engine.table("voters")
        rows = engine.backend.to_pyarrow(v.select("voter_id", "county_id", "county", "reg_num", "party", "precinct"))
    voters = {r["voter_id"]: r for r in rows.to_pylist()}
    path = write_history(root / "ncvhis_after.txt", voters, voted)
    do_import_voter_file_now(path, state="NC", layout="ncvhis", actor=None)


@pytest.fixture
def election(voter_store: Path, personas: Any) -> Election:
    import_nc_voters(voter_store, VOTERS, seed=2026)
    voter_list = freeze_whole_state(personas.staff)
    campaign = do_save_campaign(name="Turnout 2026", state="NC", chapter=None, actor=personas.staff)
    script = do_save_script(campaign, name="Doors", intro="Hi!", questions=QUESTIONS, actor=personas.staff)
    do_hold_out_control_group(voter_list, CONTROL_SHARE, seed=11, actor=personas.staff)
    control = held_out_ids(voter_list)
    reached, attempted = canvass(
        campaign, script, voter_list, personas.volunteer, personas.staff, rate=CONTACT_RATE, seed=5
    )
    everyone = set(list_voter_ids(voter_list.path))
    voted = simulate_turnout(everyone, reached, seed=99)
    import_history(voter_store, voted)
    return Election(campaign, script, voter_list, reached, attempted, control, voted, voter_store)


def supporters_of(election: Election) -> set[str]:
    contacts = Contact.objects.filter(result=Result.CONTACTED)
    return {c.voter_id for c in contacts if c.answers.get("support") in (1, 2)}


def import_returns(tmp_path: Path, voted: list[str], spoiled: list[str]) -> None:
    rows = [nc_row(v, "ONE-STOP", f"10/{17 + i % 3}/2026", "ACCEPTED") for i, v in enumerate(voted)]
    rows += [nc_row(v, "MAIL", "10/15/2026", "SPOILED") for v in spoiled]
    ballot_import = do_upload_ballot_file(write_csv(tmp_path / "absentee_20261020.csv", NC_HEADER, rows),
                                          state="NC", layout="nc_absentee", actor=None)  # fmt: skip
    do_import_ballots(ballot_import, actor=None)


@pytest.fixture
def gotv(election: Election, tmp_path: Path) -> tuple[Election, set[str], list[str]]:
    supporters = sorted(supporters_of(election))
    voted = supporters[: len(supporters) // 3]
    import_returns(tmp_path, voted, spoiled=supporters[-5:])
    return election, set(supporters), voted

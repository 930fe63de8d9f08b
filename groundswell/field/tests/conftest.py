"""Field fixtures: a synthetic NC voter file in its own store, a list frozen through the voters app."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from groundswell.field.actions import do_assign, do_save_campaign, do_save_script
from groundswell.voterfile import generate
from groundswell.voterfile.importing import import_file
from groundswell.voterfile.store import VoterStore
from groundswell.voterfile.targeting import Universe
from groundswell.voters import engine as voter_engine
from groundswell.voters.actions import Target, do_freeze_list, do_save_universe
from groundswell.voters.selectors import Workspace

QUESTIONS: list[dict[str, Any]] = [
    {"key": "support", "kind": "support", "label": "Can we count on your support for Dana Reyes?"},
    {"key": "m4a", "kind": "issue", "label": "Medicare for All?", "choices": ["for", "against", "unsure"]},
    {"key": "pledge", "kind": "pledge", "label": "Will you pledge to vote?"},
    {"key": "volunteer", "kind": "volunteer", "label": "Would you volunteer?"},
]


@pytest.fixture(scope="session")
def voter_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An NC voter store at <root>/voters/NC/voters.duckdb, as voters.engine.store_for expects."""
    root = tmp_path_factory.mktemp("field-voters")
    made = generate.generate_nc(root / "files", 3000, seed=7)
    import_file(VoterStore(root / "voters" / "NC" / "voters.duckdb"), made.voter_file, "ncvoter")
    return root


@pytest.fixture
def voter_db(settings: Any, voter_root: Path) -> Iterator[Path]:
    settings.VOTER_DB_PATH = voter_root / "voters.duckdb"
    voter_engine.close_all()
    yield voter_root
    voter_engine.close_all()


@pytest.fixture
def voter_list(voter_db: Path, personas: Any) -> Any:
    """A frozen list of two counties' voters, through the voters app's own actions."""
    with voter_engine.using_engine("NC") as engine:
        t = engine.table("voters")
        counts = engine.backend.to_pyarrow(t.group_by("county_id").aggregate(n=t.count())).to_pylist()
    counties = [r["county_id"] for r in sorted(counts, key=lambda r: (-r["n"], r["county_id"]))[:2]]
    universe = do_save_universe(
        Workspace("NC"), Target(Universe.from_dict({"counties": counties})), name="Two counties", actor=personas.staff
    )
    return do_freeze_list(universe, name="Two counties, frozen", actor=personas.staff)


@pytest.fixture
def campaign(personas: Any) -> Any:
    made = do_save_campaign(name="Reyes for House", state="NC", chapter=None, actor=personas.staff)
    do_save_script(made, name="Door script", intro="Hi, I'm a volunteer with Groundswell.", questions=QUESTIONS,
                   actor=personas.staff)  # fmt: skip
    return made


def assign(turf: Any, volunteer: Any, actor: Any, hours: float = 4) -> Any:
    return do_assign(volunteer, expires_at=timezone.now() + timedelta(hours=hours), turf=turf, actor=actor)

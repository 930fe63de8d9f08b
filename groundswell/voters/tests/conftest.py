"""Voter data for the voters app's tests: a Pennsylvania CSV through a saved column mapping, imported by
the real background job into a store under the test's own directory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from groundswell.core.jobs import run_pending_jobs
from groundswell.testing import Personas
from groundswell.voters import engine as voter_engine
from groundswell.voters.actions import do_save_column_mapping, do_upload_voter_file
from groundswell.voters.models import VoterImport

PA_HEADER = "ID,Last,First,County,CountyName,Pct,Party,Birth,Age,Gender,Zip,City,Street,Registered,Status"
PA_MAPPING = (
    "voter_id=ID\nlast_name=Last\nfirst_name=First\ncounty_id=County\ncounty=CountyName\nprecinct=Pct\nparty=Party\n"
    "birth_year=Birth\nage=Age\ngender=Gender\nzip=Zip\ncity=City\naddress=Street\nregistration_date=Registered\n"
    "status=Status"
)
PARTIES = ("DEM", "REP", "UNA", "DEM", "GRE")


def pa_rows() -> list[str]:
    """40 Allegheny voters (county 2), 20 in Philadelphia (51), and 3 in Westmoreland (65) whose ZIP is
    15213, one of chapter A's ZIP codes. Deterministic, so tests can count them by hand."""
    rows = []
    for i in range(63):
        county, name, city, zip_code = (
            (2, "ALLEGHENY", "PITTSBURGH", "15206") if i < 40 else
            (51, "PHILADELPHIA", "PHILADELPHIA", "19104") if i < 60 else (65, "WESTMORELAND", "MURRYSVILLE", "15213")
        )  # fmt: skip
        age = 20 + (i * 7) % 60
        last = "=HYPERLINK(1)" if i == 5 else f"VOTER{i:02d}"
        rows.append(
            f"PA{i:06d},{last},PAT,{county},{name},P{i % 3},{PARTIES[i % 5]},{2024 - age},{age},{'FM'[i % 2]},"
            f"{zip_code},{city},{100 + i} MAIN ST,2010-01-{i % 28 + 1:02d},{'A' if i % 10 else 'I'}"
        )
    return rows


@pytest.fixture
def voter_dirs(settings: Any, tmp_path: Path) -> Iterator[Path]:
    settings.VOTER_DB_PATH = tmp_path / "voters.duckdb"
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.DATA_DIR = tmp_path
    yield tmp_path
    voter_engine.close_all()


@pytest.fixture
def pa_file(tmp_path: Path) -> Path:
    path = tmp_path / "pa_voters.csv"
    path.write_text("\n".join([PA_HEADER, *pa_rows()]) + "\n")
    return path


def import_pa(personas: Personas, path: Path) -> VoterImport:
    mapping = do_save_column_mapping(name="PA county export", state="PA", lines=PA_MAPPING, actor=personas.staff)
    voter_import = do_upload_voter_file(
        path, state="PA", layout="mapped", mapping=mapping.mapping, actor=personas.staff
    )
    run_pending_jobs()
    voter_import.refresh_from_db()
    return voter_import


@pytest.fixture
def pa_voters(voter_dirs: Path, personas: Personas, pa_file: Path) -> VoterImport:
    return import_pa(personas, pa_file)

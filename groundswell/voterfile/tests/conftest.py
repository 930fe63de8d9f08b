"""Fixtures for the voter file engine: small synthetic files, a store, and the three engines."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from groundswell.voterfile import engines, generate
from groundswell.voterfile.importing import import_file
from groundswell.voterfile.store import VoterStore

PG_SERVER = os.environ.get("VOTERFILE_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432")
# One database per engineer's DATABASE_URL (gs_NAME -> gs_NAME_voterfile_test): parallel runs never share it.
_OWN = (
    os.environ.get("DATABASE_URL", "").rsplit("/", 1)[-1].split("?")[0]
    if "postgres" in os.environ.get("DATABASE_URL", "")
    else "gs"
)
# Under a language's collation, as a deployment's database usually is (en_US ignores spaces and punctuation
# in text order), never the byte order the other engines sort by
PG_DATABASE = f"{_OWN or 'gs'}_voterfile_en_test"
PG_COLLATION = "TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'"


@pytest.fixture(scope="session")
def nc_files(tmp_path_factory: pytest.TempPathFactory) -> generate.Generated:
    return generate.generate_nc(tmp_path_factory.mktemp("nc"), 3000, seed=11)


@pytest.fixture(scope="session")
def loaded_store(tmp_path_factory: pytest.TempPathFactory, nc_files: generate.Generated) -> VoterStore:
    store = VoterStore(tmp_path_factory.mktemp("store") / "voters.duckdb")
    import_file(store, nc_files.voter_file, "ncvoter")
    assert nc_files.history_file is not None
    import_file(store, nc_files.history_file, "ncvhis")
    return store


@pytest.fixture
def store(tmp_path: Path) -> VoterStore:
    return VoterStore(tmp_path / "var" / "voters.duckdb")


def _postgres_url(database: str = PG_DATABASE) -> str:
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as con:
        if not con.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone():
            con.execute(f"CREATE DATABASE {database} {PG_COLLATION}")
    return f"{PG_SERVER}/{database}"


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    session = engines.spark_session("groundswell-voterfile-tests")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def duckdb_engine(loaded_store: VoterStore) -> engines.Engine:
    return engines.duckdb_engine(loaded_store)


@pytest.fixture(scope="session")
def postgres_engine(duckdb_engine: engines.Engine) -> engines.Engine:
    engine = engines.postgres_engine(_postgres_url())
    engines.copy_tables(duckdb_engine, engine)
    return engine


@pytest.fixture(scope="session")
def spark_engine(duckdb_engine: engines.Engine, spark: Any) -> engines.Engine:
    engine = engines.spark_engine(spark)
    engines.copy_tables(duckdb_engine, engine)
    return engine


@pytest.fixture(scope="session")
def scratch_engines(spark: Any) -> list[engines.Engine]:
    """PostgreSQL and Spark engines of their own (a database, a Spark session) for tests that load voters of
    their own: the shared engines keep the synthetic file."""
    return [engines.postgres_engine(_postgres_url(f"{PG_DATABASE}_scratch")), engines.spark_engine(spark.newSession())]


ENGINES = [
    pytest.param("duckdb", id="duckdb"),
    pytest.param("postgres", id="postgres"),
    pytest.param("spark", id="spark", marks=pytest.mark.spark),
]


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> engines.Engine:
    engine: engines.Engine = request.getfixturevalue(f"{request.param}_engine")
    return engine

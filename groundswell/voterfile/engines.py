"""The engines a targeting query runs on, through Ibis: DuckDB (default), PostgreSQL, Apache Spark.

A query is written once as an Ibis expression (targeting.py) and run unchanged on each. On DuckDB each
query is compiled by Ibis and prepared by DuckDB once (per connection), so a warm query costs only
DuckDB's execution: neither Ibis's compile nor DuckDB's parse and plan.
"""

from __future__ import annotations

import itertools
import os
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
from ibis.backends import BaseBackend

from groundswell.voterfile.store import VoterStore

ARROW_BATCH_ROWS = 1_000_000
warnings.filterwarnings(  # see Engine.run: the copy it warns of is the cheaper way here
    "ignore", message="Arrow output on a DB-API result", category=UserWarning, module=r"groundswell\.voterfile\.engines"
)
TABLES = ("voters", "vote_history", "elections", "precinct_party")
# Built by every import since the rollup arrived; an engine without it answers from voters instead.
OPTIONAL_TABLES = frozenset({"precinct_party"})
MAX_PREPARED = 512  # prepared statements kept per DuckDB connection
_STATEMENTS = itertools.count()
JAVA_17 = "/usr/lib/jvm/java-17-openjdk-amd64"


@dataclass
class Engine:
    """One Ibis backend holding the voter tables, and the compiled SQL of the queries run on it."""

    name: str
    backend: BaseBackend
    generation: Path | None = None
    _sql: dict[Any, str] = field(default_factory=dict)  # query key -> name of its prepared statement
    _tables: frozenset[str] | None = None

    def table(self, name: str) -> ibis.Table:
        return self.backend.table(name)

    def has_table(self, name: str) -> bool:
        """Whether the engine holds a table (listed once: an engine's tables do not change under it)."""
        if self._tables is None:
            if self.name == "duckdb":  # Ibis 12's DuckDB list_tables calls an API DuckDB 2 removed
                rows = self.backend.con.execute("SELECT table_name FROM information_schema.tables").fetchall()
                self._tables = frozenset(str(row[0]) for row in rows)
            else:
                self._tables = frozenset(self.backend.list_tables())
        return name in self._tables

    def run(self, key: Any, build: Callable[[], ibis.Expr]) -> pa.Table:
        """Run the expression ``build`` makes; ``key`` names it so DuckDB can reuse its prepared statement."""
        if self.name != "duckdb":
            return self.backend.to_pyarrow(build())
        # The prepared statement's result read as Arrow batches. DuckDB warns that a DB-API result
        # is copied once more on its way to Arrow, and suggests con.sql(...); but con.sql("EXECUTE ...")
        # costs more still, at every size (measured on the statewide file: a precinct's walk list
        # 3.0 ms against 3.5 ms, a million voters 96 to 165 ms against 116 to 506 ms).
        result = self.backend.con.execute(f"EXECUTE {self._prepared(key, build)}")
        return result.to_arrow_reader(ARROW_BATCH_ROWS).read_all()

    def _prepared(self, key: Any, build: Callable[[], ibis.Expr]) -> str:
        """The name of the statement prepared on this connection for ``key``: compiled by Ibis, then
        parsed, bound and planned by DuckDB once, so a warm query costs only its execution."""
        name = self._sql.get(key)
        if name is None:
            if len(self._sql) >= MAX_PREPARED:  # a long-lived server sees many universes: start over
                for old in self._sql.values():
                    self.backend.con.execute(f"DEALLOCATE PREPARE {old}")
                self._sql.clear()
            name = f"gs_q{next(_STATEMENTS)}"
            self.backend.con.execute(f"PREPARE {name} AS {ibis.to_sql(build(), dialect='duckdb')}")
            self._sql[key] = name
        return name

    def scalar(self, key: Any, build: Callable[[], ibis.Expr]) -> Any:
        if self.name == "duckdb":  # one value: fetched as a Python value, skipping Arrow
            statement = self._prepared(key, build)
            rows = self.backend.con.execute(f"EXECUTE {statement}").fetchall()  # all: DuckDB 2 wants it finished
            return rows[0][0] if rows else None
        result: Any = self.run(key, build)
        if isinstance(result, pa.Scalar):  # a scalar expression, on the engines run through Ibis
            return result.as_py()
        return result.column(0)[0].as_py()


def duckdb_engine(store: VoterStore) -> Engine:
    """The current generation of the store, read-only (many processes may read while one imports)."""
    current = store.current()
    if current is None:
        raise LookupError(f"no voter data has been imported into {store.path}")
    backend = ibis.duckdb.connect(database=str(current), read_only=True)
    return Engine("duckdb", backend, current)


def postgres_engine(url: str) -> Engine:
    return Engine("postgres", ibis.connect(url))


def spark_session(app_name: str = "groundswell-voterfile") -> Any:
    """A local Spark on two cores: no UI, loopback only, few shuffle partitions (small data, fast tests)."""
    if not os.environ.get("JAVA_HOME") and Path(JAVA_17).exists():
        os.environ["JAVA_HOME"] = JAVA_17
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", os.sys.executable)  # type: ignore[attr-defined]  # os re-exports sys
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master("local[2]")
        .appName(app_name)
        .config("spark.ui.enabled", "false")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )


def spark_engine(session: Any) -> Engine:
    return Engine("pyspark", ibis.pyspark.connect(session))


def copy_tables(source: Engine, target: Engine, tables: Iterable[str] = TABLES) -> None:
    """Load the voter tables of one engine into another (tests, and moving data to a bigger engine).

    An optional table (the precinct rollup) the source does not hold is skipped: older generations lack it.
    """
    for name in tables:
        if name in OPTIONAL_TABLES and not source.has_table(name):
            continue
        data = source.backend.to_pyarrow(source.table(name))
        if target.name == "pyspark":
            # Spark 4 takes Arrow directly; going through pandas would turn missing text into "NaN"
            session = target.backend._session  # ibis keeps the SparkSession it was given
            session.createDataFrame(data).createOrReplaceTempView(name)
        else:
            target.backend.create_table(name, obj=data, overwrite=True)
            if target.name == "postgres":
                _sort_text_by_bytes(target, name, data.schema)
    target._tables = None  # listed again on next use


def _sort_text_by_bytes(engine: Engine, table: str, schema: pa.Schema) -> None:
    """Give a PostgreSQL table's text columns the "C" collation: byte order, as DuckDB, Spark and Arrow sort.

    A database made under a language's collation would otherwise sort "CAÑON DR" before "CANYON DR" (ICU),
    or "ST. MARY ST" after "ST MARY ST" (glibc's en_US ignores punctuation), and an engine's list would no
    longer come in the order of the walk list its rows were cut from.
    """
    text = [f.name for f in schema if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)]
    if text:
        alter = ", ".join(f'ALTER COLUMN "{name}" TYPE text COLLATE "C"' for name in text)
        engine.backend.raw_sql(f'ALTER TABLE "{table}" {alter}').close()

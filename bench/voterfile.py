"""Voter file speed: import and targeting, each beside a baseline measured in the same run.

    .venv/bin/python bench/voterfile.py --voters 1000000

Generates (once, cached) a synthetic NC ncvoter + ncvhis pair, then, for --rounds rounds (baselines
and ours alternating, so a slow spell of the shared machine falls on both), each step in its own
child process so each peak memory is its own:
  - pyarrow's raw read_csv of the voter file (the parse limit)
  - DuckDB's CREATE TABLE AS SELECT * FROM read_csv(...) into a database file (the DuckDB baseline)
  - our import of the voter file (validation, rejects, provenance, published generation)
  - our import of the history file
then the targeting queries, warm, ours (Ibis-compiled, cached SQL) beside the same query hand-written
in DuckDB SQL on the same connection (median of --repeat runs).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ibis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from groundswell.voterfile import generate, targeting  # noqa: E402
from groundswell.voterfile.engines import Engine, duckdb_engine  # noqa: E402
from groundswell.voterfile.importing import import_file  # noqa: E402
from groundswell.voterfile.store import VoterStore  # noqa: E402

MEMORY_GOAL_MIB = 4096  # an import's peak resident memory stays under 4 GiB


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Phases:
    """Seconds between the import's progress reports: where an import's time goes."""

    def __init__(self) -> None:
        self.last, self.name = time.perf_counter(), "start"
        self.seconds: dict[str, float] = {}

    def __call__(self, phase: str, done: int, total: int) -> None:
        now = time.perf_counter()
        self.seconds[self.name] = self.seconds.get(self.name, 0.0) + now - self.last
        self.last, self.name = now, phase


def files_for(args: argparse.Namespace) -> tuple[Path, Path, float | None]:
    folder = args.dir / f"nc-{args.voters}-{args.seed}"
    done = folder / "generated.json"
    if done.exists():
        return folder / "ncvoter_Statewide.txt", folder / "ncvhis_Statewide.txt", None
    start = time.perf_counter()
    made = generate.generate_nc(folder, args.voters, args.seed)
    seconds = time.perf_counter() - start
    done.write_text(json.dumps({"voters": made.voters, "history_rows": made.history_rows, "seconds": seconds}))
    return made.voter_file, made.history_file or folder / "ncvhis_Statewide.txt", seconds


def step(name: str, voter_file: Path, history_file: Path, work: Path) -> dict[str, Any]:
    """One measured step, run in this (child) process."""
    start, cpu_start = time.perf_counter(), cpu_seconds()
    rows = 0
    phases = Phases()
    if name == "pyarrow":
        import pyarrow.csv as pacsv

        table = pacsv.read_csv(voter_file, parse_options=pacsv.ParseOptions(delimiter="\t"))
        rows = table.num_rows
    elif name in ("duckdb", "duckdb_history"):
        import duckdb

        target = work / "baseline.duckdb"
        target.unlink(missing_ok=True)
        con = duckdb.connect(str(target))
        source = voter_file if name == "duckdb" else history_file
        con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{source}')")
        con.execute("CHECKPOINT")
        rows = con.execute("SELECT count(*) FROM t").fetchall()[0][0]
        con.close()
    elif name == "ours_voters":
        shutil.rmtree(work / "store", ignore_errors=True)
        result = import_file(VoterStore(work / "store" / "voters.duckdb"), voter_file, "ncvoter", progress=phases)
        rows = result.inserted
    elif name == "ours_history":
        result = import_file(VoterStore(work / "store" / "voters.duckdb"), history_file, "ncvhis", progress=phases)
        rows = result.inserted
    return {
        "seconds": time.perf_counter() - start,
        "cpu": cpu_seconds() - cpu_start,
        "rows": rows,
        "peak_mib": peak_mib(),
        "phases": {k: round(v, 2) for k, v in phases.seconds.items() if k != "start"},
    }


def run_step(name: str, args: argparse.Namespace, voter_file: Path, history_file: Path) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--step", name, "--voters", str(args.voters), "--seed", str(args.seed),
           "--dir", str(args.dir), "--work", str(args.work)]  # fmt: skip
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    fn()  # warm: compile, caches, file pages
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def targeting_figures(store: VoterStore, repeat: int) -> list[tuple[str, float, float, str]]:
    engine = duckdb_engine(store)
    con = engine.backend.con
    county, house = con.execute("""
        SELECT county_id, state_house FROM voters GROUP BY 1, 2 ORDER BY count(*) DESC LIMIT 1""").fetchall()[0]
    precinct = con.execute(
        f"SELECT precinct FROM voters WHERE county_id = {county} GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
    ).fetchall()[0][0]
    generals = [r[0] for r in con.execute(
        "SELECT election_date FROM elections WHERE election_type = 'GENERAL' ORDER BY election_date DESC LIMIT 4"
    ).fetchall()]  # fmt: skip
    dates = ", ".join(f"DATE '{d}'" for d in generals)
    base = dict(counties=[county], districts={"state_house": [house]}, parties=["DEM"], age_min=18, age_max=35)
    u1 = targeting.Universe.from_dict(base)
    u2 = targeting.Universe.from_dict({**base, "history": [{"election_type": "GENERAL", "at_least": 2, "of_last": 4}]})
    where = f"status IN ('A', 'I') AND county_id = {county} AND state_house = '{house}' AND party = 'DEM' " \
            "AND age BETWEEN 18 AND 35"  # fmt: skip
    sql1 = f"SELECT count(*) FROM voters WHERE {where}"
    sql2_history = f"""SELECT count(*) FROM voters WHERE {where} AND voter_id IN (
        SELECT voter_id FROM vote_history WHERE election_type = 'GENERAL' AND election_date IN ({dates})
        GROUP BY voter_id HAVING count(*) >= 2)"""
    sql2_bits = f"SELECT count(*) FROM voters WHERE {where} AND bit_count(general_bits & 15) >= 2"
    sql3 = "SELECT precinct, party, count(*) FROM voters WHERE status IN ('A', 'I') GROUP BY 1, 2"
    sql4 = f"""SELECT voter_id, first_name, last_name, age, party, street_name, house_number, apartment, address
        FROM voters WHERE status IN ('A', 'I') AND precinct = '{precinct}'
        ORDER BY street_name, house_number % 2 DESC,
                 CASE WHEN house_number % 2 = 1 THEN house_number ELSE -house_number END, apartment, last_name"""

    def hand(sql: str) -> Callable[[], object]:
        return lambda: con.execute(sql).fetchall()

    # the same engine told it has no rollup: the whole-map count through Ibis over every voter
    no_rollup = Engine("duckdb", engine.backend, engine.generation, _tables=frozenset())
    start = time.perf_counter()
    ibis.to_sql(targeting.walk_rows(engine, precinct), dialect="duckdb")
    compile_ms = (time.perf_counter() - start) * 1000
    doors_key = ("doors", precinct, None)
    doors_query = median_ms(lambda: engine.run(doors_key, lambda: targeting.walk_rows(engine, precinct)), repeat)
    doors_sort = median_ms(
        lambda: targeting.in_walk_order(targeting.walk_table(engine.run(doors_key, lambda: None))), repeat
    )

    assert targeting.count(engine, u1) == con.execute(sql1).fetchall()[0][0]
    assert targeting.count(engine, u2) == con.execute(sql2_history).fetchall()[0][0]
    doors_n = sum(len(unit.voters) for d in targeting.doors(engine, precinct) for unit in d.units)
    # for context beside the goal's largest precinct: a precinct of the median size
    typical, typical_n = con.execute("""
        SELECT precinct, n FROM (SELECT precinct, count(*) AS n FROM voters WHERE status IN ('A', 'I') GROUP BY 1)
        ORDER BY n, precinct LIMIT 1 OFFSET (SELECT count(DISTINCT precinct) FROM voters) // 2""").fetchall()[0]
    assert doors_n == len(con.execute(sql4).fetchall())
    return [
        ("count: county + house district + party + age (goal < 10 ms)",
         median_ms(lambda: targeting.count(engine, u1), repeat), median_ms(hand(sql1), repeat), ""),
        ("  + voted in >= 2 of last 4 generals (goal < 100 ms)",
         median_ms(lambda: targeting.count(engine, u2), repeat), median_ms(hand(sql2_history), repeat),
         f"hand SQL on the vote bits: {median_ms(hand(sql2_bits), repeat):.1f} ms"),
        ("party counts for every precinct (goal < 150 ms)",
         median_ms(lambda: targeting.precinct_party_counts(engine), repeat), median_ms(hand(sql3), repeat),
         "ours reads the import's precinct rollup"),
        ("  the same through Ibis over every voter (no rollup)",
         median_ms(lambda: targeting.precinct_party_counts(no_rollup), repeat), median_ms(hand(sql3), repeat), ""),
        (f"doors of precinct {precinct} in walk order, {doors_n} voters (goal < 10 ms)",
         median_ms(lambda: targeting.doors(engine, precinct), repeat), median_ms(hand(sql4), repeat),
         f"ours: query + Arrow {doors_query:.1f} ms, + names, sides, walk order {doors_sort - doors_query:.1f} ms, "
         "the rest builds Door objects; "
         f"Ibis compile (cached after first) {compile_ms:.0f} ms; a precinct of median size ({typical_n} voters): "
         f"{median_ms(lambda: targeting.doors(engine, typical), repeat):.1f} ms"),
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voters", type=int, default=8_500_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dir", type=Path, default=ROOT / "var" / "bench-voterfile", help="generated files (cached)")
    parser.add_argument("--work", type=Path, help="databases the steps write (default: under --dir)")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=3, help="times the import steps run, alternating")
    parser.add_argument(
        "--targeting-only",
        action="store_true",
        help="skip the import rounds: time the queries on the store the last run imported",
    )
    parser.add_argument("--step", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.dir = args.dir.resolve()
    args.work = (args.work or args.dir).resolve()
    work = args.work / f"work-{args.voters}-{args.seed}"
    work.mkdir(parents=True, exist_ok=True)
    if args.step:
        voter_file, history_file, _ = files_for(args)
        print(json.dumps(step(args.step, voter_file, history_file, work)))
        return

    voter_file, history_file, gen_seconds = files_for(args)
    meta = json.loads((voter_file.parent / "generated.json").read_text())
    size_mb = voter_file.stat().st_size / 1e6
    print(f"synthetic NC: {meta['voters']:,} voters ({size_mb:,.0f} MB), {meta['history_rows']:,} history rows "
          f"({history_file.stat().st_size / 1e6:,.0f} MB)")  # fmt: skip
    print(f"generation: {gen_seconds:.1f} s" if gen_seconds is not None else
          f"generation: cached (took {meta['seconds']:.1f} s)")  # fmt: skip

    if args.targeting_only:
        print_targeting(work, args.repeat)
        return
    print(
        f"\nimport, {args.rounds} rounds: each round runs the steps in turn, each in its own process (peak = the"
        " largest max RSS of that step's processes);\nfigures are medians over the rounds, ratios the median"
        " of each round's own ratio"
    )
    labels = {
        "pyarrow": "pyarrow read_csv (parse limit)",
        "duckdb": "DuckDB CTAS read_csv -> file (baseline)",
        "ours_voters": "ours: voter file import",
        "duckdb_history": "DuckDB CTAS of the history file (baseline)",
        "ours_history": "ours: history import",
    }
    # Baseline and ours alternate, round after round, so a slow spell of the shared machine falls on
    # both; the history import needs the voters imported in the same round.
    rounds: list[dict[str, dict[str, Any]]] = []
    for _ in range(args.rounds):
        rounds.append({name: run_step(name, args, voter_file, history_file) for name in labels})
    print(f"{'step':<46}{'seconds':>9}{'cpu s':>8}{'rows':>13}{'peak MiB':>10}  ours / it   each round")
    for name in labels:
        figs = [r[name] for r in rounds]
        ours_step = "ours_history" if "history" in name else "ours_voters"
        ratios = [r[ours_step]["seconds"] / r[name]["seconds"] for r in rounds]
        baseline = name.startswith(("pyarrow", "duckdb"))
        ratio = f"{statistics.median(ratios):.2f}x" if baseline else ""
        each = " ".join(f"{f['seconds']:.1f}" for f in figs)
        if baseline:
            each += "  (" + " ".join(f"{x:.2f}x" for x in ratios) + ")"
        med = {k: statistics.median(f[k] for f in figs) for k in ("seconds", "cpu", "peak_mib")}
        print(f"{labels[name]:<46}{med['seconds']:>9.2f}{med['cpu']:>8.1f}{figs[0]['rows']:>13,}"
              f"{max(f['peak_mib'] for f in figs):>10,.0f}  {ratio:<10} {each}")  # fmt: skip
        if figs[0]["phases"]:
            phases = {k: statistics.median(f["phases"].get(k, 0.0) for f in figs) for k in figs[0]["phases"]}
            print(f"{'':<6}phases (median): " + ", ".join(f"{k} {v:.1f} s" for k, v in phases.items()))
    print(f"{'bench parent process':<46}{'':>9}{'':>8}{'':>13}{peak_mib():>10,.0f}")
    ours_peak = max(r[name]["peak_mib"] for r in rounds for name in ("ours_voters", "ours_history"))
    verdict = "met" if ours_peak < MEMORY_GOAL_MIB else "NOT MET"
    print(f"peak memory of our imports: {ours_peak:,.0f} MiB (goal < {MEMORY_GOAL_MIB:,} MiB): {verdict}")
    print_targeting(work, args.repeat)


def print_targeting(work: Path, repeat: int) -> None:
    print(f"\ntargeting on DuckDB, warm, median of {repeat} (ms)")
    print(f"{'query':<72}{'ours':>9}{'hand SQL':>10}")
    for label, mine, hand, note in targeting_figures(VoterStore(work / "store" / "voters.duckdb"), repeat):
        print(f"{label:<72}{mine:>9.1f}{hand:>10.1f}  {note}")


if __name__ == "__main__":
    main()

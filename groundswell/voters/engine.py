"""The voter engine as the web process sees it: one store per state, opened read-only, reused.

Stores live beside the configured GROUNDSWELL_VOTER_DB path, one directory per state:

    <data dir>/voters.duckdb            settings.VOTER_DB_PATH (not a database itself)
    <data dir>/voters/NC/voters.*       North Carolina's generations (see groundswell.voterfile.store)
    <data dir>/voters/OH/voters.*       Ohio's

One store per state because an import of a registration file is the whole state's list: the engine
marks voters missing from the new file as removed, so two states' files cannot share one store.

A process keeps one read-only connection per state and reopens it when an import publishes a new
generation. DuckDB connections are not safe to use from two threads at once, so every query holds the
state's lock (``using_engine``); the web server's threads queue on it for the milliseconds a query takes.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from groundswell.voterfile.engines import Engine, duckdb_engine
from groundswell.voterfile.store import VoterStore

STATE_CODE = re.compile(r"^[A-Z]{2}$")


class NoVoterData(LookupError):
    """No voter file has been imported for this state yet."""


def stores_root() -> Path:
    path = Path(settings.VOTER_DB_PATH)
    return path.with_name(path.stem)


def store_for(state: str) -> VoterStore:
    """The store of one state's voter files; the only place a store's path is worked out."""
    code = state.upper()
    if not STATE_CODE.match(code):
        raise ValueError(f"not a state code: {state!r}")
    return VoterStore(stores_root() / code / Path(settings.VOTER_DB_PATH).name)


def states_with_data() -> list[str]:
    root = stores_root()
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if STATE_CODE.match(p.name) and store_for(p.name).current())


@dataclass
class _Open:
    engine: Engine
    lock: threading.Lock


_OPEN: dict[tuple[str, Path], _Open] = {}
_OPENING = threading.Lock()


def _open(state: str) -> _Open:
    store = store_for(state)
    current = store.current()
    if current is None:
        raise NoVoterData(f"No voter file has been imported for {state.upper()} yet.")
    key = (state.upper(), current)
    with _OPENING:
        found = _OPEN.get(key)
        if found is None:
            for old_key in [k for k in _OPEN if k[0] == key[0]]:
                _close(_OPEN.pop(old_key))
            found = _OPEN[key] = _Open(duckdb_engine(store), threading.Lock())
        return found


def _close(opened: _Open) -> None:
    with opened.lock:
        opened.engine.backend.disconnect()


@contextmanager
def using_engine(state: str) -> Iterator[Engine]:
    """The state's current generation, read-only, for one query at a time (raises NoVoterData)."""
    opened = _open(state)
    with opened.lock:
        yield opened.engine


def close_all() -> None:
    """Forget every open connection (tests that replace the data directory)."""
    with _OPENING:
        for opened in _OPEN.values():
            _close(opened)
        _OPEN.clear()

"""Where voter data lives: immutable DuckDB generations, one writer at a time, any number of readers.

DuckDB lets one process open a database file for writing, and then no other process may open it at
all. So the web server never shares a file with the importer: every import writes a NEW database
file (a generation) while holding an exclusive lock, copying forward what it keeps from the previous
generation, and publishes it by atomically replacing a small pointer file. Readers open the current
generation read-only (many processes may), and see either the old data or the new, never a half-done
import. A failed import deletes its unfinished file and the pointer never moves.

    var/voters.duckdb           the configured path (GROUNDSWELL_VOTER_DB); not a database itself
    var/voters.current          names the current generation
    var/voters.000042.duckdb    generation 42 (the previous one is kept for readers still on it)
    var/voters.lock             held by the one writer
"""

from __future__ import annotations

import fcntl
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

GENERATION_NAME = re.compile(r"\.(\d{6})\.duckdb$")


class WriterBusy(RuntimeError):
    """Another import holds the writer lock."""


class VoterStore:
    """The voter database at one configured path."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        stem = self.path.name.removesuffix(".duckdb")
        self.pointer = self.path.with_name(f"{stem}.current")
        self.lock_path = self.path.with_name(f"{stem}.lock")
        self._stem = stem

    def generation_path(self, number: int) -> Path:
        return self.path.with_name(f"{self._stem}.{number:06d}.duckdb")

    def current(self) -> Path | None:
        """The published generation, or None before the first import."""
        try:
            name = self.pointer.read_text().strip()
        except FileNotFoundError:
            return None
        return self.path.with_name(name)

    def current_number(self) -> int:
        current = self.current()
        match = GENERATION_NAME.search(current.name) if current else None
        return int(match.group(1)) if match else 0

    def connect_readonly(self) -> duckdb.DuckDBPyConnection:
        """A read-only connection to the current generation (raises LookupError before any import)."""
        current = self.current()
        if current is None:
            raise LookupError(f"no voter data has been imported into {self.path}")
        return duckdb.connect(str(current), read_only=True)

    @contextmanager
    def writer_lock(self, timeout: float = 0.0) -> Iterator[None]:
        """Hold the one-writer lock: an fcntl lock, released by the kernel even if the process dies."""
        with open(self.lock_path, "a+") as handle:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise WriterBusy(f"another import is writing {self.path}") from None
                    time.sleep(0.2)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def publish(self, generation: Path) -> None:
        """Point readers at a finished generation, atomically, then drop generations two or more back."""
        tmp = self.pointer.with_name(self.pointer.name + ".tmp")
        tmp.write_text(generation.name + "\n")
        os.replace(tmp, self.pointer)
        self._collect_old(keep={generation.name})

    def _collect_old(self, keep: set[str]) -> None:
        # Keep the newest previous generation for readers that opened it moments ago; an older one may
        # be deleted even while open: POSIX keeps an unlinked file readable through open handles.
        gens = sorted(p for p in self.path.parent.glob(f"{self._stem}.*.duckdb") if GENERATION_NAME.search(p.name))
        for old in gens[:-2]:
            if old.name not in keep:
                old.unlink(missing_ok=True)
                Path(str(old) + ".wal").unlink(missing_ok=True)

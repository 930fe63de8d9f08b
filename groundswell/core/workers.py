"""Which job workers are alive: each keeps a lease file under DATA_DIR/jobs/workers, renewed every few
seconds by a thread of its own.

Why a file and not a row: a handler applies its changes in one transaction, and on SQLite (a write
lock) or PostgreSQL (the job row's lock) a second connection could not write a heartbeat until that
transaction ends; a file is renewed whatever the database is doing. The web server and the workers
already share DATA_DIR (uploads are kept there), so the pages read the same files.
"""

from __future__ import annotations

import json
import os
import re
import socket
import threading
import time
from pathlib import Path
from types import TracebackType

from django.conf import settings

# A lease not renewed for this long belongs to a worker that has stopped (it renews every LEASE_RENEW).
LEASE_SECONDS = 30.0
LEASE_RENEW_SECONDS = 5.0


def worker_id(pid: int | None = None) -> str:
    """This process's name as a worker (or the name of process ``pid`` on this machine)."""
    return f"{socket.gethostname()}:{pid if pid is not None else os.getpid()}"


def workers_dir() -> Path:
    return Path(settings.DATA_DIR) / "jobs" / "workers"


def lease_path(worker: str) -> Path:
    return workers_dir() / f"{re.sub(r'[^A-Za-z0-9._-]', '_', worker)}.lease"


def _lease_is_fresh(path: Path) -> bool:
    try:
        return time.time() - path.stat().st_mtime < LEASE_SECONDS
    except OSError:
        return False


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: it exists
    return True


def worker_is_alive(worker: str) -> bool:
    """A worker on this machine is alive while its process exists and renews its lease; one elsewhere,
    while its lease is renewed."""
    host, _, pid = worker.rpartition(":")
    if not _lease_is_fresh(lease_path(worker)):
        return False
    if host == socket.gethostname() and pid.isdigit():
        return _process_exists(int(pid))
    return True


def live_workers() -> list[str]:
    """Every worker whose lease is fresh."""
    alive = []
    for path in sorted(workers_dir().glob("*.lease")):
        try:
            worker = json.loads(path.read_text())["worker"]
        except (OSError, ValueError, KeyError):
            continue  # being replaced at this moment, or not ours
        if worker_is_alive(worker):
            alive.append(worker)
    return alive


def forget_worker(worker: str) -> None:
    lease_path(worker).unlink(missing_ok=True)


class WorkerLease:
    """Held by a worker while it runs: a thread renews the lease file until the worker stops."""

    def __init__(self, worker: str | None = None, *, renew_seconds: float = LEASE_RENEW_SECONDS) -> None:
        self.worker = worker or worker_id()
        self.renew_seconds = renew_seconds
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._renew_until_stopped, name="worker-lease", daemon=True)

    def __enter__(self) -> WorkerLease:
        self.renew()
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        self._stopped.set()
        self._thread.join()
        forget_worker(self.worker)

    def renew(self) -> None:
        path = lease_path(self.worker)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps({"worker": self.worker, "pid": os.getpid()}))
        os.replace(temporary, path)  # a reader never sees half a file

    def _renew_until_stopped(self) -> None:
        while not self._stopped.wait(self.renew_seconds):
            try:
                self.renew()
            except OSError:
                pass  # a full disk: the next renewal may succeed; until then the lease ages

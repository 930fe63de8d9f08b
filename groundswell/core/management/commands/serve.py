"""Serve the platform with gunicorn, plus a job worker that is started again whenever it dies."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from types import FrameType
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError, connection

from groundswell import config
from groundswell.core.jobs import release_jobs_of
from groundswell.core.workers import worker_id

# A request spends much of its time waiting on the database (a round trip, a commit): threads let one
# process serve others meanwhile. Each thread keeps its own database connection (CONN_MAX_AGE).
WEB_THREADS = 4
WORKER_ARGV = [sys.executable, "-m", "groundswell.cli", "worker"]
POLL_SECONDS = 0.2


@dataclass
class RestartBackoff:
    """How long to wait before starting a dead worker again: 1 s, then twice as long each time it dies
    soon after starting (a worker that cannot even connect to the database must not spin), back to 1 s
    once one has run for a while."""

    first: float = 1.0
    longest: float = 60.0
    healthy_after: float = 60.0
    _next: float = 1.0

    def delay_after(self, ran_for: float) -> float:
        if ran_for >= self.healthy_after:
            self._next = self.first
        delay = self._next
        self._next = min(self.longest, self._next * 2)
        return delay


class Command(BaseCommand):
    help = "Serve the web application (gunicorn) and run the background job worker beside it, restarting it if it dies."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000", help="Address and port to listen on.")
        parser.add_argument("--workers", type=int, default=config.env_int("GROUNDSWELL_WEB_WORKERS"))
        parser.add_argument(
            "--threads", type=int, default=WEB_THREADS, help="Threads per web server process (gthread workers)."
        )
        parser.add_argument("--no-worker", action="store_true", help="Do not start the job worker.")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stopping = threading.Event()
        self.web = subprocess.Popen(  # noqa: S603  # fixed argument list, no shell
            [sys.executable, "-m", "gunicorn", "groundswell.wsgi:application", "--bind", options["bind"],
             "--workers", str(options["workers"]), "--worker-class", "gthread",
             "--threads", str(options["threads"]), "--access-logfile", "-", "--timeout", "120"]
        )  # fmt: skip
        self.worker: subprocess.Popen[bytes] | None = None
        if not options["no_worker"]:
            self._start_worker()
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        self.stdout.write(f"Groundswell is serving http://{options['bind']}/ (Ctrl-C stops it)")
        self._supervise(with_worker=not options["no_worker"])

    def _start_worker(self) -> None:
        self.worker = subprocess.Popen(WORKER_ARGV)  # noqa: S603  # fixed argument list, no shell
        self.worker_started = time.monotonic()

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        self.stopping.set()
        for child in (self.web, self.worker):
            if child is not None and child.poll() is None:
                child.terminate()

    def _supervise(self, *, with_worker: bool) -> None:
        """Until stopped: a web server that exits ends the whole (it cannot serve); a worker that dies has
        its jobs released at once and is started again after a backoff."""
        backoff = RestartBackoff()
        while not self.stopping.is_set():
            if self.web.poll() is not None:
                self.stderr.write(f"The web server stopped (exit code {self.web.returncode}); stopping.")
                self._stop(signal.SIGTERM, None)
                break
            if with_worker and self.worker is not None and self.worker.poll() is not None:
                self._restart_worker(backoff)
            self.stopping.wait(POLL_SECONDS)
        for child in (self.web, self.worker):
            if child is not None:
                child.wait()

    def _restart_worker(self, backoff: RestartBackoff) -> None:
        assert self.worker is not None
        dead, code = self.worker.pid, self.worker.returncode
        try:
            released = release_jobs_of(worker_id(dead))
        except DatabaseError as exc:  # the next worker releases them once the lease has lapsed
            self.stderr.write(f"Could not release the dead worker's jobs now ({exc}).")
            released = 0
        finally:
            connection.close()  # hold no connection (nor, on SQLite, a lock) while waiting
        delay = backoff.delay_after(time.monotonic() - self.worker_started)
        jobs = f"; {released} job{'s' if released != 1 else ''} it held will run again" if released else ""
        self.stderr.write(
            f"The job worker (process {dead}) stopped (exit code {code}){jobs}; starting it again in {delay:g} s."
        )
        if not self.stopping.wait(delay):
            self._start_worker()
            self.stdout.write(f"The job worker is running again (process {self.worker.pid}).")

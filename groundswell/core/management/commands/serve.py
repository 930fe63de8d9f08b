"""Serve the platform with gunicorn, plus a job worker, until interrupted."""

from __future__ import annotations

import signal
import subprocess
import sys
from types import FrameType
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from groundswell import config

# A request spends much of its time waiting on the database (a round trip, a commit): threads let one
# process serve others meanwhile. Each thread keeps its own database connection (CONN_MAX_AGE).
WEB_THREADS = 4


class Command(BaseCommand):
    help = "Serve the web application (gunicorn) and run the background job worker beside it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000", help="Address and port to listen on.")
        parser.add_argument("--workers", type=int, default=config.env_int("GROUNDSWELL_WEB_WORKERS"))
        parser.add_argument(
            "--threads", type=int, default=WEB_THREADS, help="Threads per web server process (gthread workers)."
        )
        parser.add_argument("--no-worker", action="store_true", help="Do not start the job worker.")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("collectstatic", interactive=False, verbosity=0)
        children = [
            subprocess.Popen(  # noqa: S603  # fixed argument list, no shell
                [sys.executable, "-m", "gunicorn", "groundswell.wsgi:application", "--bind", options["bind"],
                 "--workers", str(options["workers"]), "--worker-class", "gthread",
                 "--threads", str(options["threads"]), "--access-logfile", "-", "--timeout", "120"]
            )
        ]  # fmt: skip
        if not options["no_worker"]:
            children.append(subprocess.Popen([sys.executable, "-m", "groundswell.cli", "worker"]))

        def stop(signum: int, frame: FrameType | None) -> None:
            for child in children:
                child.terminate()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write(f"Groundswell is serving http://{options['bind']}/ (Ctrl-C stops it)")
        for child in children:
            child.wait()

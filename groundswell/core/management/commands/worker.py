"""Run background jobs (imports, list builds, sends) as they are queued."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from groundswell.core.jobs import run_pending_jobs, work_forever


class Command(BaseCommand):
    help = "Run queued background jobs; with --once, run what is queued now and stop."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run the queued jobs, then exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:
            ran = run_pending_jobs()
            self.stdout.write(f"Ran {ran} job{'s' if ran != 1 else ''}.")
        else:
            work_forever()

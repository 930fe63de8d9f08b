"""groundswell compute_lean: every district's lean from a reference race."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from groundswell.geo.cli import progress_bar
from groundswell.powermap.actions import do_compute_lean
from groundswell.powermap.selectors import find_race


class Command(BaseCommand):
    help = "Compute each district's partisan lean in a state from a reference race (default: president)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--state", required=True)
        parser.add_argument("--year", type=int, required=True, help="Year of the general election, e.g. 2016")
        parser.add_argument("--office", default="president", help="Office role: president, us_senate, governor ...")

    def handle(self, *args: Any, **options: Any) -> None:
        race = find_race(options["state"], options["year"], options["office"])
        if race is None:
            raise CommandError("No such race imported for that state and year.")
        with progress_bar("lean") as progress:
            count = do_compute_lean(options["state"], race, actor=None, progress=progress)
        self.stdout.write(f"{count} districts got a lean from {race}.")

"""groundswell link-voters --state NC: match a state's people to its voter file again."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from groundswell.voters.actions import do_link_voters
from groundswell.voters.engine import NoVoterData


class Command(BaseCommand):
    help = "Match the people of a state to its voter file: sure pairs are linked, unsure ones queued for review."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--state", required=True, help="Two-letter state.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            counts = do_link_voters(options["state"].upper(), actor=None)
        except NoVoterData as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{counts['auto']} linked, {counts['review']} to review.")

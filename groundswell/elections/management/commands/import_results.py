"""groundswell import_results: an OpenElections precinct results CSV."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from groundswell.elections.actions import do_import_results
from groundswell.elections.models import ElectionKind
from groundswell.elections.openelections import facts_from_filename
from groundswell.geo.cli import describe, run_import


class Command(BaseCommand):
    help = "Import precinct results from an OpenElections CSV (date, state, kind and county from its name)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="e.g. 20201103__pa__general__allegheny__precinct.csv")
        parser.add_argument("--state", help="Two-letter state code (default: from the file name)")
        parser.add_argument("--date", type=date.fromisoformat, help="Election day (default: from the file name)")
        parser.add_argument("--kind", choices=ElectionKind.values, help="Election kind (default: from the file name)")
        parser.add_argument("--county", default="", help="County, when the file has no county column")
        parser.add_argument("--dry-run", action="store_true", help="Check and count, then roll back")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        facts = facts_from_filename(path.name)
        state = options["state"] or (facts.state if facts else None)
        on = options["date"] or (facts.election_date if facts else None)
        kind = options["kind"] or (facts.kind if facts and facts.kind in ElectionKind.values else None)
        if not (state and on and kind):
            raise CommandError("Give --state, --date and --kind: the file name does not say them.")
        county = options["county"] or (facts.county if facts else "")

        def work(progress: Any) -> Any:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                return do_import_results(
                    handle,
                    state=state,
                    election_date=on,
                    kind=kind,
                    county=county,
                    source_name=path.name,
                    dry_run=options["dry_run"],
                    progress=progress,
                    actor=None,
                )

        self.stdout.write(describe(run_import("results", work)))

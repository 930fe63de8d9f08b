"""groundswell import_boundaries: precinct and district boundaries from a GeoJSON file."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from groundswell.geo.actions import do_import_boundaries
from groundswell.geo.cli import describe, run_import


class Command(BaseCommand):
    help = "Import precincts (shapes, facts) and the districts they lie in from a GeoJSON file (MGGG layout)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="GeoJSON FeatureCollection of precincts")
        parser.add_argument("--state", required=True, help="Two-letter state code, e.g. ri")
        parser.add_argument("--plan-from", type=date.fromisoformat, help="First day the district lines were in force")
        parser.add_argument("--plan-to", type=date.fromisoformat, help="Last day the district lines were in force")
        parser.add_argument("--dry-run", action="store_true", help="Check and count, then roll back")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        report = run_import(
            "boundaries",
            lambda progress: do_import_boundaries(
                path,
                state=options["state"],
                plan_valid_from=options["plan_from"],
                plan_valid_to=options["plan_to"],
                source_name=path.name,
                dry_run=options["dry_run"],
                progress=progress,
                actor=None,
            ),
        )
        self.stdout.write(describe(report))

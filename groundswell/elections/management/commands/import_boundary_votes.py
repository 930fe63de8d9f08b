"""groundswell import_boundary_votes: precinct votes carried as properties of a boundary GeoJSON."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from groundswell.elections.actions import do_import_boundary_votes
from groundswell.geo.cli import describe, run_import


class Command(BaseCommand):
    help = "Import the 2016/2018 precinct votes in MGGG's Rhode Island GeoJSON (import its boundaries first)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--state", required=True)
        parser.add_argument("--dry-run", action="store_true", help="Check and count, then roll back")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        report = run_import(
            "precinct votes",
            lambda progress: do_import_boundary_votes(
                path,
                state=options["state"],
                source_name=path.name,
                dry_run=options["dry_run"],
                progress=progress,
                actor=None,
            ),
        )
        self.stdout.write(describe(report))

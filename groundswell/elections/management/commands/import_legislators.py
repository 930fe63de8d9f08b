"""groundswell import_legislators: Open States legislators (CSV, or the people repository's YAML)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from groundswell.elections.actions import do_import_legislators
from groundswell.elections.openstates import read_legislators_csv, read_legislators_yaml, yaml_paths
from groundswell.geo.cli import describe, run_import


class Command(BaseCommand):
    help = "Import current state legislators: offices, terms and party (Open States CSV or YAML folder)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="openstates-legislators.csv, or a people/data folder of .yml")
        parser.add_argument("--state", action="append", default=[], help="Only this state (repeatable), e.g. ri")
        parser.add_argument("--dry-run", action="store_true", help="Check and count, then roll back")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        states = {s.lower() for s in options["state"]} or None

        def work(progress: Any) -> Any:
            progress("reading", 0, None)
            if path.is_dir() or path.suffix in {".yml", ".yaml"}:
                rows = read_legislators_yaml(yaml_paths(path), today=timezone.localdate(), states=states)
            else:
                with path.open(encoding="utf-8-sig", newline="") as handle:
                    rows = read_legislators_csv(handle, states=states)
            return do_import_legislators(
                rows, source_name=path.name, dry_run=options["dry_run"], progress=progress, actor=None
            )

        self.stdout.write(describe(run_import("legislators", work)))

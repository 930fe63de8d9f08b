"""groundswell import-endorsements FILE --endorser COL ... : load past endorsements with a column mapping."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from groundswell.endorsements.importing import FIELDS, Mapping, do_import_historical_endorsements, text_of
from groundswell.geo.importing import ImportRejected


class Command(BaseCommand):
    help = (
        "Import historical endorsements from a CSV: name the endorser columns (Yes/No) and the columns of the "
        "race, the candidate and the result. All rows or none; bad rows are listed by row and column."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--endorser",
            action="append",
            required=True,
            metavar="COLUMN",
            help="A column holding Yes or No for one endorser (repeat for several).",
        )
        for name, label in FIELDS.items():
            parser.add_argument(f"--{name}", default="", metavar="COLUMN", help=f"Column: {label}.")
        parser.add_argument("--default-state", default="", help="State of every row, when there is no state column.")
        parser.add_argument("--default-kind", default="general", help="Election kind when there is no kind column.")
        parser.add_argument("--default-level", default="", help="Office level when there is no level column.")
        parser.add_argument("--dry-run", action="store_true", help="Check and count, then roll back.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(f"No such file: {path}")
        mapping = Mapping(
            endorsers=options["endorser"],
            columns={k: options[k] for k in FIELDS if options[k]},
            default_state=options["default_state"],
            default_kind=options["default_kind"],
            default_level=options["default_level"],
        )
        console = Console(file=self.stdout)  # type: ignore[arg-type]  # OutputWrapper is a text stream
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
        with Progress(*columns, console=console) as bar:
            task = bar.add_task("reading", total=None)

            def progress(phase: str, done: int, total: int | None) -> None:
                bar.update(task, description=phase, completed=done, total=total)

            try:
                report = do_import_historical_endorsements(
                    text_of(path.read_bytes()),
                    mapping=mapping,
                    file_name=path.name,
                    actor=None,
                    dry_run=options["dry_run"],
                    progress=progress,
                )
            except ImportRejected as rejected:
                raise CommandError(str(rejected)) from rejected
        console.print(report.summary() + (" (dry run: nothing saved)" if options["dry_run"] else ""))

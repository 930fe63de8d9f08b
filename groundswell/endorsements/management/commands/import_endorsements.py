"""groundswell import-endorsements FILE [--endorser COL ...]: load past endorsements with a column mapping;
what is not named is guessed as the mapping page guesses it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from groundswell.endorsements.importing import (
    FIELDS,
    OUTCOME_CHOICES,
    READ_AS_SHARE,
    READ_AS_VALUES,
    Mapping,
    do_import_historical_endorsements,
    guess_mapping,
    read_csv,
    text_of,
)
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
            default=[],
            metavar="COLUMN",
            help="A column holding Yes or No for one endorser (repeat for several). Without it: the Yes/No "
            "columns whose header names an endorsement or support.",
        )
        for name, label in FIELDS.items():
            parser.add_argument(f"--{name}", default="", metavar="COLUMN", help=f"Column: {label}.")
        parser.add_argument("--default-state", default="", help="State of every row, when there is no state column.")
        parser.add_argument("--default-kind", default="", help="Election kind when there is no kind column.")
        parser.add_argument(
            "--result-as",
            choices=[READ_AS_VALUES, READ_AS_SHARE],
            default="",
            help="How the result column reads: values (won, lost ...) or a vote share (the most in a race won).",
        )
        parser.add_argument(
            "--result-means",
            action="append",
            default=[],
            metavar="VALUE=OUTCOME",
            help="What a result value means (won, lost or pending), for a value that is not a known word.",
        )
        parser.add_argument("--default-level", default="", help="Office level when there is no level column.")
        parser.add_argument("--dry-run", action="store_true", help="Check and count, then roll back.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(f"No such file: {path}")
        mapping = self._mapping(path, options)
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

    def _mapping(self, path: Path, options: dict[str, Any]) -> Mapping:
        """The columns named on the command line; the rest as the mapping page would guess them."""
        guessed = guess_mapping(*read_csv(text_of(path.read_bytes())))
        means = {}
        outcomes = {value for value, _ in OUTCOME_CHOICES}
        for item in options["result_means"]:
            value, _, outcome = item.rpartition("=")
            if outcome not in outcomes:
                raise CommandError(f"--result-means {item!r}: say VALUE=won, VALUE=lost or VALUE=pending")
            means[value.strip().lower()] = outcome
        named = {k: options[k] for k in FIELDS if options[k]}
        mapping = Mapping(
            endorsers=options["endorser"] or guessed.endorsers,
            columns={**guessed.columns, **named},
            default_state=options["default_state"],
            default_kind=options["default_kind"] or guessed.default_kind,
            default_level=options["default_level"],
            result_as=options["result_as"] or (guessed.result_as if "result" not in named else READ_AS_VALUES),
            result_values=means,
        )
        self.stdout.write(f"Endorser columns: {', '.join(mapping.endorsers) or 'none'}")
        self.stdout.write("Columns: " + ", ".join(f"{k}={v}" for k, v in mapping.columns.items()))
        return mapping

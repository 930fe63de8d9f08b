"""groundswell import-voters FILE: import a state voter file as one batch, with a progress bar."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from groundswell.core.management.progress import progress_bar
from groundswell.core.models import User
from groundswell.voters.actions import VoterImportError, VoterImportHeld, do_import_voter_file_now
from groundswell.voters.models import ColumnMappingRecord, Layout

LAYOUTS = {"ncvoter": Layout.NCVOTER, "ncvhis": Layout.NCVHIS, "ohio": Layout.OHIO, "mapped": Layout.MAPPED}
SHOWN_REJECTS = 20


class Command(BaseCommand):
    help = "Import a voter file (NC ncvoter or ncvhis, Ohio SWVF, or any CSV through a column mapping)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The file as the state publishes it (text or zip).")
        parser.add_argument("--layout", required=True, choices=sorted(LAYOUTS), help="The file's layout.")
        parser.add_argument("--state", default="", help="Two-letter state (NC and Ohio files say it themselves).")
        parser.add_argument(
            "--mapping", help="For --layout mapped: a saved mapping's name, or a JSON file of a ColumnMapping."
        )
        parser.add_argument(
            "--max-rejected", type=float, default=1.0, metavar="PERCENT",
            help="Refuse the whole file if more than this percent of rows are bad (default 1).",
        )  # fmt: skip
        parser.add_argument(
            "--confirm", action="store_true",
            help="Apply the file even if it would mark removed, or change, more of the state's voters than "
            "the import guard allows (GROUNDSWELL_IMPORT_GUARD_VOTERS), or is much shorter than the last one.",
        )  # fmt: skip
        parser.add_argument("--as", dest="as_email", help="Import as this user (audited as them).")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        layout = LAYOUTS[options["layout"]]
        mapping = self._mapping(options["mapping"], options["state"]) if layout == Layout.MAPPED else None
        actor = User.objects.filter(email=options["as_email"].lower()).first() if options["as_email"] else None
        if options["as_email"] and actor is None:
            raise CommandError(f"No user {options['as_email']}.")
        try:
            with progress_bar(self.stderr, width=100) as bar:  # type: ignore[arg-type]  # OutputWrapper is a text stream
                done = do_import_voter_file_now(
                    path, state=options["state"], layout=layout, mapping=mapping,
                    max_rejected_percent=options["max_rejected"], confirmed=options["confirm"], actor=actor,
                    progress=bar,
                )  # fmt: skip
        except VoterImportHeld as exc:
            raise CommandError(f"{exc} To apply it, run the command again with --confirm.") from exc
        except VoterImportError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Imported {done.file_name} into {done.state} as batch {done.batch_id}: {done.rows_read:,} rows read, "
            f"{done.inserted:,} new, {done.updated:,} updated, {done.removed:,} removed, {done.unchanged:,} unchanged, "
            f"{done.rejected:,} rejected. People matched: {done.linked.get('auto', 0)} linked, "
            f"{done.linked.get('review', 0)} to review."
        )
        for reject in done.rejects[:SHOWN_REJECTS]:
            self.stdout.write(f"  line {reject['line']}, {reject['column'] or '-'}: {reject['reason']}")

    def _mapping(self, given: str | None, state: str) -> dict[str, Any]:
        if not given:
            raise CommandError("--layout mapped needs --mapping (a saved mapping's name or a JSON file).")
        if Path(given).is_file():
            try:
                data: dict[str, Any] = json.loads(Path(given).read_text())
            except ValueError as exc:
                raise CommandError(f"{given} is not JSON: {exc}") from exc
            return data
        record = ColumnMappingRecord.objects.filter(name=given, state=state.upper()).first()
        if record is None:
            raise CommandError(f"No saved mapping named {given!r} for {state.upper() or 'that state'}.")
        return dict(record.mapping)

"""groundswell import-ballots FILE: import an early-vote and absentee-ballot file, with a progress bar."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from groundswell.core.management.progress import progress_bar
from groundswell.core.models import User
from groundswell.turnout.ballots import METHODS, BallotFileError, GenericMapping
from groundswell.turnout.importing import BallotCounts, BallotRowsInvalid, do_import_ballots, do_upload_ballot_file
from groundswell.turnout.models import BallotImport, BallotLayout


class Command(BaseCommand):
    help = (
        "Import ballot returns (early votes and absentee ballots) from North Carolina's absentee file or any CSV. "
        "All rows or none; re-importing the same file changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="NC's absentee_<date>.csv, or any CSV (--layout generic).")
        parser.add_argument("--layout", choices=[c.value for c in BallotLayout], default=BallotLayout.NC_ABSENTEE,
                            help="nc_absentee (default) or generic.")  # fmt: skip
        parser.add_argument("--state", default="", help="Two-letter state of a generic file (NC's file is NC).")
        parser.add_argument("--file-date", type=date.fromisoformat, default=None,
                            help="The file date (YYYY-MM-DD). Default: the date in its name, or today.")  # fmt: skip
        parser.add_argument("--voter-id-column", default="", help="Generic: the column with the voter id.")
        parser.add_argument("--date-column", default="", help="Generic: the column with the date returned or voted.")
        parser.add_argument("--method-column", default="", help="Generic: the method column (mail, early, ...).")
        parser.add_argument("--status-column", default="",
                            help="Generic: the status column. Without it every dated row counts.")  # fmt: skip
        parser.add_argument("--precinct-column", default="", help="Generic: the column with the precinct.")
        parser.add_argument("--county-column", default="", help="Generic: the column with the county.")
        parser.add_argument("--default-method", choices=METHODS, default="other",
                            help="Generic: the method of rows without one.")  # fmt: skip
        parser.add_argument("--as", dest="as_email", help="Import as this user (staff or the state's coordinator).")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        try:
            ballot_import = do_upload_ballot_file(
                path, state=options["state"], layout=options["layout"], mapping=self._mapping(options),
                file_date=options["file_date"], actor=self._actor(options["as_email"]),
            )  # fmt: skip
            counts = self._run(ballot_import)
        except BallotFileError as exc:
            raise CommandError(str(exc)) from exc
        except BallotRowsInvalid as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            more = exc.error_count - len(exc.errors)
            if more > 0:
                self.stderr.write(f"... and {more} more.")
            raise CommandError(f"Nothing was imported: {exc.error_count} problem(s) in {path.name}.") from exc
        self.stdout.write(
            f"Imported {ballot_import.state} ballots dated {ballot_import.file_date}: {counts.inserted} new, "
            f"{counts.updated} updated, {counts.unchanged} unchanged, {counts.older} kept from a newer file "
            f"({counts.rows_read} rows, {counts.voters} voters)."
        )

    def _mapping(self, options: dict[str, Any]) -> GenericMapping | None:
        if options["layout"] != BallotLayout.GENERIC:
            return None
        return GenericMapping(
            voter_id=options["voter_id_column"], returned_on=options["date_column"], method=options["method_column"],
            status=options["status_column"], precinct=options["precinct_column"], county=options["county_column"],
            default_method=options["default_method"],
        )  # fmt: skip

    def _actor(self, email: str | None) -> User | None:
        if not email:
            return None
        user = User.objects.filter(email=email.strip().lower(), is_active=True).first()
        if user is None:
            raise CommandError(f"No active user has the email {email}.")
        return user

    def _run(self, ballot_import: BallotImport) -> BallotCounts:
        with progress_bar(sys.stderr) as bar:
            return do_import_ballots(ballot_import, actor=ballot_import.created_by, progress=bar)

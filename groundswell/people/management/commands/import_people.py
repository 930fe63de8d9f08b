"""groundswell import-people FILE: import a CSV of people, with a progress bar."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from groundswell.chapters.models import Chapter
from groundswell.core.management.progress import progress_bar
from groundswell.core.models import User
from groundswell.people.importing import (
    FIELD_LABELS,
    ImportFileError,
    ImportResult,
    ImportRowsInvalid,
    do_import_people,
    do_set_import_mapping,
    do_upload_people_file,
    normalize_header,
)
from groundswell.people.models import ImportBatch


class _DryRun(Exception):
    pass


class Command(BaseCommand):
    help = "Import people from a CSV file (all rows or none). Columns are guessed from the headers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The CSV file (UTF-8 or Latin-1; comma, semicolon or tab).")
        parser.add_argument("--chapter", help="Slug of the chapter everyone joins.")
        parser.add_argument(
            "--mapping", action="append", default=[], metavar="COLUMN=FIELD",
            help=f"Map a column to a field (repeatable). Fields: {', '.join(FIELD_LABELS)}.",
        )  # fmt: skip
        parser.add_argument("--as", dest="as_email", help="Import as this user (their chapters only).")
        parser.add_argument("--dry-run", action="store_true", help="Check and count everything, then roll back.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        actor = self._actor(options["as_email"])
        chapter = self._chapter(options["chapter"])
        try:
            result = self._import(path, chapter, actor, options["mapping"], dry_run=options["dry_run"])
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        except ImportRowsInvalid as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(f"Nothing was imported: {len(exc.errors)} problem(s) in {path.name}.") from exc
        counts = result.counts
        prefix = "Dry run (nothing saved)" if options["dry_run"] else "Imported"
        self.stdout.write(
            f"{prefix}: {counts.inserted} new, {counts.updated} updated, {counts.unchanged} unchanged "
            f"from {result.row_count} rows."
        )

    def _import(
        self, path: Path, chapter: Chapter | None, actor: User | None, pairs: list[str], *, dry_run: bool
    ) -> ImportResult:
        if not dry_run:
            return self._run(self._batch(path, chapter, actor, pairs), actor, dry_run=False)
        # A dry run leaves no trace: not the batch record, the saved mapping, nor the stored copy.
        result = None
        try:
            with transaction.atomic():
                batch = self._batch(path, chapter, actor, pairs)
                try:
                    result = self._run(batch, actor, dry_run=True)
                finally:
                    (Path(settings.DATA_DIR) / batch.stored_path).unlink(missing_ok=True)
                raise _DryRun
        except _DryRun:
            assert result is not None
            return result

    def _actor(self, email: str | None) -> User | None:
        if not email:
            return None
        user = User.objects.filter(email=email.strip().lower(), is_active=True).first()
        if user is None:
            raise CommandError(f"No active user has the email {email}.")
        return user

    def _chapter(self, slug: str | None) -> Chapter | None:
        if not slug:
            return None
        chapter = Chapter.objects.filter(slug=slug).first()
        if chapter is None:
            raise CommandError(f"No chapter has the slug {slug!r}.")
        return chapter

    def _batch(self, path: Path, chapter: Chapter | None, actor: User | None, pairs: list[str]) -> ImportBatch:
        batch = do_upload_people_file(path, chapter=chapter, actor=actor)
        if pairs:
            mapping = _apply_pairs(batch.headers, batch.mapping, pairs)
            problems = do_set_import_mapping(batch, mapping, actor=actor)
            if problems:
                raise CommandError(" ".join(problems))
        columns = ", ".join(f"{h}={f}" for h, f in zip(batch.headers, batch.mapping, strict=True))
        self.stdout.write(f"Columns: {columns}")
        return batch

    def _run(self, batch: ImportBatch, actor: User | None, *, dry_run: bool) -> ImportResult:
        with progress_bar(sys.stderr) as bar:
            return do_import_people(batch, actor=actor, progress=bar, dry_run=dry_run)


def _apply_pairs(headers: list[str], mapping: list[str], pairs: list[str]) -> list[str]:
    """--mapping "Cell Phone=phone": every column with that header (case and spacing aside) gets the field."""
    mapping = list(mapping)
    for pair in pairs:
        column, sep, field_name = pair.rpartition("=")
        if not sep:
            raise CommandError(f"--mapping {pair!r} should look like COLUMN=FIELD.")
        if field_name not in FIELD_LABELS:
            raise CommandError(f"--mapping {pair!r}: {field_name!r} is not a field ({', '.join(FIELD_LABELS)}).")
        indexes = [i for i, h in enumerate(headers) if normalize_header(h) == normalize_header(column)]
        if not indexes:
            raise CommandError(f"--mapping {pair!r}: the file has no column {column!r}.")
        for index in indexes:
            mapping[index] = field_name
    return mapping

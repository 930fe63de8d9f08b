"""Importing ballot-return files into BallotReturn: upload, check every row, apply all or nothing.

Idempotent: a voter's row is written only when the file says something different from what is stored
AND the file is at least as new as the one that wrote it. Importing the same file twice updates
nothing; a newer daily file updates the voters whose ballots moved on; an older file, imported late,
changes nothing it would roll back (those rows are counted as ``older``).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from groundswell.chapters.access import AnyUser, scope_for
from groundswell.core.audit import record_audit
from groundswell.core.jobs import NoProgress, ProgressReporter
from groundswell.core.models import AuditEvent, User
from groundswell.turnout.ballots import (
    NC_COLUMNS,
    BallotFileError,
    BallotRow,
    CsvSource,
    GenericMapping,
    RowError,
    count_rows,
    file_date_from_name,
    read_ballots,
)
from groundswell.turnout.models import BallotImport, BallotImportStatus, BallotLayout, BallotReturn

LOOKUP_CHUNK = 2000  # voter ids per query when reading what is stored (well under SQLite's variable limit)
WRITE_BATCH = 2000


class BallotRowsInvalid(ValueError):
    """Rows of the file are wrong: nothing was imported. ``errors`` names each row and column."""

    def __init__(self, errors: Sequence[RowError], error_count: int) -> None:
        self.errors = list(errors)
        self.error_count = error_count
        first = f" First: {errors[0]}." if errors else ""
        super().__init__(f"{error_count} problem(s) in the file; nothing was imported.{first}")


@dataclass(frozen=True)
class BallotCounts:
    rows_read: int
    voters: int
    inserted: int
    updated: int
    unchanged: int
    older: int


# ------------------------------------------------------------------------------------------------ access


def can_import_ballots(user: AnyUser) -> bool:
    """Staff and state coordinators import a state's files; chapter leaders do not (a file is statewide)."""
    scope = scope_for(user)
    return scope.national or bool(scope.coordinator_states)


def importable_states(user: AnyUser) -> list[str] | None:
    """The states whose files the user may import; None for every state (national staff)."""
    scope = scope_for(user)
    return None if scope.national else sorted(scope.coordinator_states)


def ballot_imports_visible_to(user: AnyUser) -> QuerySet[BallotImport]:
    """The imports of the states the user may import for; none for anyone else."""
    if not can_import_ballots(user):
        return BallotImport.objects.none()
    imports = BallotImport.objects.select_related("job", "created_by")
    states = importable_states(user)
    return imports if states is None else imports.filter(state__in=states)


def get_ballot_import(user: AnyUser, import_id: int) -> BallotImport:
    if not can_import_ballots(user):
        raise Http404("No such page")
    return get_object_or_404(ballot_imports_visible_to(user), pk=import_id)


# ------------------------------------------------------------------------------------------------ upload


def uploads_dir() -> Path:
    path = Path(settings.DATA_DIR) / "uploads" / "ballots"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _chunks_of(upload: UploadedFile | Path) -> Iterator[bytes]:
    if isinstance(upload, Path):
        with upload.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                yield chunk
    else:
        yield from upload.chunks()


def do_upload_ballot_file(
    upload: UploadedFile | Path,
    *,
    state: str,
    layout: str,
    mapping: GenericMapping | None = None,
    file_date: date | None = None,
    actor: AnyUser | None,
) -> BallotImport:
    """Keep the file under DATA_DIR/uploads/ballots and record the import, ready to run."""
    state = state.strip().upper()
    if layout == BallotLayout.NC_ABSENTEE:
        state = "NC"
    if actor is not None and actor.is_authenticated:
        allowed = importable_states(actor)
        if not can_import_ballots(actor) or (allowed is not None and state not in allowed):
            raise BallotFileError(f"You may not import ballot files for {state or 'that state'}.")
    if len(state) != 2 or not state.isalpha():
        raise BallotFileError("Choose the state the file is from.")
    if layout == BallotLayout.GENERIC and mapping is None:
        raise BallotFileError("A generic file needs its columns chosen.")
    name = Path(upload.name if isinstance(upload, Path) else (upload.name or "ballots.csv")).name
    stored = uploads_dir() / f"{uuid.uuid4().hex}.csv"
    digest, size = hashlib.sha256(), 0
    with stored.open("wb") as out:
        for chunk in _chunks_of(upload):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    try:
        source = CsvSource.open(stored)
        if layout == BallotLayout.NC_ABSENTEE:
            source.positions(NC_COLUMNS)
        elif mapping is not None:
            source.positions(mapping.columns())
    except BallotFileError:
        stored.unlink()
        raise
    return BallotImport.objects.create(
        state=state, layout=layout, mapping=mapping.to_dict() if mapping else {}, file_name=name[:255],
        stored_path=str(stored.relative_to(settings.DATA_DIR)), sha256=digest.hexdigest(), size_bytes=size,
        file_date=file_date or file_date_from_name(name) or timezone.localdate(),
        created_by=actor if isinstance(actor, User) else None,
    )  # fmt: skip


# ------------------------------------------------------------------------------------------------ import


def do_import_ballots(
    ballot_import: BallotImport, *, actor: AnyUser | None, progress: ProgressReporter | None = None
) -> BallotCounts:
    """Check every row, then write the changes in one transaction; or raise BallotRowsInvalid, writing none."""
    progress = progress or NoProgress()
    path = Path(settings.DATA_DIR) / ballot_import.stored_path
    mapping = GenericMapping.from_dict(ballot_import.mapping) if ballot_import.layout == BallotLayout.GENERIC else None
    # Marked running unless imported already; the claim at the start of the transaction below decides.
    running = BallotImport.objects.filter(pk=ballot_import.pk).exclude(status=BallotImportStatus.IMPORTED)
    if not running.update(status=BallotImportStatus.RUNNING):
        raise BallotImportAlreadyApplied(f"{ballot_import.file_name} was imported already")
    try:
        progress.phase("Checking rows", total=count_rows(path))
        read = read_ballots(path, ballot_import.layout, mapping, advance=progress.advance)
    except BallotFileError as exc:
        _fail(ballot_import, [RowError(1, "file", str(exc))], 1, 0)
        raise
    if read.error_count:
        _fail(ballot_import, read.errors, read.error_count, read.rows_read)
        raise BallotRowsInvalid(read.errors, read.error_count)
    progress.phase("Saving", total=len(read.rows))
    with transaction.atomic():
        _claim_for_applying(ballot_import)
        counts = _apply(ballot_import, read.rows, read.rows_read, progress)
        _finish(ballot_import, counts)
        record_audit(
            AuditEvent.BALLOTS_IMPORTED, actor=actor, target=ballot_import,
            summary=f"imported {ballot_import.state} ballots from {ballot_import.file_name}: {counts.inserted} new, "
                    f"{counts.updated} updated, {counts.unchanged} unchanged",
            details={"file_name": ballot_import.file_name, "sha256": ballot_import.sha256,
                     "file_date": ballot_import.file_date.isoformat(), **counts.__dict__},
        )  # fmt: skip
    return counts


class BallotImportAlreadyApplied(Exception):
    """The file was imported already (a second job, or a run again of one whose worker died after the
    import committed): nothing is applied twice."""


def _claim_for_applying(ballot_import: BallotImport) -> None:
    """The first statement of the import's transaction: an upload is applied at most once. On PostgreSQL a
    second transaction's UPDATE waits on the row's lock until the first commits, then finds the import
    done and updates nothing; on SQLite the write lock taken at BEGIN queues them the same way."""
    claimed = (
        BallotImport.objects.filter(pk=ballot_import.pk)
        .exclude(status=BallotImportStatus.IMPORTED)
        .update(status=BallotImportStatus.RUNNING)
    )
    if not claimed:
        raise BallotImportAlreadyApplied(f"{ballot_import.file_name} was imported already")


def counts_of_applied_import(ballot_import: BallotImport) -> BallotCounts:
    """What an applied import did, as it recorded it."""
    b = ballot_import
    return BallotCounts(b.rows_read, b.voters, b.inserted, b.updated, b.unchanged, b.older)


def _apply(
    ballot_import: BallotImport, rows: dict[str, BallotRow], rows_read: int, progress: ProgressReporter
) -> BallotCounts:
    state, file_date = ballot_import.state, ballot_import.file_date
    inserted = updated = unchanged = older = 0
    voter_ids = sorted(rows)
    for start in range(0, len(voter_ids), LOOKUP_CHUNK):
        chunk = voter_ids[start : start + LOOKUP_CHUNK]
        stored = {r.voter_id: r for r in BallotReturn.objects.filter(state=state, voter_id__in=chunk).only(*_COMPARED)}
        replace: list[int] = []
        fresh: list[BallotReturn] = []
        for voter_id in chunk:
            row, old = rows[voter_id], stored.get(voter_id)
            if old is not None and _stored_key(old) == row.key():
                unchanged += 1
            elif old is not None and old.file_date > file_date:
                older += 1
            else:
                if old is not None:
                    replace.append(old.pk)
                    updated += 1
                else:
                    inserted += 1
                fresh.append(_new_return(ballot_import, row))
        # Replacing a changed row is a delete and an insert: no per-row UPDATE, and nothing points at these.
        BallotReturn.objects.filter(pk__in=replace).delete()
        BallotReturn.objects.bulk_create(fresh, batch_size=WRITE_BATCH)
        progress.advance(len(chunk))
    return BallotCounts(rows_read, len(rows), inserted, updated, unchanged, older)


_COMPARED = ("id", "voter_id", "method", "requested_on", "returned_on", "status", "accepted", "county", "precinct",
             "file_date")  # fmt: skip


def _stored_key(stored: BallotReturn) -> tuple[object, ...]:
    return (
        stored.method, stored.requested_on, stored.returned_on, stored.status, stored.accepted, stored.county,
        stored.precinct,
    )  # fmt: skip


def _new_return(ballot_import: BallotImport, row: BallotRow) -> BallotReturn:
    return BallotReturn(
        state=ballot_import.state, voter_id=row.voter_id, method=row.method, requested_on=row.requested_on,
        returned_on=row.returned_on, status=row.status, accepted=row.accepted, county=row.county,
        precinct=row.precinct, file_date=ballot_import.file_date, batch=ballot_import,
    )  # fmt: skip


def _finish(ballot_import: BallotImport, counts: BallotCounts) -> None:
    BallotImport.objects.filter(pk=ballot_import.pk).update(
        status=BallotImportStatus.IMPORTED, rows_read=counts.rows_read, voters=counts.voters,
        inserted=counts.inserted, updated=counts.updated, unchanged=counts.unchanged, older=counts.older,
        error_count=0, errors=[], finished_at=timezone.now(),
    )  # fmt: skip
    ballot_import.refresh_from_db()


def _fail(ballot_import: BallotImport, errors: Sequence[RowError], error_count: int, rows_read: int) -> None:
    BallotImport.objects.filter(pk=ballot_import.pk).update(
        status=BallotImportStatus.FAILED, rows_read=rows_read, error_count=error_count,
        errors=[e.as_dict() for e in errors], finished_at=timezone.now(),
    )  # fmt: skip
    ballot_import.refresh_from_db()

"""What every import shares: counts, bad rows named by row and field, all-or-nothing, progress."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import models

# report(phase, done, total): called as an import goes; the CLI draws a bar, a job writes its Progress.
ProgressFn = Callable[[str, int, "int | None"], None]


def no_progress(phase: str, done: int, total: int | None) -> None:
    """The default progress callback: report nothing."""


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based line number in the file (the header is line 1), or the record's index for JSON/YAML
    field: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.field}: {self.message}"


class ImportRejected(Exception):
    """The input has bad rows; nothing was written."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        shown = "; ".join(str(e) for e in errors[:20])
        more = f" (and {len(errors) - 20} more)" if len(errors) > 20 else ""
        super().__init__(f"{len(errors)} bad row{'s' if len(errors) != 1 else ''}: {shown}{more}")


@dataclass
class ImportReport:
    """Counts by what happened to each record, the Open States importer's insert/update/noop."""

    inserted: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)  # rows deliberately not loaded, by reason
    notes: list[str] = field(default_factory=list)  # what a reader of the report should check, in words
    rows: int = 0
    dry_run: bool = False

    def count(self, outcome: str, what: str, n: int = 1) -> None:
        bucket: dict[str, int] = getattr(self, outcome)
        bucket[what] = bucket.get(what, 0) + n

    @property
    def total_inserted(self) -> int:
        return sum(self.inserted.values())

    @property
    def total_updated(self) -> int:
        return sum(self.updated.values())

    @property
    def total_unchanged(self) -> int:
        return sum(self.unchanged.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "notes": self.notes,
            "dry_run": self.dry_run,
        }

    def summary(self, *, with_notes: bool = True) -> str:
        text = (
            f"{self.rows:,} rows: {self.total_inserted:,} inserted, {self.total_updated:,} updated, "
            f"{self.total_unchanged:,} unchanged"
        )
        if self.skipped:
            text += ", skipped " + ", ".join(f"{n:,} {why}" for why, n in sorted(self.skipped.items()))
        if self.notes and with_notes:
            text += ". " + ". ".join(self.notes)
        return text + (" (dry run: nothing saved)" if self.dry_run else "")


M = TypeVar("M", bound=models.Model)


def sync_rows(
    model: type[M],
    existing: dict[Any, M],
    desired: dict[Any, dict[str, Any]],
    *,
    report: ImportReport,
    label: str,
    make: Any,
) -> dict[Any, M]:
    """Bring ``existing`` (by key) in line with ``desired`` field values: insert the missing, update the
    changed, count the unchanged. ``make(key, values)`` builds a new instance. Returns every row by key."""
    to_create: list[M] = []
    to_update: list[M] = []
    changed_fields: set[str] = set()
    for key, values in desired.items():
        obj = existing.get(key)
        if obj is None:
            obj = make(key, values)
            to_create.append(obj)
            existing[key] = obj
            continue
        diff = [name for name, value in values.items() if getattr(obj, name) != value]
        if diff:
            for name in diff:
                setattr(obj, name, values[name])
            changed_fields.update(diff)
            to_update.append(obj)
        else:
            report.count("unchanged", label)
    if to_create:
        model._default_manager.bulk_create(to_create, batch_size=2000)
        report.count("inserted", label, len(to_create))
    if to_update:
        model._default_manager.bulk_update(to_update, sorted(changed_fields), batch_size=2000)
        report.count("updated", label, len(to_update))
    return existing


def job_progress(progress: Any) -> ProgressFn:
    """Adapt a job's Progress (core.jobs) to the import progress callback."""
    state = {"phase": ""}

    def report(phase: str, done: int, total: int | None) -> None:
        if phase != state["phase"]:
            state["phase"] = phase
            progress.phase(phase, total)
        progress.set(done)

    return report

"""The import commands' progress bar (rich) and how they print a report or the bad rows."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from django.core.management.base import CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from groundswell.geo.importing import ImportRejected, ImportReport, ProgressFn

T = TypeVar("T")


@contextmanager
def progress_bar(label: str) -> Iterator[ProgressFn]:
    console = Console(stderr=True)
    with Progress(
        TextColumn(f"[bold]{label}[/] {{task.description}}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as bar:
        task = bar.add_task("", total=None)

        def report(phase: str, done: int, total: int | None) -> None:
            bar.update(task, description=phase, completed=done, total=total)

        yield report


def run_import(label: str, work: Callable[[ProgressFn], T]) -> T:
    """Run an import under a progress bar; bad rows become a CommandError listing each row and field."""
    try:
        with progress_bar(label) as report:
            return work(report)
    except ImportRejected as exc:
        lines = "\n".join(f"  {e}" for e in exc.errors[:50])
        more = f"\n  ... and {len(exc.errors) - 50} more" if len(exc.errors) > 50 else ""
        raise CommandError(f"Nothing imported: {len(exc.errors)} bad row(s).\n{lines}{more}") from exc


def describe(report: ImportReport) -> str:
    lines = [report.summary(with_notes=False)] + [f"  note: {note}" for note in report.notes]
    for outcome in ("inserted", "updated", "unchanged"):
        counts: dict[str, int] = getattr(report, outcome)
        if counts:
            lines.append(f"  {outcome}: " + ", ".join(f"{n:,} {what}" for what, n in sorted(counts.items())))
    return "\n".join(lines)

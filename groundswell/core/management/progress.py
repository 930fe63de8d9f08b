"""The progress bar the import commands draw on the terminal, for work that reports through
core.jobs.ProgressReporter (phase, advance) or the voter-file engine's phase and set calls."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn


class RichProgress:
    """One rich bar per phase: phase(name, total) starts one and fills the one before, advance and set move it."""

    def __init__(self, bar: Progress) -> None:
        self.bar = bar
        self.task: TaskID | None = None

    def phase(self, name: str, total: int | None = None) -> None:
        if self.task is not None:
            done = self.bar.tasks[-1].total or 1  # a phase without a total shows as done: 1 of 1
            self.bar.update(self.task, completed=done, total=done)
        self.task = self.bar.add_task(name, total=total)

    def advance(self, count: int = 1) -> None:
        if self.task is not None:
            self.bar.advance(self.task, count)

    def set(self, done: int) -> None:
        if self.task is not None:
            self.bar.update(self.task, completed=done)


@contextmanager
def progress_bar(stream: TextIO, *, width: int | None = None) -> Iterator[RichProgress]:
    """Bars on ``stream`` (stderr, so a command's report on stdout stays clean) for as long as the block runs."""
    console = Console(file=stream, width=width)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as bar:
        yield RichProgress(bar)

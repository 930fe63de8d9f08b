"""What long people work (an import, its check, a refresh of duplicate proposals) reports its progress to."""

from __future__ import annotations

from typing import Protocol


class ProgressReporter(Protocol):
    """What core.jobs.Progress offers; the command line passes a rich progress bar instead."""

    def phase(self, name: str, total: int | None = None) -> None: ...

    def advance(self, count: int = 1) -> None: ...


class NoProgress:
    def phase(self, name: str, total: int | None = None) -> None:
        pass

    def advance(self, count: int = 1) -> None:
        pass

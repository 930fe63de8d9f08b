"""A count out of a total, always shown both ways: "12 of 40, 30%"."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rate:
    count: int
    total: int

    @property
    def percent(self) -> float | None:
        return None if self.total == 0 else 100 * self.count / self.total

    @property
    def label(self) -> str:
        if self.total == 0:
            return "0 of 0, —"
        return f"{self.count:,} of {self.total:,}, {self.percent:.0f}%"

    def __str__(self) -> str:
        return self.label

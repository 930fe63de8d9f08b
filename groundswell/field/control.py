"""Drawing a control group: a seeded random share of a list, the same every time for the same seed."""

from __future__ import annotations

import random
from collections.abc import Iterable


class ControlGroupError(ValueError):
    """A share or seed that does not make sense."""


def draw_control_group(voter_ids: Iterable[str], share: float, seed: int) -> list[str]:
    """round(share * n) ids, chosen at random from the sorted ids with Random(seed): reproducible."""
    if not 0 < share < 1:
        raise ControlGroupError("share: between 0 and 1, e.g. 0.1 for a tenth")
    ids = sorted(set(voter_ids))
    return sorted(random.Random(seed).sample(ids, round(share * len(ids))))

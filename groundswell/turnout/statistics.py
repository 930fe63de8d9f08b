"""Turnout lift arithmetic: proportions, their difference and the complier effect, with 95% intervals.

Plain Python (the standard library's NormalDist for z): no Django, no numpy, no scipy.

A field experiment here is a frozen list split at random into a treatment group (assigned to
canvassers) and a held-out control group (never assigned). After the election:

- the intent-to-treat effect (ITT) is turnout(treatment) - turnout(control). Its interval is
  Newcombe's hybrid score interval for a difference of two independent proportions (Newcombe 1998,
  "Interval estimation for the difference between independent proportions", method 10): it is built
  from the two Wilson score intervals, stays inside [-1, 1], and keeps close to its nominal coverage
  for small groups and for rates near 0 or 1, where the Wald interval (also given, for comparison)
  covers too little.
- the complier average causal effect (CACE, "contacted against control") is ITT / contact rate (the
  Wald/Bloom instrumental-variable estimator: assignment is the instrument, being reached the
  treatment, and nobody in the control group can be reached). Its interval is the delta method's
  normal interval, with the covariance between the treatment group's turnout and its contact rate
  counted (both are read off the same voters).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

CONFIDENCE = 0.95


def z_for(confidence: float = CONFIDENCE) -> float:
    """The two-sided normal quantile: 1.959964 for 95%."""
    return NormalDist().inv_cdf(0.5 + confidence / 2)


@dataclass(frozen=True)
class Interval:
    """A point estimate with its confidence interval and the method that gave the interval."""

    estimate: float
    low: float
    high: float
    method: str

    def covers(self, value: float) -> bool:
        return self.low <= value <= self.high

    @property
    def excludes_zero(self) -> bool:
        return not self.covers(0.0)


@dataclass(frozen=True)
class Proportion:
    """successes out of trials (voters who voted out of a group)."""

    successes: int
    trials: int

    def __post_init__(self) -> None:
        if self.trials < 0 or not 0 <= self.successes <= self.trials:
            raise ValueError(f"{self.successes} successes out of {self.trials} trials is not a proportion")

    @property
    def rate(self) -> float | None:
        return self.successes / self.trials if self.trials else None

    def wilson(self, confidence: float = CONFIDENCE) -> Interval | None:
        """Wilson's score interval (none for an empty group)."""
        if not self.trials:
            return None
        n, p, z = self.trials, self.successes / self.trials, z_for(confidence)
        denominator = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denominator
        half = z / denominator * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
        # Clamp the rounding at the edges: with 0 of n the low end is exactly 0.
        return Interval(p, max(0.0, centre - half), min(1.0, centre + half), "Wilson score")


def newcombe_difference(first: Proportion, second: Proportion, confidence: float = CONFIDENCE) -> Interval | None:
    """first.rate - second.rate with Newcombe's hybrid score interval (method 10)."""
    w1, w2 = first.wilson(confidence), second.wilson(confidence)
    if w1 is None or w2 is None:
        return None
    p1, p2 = w1.estimate, w2.estimate
    below = math.sqrt((p1 - w1.low) ** 2 + (w2.high - p2) ** 2)
    above = math.sqrt((w1.high - p1) ** 2 + (p2 - w2.low) ** 2)
    return Interval(p1 - p2, p1 - p2 - below, p1 - p2 + above, "Newcombe hybrid score")


def wald_difference(first: Proportion, second: Proportion, confidence: float = CONFIDENCE) -> Interval | None:
    """first.rate - second.rate with the Wald interval (normal approximation, unpooled variances)."""
    if not first.trials or not second.trials:
        return None
    p1, p2 = first.successes / first.trials, second.successes / second.trials
    se = math.sqrt(p1 * (1 - p1) / first.trials + p2 * (1 - p2) / second.trials)
    z = z_for(confidence)
    return Interval(p1 - p2, p1 - p2 - z * se, p1 - p2 + z * se, "Wald")


@dataclass(frozen=True)
class Experiment:
    """The counts a lift report needs, for one campaign or one chapter's campaigns pooled.

    treatment: voters assigned (not held out); contacted: of them, reached at least once;
    contacted_voted: of the contacted, voted; attempted: of the treatment voters not reached, tried at
    least once; attempted_voted: of those, voted. control: held out; control_voted: of them, voted.
    """

    treatment: int
    treatment_voted: int
    contacted: int
    contacted_voted: int
    attempted: int
    attempted_voted: int
    control: int
    control_voted: int

    def __post_init__(self) -> None:
        Proportion(self.treatment_voted, self.treatment)
        Proportion(self.contacted_voted, self.contacted)
        Proportion(self.attempted_voted, self.attempted)
        Proportion(self.control_voted, self.control)
        if self.contacted + self.attempted > self.treatment:
            raise ValueError("more voters contacted or attempted than were in the treatment group")
        if self.contacted_voted + self.attempted_voted > self.treatment_voted:
            raise ValueError("more contacted or attempted voters voted than treatment voters voted")

    def __add__(self, other: Experiment) -> Experiment:
        return Experiment(*(a + b for a, b in zip(self.as_tuple(), other.as_tuple(), strict=True)))

    def as_tuple(self) -> tuple[int, ...]:
        return (
            self.treatment, self.treatment_voted, self.contacted, self.contacted_voted, self.attempted,
            self.attempted_voted, self.control, self.control_voted,
        )  # fmt: skip

    @property
    def contact_rate(self) -> float | None:
        return Proportion(self.contacted, self.treatment).rate


@dataclass(frozen=True)
class Lift:
    """Turnout in each group and the two effects, as a report shows them."""

    experiment: Experiment
    turnout_treatment: Interval | None
    turnout_contacted: Interval | None
    turnout_attempted: Interval | None
    turnout_control: Interval | None
    itt: Interval | None
    itt_wald: Interval | None
    cace: Interval | None

    @property
    def net_votes(self) -> float | None:
        """Votes the program added: ITT x the treatment group's size."""
        return self.itt.estimate * self.experiment.treatment if self.itt else None

    def cost_per_net_vote(self, cost: float | None) -> float | None:
        """cost / net votes; none without a cost or when the program added no votes."""
        net = self.net_votes
        if cost is None or net is None or net <= 0:
            return None
        return cost / net


def complier_effect(e: Experiment, confidence: float = CONFIDENCE) -> Interval | None:
    """ITT / contact rate, with the delta method's interval (see the module's docstring)."""
    if not e.treatment or not e.control or not e.contacted:
        return None
    n_t, n_c = e.treatment, e.control
    p_t, p_c, c = e.treatment_voted / n_t, e.control_voted / n_c, e.contacted / n_t
    cace = (p_t - p_c) / c
    var_p_t, var_p_c, var_c = p_t * (1 - p_t) / n_t, p_c * (1 - p_c) / n_c, c * (1 - c) / n_t
    cov_p_t_c = (e.contacted_voted / n_t - p_t * c) / n_t
    variance = (var_p_t + var_p_c - 2 * cace * cov_p_t_c + cace * cace * var_c) / (c * c)
    half = z_for(confidence) * math.sqrt(max(variance, 0.0))
    return Interval(cace, cace - half, cace + half, "Wald (delta method)")


def lift(e: Experiment, confidence: float = CONFIDENCE) -> Lift:
    treatment = Proportion(e.treatment_voted, e.treatment)
    control = Proportion(e.control_voted, e.control)
    return Lift(
        experiment=e,
        turnout_treatment=treatment.wilson(confidence),
        turnout_contacted=Proportion(e.contacted_voted, e.contacted).wilson(confidence),
        turnout_attempted=Proportion(e.attempted_voted, e.attempted).wilson(confidence),
        turnout_control=control.wilson(confidence),
        itt=newcombe_difference(treatment, control, confidence),
        itt_wald=wald_difference(treatment, control, confidence),
        cace=complier_effect(e, confidence),
    )

"""The lift arithmetic against published values and against its own promise: 95% coverage."""

from __future__ import annotations

import random

import pytest

from groundswell.turnout.statistics import (
    Experiment,
    Proportion,
    complier_effect,
    lift,
    newcombe_difference,
    wald_difference,
    z_for,
)

# Newcombe (1998), Statistics in Medicine 17:873-890, Table II, method 10 (hybrid score), 4 decimals.
NEWCOMBE_TABLE_II = [
    ((56, 70, 48, 80), (0.0524, 0.3339)),
    ((9, 10, 3, 10), (0.1705, 0.8090)),
    ((6, 7, 2, 7), (0.0582, 0.8062)),
    ((5, 56, 0, 29), (-0.0381, 0.1926)),
    ((0, 10, 0, 20), (-0.1611, 0.2775)),
]


def test_z_for_95_percent_is_1_96() -> None:
    assert z_for(0.95) == pytest.approx(1.959964, abs=1e-6)


def test_wilson_matches_newcombes_single_proportion_example() -> None:
    # Newcombe (1998), "Two-sided confidence intervals for the single proportion": 81/263 -> 0.2553-0.3662
    interval = Proportion(81, 263).wilson()
    assert interval is not None
    assert (round(interval.low, 4), round(interval.high, 4)) == (0.2553, 0.3662)


@pytest.mark.parametrize(("counts", "expected"), NEWCOMBE_TABLE_II)
def test_newcombe_hybrid_interval_matches_the_papers_table(counts, expected) -> None:
    a, m, b, n = counts
    interval = newcombe_difference(Proportion(a, m), Proportion(b, n))
    assert interval is not None
    assert interval.estimate == pytest.approx(a / m - b / n)
    assert (round(interval.low, 4), round(interval.high, 4)) == expected


def test_wald_collapses_where_newcombe_does_not() -> None:
    # 0 of 10 against 0 of 20: Wald says "exactly zero", Newcombe keeps an honest width.
    wald = wald_difference(Proportion(0, 10), Proportion(0, 20))
    newcombe = newcombe_difference(Proportion(0, 10), Proportion(0, 20))
    assert wald is not None and newcombe is not None
    assert wald.low == wald.high == 0.0
    assert newcombe.high - newcombe.low > 0.4


def test_empty_groups_have_no_interval() -> None:
    assert Proportion(0, 0).wilson() is None
    assert newcombe_difference(Proportion(0, 0), Proportion(3, 9)) is None
    e = Experiment(100, 40, 0, 0, 50, 20, 100, 38)
    assert complier_effect(e) is None  # nobody reached: no complier effect


def test_impossible_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="not a proportion"):
        Proportion(5, 4)
    with pytest.raises(ValueError, match="treatment group"):
        Experiment(10, 5, 8, 4, 8, 1, 10, 5)


def test_cace_is_itt_over_contact_rate() -> None:
    e = Experiment(treatment=1000, treatment_voted=560, contacted=400, contacted_voted=260, attempted=300,
                   attempted_voted=160, control=1000, control_voted=520)  # fmt: skip
    result = lift(e)
    assert result.itt is not None and result.cace is not None
    assert result.itt.estimate == pytest.approx(0.04)
    assert result.cace.estimate == pytest.approx(0.04 / 0.4)
    assert result.cace.high - result.cace.low > result.itt.high - result.itt.low  # dividing by 0.4 widens it
    assert result.net_votes == pytest.approx(40)
    assert result.cost_per_net_vote(800.0) == pytest.approx(20.0)


def test_no_cost_per_net_vote_without_a_gain() -> None:
    e = Experiment(100, 40, 50, 20, 0, 0, 100, 45)
    assert lift(e).cost_per_net_vote(500.0) is None
    assert lift(Experiment(100, 50, 50, 30, 0, 0, 100, 40)).cost_per_net_vote(None) is None


def test_experiments_pool_by_adding_counts() -> None:
    a = Experiment(10, 5, 4, 3, 2, 1, 10, 4)
    b = Experiment(20, 9, 8, 5, 3, 1, 20, 8)
    assert (a + b).as_tuple() == (30, 14, 12, 8, 5, 2, 30, 12)


def _simulated(rng: random.Random, n: int, base: float, delta: float, contact_rate: float) -> Experiment:
    """One experiment: half held out; contact raises a reached voter's chance of voting by delta."""
    treatment_voted = contacted = contacted_voted = 0
    for _ in range(n):
        reached = rng.random() < contact_rate
        voted = rng.random() < base + (delta if reached else 0.0)
        contacted += reached
        contacted_voted += reached and voted
        treatment_voted += voted
    control_voted = sum(rng.random() < base for _ in range(n))
    return Experiment(n, treatment_voted, contacted, contacted_voted, 0, 0, n, control_voted)


def test_intervals_cover_the_truth_about_95_percent_of_the_time() -> None:
    rng = random.Random(20241105)
    runs, base, delta, contact_rate = 400, 0.45, 0.08, 0.4
    itt_hits = cace_hits = 0
    for _ in range(runs):
        result = lift(_simulated(rng, 600, base, delta, contact_rate))
        assert result.itt is not None and result.cace is not None
        itt_hits += result.itt.covers(delta * contact_rate)
        cace_hits += result.cace.covers(delta)
    # 400 runs at a true 95%: the count lies in 368..392 with probability above 0.99.
    assert 0.92 <= itt_hits / runs <= 0.98
    assert 0.92 <= cace_hits / runs <= 0.98

"""Adversarial exploration: planted corner claims are refuted, closest approach, determinism."""

from __future__ import annotations

import math

import numpy as np
import pytest
from mpmath import mp

import scalar_eos as se
from scalar_eos import claims, fast
from scalar_eos.errors import InvalidArgument
from scalar_eos.explore import explore
from scalar_eos.margins import exact_margin


@pytest.fixture
def planted():
    added = []

    def add(c):
        claims.register(c)
        added.append(c.id)
        return c.id

    yield add
    for cid in added:
        claims.unregister(cid)


def _span(w):
    a = [abs(x) for x in w]
    return max(a) / min(a)


def test_planted_claim_false_only_at_many_decades_is_refuted(planted):
    cid = planted(
        claims.Claim(
            "planted-span",
            "weights never span 12 decades (false only there)",
            lambda w, eta, y: True,
            lambda step, w, eta, y: _span(w) < 10**12,
        )
    )
    rep = explore(cid, 3, budget=400_000, seed=0, max_reports=2)
    assert len(rep.counterexamples) == 2 and rep.trials < 400_000  # stops once refuted
    for ce in rep.counterexamples:
        assert _span([float(x) for x in ce.weights]) >= 1e12
        assert claims.evaluate(ce.weights, ce.eta, target=ce.target, claims=[cid])[0].conclusion is False


def _hb(cmax):
    def hb(W, eta, y):
        r = np.prod(W, axis=1) / y
        return (r > 0) & (r < 2) & (eta * fast.gfs_sharpness(W, target=y) <= cmax)

    return hb


def _h(cmax):
    def h(w, eta, y):
        r = math.prod(w) / y
        return 0 < r < 2 and float(eta) * float(se.gfs_sharpness([float(x) for x in w], target=float(y))) <= cmax

    return h


def test_planted_threshold_just_above_two_sqrt_two_is_refuted(planted):
    """psi does not increase for 0 < pi/y < 2 and eta psi <= 2.85: false only in a sliver above 2 sqrt 2."""
    cid = planted(
        claims.Claim(
            "planted-2p85",
            "step-decrease-s with 2.85 for 2 sqrt 2",
            _h(2.85),
            lambda s: s.relation != "increased",
            batch_hypothesis=_hb(2.85),
            batch_violation=lambda W, eta, y, before, after: (after - before) / before,
        )
    )
    rep = explore(cid, 3, budget=400_000, seed=0, max_reports=1)
    assert rep.counterexamples
    ce = rep.counterexamples[0]
    w = [float(x) for x in ce.weights]
    eta_psi = float(ce.eta) * float(se.gfs_sharpness(ce.weights, dps=30))
    assert 2 * math.sqrt(2) < eta_psi <= 2.85  # outside the 2 sqrt 2 hypothesis, as it must be
    assert se.one_step(ce.weights, ce.eta).relation == "increased"
    assert 0 < math.prod(w) < 2


def test_closest_approach_for_s_claim_reaches_tiny_margins():
    rep = explore("step-decrease-s", 3, budget=30_000, seed=0)
    assert rep.counterexamples == [] and rep.scoring == "margin"
    margins = [r["margin"] for r in rep.closest]
    assert margins == sorted(margins) and 0 <= margins[0] <= 1e-6
    assert set(rep.closest[0]) >= {"weights", "eta", "target", "margin", "pi_over_y", "eta_psi"}
    r0 = rep.closest[0]
    assert se.one_step(r0["weights"], r0["eta"], target=r0["target"]).relation != "increased"
    cov = rep.coverage
    assert cov["log10_abs_w"][0] <= -6 and cov["log10_abs_w"][1] >= 6
    assert len(cov["log10_abs_w_per_index"]) == 3 and cov["eta_psi"][1] <= 2 * math.sqrt(2) * (1 + 1e-15)
    tight = [r["margin_over_first_order"] for r in rep.tightest]
    assert tight[0] < 1e-3  # higher-order terms nearly cancel the first-order decrease there


def test_deterministic_per_seed():
    a = explore("step-decrease-order", 3, budget=6_000, seed=5)
    b = explore("step-decrease-order", 3, budget=6_000, seed=5)
    assert a.closest == b.closest and a.coverage == b.coverage and a.trials == b.trials
    c = explore("step-decrease", 3, budget=10_000, seed=5, max_reports=2)
    d = explore("step-decrease", 3, budget=10_000, seed=5, max_reports=2)
    assert [x.weights for x in c.counterexamples] == [x.weights for x in d.counterexamples]
    assert len(c.counterexamples) == 2


def test_bad_arguments():
    with pytest.raises(InvalidArgument, match="trajectory"):
        explore("eos-convergence", 2, budget=10)
    with pytest.raises(InvalidArgument):
        explore("step-decrease", 0, budget=10)
    with pytest.raises(InvalidArgument):
        explore("step-decrease-d2", 3, budget=10)
    with pytest.raises(InvalidArgument):
        explore("step-decrease", 2, budget=0)


def test_tiny_increases_above_the_threshold_are_found(planted):
    """eta psi <= 2 sqrt 2 (1 + 1e-9): psi increases there by ~1e-18 relative, invisible to float64 psi values."""
    cmax = 2 * math.sqrt(2) * (1 + 1e-9)
    cid = planted(
        claims.Claim(
            "planted-eps9",
            "step-decrease-s with 2 sqrt 2 (1 + 1e-9)",
            _h(cmax),
            lambda s: s.relation != "increased",
            batch_hypothesis=_hb(cmax),
            batch_violation=lambda W, eta, y, before, after: (after - before) / before,
        )
    )
    rep = explore(cid, 2, budget=400_000, seed=0, max_reports=1)
    assert rep.scoring == "relative"  # the score was recognised and replaced by the accurate margin
    ce = rep.counterexamples[0]
    with mp.workdps(60):
        assert exact_margin(ce.weights, ce.eta) < 0
        eta_psi = mp.mpf(ce.eta) * se.gfs_sharpness(ce.weights, dps=60)
        assert 2 * mp.sqrt(2) < eta_psi <= cmax * (1 + 1e-15)  # the claim decides its hypothesis in float64


def test_a_score_with_an_offset_is_not_taken_for_the_margin(planted):
    cid = planted(
        claims.Claim(
            "planted-strict",
            "psi decreases by more than 1e-13 relative",
            lambda w, eta, y: True,
            lambda s: s.gfs_after < s.gfs_before * (1 - mp.mpf("1e-13")),
            batch_violation=lambda W, eta, y, before, after: (after - before) / before + 1e-13,
        )
    )
    rep = explore(cid, 3, budget=20_000, seed=0, max_reports=1)
    assert rep.scoring == "float" and rep.counterexamples

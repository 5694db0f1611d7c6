"""Scale-aware sampler: decades covered, structured corners, regions, determinism."""

from __future__ import annotations

import math

import numpy as np
import pytest

from scalar_eos import fast
from scalar_eos.errors import InvalidArgument
from scalar_eos.sampling import FAMILIES, Region, ScaleAwareSampler, log_coordinates

S_REGION = Region(pi_over_y=(0.0, 2.0), eta_psi=(0.0, 2 * math.sqrt(2)))


@pytest.mark.parametrize("depth", [2, 3, 6])
@pytest.mark.parametrize("target", [1.0, -3.0, 1e-4])
def test_covers_many_decades_and_corners(depth, target):
    s = ScaleAwareSampler(S_REGION)
    W, eta = s(np.random.default_rng(0), depth, 20_000, target)
    co = log_coordinates(W, eta, target)
    lw = co["log10_abs_w"]
    assert lw.min() < -7 and lw.max() > 7  # relative to |y|^(1/D)
    ok = ~s.free_rows()
    ratio = co["pi_over_y"][ok]
    assert np.all((ratio > 0) & (ratio < 2))
    assert np.min(ratio) < 1e-10 and np.max(ratio) > 2 - 1e-10
    ep = co["eta_psi"][np.isfinite(co["eta_psi"])]
    assert np.min(np.abs(ep / (2 * math.sqrt(2)) - 1)) < 1e-10
    a = np.sort(np.abs(W), axis=1)
    gaps = np.min(np.diff(a, axis=1) / a[:, 1:], axis=1)
    assert np.min(gaps[gaps > 0]) < 1e-11  # nearly balanced clusters
    assert np.any(np.sum(W < 0, axis=1) == 2)  # mixed signs with pi/y > 0


def test_unrestricted_region_reaches_negative_ratios_and_large_steps():
    s = ScaleAwareSampler()
    W, eta = s(np.random.default_rng(1), 3, 20_000, 1.0)
    co = log_coordinates(W, eta, 1.0)
    assert np.any(co["pi_over_y"] < 0) and np.nanmax(co["eta_psi"]) > 100
    p = np.prod(W, axis=1)
    a = eta * (p - 1) * p  # "flip" family: the smallest weight reaches 0 after the step
    rel = np.abs(a / np.min(W**2, axis=1) - 1)
    assert np.nanmin(rel) < 1e-10


def test_deterministic_per_seed_and_adaptive():
    runs = []
    for _ in range(2):
        s = ScaleAwareSampler(S_REGION)
        rng = np.random.default_rng(7)
        for _ in range(3):
            W, eta = s(rng, 3, 2000, 1.0)
            ratio = np.prod(W, axis=1)
            s.feedback((ratio > 0) & (ratio < 2))
        runs.append((W, eta, s.weights("pi_over_y")))
    np.testing.assert_array_equal(runs[0][0], runs[1][0])
    np.testing.assert_array_equal(runs[0][1], runs[1][1])
    w = runs[0][2]
    free = FAMILIES["pi_over_y"].index("free")
    assert w[free] < 1 / len(w)  # rows with a free product leave (0, 2): drawn less often
    assert np.all(w >= 0.5 / len(w))


def test_psi_of_samples_is_finite_mostly():
    s = ScaleAwareSampler(S_REGION)
    W, _eta = s(np.random.default_rng(2), 4, 5000, 1.0)
    assert np.mean(np.isfinite(fast.gfs_sharpness(W))) > 0.95


def test_bad_decades():
    with pytest.raises(InvalidArgument):
        ScaleAwareSampler(decades=0.5)

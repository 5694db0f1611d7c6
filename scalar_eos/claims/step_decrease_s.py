"""``step-decrease-s``: under ``0 < pi/y < 2`` and ``eta psi(w) <= 2 sqrt 2`` one GD step does not increase psi."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from mpmath import mp

from .. import _exact, fast
from ._common import fast_psi, le_decided, not_increased, pi, psi_exact, relative_increase
from .claim import Claim, Evidence

__all__ = ["CLAIM"]


def hypothesis(w: list[Fraction], eta: Fraction, y: Fraction) -> bool:
    pi_over_y = pi(w) / y
    if not 0 < pi_over_y < 2:
        return False
    return le_decided(lambda d: _exact.to_mpf(eta) * psi_exact(w, y, d), lambda d: 2 * mp.sqrt(2))


def batch_hypothesis(W: np.ndarray, eta: np.ndarray, y: np.ndarray) -> np.ndarray:
    pi_over_y = np.prod(W, axis=1) / y
    return (pi_over_y > 0) & (pi_over_y < 2) & (eta * fast_psi(W, y) <= 2 * np.sqrt(2))


def sampler(rng: np.random.Generator, depth: int, n: int, target: float) -> tuple[np.ndarray, np.ndarray]:
    """0 < pi/y < 2 and eta psi <= 2 sqrt 2 by construction."""
    W = np.exp(rng.uniform(-2.0, 2.0, size=(n, depth)))
    flip = rng.random((n, depth)) < 0.3
    W = np.where(flip, -W, W)
    odd = np.sum(flip, axis=1) % 2 == 1
    W[odd, 0] = -W[odd, 0]  # even number of negatives: pi > 0
    pi_over_y = rng.uniform(0.0, 2.0, size=n) * np.sign(target)
    W *= (np.abs(pi_over_y * target) / np.abs(np.prod(W, axis=1)))[:, None] ** (1.0 / depth)
    eta_psi = 2 * np.sqrt(2) * rng.uniform(0.0, 1.0, size=n) ** 0.5
    with np.errstate(all="ignore"):
        eta = eta_psi / fast.gfs_sharpness(W, target=target)
    return W, eta


CLAIM = Claim(
    "step-decrease-s",
    "If 0 < pi(w)/y < 2 and eta * psi(w) <= 2 sqrt(2), then psi(GD(w)) <= psi(w).",
    hypothesis,
    not_increased,
    evidence=Evidence(
        proofs=(("d2-region", "D = 2"), ("step-decrease-s-d3", "D = 3"), ("step-decrease-s-d4", "D = 4"))
    ),
    source="our reading of Kreisler et al., ICML 2023 (arXiv 2305.13064)",
    batch_hypothesis=batch_hypothesis,
    batch_violation=relative_increase,
    sampler=sampler,
)

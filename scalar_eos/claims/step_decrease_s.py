"""``step-decrease-s``: under ``0 < pi/y < 2`` and ``eta psi(w) <= 2 sqrt 2`` one GD step does not increase psi."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
from mpmath import mp

from .. import _exact
from ..sampling import Region, ScaleAwareSampler
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


#: Scale-aware sampling steered to the hypothesis: pi/y in (0, 2) (approaching 0, 1 and 2) and
#: eta psi up to 2 sqrt 2 (approaching 2 and 2 sqrt 2), |w| over 16 decades around |y|^(1/D).
sampler = ScaleAwareSampler(Region(pi_over_y=(0.0, 2.0), eta_psi=(0.0, 2.0 * math.sqrt(2.0))))


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

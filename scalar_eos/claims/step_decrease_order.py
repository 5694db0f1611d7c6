"""``step-decrease-order``: the sufficient condition for every depth proved in ``proofs/``.

If ``eta |(pi - y) pi| <= |w_(1) w_(2)|`` (the two smallest magnitudes), one GD
step does not increase psi (order preservation + Chebyshev's sum inequality).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from ._common import not_increased, pi, relative_increase
from .claim import Claim, Evidence

__all__ = ["CLAIM"]


def hypothesis(w: list[Fraction], eta: Fraction, y: Fraction) -> bool:
    if len(w) == 1:
        return True
    mags = sorted(abs(x) for x in w)
    p = pi(w)
    return eta * abs((p - y) * p) <= mags[0] * mags[1]


def batch_hypothesis(W: np.ndarray, eta: np.ndarray, y: np.ndarray) -> np.ndarray:
    if W.shape[1] == 1:
        return np.ones(W.shape[0], dtype=bool)
    mags = np.sort(np.abs(W), axis=1)
    p = np.prod(W, axis=1)
    return eta * np.abs((p - y) * p) <= mags[:, 0] * mags[:, 1]


CLAIM = Claim(
    "step-decrease-order",
    "If eta * |(pi - y) pi| <= |w_(1) w_(2)| (two smallest magnitudes), then psi(GD(w)) <= psi(w).",
    hypothesis,
    not_increased,
    evidence=Evidence(proofs=(("step-decrease-order", "every D"),), complete=True),
    source="scalar-eos proofs/",
    batch_hypothesis=batch_hypothesis,
    batch_violation=relative_increase,
)

"""``step-decrease-d2``: D = 2, the exact region where one GD step does not increase psi.

One step does not increase psi **iff** ``w_1^2 = w_2^2`` or ``eta |pi - y| <= sqrt 2``
(derived in :mod:`scalar_eos.symbolic`, proved in ``proofs/``).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from ..margins import StepMargin
from ..onestep import OneStep
from ._common import relative_increase
from .claim import Claim, Evidence

__all__ = ["CLAIM", "d2_region", "in_d2_region"]


def d2_region(w1: Any, w2: Any, pi: Any, y: Any, eta: Any) -> Any:
    """``w_1^2 = w_2^2`` or ``(eta (pi - y))^2 <= 2``: exact on Fractions, elementwise on float64 arrays.

    Examples
    --------
    >>> d2_region(Fraction(1), Fraction(3), Fraction(3), Fraction(1), Fraction(1, 2))
    True
    >>> d2_region(np.array([1.0]), np.array([3.0]), np.array([3.0]), 1.0, np.array([1.0]))
    array([False])
    """
    a = eta * (pi - y)
    return (w1 * w1 == w2 * w2) | (a * a <= 2)


def in_d2_region(w: list[Fraction], eta: Fraction, y: Fraction) -> bool:
    """D = 2: ``w_1^2 = w_2^2`` or ``(eta (pi - y))^2 <= 2`` (exact rational test)."""
    return bool(d2_region(w[0], w[1], w[0] * w[1], y, eta))


def hypothesis(w: list[Fraction], eta: Fraction, y: Fraction) -> bool:
    return len(w) == 2


def conclusion(s: OneStep, w: list[Fraction], eta: Fraction, y: Fraction) -> bool:
    return (s.relation != "increased") == in_d2_region(w, eta, y)


def batch_hypothesis(W: np.ndarray, eta: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.full(W.shape[0], W.shape[1] == 2)


def batch_violation(
    W: np.ndarray,
    eta: np.ndarray,
    y: np.ndarray,
    before: np.ndarray,
    after: np.ndarray,
    margin: StepMargin | None = None,
) -> np.ndarray:
    """Relative increase inside the region, relative decrease outside it (> 0 violates; accurate with ``margin``)."""
    region = d2_region(W[:, 0], W[:, 1], np.prod(W, axis=1), y, eta)
    rel = relative_increase(W, eta, y, before, after, margin)
    return np.where(region, rel, -rel)


CLAIM = Claim(
    "step-decrease-d2",
    "D = 2: one GD step does not increase psi if and only if w1^2 = w2^2 or eta * |pi - y| <= sqrt(2).",
    hypothesis,
    conclusion,
    evidence=Evidence(proofs=(("d2-region", "D = 2"),), complete=True),
    source="derived in scalar_eos.symbolic",
    batch_hypothesis=batch_hypothesis,
    depth=2,
    batch_violation=batch_violation,
)

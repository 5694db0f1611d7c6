"""``zhu-minimalist``: Zhu et al. (ICLR 2023), Cor. 3.1 as we read it.

D = 4 with ``w = (a, b, a, b)``, ``eta <= 0.1``, started within 10% of the
``eta``-EoS minimum ``a* = ((eta^-2 - 4)^(1/2) + 1/eta)^(1/2) / sqrt 2``,
``b* = 1/a*``, not already at a minimum: GD converges to a minimum with
sharpness in ``(2/eta - 20 eta/3, 2/eta)``.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from ..outcome import Outcome
from ._common import converged_within, pi
from .claim import Claim, Evidence

__all__ = ["CLAIM", "zhu_point", "zhu_window"]


def _star(eta: Any) -> tuple[Any, Any]:
    """``(a*, b*)``, float64, elementwise (NaN for ``eta > 1/2``)."""
    with np.errstate(invalid="ignore"):
        a2 = (np.sqrt(eta**-2.0 - 4) + 1 / eta) / 2
    return np.sqrt(a2), 1 / np.sqrt(a2)


def zhu_point(eta: float) -> tuple[float, float]:
    """The eta-EoS minimum ``(a*, 1/a*)`` of the minimalist example (needs eta < 1/2).

    Examples
    --------
    >>> a, b = zhu_point(0.05)
    >>> round(a * b, 12), round(a, 6)
    (1.0, 4.466528)
    """
    a, b = _star(float(eta))
    return float(a), float(b)


def zhu_window(eta: Any) -> tuple[Any, Any]:
    """Window ``(2/eta - 20 eta/3, 2/eta)`` of the final sharpness."""
    threshold = 2.0 / eta
    return threshold - 20 * eta / 3, threshold


def hypothesis(w: list[Fraction], eta: Fraction, y: Fraction) -> bool:
    if len(w) != 4 or w[2] != w[0] or w[3] != w[1] or y != 1 or not 0 < eta <= Fraction(1, 10):
        return False
    if pi(w) == y:  # already at a minimum: GD stays there whatever its sharpness
        return False
    a_star, b_star = zhu_point(float(eta))
    return abs(float(w[0]) - a_star) <= 0.1 * a_star and abs(float(w[1]) - b_star) <= 0.1 * b_star


def batch_hypothesis(W: np.ndarray, eta: np.ndarray, y: np.ndarray) -> np.ndarray:
    if W.shape[1] != 4:
        return np.zeros(W.shape[0], dtype=bool)
    a_star, b_star = _star(eta)
    ok = (W[:, 2] == W[:, 0]) & (W[:, 3] == W[:, 1]) & (y == 1) & (eta > 0) & (eta <= 0.1)
    ok &= np.prod(W, axis=1) != y
    return ok & (np.abs(W[:, 0] - a_star) <= 0.1 * a_star) & (np.abs(W[:, 1] - b_star) <= 0.1 * b_star)


def conclusion(o: Outcome, eta: float) -> bool | None:
    return converged_within(o, *zhu_window(eta), include_hi=False)


def sampler(rng: np.random.Generator, depth: int, n: int, target: float) -> tuple[np.ndarray, np.ndarray]:
    """``w = (a, b, a, b)`` within 10% of ``(a*, b*)``, ``eta`` uniform in ``[0.01, 0.1]``."""
    eta = rng.uniform(0.01, 0.1, size=n)
    a_star, b_star = _star(eta)
    a = a_star * (1 + rng.uniform(-0.1, 0.1, size=n))
    b = b_star * (1 + rng.uniform(-0.1, 0.1, size=n))
    return np.stack([a, b, a, b], axis=1), eta


CLAIM = Claim(
    "zhu-minimalist",
    "D = 4, w = (a, b, a, b), eta <= 0.1, start within 10% of the eta-EoS minimum: GD converges to a "
    "minimum with sharpness in (2/eta - 20 eta/3, 2/eta).",
    hypothesis,
    conclusion,
    kind="trajectory",
    evidence=Evidence(),  # no proof yet
    source="Zhu, Wang, Wang, Zhou, Ge, ICLR 2023, Cor. 3.1 (our reading of 'near')",
    batch_hypothesis=batch_hypothesis,
    depth=4,
    sampler=sampler,
    window=zhu_window,
    sweep_default=False,
)

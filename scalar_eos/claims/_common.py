"""Building blocks shared by the built-in claims (exact sharpness, decided comparisons, float64 scores)."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

import mpmath
import numpy as np
from mpmath import mp

from .. import _exact, fast
from ..gfs import exact_gfs
from ..margins import StepMargin
from ..model import Point
from ..onestep import OneStep
from ..outcome import UP_TO_BUDGET, Outcome

__all__ = [
    "UNSETTLED",
    "converged_within",
    "fast_psi",
    "le_decided",
    "not_increased",
    "pi",
    "psi_exact",
    "relative_increase",
]

#: Outcomes a trajectory claim does not judge: GD may still settle with a larger budget (chaos, quasi-periodic
#: motion and an approach to a saddle are statements about the run up to its budget).
UNSETTLED = tuple(sorted(UP_TO_BUDGET))


def psi_exact(w: list[Fraction], y: Fraction, digits: int = 40) -> mpmath.mpf:
    """GFS sharpness of exact weights at ``digits`` digits."""
    with mp.workdps(digits):
        return exact_gfs(Point(w, y, Fraction(1)))["sharpness"]


def pi(w: list[Fraction]) -> Fraction:
    """The product ``pi(w)``, exactly."""
    return _exact.fraction_product(w)


def le_decided(lhs: Callable[[int], mpmath.mpf], rhs: Callable[[int], mpmath.mpf]) -> bool:
    """``lhs <= rhs`` for quantities computable at any precision (escalating: 30, 80, 200 digits)."""
    for digits in (30, 80, 200):
        with mp.workdps(digits + 10):
            a, b = lhs(digits + 10), rhs(digits + 10)
            if abs(a - b) > mp.mpf(10) ** (-digits) * max(1, abs(a), abs(b)):
                return bool(a < b)
    return True  # equal to 200 digits: the boundary belongs to the region


def fast_psi(W: np.ndarray, y: np.ndarray) -> np.ndarray:
    """float64 GFS sharpness of every row of ``W``."""
    return fast.gfs_sharpness(W, target=y)


def converged_within(o: Outcome, lo: float, hi: float, *, include_hi: bool) -> bool | None:
    """Conclusion "GD converged with final sharpness in ``(lo, hi]``" (``(lo, hi)`` without ``include_hi``).

    None (no verdict) for an :data:`UNSETTLED` run; False for any other run that did not converge.

    Examples
    --------
    >>> from scalar_eos.outcome import Outcome
    >>> run = Outcome("converged", None, 1.9, None, True, 0.0, 10)
    >>> converged_within(run, 1.8, 1.9, include_hi=True), converged_within(run, 1.8, 1.9, include_hi=False)
    (True, False)
    """
    if o.status in UNSETTLED:
        return None
    if o.status != "converged" or o.final_sharpness is None:
        return False
    return lo < o.final_sharpness <= hi if include_hi else lo < o.final_sharpness < hi


def not_increased(s: OneStep) -> bool:
    """Conclusion "the step did not increase the GFS sharpness" (decided exactly by one_step)."""
    return s.relation != "increased"


def relative_increase(
    W: np.ndarray,
    eta: np.ndarray,
    y: np.ndarray,
    before: np.ndarray,
    after: np.ndarray,
    margin: StepMargin | None = None,
) -> np.ndarray:
    """float64 violation score of "does not increase": the relative increase of the GFS sharpness.

    With ``margin`` (the search passes it) the increase is ``-margin.margin``,
    accurate near ties, instead of the difference of two float64 values.
    """
    if margin is not None:
        return -margin.margin
    return (after - before) / before

"""Depth 4: claim step-decrease-s, certified on a compact region by interval branch-and-bound.

The same argument as at depth 3 (proofs/_bnb.py holds the depth-generic rule): with y = 1, positive sorted
weights, s = w^2, p_ij = s_i s_j, b = (eta r pi)^2 and u the GFS point of s + beta/s,

    psi(w) - psi(GD(w)) = sum_{i<j} (s_i - s_j)^2 / p_ij * int_0^b (1 - beta/p_ij) u_k^2 u_l^2 / Psi_t dbeta

({k, l} the other two indices; SymPy checks the derivative identity for D = 4).  Every b in [0, b_max(w)] is
covered by the piecewise rule; the arithmetic is arb ball arithmetic.
"""

from __future__ import annotations

from fractions import Fraction

import _bnb
import _certify_run
from _common import StepFailed  # noqa: F401  (re-exported for callers)

NAME = "step-decrease-s-d4"
DEPTH = 4
#: Certified regions: (low, high, pi_max) - |w_i| / |y|^(1/4) in [low, high] and 0 < pi/y < pi_max.
REGIONS = ((Fraction(1, 2), Fraction(2), Fraction(2)),)
STATEMENT = (
    "For D = 4: if 0 < pi(w)/y < 2 and eta psi(w) <= 2 sqrt 2, then psi(GD(w)) <= psi(w) - certified for every "
    "eta > 0 with eta psi(w) <= 2 sqrt 2 and every w with |w_i|/|y|^(1/4) in [1/2, 2] and 0 < pi/y < 2. "
    "Weights outside this box (the hypothesis allows unbounded ones) are not covered."
)


def certify(low: Fraction, high: Fraction, *, pi_max: Fraction = Fraction(2), c2: int = 8, **kw) -> dict:
    """Certify the sorted cube [low, high]^4 with 0 < pi < pi_max (see ``_bnb.certify``)."""
    return _bnb.certify(DEPTH, low, high, pi_max=pi_max, c2=c2, **kw)


def run(regions: tuple = REGIONS, certificate=None, progress=None) -> dict:
    return _certify_run.run_certification(DEPTH, NAME, regions, certificate=certificate, progress=progress)

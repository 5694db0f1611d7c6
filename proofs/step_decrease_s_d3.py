"""Depth 3: claim step-decrease-s, certified on compact regions by interval branch-and-bound.

Setting (no loss of generality): y = 1, all weights positive, sorted w1 >= w2 >= w3.  With s = w^2,
p_ij = s_i s_j, b = (eta r pi)^2 (r = pi - 1) and u the GFS point of s + beta/s,

    psi(w) - psi(GD(w)) = F(b) = sum_{i<j} (s_i - s_j)^2 / p_ij * G_ij(b),
    G_ij(b) = int_0^b (1 - beta/p_ij) u_k^2 / Psi_t dbeta      (k the third index)

(SymPy checks the derivative identity).  The hypothesis eta psi <= 2 sqrt 2 allows every b in
[0, b_max(w)], b_max = 8 (pi - 1)^2 pi^2 / psi^2, so the claim on a box of weights is F(b) >= 0 for every such
b.  The box rule (proofs/_bnb.py) cuts [0, b_max] into pieces, bounds each G_ij from below on every piece
(cumulative integral plus the piece's negative part) and requires the factor-weighted sum to be >= 0 on every
piece.  Boxes of weights are bisected until the rule holds; the arithmetic is arb ball arithmetic.

Coverage: the stated compact boxes only.  The hypothesis allows unbounded weights; the margin there is
measured (not proved) by proofs/_corner_d3.py.  ``run(certificate=PATH)`` writes the certificate file that
``scalar-eos verify-certificate`` re-checks independently.
"""

from __future__ import annotations

from fractions import Fraction

import _bnb
import _certify_run
from _common import StepFailed  # noqa: F401  (re-exported for callers)

NAME = "step-decrease-s-d3"
DEPTH = 3
#: Certified regions: (low, high, pi_max) - |w_i| / |y|^(1/3) in [low, high] and 0 < pi/y < pi_max.
REGIONS = (
    (Fraction(1, 2), Fraction(2), Fraction(2)),
    (Fraction(1, 4), Fraction(4), Fraction(31, 16)),
)
STATEMENT = (
    "For D = 3: if 0 < pi(w)/y < 2 and eta psi(w) <= 2 sqrt 2, then psi(GD(w)) <= psi(w) - certified for every "
    "eta > 0 with eta psi(w) <= 2 sqrt 2 and every w with |w_i|/|y|^(1/3) in [1/2, 2] (0 < pi/y < 2) and with "
    "|w_i|/|y|^(1/3) in [1/4, 4] and 0 < pi/y < 31/16. Weights outside these boxes (the hypothesis allows "
    "unbounded ones) are not covered."
)


def certify(low: Fraction, high: Fraction, *, pi_max: Fraction = Fraction(2), c2: int = 8, **kw) -> dict:
    """Certify the sorted cube [low, high]^3 with 0 < pi < pi_max (see ``_bnb.certify``)."""
    return _bnb.certify(DEPTH, low, high, pi_max=pi_max, c2=c2, **kw)


#: What the regions do not cover (measured, not proved).
UNCOVERED = (
    _certify_run.step(
        "not covered: weights outside the stated boxes (the hypothesis has no lower bound on eta, so weights are "
        "unbounded).  In the corner w = (L, a e^tau, a e^-tau), a^2 = rho/L, L -> infinity, the decrease divided "
        "by b sum_{i<j} (s_i - s_j)^2/p_ij converges in L for fixed rho = pi/y (about 4.5e-4 at rho = 1.5, "
        "1.7e-5 at 1.99, 1.4e-6 at 1.9999 for L >= 1024) and tends to 0 as rho -> 2: the depth-2 boundary; in the "
        "corner (L e^tau, L e^-tau, rho/L^2) it tends to 1 (proofs/_corner_d3.py)",
        False,
        "measured (mpmath, 50 digits), not proved",
    ),
)


def run(regions: tuple = REGIONS, certificate=None, progress=None) -> dict:
    return _certify_run.run_certification(
        DEPTH, NAME, regions, certificate=certificate, progress=progress, uncovered=UNCOVERED
    )

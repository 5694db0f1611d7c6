"""``regime-supercritical``: a stable period-2 orbit of amplitude ``~ K (eta lambda* - 2)^(1/2)``.

Hypothesis: ``2 < eta psi_min <= 2.2`` (every minimiser unstable, ``mu = eta
psi_min - 2`` small), ``0 < pi(w0)/y < 1.5`` and ``eta psi(w0) <= 2.6``.
Conclusion: GD ends on a period-2 orbit on the balanced line (``|w_i|`` equal
to ``1e-4`` relative) whose half-spread ``delta`` of ``|w_i|`` satisfies
``|delta / (K sqrt(mu)) - 1| <= 3 mu + 0.01``, with ``K`` the flip
normal-form constant (:func:`scalar_eos.bifurcation.amplitude_coefficient`).
The conclusion recovers ``|y|`` from the outcome itself: on the balanced line
the GFS sharpness is ``psi_min = D |y|^(2 - 2/D)``, and the second point of the
cycle is ``a_2 = a_1 - eta (a_1^D - |y|) a_1^(D-1)``.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from mpmath import mp

from .. import _exact, fast
from ..bifurcation import amplitude_coefficient
from ..gfs import psi_min
from ..outcome import UP_TO_BUDGET, Outcome
from ._common import fast_psi, le_decided, pi, psi_exact
from .claim import Claim

__all__ = ["CLAIM", "MU_MAX"]

#: Largest ``eta psi_min - 2`` the claim speaks about.
MU_MAX = 0.2


def hypothesis(w: list[Fraction], eta: Fraction, y: Fraction) -> bool:
    d = len(w)
    if d < 2 or not (0 < pi(w) / y < Fraction(3, 2)):
        return False
    e = lambda digits: _exact.to_mpf(eta) * psi_min(d, target=y, dps=digits)  # noqa: E731
    above = not le_decided(e, lambda digits: mp.mpf(2))
    near = le_decided(e, lambda digits: mp.mpf(2) + mp.mpf(MU_MAX))
    start = le_decided(lambda digits: _exact.to_mpf(eta) * psi_exact(w, y, digits), lambda digits: mp.mpf("2.6"))
    return above and near and start


def batch_hypothesis(W: np.ndarray, eta: np.ndarray, y: np.ndarray) -> np.ndarray:
    e = eta * fast.psi_min(W.shape[1], target=y)
    ratio = np.prod(W, axis=1) / y
    return (W.shape[1] >= 2) & (e > 2) & (e <= 2 + MU_MAX) & (ratio > 0) & (ratio < 1.5) & (eta * fast_psi(W, y) <= 2.6)


def conclusion(o: Outcome, eta: float) -> bool | None:
    if o.status in UP_TO_BUDGET:  # up to the budget only: it may still settle
        return None
    if o.status != "periodic" or o.period != 2 or not o.final_weights or o.final_sharpness is None:
        return False
    a = np.abs(np.asarray(o.final_weights, dtype=float))
    d = a.size
    if d < 2 or a.max() - a.min() > 1e-4 * a.max():
        return False  # not on the balanced line
    # on the balanced line the GFS sharpness is psi_min = D |y|^(2 - 2/D): it gives |y| and mu
    mu = eta * o.final_sharpness - 2
    y = (o.final_sharpness / d) ** (d / (2 * d - 2))
    if not 0 < mu <= MU_MAX + 1e-9:
        return False
    a1 = float(a.mean())
    a2 = a1 - eta * (a1**d - y) * a1 ** (d - 1)  # the other point of the 2-cycle
    k = float(amplitude_coefficient(d, target=y, dps=20)["K"])
    ratio = abs(a1 - a2) / 2 / (k * np.sqrt(mu))
    return bool(abs(ratio - 1) <= 3 * mu + 0.01)


def sampler(rng: np.random.Generator, depth: int, n: int, target: float) -> tuple[np.ndarray, np.ndarray]:
    """Weights within a factor ``e^0.3`` of balance, ``eta psi_min`` uniform in ``(2, 2.2]``."""
    a = abs(target) ** (1 / depth)
    W = a * np.exp(rng.uniform(-0.3, 0.3, size=(n, depth)))
    W[:, 0] *= np.sign(target)
    eta = rng.uniform(2.0 + 1e-3, 2.0 + MU_MAX, size=n) / fast.psi_min(depth, target=target)
    return W, eta


CLAIM = Claim(
    "regime-supercritical",
    f"If 2 < eta psi_min <= 2 + {MU_MAX}, 0 < pi(w0)/y < 1.5 and eta psi(w0) <= 2.6, GD ends on a balanced "
    "period-2 orbit with amplitude K (eta psi_min - 2)^(1/2) (1 + O(eta psi_min - 2)).",
    hypothesis,
    conclusion,
    kind="trajectory",
    status="open",
    source="MacDonald et al. (deep scalar factorisation, supercritical regime)",
    batch_hypothesis=batch_hypothesis,
    sampler=sampler,
    sweep_default=False,
)

"""``regime-subcritical``: MacDonald et al.'s subcritical regime of deep scalar factorisation.

With ``lambda* = psi_min`` and ``lambda(w0) = psi(w0)``, the regime is
``2/lambda* > eta > 2/lambda(w0)``: a stable minimiser exists but the GFS of
the start is unstable (the start is *above* the edge, ``eta psi(w0) > 2``).
Its description -- the GFS sharpness falls along GD until GD is stable, then
GD converges linearly to a minimiser with sharpness ``<= 2/eta`` that is not
the flattest -- is a picture of a start near the manifold of minimisers with a
mild instability.  The two inequalities alone allow ``eta psi(w0)`` arbitrarily
large (a start far from balance has ``psi(w0) >> psi_min``); there GD
catapults: in a 400-start sample per depth of that literal reading (``eta
psi(w0)`` uniform in ``[2, 6]``) the conclusion failed at 256 (D = 2), 188
(D = 3) and 126 (D = 4) starts, nearly all divergences and, for the
converging ones, a GFS sharpness that jumps up.  The hypothesis therefore
also asks for the start to be near the manifold in the sense of
``step-decrease-s``: ``0 < pi(w0)/y < 2`` and ``eta psi(w0) <= 2 sqrt 2``; the
same sample then had no failure (69, 63 and 82 starts of D = 2, 3, 4 in that
region).  Not already at a minimum.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from mpmath import mp

from .. import _exact, fast
from ..gfs import psi_min
from ..outcome import UP_TO_BUDGET, Outcome
from ._common import fast_psi, le_decided, pi, psi_exact
from .claim import Claim

__all__ = ["CLAIM"]

SQRT8 = 2 * np.sqrt(2.0)


def hypothesis(w: list[Fraction], eta: Fraction, y: Fraction) -> bool:
    d = len(w)
    if pi(w) == y or not 0 < pi(w) / y < 2:
        return False
    e_psi = lambda digits: _exact.to_mpf(eta) * psi_exact(w, y, digits)  # noqa: E731
    above = not le_decided(e_psi, lambda digits: mp.mpf(2))
    near = le_decided(e_psi, lambda digits: 2 * mp.sqrt(2))
    stable_exists = not le_decided(
        lambda digits: mp.mpf(2), lambda digits: _exact.to_mpf(eta) * psi_min(d, target=y, dps=digits)
    )
    return above and near and stable_exists


def batch_hypothesis(W: np.ndarray, eta: np.ndarray, y: np.ndarray) -> np.ndarray:
    ratio = np.prod(W, axis=1) / y
    e_psi = eta * fast_psi(W, y)
    least = fast.psi_min(W.shape[1], target=y)
    return (ratio > 0) & (ratio < 2) & (ratio != 1) & (e_psi > 2) & (e_psi <= SQRT8) & (eta * least < 2)


def conclusion(o: Outcome, eta: float) -> bool | None:
    if o.status in UP_TO_BUDGET:  # up to the budget only: it may still settle
        return None
    if o.status != "converged" or o.final_sharpness is None:
        return False
    return bool(o.gfs_monotone and eta * o.final_sharpness <= 2 * (1 + 1e-12))


def sampler(rng: np.random.Generator, depth: int, n: int, target: float) -> tuple[np.ndarray, np.ndarray]:
    """Log-uniform weights rescaled to ``pi/y`` uniform in ``(0, 2)``; ``eta psi(w0)`` in ``(2, 2 sqrt 2]``.

    A fifth of the rows put ``eta psi(w0)`` within ``10^-6 .. 10^-1`` (relative) of 2 or of
    ``2 sqrt 2``.  Rows with ``eta psi_min >= 2`` are left to the hypothesis filter.
    """
    W = np.exp(rng.uniform(-1.5, 1.5, size=(n, depth)))
    ratio = rng.uniform(1e-3, 2 - 1e-3, size=n)
    W *= ((ratio * abs(target)) / np.prod(W, axis=1))[:, None] ** (1 / depth)
    W[:, 0] *= np.sign(target)
    e_psi = rng.uniform(2.0, SQRT8, size=n)
    anchored = rng.random(n) < 0.2
    gap = 10.0 ** rng.uniform(-6, -1, size=n)
    e_psi[anchored] = np.where(rng.random(anchored.sum()) < 0.5, 2 * (1 + gap[anchored]), SQRT8 * (1 - gap[anchored]))
    with np.errstate(all="ignore"):
        eta = e_psi / fast.gfs_sharpness(W, target=target)
    return W, eta


CLAIM = Claim(
    "regime-subcritical",
    "If 2/psi_min > eta > 2/psi(w0), 0 < pi(w0)/y < 2 and eta psi(w0) <= 2 sqrt(2), the GFS sharpness decreases "
    "monotonically along GD and GD converges to a minimiser with sharpness <= 2/eta.",
    hypothesis,
    conclusion,
    kind="trajectory",
    status="open",
    source="MacDonald et al. (deep scalar factorisation, subcritical regime), near the minimiser manifold",
    batch_hypothesis=batch_hypothesis,
    sampler=sampler,
    sweep_default=False,
)

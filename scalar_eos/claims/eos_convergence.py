"""``eos-convergence``: from above the stability threshold GD converges at the edge of stability.

From ``eta psi(w0) > 2`` with a stable minimiser available (``eta psi_min < 2``),
not already at a minimum, GD converges to a minimiser whose sharpness lies in
the EoS window ``((1 - delta) 2/eta, 2/eta]``, ``delta = EOS_DELTA = 0.05``.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
from mpmath import mp

from .. import _exact, fast
from ..gfs import psi_min
from ..outcome import Outcome
from ._common import converged_within, fast_psi, le_decided, pi, psi_exact
from .claim import Claim, Evidence

__all__ = ["CLAIM", "EOS_DELTA", "eos_window"]

#: Relative width of the EoS window below ``2/eta``.
EOS_DELTA = 0.05


def eos_window(eta: Any, delta: float = EOS_DELTA) -> tuple[Any, Any]:
    """The EoS window ``((1 - delta) 2/eta, 2/eta (1 + 1e-12)]`` of the final sharpness.

    Examples
    --------
    >>> eos_window(0.5)
    (3.8, 4.000000000004)
    """
    threshold = 2.0 / eta
    return (1 - delta) * threshold, threshold * (1 + 1e-12)


def hypothesis(w: list[Fraction], eta: Fraction, y: Fraction) -> bool:
    d = len(w)
    two = lambda digits: mp.mpf(2)  # noqa: E731
    if pi(w) == y:  # already at a minimum: GD stays there whatever its sharpness
        return False
    above = not le_decided(lambda digits: _exact.to_mpf(eta) * psi_exact(w, y, digits), two)
    stable_exists = not le_decided(two, lambda digits: _exact.to_mpf(eta) * psi_min(d, target=y, dps=digits))
    return above and stable_exists


def batch_hypothesis(W: np.ndarray, eta: np.ndarray, y: np.ndarray) -> np.ndarray:
    least = fast.psi_min(W.shape[1], target=y)
    return (eta * fast_psi(W, y) > 2) & (eta * least < 2) & (np.prod(W, axis=1) != y)


def conclusion(o: Outcome, eta: float) -> bool | None:
    return converged_within(o, *eos_window(eta), include_hi=True)


def sampler(rng: np.random.Generator, depth: int, n: int, target: float) -> tuple[np.ndarray, np.ndarray]:
    """Positive log-uniform weights, ``eta psi(w0)`` uniform in ``[2, 6]``."""
    W = np.exp(rng.uniform(-1.5, 1.5, size=(n, depth)))
    eta_psi = rng.uniform(2.0, 6.0, size=n)
    with np.errstate(all="ignore"):
        eta = eta_psi / fast.gfs_sharpness(W, target=target)
    return W, eta


CLAIM = Claim(
    "eos-convergence",
    "If eta * psi(w0) > 2 and eta * psi_min < 2, GD converges to a minimiser with sharpness in "
    f"((1 - {EOS_DELTA}) 2/eta, 2/eta].",
    hypothesis,
    conclusion,
    kind="trajectory",
    evidence=Evidence(),  # no proof yet
    source="Kreisler et al., ICML 2023 (informal)",
    batch_hypothesis=batch_hypothesis,
    sampler=sampler,
    window=eos_window,
)

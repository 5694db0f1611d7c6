"""``regime-subcritical``: MacDonald et al.'s subcritical regime of deep scalar factorisation.

With ``lambda* = psi_min`` and ``lambda(w0) = psi(w0)``: if
``2/lambda* > eta > 2/lambda(w0)`` (a stable minimiser exists but the GFS of
the start is unstable), not already at a minimum, the GFS sharpness never
increases along GD and GD converges to a minimiser with sharpness ``<= 2/eta``.
The hypothesis is that of ``eos-convergence``; the conclusion asks for the
monotone decrease and stability instead of the EoS window.
"""

from __future__ import annotations

from ..outcome import UP_TO_BUDGET, Outcome
from . import eos_convergence
from .claim import Claim

__all__ = ["CLAIM"]


def conclusion(o: Outcome, eta: float) -> bool | None:
    if o.status in UP_TO_BUDGET:  # up to the budget only: it may still settle
        return None
    if o.status != "converged" or o.final_sharpness is None:
        return False
    return bool(o.gfs_monotone and eta * o.final_sharpness <= 2 * (1 + 1e-12))


CLAIM = Claim(
    "regime-subcritical",
    "If 2/psi_min > eta > 2/psi(w0), the GFS sharpness decreases monotonically along GD and GD converges to a "
    "minimiser with sharpness <= 2/eta.",
    eos_convergence.hypothesis,
    conclusion,
    kind="trajectory",
    status="open",
    source="MacDonald et al. (deep scalar factorisation, subcritical regime)",
    batch_hypothesis=eos_convergence.batch_hypothesis,
    sampler=eos_convergence.sampler,
    sweep_default=False,
)

"""Claims about GD and the GFS sharpness: the type, the registry, the built-ins, and evaluation.

A :class:`Claim` has an id, a statement, a *hypothesis* (a predicate on
``(w, eta, target)``) and a *conclusion*, either about one GD step
(``kind="step"``: the conclusion receives a :class:`~scalar_eos.onestep.OneStep`)
or about the whole run (``kind="trajectory"``: it receives an
:class:`~scalar_eos.outcome.Outcome`).  Users add their own with
:func:`register` and plain Python functions; a claim may also carry float64
helpers (batch hypothesis, violation score, sampler, window) that make the
counterexample search and sweeps fast.

Hypotheses receive exact values: ``w`` a list of :class:`fractions.Fraction`,
``eta`` and ``target`` Fractions (scale is folded into ``eta``; see
:mod:`scalar_eos.canonical`).  Conditions involving the GFS sharpness are
decided in high precision.

Layout: :mod:`.claim` (the type), :mod:`._registry`, :mod:`.evaluation`, and
one module per built-in claim holding everything about it:

``step-decrease`` (:mod:`.step_decrease`)
    every GD step does not increase the GFS sharpness (false in general).
``step-decrease-s`` (:mod:`.step_decrease_s`)
    the same under ``0 < pi/y < 2`` and ``eta psi(w) <= 2 sqrt 2``.
``step-decrease-d2`` (:mod:`.step_decrease_d2`)
    D = 2, the exact region: one step does not increase psi **iff**
    ``w_1^2 = w_2^2`` or ``eta |pi - y| <= sqrt 2``.
``step-decrease-order`` (:mod:`.step_decrease_order`)
    the sufficient condition for every depth proved in ``proofs/``.
``eos-convergence`` (:mod:`.eos_convergence`)
    from ``eta psi(w0) > 2`` with a stable minimiser available, GD converges
    to a minimiser with sharpness in ``((1 - delta) 2/eta, 2/eta]``.
``zhu-minimalist`` (:mod:`.zhu_minimalist`)
    Zhu et al. (ICLR 2023), Cor. 3.1 as we read it.
``regime-subcritical`` (:mod:`.regime_subcritical`)
    MacDonald et al.: for ``2/psi_min > eta > 2/psi(w0)`` the GFS sharpness
    decreases monotonically and GD converges with sharpness ``<= 2/eta``.
``regime-supercritical`` (:mod:`.regime_supercritical`)
    for ``eta psi_min`` slightly above 2, a balanced period-2 orbit with
    amplitude ``K (eta psi_min - 2)^(1/2)`` (flip normal form).

Examples
--------
>>> from scalar_eos import claims
>>> [c.id for c in claims.registry()][:2]
['step-decrease', 'step-decrease-s']
"""

from __future__ import annotations

from . import (
    eos_convergence,
    regime_subcritical,
    regime_supercritical,
    step_decrease,
    step_decrease_d2,
    step_decrease_order,
    step_decrease_s,
    zhu_minimalist,
)
from ._common import not_increased, relative_increase
from ._registry import get, register, registry, sweep_defaults, unregister
from .claim import Claim, ClaimResult, Evidence
from .eos_convergence import EOS_DELTA, eos_window
from .evaluation import evaluate, hypothesis_batch
from .step_decrease_d2 import d2_region, in_d2_region
from .zhu_minimalist import zhu_point, zhu_window

__all__ = [
    "EOS_DELTA",
    "Claim",
    "ClaimResult",
    "Evidence",
    "d2_region",
    "eos_window",
    "evaluate",
    "get",
    "hypothesis_batch",
    "in_d2_region",
    "not_increased",
    "register",
    "registry",
    "relative_increase",
    "sweep_defaults",
    "unregister",
    "zhu_point",
    "zhu_window",
]

#: The built-in claims, in registration order (adding one: a module with ``CLAIM`` and a line here).
BUILTINS = (
    step_decrease,
    step_decrease_s,
    step_decrease_d2,
    step_decrease_order,
    eos_convergence,
    zhu_minimalist,
    regime_subcritical,
    regime_supercritical,
)

for _module in BUILTINS:
    register(_module.CLAIM, replace=True)

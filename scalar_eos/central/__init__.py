"""The central flow of gradient descent at the edge of stability.

GD with step size :math:`\\eta` oscillates along the top Hessian eigenvector once
the sharpness :math:`S(w) = \\lambda_{\\max}(\\nabla^2 L(w))` reaches
:math:`2/\\eta`.  Averaged over the oscillation, GD follows the *central flow*
(Cohen, Damian, Talwalkar, Kolter and Lee, 2024/2025)

.. math::

    \\frac{dw}{dt} = -\\eta\\Big[\\nabla L(w) + \\tfrac12\\,\\sigma^2\\,\\nabla S(w)\\Big],

with ``t`` counted in GD steps (GD iterate ``k`` is compared with the flow at
``t = k``; gradient-flow time is ``eta * t``) and :math:`\\sigma^2 \\ge 0` the
variance of the oscillation along the top eigenvector, fixed by the
complementarity condition :math:`\\sigma^2 \\ge 0,\\ \\eta S \\le 2,\\
\\sigma^2 (2 - \\eta S) = 0`: below the edge :math:`\\sigma^2 = 0` (gradient
flow); on the edge it is the smallest value that keeps ``S`` from rising,

.. math::

    \\sigma^2 = \\max\\Big(0, -\\frac{2\\langle \\nabla S, \\nabla L\\rangle}{|\\nabla S|^2}\\Big),

(``dS/dt = <grad S, dw/dt> = 0``).  Then the flow is the gradient flow of ``L``
projected onto the level set ``eta S = 2``.

**Predicted time-averaged loss.**  Write GD as ``w = w_bar + x u`` with ``u``
the top eigenvector, ``E[x] = 0``, ``E[x^2] = sigma^2``.  Taylor expansion,
averaged over ``x``:

.. math::

    E[L(\\bar w + x u)] = L(\\bar w) + \\tfrac12 \\sigma^2 u^\\top \\nabla^2 L u
    = L(\\bar w) + \\tfrac12 \\sigma^2 S(\\bar w),

(and ``E[grad L(w_bar + x u)] = grad L + 1/2 sigma^2 grad S`` gives the flow
itself).  On the edge ``S = 2/eta`` so the term is ``sigma^2 / eta``.

**Exact ingredients.**  For a scalar network ``H = m (g g^T + r P)`` with
``g = grad pi``, ``P = Hess pi``, ``r = pi - y``.  While the top eigenvalue is
simple, with unit top eigenvector ``v``,

.. math::

    \\nabla S = m\\big[2 (g\\cdot v) P v + (v^\\top P v)\\, g + r\\, T(v, v)\\big],
    \\qquad T(v,v)_k = \\sum_{i\\ne j,\\ i,j\\ne k} v_i v_j \\prod_{l\\notin\\{i,j,k\\}} w_l,

all read off the degree-2 truncations of :math:`\\prod_{l\\ne k}(w_l + t v_l)`
(exact for zero weights).  For a generic :class:`~scalar_eos.generic.Model`,
:math:`\\nabla S = \\frac{d}{d\\epsilon} H(w + \\epsilon v) v` by a Richardson-
extrapolated central difference of Hessian-vector products.

**Integration.**  Dormand-Prince 5(4) with error control on two smooth
vector fields (below the edge: ``sigma^2 = 0``; on the edge: ``sigma^2`` from
the formula without the clip, plus a Newton projection back onto
``eta S = 2`` after each step), glued at located events: *entering* the edge
(``eta S`` reaches 2) and *leaving* it (``sigma^2`` falls to 0).  If the top two
eigenvalues come within ``crossing_tol * S`` of each other while on the edge
(or at a start above it), ``grad S`` is not defined: the run stops with status
``"eigenvalue_crossing"``.  The float end point is accurate to about 1e-11
(measured against :func:`central_end_point`: 6e-14 to 3e-11).

**Starts above the edge** (``eta S(w0) > 2``).  The paper defines the flow on
the stable region ``eta S <= 2``, which GD reaches by progressive sharpening;
it does not define a flow from a start above it.  Its experiments discretise
the flow by Euler substeps of length ``h`` (4 per GD step) in which
:math:`\\sigma^2` is chosen so that the *linearised* sharpness after the
substep is ``2/eta`` (:func:`euler_central_flow`).  From above the edge that
choice is a Newton step ``w - (S - 2/eta) grad S / |grad S|^2`` plus ``O(h)``,
so as ``h -> 0`` the discretisation moves the start onto ``eta S = 2`` in zero
time by Newton steps along ``grad S``.  That limit is our default,
``jump="newton"`` (measured: with ``w0 = (0.5, 2.1, 1)``, ``eta = 0.45``, the
Euler end point is 7.5e-4, 1.8e-4, 4.5e-5, 1.1e-5 from it for 4, 16, 64, 256
substeps).  ``jump="descent"`` follows instead the steepest-descent curve of
``S`` down to the edge (also an instantaneous move, not in the paper; 1.2e-3
from ``"newton"`` there).  The event ``"projected onto the edge"`` records the
move; if ``sigma^2 <= 0`` where it lands, the flow continues below the edge.

**Which convention GD follows** (float64 GD for 200000 steps, its two-step
average; Euclidean distances; in brackets the flow's end ``eta S``):

============================================  ==============  =============  ==========================
start (``eta S(w0)``)                         newton-descent  GD-newton      GD end ``eta S`` (flow)
============================================  ==============  =============  ==========================
(0.2, 0.3, 1.5), eta 0.6 (0.83, sharpening)   0 (no jump)     1.91e-2        1.9865 (2)
(0.5, 2.1, 1), eta 2/S(w0) (2, on the edge)   0 (no jump)     2.49e-3        1.8893 (1.8950)
(0.5, 2.1, 1), eta 2.05/S(w0) (2.05)          1.86e-5         7.27e-4        1.9321 (1.9338)
(0.5, 2.1, 1), eta 0.45 (2.64)                1.16e-3         4.62e-2        1.9392 (2)
(0.3, 2.5, 1.2), eta 0.3349 (3.2)             4.52e-3         3.82e-1        1.5175 (2)
(0.3, 2.5, 1.2), eta 0.5 (4.78)               1.80e-4         --             GD diverges (2)
(0.7, -1.2, 0.9, 1.1), eta 0.3 (2.55)         1.52e-4         1.31e-1        1.2336 (1.2847)
(0.9, 1.1, -1, 0.8, 1.2), eta 0.35 (4.39)     6.79e-4         1.40e-1        1.7678 (1.8117)
(0.6, 0.6, 0.6), eta 0.7 (eta psi_min 2.1)    0 (no jump)     3.21e-3        period 2, mean 1.9773 (2)
============================================  ==============  =============  ==========================

GD cannot tell the two conventions apart: where they differ by more than
2e-5, GD ends 40 to 900 times farther from either (its catapult from far
above the edge lands well below ``2/eta``); slightly above the edge both are
within 7.3e-4 of GD (descent 1.5e-5 closer).  Near the edge the remaining gap
is GD's ``O(eta)`` drift.  Time-resolved agreement: see :mod:`scalar_eos.edge`.

**High precision.**  :func:`central_end_point` computes the end point of a
scalar network's flow to any number of digits.  It follows the path in the
parameter ``pi = prod w``, which moves monotonically to ``y``
(:math:`dw/d\\pi = \\nabla\\pi/|\\nabla\\pi|^2` below the edge, :math:`p/|p|^2`
on it, ``p`` the part of :math:`\\nabla\\pi` orthogonal to :math:`\\nabla S`),
so the end point is reached at a finite parameter value; Gragg-Bulirsch-Stoer
extrapolation in mpmath with the same events and conventions.  An end point
on the edge with ``sigma^2 > 0`` (balanced starts with ``eta psi_min > 2``) is
isolated and found by Newton's method on ``grad L + mu grad S = 0``,
``eta S = 2``.  A float run guides it and is checked against it (status
``"inconsistent"`` if events or end points differ by more than 1e-7, or if
the end point lies above the edge).  Measured: the end point at 20 and at 32
digits agree to 1e-20 or better, at 30 and 45 digits to 1.4e-36 (depth 3);
the float end point is within 6e-14 to 3e-11 of it.  Cost (depth 2-5, one
core): 0.2-27 s at 20 digits, 0.3-83 s at 30, 5-240 s at 45; it grows
steeply with the number of digits.

Status values: ``"converged"`` (``kind`` is ``"minimum"``, ``"edge"`` for a
stationary point on the edge with ``sigma^2 > 0`` -- GD then oscillates around
it -- or ``"saddle"``), ``"time_limit"``, ``"step_limit"``,
``"eigenvalue_crossing"``, ``"degenerate"`` (``grad S = 0`` on the edge) and
``"diverged"``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..errors import InvalidArgument
from ._endpoint import CentralEnd, central_end_point
from ._euler import euler_central_flow
from ._flow import CentralFlow, run_flow
from ._spectrum import ModelProblem, ScalarNet, check_positive, finite_vector, sharpness_gradient

__all__ = [
    "CentralEnd",
    "CentralFlow",
    "ScalarNet",
    "central_end_point",
    "central_flow",
    "check_positive",
    "euler_central_flow",
    "finite_vector",
    "sharpness_gradient",
]

STATUSES = ("converged", "time_limit", "step_limit", "eigenvalue_crossing", "degenerate", "diverged")
#: Further statuses of :func:`central_end_point`.
END_STATUSES = ("inconsistent",)


# ----------------------------------------------------------------------------- public API


def central_flow(
    w0: Any,
    eta: Any,
    *,
    target: Any = 1.0,
    scale: Any = 1.0,
    model: Any = None,
    t_max: Any = None,
    times: Any = None,
    rtol: float = 1e-11,
    ftol: float = 1e-12,
    max_steps: int = 20_000,
    crossing_tol: float = 1e-6,
    jump: str = "newton",
) -> CentralFlow:
    """Integrate the central flow of GD with step size ``eta`` from ``w0``.

    Parameters
    ----------
    w0 : sequence of real numbers
        Initial weights (or parameters of ``model``).
    eta : real, positive
        GD step size; time ``t`` is counted in GD steps.
    target, scale : real
        Scalar network ``L = scale/2 (prod w - target)^2`` (ignored with ``model``).
    model : scalar_eos.generic.Model, optional
        A generic model (``loss``, ``grad``, ``hvp``, ``dense_hessian``) instead
        of the scalar network; its top Hessian eigenvalue must be simple.
    t_max : real, optional
        Stop at this time (default: run until converged or ``max_steps``).
    times : increasing sequence of reals, optional
        Times at which the state is returned exactly (``result.samples``).
    rtol : float
        Local relative error tolerance of the Runge-Kutta steps.
    ftol : float
        Convergence: ``|grad L + sigma^2 grad S / 2| <= ftol * m |y| |grad pi|``
        (scalar network; relative to ``1 + |grad L(w0)|`` for a model).
    max_steps : int
        Budget of accepted steps (status ``"step_limit"`` when exhausted).
    crossing_tol : float
        Relative eigenvalue gap under which the top eigenvalue counts as crossed.
    jump : ``"newton"`` or ``"descent"``
        A start above the edge is first moved onto ``eta S = 2`` in zero time:
        ``"newton"`` by Newton steps ``w - (S - 2/eta) grad S / |grad S|^2``
        (the limit of the paper's discretisation, :func:`euler_central_flow`,
        as its substep shrinks; falls back to ``"descent"`` if they fail),
        ``"descent"`` along the steepest-descent curve of ``S``.  The two
        differ by up to a few 1e-3 at depth >= 3 (see the module docstring;
        GD does not discriminate between them).

    Returns
    -------
    CentralFlow

    Examples
    --------
    Below the edge the central flow is gradient flow:

    >>> cf = central_flow([0.5, 1.5], 0.1)
    >>> cf.status, cf.kind, float(cf.sigma2.max())
    ('converged', 'minimum', 0.0)

    Above the edge it ends on a minimiser with sharpness exactly ``2/eta``:

    >>> cf = central_flow([0.5, 2.1, 1.0], 0.45)
    >>> cf.status, cf.kind, round(0.45 * cf.final_sharpness, 10)
    ('converged', 'minimum', 2.0)
    """
    eta_f = check_positive(eta, "eta")
    if model is None:
        w = finite_vector(w0, "weights")
        try:
            y = float(target)
        except (TypeError, ValueError):
            raise InvalidArgument(f"target must be a non-zero real number, got {target!r}") from None
        if not math.isfinite(y) or y == 0:
            raise InvalidArgument(f"target must be finite and non-zero, got target={target!r}")
        prob: Any = ScalarNet(y, check_positive(scale, "scale"))
    else:
        n = getattr(model, "n_params", None)
        w = finite_vector(w0, "x0", n)
        prob = ModelProblem(model, w)
    tm = math.inf if t_max is None else float(t_max)
    if not (tm > 0):
        raise InvalidArgument(f"t_max must be positive, got t_max={t_max!r}")
    if times is None:
        ts = np.zeros(0)
    else:
        ts = np.atleast_1d(np.asarray(times, dtype=float))
        if ts.ndim != 1 or not np.all(np.isfinite(ts)) or np.any(ts < 0) or np.any(np.diff(ts) <= 0):
            raise InvalidArgument("times must be finite, non-negative and strictly increasing")
        if t_max is None:
            tm = float(ts[-1]) if ts.size else tm
    for name, val in (("rtol", rtol), ("ftol", ftol), ("crossing_tol", crossing_tol)):
        check_positive(val, name)
    if isinstance(max_steps, bool) or not isinstance(max_steps, int) or max_steps < 1:
        raise InvalidArgument(f"max_steps must be a positive integer, got {max_steps!r}")
    if jump not in ("newton", "descent"):
        raise InvalidArgument(f"jump must be 'newton' or 'descent', got jump={jump!r}")
    with np.errstate(over="raise", invalid="raise"):
        return run_flow(
            prob,
            w,
            eta_f,
            t_max=tm,
            times=ts,
            rtol=rtol,
            ftol=ftol,
            max_steps=max_steps,
            crossing_tol=crossing_tol,
            jump_kind=jump,
        )

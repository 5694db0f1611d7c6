"""Numerical integration of gradient flow ``dw/dt = -grad L(w)``.

This is the *independent* method used to cross-check the closed-form GFS:
it knows nothing of shifts or invariants, it only integrates the ODE.

* ``dps=None``: an embedded Dormand-Prince 5(4) Runge-Kutta method with
  adaptive steps (relative tolerance ``rtol``), in float64.
* ``dps=n``: mpmath's Taylor-series integrator :func:`mpmath.odefun` at
  ``n + guard`` digits.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
from mpmath import mp

from . import _exact
from ._ode import rk_step
from ._validate import check_dps
from .errors import InvalidArgument, PrecisionError
from .model import point

__all__ = ["gradient_flow"]


def _field(w: np.ndarray, y: float, m: float) -> np.ndarray:
    prefix = np.concatenate(([1.0], np.cumprod(w[:-1])))
    suffix = np.concatenate((np.cumprod(w[:0:-1])[::-1], [1.0]))
    others = prefix * suffix
    r = np.prod(w) - y
    return -m * r * others


def _dopri(w0: np.ndarray, times: list[float], y: float, m: float, rtol: float, max_steps: int) -> np.ndarray:
    out = np.empty((len(times), w0.size))
    w, t = w0.copy(), 0.0
    f = _field(w, y, m)
    h = min(1e-2, 0.1 / (np.linalg.norm(f) + 1e-300)) if np.any(f) else 1e-2
    steps = 0
    for j, t_end in enumerate(times):
        while t < t_end:
            h = min(h, t_end - t)
            w_new, err = rk_step(lambda v: _field(v, y, m), w, h, f0=f)
            scale = rtol * (np.abs(w) + np.abs(w_new)) / 2 + rtol * 1e-3
            ratio = float(np.sqrt(np.mean((err / scale) ** 2)))
            if not math.isfinite(ratio):
                raise PrecisionError(f"gradient flow left the float64 range near t={t:.6g}; use dps=N")
            if ratio <= 1.0:
                t += h
                w = w_new
                f = _field(w, y, m)  # the last stage's point is w_new: the same value
            h *= min(5.0, max(0.2, 0.9 * ratio ** (-0.2))) if ratio > 0 else 5.0
            steps += 1
            if steps > max_steps:
                raise PrecisionError(f"gradient flow needed more than {max_steps} steps before t={t_end}")
        out[j] = w
    return out


def gradient_flow(
    w0: Any,
    t: Any,
    *,
    target: Any = 1,
    scale: Any = 1,
    dps: int | None = None,
    rtol: float = 1e-12,
    max_steps: int = 1_000_000,
) -> Any:
    """Integrate gradient flow from ``w0`` up to time ``t`` (or several times).

    Parameters
    ----------
    w0 : sequence of real numbers
        Initial weights.
    t : real >= 0, or an increasing sequence of such
        The time(s) at which the state is returned.
    target, scale : real
        As in :func:`scalar_eos.loss`.
    dps : int or None
        None: float64 Dormand-Prince with relative tolerance ``rtol``.
        ``n``: mpmath Taylor integrator at ``n`` digits plus guard digits.
    rtol : float
        Local relative error tolerance of the float64 integrator.
    max_steps : int
        Step budget of the float64 integrator (raises when exhausted).

    Returns
    -------
    ndarray (D,) or (len(t), D), or list(s) of mpf
        The weights at the requested time(s).

    Examples
    --------
    >>> w = gradient_flow([0.5, 3.0], 40.0)
    >>> bool(abs(w[0] * w[1] - 1) < 1e-10)
    True
    """
    dps = check_dps(dps)
    p = point(w0, target, scale)
    scalar = np.ndim(t) == 0
    try:
        times = [float(x) for x in np.atleast_1d(np.asarray(t, dtype=float))]
    except (TypeError, ValueError):
        raise InvalidArgument(f"t must be a real number or a sequence of them, got {t!r}") from None
    if (
        not times
        or any(not math.isfinite(x) or x < 0 for x in times)
        or any(b < a for a, b in itertools.pairwise(times))
    ):
        raise InvalidArgument(f"t must be finite, non-negative and increasing, got {t!r}")
    if dps is None:
        w = np.array([_exact.to_float(x, "w0") for x in p.w])
        out = _dopri(w, times, float(p.target), float(p.scale), rtol, max_steps)
        return out[0] if scalar else out
    with mp.workdps(_exact.working_dps(dps)):
        y, m = _exact.to_mpf(p.target), _exact.to_mpf(p.scale)
        d = p.depth

        def field(_t: Any, w: list[Any]) -> list[Any]:
            others = [mp.fprod(w[k] for k in range(d) if k != i) for i in range(d)]
            r = mp.fprod(w) - y
            return [-m * r * o for o in others]

        sol = mp.odefun(field, 0, [_exact.to_mpf(x) for x in p.w])
        states = [list(sol(mp.mpf(x))) for x in times]
    return states[0] if scalar else states

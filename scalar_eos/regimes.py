"""The step-size regimes of deep scalar factorisation, as checkable statements.

With ``lambda* = psi_min`` (the flattest minimiser's sharpness) and
``lambda(w0) = psi(w0)`` (the initial GFS sharpness):

* **subcritical**, ``2/lambda* > eta > 2/lambda(w0)``: the GFS sharpness falls
  along GD (non-increasing at every step) until GD is stable, then GD converges
  to a minimiser with sharpness ``<= 2/eta`` (not the flattest one);
* **supercritical**, ``eta`` slightly above ``2/lambda*``: a stable period-2
  orbit around the flattest minimiser whose amplitude scales like
  ``(eta lambda* - 2)^(1/2)`` (constant from the flip normal form,
  :func:`scalar_eos.bifurcation.amplitude_coefficient`).

:func:`subcritical` and :func:`supercritical` return a verdict with the
numbers behind it; they are the conclusions of the regime claims.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import mpmath
import numpy as np
from mpmath import mp

from . import fast
from .bifurcation import amplitude_coefficient
from .errors import InvalidArgument
from .gfs import psi as gfs_psi
from .orbits import find_orbit, gd_limit, gd_map

__all__ = ["subcritical", "supercritical"]


def subcritical(
    w0: Any,
    eta: Any,
    *,
    target: Any = 1.0,
    steps: int = 3000,
    ltol: float = 1e-24,
    rtol: float = 1e-9,
    dps: int | None = None,
) -> dict[str, Any]:
    """Check the subcritical regime from ``w0`` with float64 GD (and, with ``dps``, exact GD).

    Returns
    -------
    dict
        ``in_regime`` (``2/psi_min > eta > 2/psi(w0)``), ``psi_monotone`` (no
        step raises the GFS sharpness by more than ``1e-12`` relative),
        ``converged`` (final loss ``<= ltol y^2``), ``final_sharpness``,
        ``final_psi``, ``below_edge`` (``eta S_final <= 2``), ``psi_matches``
        (``|psi - S| <= rtol S`` at the end) and ``holds`` (all of them;
        None when not in the regime).  With ``dps`` and a converged run, also
        ``limit`` (:meth:`scalar_eos.orbits.GDLimit.as_dict`: GD's limit and
        its sharpness to ``dps`` digits, from exact GD), ``final_sharpness_error``
        (relative error of the float64 ``final_sharpness`` against it),
        ``psi_trace`` (``[t, psi(w_t)]`` as decimal strings for exact GD at
        ``t = 0, 1, 2, 4, ...``) and ``psi_decreases_to_limit`` (that trace
        non-increasing and every value ``>=`` the limit's sharpness).

    Examples
    --------
    >>> r = subcritical([0.6, 2.0, 0.9], 0.45, steps=800)
    >>> r["in_regime"], r["holds"]
    (True, True)
    """
    w = np.asarray([float(x) for x in w0], dtype=float).reshape(1, -1)
    if not np.all(np.isfinite(w)) or w.size == 0:
        raise InvalidArgument("w0 must be a non-empty finite sequence")
    eta_exact, target_exact = eta, target
    eta, target = float(eta), float(target)
    if not (math.isfinite(eta) and eta > 0):
        raise InvalidArgument(f"eta must be positive and finite, got eta={eta!r}")
    d = w.shape[1]
    psi_min = d * abs(target) ** (2 - 2 / d)
    psi0 = float(fast.gfs_sharpness(w, target=target)[0])
    in_regime = bool(2 / psi_min > eta > 2 / psi0)
    out = fast.gd(w, eta, steps, target=target, track=("gfs_sharpness", "loss", "sharpness"), summary=True)
    psi = out["gfs_sharpness"]
    monotone = bool(out["gfs_sharpness"]["increases"][0] == 0)
    final_loss = float(out["loss"]["last"][0])
    s_final = float(out["sharpness"]["last"][0])
    psi_final = float(psi["last"][0])
    converged = bool(final_loss <= ltol * target**2)
    res = {
        "in_regime": in_regime,
        "psi0": psi0,
        "psi_min": psi_min,
        "psi_monotone": monotone,
        "converged": converged,
        "final_loss": final_loss,
        "final_sharpness": s_final,
        "final_psi": psi_final,
        "below_edge": bool(eta * s_final <= 2),
        "psi_matches": bool(abs(psi_final - s_final) <= rtol * s_final),
        "flattest": bool(abs(psi_final - psi_min) <= 1e-6 * psi_min),
    }
    ok = monotone and converged and res["below_edge"] and res["psi_matches"] and not res["flattest"]
    res["holds"] = bool(ok) if in_regime else None
    if dps is not None and converged:
        res.update(_exact_limit(list(w0), eta_exact, target_exact, dps, s_final, steps))
    return res


def _exact_limit(w0: list[Any], eta: Any, target: Any, dps: int, s_final: float, steps: int) -> dict[str, Any]:
    """GD's limit to ``dps`` digits and the GFS sharpness along exact GD at ``t = 0, 1, 2, 4, ...``."""
    from ._exact import as_fraction, to_mpf

    lim = gd_limit(w0, eta, target=target, dps=dps, max_steps=max(steps, 2_000_000))
    trace = []
    with mp.workdps(dps + 20):
        e, y = to_mpf(as_fraction(eta, "eta")), to_mpf(as_fraction(target, "target"))
        w = [to_mpf(as_fraction(x, "weight")) for x in w0]
        t, nxt = 0, 0
        while t <= steps:
            if t == nxt:
                trace.append((t, gfs_psi(w, target=target, dps=dps + 10)))
                nxt = max(1, 2 * t)
            w = gd_map(w, e, y)
            t += 1
        values = [p for _, p in trace]
        tol = mp.mpf(10) ** (-dps) * lim.sharpness
        decreasing = all(b <= a + tol for a, b in itertools.pairwise(values))
        above = all(p >= lim.sharpness - tol for p in values)
        return {
            "limit": lim.as_dict(),
            "final_sharpness_error": float(abs(mp.mpf(s_final) - lim.sharpness) / lim.sharpness),
            "psi_trace": [[t, mpmath.nstr(p, dps, strip_zeros=False)] for t, p in trace],
            "psi_decreases_to_limit": bool(decreasing and above),
        }


def supercritical(depth: int, *, target: Any = 1, mus: Any = (1e-2, 3e-3, 1e-3, 3e-4), dps: int = 30) -> dict[str, Any]:
    """Check the supercritical regime on the balanced line: stable period 2, amplitude ~ K mu^(1/2).

    For each ``mu = eta psi_min - 2`` the balanced period-2 orbit is found to
    ``dps`` digits (:func:`scalar_eos.orbits.find_orbit`, all ``D`` Floquet
    multipliers); ``delta`` is half the spread of ``|w_i|`` over the orbit.

    Returns
    -------
    dict
        ``rows`` (``mu, eta, delta, ratio = delta / (K sqrt mu), stable,
        max_abs_multiplier``), ``K``, ``slope`` (least-squares slope of
        ``log delta`` against ``log mu``) and ``holds`` (every orbit stable,
        ``|slope - 1/2| <= 0.02`` and ``|ratio - 1| <= 2 mu`` for each).

    Examples
    --------
    >>> r = supercritical(3, mus=(1e-2, 1e-3))
    >>> r["holds"], round(r["slope"], 2)
    (True, 0.5)
    """
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 2:
        raise InvalidArgument(f"depth must be an integer >= 2 (D = 1 has no period doubling), got {depth!r}")
    mus = [float(m) for m in mus]
    if len(mus) < 2 or any(not (0 < m < 0.5) for m in mus):
        raise InvalidArgument("mus must hold at least two values in (0, 0.5)")
    coeff = amplitude_coefficient(depth, target=target, dps=dps)
    rows = []
    with mp.workdps(dps + 10):
        k = coeff["K"]
        a_star = abs(mp.mpf(target)) ** (mp.mpf(1) / depth)
        for mu in mus:
            eta = coeff["eta_c"] * (1 + mp.mpf(mu) / 2)
            start = [str(a_star * (1 + mp.sqrt(mu) / 2))] * depth
            if target < 0:
                start[0] = "-" + start[0]
            orb = find_orbit(start, mpmath.nstr(eta, dps + 5), period=2, target=target, dps=dps, seed="balanced")
            a = [abs(p[0]) for p in orb.points]
            delta = abs(a[0] - a[1]) / 2
            rows.append(
                {
                    "mu": mu,
                    "eta": float(eta),
                    "delta": float(delta),
                    "ratio": float(delta / (k * mp.sqrt(mu))),
                    "stable": orb.stable,
                    "max_abs_multiplier": float(max(abs(x) for x in orb.multipliers)),
                }
            )
    x = np.log([r["mu"] for r in rows])
    y = np.log([r["delta"] for r in rows])
    slope = float(np.polyfit(x, y, 1)[0])
    holds = (
        all(r["stable"] for r in rows)
        and abs(slope - 0.5) <= 0.02
        and all(abs(r["ratio"] - 1) <= 2 * r["mu"] for r in rows)
    )
    return {"rows": rows, "K": float(coeff["K"]), "slope": slope, "holds": bool(holds)}

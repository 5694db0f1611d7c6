"""Periodic orbits of the GD map to any precision, their Floquet multipliers and stability.

GD with step size :math:`\\eta` is the map :math:`G(w) = w - \\eta\\,\\nabla L(w)`.
A period-``k`` orbit solves :math:`G^k(w) = w` with :math:`G^j(w) \\ne w` for
``0 < j < k``.  Its stability is read from the Floquet multipliers, the
eigenvalues of

.. math::

    M = J(w_{k-1}) \\cdots J(w_1) J(w_0),\\qquad J(w) = I - \\eta\\,\\nabla^2 L(w),

the orbit is (linearly) stable iff :math:`\\max |\\mu| < 1`.

Method.  A float64 GD run locates an attracting cycle (its period is the
smallest ``p`` with ``|w_{n+p} - w_n|`` at rounding level), or, for a start on
the balanced line (all ``|w_i|`` equal, sign pattern with product of sign
``sign(y)``), the one-dimensional map

.. math::

    a \\mapsto f(a) = a - \\eta\\, m\\,(a^D - |y|)\\,a^{D-1}

(balanced weights stay balanced) gives seeds for unstable orbits too.  Newton's
method on :math:`F(w) = G^k(w) - w` with the exact Jacobian :math:`M - I`
then runs in mpmath at ``dps`` plus guard digits; the result is verified
(residual and a first-order error bound :math:`|(M - I)^{-1}|\\,|F|`) and a
:class:`~scalar_eos.errors.PrecisionError` names the residual if it fails.

Fixed points (period 1) are the minimisers ``pi = y``: they form a
``(D-1)``-dimensional manifold, so ``M - I`` is singular there (multipliers
``1`` with multiplicity ``D - 1`` and ``1 - eta m psi``).  For period 1 the
point returned is the minimiser reached from GD's float64 limit by
minimum-norm Newton steps on ``pi(w) = y`` (``isolated`` is False).
"""

from __future__ import annotations

from typing import Any

import mpmath
import numpy as np
from mpmath import mp

from .._validate import check_dps
from ..errors import InvalidArgument, PrecisionError, ScalarEOSError
from ._limit import GDLimit, gd_limit
from ._maps import GUARD, balanced_map, floquet_multipliers, gd_map, jacobian_product
from ._orbit import Orbit, balanced_orbit, detect_cycle, is_balanced

__all__ = [
    "GDLimit",
    "Orbit",
    "balanced_map",
    "balanced_orbit",
    "detect_cycle",
    "find_orbit",
    "floquet_multipliers",
    "gd_limit",
    "gd_map",
    "jacobian_product",
]


# ----------------------------------------------------------------------------- Newton


def _iterate(w: list[Any], k: int, eta: Any, y: Any, m: Any) -> list[list[Any]]:
    pts = [w]
    for _ in range(k):
        pts.append(gd_map(pts[-1], eta, y, m))
    return pts


def _norm(v: list[Any]) -> Any:
    return max((abs(x) for x in v), default=mp.zero)


def _newton(w: list[Any], k: int, eta: Any, y: Any, m: Any, dps: int) -> tuple[list[Any], Any]:
    """Newton on ``G^k(w) - w``; returns the point and ``|(M - I)^{-1}|`` (inf-norm)."""
    d = len(w)
    tol = mp.mpf(10) ** (-dps - GUARD // 2)
    last = mp.inf
    for _ in range(100):
        pts = _iterate(w, k, eta, y, m)
        f = [a - b for a, b in zip(pts[-1], w, strict=True)]
        jm = jacobian_product(pts[:-1], eta, y, m) - mp.eye(d)
        try:
            step = mp.lu_solve(jm, mp.matrix([-x for x in f]))
        except ZeroDivisionError:
            raise PrecisionError(
                f"period-{k} orbit: M - I is singular (a multiplier equals 1: the orbit is not isolated or at a fold)"
            ) from None
        w = [a + step[i] for i, a in enumerate(w)]
        size = _norm(step)
        if not all(mp.isfinite(x) for x in w) or _norm(w) > mp.mpf(10) ** 50:
            raise PrecisionError(f"period-{k} orbit: Newton diverged")
        if size <= tol * (1 + _norm(w)):
            break
        if size > 1e3 * last and last < 1e-3:
            break
        last = size
    else:
        raise PrecisionError(f"period-{k} orbit: Newton did not converge (last step {mpmath.nstr(size, 3)})")
    pts = _iterate(w, k, eta, y, m)
    jm = jacobian_product(pts[:-1], eta, y, m) - mp.eye(d)
    try:
        inv = mp.inverse(jm)
    except ZeroDivisionError:
        raise PrecisionError(
            f"period-{k} orbit: Newton ended where M - I is singular (a fixed point of a smaller period, or a "
            "manifold of orbits)"
        ) from None
    inv_norm = max(mp.fsum(abs(inv[i, j]) for j in range(d)) for i in range(d))
    return w, inv_norm


def _project_minimum(w: list[Any], y: Any, dps: int) -> list[Any]:
    """Minimum-norm Newton steps on ``pi(w) = y``."""
    d = len(w)
    tol = mp.mpf(10) ** (-dps - GUARD // 2)
    for _ in range(200):
        g = [mp.fprod(w[j] for j in range(d) if j != i) for i in range(d)]
        r = mp.fprod(w) - y
        n2 = mp.fsum(x * x for x in g)
        if n2 == 0:
            raise PrecisionError("period-1 orbit: the gradient of the product vanishes (a saddle, not a minimiser)")
        w = [a - r * gi / n2 for a, gi in zip(w, g, strict=True)]
        if abs(r) <= tol * abs(y):
            return w
    raise PrecisionError(f"period-1 orbit: projection onto pi = y did not converge (residual {mpmath.nstr(r, 3)})")


def _canonical(points: list[list[Any]]) -> list[list[Any]]:
    key = max(range(len(points)), key=lambda j: (mp.fprod(points[j]), *points[j]))
    return points[key:] + points[:key]


def find_orbit(
    weights: Any,
    eta: Any,
    period: int | None = None,
    *,
    target: Any = 1,
    scale: Any = 1,
    dps: int | None = 50,
    seed: str = "auto",
    steps: int = 20_000,
    max_period: int = 64,
) -> Orbit:
    """Find a periodic orbit of the GD map to ``dps`` digits.

    Parameters
    ----------
    weights : sequence of reals
        A start: GD from it is run to detect an attracting cycle, or (``seed``)
        a point near the orbit, or a balanced point.
    eta : real, positive
        Step size.
    period : int, optional
        The period ``k``; None takes the period of GD's attracting cycle.
    target, scale : real
        ``L = scale/2 (pi - target)^2``.
    dps : int or None
        Digits of the result (None: 15 digits, floats in ``as_dict``).
    seed : ``"auto"``, ``"gd"``, ``"start"`` or ``"balanced"``
        ``"gd"``: a point of the cycle GD settles on; ``"start"``: Newton from
        ``weights`` itself (for unstable orbits: pass a point near one);
        ``"balanced"``: ``weights`` balanced, the orbit of the balanced map near
        ``|w_1|``; ``"auto"``: ``"start"`` if ``weights`` nearly satisfies
        ``G^k(w) = w``, else ``"gd"`` if GD's cycle has period ``k``, else
        ``"balanced"`` for balanced weights, else ``"start"``.
    steps, max_period : int
        Budget of the float64 GD run and the largest period it looks for.

    Returns
    -------
    Orbit

    Raises
    ------
    InvalidArgument
        Bad input, or no attracting cycle to take the period from.
    PrecisionError
        Newton fails, the residual cannot be verified, or the orbit found has a
        smaller minimal period than ``period``.

    Examples
    --------
    >>> orb = find_orbit([1.05, 1.05], 1.1, dps=20)
    >>> orb.period, orb.stable
    (2, True)
    >>> orb.as_dict()["points"][0]
    ['1.1160629714523046301', '1.1160629714523046301']
    """
    from .._validate import check_eta, check_scale, check_target, check_weights

    out_dps = check_dps(dps)
    wq = check_weights(weights)
    eq, yq, mq = check_eta(eta), check_target(target), check_scale(scale)
    if period is not None and (isinstance(period, bool) or not isinstance(period, int) or period < 1):
        raise InvalidArgument(f"period must be a positive integer or None, got period={period!r}")
    if seed not in ("auto", "gd", "start", "balanced"):
        raise InvalidArgument(f"seed must be 'auto', 'gd', 'start' or 'balanced', got seed={seed!r}")
    w_f = np.array([float(x) for x in wq])
    e_f, y_f, m_f = float(eq), float(yq), float(mq)
    if period is None or seed in ("gd", "auto"):
        cycle = detect_cycle(w_f, e_f, target=y_f, scale=m_f, steps=steps, max_period=max_period)
    else:
        cycle = None
    if period is None:
        if cycle is None:
            raise InvalidArgument(
                f"GD from {w_f.tolist()} with eta={e_f} settles on no cycle of period <= {max_period} within "
                f"{steps} steps (divergent, chaotic, slow, or heading to a saddle); pass period= and a start near "
                "the orbit"
            )
        period = cycle[0]
    k = period
    if seed == "gd" and (cycle is None or cycle[0] != k):
        got = "no cycle" if cycle is None else f"a period-{cycle[0]} cycle"
        raise InvalidArgument(f"GD from the start settles on {got}, not period {k}; use seed='start' or 'balanced'")
    if seed == "balanced" and not is_balanced(w_f, y_f):
        raise InvalidArgument("seed='balanced' needs balanced weights (equal |w_i|, sign of pi equal to sign of y)")
    if seed == "auto":
        modes = ["start"] if _nearly_periodic(wq, eq, yq, mq, k) else []
        if (cycle is not None and cycle[0] == k) or (k == 1 and not modes):
            modes.append("gd")  # for period 1: GD's limit, extrapolated even where float64 GD is too slow
        if is_balanced(w_f, y_f):
            modes.append("balanced")
        if "start" not in modes:
            modes.append("start")
    else:
        modes = [seed]
    failures = []
    for n, mode in enumerate(modes):
        try:  # a start tried first because it is nearly periodic must give an orbit near it
            orb = _solve(mode, wq, eq, yq, mq, k, cycle, out_dps, near=n < len(modes) - 1 and mode == "start")
        except PrecisionError as exc:
            if len(modes) == 1:
                raise
            failures.append(f"{mode}: {exc}")
            continue
        return orb
    raise PrecisionError(f"period-{k} orbit not found from any seed ({'; '.join(failures)})")


SEED_NOTES = {
    "start": "Newton from the given weights (an orbit through or near them)",
    "gd": "the cycle GD from the given weights settles on",
    "balanced": "the balanced orbit of the one-dimensional map a -> a - eta m (a^D - |y|) a^(D-1) near |w_1|",
}


def _nearly_periodic(wq: list[Any], eq: Any, yq: Any, mq: Any, k: int) -> bool:
    """True if ``|G^k(w) - w| <= 1e-2 (1 + |w|)``: the user gave (nearly) a point of a period-``k`` orbit."""
    from .._exact import to_mpf

    with mp.workdps(30):
        w = [to_mpf(x) for x in wq]
        e, y, m = to_mpf(eq), to_mpf(yq), to_mpf(mq)
        if k == 1:
            g = [mp.fprod(w[j] for j in range(len(w)) if j != i) for i in range(len(w))]
            return bool(abs(mp.fprod(w) - y) * mp.sqrt(mp.fsum(x * x for x in g)) <= 1e-2 * abs(y))
        z = _iterate(w, k, e, y, m)[-1]
        if not all(mp.isfinite(x) for x in z):
            return False
        return bool(_norm([a - b for a, b in zip(z, w, strict=True)]) <= 1e-2 * (1 + _norm(w)))


def _solve(
    mode: str, wq: list[Any], eq: Any, yq: Any, mq: Any, k: int, cycle: Any, out_dps: int | None, *, near: bool
) -> Orbit:
    from .._exact import to_mpf

    work = (out_dps or 15) + GUARD
    with mp.workdps(work):
        e, y, m = to_mpf(eq), to_mpf(yq), to_mpf(mq)
        start = [to_mpf(x) for x in wq]
        d = len(start)
        note = SEED_NOTES[mode]
        limit_found = False
        if mode == "gd" and k == 1:
            try:  # GD's own limit to the requested digits, not the float64 one projected
                lim = gd_limit(wq, eq, target=yq, scale=mq, dps=work - GUARD + 4, max_steps=200_000)
                w = [mp.mpf(x) for x in lim.weights]
                limit_found = True
                note = (
                    "the minimiser GD from the given weights converges to (its limit, extrapolated in high precision)"
                )
            except ScalarEOSError as exc:
                if cycle is None or cycle[0] != 1:
                    raise PrecisionError(f"period 1: GD's limit could not be computed ({exc})") from None
                w = [mp.mpf(float(x)) for x in cycle[1]]
                note = "the minimiser nearest GD's float64 limit (GD converges too slowly to extrapolate its limit)"
        elif mode == "gd":
            w = [mp.mpf(float(x)) for x in cycle[1]]
        elif mode == "balanced":
            signs = [1 if x > 0 else -1 for x in wq]
            a = balanced_orbit(abs(start[0]), e, d, k, target=y, scale=m, dps=work - GUARD)[0]
            w = [s * a for s in signs]
        else:
            w = list(start)
        if k == 1:
            if not limit_found:
                w = _project_minimum(w, y, work - GUARD)
                if mode != "gd":
                    note = "the minimiser reached from the given weights by minimum-norm Newton steps on pi = y"
            g = [mp.fprod(w[j] for j in range(d) if j != i) for i in range(d)]
            error_bound = abs(mp.fprod(w) - y) / mp.sqrt(mp.fsum(x * x for x in g))
            isolated = False
        else:
            w, inv_norm = _newton(w, k, e, y, m, work - GUARD)
            isolated = True
        pts = _iterate(w, k, e, y, m)
        residual = _norm([a - b for a, b in zip(pts[-1], w, strict=True)])
        if k > 1:
            error_bound = inv_norm * residual
        scale_w = 1 + _norm(w)
        for j in range(1, k):
            if (
                k % j == 0
                and _norm([a - b for a, b in zip(pts[j], w, strict=True)])
                <= mp.mpf(10) ** (-(work - GUARD) // 2) * scale_w
            ):
                raise PrecisionError(
                    f"Newton converged to an orbit of minimal period {j}, not {k}; start nearer a period-{k} orbit"
                )
        limit = mp.mpf(10) ** (-(out_dps or 15) - 2) * (1 + _norm(w))
        if not (residual <= limit and error_bound <= limit):
            raise PrecisionError(
                f"period-{k} orbit: residual {mpmath.nstr(residual, 3)}, error bound {mpmath.nstr(error_bound, 3)} "
                f"exceed {mpmath.nstr(limit, 3)}"
            )
        points = _canonical(pts[:-1])
        distance = min(_norm([a - b for a, b in zip(p, start, strict=True)]) for p in points)
        if near and distance > mp.mpf("1e-2") * (1 + _norm(start)):
            raise PrecisionError(f"Newton from the start went to an orbit at distance {mpmath.nstr(distance, 3)}")
        mult = floquet_multipliers(points, e, y, m)
        if k == 1:  # the D - 1 multipliers 1 along the manifold of minimisers are left out
            psi = m * mp.fsum(x * x for x in [mp.fprod(w[j] for j in range(d) if j != i) for i in range(d)])
            decisive = abs(1 - e * psi)
        else:
            decisive = max(abs(x) for x in mult)
        neutral = abs(decisive - 1) <= mp.mpf(10) ** (-(out_dps or 15) + 3)
        return Orbit(
            period=k,
            points=points,
            multipliers=mult,
            stable=bool(decisive < 1 and not neutral),
            residual=residual,
            error_bound=error_bound,
            isolated=isolated,
            eta=e,
            target=y,
            scale=m,
            dps=out_dps,
            seed=mode,
            seed_note=note,
            distance_to_start=distance,
            neutral=bool(neutral),
        )

"""Bifurcations of GD as the step size grows: attractors, the first period doubling, its amplitude.

Every minimiser ``w*`` (``pi = y``) is a fixed point of the GD map for every
``eta``; its Floquet multipliers are ``1`` (``D - 1`` times, along the manifold
of minimisers) and ``1 - eta m |grad pi(w*)|^2``.  Along this branch the first
period doubling is where a multiplier crosses ``-1``,

.. math::

    \\eta_c = \\frac{2}{m\\,|\\nabla\\pi(w^*)|^2} = \\frac{2}{\\psi(w^*)},

and for balanced weights ``psi = psi_min = m D |y|^{2 - 2/D}`` (the flattest
minimiser).  :func:`period_doubling_threshold` finds the root of
``mu(eta) = -1`` numerically (mpmath ``findroot`` on the eigenvalues of the
Jacobian) and reports the formula next to it.

Past the threshold, on the balanced line ``a -> f(a) = a - eta m (a^D - |y|)
a^(D-1)``, write ``f(a* + u) - a* = -(1 + mu) u + A u^2 + B u^3 + ...`` with
``mu = eta psi_min - 2``.  The flip normal form gives a period-2 orbit
``a* + c +- delta`` with

.. math::

    \\delta = K \\sqrt{\\mu} + O(\\mu),\\qquad K = (A^2 + B)^{-1/2}
    \\quad (\\text{stable, supercritical, when } A^2 + B > 0),

evaluated at ``eta = eta_c`` (:func:`amplitude_coefficient`).  This is the
``(eta lambda* - 2)^(1/2)`` law of the supercritical regime with its constant.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from mpmath import mp

from . import fast
from ._validate import check_dps
from .errors import InvalidArgument, ScalarEOSError
from .orbits import GUARD, balanced_map, jacobian_product

__all__ = [
    "amplitude_coefficient",
    "attractor_values",
    "period_doubling",
    "period_doubling_threshold",
    "plot_bifurcation",
]


def attractor_values(
    etas: Any,
    starts: Any,
    *,
    target: float = 1.0,
    scale: float = 1.0,
    transient: int = 2000,
    keep: int = 64,
) -> dict[str, np.ndarray]:
    """The product ``pi`` on GD's attractor for every step size and start (float64, batched).

    Parameters
    ----------
    etas : sequence of positive reals
    starts : array (S, D)
        Starting weights (one row per start).
    transient, keep : int
        Steps discarded, then steps recorded.

    Returns
    -------
    dict
        ``"eta"`` and ``"product"``: flat arrays of the recorded points
        (``len(etas) * S * keep``, NaN for diverged runs), ``"diverged"`` the
        fraction of runs that left the float64 range.

    Examples
    --------
    >>> out = attractor_values([0.9, 1.1], [[1.05, 1.05]], keep=4)
    >>> sorted(set(np.round(out["product"][out["eta"] == 0.9], 9).tolist()))
    [1.0]
    >>> len(set(np.round(out["product"][out["eta"] == 1.1], 9)))
    2
    """
    e = np.asarray(etas, dtype=float).reshape(-1)
    w0 = np.atleast_2d(np.asarray(starts, dtype=float))
    if e.size == 0 or not np.all(np.isfinite(e)) or np.any(e <= 0):
        raise InvalidArgument("etas must be a non-empty sequence of positive finite step sizes")
    if w0.ndim != 2 or w0.shape[0] == 0 or not np.all(np.isfinite(w0)):
        raise InvalidArgument("starts must be a finite array of shape (S, D)")
    for name, v in (("transient", transient), ("keep", keep)):
        if isinstance(v, bool) or not isinstance(v, int) or v < (0 if name == "transient" else 1):
            raise InvalidArgument(f"{name} must be a {'non-negative' if name == 'transient' else 'positive'} integer")
    n_s = w0.shape[0]
    rows = np.repeat(e, n_s)
    big = np.tile(w0, (e.size, 1))
    warm = fast.gd(big, rows, transient, target=target, scale=scale, track=())["weights"]
    rec = fast.gd(warm, rows, keep - 1, target=target, scale=scale, track=("product",))
    prod = rec["product"]  # (keep, N)
    bad = ~np.all(np.isfinite(warm), axis=1)
    prod[:, bad] = np.nan
    return {
        "eta": np.tile(rows, (keep, 1)).T.reshape(-1),
        "product": prod.T.reshape(-1),
        "diverged": np.array(float(np.mean(bad))),
    }


def period_doubling_threshold(
    depth: int | None = None,
    *,
    fixed_point: Any = None,
    target: Any = 1,
    scale: Any = 1,
    dps: int = 50,
) -> dict[str, Any]:
    """First period doubling along the fixed-point branch: root of ``mu(eta) = -1``.

    Parameters
    ----------
    depth : int, optional
        Balanced branch ``w* = (|y|^(1/D), ...)`` (sign fixed so that ``pi = y``).
    fixed_point : sequence of reals, optional
        Any minimiser instead (``pi(w*) = y`` is checked).
    dps : int
        Working digits.

    Returns
    -------
    dict
        ``eta`` (the root, mpf), ``formula`` (``2/psi(w*)``), ``difference``,
        ``sharpness`` (``psi(w*)``), ``multiplier_at_root``.

    Examples
    --------
    >>> r = period_doubling_threshold(3, dps=30)
    >>> mp.nstr(r["eta"], 20), mp.nstr(r["formula"], 20)
    ('0.66666666666666666667', '0.66666666666666666667')
    """
    from ._exact import to_mpf
    from ._validate import check_scale, check_target, check_weights

    dps = check_dps(dps) or 15
    yq, mq = check_target(target), check_scale(scale)
    with mp.workdps(dps + GUARD):
        y, m = to_mpf(yq), to_mpf(mq)
        if fixed_point is None:
            if isinstance(depth, bool) or not isinstance(depth, int) or depth < 1:
                raise InvalidArgument(f"depth must be a positive integer (or pass fixed_point=), got {depth!r}")
            a = abs(y) ** (mp.mpf(1) / depth)
            w = [a] * depth
            if y < 0:
                w[0] = -a
        else:
            w = [to_mpf(x) for x in check_weights(fixed_point)]
            if abs(mp.fprod(w) - y) > mp.mpf(10) ** (-dps) * (1 + abs(y)):
                raise InvalidArgument("fixed_point must be a minimiser (product equal to the target)")
        d = len(w)
        grad_pi = [mp.fprod(w[j] for j in range(d) if j != i) for i in range(d)]
        psi = m * mp.fsum(x * x for x in grad_pi)
        if psi == 0:
            raise InvalidArgument("the fixed point has zero sharpness: no period doubling")

        def mu_min(eta: Any) -> Any:
            ev = mp.eigsy(jacobian_product([w], eta, y, m), eigvals_only=True)  # J is symmetric
            return min(ev[i] for i in range(d))

        root = mp.findroot(lambda e: mu_min(e) + 1, (mp.mpf(1) / psi, mp.mpf(3) / psi), solver="anderson")
        formula = 2 / psi
        return {
            "eta": root,
            "formula": formula,
            "difference": abs(root - formula),
            "sharpness": psi,
            "multiplier_at_root": mu_min(root),
            "fixed_point": w,
        }


def amplitude_coefficient(depth: int, *, target: Any = 1, scale: Any = 1, dps: int = 30) -> dict[str, Any]:
    """Normal-form constant ``K`` in ``delta ~ K (eta psi_min - 2)^(1/2)`` on the balanced line.

    ``delta`` is half the distance between the two balanced period-2 points
    (in the coordinate ``a = |w_i|``).

    Examples
    --------
    >>> k = amplitude_coefficient(2)
    >>> mp.nstr(k["K"], 15)   # D = 2, y = 1: A = -3, B = -1, K = 1/sqrt(8)
    '0.353553390593274'
    """
    from ._exact import to_mpf
    from ._validate import check_scale, check_target

    dps = check_dps(dps) or 15
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 1:
        raise InvalidArgument(f"depth must be a positive integer, got {depth!r}")
    yq, mq = check_target(target), check_scale(scale)
    with mp.workdps(dps + GUARD):
        y, m = abs(to_mpf(yq)), to_mpf(mq)
        a = y ** (mp.mpf(1) / depth)
        psi = m * depth * a ** (2 * depth - 2)
        eta_c = 2 / psi
        f = lambda x: balanced_map(x, eta_c, depth, y, m)  # noqa: E731
        f1, f2, f3 = (mp.diff(f, a, n) for n in (1, 2, 3))
        big_a, big_b = f2 / 2, f3 / 6
        c = big_a**2 + big_b
        return {
            "K": 1 / mp.sqrt(c) if c > 0 else mp.nan,
            "A": big_a,
            "B": big_b,
            "slope_at_threshold": f1,
            "supercritical": bool(c > 0),
            "eta_c": eta_c,
        }


def plot_bifurcation(
    path: str,
    *,
    depth: int = 2,
    target: float = 1.0,
    etas: Any = None,
    starts: Any = None,
    transient: int = 3000,
    keep: int = 64,
    thresholds: bool = True,
) -> str:
    """Bifurcation diagram: ``pi`` on GD's attractor against ``eta`` (matplotlib).

    Default: balanced and slightly unbalanced starts near the minimum, ``eta``
    from ``0.8 eta_c`` to ``1.33 eta_c`` with ``eta_c = 2/psi_min``; the first
    period doubling ``eta_c`` is marked, and with ``thresholds`` the doublings
    of the balanced 2- and 4-cycles (:func:`period_doubling`, 15 digits).
    """
    from ._optional import pyplot

    plt = pyplot()
    psi = float(depth * abs(target) ** (2 - 2 / depth))
    eta_c = 2 / psi
    if etas is None:
        etas = np.linspace(0.8 * eta_c, 1.33 * eta_c, 600)
    if starts is None:
        a = abs(target) ** (1 / depth)
        starts = [[a * 1.05] * depth, [a * (1.05 + 0.02 * (i % 2)) for i in range(depth)]]
    out = attractor_values(etas, starts, target=target, transient=transient, keep=keep)
    fig, ax = plt.subplots(figsize=(8, 5))
    ax.plot(out["eta"], out["product"], ",", color="k", alpha=0.6)
    ax.axvline(eta_c, color="tab:red", ls="--", lw=1, label=f"eta_c = 2/psi_min = {eta_c:.4g}")
    if thresholds:
        lo, hi = float(np.min(etas)), float(np.max(etas))
        a = abs(target) ** (1 / depth)
        start = [repr(a * 1.02)] * depth
        if target < 0:
            start[0] = "-" + start[0]
        guess = eta_c * 1.1
        for k, color in ((2, "tab:blue"), (4, "tab:green")):
            try:
                e_k = float(period_doubling(start, repr(guess), period=k, target=target, dps=15)["eta"])
            except ScalarEOSError:
                break  # the cascade is not followed further; the marks already drawn are exact
            if lo <= e_k <= hi:
                ax.axvline(e_k, color=color, ls=":", lw=1, label=f"period {k} -> {2 * k} at eta = {e_k:.6g}")
            guess = e_k * 1.01
    ax.set_xlabel("step size eta")
    ax.set_ylabel("product pi on the attractor")
    ax.set_title(f"GD on a depth-{depth} scalar network: period doubling")
    ax.legend(loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def _critical(mults: list[Any]) -> Any:
    """The multiplier nearest to -1."""
    return min(mults, key=lambda x: abs(x + 1))


def period_doubling(
    weights: Any,
    eta: Any,
    period: int = 2,
    *,
    target: Any = 1,
    scale: Any = 1,
    dps: int = 30,
    seed: str = "auto",
) -> dict[str, Any]:
    """The step size where a period-``k`` orbit's multiplier crosses ``-1``, along any branch.

    The orbit through (or reached from) ``weights`` at step size ``eta`` is
    followed in ``eta`` (secant steps on ``mu(eta) + 1`` for the multiplier
    ``mu`` nearest ``-1``, the orbit re-solved by Newton at each step), then
    the threshold is polished by Newton on the augmented system

    .. math::

        G^k(w; \\eta) - w = 0, \\qquad \\det\\big(M(w; \\eta) + I\\big) = 0

    in the ``D + 1`` unknowns ``(w, eta)`` (Jacobian by central differences
    at twice the working precision).  The two estimates must agree.

    For ``period=1`` the branch is the minimiser ``w*`` the orbit search
    returns (a fixed point for every ``eta``) and the threshold is the root
    of ``mu(eta) = -1`` with the formula ``eta = 2/psi(w*) = 2/(m |grad pi(w*)|^2)``
    next to it.  For a balanced orbit the one-dimensional map's own threshold
    (root of ``(f^k)'(a_0) = -1`` along its ``k``-cycle) is reported too, and
    equals the result when the critical multiplier is the balanced one.

    Parameters
    ----------
    weights : sequence of reals
        A point on or near the orbit, or a start GD runs from (as :func:`scalar_eos.orbits.find_orbit`).
    eta : real, positive
        A step size where the period-``k`` orbit exists (on the branch to follow).
    period : int
    target, scale : real
    dps : int
        Digits of the threshold.
    seed : str
        As :func:`scalar_eos.orbits.find_orbit`.

    Returns
    -------
    dict
        ``eta`` (mpf), ``period``, ``points`` (the orbit at the threshold), ``multipliers``,
        ``critical_multiplier`` (``-1`` to the digits computed), ``secant_eta``
        (the continuation's estimate), ``difference`` (between the two), ``formula``
        (``2/psi(w*)`` for ``period=1``, the one-dimensional threshold for a balanced
        orbit, else None) and ``formula_difference``.

    Examples
    --------
    >>> r = period_doubling(["1.05", "1.05"], "1.1", period=2, dps=20)
    >>> mp.nstr(r["eta"], 15), mp.nstr(r["formula"], 15)   # D = 2: sqrt(5) - 1
    ('1.23606797749979', '1.23606797749979')
    """
    from ._exact import to_mpf
    from ._validate import check_eta
    from .errors import PrecisionError
    from .orbits import find_orbit, floquet_multipliers, gd_map

    dps = check_dps(dps) or 15
    if isinstance(period, bool) or not isinstance(period, int) or period < 1:
        raise InvalidArgument(f"period must be a positive integer, got period={period!r}")
    orb = find_orbit(weights, eta, period, target=target, scale=scale, dps=dps + 10, seed=seed)
    k = period
    work = dps + 10 + GUARD
    with mp.workdps(work):
        y, m = orb.target, orb.scale
        if k == 1:
            w_star = [+x for x in orb.points[0]]
            r = period_doubling_threshold(fixed_point=w_star, target=target, scale=scale, dps=dps + 10)
            return {
                "eta": r["eta"],
                "period": 1,
                "points": [w_star],
                "multipliers": floquet_multipliers([w_star], r["eta"], y, m),
                "critical_multiplier": r["multiplier_at_root"],
                "secant_eta": r["eta"],
                "difference": mp.zero,
                "formula": r["formula"],
                "formula_difference": r["difference"],
            }

        def orbit_at(e: Any, w: list[Any]) -> Any:
            return find_orbit(w, e, k, target=target, scale=scale, dps=dps + 10, seed="start")

        def g(o: Any) -> Any:
            return mp.re(_critical(o.multipliers)) + 1

        e0, o0 = to_mpf(check_eta(eta)), orb
        g0 = g(o0)
        e1, o1, g1 = _follow(orbit_at, g, e0, o0, e0 * mp.mpf("1e-3") * (1 if g0 < 0 else -1))
        for _ in range(200):
            if abs(g1) <= mp.mpf(10) ** (-(dps // 2)):
                break
            slope = (g1 - g0) / (e1 - e0)
            if slope == 0:
                raise PrecisionError(f"period doubling: the multiplier does not move with eta near eta={e1}")
            step = -g1 / slope
            step = max(min(step, e1 * mp.mpf("0.02")), -e1 * mp.mpf("0.02"))
            e0, o0, g0 = e1, o1, g1
            e1, o1, g1 = _follow(orbit_at, g, e0, o0, step)
        else:
            raise PrecisionError(f"period doubling: the continuation did not reach mu = -1 (last mu + 1 = {g1})")
        secant = e1
        d = len(o1.points[0])

        def augmented(x: list[Any]) -> list[Any]:
            w, e = x[:d], x[d]
            z = w
            pts = []
            for _ in range(k):
                pts.append(z)
                z = gd_map(z, e, y, m)
            mono = jacobian_product(pts, e, y, m) + mp.eye(d)
            return [a - b for a, b in zip(z, w, strict=True)] + [mp.det(mono)]

        x = [*o1.points[0], e1]
        tol = mp.mpf(10) ** (-dps - 5)
        for _ in range(40):
            with mp.workdps(2 * work):
                fx = augmented(x)
                h = mp.mpf(10) ** (-work)
                jac = mp.matrix(d + 1, d + 1)
                for j in range(d + 1):
                    up, dn = list(x), list(x)
                    up[j] += h
                    dn[j] -= h
                    fu, fd = augmented(up), augmented(dn)
                    for i in range(d + 1):
                        jac[i, j] = (fu[i] - fd[i]) / (2 * h)
                dx = mp.lu_solve(jac, mp.matrix([-v for v in fx]))
                x = [a + dx[i] for i, a in enumerate(x)]
            if max(abs(dx[i]) for i in range(d + 1)) <= tol * (1 + max(abs(v) for v in x)):
                break
        else:
            raise PrecisionError("period doubling: Newton on the augmented system did not converge")
        e_c = x[d]
        pts = [x[:d]]
        for _ in range(k - 1):
            pts.append(gd_map(pts[-1], e_c, y, m))
        mults = floquet_multipliers(pts, e_c, y, m)
        crit = _critical(mults)
        if abs(crit + 1) > mp.mpf(10) ** (-dps) or abs(e_c - secant) > mp.mpf(10) ** (-(dps // 2) + 2) * e_c:
            raise PrecisionError(
                f"period doubling: augmented Newton gave eta={mp.nstr(e_c, 12)} with multiplier "
                f"{mp.nstr(crit, 12)}, continuation {mp.nstr(secant, 12)}"
            )
        formula = None
        a = [abs(v) for v in pts[0]]
        if max(a) - min(a) <= mp.mpf(10) ** (-dps) * max(a):
            formula = _balanced_threshold(a[0], e_c, d, k, abs(y), m)
        return {
            "eta": e_c,
            "period": k,
            "points": pts,
            "multipliers": mults,
            "critical_multiplier": crit,
            "secant_eta": secant,
            "difference": abs(e_c - secant),
            "formula": formula,
            "formula_difference": None if formula is None else abs(formula - e_c),
        }


def _follow(orbit_at: Any, g: Any, e0: Any, o0: Any, step: Any) -> tuple[Any, Any, Any]:
    """One continuation step in eta from the orbit ``o0``, halved until Newton stays on the branch."""
    from .errors import PrecisionError, ScalarEOSError

    w0 = o0.points
    size = 1 + max(abs(x) for p in w0 for x in p)
    for _ in range(30):
        try:
            o1 = orbit_at(e0 + step, w0[0])
        except ScalarEOSError:
            step /= 2
            continue
        # the new orbit must be the continuation of the old one: same points up to a small move
        jump = max(abs(a - b) for a, b in zip(o1.points[0], w0[0], strict=True))
        if jump <= mp.mpf("0.05") * size:
            return e0 + step, o1, g(o1)
        step /= 2
    raise PrecisionError(f"period doubling: the branch cannot be followed past eta={mp.nstr(e0, 12)} (a fold?)")


def _balanced_threshold(a0: Any, eta: Any, depth: int, k: int, y: Any, m: Any) -> Any:
    """Root in ``eta`` of ``(f^k)'(a_0) = -1`` along the ``k``-cycle ``a_0`` of the one-dimensional map."""

    def f(a: Any, e: Any) -> Any:
        return balanced_map(a, e, depth, y, m)

    def fp(a: Any, e: Any) -> Any:
        return 1 - e * m * (2 * depth - 1) * a ** (2 * depth - 2) + e * m * y * (depth - 1) * a ** (depth - 2)

    def system(a: Any, e: Any) -> list[Any]:
        z, der = a, mp.one
        for _ in range(k):
            der *= fp(z, e)
            z = f(z, e)
        return [z - a, der + 1]

    _, e = mp.findroot(system, (a0, eta), tol=mp.mpf(10) ** (-2 * mp.dps + 10), verify=False)
    return e

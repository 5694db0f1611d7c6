"""GD map, its Jacobian product and the balanced one-dimensional map (see :mod:`scalar_eos.orbits`)."""

from __future__ import annotations

from typing import Any

import mpmath  # noqa: F401  (used by the doctests)
from mpmath import mp

GUARD = 12


# ----------------------------------------------------------------------------- maps


def gd_map(w: list[Any], eta: Any, target: Any = 1, scale: Any = 1) -> list[Any]:
    """One GD step in mpmath at the current working precision.

    Examples
    --------
    >>> [float(x) for x in gd_map([1, 3], mpmath.mpf("0.1"))]
    [0.4, 2.8]
    """
    d = len(w)
    others = [mp.fprod(w[j] for j in range(d) if j != i) for i in range(d)]
    r = mp.fprod(w) - target
    return [w[i] - eta * scale * r * others[i] for i in range(d)]


def _hessian(w: list[Any], target: Any, scale: Any) -> Any:
    d = len(w)
    g = [mp.fprod(w[j] for j in range(d) if j != i) for i in range(d)]
    r = mp.fprod(w) - target
    h = mp.matrix(d, d)
    for i in range(d):
        for j in range(d):
            p = mp.zero if i == j else mp.fprod(w[q] for q in range(d) if q not in (i, j))
            h[i, j] = scale * (g[i] * g[j] + r * p)
    return h


def jacobian_product(points: list[list[Any]], eta: Any, target: Any = 1, scale: Any = 1) -> Any:
    """``M = J(w_{k-1}) ... J(w_0)`` with ``J = I - eta Hess L`` (mpmath matrix).

    Examples
    --------
    >>> m = jacobian_product([[mpmath.mpf(1), mpmath.mpf(1)]], mpmath.mpf("0.5"))
    >>> [float(x) for x in mpmath.eig(m, left=False, right=False)]
    [0.0, 1.0]
    """
    d = len(points[0])
    m = mp.eye(d)
    for w in points:
        m = (mp.eye(d) - eta * _hessian(w, target, scale)) * m
    return m


def balanced_map(a: Any, eta: Any, depth: int, target: Any = 1, scale: Any = 1) -> Any:
    """The GD map on the balanced line, ``a -> a - eta m (a^D - |y|) a^(D-1)``.

    Examples
    --------
    >>> float(balanced_map(mpmath.mpf(2), mpmath.mpf("0.1"), 2))
    1.4
    """
    return a - eta * scale * (a**depth - abs(target)) * a ** (depth - 1)


def _charpoly(a: Any) -> list[Any]:
    """Coefficients ``[1, c_1, ..., c_n]`` of ``det(x I - A)`` (Faddeev-LeVerrier)."""
    n = a.rows
    coeffs = [mp.one]
    mk = mp.zeros(n, n)
    for k in range(1, n + 1):
        mk = a * mk
        for i in range(n):
            mk[i, i] += coeffs[-1]
        am = a * mk
        coeffs.append(-mp.fsum(am[i, i] for i in range(n)) / k)
    return coeffs


def floquet_multipliers(points: list[list[Any]], eta: Any, target: Any = 1, scale: Any = 1) -> list[Any]:
    """Eigenvalues of the monodromy matrix of the orbit ``points``, by decreasing modulus.

    The product of the Jacobians is symmetric when they commute (every fixed
    point, every balanced orbit): then the symmetric eigensolver is used; else
    the QR algorithm, retried with more digits, and as a last resort the roots
    of the characteristic polynomial.  Multipliers whose imaginary part is at
    rounding level are returned as reals.

    Examples
    --------
    >>> [float(x) for x in floquet_multipliers([[mpmath.mpf(1)] * 5], mpmath.mpf("0.3"))]
    [1.0, 1.0, 1.0, 1.0, -0.5]
    """
    m = jacobian_product(points, eta, target, scale)
    n = m.rows
    norm = max(abs(m[i, j]) for i in range(n) for j in range(n))
    asym = max(abs(m[i, j] - m[j, i]) for i in range(n) for j in range(n))
    tiny = mp.mpf(10) ** (-mp.dps + GUARD // 2)
    ev: list[Any] | None = None
    if asym <= tiny * (1 + norm):
        sym = (m + m.T) / 2
        vals = mp.eigsy(sym, eigvals_only=True)
        ev = [vals[i] for i in range(n)]
    else:
        for extra in (0, mp.dps, 3 * mp.dps):
            try:
                with mp.extradps(extra):
                    vals = mp.eig(m, left=False, right=False)
                ev = [+v for v in vals]
                break
            except RuntimeError:
                continue
        if ev is None:
            with mp.extradps(2 * mp.dps):
                ev = [+v for v in mp.polyroots(_charpoly(m), maxsteps=400, extraprec=4 * mp.prec)]
    mult = [x.real if abs(x.imag) <= tiny * (1 + abs(x)) else x for x in (mp.mpc(v) for v in ev)]
    mult.sort(key=lambda x: (-abs(x), -mp.re(x)))
    return mult

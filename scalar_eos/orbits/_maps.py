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

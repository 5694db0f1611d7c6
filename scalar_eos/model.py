"""The scalar network: loss, gradient, Hessian and sharpness at a point.

Canonical model (see :mod:`scalar_eos.canonical` for data sets):

.. math::

    L(w) = \\tfrac{m}{2}(\\pi(w) - y)^2,\\qquad \\pi(w) = \\prod_{i=1}^D w_i,

    \\partial_i L = m\\, r \\prod_{k\\ne i} w_k,\\qquad
    \\nabla^2 L = m\\,(\\nabla\\pi\\nabla\\pi^\\top + r\\,\\nabla^2\\pi),\\qquad r = \\pi - y .

All quantities are computed from the exact rational value of the inputs; with
``dps=None`` the result is rounded to float64 (NumPy arrays for vectors and
matrices), with ``dps=n`` it is an mpmath number (lists / ``mp.matrix``)
with at least ``n`` correct significant digits.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import mpmath
import numpy as np
from mpmath import mp

from . import _exact
from ._validate import check_dps, check_scale, check_target, check_weights
from .errors import PrecisionError

__all__ = ["grad", "hessian", "loss", "product", "sharpness"]


@dataclass(frozen=True)
class Point:
    """Exact data of a point (private to the reference layer)."""

    w: list[Fraction]
    target: Fraction
    scale: Fraction

    @property
    def depth(self) -> int:
        return len(self.w)

    @property
    def product(self) -> Fraction:
        return _exact.fraction_product(self.w)

    @property
    def residual(self) -> Fraction:
        return self.product - self.target


def point(w: Any, target: Any = 1, scale: Any = 1) -> Point:
    """Validate and convert public arguments to an exact :class:`Point`."""
    return Point(check_weights(w), check_target(target), check_scale(scale))


def output(x: Fraction | mpmath.mpf, dps: int | None, name: str) -> Any:
    """Deliver a scalar: float64 (checked range) or mpf at ``dps + guard`` digits."""
    if dps is None:
        return _exact.to_float(x, name)
    if isinstance(x, Fraction):
        with mp.workdps(_exact.working_dps(dps)):
            return _exact.to_mpf(x)
    return x


def exact_loss(p: Point) -> Fraction:
    r = p.residual
    return p.scale * r * r / 2


def exact_grad(p: Point) -> list[Fraction]:
    r = p.residual
    return [p.scale * r * g for g in _exact.products_except_one(p.w)]


def exact_hessian(p: Point) -> list[list[Fraction]]:
    w, d, r, m = p.w, p.depth, p.residual, p.scale
    g = _exact.products_except_one(w)
    zeros = [i for i, x in enumerate(w) if x == 0]
    pi = p.product
    h = [[Fraction(0)] * d for _ in range(d)]
    for i in range(d):
        for j in range(i, d):
            if i == j:
                val = g[i] * g[i]
            else:
                if not zeros:
                    pij = pi / (w[i] * w[j])
                elif set(zeros) <= {i, j}:
                    pij = _exact.fraction_product([w[k] for k in range(d) if k not in (i, j)])
                else:
                    pij = Fraction(0)
                val = g[i] * g[j] + r * pij
            h[i][j] = h[j][i] = m * val
    return h


def top_eigenvalue(h: list[list[Fraction]], dps: int | None, name: str = "sharpness") -> Any:
    """Largest eigenvalue of an exact symmetric matrix."""
    d = len(h)
    if d == 1:
        return output(h[0][0], dps, name)
    if dps is None:
        arr = np.array([[_exact.to_float(x, "Hessian entry") if x else 0.0 for x in row] for row in h])
        return float(np.linalg.eigvalsh(arr)[-1])
    with mp.workdps(_exact.working_dps(dps)):
        if d == 2:
            a, b, c = (_exact.to_mpf(v) for v in (h[0][0], h[0][1], h[1][1]))
            return (a + c) / 2 + mp.sqrt(((a - c) / 2) ** 2 + b * b)
        mat = mp.matrix([[_exact.to_mpf(x) for x in row] for row in h])
        ev = mp.eigsy(mat, eigvals_only=True)
        return max(ev[i] for i in range(d))


def loss(w: Any, *, target: Any = 1, scale: Any = 1, dps: int | None = None) -> Any:
    """Squared loss :math:`\\tfrac{m}{2}(\\prod_i w_i - y)^2`.

    Parameters
    ----------
    w : sequence of real numbers
        Weights ``w_1..w_D`` (strings are read as exact decimals).
    target : real, non-zero
        Target ``y`` (canonical form, input ``x = 1``).
    scale : real, positive
        Input scale ``m = mean(x^2)`` (see :func:`scalar_eos.reduce_data`).
    dps : int or None
        None for a float64 result, ``n`` for an mpmath number with ``n`` digits.

    Examples
    --------
    >>> loss([1.0, 3.0])
    2.0
    >>> loss(["0.1", "0.2"], target="0.5", dps=20)
    mpf('0.1152...')
    """
    dps = check_dps(dps)
    return output(exact_loss(point(w, target, scale)), dps, "loss")


def product(w: Any, *, dps: int | None = None) -> Any:
    """The network's product :math:`\\pi(w) = \\prod_i w_i`.

    Examples
    --------
    >>> product([2, -0.5, 3])
    -3.0
    """
    dps = check_dps(dps)
    return output(_exact.fraction_product(check_weights(w)), dps, "product")


def grad(w: Any, *, target: Any = 1, scale: Any = 1, dps: int | None = None) -> Any:
    """Gradient :math:`\\partial_i L = m\\,(\\pi - y)\\prod_{k\\ne i} w_k`.

    Returns a float64 array of shape ``(D,)`` or a list of mpf.

    Examples
    --------
    >>> grad([1.0, 3.0])
    array([6., 2.])
    """
    dps = check_dps(dps)
    g = exact_grad(point(w, target, scale))
    if dps is None:
        return np.array([_exact.to_float(x, f"gradient component {i + 1}") for i, x in enumerate(g)])
    return [output(x, dps, "gradient") for x in g]


def hessian(w: Any, *, target: Any = 1, scale: Any = 1, dps: int | None = None) -> Any:
    """Hessian :math:`m(\\nabla\\pi\\nabla\\pi^\\top + (\\pi - y)\\nabla^2\\pi)`.

    ``(\\nabla^2\\pi)_{ij} = \\prod_{k\\ne i,j} w_k`` off the diagonal, 0 on it.
    Returns a float64 array ``(D, D)`` or an ``mp.matrix``.

    Examples
    --------
    >>> hessian([1.0, 3.0])
    array([[9., 5.],
           [5., 1.]])
    """
    dps = check_dps(dps)
    h = exact_hessian(point(w, target, scale))
    if dps is None:
        return np.array([[_exact.to_float(x, "Hessian entry") for x in row] for row in h])
    with mp.workdps(_exact.working_dps(dps)):
        return mp.matrix([[_exact.to_mpf(x) for x in row] for row in h])


def sharpness(w: Any, *, target: Any = 1, scale: Any = 1, dps: int | None = None) -> Any:
    """Sharpness: the largest eigenvalue of the Hessian of the loss at ``w``.

    Examples
    --------
    >>> round(sharpness([1.0, 3.0]), 12)
    11.403124237433
    """
    dps = check_dps(dps)
    try:
        return top_eigenvalue(exact_hessian(point(w, target, scale)), dps)
    except PrecisionError as exc:
        raise PrecisionError(f"sharpness: {exc}") from None

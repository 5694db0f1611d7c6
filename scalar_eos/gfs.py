"""The gradient flow solution (GFS) and its sharpness, in any precision.

Under gradient flow every squared weight moves by one common shift,
``w_i(t)^2 = w_i(0)^2 + c(t)``.  When the flow ends at a global minimiser
``s`` the shift :math:`c^*` is the unique root in :math:`(-\\min_i w_i^2,\\infty)` of

.. math::

    \\prod_{i=1}^D (w_i^2 + c) = y^2,

and the GFS sharpness is :math:`\\psi(w) = m\\,y^2 \\sum_i 1/(w_i^2 + c^*)`.

Numerics.  With ``q_i = w_i^2``, ``d_i = q_i - \\min q`` (exact rationals) and
``u = \\log(\\min q + c)``, the root solves the convex increasing equation

.. math::

    F(u) = \\sum_i \\log(d_i + e^u) - \\log y^2 = 0,\\qquad 1 \\le F'(u) \\le D,

so Newton's method started at the upper bound :math:`u_0 = \\log(y^2)/D`
decreases monotonically to the root, and the residual bounds the error in
``u`` directly (``F' >= 1``).  The solution's squares ``d_i + e^u`` and
:math:`\\psi` are sums of positive terms (no cancellation); the shift
:math:`c^* = e^u - \\min q` is refined by Newton in ``c`` on
``sum log1p(c/q_i) = log1p((y^2 - pi^2)/pi^2)`` (exact right-hand side) when
it is small, so it too has full relative accuracy.

Signs and saddles follow THEORY.md section 2: if ``pi/y < 0`` the weight of
smallest magnitude changes sign; if that magnitude is attained two or more
times GF ends at a saddle (``kind == "saddle"``).  A single zero weight with
``pi = 0`` takes the sign of ``y * prod(other weights)``; two or more zero
weights are a saddle already.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal

import mpmath
from mpmath import mp

from . import _exact
from ._validate import check_dps
from .errors import PrecisionError
from .model import Point, output, point

__all__ = ["GFS", "exact_psi", "gfs", "gfs_sharpness", "psi", "psi_min"]

_MAX_NEWTON = 400


@dataclass(frozen=True)
class GFS:
    """Where gradient flow from a point ends.

    Attributes
    ----------
    solution : tuple
        The limit point ``s`` of gradient flow (floats, or mpf with ``dps``).
    shift : float or mpf
        The common shift :math:`c^*` with ``s_i^2 = w_i^2 + c^*``.
    sharpness : float or mpf
        Largest Hessian eigenvalue at ``s``; at a minimiser this is the GFS
        sharpness :math:`\\psi(w)`.
    kind : ``"minimum"`` or ``"saddle"``
        Whether GF ends at a global minimiser or at a saddle point.
    flipped : int or None
        0-based index of the weight that changes sign along the flow, if any.
    """

    solution: tuple[Any, ...]
    shift: Any
    sharpness: Any
    kind: Literal["minimum", "saddle"]
    flipped: int | None = None


def _sign(x: Fraction) -> int:
    return (x > 0) - (x < 0)


def _solve_log_shift(d: list[Fraction], y: Fraction) -> mpmath.mpf:
    """Root ``u`` of ``sum log(d_i + e^u) = log y^2`` at the working precision."""
    dm = [_exact.to_mpf(x) for x in d]
    log_y2 = 2 * mp.log(abs(_exact.to_mpf(y)))
    n = len(dm)
    u = log_y2 / n
    eps = mp.mpf(2) ** (-mp.prec + 8)
    for _ in range(_MAX_NEWTON):
        e = mp.exp(u)
        logs = [mp.log(x + e) for x in dm]
        f = mp.fsum(logs) - log_y2
        fp = mp.fsum(e / (x + e) for x in dm)
        step = f / fp
        u -= step
        # Rounding noise of F is about eps * (sum |log| + |log y^2|); F' >= 1.
        noise = eps * (mp.fsum(abs(v) for v in logs) + abs(log_y2) + abs(u) + 1)
        if abs(step) <= noise:
            break
    else:  # pragma: no cover - Newton on a convex function from the right converges
        raise PrecisionError(f"GFS shift: Newton did not converge (last step {mpmath.nstr(step, 5)})")
    e = mp.exp(u)
    logs = [mp.log(x + e) for x in dm]
    residual = mp.fsum(logs) - log_y2
    # F'(u) >= 1, so |u - u*| <= |residual|: verify it at the working precision.
    bound = 4 * eps * (mp.fsum(abs(v) for v in logs) + abs(log_y2) + abs(u) + n)
    if not abs(residual) <= bound:
        raise PrecisionError(f"GFS shift: root residual {mpmath.nstr(residual, 5)} exceeds {mpmath.nstr(bound, 5)}")
    return u


def _refine_shift(c0: mpmath.mpf, q: list[Fraction], pi: Fraction, y: Fraction) -> mpmath.mpf:
    """Newton on ``sum log1p(c/q_i) = log1p((y^2 - pi^2)/pi^2)`` for a small shift."""
    delta = (y * y - pi * pi) / (pi * pi)
    if delta == 0:
        return mp.zero
    rhs = mp.log1p(_exact.to_mpf(delta))
    qm = [_exact.to_mpf(x) for x in q]
    c = c0
    for _ in range(50):
        h = mp.fsum(mp.log1p(c / x) for x in qm) - rhs
        hp = mp.fsum(1 / (x + c) for x in qm)
        step = h / hp
        c -= step
        if abs(step) <= mp.mpf(2) ** (-mp.prec + 4) * abs(c):
            break
    return c


def exact_gfs(p: Point) -> dict[str, Any]:
    """GFS at the current working precision (mpf values); ``p`` is exact."""
    w, y = p.w, p.target
    pi = p.product
    q = [x * x for x in w]
    qmin = min(q)
    d = [x - qmin for x in q]
    signs = [_sign(x) for x in w]
    ties = [i for i, x in enumerate(q) if x == qmin]
    direction = _sign(pi) * _sign(y)
    flipped: int | None = None
    if direction < 0 or (pi == 0 and len(ties) >= 2):
        if len(ties) >= 2:
            return _saddle(p, d, ties, signs, qmin)
        flipped = ties[0]
        signs[flipped] = -signs[flipped]
    elif pi == 0:  # exactly one zero weight
        flipped = ties[0]
        others = _exact.fraction_product([x for i, x in enumerate(w) if i != flipped])
        signs[flipped] = _sign(y * others)
    u = _solve_log_shift(d, y)
    e = mp.exp(u)
    squares = [_exact.to_mpf(x) + e for x in d]
    solution = tuple(s * mp.sqrt(x) for s, x in zip(signs, squares, strict=True))
    psi = _exact.to_mpf(p.scale * y * y) * mp.fsum(1 / x for x in squares)
    shift = e - _exact.to_mpf(qmin)
    if qmin > 0 and abs(shift) < _exact.to_mpf(qmin) / 2:
        shift = _refine_shift(shift, q, pi, y)
    return {"solution": solution, "shift": shift, "sharpness": psi, "kind": "minimum", "flipped": flipped}


def _saddle(p: Point, d: list[Fraction], ties: list[int], signs: list[int], qmin: Fraction) -> dict[str, Any]:
    """GF ends where the tied smallest weights reach zero together."""
    solution = tuple(
        mp.zero if i in ties else s * mp.sqrt(_exact.to_mpf(x)) for i, (s, x) in enumerate(zip(signs, d, strict=True))
    )
    if len(ties) == 2:
        # Hessian is m*r*P in entries (a,b),(b,a) only (r = -y): eigenvalues +-m|y P|.
        rest = _exact.fraction_product([x for i, x in enumerate(d) if i not in ties])
        top = _exact.to_mpf(p.scale * abs(p.target)) * mp.sqrt(_exact.to_mpf(rest))
    else:
        top = mp.zero  # three or more zeros: the Hessian vanishes
    return {"solution": solution, "shift": -_exact.to_mpf(qmin), "sharpness": top, "kind": "saddle", "flipped": None}


def gfs(w: Any, *, target: Any = 1, scale: Any = 1, dps: int | None = None) -> GFS:
    """Gradient flow solution of ``w``: limit point, shift, sharpness and kind.

    Parameters
    ----------
    w : sequence of real numbers
        Weights (strings are exact decimals, floats their exact binary value).
    target : real, non-zero
        Target ``y``.
    scale : real, positive
        Input scale ``m``; multiplies the sharpness, leaves the solution alone.
    dps : int or None
        None: float64 results.  ``n``: mpf results with at least ``n`` correct
        significant digits (computed with guard digits; the root residual is
        verified; the global precision is left unchanged).

    Returns
    -------
    GFS

    Examples
    --------
    >>> r = gfs([0.5, 3.0])
    >>> r.kind, round(r.sharpness, 12)
    ('minimum', 8.975661535508)
    >>> gfs([1, -1]).kind
    'saddle'
    """
    dps = check_dps(dps)
    p = point(w, target, scale)
    with mp.workdps(_exact.working_dps(dps)):
        raw = exact_gfs(p)
        if dps is None:
            return GFS(
                solution=tuple(
                    _exact.to_float(x, f"GFS solution component {i + 1}") for i, x in enumerate(raw["solution"])
                ),
                shift=_exact.to_float(raw["shift"], "GFS shift"),
                sharpness=_exact.to_float(raw["sharpness"], "GFS sharpness"),
                kind=raw["kind"],
                flipped=raw["flipped"],
            )
        return GFS(
            solution=tuple(raw["solution"]),
            shift=raw["shift"],
            sharpness=raw["sharpness"],
            kind=raw["kind"],
            flipped=raw["flipped"],
        )


def gfs_sharpness(w: Any, *, target: Any = 1, scale: Any = 1, dps: int | None = None) -> Any:
    """GFS sharpness :math:`\\psi(w) = m\\,y^2\\sum_i 1/(w_i^2 + c^*)`.

    At a point whose flow ends at a saddle this is the sharpness at the saddle
    (use :func:`gfs` to see the kind), which differs from the formula; :func:`psi`
    gives the formula everywhere.

    Examples
    --------
    >>> round(gfs_sharpness([1.0, 1.0]), 12)
    2.0
    >>> gfs_sharpness([2, 0.5], dps=30) > 2
    True
    """
    return gfs(w, target=target, scale=scale, dps=dps).sharpness


def exact_psi(p: Point) -> mpmath.mpf:
    """:func:`psi` on an exact point, at the working precision."""
    q = [x * x for x in p.w]
    qmin = min(q)
    d = [x - qmin for x in q]
    e = mp.exp(_solve_log_shift(d, p.target))  # e = min w^2 + c* > 0
    return _exact.to_mpf(p.scale * p.target * p.target) * mp.fsum(1 / (_exact.to_mpf(x) + e) for x in d)


def psi(w: Any, *, target: Any = 1, scale: Any = 1, dps: int | None = None) -> Any:
    """The function :math:`\\psi(w) = m\\,y^2\\sum_i 1/(w_i^2 + c^*)` of the squares, wherever GF ends.

    ``c*`` is the root of :math:`\\prod_i (w_i^2 + c) = y^2` in :math:`(-\\min_i w_i^2, \\infty)`.  Where gradient
    flow from ``w`` ends at a minimiser this is the GFS sharpness (:func:`gfs_sharpness`); where it ends at a
    saddle (the smallest magnitude attained twice with ``pi/y < 0``, or two zero weights) it is *not* a
    sharpness: the sharpness there is the saddle's top Hessian eigenvalue.  The lemmas in ``proofs/`` and the
    one-step claims are statements about this function (the convention for saddle landings).

    Examples
    --------
    >>> round(psi([0.3, -0.3]), 12)  # GF ends at the saddle 0, whose sharpness is 1
    2.0
    >>> round(gfs_sharpness([0.3, -0.3]), 12)
    1.0
    >>> round(psi([1.0, 1.0]), 12) == round(gfs_sharpness([1.0, 1.0]), 12)
    True
    """
    dps = check_dps(dps)
    pt = point(w, target, scale)
    with mp.workdps(_exact.working_dps(dps)):
        return output(exact_psi(pt), dps, "psi")


def psi_min(depth: int, *, target: Any = 1, scale: Any = 1, dps: int | None = None) -> Any:
    """Smallest possible GFS sharpness :math:`m D |y|^{2 - 2/D}` (balanced weights).

    Examples
    --------
    >>> psi_min(2)
    2.0
    >>> round(psi_min(3, target=8), 12)
    48.0
    """
    from ._validate import check_int, check_scale, check_target

    dps = check_dps(dps)
    depth = check_int(depth, "depth", 1)
    y, m = check_target(target), check_scale(scale)
    with mp.workdps(_exact.working_dps(dps)):
        val = _exact.to_mpf(m * depth) * abs(_exact.to_mpf(y)) ** (2 - mp.mpf(2) / depth)
        return output(val, dps, "psi_min") if dps is None else val

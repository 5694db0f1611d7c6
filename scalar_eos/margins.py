r"""How much one GD step decreases the GFS sharpness, with relative accuracy near ties.

The *margin* of a step is the relative decrease of the GFS sharpness,

.. math::

    \mu(w, \eta) = \frac{\psi(w) - \psi(\mathrm{GD}(w))}{\psi(w)},

positive when the step decreases :math:`\psi`.  Subtracting two float64 values of
:math:`\psi` leaves an absolute error of about :math:`10^{-16}`, so margins of
:math:`10^{-12}` and below (nearly balanced weights, tiny steps, weights spanning
many decades) come out as noise.  :func:`step_margin` keeps them accurate.

Normalise ``v = |w| / |y|^{1/D}`` and ``q_i = v_i^2``; the GD step acts on the
squares as :math:`q_i \to q_i - 2a + a^2/q_i` with
:math:`a = \eta |y|^{2-2/D} \rho(\rho - 1)`, :math:`\rho = \pi(w)/y`.  The
common shift :math:`-2a` is absorbed by the gradient flow, so with
:math:`x_i = q_i + c^*` (:math:`\prod_i x_i = 1`) and :math:`x'_i` the same
for the squares :math:`q_i + a^2/q_i`:

.. math::

    \psi \propto \sum_i \frac{1}{x_i}, \qquad
    x'_i - x'_k = (q_i - q_k)\Bigl(1 - \frac{a^2}{q_i q_k}\Bigr).

Write :math:`x'_i = x_i (1 + t_i)`; the constraint is
:math:`\sum_i \log(1 + t_i) = 0` and the change of :math:`\psi` is, exactly,

.. math::

    \sum_i \frac{1}{x'_i} - \sum_i \frac{1}{x_i}
    = \sum_i \frac{t_i\,(x'_i - x'_k)}{x'_i x'_k}
      - \frac{1}{x'_k} \sum_i \bigl(t_i - \log(1 + t_i)\bigr),

where every difference :math:`q_i - q_k = (|w_i| - |w_k|)(|w_i| + |w_k|)/|y|^{2/D}`
is formed from the weights without cancellation and the :math:`t_i` solve the
constraint as small quantities (Newton on :math:`\sum \log1p`).  Each term is
then accurate to a few ulp *of itself*, so the margin's error is a few ulp of
the size of the terms, not of :math:`\psi`.  :func:`step_margin` returns that
error bound with each margin; :func:`exact_margin` decides a margin from the
exact inputs at 50 digits or more (for the few rows where it matters).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, NamedTuple

import mpmath
import numpy as np
from mpmath import mp

from . import fast
from .errors import InvalidArgument, PrecisionError
from .onestep import OneStep, one_step

__all__ = ["StepMargin", "exact_margin", "float_steps", "step_margin"]

_EPS = np.finfo(float).eps
_SPLIT = 134217729.0  # 2^27 + 1 (Dekker)
_NEWTON = 60
_REFINE = 12


class StepMargin(NamedTuple):
    """Float64 margins of one GD step, with an error bound per row.

    ``margin`` is the relative decrease ``(psi - psi_after) / psi`` (> 0: decreased);
    ``error`` bounds its absolute error (a few ulp of the terms it is summed from);
    ``first_order`` is the first-order decrease (always >= 0, relative to psi,
    NaN where not computed),

    .. math::

        \\frac{a^2}{2 \\psi^2} \\sum_{i,j} \\frac{(q_i - q_j)^2}{x_i^2 x_j^2 q_i q_j},

    so ``margin / first_order`` near 0 marks a step where the higher-order terms
    nearly cancel the first-order decrease (a genuinely tight point, unlike a
    nearly balanced one where both are tiny);
    ``accurate`` is False for rows where the difference form could not be used
    (a zero weight, a sign change that sends a square to 0, values outside the
    float64 range): there ``margin`` is the plain difference of two float64
    values of psi and ``error`` is a rough estimate, ``1e-3 (1 + |margin|)`` (the float64
    step itself may cancel); rows with non-finite input are NaN.
    """

    margin: np.ndarray
    error: np.ndarray
    accurate: np.ndarray
    first_order: np.ndarray


def _two_prod(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``a * b = p + e`` exactly (Dekker's product without FMA)."""
    p = a * b
    ca, cb = _SPLIT * a, _SPLIT * b
    ah = ca - (ca - a)
    bh = cb - (cb - b)
    al, bl = a - ah, b - bh
    e = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    return p, e


def _product_dd(W: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The row products of ``W`` as unevaluated sums ``hi + lo`` (about 30 correct digits)."""
    hi = W[:, 0].copy()
    lo = np.zeros_like(hi)
    for j in range(1, W.shape[1]):
        p, e = _two_prod(hi, W[:, j])
        hi, lo = p, e + lo * W[:, j]
        s = hi + lo  # renormalise
        lo = lo - (s - hi)
        hi = s
    return hi, lo


def _solve_unit_product(gap: np.ndarray) -> np.ndarray:
    """``m > 0`` with ``prod_i (gap_i + m) = 1`` per row of ``gap`` (N, D), all gaps >= 0.

    Newton on the convex increasing ``F(u) = sum_i log(gap_i + e^u)`` from an
    upper bound of the root (monotone convergence).  NaN where it fails.
    """
    n, depth = gap.shape
    pos = gap > 0
    with np.errstate(divide="ignore"):
        others = np.sum(np.where(pos, np.log(np.where(pos, gap, 1.0)), 0.0), axis=1)
    u = np.where(np.sum(pos, axis=1) == depth - 1, np.minimum(0.0, -others), 0.0)
    out = np.full(n, np.nan)
    todo = np.arange(n)
    for _ in range(_NEWTON):
        m = np.exp(u)
        x = gap[todo] + m[:, None]
        logs = np.log(x)
        f = np.sum(logs, axis=1)
        fp = m * np.sum(1.0 / x, axis=1)
        # rounding noise of f: a few ulp of the sum of |log x_i| (F' >= 1 turns it into the error of u)
        done = np.abs(f) <= 4 * _EPS * (depth + np.abs(u) + np.sum(np.abs(logs), axis=1))
        out[todo[done]] = m[done]
        bad = ~np.isfinite(f) | ~np.isfinite(fp)
        keep = ~done & ~bad
        todo, u = todo[keep], (u - f / fp)[keep]
        if not todo.size:
            break
    return out


def step_margin(W: Any, eta: Any, *, target: Any = 1.0) -> StepMargin:
    """Relative decrease of the GFS sharpness after one GD step, for every row of ``W``.

    Parameters
    ----------
    W : array_like, shape (N, D)
        Weights, one point per row.
    eta : float or array (N,)
        Step sizes (canonical: input scale 1).
    target : float or array (N,)
        Targets ``y != 0``.

    Returns
    -------
    StepMargin
        ``margin`` (N,), ``error`` (N,) and ``accurate`` (N,).

    Examples
    --------
    >>> r = step_margin([[1.2, 1.2000001, 1.1999998]], 0.05)
    >>> float(r.margin[0])  # the difference of two float64 psi values gives 2.96e-16
    1.70788515...e-16
    >>> bool(r.error[0] < 1e-20)
    True
    """
    w = np.asarray(W, dtype=float)
    if w.ndim != 2 or w.shape[1] < 1:
        raise InvalidArgument(f"W must have shape (N, D), got shape {w.shape}")
    n, depth = w.shape
    e = np.broadcast_to(np.asarray(eta, dtype=float), (n,)).copy()
    y = np.broadcast_to(np.asarray(target, dtype=float), (n,)).copy()
    margin = np.full(n, np.nan)
    error = np.full(n, np.nan)
    first = np.full(n, np.nan)
    accurate = np.zeros(n, dtype=bool)
    finite = np.all(np.isfinite(w), axis=1) & np.isfinite(e) & (e > 0) & np.isfinite(y) & (y != 0)
    if depth == 1:
        margin[finite], error[finite], accurate[finite], first[finite] = 0.0, 0.0, True, 0.0
        return StepMargin(margin, error, accurate, first)
    with np.errstate(all="ignore"):
        good = finite & np.all(w != 0, axis=1)
        idx = np.flatnonzero(good)
        if idx.size:
            mg, er, f1 = _difference_form(w[idx], e[idx], y[idx])
            ok = np.isfinite(mg) & np.isfinite(er)
            margin[idx[ok]], error[idx[ok]], accurate[idx[ok]], first[idx[ok]] = mg[ok], er[ok], True, f1[ok]
        rest = np.flatnonzero(finite & ~accurate)
        if rest.size:
            before = fast.gfs_sharpness(w[rest], target=y[rest])
            after = fast.gfs_sharpness(fast.gd_step(w[rest], e[rest], target=y[rest]), target=y[rest])
            margin[rest] = (before - after) / before
            error[rest] = 1e-3 * (1.0 + np.abs(margin[rest]))
    return StepMargin(margin, error, accurate, first)


def _difference_form(w: np.ndarray, eta: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n, depth = w.shape
    rows = np.arange(n)
    s2 = np.abs(y) ** (2.0 / depth)  # |y|^(2/D)
    absw = np.abs(w)
    q = absw * absw / s2[:, None]
    hi, lo = _product_dd(w)
    rho = hi / y
    rho_m1 = ((hi - y) + lo) / y  # Sterbenz: hi - y is exact where it cancels
    a = eta * (y * y / s2) * rho * rho_m1
    a2 = a * a

    def diff_q(k: np.ndarray) -> np.ndarray:  # q_i - q_k without cancellation, (N, D)
        ak = absw[rows, k][:, None]
        return (absw - ak) * (absw + ak) / s2[:, None]

    kmin = np.argmin(absw, axis=1)
    gap = diff_q(kmin)
    m = _solve_unit_product(gap)
    x = gap + m[:, None]  # x_i = q_i + c*, prod x = 1
    psi = np.sum(1.0 / x, axis=1)

    qa = q + a2[:, None] / q  # squares after the step, up to the common shift
    k = np.argmin(qa, axis=1)
    for _ in range(3):  # the reference k must be the true minimum of the squares after the step
        dq = diff_q(k)
        qk = q[rows, k][:, None]
        raw = dq * (1.0 - a2[:, None] / (q * qk))  # x'_i - x'_k, each accurate to a few ulp of itself
        j = np.argmin(raw, axis=1)
        neg = raw[rows, j] < 0
        if not np.any(neg):
            break
        k = np.where(neg, j, k)
    dafter = np.maximum(raw, 0.0)
    h = -dq * a2[:, None] / (q * qk)  # (x'_i - x_i) - (x'_k - x_k)
    m2 = _solve_unit_product(dafter)
    xa = dafter + m2[:, None]
    # x'_k - x_k, refined as a small quantity: start from the linearisation when the step is small
    lin0 = -np.sum(h / x, axis=1) / psi
    small0 = np.max(np.abs((lin0[:, None] + h) / x), axis=1) < 1e-3
    eps_k = np.where(small0, lin0, xa[rows, k] - x[rows, k])
    for _ in range(_REFINE):
        t = (eps_k[:, None] + h) / x
        g = np.sum(np.log1p(t), axis=1)
        gp = np.sum(1.0 / (x * (1.0 + t)), axis=1)
        corr = g / gp
        eps_k = eps_k - corr
        if not np.any(np.abs(corr) > 4 * _EPS * np.abs(eps_k)):
            break
    t = (eps_k[:, None] + h) / x
    big = ~(np.max(np.abs(t), axis=1) < 0.5)  # large steps (or NaN): t from the direct solution
    t = np.where(big[:, None], xa / x - 1.0, t)
    xa = np.where(big[:, None], xa, x * (1.0 + t))
    xk = xa[rows, k][:, None]
    lin = t * dafter / (xa * xk)
    # rounding of the factor 1 - a^2/(q_i q_k) when two weights nearly collide after the step
    # and of h (a few ulp of |h|, which may exceed |t| x when x'_k - x_k cancels it)
    # (it enters through t_i (x'_i - x'_k) for small steps, through the solved x' for large ones)
    rounding = np.abs(dq) * (a2[:, None] / (q * qk))
    collide = rounding * np.where(big[:, None], 1.0 / (xa * xa) + 1.0 / (xk * xk), np.abs(t) / (xa * xk))
    collide += np.abs(h) / x * dafter / (xa * xk)
    small = np.abs(t) < 0.1
    tt = np.where(small, t, 0.0)
    series = np.zeros_like(t)  # t - log1p(t) = sum_{j >= 2} (-1)^j t^j / j
    for j in range(24, 1, -1):
        series = series * tt + (1.0 if j % 2 == 0 else -1.0) / j
    quad = np.where(small, series * tt * tt, t - np.log1p(t))
    change = np.sum(lin, axis=1) - np.sum(quad, axis=1) / xk[:, 0]
    size = np.sum(np.abs(lin) + collide, axis=1) + np.sum(np.abs(quad), axis=1) / xk[:, 0]
    bad = ~np.all(1.0 + t > 0, axis=1) | ~np.isfinite(psi) | (psi <= 0)
    margin = np.where(bad, np.nan, -change / psi) + 0.0  # no -0.0
    # Each term carries a few ulp of itself (x, t, the differences: O(D) roundings each).
    err = 32.0 * depth * _EPS * (size / psi + np.abs(margin))
    pair = (absw[:, :, None] - absw[:, None, :]) * (absw[:, :, None] + absw[:, None, :]) / s2[:, None, None]
    inv = 1.0 / (x * x * q)
    first = a2 / (2 * psi * psi) * np.einsum("nij,ni,nj->n", pair * pair, inv, inv)
    return margin, err, first


def exact_margin(w: Any, eta: Any, *, target: Any = 1, dps: int = 50) -> mpmath.mpf:
    """The margin decided from the exact inputs, with at least ``dps`` correct digits.

    Inputs are read exactly (floats by their binary value, strings as decimals);
    both GFS sharpnesses come from :func:`scalar_eos.onestep.one_step`'s exact
    step and the mpmath reference, at a precision raised until the *margin
    itself* carries ``dps`` significant digits (a margin of ``1e-80`` needs
    psi to 140 digits).  Returns the mpf (exactly 0 when psi is unchanged to
    more than 960 digits, e.g. balanced weights).

    Examples
    --------
    >>> from mpmath import mp
    >>> with mp.workdps(60):
    ...     print(mpmath.nstr(exact_margin([1.2, 1.2000001, 1.1999998], 0.05), 10))
    1.707885153e-16
    """
    if isinstance(dps, bool) or not isinstance(dps, int) or dps < 1:
        raise InvalidArgument(f"dps must be a positive integer, got {dps!r}")
    wp = dps + 40
    value = mp.zero
    for _ in range(8):
        step = one_step(w, eta, target=target, dps=wp)
        with mp.workdps(wp + 20):
            before, after = mp.mpf(step.gfs_before), mp.mpf(step.gfs_after)
            value = (before - after) / before
        if value == 0:
            if step.relation == "unchanged":  # equal to more than 960 digits
                return value
            wp *= 2
            continue
        need = dps + 10 + max(0, -int(mpmath.floor(mpmath.log10(abs(value)))))
        if need <= wp:
            return value
        wp = need
    raise PrecisionError(f"margin not decided to {dps} digits at {wp} digits (|margin| < 1e-{wp - dps})")


def float_steps(W: Any, eta: Any, *, target: Any = 1.0) -> list[OneStep | None]:
    """Float64 stand-ins for :func:`scalar_eos.onestep.one_step`, one per row (None where not finite).

    ``gfs_before`` is the float64 psi as an mpf and ``gfs_after`` is
    ``gfs_before * (1 - margin)`` at 40 digits, so comparisons between the
    two are right to the accuracy of :func:`step_margin` (not of a float64
    difference); ``relation`` is ``"unchanged"`` where the margin is within
    its error bound, ``digits`` is 16 and ``w_after`` is the float64 step
    (exact Fractions of its floats).  Use them to screen points cheaply and
    decide the interesting ones exactly.

    Examples
    --------
    >>> s = float_steps([[1.2, 1.2000001, 1.1999998]], 0.05)[0]
    >>> s.relation, float((s.gfs_before - s.gfs_after) / s.gfs_before)
    ('decreased', 1.70788515...e-16)
    """
    w = np.asarray(W, dtype=float)
    e = np.broadcast_to(np.asarray(eta, dtype=float), (w.shape[0],))
    y = float(target)
    m = step_margin(w, e, target=y)
    with np.errstate(all="ignore"):
        nxt = fast.gd_step(w, e, target=y)
        before = fast.gfs_sharpness(w, target=y)
        kinds_b = fast.gfs(w, target=y).kind
        kinds_a = fast.gfs(np.where(np.isfinite(nxt), nxt, 1.0), target=y).kind
    good = np.isfinite(m.margin) & np.isfinite(before) & np.all(np.isfinite(nxt), axis=1)
    nl, bl, ml, el = nxt.tolist(), before.tolist(), m.margin.tolist(), m.error.tolist()
    out: list[OneStep | None] = [None] * w.shape[0]
    with mp.workdps(40):
        for i in np.flatnonzero(good).tolist():
            b = mp.mpf(bl[i])
            a = b * (1 - mp.mpf(ml[i]))
            relation = "decreased" if ml[i] > el[i] else ("increased" if ml[i] < -el[i] else "unchanged")
            out[i] = OneStep(b, a, relation, 16, str(kinds_b[i]), str(kinds_a[i]), [Fraction(v) for v in nl[i]])
    return out  # type: ignore[return-value]

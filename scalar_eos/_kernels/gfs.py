"""Compiled GFS sharpness of one row: the closed forms, the polynomial and the log-domain Newton solve.

See :mod:`scalar_eos._kernels` for the arithmetic guarantees.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .shared import EPS, JIT, MAX_NEWTON, NONFINITE, NOT_CONVERGED, OK, POLY_MAX_DEPTH, RANGE, SADDLE

__all__ = ["gfs_row"]

_LN2 = math.log(2.0)


@njit(**JIT)
def _log_product(x, depth):
    """``log(prod x)`` via mantissas and exponents (``fast._gfs._log_product`` for one column)."""
    mp = 1.0
    ex = 0
    for i in range(depth):
        mant, e = math.frexp(x[i])
        mp = mp * mant if i > 0 else mant
        ex += e
    return math.log(mp) + ex * _LN2


@njit(**JIT)
def gfs_row(w, y, scale, sy, fac, warm, gap, coef, x):
    """GFS sharpness of one row, as ``fast.gfs_columns`` (``want_solution=False``).

    ``sy = |y|^(1/D)`` and ``fac = scale * (|y|/sy)^2`` are precomputed by the
    caller (in NumPy, so that both engines use the same bits).  ``warm`` is a
    warm start for the normalised root (NaN for none; unused for ``D <= 2``,
    where the closed form ``psi = m * hypot(w_1^2 - w_2^2, 2y)`` is used as in
    the classifier).  Returns ``(psi, mprime, status)``; ``psi`` and
    ``mprime`` are NaN unless the status is OK.  ``gap``, ``coef`` (length
    D + 1) and ``x`` are scratch arrays.
    """
    depth = w.shape[0]
    for i in range(depth):
        if not math.isfinite(w[i]):
            return np.nan, np.nan, NONFINITE
    if depth == 2:
        a1 = abs(w[0])
        a2 = abs(w[1])
        psi = scale * math.hypot((a1 - a2) * (a1 + a2), 2.0 * y)
        if a1 == a2 and w[0] * w[1] * y <= 0:
            return np.nan, np.nan, SADDLE
        if not math.isfinite(psi):
            return np.nan, np.nan, RANGE
        return psi, np.nan, OK
    amin = np.inf
    zeros = 0
    negs = 0
    for i in range(depth):
        a = abs(w[i])
        if a < amin:
            amin = a
        zeros += w[i] == 0
        negs += w[i] < 0
    ties = 0
    gfin = True
    for i in range(depth):
        a = abs(w[i])
        ties += a == amin
        g = ((a - amin) / sy) * ((a + amin) / sy)
        gap[i] = g
        if not math.isfinite(g):
            gfin = False
    pi_sign = 0 if zeros > 0 else 1 - 2 * (negs % 2)
    direction = pi_sign * (1 if y > 0 else -1)
    if zeros >= 2 or (direction < 0 and ties >= 2):
        return np.nan, np.nan, SADDLE
    if not gfin:
        return np.nan, np.nan, RANGE
    if depth == 1:
        return scale, 1.0, OK
    return _psi_from_gap(depth, fac, warm, gap, coef, x)


@njit(**JIT)
def _psi_from_gap(depth, fac, warm, gap, coef, x):
    """Root of ``prod(gap_i + m) = 1`` (polynomial or log-domain Newton) and ``psi = fac * sum 1/(gap_i + m)``."""
    poly = depth <= POLY_MAX_DEPTH
    if poly:
        gmax = gap[0]
        for i in range(1, depth):
            if gap[i] > gmax:
                gmax = gap[i]
        poly = gmax < 1e30
    if poly:
        # elementary symmetric coefficients of prod_i (m + gap_i), highest power first
        coef[0] = 1.0
        ln = 1
        for i in range(depth):
            di = gap[i]
            last = di * coef[ln - 1]
            for k in range(ln - 1, 0, -1):
                coef[k] = coef[k] + di * coef[k - 1]
            coef[ln] = last
            ln += 1
        # q = coef[0:depth]; P(m) = m * Q(m)
        c0 = coef[depth - 1]
        c1 = coef[depth - 2] if depth > 1 else 0.0
        disc = math.sqrt(c0 * c0 + 4.0 * c1)
        if c1 > 0:
            m = 2.0 / (c0 + disc)
        elif c0 > 1.0:
            m = 1.0 / c0
        else:
            m = 1.0
        m = min(m, 1.0)
        if warm > 0:
            m = warm
        tol = 4 * depth * EPS
        for _ in range(MAX_NEWTON):
            qv = coef[0]
            qd = 0.0
            for k in range(1, depth):
                qd = qd * m + qv
                qv = qv * m + coef[k]
            p = m * qv
            dp = qv + m * qd
            r = p - 1.0
            if abs(r) <= tol:
                val = fac * (dp / p)
                if not math.isfinite(val) or not m > 1e-300:
                    return np.nan, np.nan, RANGE
                return val, m, OK
            m = m - r / dp
        return np.nan, np.nan, NOT_CONVERGED
    # log-domain Newton on F(u) = log prod(gap_i + e^u)
    npos = 0
    for i in range(depth):
        x[i] = gap[i] if gap[i] > 0 else 1.0
        npos += gap[i] > 0
    others = _log_product(x, depth)
    u = min(0.0, -others) if npos == depth - 1 else 0.0
    for _ in range(MAX_NEWTON):
        m = math.exp(u)
        inv = 0.0
        for i in range(depth):
            x[i] = gap[i] + m
        f = _log_product(x, depth)
        for i in range(depth):
            inv = inv + 1.0 / x[i] if i > 0 else 1.0 / x[0]
        if not math.isfinite(inv) or not math.isfinite(u):
            return np.nan, np.nan, RANGE
        if abs(f) <= 4 * EPS * (depth + abs(u)):
            mp_ = math.exp(u)
            val = fac * inv
            if not math.isfinite(val) or not mp_ > 1e-300:
                return np.nan, np.nan, RANGE
            return val, mp_, OK
        u = u - f / (m * inv)
    return np.nan, np.nan, NOT_CONVERGED

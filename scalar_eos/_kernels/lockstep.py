"""Compiled GFS sharpness of groups of rows whose Newton iterations run in lockstep (each row: ``gfs_row``'s bits).

See :mod:`scalar_eos._kernels` for the arithmetic guarantees.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .gfs import gfs_row
from .shared import EPS, JIT, MAX_NEWTON, NOT_CONVERGED, OK, POLY_MAX_DEPTH, RANGE

__all__ = ["gfs_group", "gfs_rows", "group_scratch"]


@njit(**JIT)
def _scan_row(w):
    """Smallest |w_i|, number of zero and of negative weights, and whether all are finite (one row)."""
    amin = np.inf
    zeros = 0
    negs = 0
    fin = True
    for i in range(w.shape[0]):
        wi = w[i]
        if not math.isfinite(wi):
            fin = False
        a = abs(wi)
        if a < amin:
            amin = a
        zeros += wi == 0
        negs += wi < 0
    return amin, zeros, negs, fin


@njit(**JIT)
def _start_shift(c0, c1):
    """Newton's starting shift from the two lowest coefficients of the shifted product (at most 1)."""
    disc = math.sqrt(c0 * c0 + 4.0 * c1)
    if c1 > 0:
        mj = 2.0 / (c0 + disc)
    elif c0 > 1.0:
        mj = 1.0 / c0
    else:
        mj = 1.0
    return min(mj, 1.0)


@njit(**JIT)
def _setup_small(wt, j, depth, syj, ypos, coef):
    """The setup of column ``j`` of :func:`gfs_group` for D = 3, 4, unrolled (the same operations as its loops).

    Fills ``coef[0:depth, j]`` (the coefficients Newton uses; the constant
    term, 0, is not needed) and returns True if the column is off the
    polynomial path (non-finite, a saddle, or gaps out of range).
    """
    w0 = wt[0, j]
    w1 = wt[1, j]
    w2 = wt[2, j]
    w3 = wt[3, j] if depth == 4 else 1.0
    if not (math.isfinite(w0) and math.isfinite(w1) and math.isfinite(w2) and math.isfinite(w3)):
        return True
    a0 = abs(w0)
    a1 = abs(w1)
    a2 = abs(w2)
    a3 = abs(w3)
    amin = min(a0, a1, a2)
    if depth == 4:
        amin = min(amin, a3)
    zeros = (w0 == 0) + (w1 == 0) + (w2 == 0)
    negs = (w0 < 0) + (w1 < 0) + (w2 < 0)
    ties = (a0 == amin) + (a1 == amin) + (a2 == amin)
    if depth == 4:
        zeros += w3 == 0
        negs += w3 < 0
        ties += a3 == amin
    if syj == 1.0:  # x / 1.0 == x exactly: the same bits without the divisions
        g0 = (a0 - amin) * (a0 + amin)
        g1 = (a1 - amin) * (a1 + amin)
        g2 = (a2 - amin) * (a2 + amin)
        g3 = (a3 - amin) * (a3 + amin)
    else:
        g0 = ((a0 - amin) / syj) * ((a0 + amin) / syj)
        g1 = ((a1 - amin) / syj) * ((a1 + amin) / syj)
        g2 = ((a2 - amin) / syj) * ((a2 + amin) / syj)
        g3 = ((a3 - amin) / syj) * ((a3 + amin) / syj)
    if depth == 3:
        g3 = 0.0
    pi_sign = 0 if zeros > 0 else 1 - 2 * (negs % 2)
    direction = pi_sign * (1 if ypos else -1)
    gfin = math.isfinite(g0) and math.isfinite(g1) and math.isfinite(g2) and math.isfinite(g3)
    if zeros >= 2 or (direction < 0 and ties >= 2) or not gfin or not max(max(g0, g1), max(g2, g3)) < 1e30:
        for k in range(depth):
            coef[k, j] = 1.0
        return True
    # coefficients of prod_i (m + g_i) as the loop builds them (x * 1.0 == x)
    c1 = g0 + g1
    c2 = g1 * g0
    c3 = g2 * c2
    c2 = c2 + g2 * c1
    c1 = c1 + g2
    coef[0, j] = 1.0
    if depth == 4:
        coef[3, j] = c3 + g3 * c2
        coef[2, j] = c2 + g3 * c1
        coef[1, j] = c1 + g3
    else:
        coef[2, j] = c2
        coef[1, j] = c1
    return False


@njit(**JIT)
def _newton_lanes(coef, depth, G, tol, m, rec, qv, qd, ratio, step, resid, val, mrec):
    """Newton on ``prod(m + gap_i) = 1`` for the ``G`` columns of ``coef`` at once, until each is accepted.

    Each step runs in two passes: the arithmetic for every column, branch-free
    (SIMD lanes; Horner unrolled for D = 3, 4), then the bookkeeping - a
    column keeps its first accepted iterate (``mrec``) and value (``val``)
    and stops moving; ``rec`` marks the accepted ones.  Shared by
    :func:`gfs_group` and :func:`gfs_rows` (the same bits as :func:`gfs_row`).
    """
    for _ in range(MAX_NEWTON):
        # the arithmetic of one Newton step for every column (no branches: SIMD lanes) ...
        if depth == 3 or depth == 4:  # Horner unrolled: the same operations as the loop over k below
            for j in range(G):
                mj = m[j]
                qvj = coef[0, j]
                qdj = 0.0 * mj + qvj
                qvj = qvj * mj + coef[1, j]
                qdj = qdj * mj + qvj
                qvj = qvj * mj + coef[2, j]
                if depth == 4:
                    qdj = qdj * mj + qvj
                    qvj = qvj * mj + coef[3, j]
                qv[j] = qvj
                qd[j] = qdj
        else:
            for j in range(G):
                qv[j] = coef[0, j]
                qd[j] = 0.0
            for k in range(1, depth):
                for j in range(G):
                    mj = m[j]
                    qd[j] = qd[j] * mj + qv[j]
                    qv[j] = qv[j] * mj + coef[k, j]
        for j in range(G):
            mj = m[j]
            p = mj * qv[j]
            dp = qv[j] + mj * qd[j]
            res = p - 1.0
            ratio[j] = dp / p  # times fac at the end: the same rounding steps
            step[j] = res / dp
            resid[j] = res
        # ... then the bookkeeping: a column keeps its first accepted iterate and stops moving
        left = 0
        for j in range(G):
            acc = abs(resid[j]) <= tol
            if acc and not rec[j]:
                val[j] = ratio[j]
                mrec[j] = m[j]
            if rec[j] or acc:
                rec[j] = True
            else:
                m[j] = m[j] - step[j]
                left += 1
        if left == 0:
            break


@njit(**JIT)
def gfs_group(wt, y, scale, sy, fac, warm, active, psi, mpr, stat, ws):
    """GFS sharpness of the active columns of ``wt`` (D, G), each as :func:`gfs_row` (warm start ``warm``).

    The setup is per column (scan, gaps and the coefficients of the shifted
    product in one pass over the weights; the cold starting shift only without
    a warm start); each Newton step of the polynomial path then runs across
    the group in two passes as in :func:`gfs_rows` - the arithmetic,
    branch-free (SIMD lanes), then the bookkeeping (a column keeps its first
    accepted iterate and stops moving) - so every column gets exactly
    :func:`gfs_row`'s bits.  Columns off the polynomial path go through
    :func:`gfs_row`.  ``ws`` is the tuple of work arrays made by :func:`group_scratch`.
    """
    depth, G = wt.shape
    coef, m, rec, spec, qv, qd, ratio, step, resid, val, mrec, col, sgap, scoef, sx = ws
    if depth <= 2 or depth > POLY_MAX_DEPTH:
        for j in range(G):
            if active[j]:
                for i in range(depth):
                    col[i] = wt[i, j]
                psi[j], mpr[j], stat[j] = gfs_row(col, y[j], scale[j], sy[j], fac[j], warm[j], sgap, scoef, sx)
        return
    for j in range(G):
        spec[j] = False
        rec[j] = True  # columns off the polynomial path take no part in the iteration
        m[j] = 1.0
        val[j] = np.nan
        mrec[j] = np.nan
        for k in range(depth):
            coef[k, j] = 1.0
        if not active[j]:
            continue
        if depth == 3 or depth == 4:
            if _setup_small(wt, j, depth, sy[j], y[j] > 0, coef):
                spec[j] = True
                continue
            wj = warm[j]
            m[j] = wj if wj > 0 else _start_shift(coef[depth - 1, j], coef[depth - 2, j])
            rec[j] = False
            continue
        amin = np.inf
        zeros = 0
        negs = 0
        fin = True
        for i in range(depth):
            wi = wt[i, j]
            if not math.isfinite(wi):
                fin = False
            a = abs(wi)
            if a < amin:
                amin = a
            zeros += wi == 0
            negs += wi < 0
        if not fin:
            spec[j] = True
            continue
        ties = 0
        gfin = True
        gmax = -np.inf
        syj = sy[j]
        # elementary symmetric coefficients of prod_i (m + gap_i), built as the gaps come
        coef[0, j] = 1.0
        for i in range(depth):
            ai = abs(wt[i, j])
            ties += ai == amin
            if syj == 1.0:  # x / 1.0 == x exactly: the same bits without two divisions
                gi = (ai - amin) * (ai + amin)
            else:
                gi = ((ai - amin) / syj) * ((ai + amin) / syj)
            if not math.isfinite(gi):
                gfin = False
            if gi > gmax:
                gmax = gi
            last = gi * coef[i, j]
            for k in range(i, 0, -1):
                coef[k, j] = coef[k, j] + gi * coef[k - 1, j]
            coef[i + 1, j] = last
        pi_sign = 0 if zeros > 0 else 1 - 2 * (negs % 2)
        direction = pi_sign * (1 if y[j] > 0 else -1)
        if zeros >= 2 or (direction < 0 and ties >= 2) or not gfin or not gmax < 1e30:
            spec[j] = True
            for k in range(depth):
                coef[k, j] = 1.0
            continue
        wj = warm[j]
        m[j] = wj if wj > 0 else _start_shift(coef[depth - 1, j], coef[depth - 2, j])
        rec[j] = False
    tol = 4 * depth * EPS
    _newton_lanes(coef, depth, G, tol, m, rec, qv, qd, ratio, step, resid, val, mrec)
    for j in range(G):
        if not active[j]:
            continue
        if spec[j]:
            for i in range(depth):
                col[i] = wt[i, j]
            psi[j], mpr[j], stat[j] = gfs_row(col, y[j], scale[j], sy[j], fac[j], warm[j], sgap, scoef, sx)
        elif not rec[j]:
            psi[j], mpr[j], stat[j] = np.nan, np.nan, NOT_CONVERGED
        else:
            v = fac[j] * val[j]
            if not math.isfinite(v) or not mrec[j] > 1e-300:
                psi[j], mpr[j], stat[j] = np.nan, np.nan, RANGE
            else:
                psi[j], mpr[j], stat[j] = v, mrec[j], OK


@njit(**JIT)
def group_scratch(depth, G):
    """Work arrays of :func:`gfs_group` for groups of ``G`` columns of depth ``depth``."""
    return (
        np.empty((depth + 1, G)), np.empty(G), np.empty(G, dtype=np.bool_), np.empty(G, dtype=np.bool_),
        np.empty(G), np.empty(G), np.empty(G), np.empty(G), np.empty(G), np.empty(G), np.empty(G),
        np.empty(depth), np.empty(depth), np.empty(depth + 1), np.empty(depth),
    )  # fmt: skip


@njit(**JIT)
def gfs_rows(W, y, scale, sy, fac, psi, status, group):
    """``fast.gfs_columns`` (cold start) on rows ``W`` (n, D) read in place, ``group`` rows at a time.

    The same bits as :func:`gfs_group` (and so as NumPy): the setup is per row
    and each Newton step of the polynomial path runs across the group in two
    passes - the arithmetic, branch-free (SIMD lanes; Horner unrolled for
    D = 3, 4), then the bookkeeping (a finished row keeps its iterate and its
    first accepted value).  ``y``, ``scale``, ``sy`` and
    ``fac`` may be broadcast (stride 0) views.  Rows off the polynomial path go
    through :func:`gfs_row`.
    """
    n, depth = W.shape
    col = np.empty(depth)
    sgap = np.empty(depth)
    scoef = np.empty(depth + 1)
    sx = np.empty(depth)
    if depth <= 2 or depth > POLY_MAX_DEPTH:
        for j in range(n):
            for i in range(depth):
                col[i] = W[j, i]
            psi[j], _, status[j] = gfs_row(col, y[j], scale[j], sy[j], fac[j], np.nan, sgap, scoef, sx)
        return
    G = group
    coef = np.empty((depth + 1, G))
    m = np.empty(G)
    val = np.empty(G)
    mrec = np.empty(G)
    qv = np.empty(G)
    qd = np.empty(G)
    ratio = np.empty(G)
    step = np.empty(G)
    resid = np.empty(G)
    rec = np.empty(G, dtype=np.bool_)
    spec = np.empty(G, dtype=np.bool_)
    tol = 4 * depth * EPS
    for a in range(0, n, G):
        g = min(G, n - a)
        for j in range(G):
            spec[j] = False
            rec[j] = True  # rows that are not on the polynomial path take no part in the iteration
            m[j] = 1.0
            val[j] = np.nan
            mrec[j] = np.nan
            for k in range(depth):
                coef[k, j] = 1.0
            if j >= g:
                continue
            r = a + j
            amin, zeros, negs, fin = _scan_row(W[r])
            if not fin:
                spec[j] = True
                continue
            ties = 0
            gfin = True
            gmax = -np.inf
            syj = sy[r]
            # elementary symmetric coefficients of prod_i (m + gap_i), built as the gaps come
            coef[0, j] = 1.0
            for i in range(depth):
                ai = abs(W[r, i])
                ties += ai == amin
                if syj == 1.0:  # x / 1.0 == x exactly: the same bits without two divisions
                    gi = (ai - amin) * (ai + amin)
                else:
                    gi = ((ai - amin) / syj) * ((ai + amin) / syj)
                if not math.isfinite(gi):
                    gfin = False
                if gi > gmax:
                    gmax = gi
                last = gi * coef[i, j]
                for k in range(i, 0, -1):
                    coef[k, j] = coef[k, j] + gi * coef[k - 1, j]
                coef[i + 1, j] = last
            pi_sign = 0 if zeros > 0 else 1 - 2 * (negs % 2)
            direction = pi_sign * (1 if y[r] > 0 else -1)
            if zeros >= 2 or (direction < 0 and ties >= 2) or not gfin or not gmax < 1e30:
                spec[j] = True
                for k in range(depth):
                    coef[k, j] = 1.0
                continue
            m[j] = _start_shift(coef[depth - 1, j], coef[depth - 2, j])
            rec[j] = False
        _newton_lanes(coef, depth, G, tol, m, rec, qv, qd, ratio, step, resid, val, mrec)
        for j in range(g):
            r = a + j
            if spec[j]:
                for i in range(depth):
                    col[i] = W[r, i]
                psi[r], _, status[r] = gfs_row(col, y[r], scale[r], sy[r], fac[r], np.nan, sgap, scoef, sx)
            elif not rec[j]:
                psi[r], status[r] = np.nan, NOT_CONVERGED
            else:
                v = fac[r] * val[j]
                if not math.isfinite(v) or not mrec[j] > 1e-300:
                    psi[r], status[r] = np.nan, RANGE
                else:
                    psi[r], status[r] = v, OK

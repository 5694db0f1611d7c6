"""Compiled (numba) kernels of the fast path (private; optional ``numba`` extra).

Each kernel performs, row by row, exactly the float64 operations of the NumPy
path (``fast.step_columns``, ``fast.gfs_columns``, :mod:`scalar_eos._classify_numpy`)
in the same order: only ``+ - * /``,
``sqrt``, ``abs``, ``min``/``max`` and comparisons on the polynomial path
(``D <= 8``), all correctly rounded in IEEE arithmetic, and no fused
multiply-add (numba does not contract without ``fastmath``).  So the two
engines agree bit for bit there; the log-domain path of the GFS shift (gaps
``>= 1e30`` or ``D > 8``) and ``hypot`` (``D = 2``) go through the C math
library and may differ from NumPy's by an ulp.  (The classifier's ``D = 2``
closed form calls ``hypot`` in both engines; they agreed bit for bit in every
test so far.)  Rows run in groups (GD: tiles of 256 columns kept in L1; GFS:
32 columns whose Newton iterations run in lockstep, each keeping its own
first accepted iterate) so the CPU overlaps independent dependency chains.

Importing this module imports numba; the kernels compile on first use and are
cached on disk next to the package.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

_EPS = float(np.finfo(float).eps)
_MAX_NEWTON = 200
_POLY_MAX_DEPTH = 8
_INCREASE_RTOL = 1e-12
_LN2 = math.log(2.0)

# status codes of the fast path (fast.Status)
_OK, _NONFINITE, _SADDLE, _RANGE, _NOT_CONVERGED = 0, 1, 2, 3, 4
# outcome codes
_CONVERGED, _PERIODIC, _DIVERGED, _SADDLE_OUT, _UNDECIDED = 0, 1, 2, 3, 4

#: Options of every kernel (IEEE arithmetic: no fastmath; cached on disk).
JIT = {"cache": True, "nogil": True, "error_model": "numpy"}


# --------------------------------------------------------------------------- GD step


@njit(**JIT)
def step_row(w, em, y, out):
    """One GD step of one row (``fast._step_cols`` for one column); returns False if it left the range."""
    depth = w.shape[0]
    p = w[0]
    for i in range(1, depth):
        p = p * w[i]
    r = p - y
    ap = abs(p)
    fin = True
    for i in range(depth):
        if not math.isfinite(w[i]):
            fin = False
    c = em * r
    if 1e-280 < ap < 1e280:
        for i in range(depth):
            out[i] = w[i] - c * (p / w[i])
    elif fin:
        # prefix/suffix products: exact with zero weights
        g = np.empty(depth)
        others_row(w, g)
        for i in range(depth):
            out[i] = w[i] - c * g[i]
    else:
        for i in range(depth):
            out[i] = w[i] - c * (p / w[i])
    ok = True
    for i in range(depth):
        if not math.isfinite(out[i]):
            ok = False
    if not ok:
        for i in range(depth):
            out[i] = np.nan
    return ok


@njit(**JIT)
def gd_block(wt, em, y, steps, tile=256):
    """``steps`` GD steps on columns ``wt`` (D, n) in place, ``tile`` columns at a time (kept in L1).

    Same arithmetic as ``fast._step_cols`` (``others = p / w_i`` while
    ``1e-280 < |p| < 1e280``, prefix/suffix products otherwise); a row that
    leaves the float64 range becomes NaN and stays NaN.
    """
    depth, n = wt.shape
    p = np.empty(tile)
    c = np.empty(tile)
    col = np.empty(depth)
    out = np.empty(depth)
    for a in range(0, n, tile):
        b = min(n, a + tile)
        m = b - a
        w = wt[:, a:b]
        e = em[a:b]
        yy = y[a:b]
        for _ in range(steps):
            for i in range(m):
                p[i] = w[0, i]
            for d in range(1, depth):
                for i in range(m):
                    p[i] = p[i] * w[d, i]
            nfix = 0
            for i in range(m):
                ap = abs(p[i])
                nfix += not ((ap > 1e-280) & (ap < 1e280))
                c[i] = e[i] * (p[i] - yy[i])
            if nfix == 0:
                for d in range(depth):
                    for i in range(m):
                        w[d, i] = w[d, i] - c[i] * (p[i] / w[d, i])
                continue
            for i in range(m):
                ap = abs(p[i])
                if (ap > 1e-280) & (ap < 1e280):
                    for d in range(depth):
                        w[d, i] = w[d, i] - c[i] * (p[i] / w[d, i])
                else:
                    for d in range(depth):
                        col[d] = w[d, i]
                    step_row(col, e[i], yy[i], out)
                    for d in range(depth):
                        w[d, i] = out[d]
        # a row that overflowed stays non-finite (its product is never finite again): NaN it
        for i in range(m):
            bad = False
            for d in range(depth):
                if not math.isfinite(w[d, i]):
                    bad = True
            if bad:
                for d in range(depth):
                    w[d, i] = np.nan
    return wt


# --------------------------------------------------------------------------- GFS sharpness


@njit(**JIT)
def _log_product(x, depth):
    """``log(prod x)`` via mantissas and exponents (``fast._log_product`` for one column)."""
    mp = 1.0
    ex = 0
    for i in range(depth):
        mant, e = math.frexp(x[i])
        mp = mp * mant if i > 0 else mant
        ex += e
    return math.log(mp) + ex * _LN2


@njit(**JIT)
def gfs_row(w, y, scale, sy, fac, warm, gap, coef, x):
    """GFS sharpness of one row, as ``fast._gfs_chunk`` (``want_solution=False``).

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
            return np.nan, np.nan, _NONFINITE
    if depth == 2:
        a1 = abs(w[0])
        a2 = abs(w[1])
        psi = scale * math.hypot((a1 - a2) * (a1 + a2), 2.0 * y)
        if a1 == a2 and w[0] * w[1] * y <= 0:
            return np.nan, np.nan, _SADDLE
        if not math.isfinite(psi):
            return np.nan, np.nan, _RANGE
        return psi, np.nan, _OK
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
        return np.nan, np.nan, _SADDLE
    if not gfin:
        return np.nan, np.nan, _RANGE
    if depth == 1:
        return scale, 1.0, _OK
    return _psi_from_gap(depth, fac, warm, gap, coef, x)


@njit(**JIT)
def _psi_from_gap(depth, fac, warm, gap, coef, x):
    """Root of ``prod(gap_i + m) = 1`` (polynomial or log-domain Newton) and ``psi = fac * sum 1/(gap_i + m)``."""
    poly = depth <= _POLY_MAX_DEPTH
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
        tol = 4 * depth * _EPS
        for _ in range(_MAX_NEWTON):
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
                    return np.nan, np.nan, _RANGE
                return val, m, _OK
            m = m - r / dp
        return np.nan, np.nan, _NOT_CONVERGED
    # log-domain Newton on F(u) = log prod(gap_i + e^u)
    npos = 0
    for i in range(depth):
        x[i] = gap[i] if gap[i] > 0 else 1.0
        npos += gap[i] > 0
    others = _log_product(x, depth)
    u = min(0.0, -others) if npos == depth - 1 else 0.0
    for _ in range(_MAX_NEWTON):
        m = math.exp(u)
        inv = 0.0
        for i in range(depth):
            x[i] = gap[i] + m
        f = _log_product(x, depth)
        for i in range(depth):
            inv = inv + 1.0 / x[i] if i > 0 else 1.0 / x[0]
        if not math.isfinite(inv) or not math.isfinite(u):
            return np.nan, np.nan, _RANGE
        if abs(f) <= 4 * _EPS * (depth + abs(u)):
            mp_ = math.exp(u)
            val = fac * inv
            if not math.isfinite(val) or not mp_ > 1e-300:
                return np.nan, np.nan, _RANGE
            return val, mp_, _OK
        u = u - f / (m * inv)
    return np.nan, np.nan, _NOT_CONVERGED


@njit(**JIT)
def others_row(w, g):
    """``g_i = prod_{k != i} w_k`` as prefix times suffix products (``fast._others``; exact with zeros)."""
    depth = w.shape[0]
    for i in range(depth):
        pre = 1.0
        for k in range(i):
            pre = pre * w[k] if k > 0 else w[0]
        suf = 1.0
        for k in range(depth - 1, i, -1):
            suf = suf * w[k] if k < depth - 1 else w[depth - 1]
        g[i] = pre * suf


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
def gfs_group(wt, y, scale, sy, fac, warm, active, psi, mpr, stat, ws):
    """GFS sharpness of the active columns of ``wt`` (D, G), each as :func:`gfs_row`.

    The Newton iterations of the polynomial path run in lockstep across the
    columns (independent chains the CPU overlaps); a column stops at its own
    first accepted iterate, so every column gets exactly :func:`gfs_row`'s
    bits.  Columns off the polynomial path go through :func:`gfs_row`.
    ``ws`` is a :class:`_Scratch`-like tuple of work arrays.
    """
    depth, G = wt.shape
    gap, coef, m, done, spec, col, sgap, scoef, sx = ws
    if depth <= 2 or depth > _POLY_MAX_DEPTH:
        for j in range(G):
            if active[j]:
                for i in range(depth):
                    col[i] = wt[i, j]
                psi[j], mpr[j], stat[j] = gfs_row(col, y[j], scale[j], sy[j], fac[j], warm[j], sgap, scoef, sx)
        return
    for j in range(G):
        done[j] = True
        spec[j] = False
        if not active[j]:
            continue
        amin, zeros, negs, fin = _scan_row(wt[:, j])
        if not fin:
            spec[j] = True
            continue
        ties = 0
        gfin = True
        gmax = -np.inf
        syj = sy[j]
        for i in range(depth):
            a = abs(wt[i, j])
            ties += a == amin
            g = ((a - amin) / syj) * ((a + amin) / syj)
            gap[i, j] = g
            if not math.isfinite(g):
                gfin = False
            if g > gmax:
                gmax = g
        pi_sign = 0 if zeros > 0 else 1 - 2 * (negs % 2)
        direction = pi_sign * (1 if y[j] > 0 else -1)
        if zeros >= 2 or (direction < 0 and ties >= 2) or not gfin or not gmax < 1e30:
            spec[j] = True
            continue
        coef[0, j] = 1.0
        ln = 1
        for i in range(depth):
            di = gap[i, j]
            last = di * coef[ln - 1, j]
            for k in range(ln - 1, 0, -1):
                coef[k, j] = coef[k, j] + di * coef[k - 1, j]
            coef[ln, j] = last
            ln += 1
        mj = _start_shift(coef[depth - 1, j], coef[depth - 2, j])
        if warm[j] > 0:
            mj = warm[j]
        m[j] = mj
        done[j] = False
    tol = 4 * depth * _EPS
    for _ in range(_MAX_NEWTON):
        left = 0
        for j in range(G):
            if done[j]:
                continue
            mj = m[j]
            qv = coef[0, j]
            qd = 0.0
            for k in range(1, depth):
                qd = qd * mj + qv
                qv = qv * mj + coef[k, j]
            p = mj * qv
            dp = qv + mj * qd
            r = p - 1.0
            if abs(r) <= tol:
                done[j] = True
                val = fac[j] * (dp / p)
                if not math.isfinite(val) or not mj > 1e-300:
                    psi[j], mpr[j], stat[j] = np.nan, np.nan, _RANGE
                else:
                    psi[j], mpr[j], stat[j] = val, mj, _OK
            else:
                m[j] = mj - r / dp
                left += 1
        if left == 0:
            break
    for j in range(G):
        if not done[j]:
            psi[j], mpr[j], stat[j] = np.nan, np.nan, _NOT_CONVERGED
        elif spec[j]:
            for i in range(depth):
                col[i] = wt[i, j]
            psi[j], mpr[j], stat[j] = gfs_row(col, y[j], scale[j], sy[j], fac[j], warm[j], sgap, scoef, sx)


@njit(**JIT)
def gfs_rows(W, y, scale, sy, fac, psi, status, group):
    """:func:`gfs_cols` (cold start) on rows ``W`` (n, D) read in place, ``group`` rows at a time.

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
    if depth <= 2 or depth > _POLY_MAX_DEPTH:
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
    tol = 4 * depth * _EPS
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
        for _ in range(_MAX_NEWTON):
            # the arithmetic of one Newton step for every row of the group (no branches: SIMD lanes) ...
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
            # ... then the bookkeeping: a row keeps its first accepted iterate and stops moving
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
        for j in range(g):
            r = a + j
            if spec[j]:
                for i in range(depth):
                    col[i] = W[r, i]
                psi[r], _, status[r] = gfs_row(col, y[r], scale[r], sy[r], fac[r], np.nan, sgap, scoef, sx)
            elif not rec[j]:
                psi[r], status[r] = np.nan, _NOT_CONVERGED
            else:
                v = fac[r] * val[j]
                if not math.isfinite(v) or not mrec[j] > 1e-300:
                    psi[r], status[r] = np.nan, _RANGE
                else:
                    psi[r], status[r] = v, _OK

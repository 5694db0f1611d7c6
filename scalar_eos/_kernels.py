"""Compiled (numba) kernels of the fast path (private; optional ``numba`` extra).

Each kernel performs, row by row, exactly the float64 operations of the NumPy
engine (:mod:`scalar_eos._classify`) in the same order: only ``+ - * /``,
``sqrt``, ``abs``, ``min``/``max`` and comparisons on the polynomial path
(``D <= 8``), all correctly rounded in IEEE arithmetic, and no fused
multiply-add (numba does not contract without ``fastmath``).  So the two
engines agree bit for bit there; the log-domain path of the GFS shift (gaps
``>= 1e30`` or ``D > 8``) and ``hypot`` (``D = 2``) go through the C math
library and may differ from NumPy's by an ulp.

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

_JIT = {"cache": True, "nogil": True, "error_model": "numpy"}


# --------------------------------------------------------------------------- GD step


@njit(**_JIT)
def _step(w, em, y, out):
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
        _others(w, g)
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


@njit(**_JIT)
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
                    _step(col, e[i], yy[i], out)
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


@njit(**_JIT)
def _log_product(x, depth):
    """``log(prod x)`` via mantissas and exponents (``fast._log_product`` for one column)."""
    mp = 1.0
    ex = 0
    for i in range(depth):
        mant, e = math.frexp(x[i])
        mp = mp * mant if i > 0 else mant
        ex += e
    return math.log(mp) + ex * _LN2


@njit(**_JIT)
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


@njit(**_JIT)
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


@njit(**_JIT)
def _others(w, g):
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


@njit(**_JIT)
def _gfs_group(wt, y, scale, sy, fac, warm, active, psi, mpr, stat, ws):
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
        c0 = coef[depth - 1, j]
        c1 = coef[depth - 2, j]
        disc = math.sqrt(c0 * c0 + 4.0 * c1)
        if c1 > 0:
            mj = 2.0 / (c0 + disc)
        elif c0 > 1.0:
            mj = 1.0 / c0
        else:
            mj = 1.0
        mj = min(mj, 1.0)
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


@njit(**_JIT)
def gfs_cols(wt, y, scale, sy, fac, psi, status, group):
    """GFS sharpness of every column of ``wt`` (D, n) from a cold start, ``group`` columns at a time."""
    depth, n = wt.shape
    G = group
    ws = (
        np.empty((depth, G)), np.empty((depth + 1, G)), np.empty(G), np.empty(G, dtype=np.bool_),
        np.empty(G, dtype=np.bool_), np.empty(depth), np.empty(depth), np.empty(depth + 1), np.empty(depth),
    )  # fmt: skip
    warm = np.full(G, np.nan)
    active = np.ones(G, dtype=np.bool_)
    ps = np.empty(G)
    mp = np.empty(G)
    st = np.empty(G, dtype=np.int8)
    for a in range(0, n, G):
        b = min(n, a + G)
        if b - a < G:
            active[b - a :] = False
        _gfs_group(wt[:, a : a + G] if b - a == G else _pad(wt[:, a:b], G), y[a:b] if b - a == G else _pad1(y[a:b], G),
                   scale[a:b] if b - a == G else _pad1(scale[a:b], G), sy[a:b] if b - a == G else _pad1(sy[a:b], G),
                   fac[a:b] if b - a == G else _pad1(fac[a:b], G), warm, active, ps, mp, st, ws)  # fmt: skip
        for j in range(b - a):
            psi[a + j] = ps[j]
            status[a + j] = st[j]


@njit(**_JIT)
def _pad(x, G):
    out = np.ones((x.shape[0], G))
    out[:, : x.shape[1]] = x
    return out


@njit(**_JIT)
def _pad1(x, G):
    out = np.ones(G)
    out[: x.shape[0]] = x
    return out


@njit(**_JIT)
def classify_group(
    W, eta, y, scale, em, sy, fac, limit, max_steps, max_period, rtol, hist_len, lyap_start, batch_blocks, group,
    bump, status, period, final, max_inc, mono, steps, reason, weights, long_period, lyap, ext, birkhoff,
):  # fmt: skip
    """The outcome classifier on ``group`` rows at a time in lockstep (see ``scalar_eos._classify``).

    A slot whose row finishes is refilled with the next row at the next block
    boundary, so every row starts on a block boundary and its own step count
    is a multiple of ``2 K`` there, as when it runs alone.
    """
    n, depth = W.shape
    G = group
    length = 2 * max_period
    nbatch = lyap.shape[1]
    half = nbatch // 2
    n_blocks = max_steps // length
    first_batch_block = n_blocks - nbatch * batch_blocks
    # per-slot state
    rowid = np.full(G, -1, dtype=np.int64)
    tt = np.zeros(G, dtype=np.int64)
    w = np.ones((depth, G))
    yv = np.ones(G)
    ev = np.ones(G)
    emv = np.ones(G)
    syv = np.ones(G)
    fv = np.ones(G)
    sv = np.ones(G)
    lim = np.ones(G)
    psi_prev = np.full(G, np.nan)
    warm = np.full(G, np.nan)
    last_psi = np.full(G, np.nan)
    last_st = np.zeros(G, dtype=np.int8)
    amp_prev = np.full(G, np.nan)
    mi = np.full(G, -np.inf)
    mo = np.ones(G, dtype=np.bool_)
    lyap_ok = np.ones(G, dtype=np.bool_)
    ring = np.zeros((length, depth, G))
    ring_r = np.zeros((length, G))
    hist = np.zeros((hist_len, depth, G))
    v = np.ones((depth, G))
    acc = np.zeros((nbatch, G))
    ex = np.zeros((2, 2, depth, G))
    act = np.zeros(G, dtype=np.bool_)
    win_j = np.zeros(G, dtype=np.int64)
    tan_j = np.zeros(G, dtype=np.bool_)
    hist_j = np.zeros(G, dtype=np.bool_)
    gg2 = np.empty(depth)
    hv2 = np.empty(depth)
    psi = np.empty(G)
    mpr = np.empty(G)
    gst = np.empty(G, dtype=np.int8)
    pp = np.empty(G)
    cc = np.empty(G)
    ws = (
        np.empty((depth, G)), np.empty((depth + 1, G)), np.empty(G), np.empty(G, dtype=np.bool_),
        np.empty(G, dtype=np.bool_), np.empty(depth), np.empty(depth), np.empty(depth + 1), np.empty(depth),
    )  # fmt: skip
    col = np.empty(depth)
    out = np.empty(depth)
    gg = np.empty(depth)
    gap1 = np.empty(depth)
    coef1 = np.empty(depth + 1)
    x1 = np.empty(depth)
    nxt = 0
    while True:
        # ---- refill free slots (every slot is at a block boundary here)
        for j in range(G):
            while rowid[j] < 0 and nxt < n:
                row = nxt
                nxt += 1
                fin = True
                for i in range(depth):
                    w[i, j] = W[row, i]
                    col[i] = W[row, i]
                    if not math.isfinite(col[i]):
                        fin = False
                yv[j], ev[j], emv[j], syv[j], fv[j], sv[j], lim[j] = (
                    y[row],
                    eta[row],
                    em[row],
                    sy[row],
                    fac[row],
                    scale[row],
                    limit[row],
                )
                p0, m0, _ = gfs_row(col, yv[j], sv[j], syv[j], fv[j], np.nan, gap1, coef1, x1)
                if not fin:
                    status[row] = _DIVERGED
                    final[row] = p0
                    steps[row] = 0
                    for i in range(depth):
                        weights[row, i] = col[i]
                    continue
                rowid[j] = row
                tt[j] = 0
                p = col[0]
                for i in range(1, depth):
                    p = p * col[i]
                pp[j] = p
                psi_prev[j] = p0
                warm[j] = m0
                last_psi[j] = p0
                last_st[j] = 0
                amp_prev[j] = np.nan
                mi[j] = -np.inf
                mo[j] = True
                lyap_ok[j] = True
                ring[:, :, j] = 0.0
                ring_r[:, j] = 0.0
                for i in range(depth):
                    v[i, j] = 1.0 + i / depth
                    ex[:, 0, i, j] = np.inf
                    ex[:, 1, i, j] = -np.inf
                acc[:, j] = 0.0
        alive = 0
        for j in range(G):
            alive += rowid[j] >= 0
        if alive == 0:
            break
        # ---- one block of steps; per-slot phase flags are constant within a block
        for j in range(G):
            win_j[j] = -1
            tan_j[j] = False
            hist_j[j] = False
            if rowid[j] < 0:
                continue
            t = tt[j]
            tan_j[j] = t >= lyap_start
            hist_j[j] = t + length > max_steps - hist_len
            blk = t // length - first_batch_block
            if tan_j[j] and batch_blocks > 0 and 0 <= blk < nbatch * batch_blocks:
                win_j[j] = (blk // batch_blocks) // half
        for s_ in range(length):
            nact = 0
            for j in range(G):
                a_ = rowid[j] >= 0 and tt[j] < max_steps
                act[j] = a_
                nact += a_
            if nact == 0:
                break
            for j in range(G):
                if not act[j]:
                    continue
                p = pp[j]
                r = p - yv[j]
                for i in range(depth):
                    ring[s_, i, j] = abs(w[i, j])
                ring_r[s_, j] = abs(r)
                if hist_j[j]:
                    hs = tt[j] % hist_len
                    for i in range(depth):
                        hist[hs, i, j] = abs(w[i, j])
                win = win_j[j]
                if win >= 0:
                    for i in range(depth):
                        a = abs(w[i, j])
                        if a < ex[win, 0, i, j]:
                            ex[win, 0, i, j] = a
                        if a > ex[win, 1, i, j]:
                            ex[win, 1, i, j] = a
                if tan_j[j]:
                    # v <- (I - em (g g^T + r Hess pi)) v, as _tangent
                    gv = 0.0
                    for i in range(depth):
                        pr = 1.0
                        dpr = 0.0
                        for k in range(depth):
                            if k != i:
                                dpr = dpr * w[k, j] + pr * v[k, j]
                                pr = pr * w[k, j]
                        gg2[i] = pr
                        hv2[i] = dpr
                        gv = gv + pr * v[i, j] if i > 0 else pr * v[0, j]
                    c = emv[j]
                    for i in range(depth):
                        v[i, j] = v[i, j] - c * (gg2[i] * gv + r * hv2[i])
                cc[j] = emv[j] * r
            # GD step of the active slots
            for j in range(G):
                if not act[j]:
                    continue
                p = pp[j]
                ap = abs(p)
                if 1e-280 < ap < 1e280:
                    c = cc[j]
                    bad = False
                    for i in range(depth):
                        wi = w[i, j] - c * (p / w[i, j])
                        w[i, j] = wi
                        if not math.isfinite(wi):
                            bad = True
                    if bad:
                        for i in range(depth):
                            w[i, j] = np.nan
                else:
                    for i in range(depth):
                        col[i] = w[i, j]
                    _step(col, emv[j], yv[j], out)
                    for i in range(depth):
                        w[i, j] = out[i]
                tt[j] += 1
            _gfs_group(w, yv, sv, syv, fv, warm, act, psi, mpr, gst, ws)
            for j in range(G):
                if not act[j]:
                    continue
                ps = psi[j]
                warm[j] = mpr[j]
                inc = ps - psi_prev[j]
                if not (inc <= mi[j]) and not math.isnan(inc):
                    mi[j] = inc
                if inc > _INCREASE_RTOL * abs(psi_prev[j]):
                    mo[j] = False
                if math.isfinite(ps):
                    psi_prev[j] = ps
                last_psi[j] = ps
                last_st[j] = gst[j]
                p = w[0, j]
                for i in range(1, depth):
                    p = p * w[i, j]
                pp[j] = p
                if math.isnan(w[0, j]) or abs(p) > lim[j]:
                    _emit(j, rowid, tt, w, psi_prev, mi, mo, _DIVERGED, 0, 0, status, period, final, max_inc,
                          mono, steps, reason, weights)  # fmt: skip
        # ---- tests at the end of the block
        for j in range(G):
            row = rowid[j]
            if row < 0:
                continue
            t = tt[j]
            if t > lyap_start and t % length == 0:
                nv = 0.0
                for i in range(depth):
                    nv = nv + v[i, j] * v[i, j]
                nv = math.sqrt(nv)
                if not (nv > 0.0) or not math.isfinite(nv):
                    lyap_ok[j] = False
                    for i in range(depth):
                        v[i, j] = 1.0 + i / depth
                else:
                    blk = t // length - 1 - first_batch_block
                    if blk >= 0 and blk < nbatch * batch_blocks:
                        acc[blk // batch_blocks, j] += math.log(nv)
                    for i in range(depth):
                        v[i, j] = v[i, j] / nv
            yr = yv[j]
            ay = abs(yr)
            er = ev[j]
            for i in range(depth):
                col[i] = w[i, j]
            p = col[0]
            for i in range(1, depth):
                p = p * col[i]
            r = p - yr
            if math.isnan(warm[j]):
                psi_e, _, st_e = gfs_row(col, yr, sv[j], syv[j], fv[j], np.nan, gap1, coef1, x1)
            else:
                psi_e, st_e = last_psi[j], last_st[j]
            rho = abs(1.0 - er * psi_e)
            qmin = col[0] * col[0]
            for i in range(1, depth):
                q = col[i] * col[i]
                if q < qmin or math.isnan(q):
                    qmin = q
            a = emv[j] * r * p
            qm = 1e-300 if qmin < 1e-300 else qmin
            den = 1.0 - rho * rho
            den = 1e-300 if den < 1e-300 else den
            tail = (a * a / qm) * psi_e / (yr * yr) / den
            conv = st_e == _OK and rho < 1.0 and abs(r) <= 1e-3 * ay * (1.0 - rho) and tail <= rtol
            if math.isfinite(psi_e):
                psi_prev[j] = psi_e
            if conv or r == 0.0:
                _emit(j, rowid, tt, w, psi_prev, mi, mo, _CONVERGED, 0, 0, status, period, final, max_inc, mono,
                      steps, reason, weights)  # fmt: skip
                continue
            _others(col, gg)
            s2 = 0.0
            for i in range(depth):
                s2 = s2 + gg[i] * gg[i]
            gnorm = abs(r) * math.sqrt(s2) * sv[j]
            if gnorm < 1e-12 and abs(r) > 0.1 * ay:
                _emit(j, rowid, tt, w, psi_prev, mi, mo, _SADDLE_OUT, 0, 0, status, period, final, max_inc, mono,
                      steps, reason, weights)  # fmt: skip
                continue
            if t >= length:
                scale_w = 0.0
                for i in range(depth):
                    if abs(col[i]) > scale_w:
                        scale_w = abs(col[i])
                tolw = 1e-9 * scale_w
                found = 0
                for k in range(2, max_period + 1):
                    ok = True
                    for jj in range(k):
                        s_now = (t - 1 - jj) % length
                        s_back = (t - 1 - jj - k) % length
                        dm = 0.0
                        for i in range(depth):
                            dd = abs(ring[s_now, i, j] - ring[s_back, i, j])
                            if dd > dm:
                                dm = dd
                        if not dm <= tolw:
                            ok = False
                            break
                    if ok:
                        found = k
                        break
                amp = ring_r[0, j]
                for s in range(1, length):
                    if ring_r[s, j] > amp:
                        amp = ring_r[s, j]
                tol = 1e-6 if er * psi_prev[j] > 2.0 else 1e-9
                steady = amp > 1e-6 * ay and abs(amp - amp_prev[j]) <= tol * amp
                amp_prev[j] = amp
                if found > 0 and steady:
                    _emit(j, rowid, tt, w, psi_prev, mi, mo, _PERIODIC, found, 0, status, period, final, max_inc,
                          mono, steps, reason, weights)  # fmt: skip
                    continue
            if t < max_steps:
                continue
            # ---- undecided at the budget: reason, long periods, Lyapunov batches, window ranges
            amp = ring_r[0, j]
            for s in range(1, length):
                if ring_r[s, j] > amp:
                    amp = ring_r[s, j]
            if abs(er * psi_prev[j] - 2.0) < 0.02:
                why = 1
            elif amp > 1e-6 * ay:
                why = 2
            else:
                why = 3
            avail = min(hist_len, t)
            scale_w = 0.0
            for i in range(depth):
                if abs(col[i]) > scale_w:
                    scale_w = abs(col[i])
            tolw = 1e-9 * scale_w
            lp = 0
            for k in range(2, avail // 3 + 1):
                ok = True
                for jj in range(2 * k):
                    s_now = (t - 1 - jj) % hist_len
                    s_back = (t - 1 - jj - k) % hist_len
                    for i in range(depth):
                        if not abs(hist[s_now, i, j] - hist[s_back, i, j]) <= tolw:
                            ok = False
                            break
                    if not ok:
                        break
                if ok:
                    lp = k if k > max_period else -k
                    break
            long_period[row] = lp
            if t >= hist_len:
                # weighted Birkhoff averages of |pi| over the two halves of the history
                hl = hist_len // 2
                for h in range(2):
                    num = 0.0
                    den = 0.0
                    for q in range(hl):
                        s_q = (t - hist_len + h * hl + q) % hist_len
                        f = hist[s_q, 0, j]
                        for i in range(1, depth):
                            f = f * hist[s_q, i, j]
                        num = num + bump[q] * f
                        den = den + bump[q]
                    birkhoff[row, h] = num / den
            if lyap_ok[j] and batch_blocks > 0 and t >= n_blocks * length:
                for k in range(nbatch):
                    lyap[row, k] = acc[k, j] / (batch_blocks * length)
            for s in range(2):
                for b in range(2):
                    for i in range(depth):
                        ext[row, s, b, i] = ex[s, b, i, j]
            _emit(j, rowid, tt, w, psi_prev, mi, mo, _UNDECIDED, 0, why, status, period, final, max_inc, mono,
                  steps, reason, weights)  # fmt: skip


@njit(**_JIT)
def _emit(j, rowid, tt, w, psi_prev, mi, mo, code, per, why, status, period, final, max_inc, mono, steps, reason,
          weights):  # fmt: skip
    row = rowid[j]
    status[row] = code
    period[row] = per
    final[row] = psi_prev[j]
    max_inc[row] = mi[j]
    mono[row] = mo[j]
    steps[row] = tt[j]
    reason[row] = why
    for i in range(w.shape[0]):
        weights[row, i] = w[i, j]
    rowid[j] = -1

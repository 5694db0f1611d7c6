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
def gd_block(wt, em, y, steps):
    """``steps`` GD steps on columns ``wt`` (D, n) in place; rows are independent and vectorised.

    Same arithmetic as ``fast._step_cols`` (``others = p / w_i`` while
    ``1e-280 < |p| < 1e280``, prefix/suffix products otherwise); a row that
    leaves the float64 range becomes NaN.
    """
    depth, n = wt.shape
    p = np.empty(n)
    c = np.empty(n)
    exact = np.empty(n, dtype=np.bool_)
    for _ in range(steps):
        for i in range(n):
            p[i] = wt[0, i]
        for d in range(1, depth):
            for i in range(n):
                p[i] = p[i] * wt[d, i]
        nfix = 0
        for i in range(n):
            ap = abs(p[i])
            ex = (ap > 1e-280) & (ap < 1e280)
            exact[i] = ex
            nfix += not ex
            c[i] = em[i] * (p[i] - y[i])
        if nfix == 0:
            for d in range(depth):
                for i in range(n):
                    wt[d, i] = wt[d, i] - c[i] * (p[i] / wt[d, i])
        else:
            col = np.empty(depth)
            out = np.empty(depth)
            for i in range(n):
                if exact[i]:
                    for d in range(depth):
                        wt[d, i] = wt[d, i] - c[i] * (p[i] / wt[d, i])
                else:
                    for d in range(depth):
                        col[d] = wt[d, i]
                    _step(col, em[i], y[i], out)
                    for d in range(depth):
                        wt[d, i] = out[d]
                    continue
        # rows leaving the range become NaN (sticky: NaN stays NaN)
        for i in range(n):
            bad = False
            for d in range(depth):
                if not math.isfinite(wt[d, i]):
                    bad = True
            if bad:
                for d in range(depth):
                    wt[d, i] = np.nan
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
def gfs_rows(wt, y, scale, sy, fac, psi, status):
    """GFS sharpness of every column of ``wt`` (D, n) from a cold start (no warm start).

    For ``D = 2`` use ``fast``'s closed form instead (this kernel's ``D = 2``
    branch is the classifier's, identical to it).
    """
    depth, n = wt.shape
    w = np.empty(depth)
    gap = np.empty(depth)
    coef = np.empty(depth + 1)
    x = np.empty(depth)
    for j in range(n):
        for i in range(depth):
            w[i] = wt[i, j]
        val, _, st = gfs_row(w, y[j], scale[j], sy[j], fac[j], np.nan, gap, coef, x)
        psi[j] = val
        status[j] = st


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
def _tangent(w, v, em, y, g, hv):
    """``v <- (I - em (g g^T + r Hess pi)) v`` at ``w`` (the GD map's Jacobian)."""
    depth = w.shape[0]
    p = w[0]
    for i in range(1, depth):
        p = p * w[i]
    r = p - y
    for i in range(depth):
        pr = 1.0
        dpr = 0.0
        for k in range(depth):
            if k != i:
                dpr = dpr * w[k] + pr * v[k]
                pr = pr * w[k]
        g[i] = pr
        hv[i] = dpr
    gv = 0.0
    for i in range(depth):
        gv = gv + g[i] * v[i]
    for i in range(depth):
        v[i] = v[i] - em * (g[i] * gv + r * hv[i])


@njit(**_JIT)
def classify_rows(
    W, eta, y, scale, em, sy, fac, limit, max_steps, max_period, rtol, hist_len, lyap_start, batch_blocks,
    status, period, final, max_inc, mono, steps, reason, weights, long_period, lyap, ext,
):  # fmt: skip
    """The outcome classifier, one row after the other (see ``scalar_eos._classify``)."""
    n, depth = W.shape
    length = 2 * max_period
    nbatch = lyap.shape[1]
    half = nbatch // 2
    n_blocks = max_steps // length
    first_batch_block = n_blocks - nbatch * batch_blocks
    w = np.empty(depth)
    wn = np.empty(depth)
    gap = np.empty(depth)
    coef = np.empty(depth + 1)
    x = np.empty(depth)
    ring = np.empty((length, depth))
    ring_r = np.empty(length)
    hist = np.empty((hist_len, depth))
    v = np.empty(depth)
    g = np.empty(depth)
    hv = np.empty(depth)
    for row in range(n):
        yr, er, emr, sr, fr, mr = y[row], eta[row], em[row], sy[row], fac[row], scale[row]
        ay = abs(yr)
        for i in range(depth):
            w[i] = W[row, i]
        for k in range(lyap.shape[1]):
            lyap[row, k] = np.nan
        for s in range(2):
            for i in range(depth):
                ext[row, s, 0, i] = np.inf
                ext[row, s, 1, i] = -np.inf
        long_period[row] = 0
        psi_prev, warm, _ = gfs_row(w, yr, mr, sr, fr, np.nan, gap, coef, x)
        t = 0
        code = -1
        why = 0
        per = 0
        fin0 = True
        for i in range(depth):
            if not math.isfinite(w[i]):
                fin0 = False
        if not fin0:
            code = _DIVERGED
        ring[:, :] = 0.0
        ring_r[:] = 0.0
        amp_prev = np.nan
        mi = -np.inf
        mo = True
        last_psi = psi_prev
        last_st = 0
        lyap_ok = True
        for i in range(depth):
            v[i] = 1.0 + i / depth
        acc = np.zeros(nbatch)
        while code < 0 and t < max_steps:
            for _ in range(length):
                p = w[0]
                for i in range(1, depth):
                    p = p * w[i]
                r = p - yr
                slot = t % length
                hs = t % hist_len
                for i in range(depth):
                    ring[slot, i] = abs(w[i])
                    hist[hs, i] = abs(w[i])
                ring_r[slot] = abs(r)
                if t >= lyap_start:
                    blk = t // length - first_batch_block
                    if batch_blocks > 0 and 0 <= blk < nbatch * batch_blocks:
                        win = (blk // batch_blocks) // half
                        for i in range(depth):
                            a = abs(w[i])
                            if a < ext[row, win, 0, i]:
                                ext[row, win, 0, i] = a
                            if a > ext[row, win, 1, i]:
                                ext[row, win, 1, i] = a
                    _tangent(w, v, emr, yr, g, hv)
                _step(w, emr, yr, wn)
                for i in range(depth):
                    w[i] = wn[i]
                t += 1
                psi, mp_, st = gfs_row(w, yr, mr, sr, fr, warm, gap, coef, x)
                warm = mp_
                inc = psi - psi_prev
                if not (inc <= mi) and not math.isnan(inc):  # fmax
                    mi = inc
                if inc > _INCREASE_RTOL * abs(psi_prev):
                    mo = False
                if math.isfinite(psi):
                    psi_prev = psi
                last_psi = psi
                last_st = st
                p = w[0]
                for i in range(1, depth):
                    p = p * w[i]
                if math.isnan(w[0]) or abs(p) > limit[row]:
                    code = _DIVERGED
                    break
                if t >= max_steps:
                    break
            if code >= 0:
                break
            # ---- Lyapunov bookkeeping at the block end
            if t > lyap_start and t % length == 0:
                nv = 0.0
                for i in range(depth):
                    nv = nv + v[i] * v[i]
                nv = math.sqrt(nv)
                if not (nv > 0.0) or not math.isfinite(nv):
                    lyap_ok = False
                    for i in range(depth):
                        v[i] = 1.0 + i / depth
                else:
                    blk = t // length - 1 - first_batch_block
                    if blk >= 0 and blk < nbatch * batch_blocks:
                        acc[blk // batch_blocks] += math.log(nv)
                    for i in range(depth):
                        v[i] = v[i] / nv
            # ---- tests at the end of a block
            p = w[0]
            for i in range(1, depth):
                p = p * w[i]
            r = p - yr
            if math.isnan(warm):
                psi_e, _, st_e = gfs_row(w, yr, mr, sr, fr, np.nan, gap, coef, x)
            else:
                psi_e, st_e = last_psi, last_st
            rho = abs(1.0 - er * psi_e)
            qmin = w[0] * w[0]
            for i in range(1, depth):
                q = w[i] * w[i]
                if q < qmin or math.isnan(q):
                    qmin = q
            a = emr * r * p
            qm = 1e-300 if qmin < 1e-300 else qmin
            den = 1.0 - rho * rho
            den = 1e-300 if den < 1e-300 else den
            tail = (a * a / qm) * psi_e / (yr * yr) / den
            conv = st_e == _OK and rho < 1.0 and abs(r) <= 1e-3 * ay * (1.0 - rho) and tail <= rtol
            if math.isfinite(psi_e):
                psi_prev = psi_e
            if conv or r == 0.0:
                code = _CONVERGED
                break
            _others(w, g)
            s2 = 0.0
            for i in range(depth):
                s2 = s2 + g[i] * g[i]
            gnorm = abs(r) * math.sqrt(s2) * mr
            if gnorm < 1e-12 and abs(r) > 0.1 * ay:
                code = _SADDLE_OUT
                break
            if t < length:
                continue
            scale_w = 0.0
            for i in range(depth):
                if abs(w[i]) > scale_w:
                    scale_w = abs(w[i])
            tolw = 1e-9 * scale_w
            found = 0
            for k in range(2, max_period + 1):
                ok = True
                for j in range(k):
                    s_now = (t - 1 - j) % length
                    s_back = (t - 1 - j - k) % length
                    dm = 0.0
                    for i in range(depth):
                        dd = abs(ring[s_now, i] - ring[s_back, i])
                        if dd > dm:
                            dm = dd
                    if not dm <= tolw:
                        ok = False
                        break
                if ok:
                    found = k
                    break
            amp = ring_r[0]
            for s in range(1, length):
                if ring_r[s] > amp:
                    amp = ring_r[s]
            tol = 1e-6 if er * psi_prev > 2.0 else 1e-9
            steady = amp > 1e-6 * ay and abs(amp - amp_prev) <= tol * amp
            amp_prev = amp
            if found > 0 and steady:
                code = _PERIODIC
                per = found
                break
        if code < 0:
            code = _UNDECIDED
            amp = ring_r[0]
            for s in range(1, length):
                if ring_r[s] > amp:
                    amp = ring_r[s]
            if abs(er * psi_prev - 2.0) < 0.02:
                why = 1
            elif amp > 1e-6 * ay:
                why = 2
            else:
                why = 3
            # longer periods in the last hist_len iterates: smallest k whose last 2k iterates repeat
            avail = min(hist_len, t)
            scale_w = 0.0
            for i in range(depth):
                if abs(w[i]) > scale_w:
                    scale_w = abs(w[i])
            tolw = 1e-9 * scale_w
            for k in range(2, avail // 3 + 1):
                ok = True
                for j in range(2 * k):
                    s_now = (t - 1 - j) % hist_len
                    s_back = (t - 1 - j - k) % hist_len
                    for i in range(depth):
                        if not abs(hist[s_now, i] - hist[s_back, i]) <= tolw:
                            ok = False
                            break
                    if not ok:
                        break
                if ok:
                    long_period[row] = k if k > max_period else -k
                    break
            if lyap_ok and batch_blocks > 0 and t >= n_blocks * length:
                for k in range(nbatch):
                    lyap[row, k] = acc[k] / (batch_blocks * length)
        status[row] = code
        period[row] = per
        final[row] = psi_prev
        max_inc[row] = mi
        mono[row] = mo
        steps[row] = t
        reason[row] = why
        for i in range(depth):
            weights[row, i] = w[i]

"""Compiled (numba) outcome classifier kernel (private; optional ``numba`` extra).

Runs ``group`` rows in lockstep with exactly the float64 operations, in the
same order, as the NumPy engine (:mod:`scalar_eos._classify_numpy`); see
:mod:`scalar_eos._kernels` for the arithmetic guarantees.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ._kernels import JIT, gfs_group, gfs_row, group_scratch, others_row, step_row

_INCREASE_RTOL = 1e-12
_OK = 0
_CONVERGED, _PERIODIC, _DIVERGED, _SADDLE_OUT, _UNDECIDED = 0, 1, 2, 3, 4


@njit(**JIT)
def classify_group(
    W, eta, y, scale, em, sy, fac, limit, max_steps, max_period, rtol, hist_len, lyap_start, batch_blocks, group,
    bump, status, period, final, max_inc, mono, steps, reason, weights, long_period, lyap, bext, birkhoff,
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
    found_prev = np.zeros(G, dtype=np.int64)
    mi = np.full(G, -np.inf)
    mo = np.ones(G, dtype=np.bool_)
    lyap_ok = np.ones(G, dtype=np.bool_)
    ring = np.zeros((length, depth, G))
    ring_r = np.zeros((length, G))
    hist = np.zeros((hist_len, depth, G))
    v = np.ones((depth, G))
    acc = np.zeros((nbatch, G))
    ex = np.zeros((nbatch, 2, depth, G))
    act = np.zeros(G, dtype=np.bool_)
    bat_j = np.zeros(G, dtype=np.int64)
    tan_j = np.zeros(G, dtype=np.bool_)
    hist_j = np.zeros(G, dtype=np.bool_)
    gg2 = np.empty(depth)
    hv2 = np.empty(depth)
    psi = np.empty(G)
    mpr = np.empty(G)
    gst = np.empty(G, dtype=np.int8)
    pp = np.empty(G)
    cc = np.empty(G)
    ws = group_scratch(depth, G)
    col = np.empty(depth)
    tolv = np.empty(depth)
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
                found_prev[j] = 0
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
            bat_j[j] = -1
            tan_j[j] = False
            hist_j[j] = False
            if rowid[j] < 0:
                continue
            t = tt[j]
            tan_j[j] = t >= lyap_start
            hist_j[j] = t + length > max_steps - hist_len
            blk = t // length - first_batch_block
            if tan_j[j] and batch_blocks > 0 and 0 <= blk < nbatch * batch_blocks:
                bat_j[j] = blk // batch_blocks
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
                bat = bat_j[j]
                if bat >= 0:
                    for i in range(depth):
                        a = abs(w[i, j])
                        if a < ex[bat, 0, i, j]:
                            ex[bat, 0, i, j] = a
                        if a > ex[bat, 1, i, j]:
                            ex[bat, 1, i, j] = a
                if tan_j[j] and depth == 3:  # as below, unrolled (the same operations)
                    w0, w1, w2 = w[0, j], w[1, j], w[2, j]
                    v0, v1, v2 = v[0, j], v[1, j], v[2, j]
                    h0, g0 = _dprod(0.0, 1.0, w1, v1)
                    h0, g0 = _dprod(h0, g0, w2, v2)
                    h1, g1 = _dprod(0.0, 1.0, w0, v0)
                    h1, g1 = _dprod(h1, g1, w2, v2)
                    h2, g2 = _dprod(0.0, 1.0, w0, v0)
                    h2, g2 = _dprod(h2, g2, w1, v1)
                    gv = g0 * v0
                    gv = gv + g1 * v1
                    gv = gv + g2 * v2
                    c = emv[j]
                    v[0, j] = v0 - c * (g0 * gv + r * h0)
                    v[1, j] = v1 - c * (g1 * gv + r * h1)
                    v[2, j] = v2 - c * (g2 * gv + r * h2)
                elif tan_j[j]:
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
            # GD step of the active slots; while every active |pi| is in (1e-280, 1e280) (the common case) as
            # SIMD lanes across the group (a lane of an inactive slot keeps its weights)
            nfix = 0
            for j in range(G):
                ap = abs(pp[j])
                nfix += act[j] and not (1e-280 < ap < 1e280)
            if nfix == 0:
                for i in range(depth):
                    for j in range(G):
                        wij = w[i, j]
                        nw = wij - cc[j] * (pp[j] / wij)
                        w[i, j] = nw if act[j] else wij
                for j in range(G):
                    tt[j] += act[j]
                # a row with a non-finite weight becomes NaN after the GFS solve (which gives NONFINITE either way)
            else:
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
                        step_row(col, emv[j], yv[j], out)
                        for i in range(depth):
                            w[i, j] = out[i]
                    tt[j] += 1
            gfs_group(w, yv, sv, syv, fv, warm, act, psi, mpr, gst, ws)
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
                if not math.isfinite(p):  # a non-finite weight (or an overflowing product)
                    bad = False
                    for i in range(depth):
                        if not math.isfinite(w[i, j]):
                            bad = True
                    if bad:
                        for i in range(depth):
                            w[i, j] = np.nan
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
            others_row(col, gg)
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
                for i in range(depth):  # each |w_i| repeats to 1e-9 of its own largest value in the ring
                    mx = ring[0, i, j]
                    for s in range(1, length):
                        if ring[s, i, j] > mx:
                            mx = ring[s, i, j]
                    tolv[i] = 1e-9 * mx
                found = 0
                last = (t - 1) % length
                for k in range(2, max_period + 1):
                    ok = True
                    for jj in range(k):  # ring slots of steps t - 1 - jj and t - 1 - jj - k (jj < k <= length / 2)
                        s_now = last - jj
                        if s_now < 0:
                            s_now += length
                        s_back = s_now - k
                        if s_back < 0:
                            s_back += length
                        for i in range(depth):
                            if not abs(ring[s_now, i, j] - ring[s_back, i, j]) <= tolv[i]:
                                ok = False
                                break
                        if not ok:
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
                same_k = found == found_prev[j]
                found_prev[j] = found
                if found > 0 and same_k and steady and er * gnorm > tolw:
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
            for i in range(depth):  # per coordinate, over the iterates the search compares
                mx = 0.0
                for jj in range(avail):
                    hv_ = hist[(t - 1 - jj) % hist_len, i, j]
                    if hv_ > mx:
                        mx = hv_
                tolv[i] = 1e-9 * mx
            lp = 0
            for k in range(2, avail // 3 + 1):
                ok = True
                for jj in range(2 * k):
                    s_now = (t - 1 - jj) % hist_len
                    s_back = (t - 1 - jj - k) % hist_len
                    for i in range(depth):
                        if not abs(hist[s_now, i, j] - hist[s_back, i, j]) <= tolv[i]:
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
            for s in range(nbatch):
                for b in range(2):
                    for i in range(depth):
                        bext[row, s, b, i] = ex[s, b, i, j]
            _emit(j, rowid, tt, w, psi_prev, mi, mo, _UNDECIDED, 0, why, status, period, final, max_inc, mono,
                  steps, reason, weights)  # fmt: skip


@njit(**JIT)
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


@njit(**JIT)
def _dprod(dpr, pr, wk, vk):
    """One factor of the product of the other weights and of its derivative along ``v`` (the tangent's loop)."""
    return dpr * wk + pr * vk, pr * wk

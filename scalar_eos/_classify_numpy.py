"""The NumPy engine of the fused outcome classifier (private).

The rows of a chunk run in lockstep as columns ``(D, n)``; finished rows are
retired from the batch.  Every float64 operation is the one of the compiled
kernel (:mod:`scalar_eos._kernels_classify`), in the same order, so a row's
result does not depend on the other rows of its chunk and the two engines
agree bit for bit on the polynomial path of the GFS shift.
"""

from __future__ import annotations

import numpy as np

__all__ = ["HIST_LEN", "N_BATCH", "bump", "classify_numpy", "lyapunov_schedule"]

#: Iterates kept for the end-of-budget period search (periods up to ``HIST_LEN // 3``).
HIST_LEN = 768
#: Lyapunov batches (two windows of ``N_BATCH // 2``).
N_BATCH = 16
_EPS = np.finfo(float).eps
_MAX_NEWTON = 200
_POLY_MAX_DEPTH = 8
_INCREASE_RTOL = 1e-12
_OK, _NONFINITE, _SADDLE, _RANGE, _NOT_CONVERGED = 0, 1, 2, 3, 4
_CONVERGED, _PERIODIC, _DIVERGED, _SADDLE_OUT, _UNDECIDED = 0, 1, 2, 3, 4


def lyapunov_schedule(max_steps: int, max_period: int) -> tuple[int, int]:
    """``(start, batch_blocks)``: the step where the tangent vector starts and the batch length in blocks.

    Blocks have ``2 K`` steps.  The tangent vector starts at the block nearest
    to half the budget; the first quarter of the remaining full blocks lets it
    align, the rest is split into :data:`N_BATCH` batches ending at the last
    full block.  ``batch_blocks == 0`` means the budget is too short for an
    estimate.

    Examples
    --------
    >>> lyapunov_schedule(20000, 16)
    (9984, 14)
    """
    length = 2 * max_period
    n_blocks = max_steps // length
    s0 = n_blocks // 2
    avail = n_blocks - s0
    batch_blocks = (avail - avail // 4) // N_BATCH
    return s0 * length, batch_blocks


def bump(n: int) -> np.ndarray:
    """Weights ``exp(-1 / (s (1 - s)))`` at ``s = (q + 1/2) / n`` for weighted Birkhoff averages."""
    s = (np.arange(n) + 0.5) / n
    return np.exp(-1.0 / (s * (1.0 - s)))


# --------------------------------------------------------------------------- numpy engine: GFS


def _log_product(x: np.ndarray) -> np.ndarray:
    mant, expo = np.frexp(x)
    return np.log(np.prod(mant, axis=0)) + np.sum(expo, axis=0) * np.log(2.0)


def _gfs_cols(
    wt: np.ndarray, y: np.ndarray, scale: np.ndarray, sy: np.ndarray, fac: np.ndarray, warm: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(psi, mprime, status)`` of every column of ``wt`` (D, n); ``_kernels.gfs_row`` column by column."""
    depth, n = wt.shape
    finite = np.isfinite(wt).all(0)
    if depth > 2:
        a = np.abs(wt)
        amin = a.min(0)
        # saddle: two zero weights, or pi/y < 0 with the smallest magnitude attained twice
        pi_sign = np.sign(wt).prod(0)  # 0 if a weight is 0 (NaN for non-finite columns)
        zero = pi_sign == 0
        neg = pi_sign * y < 0
        gap = ((a - amin) / sy) * ((a + amin) / sy)
        gmax = gap.max(0)
        if depth <= _POLY_MAX_DEPTH and not (zero | neg).any() and finite.all() and (gmax < 1e30).all():
            return _solve_poly(gap, warm, fac)  # the common case: no saddle, one polynomial solve
    psi = np.full(n, np.nan)
    mpr = np.full(n, np.nan)
    status = np.zeros(n, dtype=np.int8)
    status[~finite] = _NONFINITE
    if depth == 2:
        a1, a2 = np.abs(wt[0]), np.abs(wt[1])
        val = scale * np.hypot((a1 - a2) * (a1 + a2), 2.0 * y)
        sad = finite & (a1 == a2) & (wt[0] * wt[1] * y <= 0)
        status[sad] = _SADDLE
        status[finite & ~sad & ~np.isfinite(val)] = _RANGE
        ok = status == _OK
        psi[ok] = val[ok]
        return psi, mpr, status
    if depth == 1:
        a = np.abs(wt)
        amin = a.min(0)
        pi_sign = np.sign(wt).prod(0)
        zero, neg = pi_sign == 0, pi_sign * y < 0
        gap = ((a - amin) / sy) * ((a + amin) / sy)
        gmax = gap.max(0)
    sad = np.zeros(n, dtype=bool)
    if zero.any():
        sad[zero] = np.sum(wt[:, zero] == 0, axis=0) >= 2
    if neg.any():
        sad[neg] = np.sum(a[:, neg] == amin[neg], axis=0) >= 2
    sad &= finite
    status[sad] = _SADDLE
    status[finite & ~sad & ~np.isfinite(gmax)] = _RANGE
    good = status == _OK
    if depth == 1:
        psi[good] = scale[good]
        mpr[good] = 1.0
        return psi, mpr, status
    poly = good & (gmax < 1e30) if depth <= _POLY_MAX_DEPTH else np.zeros(n, dtype=bool)
    if np.any(poly):
        idx = np.flatnonzero(poly)
        val, m, st = _solve_poly(gap[:, idx], warm[idx], fac[idx])
        psi[idx], mpr[idx], status[idx] = val, m, st
    logd = good & ~poly
    if np.any(logd):
        idx = np.flatnonzero(logd)
        val, m, st = _solve_log(gap[:, idx], fac[idx])
        psi[idx], mpr[idx], status[idx] = val, m, st
    return psi, mpr, status


def _solve_poly(dn: np.ndarray, warm: np.ndarray, fac: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    depth, n = dn.shape
    coef = [np.ones(n)]
    for i in range(depth):
        di = dn[i]
        nxt = [coef[0]]
        for k in range(1, len(coef)):
            nxt.append(coef[k] + di * coef[k - 1])
        nxt.append(di * coef[-1])
        coef = nxt
    q = coef[:-1]
    cold = ~(warm > 0)
    if np.any(cold):  # the cold start where no warm start is given
        c0, c1 = q[-1], (q[-2] if depth > 1 else np.zeros(n))
        disc = np.sqrt(c0 * c0 + 4.0 * c1)
        with np.errstate(divide="ignore", invalid="ignore"):
            m = np.where(c1 > 0, 2.0 / (c0 + disc), np.where(c0 > 1.0, 1.0 / c0, 1.0))
        m = np.where(cold, np.minimum(m, 1.0), warm)
    else:
        m = warm.copy()
    # Newton on m * q(m) = 1; a column's result is its first accepted iterate (later iterates are discarded)
    p_at = np.full(n, np.nan)
    dp_at = np.full(n, np.nan)
    m_at = np.full(n, np.nan)
    accepted = np.zeros(n, dtype=bool)
    idx = None  # columns still iterated (None: all)
    tol = 4 * depth * _EPS
    first = True
    for _ in range(_MAX_NEWTON):
        # Horner for q and q'; q[0] == 1, so the first round (qd = 0 * m + 1, qv = 1 * m + q[1]) is exact
        qd, qv = q[0], m + q[1]
        for c in q[2:]:
            qd = qd * m + qv
            qv = qv * m + c
        p = m * qv
        dp = qv + m * qd
        r = p - 1.0
        done = np.abs(r) <= tol
        if idx is None:
            if first:
                first = False
            else:
                done &= ~accepted
            np.copyto(p_at, p, where=done)
            np.copyto(dp_at, dp, where=done)
            np.copyto(m_at, m, where=done)
            accepted |= done
            left = n - np.count_nonzero(accepted)
            if left == 0:
                break
            if 4 * left < n:  # compact when few columns are left
                keep = ~accepted
                idx = np.flatnonzero(keep)
                m, r, dp = m[keep], r[keep], dp[keep]
                q = [c[keep] for c in q]
        elif np.any(done):
            sel = idx[done]
            p_at[sel], dp_at[sel], m_at[sel] = p[done], dp[done], m[done]
            accepted[sel] = True
            keep = ~done
            if not np.any(keep):
                break
            idx, m, r, dp = idx[keep], m[keep], r[keep], dp[keep]
            q = [c[keep] for c in q]
        m = m - r / dp
    val = fac * (dp_at / p_at)
    rng = ~np.isfinite(val) | ~(m_at > 1e-300)
    ok = accepted & ~rng
    psi = np.where(ok, val, np.nan)
    m_out = np.where(ok, m_at, np.nan)
    status = np.where(accepted, np.where(rng, _RANGE, _OK), _NOT_CONVERGED).astype(np.int8)
    return psi, m_out, status


def _solve_log(dn: np.ndarray, fac: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    depth, n = dn.shape
    pos = dn > 0
    others = _log_product(np.where(pos, dn, 1.0))
    u = np.where(np.sum(pos, axis=0) == depth - 1, np.minimum(0.0, -others), 0.0)
    psi = np.full(n, np.nan)
    m_out = np.full(n, np.nan)
    status = np.full(n, _NOT_CONVERGED, dtype=np.int8)
    idx = np.arange(n)
    d = dn
    for _ in range(_MAX_NEWTON):
        m = np.exp(u)
        x = d + m
        f = _log_product(x)
        inv = np.sum(1.0 / x, axis=0)
        hopeless = ~np.isfinite(inv) | ~np.isfinite(u)
        done = hopeless | (np.abs(f) <= 4 * _EPS * (depth + np.abs(u)))
        if np.any(done):
            sel = idx[done]
            val = fac[sel] * inv[done]
            mp_ = np.exp(u[done])
            rng = hopeless[done] | ~np.isfinite(val) | ~(mp_ > 1e-300)
            psi[sel] = np.where(rng, np.nan, val)
            m_out[sel] = np.where(rng, np.nan, mp_)
            status[sel] = np.where(rng, _RANGE, _OK)
            if np.all(done):
                break
            keep = ~done
            idx, d, u, f, inv, m = idx[keep], d[:, keep], u[keep], f[keep], inv[keep], m[keep]
        u = u - f / (m * inv)
    return psi, m_out, status


# --------------------------------------------------------------------------- numpy engine: GD


def _others(wt: np.ndarray) -> np.ndarray:
    """``prod_{k != i} w_k`` per column as prefix times suffix products (exact with zeros)."""
    depth = wt.shape[0]
    pre = np.ones_like(wt)
    suf = np.ones_like(wt)
    if depth > 1:
        pre[1:] = np.cumprod(wt[:-1], axis=0)
        suf[:-1] = np.cumprod(wt[:0:-1], axis=0)[::-1]
    return pre * suf


def _step(wt: np.ndarray, em: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One GD step on columns; returns ``(next, product of next)``; rows leaving the range become NaN."""
    p = wt.prod(0)
    ap = np.abs(p)
    c = em * (p - y)
    nxt = wt - c * (p / wt)
    fix = ~((ap > 1e-280) & (ap < 1e280))
    if fix.any():
        fin = fix & np.isfinite(wt).all(0)
        if fin.any():
            nxt[:, fin] = wt[:, fin] - c[fin] * _others(wt[:, fin])
    bad = ~np.isfinite(nxt).all(0)
    if bad.any():
        nxt[:, bad] = np.nan
    return nxt, nxt.prod(0)


def _tangent(wt: np.ndarray, v: np.ndarray, em: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``(I - em (g g^T + r Hess pi)) v`` per column, in the compiled kernel's order."""
    depth = wt.shape[0]
    r = np.prod(wt, axis=0) - y
    # row i accumulates prod_{k != i} w_k (g) and its derivative along v (hv) over k in order, all rows at once
    g = np.ones_like(wt)
    hv = np.zeros_like(wt)
    for k in range(depth):
        nh = hv * wt[k] + g * v[k]
        ng = g * wt[k]
        nh[k], ng[k] = hv[k], g[k]  # row k skips its own factor
        hv, g = nh, ng
    gv = g[0] * v[0]
    for i in range(1, depth):
        gv = gv + g[i] * v[i]
    return v - em * (g * gv + r * hv)


# --------------------------------------------------------------------------- numpy engine: classifier


def classify_numpy(W, eta, y, scale, em, sy, fac, limit, max_steps, max_period, rtol, out) -> None:
    """The classifier on the rows of ``W`` in lockstep; fills ``out`` (see ``_classify.classify_arrays``)."""
    n, depth = W.shape
    length = 2 * max_period
    lyap_start, batch_blocks = lyapunov_schedule(max_steps, max_period)
    n_blocks = max_steps // length
    first_batch_block = n_blocks - N_BATCH * batch_blocks
    hist_len = HIST_LEN
    wt = np.array(W.T, dtype=float, order="C")
    idx = np.arange(n)
    ay = np.abs(y)
    psi_prev, warm, _ = _gfs_cols(wt, y, scale, sy, fac, np.full(n, np.nan))
    last_psi, last_st = psi_prev.copy(), np.zeros(n, dtype=np.int8)
    ring = np.zeros((length, depth, n))
    ring_r = np.zeros((length, n))
    hist: np.ndarray | None = None
    hist_t0 = max(0, max_steps - hist_len)
    amp_prev = np.full(n, np.nan)
    found_prev = np.zeros(n, dtype=np.int32)
    mi = np.full(n, -np.inf)
    mo = np.ones(n, dtype=bool)
    v = np.tile((1.0 + np.arange(depth) / depth)[:, None], (1, n))
    acc = np.zeros((N_BATCH, n))
    lyap_ok = np.ones(n, dtype=bool)
    bext = np.empty((N_BATCH, 2, depth, n))
    bext[:, 0], bext[:, 1] = np.inf, -np.inf
    t = 0
    st = {"y": y, "ay": ay, "eta": eta, "em": em, "scale": scale, "sy": sy, "fac": fac, "limit": limit}

    def finish(mask: np.ndarray, code: int, period: np.ndarray | None = None) -> None:
        nonlocal wt, idx, psi_prev, warm, last_psi, last_st, ring, ring_r, amp_prev, mi, mo, v, acc, lyap_ok, found_prev
        nonlocal bext, hist, st
        if not np.any(mask):
            return
        rows = idx[mask]
        out["status"][rows] = code
        out["steps"][rows] = t
        out["weights"][rows] = wt[:, mask].T
        out["final"][rows] = psi_prev[mask]
        out["max_inc"][rows] = mi[mask]
        out["mono"][rows] = mo[mask]
        if period is not None:
            out["period"][rows] = period[mask]
        keep = ~mask
        idx, wt, psi_prev, warm, last_psi, last_st = (
            idx[keep],
            wt[:, keep],
            psi_prev[keep],
            warm[keep],
            last_psi[keep],
            last_st[keep],
        )
        ring, ring_r, amp_prev, mi, mo = ring[:, :, keep], ring_r[:, keep], amp_prev[keep], mi[keep], mo[keep]
        found_prev = found_prev[keep]
        v, acc, lyap_ok, bext = v[:, keep], acc[:, keep], lyap_ok[keep], bext[..., keep]
        hist = None if hist is None else hist[:, :, keep]
        st = {k: a[keep] for k, a in st.items()}

    finish(~np.all(np.isfinite(wt), axis=0), _DIVERGED)
    p = np.prod(wt, axis=0)
    while idx.size and t < max_steps:
        for _ in range(length):
            r = p - st["y"]
            slot = t % length
            aw = np.abs(wt)
            ring[slot] = aw
            ring_r[slot] = np.abs(r)
            if t >= hist_t0:
                if hist is None:
                    hist = np.zeros((hist_len, depth, idx.size))
                hist[t % hist_len] = aw
            if t >= lyap_start:
                blk = t // length - first_batch_block
                if batch_blocks > 0 and 0 <= blk < N_BATCH * batch_blocks:
                    b = blk // batch_blocks
                    np.minimum(bext[b, 0], aw, out=bext[b, 0])
                    np.maximum(bext[b, 1], aw, out=bext[b, 1])
                v = _tangent(wt, v, st["em"], st["y"])
            wt, p = _step(wt, st["em"], st["y"])
            t += 1
            psi, warm, gst = _gfs_cols(wt, st["y"], st["scale"], st["sy"], st["fac"], warm)
            inc = psi - psi_prev
            mi = np.fmax(mi, inc)
            mo &= ~(inc > _INCREASE_RTOL * np.abs(psi_prev))
            psi_prev = np.where(np.isfinite(psi), psi, psi_prev)
            last_psi, last_st = psi, gst
            div = np.isnan(wt[0]) | (np.abs(p) > st["limit"])
            if div.any():
                finish(div, _DIVERGED)
                p = p[~div]
            if not idx.size or t >= max_steps:
                break
        if not idx.size:
            break
        if t > lyap_start and t % length == 0:
            nv = np.sqrt(np.sum(v * v, axis=0))
            bad = ~(nv > 0.0) | ~np.isfinite(nv)
            lyap_ok &= ~bad
            blk = t // length - 1 - first_batch_block
            if batch_blocks > 0 and 0 <= blk < N_BATCH * batch_blocks:
                acc[blk // batch_blocks] += np.where(bad, 0.0, np.log(np.where(bad, 1.0, nv)))
            v = np.where(bad, (1.0 + np.arange(depth) / depth)[:, None], v / np.where(bad, 1.0, nv))
        # ---- tests at the end of a block
        r = p - st["y"]
        recompute = np.isnan(warm)
        psi_e, st_e = last_psi.copy(), last_st.copy()
        if np.any(recompute):
            j = np.flatnonzero(recompute)
            pe, _, se = _gfs_cols(wt[:, j], st["y"][j], st["scale"][j], st["sy"][j], st["fac"][j], warm[j])
            psi_e[j], st_e[j] = pe, se
        rho = np.abs(1.0 - st["eta"] * psi_e)
        qmin = np.min(wt * wt, axis=0)
        a = st["em"] * r * p
        tail = (a * a / np.maximum(qmin, 1e-300)) * psi_e / (st["y"] * st["y"]) / np.maximum(1.0 - rho * rho, 1e-300)
        conv = (st_e == _OK) & (rho < 1.0) & (np.abs(r) <= 1e-3 * st["ay"] * (1.0 - rho)) & (tail <= rtol)
        conv |= r == 0.0
        psi_prev = np.where(np.isfinite(psi_e), psi_e, psi_prev)
        if np.any(conv):
            finish(conv, _CONVERGED)
            p, r = p[~conv], r[~conv]
            if not idx.size:
                break
        g = _others(wt)
        gnorm = np.abs(r) * np.sqrt(np.sum(g * g, axis=0)) * st["scale"]
        sad = (gnorm < 1e-12) & (np.abs(r) > 0.1 * st["ay"])
        if np.any(sad):
            finish(sad, _SADDLE_OUT)
            p, gnorm = p[~sad], gnorm[~sad]
            if not idx.size:
                break
        if t < length:
            continue
        period = np.zeros(idx.size, dtype=np.int32)
        tolw = 1e-9 * np.max(np.abs(wt), axis=0)
        tolv = 1e-9 * ring.max(axis=0)  # each |w_i| repeats to 1e-9 of its own largest value in the ring
        for k in range(2, max_period + 1):
            cand = period == 0
            if not np.any(cand):
                break
            match = cand.copy()
            for j in range(k):
                now = ring[(t - 1 - j) % length]
                back = ring[(t - 1 - j - k) % length]
                match &= np.all(np.abs(now - back) <= tolv, axis=0)
                if not np.any(match):
                    break
            period[match] = k
        amp = np.max(ring_r, axis=0)
        tol = np.where(st["eta"] * psi_prev > 2.0, 1e-6, 1e-9)
        steady = (amp > 1e-6 * st["ay"]) & (np.abs(amp - amp_prev) <= tol * amp)
        amp_prev = amp
        # a near-stationary iterate (a step below the repetition tolerance, e.g. creeping at a saddle) is no orbit
        # the same smallest period in two consecutive blocks (near a doubling, 2k can match before k does)
        per = (period > 0) & (period == found_prev) & steady & (st["eta"] * gnorm > tolw)
        found_prev = period
        if np.any(per):
            finish(per, _PERIODIC, period=period)
            p = p[~per]
    if not idx.size:
        return
    # ---- undecided at the end of the budget
    amp = np.max(ring_r, axis=0)
    near = np.abs(st["eta"] * psi_prev - 2.0) < 0.02
    rows = idx
    out["reason"][rows] = np.where(near, 1, np.where(amp > 1e-6 * st["ay"], 2, 3))
    if hist is not None:
        avail = min(hist_len, t)
        tolw = 1e-9 * hist[(t - 1 - np.arange(avail)) % hist_len].max(axis=0)  # per coordinate, compared iterates
        lp = np.zeros(idx.size, dtype=np.int32)
        for k in range(2, avail // 3 + 1):
            cand = lp == 0
            if not np.any(cand):
                break
            match = cand & np.all(np.abs(hist[(t - 1) % hist_len] - hist[(t - 1 - k) % hist_len]) <= tolw, axis=0)
            for j in range(1, 2 * k):
                if not np.any(match):
                    break
                now = hist[(t - 1 - j) % hist_len]
                back = hist[(t - 1 - j - k) % hist_len]
                match &= np.all(np.abs(now - back) <= tolw, axis=0)
            lp[match] = np.where(k > max_period, k, -k)
        out["long_period"][rows] = lp
        if t >= hist_len:
            hl = hist_len // 2
            weights = bump(hl)
            for h in range(2):
                num = np.zeros(idx.size)
                den = 0.0
                for q in range(hl):
                    f = hist[(t - hist_len + h * hl + q) % hist_len]
                    num = num + weights[q] * np.prod(f, axis=0)
                    den = den + weights[q]
                out["birkhoff"][rows, h] = num / den
    if batch_blocks > 0 and t >= n_blocks * length:
        lyap = (acc / (batch_blocks * length)).T
        out["lyap"][rows] = np.where(lyap_ok[:, None], lyap, np.nan)
    out["bext"][rows] = np.moveaxis(bext, -1, 0)
    finish(np.ones(idx.size, dtype=bool), _UNDECIDED)

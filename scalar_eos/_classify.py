"""Fused GD outcome classifier: engines and the end-of-budget analysis (private).

Two engines run the same algorithm and return the same arrays:

* ``"numba"`` - :mod:`scalar_eos._kernels`, one row after the other in
  compiled code (``pip install 'scalar-eos[fast]'``);
* ``"numpy"`` - the rows of a chunk in lockstep as NumPy columns ``(D, n)``,
  finished rows retired from the batch.

Per step a row does one GD step, a warm-started Newton solve of the GFS shift
(the previous step's root is the start: one or two iterations), and constant
work for the bookkeeping (largest GFS sharpness increase, a ring of the last
``2 K`` iterates); every ``2 K`` steps it is tested for divergence,
certified convergence, a saddle, and a steady orbit of period ``<= K``, with
the criteria of :mod:`scalar_eos.outcome`.  The float64 operations of both
engines are the same and in the same order, so on the polynomial path of the
GFS shift (``D <= 8``, normalised gaps below ``1e30``) they agree bit for bit.

For rows still running when the budget ends, the second half of the run also
propagates a tangent vector by the Jacobian ``I - eta m (g g^T + r Hess pi)``
of the GD map and records the log-growth in 16 consecutive batches (after a
quarter of that half for the vector to align), the range of every ``|w_i|`` in
the two windows of 8 batches, and the last ``hist_len`` iterates.
:func:`finalize` turns these into the statuses ``chaotic``,
``quasiperiodic`` and ``periodic`` (period ``> K``), or a precise reason for
``undecided``.
"""

from __future__ import annotations

import os

import numpy as np

from .errors import InvalidArgument

__all__ = ["ENGINES", "classify_arrays", "engine_info", "finalize", "lyapunov_schedule", "resolve_engine"]

ENGINES = ("auto", "numba", "numpy")
#: Environment variable that forces an engine (``numba`` or ``numpy``) when ``engine="auto"``.
ENGINE_ENV = "SCALAR_EOS_ENGINE"
#: Iterates kept for the end-of-budget period search (periods up to ``HIST_LEN // 3``).
HIST_LEN = 768
#: Rows the compiled engine runs in lockstep (independent chains the CPU overlaps).
GROUP = 32
#: Lyapunov batches (two windows of ``N_BATCH // 2``).
N_BATCH = 16
_EPS = np.finfo(float).eps
_MAX_NEWTON = 200
_POLY_MAX_DEPTH = 8
_INCREASE_RTOL = 1e-12
_OK, _NONFINITE, _SADDLE, _RANGE, _NOT_CONVERGED = 0, 1, 2, 3, 4
_CONVERGED, _PERIODIC, _DIVERGED, _SADDLE_OUT, _UNDECIDED = 0, 1, 2, 3, 4


# --------------------------------------------------------------------------- engine choice


def _numba_version() -> str | None:
    try:
        import numba
    except ImportError:
        return None
    return str(numba.__version__)


def resolve_engine(engine: str = "auto") -> str:
    """``"numba"`` or ``"numpy"`` for a requested engine.

    ``"auto"`` takes ``$SCALAR_EOS_ENGINE`` if set, else numba when it is
    installed.  Asking for ``"numba"`` without numba installed is an error.

    Examples
    --------
    >>> resolve_engine("numpy")
    'numpy'
    """
    if engine not in ENGINES:
        raise InvalidArgument(f"engine must be one of {list(ENGINES)}, got {engine!r}")
    if engine == "auto":
        forced = os.environ.get(ENGINE_ENV, "").strip().lower()
        if forced:
            if forced not in ("numba", "numpy"):
                raise InvalidArgument(f"${ENGINE_ENV} must be 'numba' or 'numpy', got {forced!r}")
            engine = forced
        else:
            engine = "numba" if _numba_version() is not None else "numpy"
    if engine == "numba" and _numba_version() is None:
        raise InvalidArgument("the numba engine needs numba: pip install 'scalar-eos[fast]' (or use engine='numpy')")
    return engine


def engine_info(engine: str = "auto") -> dict[str, str]:
    """Name and version of the engine that ``engine`` resolves to (recorded in sweep files).

    Examples
    --------
    >>> sorted(engine_info("numpy"))
    ['engine', 'version']
    """
    name = resolve_engine(engine)
    return {"engine": name, "version": _numba_version() if name == "numba" else np.__version__}


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


# --------------------------------------------------------------------------- numpy engine: GFS


def _log_product(x: np.ndarray) -> np.ndarray:
    mant, expo = np.frexp(x)
    return np.log(np.prod(mant, axis=0)) + np.sum(expo, axis=0) * np.log(2.0)


def _gfs_cols(
    wt: np.ndarray, y: np.ndarray, scale: np.ndarray, sy: np.ndarray, fac: np.ndarray, warm: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(psi, mprime, status)`` of every column of ``wt`` (D, n); ``_kernels.gfs_row`` column by column."""
    depth, n = wt.shape
    psi = np.full(n, np.nan)
    mpr = np.full(n, np.nan)
    status = np.zeros(n, dtype=np.int8)
    finite = np.all(np.isfinite(wt), axis=0)
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
    a = np.abs(wt)
    amin = np.min(a, axis=0)
    # saddle: two zero weights, or pi/y < 0 with the smallest magnitude attained twice
    pi_sign = np.prod(np.sign(wt), axis=0)  # 0 if a weight is 0 (NaN for non-finite columns)
    sad = np.zeros(n, dtype=bool)
    zero = pi_sign == 0
    if zero.any():
        sad[zero] = np.sum(wt[:, zero] == 0, axis=0) >= 2
    neg = pi_sign * y < 0
    if neg.any():
        sad[neg] = np.sum(a[:, neg] == amin[neg], axis=0) >= 2
    sad &= finite
    gap = ((a - amin) / sy) * ((a + amin) / sy)
    status[sad] = _SADDLE
    gmax = np.max(gap, axis=0)
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
    c0, c1 = q[-1], (q[-2] if depth > 1 else np.zeros(n))
    disc = np.sqrt(c0 * c0 + 4.0 * c1)
    with np.errstate(divide="ignore", invalid="ignore"):
        m = np.where(c1 > 0, 2.0 / (c0 + disc), np.where(c0 > 1.0, 1.0 / c0, 1.0))
    m = np.minimum(m, 1.0)
    m = np.where(warm > 0, warm, m)
    psi = np.full(n, np.nan)
    m_out = np.full(n, np.nan)
    status = np.full(n, _NOT_CONVERGED, dtype=np.int8)
    idx = np.arange(n)
    tol = 4 * depth * _EPS
    pending = np.ones(n, dtype=bool)
    for _ in range(_MAX_NEWTON):
        qv, qd = q[0], np.zeros_like(m)
        for c in q[1:]:
            qd = qd * m + qv
            qv = qv * m + c
        p = m * qv
        dp = qv + m * qd
        r = p - 1.0
        done = pending & (np.abs(r) <= tol)
        if done.any():
            sel = idx[done]
            val = fac[sel] * (dp[done] / p[done])
            md = m[done]
            rng = ~np.isfinite(val) | ~(md > 1e-300)
            psi[sel] = np.where(rng, np.nan, val)
            m_out[sel] = np.where(rng, np.nan, md)
            status[sel] = np.where(rng, _RANGE, _OK)
            pending &= ~done
            left = np.count_nonzero(pending)
            if left == 0:
                break
            if 4 * left < pending.size:  # compact when few columns are left
                idx, m, r, dp = idx[pending], m[pending], r[pending], dp[pending]
                q = [c[pending] for c in q]
                pending = np.ones(left, dtype=bool)
        # a finished column keeps its m (its result is recorded once, at its first accepted iterate)
        m = np.where(pending, m - r / dp, m)
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
    p = np.prod(wt, axis=0)
    ap = np.abs(p)
    c = em * (p - y)
    nxt = wt - c * (p / wt)
    fix = ~((ap > 1e-280) & (ap < 1e280))
    if np.any(fix):
        fin = fix & np.all(np.isfinite(wt), axis=0)
        if np.any(fin):
            nxt[:, fin] = wt[:, fin] - c[fin] * _others(wt[:, fin])
    bad = ~np.all(np.isfinite(nxt), axis=0)
    if np.any(bad):
        nxt[:, bad] = np.nan
    return nxt, np.prod(nxt, axis=0)


def _tangent(wt: np.ndarray, v: np.ndarray, em: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``(I - em (g g^T + r Hess pi)) v`` per column, in ``_kernels._tangent``'s order."""
    depth = wt.shape[0]
    r = np.prod(wt, axis=0) - y
    g = np.empty_like(wt)
    hv = np.empty_like(wt)
    for i in range(depth):
        pr = np.ones(wt.shape[1])
        dpr = np.zeros(wt.shape[1])
        for k in range(depth):
            if k != i:
                dpr = dpr * wt[k] + pr * v[k]
                pr = pr * wt[k]
        g[i], hv[i] = pr, dpr
    gv = g[0] * v[0]
    for i in range(1, depth):
        gv = gv + g[i] * v[i]
    return v - em * (g * gv + r * hv)


# --------------------------------------------------------------------------- numpy engine: classifier


def _classify_numpy(W, eta, y, scale, em, sy, fac, limit, max_steps, max_period, rtol, out) -> None:
    n, depth = W.shape
    length = 2 * max_period
    lyap_start, batch_blocks = lyapunov_schedule(max_steps, max_period)
    n_blocks = max_steps // length
    first_batch_block = n_blocks - N_BATCH * batch_blocks
    half = N_BATCH // 2
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
    mi = np.full(n, -np.inf)
    mo = np.ones(n, dtype=bool)
    v = np.tile((1.0 + np.arange(depth) / depth)[:, None], (1, n))
    acc = np.zeros((N_BATCH, n))
    lyap_ok = np.ones(n, dtype=bool)
    ext = np.empty((2, 2, depth, n))
    ext[:, 0], ext[:, 1] = np.inf, -np.inf
    t = 0
    st = {"y": y, "ay": ay, "eta": eta, "em": em, "scale": scale, "sy": sy, "fac": fac, "limit": limit}

    def finish(mask: np.ndarray, code: int, period: np.ndarray | None = None) -> None:
        nonlocal wt, idx, psi_prev, warm, last_psi, last_st, ring, ring_r, amp_prev, mi, mo, v, acc, lyap_ok
        nonlocal ext, hist, st
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
        v, acc, lyap_ok, ext = v[:, keep], acc[:, keep], lyap_ok[keep], ext[..., keep]
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
                    win = (blk // batch_blocks) // half
                    np.minimum(ext[win, 0], aw, out=ext[win, 0])
                    np.maximum(ext[win, 1], aw, out=ext[win, 1])
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
            if np.any(div):
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
            p = p[~sad]
            if not idx.size:
                break
        if t < length:
            continue
        period = np.zeros(idx.size, dtype=np.int32)
        tolw = 1e-9 * np.max(np.abs(wt), axis=0)
        for k in range(2, max_period + 1):
            cand = period == 0
            if not np.any(cand):
                break
            match = cand.copy()
            for j in range(k):
                now = ring[(t - 1 - j) % length]
                back = ring[(t - 1 - j - k) % length]
                match &= np.max(np.abs(now - back), axis=0) <= tolw
                if not np.any(match):
                    break
            period[match] = k
        amp = np.max(ring_r, axis=0)
        tol = np.where(st["eta"] * psi_prev > 2.0, 1e-6, 1e-9)
        steady = (amp > 1e-6 * st["ay"]) & (np.abs(amp - amp_prev) <= tol * amp)
        amp_prev = amp
        per = (period > 0) & steady
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
        tolw = 1e-9 * np.max(np.abs(wt), axis=0)
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
            bump = _bump(hl)
            for h in range(2):
                num = np.zeros(idx.size)
                den = 0.0
                for q in range(hl):
                    f = hist[(t - hist_len + h * hl + q) % hist_len]
                    num = num + bump[q] * np.prod(f, axis=0)
                    den = den + bump[q]
                out["birkhoff"][rows, h] = num / den
    if batch_blocks > 0 and t >= n_blocks * length:
        lyap = (acc / (batch_blocks * length)).T
        out["lyap"][rows] = np.where(lyap_ok[:, None], lyap, np.nan)
    out["ext"][rows] = np.moveaxis(ext, -1, 0)
    finish(np.ones(idx.size, dtype=bool), _UNDECIDED)


# --------------------------------------------------------------------------- dispatch and end-of-budget analysis

#: Outcome codes added by the end-of-budget analysis (after the five of :mod:`scalar_eos.outcome`).
CHAOTIC, QUASIPERIODIC = 5, 6
#: Texts of the ``undecided`` reason codes (index = code).
REASONS = (
    "",
    "critical slowing down: eta * m * GFS sharpness is within 1% of 2",
    "oscillating without a period <= max_period (chaotic, or an orbit not yet settled)",
    "converging too slowly for the budget",
    "no period <= 256; Lyapunov exponent positive but not conclusive (the two window estimates disagree,"
    " the growth is not decisively exponential, or the iterates keep growing)",
    "no period <= 256; Lyapunov exponent zero within its error, but the range and averages of the iterates have"
    " not settled as for quasi-periodic motion (slow approach to an orbit, weak chaos, or near a bifurcation)",
    "no period <= 256; Lyapunov exponent negative (attracting): an orbit not yet settled, or of period > 256",
    "repeats with a period <= max_period whose amplitude is not yet steady",
    "drifting slowly near a saddle (gradient below 1e-6 with |r| > |y|/10; e.g. the degenerate saddle at the"
    " origin for D >= 3, approached or left only algebraically)",
)
#: Standard errors by which a Lyapunov estimate must clear 0 (and within which two windows must agree).
LYAP_SIGMAS = 3.0
#: Relative disagreement of the two window estimates always accepted for a positive exponent.
LYAP_RTOL = 0.1
#: A chaotic run's tangent vector must grow by at least ``exp(LYAP_GROWTH * D * log(max_steps))`` over the windows:
#: polynomial growth (degree < D, as along a neutral or slowly drifting orbit) cannot reach it.
LYAP_GROWTH = 2.0
#: The largest ``|w_i|`` of the second window may exceed the first window's by this factor for bounded motion.
BOUNDED_RATIO = 1.1
#: Relative change of the range of each ``|w_i|`` between the windows accepted as a steady attractor.
EXTENT_RTOL = 1e-3
#: Relative agreement of the weighted Birkhoff averages of ``|pi|`` over the two halves of the history required for
#: quasi-periodic motion (they converge super-polynomially there, like ``N^(-1/2)`` for chaos).
BIRKHOFF_RTOL = 1e-9
#: Gradient norm (in units of ``m |y|^(2 - 1/D)``) below which a run with ``|r| > |y|/10`` is near a saddle.
NEAR_SADDLE = 1e-6


def _bump(n: int) -> np.ndarray:
    """Weights ``exp(-1 / (s (1 - s)))`` at ``s = (q + 1/2) / n`` for weighted Birkhoff averages."""
    s = (np.arange(n) + 0.5) / n
    return np.exp(-1.0 / (s * (1.0 - s)))


def classify_arrays(
    W: np.ndarray,
    eta: np.ndarray,
    y: np.ndarray,
    scale: np.ndarray,
    *,
    max_steps: int,
    max_period: int,
    rtol: float,
    engine: str = "auto",
) -> dict[str, np.ndarray]:
    """Raw classifier arrays for validated inputs (``W`` (N, D) float64, the rest (N,) float64).

    Returns ``status``, ``period``, ``final`` (GFS sharpness of the last
    iterate), ``max_inc``, ``mono``, ``steps``, ``reason``, ``weights``,
    ``long_period`` (end-of-budget period search: ``k > K`` found, ``-k`` for a
    period ``<= K`` that was not steady, 0 none), ``lyap`` (N, 16) batch
    exponents and ``ext`` (N, 2, 2, D) window ranges of ``|w_i|``; call
    :func:`finalize` on the result.

    Examples
    --------
    >>> W = np.array([[0.5, 3.3, 0.5]])
    >>> one = np.ones(1)
    >>> int(classify_arrays(W, 0.45 * one, one, one, max_steps=20000, max_period=16, rtol=1e-12)["status"][0])
    0
    """
    name = resolve_engine(engine)
    n, depth = W.shape
    W = np.ascontiguousarray(W, dtype=float)
    eta, y, scale = (np.ascontiguousarray(np.broadcast_to(a, (n,)), dtype=float) for a in (eta, y, scale))
    ay = np.abs(y)
    with np.errstate(all="ignore"):
        em = eta * scale
        sy = ay ** (1.0 / depth)
        fac = scale * (ay / sy) ** 2
        limit = 1e100 * np.maximum(1.0, ay)
    out = {
        "status": np.full(n, -1, dtype=np.int8),
        "period": np.zeros(n, dtype=np.int32),
        "final": np.full(n, np.nan),
        "max_inc": np.full(n, -np.inf),
        "mono": np.ones(n, dtype=bool),
        "steps": np.zeros(n, dtype=np.int64),
        "reason": np.zeros(n, dtype=np.int8),
        "weights": np.full((n, depth), np.nan),
        "long_period": np.zeros(n, dtype=np.int32),
        "lyap": np.full((n, N_BATCH), np.nan),
        "ext": np.full((n, 2, 2, depth), np.nan),
        "birkhoff": np.full((n, 2), np.nan),
    }
    if n == 0:
        return out
    lyap_start, batch_blocks = lyapunov_schedule(max_steps, max_period)
    if name == "numba":
        from . import _kernels

        _kernels.classify_group(
            W, eta, y, scale, em, sy, fac, limit, max_steps, max_period, rtol, HIST_LEN, lyap_start, batch_blocks,
            GROUP, _bump(HIST_LEN // 2),
            out["status"], out["period"], out["final"], out["max_inc"], out["mono"], out["steps"], out["reason"],
            out["weights"], out["long_period"], out["lyap"], out["ext"], out["birkhoff"],
        )  # fmt: skip
    else:
        with np.errstate(all="ignore"):
            _classify_numpy(W, eta, y, scale, em, sy, fac, limit, max_steps, max_period, rtol, out)
    return out


def finalize(
    raw: dict[str, np.ndarray], y: np.ndarray, scale: np.ndarray, *, max_steps: int, max_period: int
) -> dict[str, np.ndarray]:
    """Decide the rows left undecided at the budget from the end-of-budget statistics.

    * ``periodic`` - the last ``3 k`` iterates repeat with a period
      ``max_period < k <= 256`` to ``1e-9`` relative (in ``|w_i|``);
    * ``chaotic`` - the finite-time Lyapunov exponent of each window (mean of
      8 batches) exceeds :data:`LYAP_SIGMAS` standard errors of the batch mean;
      the two windows agree within that many combined standard errors or
      :data:`LYAP_RTOL` relative; the tangent vector grows by more than
      ``exp(LYAP_GROWTH * D * log(max_steps))`` over the windows (decisively
      exponential, not the polynomial growth of a slow drift); and the
      iterates stay bounded (largest ``|w_i|`` of the second window within
      :data:`BOUNDED_RATIO` of the first's).  This is a statement about the run
      up to the budget: a chaotic transient that escapes later is not excluded;
    * ``quasiperiodic`` - no period ``<= 256``, the exponent of both windows
      is zero within its error, the oscillation does not vanish, the range of
      every ``|w_i|`` is the same in both windows to :data:`EXTENT_RTOL` of
      its width, and the weighted Birkhoff averages of ``|pi|`` over the two
      halves of the last ``HIST_LEN`` iterates agree to
      :data:`BIRKHOFF_RTOL` (they converge faster than any power of the
      length on a quasi-periodic orbit, like its inverse square root for
      chaos: Das, Saiki, Sander and Yorke, 2017);
    * otherwise ``undecided``; rows that were oscillating without a period get
      a finer reason code (:data:`REASONS`).

    Adds ``lyapunov`` (mean of the two windows) and ``lyapunov_err`` (its
    standard error), NaN where not estimated.

    Examples
    --------
    >>> one = np.ones(1)
    >>> raw = classify_arrays(np.array([[1.0, 1.02, 0.99]]), 0.8 * one, one, one,
    ...                       max_steps=2000, max_period=16, rtol=1e-12)
    >>> int(finalize(raw, one, one, max_steps=2000, max_period=16)["status"][0])
    1
    """
    res = dict(raw)
    status = raw["status"].copy()
    period = raw["period"].copy()
    reason = raw["reason"].copy()
    n, depth = raw["weights"].shape
    lam = np.full(n, np.nan)
    err = np.full(n, np.nan)
    und = np.flatnonzero(status == _UNDECIDED)
    if und.size:
        b = raw["lyap"][und]
        half = b.shape[1] // 2
        with np.errstate(all="ignore"):
            mu = np.stack([b[:, :half].mean(1), b[:, half:].mean(1)], 1)
            se = np.stack([b[:, :half].std(1, ddof=1), b[:, half:].std(1, ddof=1)], 1) / np.sqrt(half)
        have = np.all(np.isfinite(b), axis=1)
        lam[und] = np.where(have, mu.mean(1), np.nan)
        err[und] = np.where(have, np.sqrt(se[:, 0] ** 2 + se[:, 1] ** 2) / 2, np.nan)
        lp = raw["long_period"][und]
        comb = np.sqrt(se[:, 0] ** 2 + se[:, 1] ** 2)
        _, batch_blocks = lyapunov_schedule(max_steps, max_period)
        span = N_BATCH * batch_blocks * 2 * max_period  # steps covered by the two windows
        with np.errstate(all="ignore"):
            agree = np.abs(mu[:, 0] - mu[:, 1]) <= np.maximum(LYAP_SIGMAS * comb, LYAP_RTOL * np.max(mu, axis=1))
            decisive = np.min(mu, axis=1) * span >= LYAP_GROWTH * depth * np.log(max(max_steps, 2))
            pos = have & np.all(mu > LYAP_SIGMAS * se, axis=1)
            neg = have & np.all(mu < -LYAP_SIGMAS * se, axis=1)
            zero = have & np.all(np.abs(mu) <= LYAP_SIGMAS * se + 1e-12, axis=1)
            ext = raw["ext"][und]  # (k, window, lo/hi, D)
            bounded = np.max(ext[:, 1, 1], axis=1) <= BOUNDED_RATIO * np.max(ext[:, 0, 1], axis=1)
            width = ext[:, 1, 1] - ext[:, 1, 0]
            steady_ext = np.all(
                (np.abs(ext[:, 0, 0] - ext[:, 1, 0]) <= EXTENT_RTOL * width)
                & (np.abs(ext[:, 0, 1] - ext[:, 1, 1]) <= EXTENT_RTOL * width)
                & (width > 0),
                axis=1,
            )
            wu = raw["weights"][und]
            yu, mu_s = np.broadcast_to(y, (n,))[und], np.broadcast_to(scale, (n,))[und]
            r = np.prod(wu, axis=1) - yu
            gnorm = np.abs(r) * np.sqrt(np.sum(_others(wu.T) ** 2, axis=0)) * mu_s
            near_saddle = (np.abs(r) > 0.1 * np.abs(yu)) & (
                gnorm < NEAR_SADDLE * mu_s * np.abs(yu) ** (2.0 - 1.0 / depth)
            )
        osc = reason[und] == 2
        new = np.full(und.size, _UNDECIDED, dtype=np.int8)
        why = reason[und].copy()
        long_ok = lp > max_period
        new[long_ok] = _PERIODIC
        period[und[long_ok]] = lp[long_ok]
        free = ~long_ok & (lp == 0)
        chaos = free & pos & agree & decisive & bounded
        new[chaos] = CHAOTIC
        bk = raw["birkhoff"][und]
        with np.errstate(all="ignore"):
            smooth = np.abs(bk[:, 0] - bk[:, 1]) <= BIRKHOFF_RTOL * np.abs(bk[:, 1])
        quasi = free & ~chaos & zero & steady_ext & smooth & ~near_saddle & osc
        new[quasi] = QUASIPERIODIC
        left = (new == _UNDECIDED) & osc
        why[left & have & zero] = 5
        why[left & have & ~zero & neg] = 6
        why[left & have & ~zero & ~neg] = 4
        why[left & have & ~pos & ~zero & ~neg] = 5
        why[left & (lp < 0)] = 7
        why[left & near_saddle] = 8
        why[new != _UNDECIDED] = 0
        status[und] = new
        reason[und] = why
    res.update(status=status, period=period, reason=reason, lyapunov=lam, lyapunov_err=err)
    return res

"""GFS shift solver and GFS sharpness of the fast path (see :mod:`scalar_eos.fast`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._engine import resolve_engine
from .._validate import check_batch, check_per_row
from ._status import DEFAULT_CHUNK, FastGFS, Status, pick_rows, row_chunks

_EPS = np.finfo(float).eps
_MAX_NEWTON = 200
#: Largest depth for which the polynomial (Horner) Newton iteration is used.
_POLY_MAX_DEPTH = 8


def _log_product(x: np.ndarray) -> np.ndarray:
    """``log(prod(x, axis=0))`` for positive columns ``x`` (D, n), without overflow.

    Mantissas and exponents are multiplied and summed separately (``frexp``):
    a plain product can pass through the subnormal range on its way back to
    a moderate value and lose digits without any visible overflow.
    """
    mant, expo = np.frexp(x)
    return np.log(np.prod(mant, axis=0)) + np.sum(expo, axis=0) * np.log(2.0)


def _solve_shift(dn: np.ndarray, u0: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Root of ``F(u) = log prod_i(dn_i + e^u) = 0`` per column of ``dn`` (D, n).

    Returns ``(u, inv, ok)`` with ``inv = sum_i 1/(dn_i + e^u)`` at the returned
    ``u``.  A column is accepted when ``|F(u)| <= 4 (D + |u|) eps``: since
    ``F' >= 1`` this bounds ``|u - u*|`` and so the relative error of ``psi``.
    """
    depth, n = dn.shape
    u_out = np.full(n, np.nan)
    inv_out = np.full(n, np.nan)
    ok = np.zeros(n, dtype=bool)
    idx = np.arange(n)
    d, u = dn, u0.copy()
    rec = np.zeros(n, dtype=bool)  # recorded: a column's result is its first accepted iterate (per-column bits)
    for _ in range(_MAX_NEWTON):
        m = np.exp(u)
        x = d + m
        f = _log_product(x)
        inv = np.sum(1.0 / x, axis=0)
        done = np.abs(f) <= 4 * _EPS * (depth + np.abs(u))
        hopeless = ~np.isfinite(inv) | ~np.isfinite(u)  # e^u below the float64 range
        new = (done | hopeless) & ~rec
        if np.any(new):
            lost = new & hopeless
            if np.any(lost):
                u_out[idx[lost]] = np.where(np.isfinite(u[lost]), u[lost], -np.inf)
            good = new & ~hopeless
            sel = idx[good]
            u_out[sel], inv_out[sel], ok[sel] = u[good], inv[good], True
            rec |= new
            nrec = np.count_nonzero(rec)
            if nrec == idx.size:
                break
            if 2 * nrec >= idx.size:  # compact once enough columns are finished
                keep = ~rec
                idx, d, u, f, inv, m, rec = idx[keep], d[:, keep], u[keep], f[keep], inv[keep], m[keep], rec[keep]
        u = u - f / (m * inv)
    else:
        u_out[idx] = u  # unverified: reported as NOT_CONVERGED (or RANGE) by the caller
    return u_out, inv_out, ok


def _solve_poly(dn: np.ndarray, m0: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Same root as :func:`_solve_shift`, for moderate columns, by Newton on a polynomial.

    ``P(m) = prod_i (dn_i + m) = m Q(m)`` (one ``dn_i`` is 0) is expanded once
    into its elementary symmetric coefficients (all >= 0, so Horner's rule has
    no cancellation); Newton on the convex ``P(m) - 1`` from the upper bound
    ``min(1, 1/prod_{dn_i > 0} dn_i)`` decreases monotonically to the root.
    Accepts when ``|P - 1| <= 4 D eps``; returns ``(m, P'(m)/P(m), ok)``.
    ``m0`` (optional, per column) is a warm start, e.g. the previous GD
    iterate's root: Newton on a convex increasing function converges from
    any positive start (a start left of the root lands right of it).
    """
    depth, n = dn.shape
    coef = [np.ones(n)]  # coefficients of prod_i (m + dn_i), highest power first
    for i in range(depth):
        di = dn[i]
        nxt = [coef[0]]
        for k in range(1, len(coef)):
            nxt.append(coef[k] + di * coef[k - 1])
        nxt.append(di * coef[-1])
        coef = nxt
    q = coef[:-1]  # P(m) = m * Q(m): the constant term prod(dn) is 0
    # Start at the root of the truncation m (q_{D-1} + q_{D-2} m) = 1 <= P(m) = 1,
    # an upper bound on the root (and at most 1, since P(1) >= 1).
    c0, c1 = q[-1], (q[-2] if depth > 1 else np.zeros(n))
    disc = np.sqrt(c0 * c0 + 4.0 * c1)
    with np.errstate(divide="ignore", invalid="ignore"):
        m = np.where(c1 > 0, 2.0 / (c0 + disc), np.where(c0 > 1.0, 1.0 / c0, 1.0))
    m = np.minimum(m, 1.0)
    if m0 is not None:
        m = np.where(m0 > 0, m0, m)  # NaN compares False: falls back to the bound
    m_out = np.full(n, np.nan)
    inv_out = np.full(n, np.nan)
    ok = np.zeros(n, dtype=bool)
    idx = np.arange(n)
    tol = 4 * depth * _EPS
    rec = np.zeros(n, dtype=bool)  # recorded: a column's result is its first accepted iterate (per-column bits)
    for _ in range(_MAX_NEWTON):
        qv, qd = q[0], np.zeros_like(m)
        for c in q[1:]:
            qd = qd * m + qv
            qv = qv * m + c
        p = m * qv
        dp = qv + m * qd
        r = p - 1.0
        new = (np.abs(r) <= tol) & ~rec
        if np.any(new):
            sel = idx[new]
            m_out[sel], inv_out[sel], ok[sel] = m[new], dp[new] / p[new], True
            rec |= new
            nrec = np.count_nonzero(rec)
            if nrec == idx.size:
                break
            if 2 * nrec >= idx.size:
                keep = ~rec
                idx, m, r, dp, rec = idx[keep], m[keep], r[keep], dp[keep], rec[keep]
                q = [c[keep] for c in q]
        m = m - r / dp
    else:
        m_out[idx] = m
    return m_out, inv_out, ok


def _psi_depth2(w: np.ndarray, y: np.ndarray, scale: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Closed form for D = 2: ``psi = m * hypot(w1^2 - w2^2, 2y)``; columns ``w`` (2, n)."""
    a1, a2 = np.abs(w[0]), np.abs(w[1])
    psi = scale * np.hypot((a1 - a2) * (a1 + a2), 2.0 * y)
    status = np.zeros(w.shape[1], dtype=np.int8)
    finite = np.isfinite(a1) & np.isfinite(a2)
    prod_y = w[0] * w[1] * y
    saddle = ((a1 == a2) & (prod_y <= 0)) & finite  # tie with pi/y < 0, or both zero
    status[saddle] = Status.SADDLE
    status[~np.isfinite(psi) & finite] = Status.RANGE
    status[~finite] = Status.NONFINITE
    psi[status != Status.OK] = np.nan
    return psi, status


def gfs_columns(
    wt: np.ndarray, y: Any, scale: Any, want_solution: bool, m_start: np.ndarray | None = None
) -> dict[str, np.ndarray]:
    """GFS of a chunk given as columns ``wt`` of shape (D, n) (not modified).

    Columns make the reductions over D elementwise operations on length-n
    arrays.  ``m_start`` is an optional warm start for the normalised root
    (the ``"mprime"`` entry of a previous result).
    """
    depth, n = wt.shape
    if depth == 2 and not want_solution and m_start is None:
        psi, status = _psi_depth2(wt, y, scale)
        return {"sharpness": psi, "status": status}
    status = np.zeros(n, dtype=np.int8)
    finite = np.all(np.isfinite(wt), axis=0)
    if not np.all(finite):
        status[~finite] = Status.NONFINITE
        wt = np.where(finite, wt, 1.0)
    a = np.abs(wt)
    amin = np.min(a, axis=0)
    zeros = np.sum(wt == 0, axis=0)
    negs = np.sum(wt < 0, axis=0)
    pi_sign = np.where(zeros > 0, 0, 1 - 2 * (negs % 2))
    direction = pi_sign * np.sign(y)
    ties = np.sum(a == amin, axis=0)
    saddle = finite & ((zeros >= 2) | ((direction < 0) & (ties >= 2)))
    status[saddle] = Status.SADDLE
    abs_y = np.abs(y)
    sy = abs_y ** (1.0 / depth)  # s = |y|^(1/D)
    gap = ((a - amin) / sy) * ((a + amin) / sy)
    gap_ok = np.all(np.isfinite(gap), axis=0)
    status[finite & ~saddle & ~gap_ok] = Status.RANGE
    psi = np.full(n, np.nan)
    mprime = np.full(n, np.nan)
    good = status == Status.OK
    if depth == 1:
        psi[good] = pick_rows(scale, good)
        mprime[good] = 1.0
    elif np.any(good):
        idx = np.flatnonzero(good)
        dn = gap[:, idx] if idx.size < n else gap
        mp_ = np.full(idx.size, np.nan)
        inv = np.full(idx.size, np.nan)
        conv = np.zeros(idx.size, dtype=bool)
        # Polynomial Newton where the coefficients stay far from overflow, else log-domain Newton.
        # coefficients are <= 2^D max(dn)^D: far from overflow when max(dn) < 1e30, D <= 8
        poly = (np.max(dn, axis=0) < 1e30) if depth <= _POLY_MAX_DEPTH else np.zeros(idx.size, dtype=bool)
        if np.any(poly):
            allp = bool(np.all(poly))
            sub = dn if allp else dn[:, poly]
            start = None if m_start is None else (m_start[idx] if allp else m_start[idx][poly])
            mp_[poly], inv[poly], conv[poly] = _solve_poly(sub, start)
        logd = ~poly
        if np.any(logd):
            sub = dn[:, logd]
            # Upper bounds on u = log m': 0 (balanced) and -sum_{i != min} log d'_i.
            pos = sub > 0
            others = _log_product(np.where(pos, sub, 1.0))
            u0 = np.where(np.sum(pos, axis=0) == depth - 1, np.minimum(0.0, -others), 0.0)
            u, inv[logd], conv[logd] = _solve_shift(sub, u0)
            mp_[logd] = np.exp(u)
        val = pick_rows(scale, idx) * (pick_rows(abs_y, idx) / pick_rows(sy, idx)) ** 2 * inv
        status[idx[~conv]] = Status.NOT_CONVERGED
        rng = ~np.isfinite(val) | ~(mp_ > 1e-300)
        status[idx[rng]] = Status.RANGE
        keep = conv & ~rng
        psi[idx[keep]] = val[keep]
        mprime[idx[keep]] = mp_[keep]
    out: dict[str, np.ndarray] = {"status": status, "sharpness": psi, "mprime": mprime}
    if not want_solution:
        return out

    # Solution, shift and kind (docs/theory.md: which weight changes sign).
    imin = np.argmin(a, axis=0)
    rows = np.arange(n)
    signs = np.sign(wt)
    flip = finite & ~saddle & ((direction < 0) | (zeros == 1))
    rest = np.prod(np.where(np.arange(depth)[:, None] == imin[None, :], 1.0, signs), axis=0)
    new_sign = np.where(direction < 0, -signs[imin, rows], np.sign(y) * rest)
    signs[imin[flip], rows[flip]] = new_sign[flip]
    minimum = status == Status.OK
    sol = np.full((depth, n), np.nan)
    shift = np.full(n, np.nan)
    sy_min = pick_rows(sy, minimum)
    sol[:, minimum] = signs[:, minimum] * sy_min * np.sqrt(gap[:, minimum] + mprime[minimum])
    shift[minimum] = sy_min**2 * mprime[minimum] - amin[minimum] ** 2
    sol[:, saddle] = signs[:, saddle] * np.sqrt((a[:, saddle] - amin[saddle]) * (a[:, saddle] + amin[saddle]))
    shift[saddle] = -(amin[saddle] ** 2)
    kind = np.where(saddle, "saddle", np.where(finite, "minimum", "invalid")).astype(object)
    out.update(solution=sol.T, shift=shift, kind=kind)
    return out


# --------------------------------------------------------------------------- public


def gfs_sharpness(
    W: Any,
    *,
    target: Any = 1.0,
    scale: Any = 1.0,
    chunk: int = DEFAULT_CHUNK,
    return_status: bool = False,
    engine: str = "auto",
) -> Any:
    """GFS sharpness :math:`\\psi` of every row of ``W`` (shape ``(N, D)``).

    Parameters
    ----------
    W : array_like, shape (N, D)
        Weights, one point per row.
    target : float or array (N,)
        Targets ``y != 0``.
    scale : float or array (N,)
        Input scales ``m > 0``.
    chunk : int
        Rows processed at once (memory stays ``O(chunk * D)``).
    return_status : bool
        Also return the ``int8`` status array (see :class:`Status`).
    engine : {"auto", "numba", "numpy"}
        ``D >= 3`` on the compiled kernel when numba is installed (``"auto"``,
        or ``$SCALAR_EOS_ENGINE``); the same bits as NumPy for ``D <= 8``.

    Returns
    -------
    psi : ndarray (N,)
        NaN where the status is not OK (saddle, non-finite input, range).
    status : ndarray (N,) of int8, only if ``return_status``

    Examples
    --------
    >>> import numpy as np
    >>> psi, status = gfs_sharpness([[1.0, 1.0], [0.5, 3.0], [1.0, -1.0]], return_status=True)
    >>> psi.round(10)
    array([2.        , 8.97566154,        nan])
    >>> [Status(s).name for s in status]
    ['OK', 'OK', 'SADDLE']
    """
    w = check_batch(W)
    n = w.shape[0]
    y = check_per_row(target, n, "target", nonzero=True)
    m = check_per_row(scale, n, "scale", positive=True)
    psi = np.empty(n)
    status = np.empty(n, dtype=np.int8)
    compiled = w.shape[1] >= 3 and resolve_engine(engine) == "numba"
    with np.errstate(all="ignore"):
        for sl in row_chunks(n, chunk):
            if compiled:
                _compiled_gfs_sharpness(w[sl], pick_rows(y, sl), pick_rows(m, sl), psi[sl], status[sl])
                redo = np.flatnonzero(status[sl] == Status.NOT_CONVERGED)
                if redo.size == 0:
                    continue
                # rows the compiled Newton solve did not settle (extreme spreads at large depth) go through the
                # numpy solver, which decides them or flags them with its own status, as in 0.1
                rows = np.arange(n)[sl][redo]
                res = gfs_columns(
                    np.ascontiguousarray(w[rows].T), pick_rows(y, rows), pick_rows(m, rows), want_solution=False
                )
                psi[rows] = res["sharpness"]
                status[rows] = res["status"]
                continue
            res = gfs_columns(np.ascontiguousarray(w[sl].T), pick_rows(y, sl), pick_rows(m, sl), want_solution=False)
            psi[sl] = res["sharpness"]
            status[sl] = res["status"]
    return (psi, status) if return_status else psi


def _compiled_gfs_sharpness(w: np.ndarray, y: Any, scale: Any, psi: np.ndarray, status: np.ndarray) -> None:
    """:func:`gfs_columns`'s sharpness on the compiled kernel (same scale factors, computed as there)."""
    from .._kernels import gfs_rows

    k, depth = w.shape
    abs_y = np.abs(y)
    sy = abs_y ** (1.0 / depth)
    fac = scale * (abs_y / sy) ** 2
    # one value for all rows stays one value (a stride-0 view): no per-row copies
    cols = [np.broadcast_to(np.asarray(a, dtype=float), (k,)) for a in (y, scale, sy, fac)]
    gfs_rows(np.ascontiguousarray(w), *cols, psi, status, 32)


def psi_min(depth: int, *, target: Any = 1.0, scale: Any = 1.0) -> Any:
    """Smallest possible GFS sharpness :math:`m D |y|^{2 - 2/D}` in float64, elementwise in ``target``.

    The float64 twin of :func:`scalar_eos.gfs.psi_min` (which works in any precision).

    Examples
    --------
    >>> float(psi_min(2)), psi_min(3, target=np.array([1.0, 8.0]))
    (2.0, array([ 3., 48.]))
    """
    return scale * depth * np.abs(target) ** (2 - 2 / depth)


def gfs(W: Any, *, target: Any = 1.0, scale: Any = 1.0, chunk: int = DEFAULT_CHUNK) -> FastGFS:
    """Solution, shift, sharpness, kind and status of every row.

    The shift ``c*`` is computed as ``s^2 m' - min w^2`` and so carries an
    absolute error of a few ulp of ``max(min w^2, s^2 m')`` (relative accuracy
    is lost when ``c*`` is close to 0; use :func:`scalar_eos.gfs` with ``dps``).

    Examples
    --------
    >>> r = gfs([[0.5, -2.0], [2.0, -2.0]])
    >>> r.solution[0].tolist(), r.kind.tolist()
    ([-0.5, -2.0], ['minimum', 'saddle'])
    """
    w = check_batch(W)
    n, depth = w.shape
    y = check_per_row(target, n, "target", nonzero=True)
    m = check_per_row(scale, n, "scale", positive=True)
    sol = np.empty((n, depth))
    shift = np.empty(n)
    psi = np.empty(n)
    kind = np.empty(n, dtype=object)
    status = np.empty(n, dtype=np.int8)
    with np.errstate(all="ignore"):
        for sl in row_chunks(n, chunk):
            res = gfs_columns(np.ascontiguousarray(w[sl].T), pick_rows(y, sl), pick_rows(m, sl), want_solution=True)
            sol[sl], shift[sl], psi[sl] = res["solution"], res["shift"], res["sharpness"]
            kind[sl], status[sl] = res["kind"], res["status"]
    return FastGFS(sol, shift, psi, kind, status)

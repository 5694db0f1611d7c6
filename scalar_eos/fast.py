"""Batched float64 fast path (NumPy only) for sweeps over many points.

Rows are points: ``W`` has shape ``(N, D)``.  Every function returns float64
arrays and a companion ``status`` array (see :class:`Status`); a row whose
answer cannot be trusted is NaN **and** has a non-zero status, never a silent
wrong number.

Numerics of the GFS sharpness (docs/theory.md).  With ``a = |w|``,
``s = |y|^{1/D}`` and the normalised gaps

.. math::

    d'_i = \\frac{(a_i - a_{\\min})(a_i + a_{\\min})}{s^2} \\ge 0

(no cancellation: Sterbenz's lemma makes ``a_i - a_min`` exact when the two are
close), the normalised shift ``m' = (\\min_i w_i^2 + c^*)/s^2`` is the root of
``F(u) = \\log \\prod_i (d'_i + e^u) = 0`` with ``u = \\log m'``.  ``F`` is
convex and increasing with ``1 <= F' <= D``, so Newton's method converges from
any start (a start left of the root lands right of it, then decreases
monotonically), and the residual bounds the error in ``u``.  Because the
product is near 1 at the root, ``F`` is evaluated to ``O(D eps)`` absolute
accuracy however wide the range of the weights.  Then

.. math::

    \\psi = m\\,|y|^{2-2/D} \\sum_i \\frac{1}{d'_i + m'} .

Depth 1 is trivial (``psi = m``) and depth 2 is closed form,
``psi = m * hypot(w_1^2 - w_2^2, 2y)``.

Status codes: ``OK`` (0), ``NONFINITE`` input, ``SADDLE`` (gradient flow ends
at a saddle), ``RANGE`` (the result or an intermediate leaves the float64
range: use the mpmath reference), ``NOT_CONVERGED`` (root residual not
verified), ``DIVERGED`` (a GD iterate left the float64 range).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from enum import IntEnum
from typing import Any, NamedTuple

import numpy as np

from ._engine import resolve_engine
from ._validate import check_batch, check_per_row
from .errors import InvalidArgument

__all__ = [
    "DEFAULT_CHUNK",
    "FastGFS",
    "Status",
    "gd",
    "gd_step",
    "gfs",
    "gfs_sharpness",
    "psi_min",
    "sharpness",
    "stream",
]

#: Rows processed at once; keeps temporaries in cache and memory constant.
DEFAULT_CHUNK = 1 << 14
_EPS = np.finfo(float).eps
_MAX_NEWTON = 200
#: Largest depth for which the polynomial (Horner) Newton iteration is used.
_POLY_MAX_DEPTH = 8


class Status(IntEnum):
    """Per-row status codes of the fast path."""

    OK = 0
    NONFINITE = 1
    SADDLE = 2
    RANGE = 3
    NOT_CONVERGED = 4
    DIVERGED = 5


class FastGFS(NamedTuple):
    """GFS of every row: arrays of shape ``(N,)`` (``solution``: ``(N, D)``).

    ``kind`` is ``"minimum"``/``"saddle"``/``"invalid"`` per row; rows whose
    status is not OK have NaN sharpness (saddle rows keep their saddle point as
    ``solution``).
    """

    solution: np.ndarray
    shift: np.ndarray
    sharpness: np.ndarray
    kind: np.ndarray
    status: np.ndarray


# --------------------------------------------------------------------------- inputs


def _at(x: Any, idx: Any) -> Any:
    """``x[idx]`` for per-row arrays; scalars (one value for all rows) pass through."""
    return x if np.ndim(x) == 0 else x[idx]


def row_chunks(n: int, chunk: int) -> Iterator[slice]:
    """Slices of at most ``chunk`` consecutive rows covering ``range(n)``."""
    if chunk < 1:
        raise InvalidArgument(f"chunk must be a positive integer, got {chunk}")
    for start in range(0, n, chunk):
        yield slice(start, min(n, start + chunk))


# --------------------------------------------------------------------------- core


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
        psi[good] = _at(scale, good)
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
        val = _at(scale, idx) * (_at(abs_y, idx) / _at(sy, idx)) ** 2 * inv
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
    sy_min = _at(sy, minimum)
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
                _compiled_gfs_sharpness(w[sl], _at(y, sl), _at(m, sl), psi[sl], status[sl])
                redo = np.flatnonzero(status[sl] == Status.NOT_CONVERGED)
                if redo.size == 0:
                    continue
                # rows the compiled Newton solve did not settle (extreme spreads at large depth) go through the
                # numpy solver, which decides them or flags them with its own status, as in 0.1
                rows = np.arange(n)[sl][redo]
                res = gfs_columns(np.ascontiguousarray(w[rows].T), _at(y, rows), _at(m, rows), want_solution=False)
                psi[rows] = res["sharpness"]
                status[rows] = res["status"]
                continue
            res = gfs_columns(np.ascontiguousarray(w[sl].T), _at(y, sl), _at(m, sl), want_solution=False)
            psi[sl] = res["sharpness"]
            status[sl] = res["status"]
    return (psi, status) if return_status else psi


def _compiled_gfs_sharpness(w: np.ndarray, y: Any, scale: Any, psi: np.ndarray, status: np.ndarray) -> None:
    """:func:`gfs_columns`'s sharpness on the compiled kernel (same scale factors, computed as there)."""
    from ._kernels import gfs_cols

    k, depth = w.shape
    abs_y = np.abs(y)
    sy = abs_y ** (1.0 / depth)
    fac = scale * (abs_y / sy) ** 2
    cols = [np.ascontiguousarray(np.broadcast_to(a, (k,)), dtype=float) for a in (y, scale, sy, fac)]
    gfs_cols(np.ascontiguousarray(w.T), *cols, psi, status, 32)


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
            res = gfs_columns(np.ascontiguousarray(w[sl].T), _at(y, sl), _at(m, sl), want_solution=True)
            sol[sl], shift[sl], psi[sl] = res["solution"], res["shift"], res["sharpness"]
            kind[sl], status[sl] = res["kind"], res["status"]
    return FastGFS(sol, shift, psi, kind, status)


def prod_others(w: np.ndarray) -> np.ndarray:
    """``prod_{k != i} w_k`` per row, exact for zero weights (prefix/suffix products)."""
    n, depth = w.shape
    prefix = np.ones((n, depth))
    suffix = np.ones((n, depth))
    if depth > 1:
        prefix[:, 1:] = np.cumprod(w[:, :-1], axis=1)
        suffix[:, :-1] = np.cumprod(w[:, :0:-1], axis=1)[:, ::-1]
    return prefix * suffix


def sharpness(W: Any, *, target: Any = 1.0, scale: Any = 1.0, chunk: int = DEFAULT_CHUNK) -> np.ndarray:
    """Largest Hessian eigenvalue at every row (NaN for non-finite rows or overflow).

    Uses the closed form for ``D <= 2`` and batched ``eigvalsh`` otherwise.

    Examples
    --------
    >>> float(sharpness([[1.0, 3.0]])[0].round(9))
    11.403124237
    """
    w = check_batch(W)
    n, depth = w.shape
    y = check_per_row(target, n, "target", nonzero=True)
    m = check_per_row(scale, n, "scale", positive=True)
    out = np.empty(n)
    with np.errstate(all="ignore"):
        for sl in row_chunks(n, chunk):
            ws = w[sl]
            g = prod_others(ws)
            r = np.prod(ws, axis=1) - _at(y, sl)
            if depth == 1:
                val = np.ones(ws.shape[0])
            elif depth == 2:
                a, c = g[:, 0] ** 2, g[:, 1] ** 2
                b = g[:, 0] * g[:, 1] + r
                val = (a + c) / 2 + np.hypot((a - c) / 2, b)
            else:
                h = g[:, :, None] * g[:, None, :]
                # (Hess pi)_ij = prod_{k != i, j} w_k
                hp = np.empty_like(h)
                for i in range(depth):
                    others_i = np.delete(ws, i, axis=1)
                    hp[:, i, :] = np.insert(prod_others(others_i), i, 0.0, axis=1)
                h = h + r[:, None, None] * hp
                idx = np.arange(depth)
                h[:, idx, idx] = g**2
                good = np.all(np.isfinite(h), axis=(1, 2))
                val = np.full(ws.shape[0], np.nan)
                if np.any(good):
                    val[good] = np.linalg.eigvalsh(h[good])[:, -1]
            val = _at(m, sl) * val
            val[~np.isfinite(val)] = np.nan
            out[sl] = val
    return out


def gd_step(W: Any, eta: Any, *, target: Any = 1.0, scale: Any = 1.0) -> np.ndarray:
    """One GD step for every row; ``eta`` a scalar or shape ``(N,)``.

    Rows that leave the float64 range become NaN.

    Examples
    --------
    >>> gd_step([[1.0, 3.0]], 0.1)
    array([[0.4, 2.8]])
    """
    w = check_batch(W)
    n = w.shape[0]
    e = check_per_row(eta, n, "eta", positive=True)
    y = check_per_row(target, n, "target", nonzero=True)
    m = check_per_row(scale, n, "scale", positive=True)
    with np.errstate(all="ignore"):
        nxt = step_columns(np.array(w.T, order="C"), e * m, y).T
    return nxt


_TRACKABLE = ("loss", "product", "sharpness", "gfs_sharpness")
#: Relative size below which a change of a tracked quantity counts as rounding, not an increase.
INCREASE_RTOL = 1e-12


def step_columns(wt: np.ndarray, em: Any, y: Any) -> np.ndarray:
    """One GD step on columns (D, n); rows leaving the float64 range become NaN."""
    p = np.prod(wt, axis=0)
    r = p - y
    ap = np.abs(p)
    others = p / wt
    exact = (ap > 1e-280) & (ap < 1e280)  # no zero weight, no under/overflow in p
    fix = ~exact & np.all(np.isfinite(wt), axis=0)
    if np.any(fix):
        others[:, fix] = prod_others(wt[:, fix].T).T
    nxt = wt - (em * r) * others
    bad = ~np.all(np.isfinite(nxt), axis=0)
    if np.any(bad):
        nxt[:, bad] = np.nan
    return nxt


def gd(
    W0: Any,
    eta: Any,
    steps: int,
    *,
    target: Any = 1.0,
    scale: Any = 1.0,
    track: Iterable[str] = ("gfs_sharpness",),
    every: int = 1,
    summary: bool = False,
    chunk: int = DEFAULT_CHUNK,
    callback: Callable[[int], None] | None = None,
    engine: str = "auto",
) -> dict[str, Any]:
    """Run GD on every row at once, recording only the requested quantities.

    Parameters
    ----------
    W0 : array_like (N, D)
        Initial weights.
    eta : float or array (N,)
        Step sizes.
    steps : int
        Number of GD steps.
    track : iterable of str
        Any of ``"loss"``, ``"product"``, ``"sharpness"``, ``"gfs_sharpness"``.
    every : int
        Record every ``every``-th iterate (the last is always recorded).
    summary : bool
        Instead of full histories (``(T, N)`` arrays), keep per-row summaries in
        constant memory: ``first``, ``last``, ``min``, ``max``,
        ``max_increase`` (largest change between recorded iterates) and
        ``increases`` (how many changes exceed ``INCREASE_RTOL`` relative).
    chunk : int
        Rows run together (each chunk runs all its steps, then the next).
    callback : callable, optional
        Called with the number of rows finished after each chunk (progress).
    engine : {"auto", "numba", "numpy"}
        With nothing tracked, the steps run on the compiled kernel when numba
        is installed (``"auto"``, or ``$SCALAR_EOS_ENGINE``): the same bits.

    Returns
    -------
    dict
        ``"weights"`` (final, ``(N, D)``), ``"status"`` (``DIVERGED`` rows
        are NaN from the step they left the float64 range), ``"t"`` (recorded
        steps), and per tracked quantity either an array ``(T, N)`` or, with
        ``summary``, a dict of ``(N,)`` arrays.

    Examples
    --------
    >>> out = gd([[0.5, 3.3, 0.5]], 0.45, 100)
    >>> bool(np.all(np.diff(out["gfs_sharpness"][:, 0]) < 0))
    True
    """
    w_all = check_batch(W0)
    n, depth = w_all.shape
    e = check_per_row(eta, n, "eta", positive=True)
    y_all = check_per_row(target, n, "target", nonzero=True)
    m_all = check_per_row(scale, n, "scale", positive=True)
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or steps < 0:
        raise InvalidArgument(f"steps must be a non-negative integer, got {steps!r}")
    if isinstance(every, bool) or not isinstance(every, int | np.integer) or every < 1:
        raise InvalidArgument(f"every must be a positive integer, got {every!r}")
    names = tuple(track)
    unknown = [t for t in names if t not in _TRACKABLE]
    if unknown:
        raise InvalidArgument(f"cannot track {unknown}; choose from {list(_TRACKABLE)}")
    recorded = [t for t in range(steps + 1) if t % every == 0 or t == steps]
    final = np.empty((n, depth))
    status = np.where(np.all(np.isfinite(w_all), axis=1), Status.OK, Status.NONFINITE).astype(np.int8)
    if summary:
        stats = ("first", "last", "min", "max", "max_increase")
        res_q: dict[str, Any] = {k: {s: np.empty(n) for s in stats} for k in names}
        for k in names:
            res_q[k]["increases"] = np.zeros(n, dtype=np.int64)
    else:
        res_q = {k: np.empty((len(recorded), n)) for k in names}
    em_all = e * m_all
    with np.errstate(all="ignore"):
        compiled = not names and resolve_engine(engine) == "numba"
        for sl in row_chunks(n, chunk):
            wt = np.array(w_all[sl].T, dtype=float, order="C")
            y, m, em = _at(y_all, sl), _at(m_all, sl), _at(em_all, sl)
            if compiled:
                from ._kernels import gd_block

                k = wt.shape[1]
                gd_block(wt, *(np.ascontiguousarray(np.broadcast_to(a, (k,)), dtype=float) for a in (em, y)), steps)
                steps_left = 0
            else:
                steps_left = steps
            warm: np.ndarray | None = None
            prev: dict[str, np.ndarray] = {}
            j = 0
            for t in range(steps_left + 1):
                if t == recorded[j]:
                    vals: dict[str, np.ndarray] = {}
                    p = np.prod(wt, axis=0)
                    if "loss" in names:
                        vals["loss"] = 0.5 * m * (p - y) ** 2
                    if "product" in names:
                        vals["product"] = p
                    if "sharpness" in names:
                        vals["sharpness"] = sharpness(wt.T, target=y, scale=m)
                    if "gfs_sharpness" in names:
                        g = gfs_columns(wt, y, m, want_solution=False, m_start=warm if depth > 2 else None)
                        vals["gfs_sharpness"] = g["sharpness"]
                        warm = g.get("mprime")
                    for k, v in vals.items():
                        if not summary:
                            res_q[k][j, sl] = v
                            continue
                        q = res_q[k]
                        if j == 0:
                            for s_ in ("first", "last", "min", "max"):
                                q[s_][sl] = v
                            q["max_increase"][sl] = np.nan
                        else:
                            inc = v - prev[k]
                            q["max_increase"][sl] = np.fmax(q["max_increase"][sl], inc)
                            q["increases"][sl] += inc > INCREASE_RTOL * np.abs(prev[k])
                            q["min"][sl] = np.fmin(q["min"][sl], v)
                            q["max"][sl] = np.fmax(q["max"][sl], v)
                            q["last"][sl] = v
                        prev[k] = v
                    j += 1
                if t == steps_left:
                    break
                wt = step_columns(wt, em, y)
            final[sl] = wt.T
            st = status[sl]
            st[(st == Status.OK) & np.isnan(wt[0])] = Status.DIVERGED
            if callback is not None:
                callback(sl.stop)
    result: dict[str, Any] = {"weights": final, "status": status, "t": np.array(recorded)}
    result.update(res_q)
    return result


def stream(
    fn: Callable[..., Any],
    source: Iterable[Any],
    **kwargs: Any,
) -> Iterator[Any]:
    """Apply a fast-path function to chunks from an iterable, lazily.

    ``source`` yields arrays ``(n_k, D)`` (for example generated on the fly),
    so arbitrarily many rows stream through in constant memory.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> chunks = (rng.uniform(0.5, 2, size=(1000, 2)) for _ in range(3))
    >>> [psi.shape for psi in stream(gfs_sharpness, chunks)]
    [(1000,), (1000,), (1000,)]
    """
    for block in source:
        yield fn(block, **kwargs)


# Former private names of the helpers above, kept for one release for code written against them.
_as_batch, _per_row, _chunks, _others = check_batch, check_per_row, row_chunks, prod_others
_gfs_chunk, _step_cols = gfs_columns, step_columns

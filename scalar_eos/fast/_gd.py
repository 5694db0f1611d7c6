"""Sharpness, GD steps and GD runs of the fast path (see :mod:`scalar_eos.fast`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np

from .._engine import resolve_engine
from .._validate import check_batch, check_per_row
from ..errors import InvalidArgument
from ._gfs import gfs_columns, gfs_sharpness  # noqa: F401  (gfs_sharpness: doctest of stream)
from ._status import DEFAULT_CHUNK, Status, pick_rows, row_chunks


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
            r = np.prod(ws, axis=1) - pick_rows(y, sl)
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
            val = pick_rows(m, sl) * val
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


def gd_columns(wt: np.ndarray, em: Any, y: Any, steps: int) -> np.ndarray:
    """``steps`` GD steps on columns ``wt`` (D, n) in place: ``step_columns`` ``steps`` times, the same bits.

    Each step does only ``prod``, ``p / w_i``, one multiply and one subtract
    on the whole block while every ``1e-280 < |pi| < 1e280`` (checked by one
    ``min``/``max``); other columns take ``step_columns``' prefix/suffix
    products.  A row that leaves the float64 range is not NaN'd at once: its
    product is never finite again, so every later step keeps it non-finite,
    and it becomes NaN at the end (the NumPy twin of ``_kernels.gd_block``).

    Examples
    --------
    >>> wt = np.array([[1.0], [3.0]])
    >>> gd_columns(wt, 0.1, 1.0, 1).T
    array([[0.4, 2.8]])
    """
    depth, n = wt.shape
    if n == 0 or steps == 0:
        return wt
    p, ap, c = np.empty(n), np.empty(n), np.empty(n)
    buf = np.empty((depth, n))
    with np.errstate(all="ignore"):
        for _ in range(steps):
            np.multiply.reduce(wt, axis=0, out=p)
            np.abs(p, out=ap)
            np.subtract(p, y, out=c)
            np.multiply(em, c, out=c)
            np.divide(p, wt, out=buf)
            if not (np.minimum.reduce(ap) > 1e-280 and np.maximum.reduce(ap) < 1e280):
                # zero weights or under/overflow in pi (NaN rows included): prefix/suffix products where finite
                odd = np.flatnonzero(~((ap > 1e-280) & (ap < 1e280)))
                odd = odd[np.all(np.isfinite(wt[:, odd]), axis=0)]
                if odd.size:
                    buf[:, odd] = prod_others(wt[:, odd].T).T
            np.multiply(c, buf, out=buf)
            np.subtract(wt, buf, out=wt)
        bad = ~np.all(np.isfinite(wt), axis=0)
        if np.any(bad):
            wt[:, bad] = np.nan
    return wt


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
        With nothing tracked, all steps run as one block: on the compiled
        kernel when numba is installed (``"auto"``, or ``$SCALAR_EOS_ENGINE``),
        else :func:`gd_columns`; both give the bits of one step at a time.

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
            y, m, em = pick_rows(y_all, sl), pick_rows(m_all, sl), pick_rows(em_all, sl)
            steps_left = steps
            if compiled and steps:  # (no steps: non-finite rows are returned as given, not NaN'd)
                from .._kernels import gd_block

                k = wt.shape[1]
                gd_block(wt, *(np.ascontiguousarray(np.broadcast_to(a, (k,)), dtype=float) for a in (em, y)), steps)
                steps_left = 0
            elif not names and steps:
                gd_columns(wt, em, y, steps)
                steps_left = 0
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

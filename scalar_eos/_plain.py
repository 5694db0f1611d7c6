"""Plain NumPy references for the speed benchmarks (private; see :mod:`scalar_eos.speed`).

Written from the definitions only, without the fast path's code: batched GD
``w_i <- w_i - eta (pi - y) pi / w_i`` and the GFS sharpness
``psi = y^2 sum_i 1/(w_i^2 + c)`` where ``c`` solves ``prod_i (w_i^2 + c) = y^2``
(Newton on that equation), for ``y = 1``, unit input scale and non-zero
weights.  They are what a user would write in an afternoon; the benchmarks
time them next to the package and check that the numbers agree.
"""

from __future__ import annotations

import numpy as np

__all__ = ["plain_classify", "plain_gd", "plain_gfs_sharpness", "plain_shift"]


def plain_shift(q: np.ndarray, c: np.ndarray | None = None, *, iters: int = 100) -> np.ndarray:
    """Root ``c > -min_i q_i`` of ``prod_i (q_i + c) = 1`` per row of ``q`` (N, D), by Newton.

    ``g(c) = prod(q + c) - 1`` is increasing and convex right of ``-min q``:
    Newton from any point there with ``g >= 0`` decreases monotonically to the
    root, and from a point left of the root it first jumps right of it.  The
    default start ``c = 1`` has ``g(1) >= 0`` for ``q >= 0``.  A warm start
    ``c`` is pulled back into the domain first.  Stops when every row's step
    is below ``1e-15`` relative.

    Examples
    --------
    >>> c = plain_shift(np.array([[1.0, 1.0], [0.25, 4.0]]))
    >>> np.round(np.prod(np.array([[1.0, 1.0], [0.25, 4.0]]) + c[:, None], axis=1), 12).tolist()
    [1.0, 1.0]
    """
    lo = np.min(q, axis=1)
    c = np.ones(len(q)) if c is None else np.maximum(c, -lo * (1 - 1e-3))
    for _ in range(iters):
        x = q + c[:, None]
        p = np.prod(x, axis=1)
        step = (p - 1.0) / (p * np.sum(1.0 / x, axis=1))
        c = c - step
        if np.all(np.abs(step) <= 1e-15 * (np.abs(c) + lo)):
            break
    return c


def plain_gfs_sharpness(W: np.ndarray) -> np.ndarray:
    """GFS sharpness of every row of ``W`` (N, D) for ``y = 1``: Newton for the shift, then the sum.

    Examples
    --------
    >>> plain_gfs_sharpness(np.array([[1.0, 1.0, 1.0]])).round(12).tolist()  # D at balance
    [3.0]
    """
    q = W * W
    c = plain_shift(q)
    return np.sum(1.0 / (q + c[:, None]), axis=1)


def plain_gd(W: np.ndarray, eta: np.ndarray, steps: int) -> np.ndarray:
    """``steps`` GD steps on every row of ``W`` (N, D) with step sizes ``eta`` (N,), ``y = 1``; the last iterate.

    Examples
    --------
    >>> plain_gd(np.array([[1.0, 0.5]]), np.array([0.1]), 200).prod().round(9)
    np.float64(1.0)
    """
    w = W.copy()
    for _ in range(steps):
        p = np.prod(w, axis=1)
        w = w - (eta * (p - 1.0))[:, None] * (p[:, None] / w)
    return w


def plain_classify(W: np.ndarray, eta: np.ndarray, steps: int, *, rtol: float = 1e-12) -> dict[str, np.ndarray]:
    """GD with the GFS sharpness at every step, retiring rows that converge or diverge (``y = 1``).

    A row converges when ``|pi - 1| <= rtol`` and diverges when ``pi`` leaves
    ``[-1e10, 1e10]`` or is not finite; the GFS shift is warm-started from the
    previous step.  Rows still running after ``steps`` steps are undecided
    (no periods, saddles or chaos: the decisions a plain loop makes cheaply).

    Returns
    -------
    dict
        ``status`` (0 converged, 2 diverged, 4 undecided), ``final`` (GFS
        sharpness at the last iterate), ``steps`` (steps run per row) and
        ``row_steps`` (their total, the work done).

    Examples
    --------
    >>> out = plain_classify(np.array([[0.5, 3.3, 0.5], [3.0, 3.0, 3.0]]), np.array([0.45, 0.45]), 2000)
    >>> out["status"].tolist(), out["final"][0].round(6)
    ([0, 2], np.float64(4.411887))
    """
    n = len(W)
    status = np.full(n, 4, dtype=np.int8)
    final = np.full(n, np.nan)
    taken = np.zeros(n, dtype=np.int64)
    idx = np.arange(n)
    w, e = W.copy(), eta.copy()
    c = plain_shift(w * w)
    with np.errstate(all="ignore"):
        for t in range(1, steps + 1):
            p = np.prod(w, axis=1)
            w = w - (e * (p - 1.0))[:, None] * (p[:, None] / w)
            q = w * w
            c = plain_shift(q, c)
            psi = np.sum(1.0 / (q + c[:, None]), axis=1)
            p = np.prod(w, axis=1)
            conv = np.abs(p - 1.0) <= rtol
            div = ~(np.abs(p) <= 1e10)
            done = conv | div
            final[idx] = psi
            taken[idx] = t
            if np.any(done):
                status[idx[conv]] = 0
                status[idx[div]] = 2
                final[idx[div]] = np.nan
                keep = ~done
                idx, w, e, c = idx[keep], w[keep], e[keep], c[keep]
                if idx.size == 0:
                    break
    return {"status": status, "final": final, "steps": taken, "row_steps": np.int64(taken.sum())}

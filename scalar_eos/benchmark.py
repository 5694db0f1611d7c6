"""Speed of the fast path against the per-point alternatives, measured side by side.

Used by ``scalar-eos plot benchmark`` and ``benchmarks/fast_gfs.py``.  Both
sides run in this process on the same random points; the baselines are

* the mpmath reference (:func:`scalar_eos.gfs_sharpness` with ``dps=30``), and
* when SciPy is installed, integrating gradient flow per point with
  ``scipy.integrate.solve_ivp`` (DOP853, rtol 1e-12, stopped when the
  gradient norm drops below 1e-11) and taking the top Hessian eigenvalue.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import fast
from .gfs import gfs_sharpness
from .model import sharpness

__all__ = ["measure", "rate", "sample", "solve_ivp_gfs_sharpness"]


def sample(rng: np.random.Generator, n: int, depth: int) -> np.ndarray:
    """Weights with log-uniform magnitudes in [e^-1, e^1] and random signs."""
    return np.exp(rng.uniform(-1.0, 1.0, size=(n, depth))) * rng.choice([-1.0, 1.0], size=(n, depth))


def rate(fn: Callable[[], Any], n: int, min_time: float = 0.5) -> float:
    """Points per CPU second of ``fn`` (each call covers ``n`` points): the median over calls.

    Calls (after a warm-up) until ``min_time`` CPU seconds and at least three
    calls; CPU time of this process (``time.process_time``), so that other
    processes on a shared machine do not count.
    """
    fn()  # warm-up
    times: list[float] = []
    while len(times) < 3 or sum(times) < min_time:
        start = time.process_time()
        fn()
        times.append(max(time.process_time() - start, 1e-9))
    return n / float(np.median(times))


def solve_ivp_gfs_sharpness(w0: np.ndarray, target: float = 1.0) -> float:
    """The generic approach: integrate GF to convergence, then the top Hessian eigenvalue (NaN if it fails)."""
    from scipy.integrate import solve_ivp

    def field(_t: float, w: np.ndarray) -> np.ndarray:
        g = np.array([np.prod(np.delete(w, i)) for i in range(w.size)])
        return -(np.prod(w) - target) * g

    def converged(_t: float, w: np.ndarray) -> float:
        return float(np.linalg.norm(field(0.0, w)) - 1e-11)

    converged.terminal = True  # type: ignore[attr-defined]
    with np.errstate(all="ignore"):  # step-size trials may overflow harmlessly
        sol = solve_ivp(field, (0.0, 1e3), w0, method="DOP853", rtol=1e-12, atol=1e-14, events=converged)
    if sol.status != 1:  # no convergence event: report it rather than a wrong number
        return float("nan")
    return float(sharpness(sol.y[:, -1], target=target))


def measure(
    depths: Sequence[int] = (2, 4, 8), *, n_fast: int = 100_000, n_mp: int = 100, n_ivp: int = 10, seed: int = 2023
) -> list[dict[str, Any]]:
    """Throughput (points per CPU second) of the fast path and of each baseline, per depth, with the accuracy.

    Returns one dict per depth: ``depth``, ``fast``, ``mpmath``, ``ratio_mpmath``,
    ``err_mpmath`` (max relative error of the fast path against the reference),
    and, with SciPy, ``solve_ivp``, ``ratio_solve_ivp``, ``ivp_failed``.
    """
    try:
        import scipy  # noqa: F401

        have_scipy = True
    except ImportError:
        have_scipy = False
    rng = np.random.default_rng(seed)
    rows = []
    for depth in depths:
        W = sample(rng, n_fast, depth)
        r_fast = rate(lambda W=W: fast.gfs_sharpness(W), n_fast)
        pts = W[:n_mp]
        start = time.process_time()
        ref = np.array([float(gfs_sharpness(w, dps=30)) for w in pts])
        r_mp = len(pts) / (time.process_time() - start)
        err = float(np.max(np.abs(fast.gfs_sharpness(pts) - ref) / ref))
        row: dict[str, Any] = {
            "depth": depth,
            "fast": r_fast,
            "mpmath": r_mp,
            "ratio_mpmath": r_fast / r_mp,
            "err_mpmath": err,
        }
        if have_scipy and n_ivp > 0:
            ivp_pts = np.abs(W[:n_ivp])  # positive weights: flows near a saddle are slower still
            solve_ivp_gfs_sharpness(ivp_pts[0])  # warm-up (imports)
            start = time.process_time()
            slow = np.array([solve_ivp_gfs_sharpness(w) for w in ivp_pts])
            r_ivp = n_ivp / (time.process_time() - start)
            row.update(solve_ivp=r_ivp, ratio_solve_ivp=r_fast / r_ivp, ivp_failed=int(np.sum(~np.isfinite(slow))))
        rows.append(row)
    return rows

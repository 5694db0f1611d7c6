"""Classify where gradient descent goes: converged, periodic, diverged, saddle or undecided.

Batched on the float64 fast path, one row per initialisation.  GD runs in
blocks of ``2 K`` steps (``K = max_period``); after each block every
undecided row is tested:

* **diverged** - an iterate left the float64 range, or ``|pi| > 1e100 max(1, |y|)``;
* **converged** - the GFS of the iterate is a minimum with linear rate
  ``rho = |1 - eta m psi| < 1``, the iterate is in the linear regime
  (``|r| <= 1e-3 |y| (1 - rho)``), and the bound on all future changes of the
  GFS sharpness, ``(a^2/q_min) psi^2 / (y^2 (1 - rho^2))`` with
  ``a = eta m r pi`` (THEORY.md 3: ``|d psi| <= y^2 sum_i (a^2/q_i) p_i^2``),
  is below ``rtol * psi``.  So the reported final sharpness is the sharpness
  of the limit minimiser to relative accuracy ``rtol`` - a certified tail
  bound, not a fixed tolerance on the loss;
* **periodic** - in sign-invariant coordinates ``|w_i|`` (GD commutes with
  flipping the signs of two weights) the last ``k`` iterates repeat those ``k``
  steps earlier to ``1e-9`` relative, for the smallest ``2 <= k <= K``, and
  the oscillation amplitude ``max |r|`` is non-vanishing and steady from one
  block to the next (to ``1e-9``, or ``1e-6`` when the GFS is linearly
  unstable, ``eta m psi > 2``) - which tells a true orbit from the slowly
  decaying oscillation of convergence just below ``eta psi = 2``;
* **saddle** - the gradient vanishes (``< 1e-12``) while ``|r| > |y|/10``;
* **undecided** - the budget is spent; the reason says why (critical slowing
  down when ``eta m psi`` is within 1% of 2, no period ``<= K`` found, or slow
  convergence).

Along the way the GFS sharpness is tracked at every step: ``max_gfs_increase``
is the largest one-step change and ``gfs_monotone`` is False when some change
exceeds ``1e-12`` relative (float64 rounding of ``psi`` is ~1e-15).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

import numpy as np

from . import fast
from ._validate import check_batch, check_int, check_per_row
from .errors import InvalidArgument
from .fast import INCREASE_RTOL, Status

__all__ = ["OUTCOMES", "Outcome", "OutcomeStatus", "classify", "classify_batch", "outcome_at", "reason_text"]


class OutcomeStatus(IntEnum):
    """Where a GD run went: the integer codes of :func:`classify_batch` (``status``).

    Examples
    --------
    >>> OutcomeStatus.PERIODIC, OUTCOMES[OutcomeStatus.PERIODIC]
    (<OutcomeStatus.PERIODIC: 1>, 'periodic')
    """

    CONVERGED = 0
    PERIODIC = 1
    DIVERGED = 2
    SADDLE = 3
    UNDECIDED = 4


#: Outcome names, indexed by :class:`OutcomeStatus` (the integer codes of :func:`classify_batch`).
OUTCOMES = tuple(s.name.lower() for s in OutcomeStatus)
CONVERGED, PERIODIC, DIVERGED, SADDLE, UNDECIDED = OutcomeStatus
_UNSET = -1
_REASONS = (
    "",
    "critical slowing down: eta * m * GFS sharpness is within 1% of 2",
    "oscillating without a period <= max_period (chaotic, or an orbit not yet settled)",
    "converging too slowly for the budget",
)


@dataclass
class Outcome:
    """The outcome of one GD run (see the module docstring for the criteria)."""

    status: str
    period: int | None
    final_sharpness: float | None
    gap: float | None
    gfs_monotone: bool
    max_gfs_increase: float | None
    steps: int
    reason: str = ""
    orbit: list[list[float]] | None = None
    final_weights: list[float] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready dict (the ``outcome`` object of ``scalar-eos run --json``)."""
        return {
            "status": self.status,
            "period": self.period,
            "final_sharpness": self.final_sharpness,
            "gap": self.gap,
            "gfs_monotone": self.gfs_monotone,
            "max_gfs_increase": self.max_gfs_increase,
            "steps": self.steps,
            "reason": self.reason,
            "orbit": self.orbit,
        }

    def format_text(self, eta: float) -> str:
        """One line for humans (``scalar-eos run``); ``eta`` scales the final sharpness to ``2/eta``.

        Examples
        --------
        >>> classify([0.5, 3.3, 0.5], 0.45).format_text(0.45)  # doctest: +ELLIPSIS
        'outcome (float64, up to ... steps): converged; final GFS sharpness ... (0.9927 x 2/eta); ...'
        """
        text = f"outcome (float64, up to {self.steps} steps): {self.status}"
        if self.period:
            text += f", period {self.period}"
        if self.final_sharpness is not None:
            text += f"; final GFS sharpness {self.final_sharpness:.10g} ({self.final_sharpness * eta / 2:.4f} x 2/eta)"
        text += f"; GFS sharpness monotone: {'yes' if self.gfs_monotone else 'no'}"
        if self.max_gfs_increase is not None:
            text += f" (largest one-step change {self.max_gfs_increase:.3g})"
        if self.reason:
            text += f"; {self.reason}"
        return text


def _gfs_cols(wt: np.ndarray, y: Any, m: Any, warm: np.ndarray | None) -> dict[str, np.ndarray]:
    return fast.gfs_columns(wt, y, m, want_solution=False, m_start=warm if wt.shape[0] > 2 else None)


def classify_batch(
    W0: Any,
    eta: Any,
    *,
    target: Any = 1.0,
    scale: Any = 1.0,
    max_steps: int = 20_000,
    max_period: int = 16,
    rtol: float = 1e-12,
    chunk: int = 4096,
    callback: Callable[[int], None] | None = None,
) -> dict[str, np.ndarray]:
    """Classify GD from every row of ``W0`` (shape ``(N, D)``).

    Returns
    -------
    dict of arrays (N,)
        ``status`` (int codes into :data:`OUTCOMES`), ``period`` (0 if not
        periodic), ``final_sharpness`` (GFS sharpness at the last iterate;
        the limit's sharpness for converged rows), ``max_gfs_increase``,
        ``gfs_monotone``, ``steps`` (steps run), ``reason`` (int code, see
        :func:`reason_text`), and ``weights`` (N, D): the last iterate.

    Examples
    --------
    >>> out = classify_batch([[0.5, 3.3, 0.5], [1.0, 1.01, 1.0], [3.0, 3.0, 3.0]], [0.45, 0.8, 0.45])
    >>> [OUTCOMES[s] for s in out["status"]]
    ['converged', 'periodic', 'diverged']
    """
    w_all = check_batch(W0)
    n, depth = w_all.shape
    e_all = check_per_row(eta, n, "eta", positive=True)
    y_all = check_per_row(target, n, "target", nonzero=True)
    m_all = check_per_row(scale, n, "scale", positive=True)
    check_int(max_steps, "max_steps", 1)
    check_int(max_period, "max_period", 2)
    out = {
        "status": np.full(n, _UNSET, dtype=np.int8),
        "period": np.zeros(n, dtype=np.int32),
        "final_sharpness": np.full(n, np.nan),
        "max_gfs_increase": np.full(n, -np.inf),
        "gfs_monotone": np.ones(n, dtype=bool),
        "steps": np.zeros(n, dtype=np.int64),
        "reason": np.zeros(n, dtype=np.int8),
        "weights": np.full((n, depth), np.nan),
    }
    with np.errstate(all="ignore"):
        for sl in fast.row_chunks(n, chunk):
            _classify_chunk(
                np.array(w_all[sl].T, dtype=float, order="C"),
                np.broadcast_to(e_all, (n,))[sl].copy(),
                np.broadcast_to(y_all, (n,))[sl].copy(),
                np.broadcast_to(m_all, (n,))[sl].copy(),
                {k: v[sl] for k, v in out.items()},
                max_steps,
                max_period,
                rtol,
            )
            if callback is not None:
                callback(sl.stop)
    return out


def _classify_chunk(wt, eta, y, m, res, max_steps, max_period, rtol) -> None:
    depth, n = wt.shape
    idx = np.arange(n)
    limit = 1e100 * np.maximum(1.0, np.abs(y))
    em = eta * m
    length = 2 * max_period
    ring = np.zeros((length, depth, n))
    ring_r = np.zeros((length, n))
    g = _gfs_cols(wt, y, m, None)
    psi_prev, warm = g["sharpness"], g.get("mprime")
    bad0 = ~np.all(np.isfinite(wt), axis=0)
    res["status"][bad0] = DIVERGED
    res["weights"][:] = wt.T
    amp_prev = np.full(n, np.nan)  # oscillation amplitude |r| over the previous block
    t = 0

    def finish(mask: np.ndarray, code: int, **extra: np.ndarray) -> None:
        nonlocal wt, y, m, eta, em, limit, idx, psi_prev, warm, ring, ring_r, amp_prev
        if not np.any(mask):
            return
        rows = idx[mask]
        res["status"][rows] = code
        res["steps"][rows] = t
        res["weights"][rows] = wt[:, mask].T
        res["final_sharpness"][rows] = psi_prev[mask]
        for k, v in extra.items():
            res[k][rows] = v[mask]
        keep = ~mask
        idx, wt, psi_prev = idx[keep], wt[:, keep], psi_prev[keep]
        warm = None if warm is None else warm[keep]
        ring, ring_r, amp_prev = ring[:, :, keep], ring_r[:, keep], amp_prev[keep]
        y, m, eta, em, limit = y[keep], m[keep], eta[keep], em[keep], limit[keep]

    finish(bad0, DIVERGED)
    while idx.size and t < max_steps:
        for _ in range(length):
            p = np.prod(wt, axis=0)
            r = p - y
            slot = t % length
            ring[slot] = np.abs(wt)
            ring_r[slot] = np.abs(r)
            wt = fast.step_columns(wt, em, y)
            t += 1
            g = _gfs_cols(wt, y, m, warm)
            psi, warm = g["sharpness"], g.get("mprime")
            inc = psi - psi_prev
            rows = idx
            res["max_gfs_increase"][rows] = np.fmax(res["max_gfs_increase"][rows], inc)
            res["gfs_monotone"][rows] &= ~(inc > INCREASE_RTOL * np.abs(psi_prev))
            psi_prev = np.where(np.isfinite(psi), psi, psi_prev)
            diverged = np.isnan(wt[0]) | (np.abs(np.prod(wt, axis=0)) > limit)
            finish(diverged, DIVERGED)
            if not idx.size or t >= max_steps:
                break
        if not idx.size:
            break
        # ---- tests at the end of a block
        p = np.prod(wt, axis=0)
        r = p - y
        g = _gfs_cols(wt, y, m, warm)
        psi, gstatus = g["sharpness"], g["status"]
        rho = np.abs(1.0 - eta * psi)
        q = wt * wt
        qmin = np.min(q, axis=0)
        a = em * r * p
        tail = (a * a / np.maximum(qmin, 1e-300)) * psi / (y * y) / np.maximum(1.0 - rho * rho, 1e-300)
        conv = (gstatus == Status.OK) & (rho < 1.0) & (np.abs(r) <= 1e-3 * np.abs(y) * (1.0 - rho))
        conv &= tail <= rtol
        conv |= r == 0.0  # exactly at a minimum
        psi_prev = np.where(np.isfinite(psi), psi, psi_prev)
        finish(conv, CONVERGED)
        if not idx.size:
            break
        others = fast.prod_others(wt.T).T
        p = np.prod(wt, axis=0)
        r = p - y
        gnorm = np.abs(r) * np.sqrt(np.sum(others * others, axis=0)) * m
        finish((gnorm < 1e-12) & (np.abs(r) > 0.1 * np.abs(y)), SADDLE)
        if not idx.size or t < length:
            continue
        period = np.zeros(idx.size, dtype=np.int32)
        scale_w = np.max(np.abs(wt), axis=0)
        for k in range(2, max_period + 1):
            cand = period == 0
            if not np.any(cand):
                break
            match = np.ones(idx.size, dtype=bool)
            for j in range(k):
                now = ring[(t - 1 - j) % length]
                back = ring[(t - 1 - j - k) % length]
                match &= np.max(np.abs(now - back), axis=0) <= 1e-9 * scale_w
            period[cand & match] = k
        # A converging oscillation (eta psi just below 2) also repeats to 1e-9 within a block:
        # an orbit must not be moving and its amplitude must be steady from block to block.
        # Around a minimiser with eta m psi > 2 (linearly unstable) an orbit cannot be a
        # decaying approach to it, so a looser steadiness test suffices there.
        amp = np.max(ring_r, axis=0)
        tol = np.where(eta * psi_prev > 2.0, 1e-6, 1e-9)
        steady = (amp > 1e-6 * np.abs(y)) & (np.abs(amp - amp_prev) <= tol * amp)
        amp_prev = amp
        finish((period > 0) & steady, PERIODIC, period=period)
    if idx.size:
        p = np.prod(wt, axis=0)
        near = np.abs(eta * psi_prev - 2.0) < 0.02
        osc = np.max(ring_r, axis=0) > 1e-6 * np.abs(y)
        reason = np.where(near, 1, np.where(osc, 2, 3)).astype(np.int8)
        finish(np.ones(idx.size, dtype=bool), UNDECIDED, reason=reason)


def outcome_at(
    res: dict[str, np.ndarray], i: int, eta: Any, *, target: Any = 1.0, scale: Any = 1.0, orbit: bool = False
) -> Outcome:
    """Row ``i`` of a :func:`classify_batch` result as an :class:`Outcome` (the one way to build one).

    At a saddle the GFS sharpness is undefined: ``final_sharpness`` is the
    sharpness (top Hessian eigenvalue) at the last iterate.  ``orbit=True``
    lists the iterates of a periodic orbit.  ``target`` and ``scale`` are the
    row's values.

    Examples
    --------
    >>> res = classify_batch([[1.0, 1.01], [0.5, 3.0]], [1.2, 0.2])
    >>> outcome_at(res, 0, 1.2, orbit=True).period, outcome_at(res, 1, 0.2).status
    (2, 'converged')
    """
    status = OUTCOMES[int(res["status"][i])]
    period = int(res["period"][i]) or None
    final = float(res["final_sharpness"][i])
    if status == "saddle":  # the GFS sharpness is undefined there: report the sharpness at the iterate
        final = float(fast.sharpness(res["weights"][i : i + 1], target=target, scale=scale)[0])
    final_ok = status != "diverged" and np.isfinite(final)
    max_inc = float(res["max_gfs_increase"][i])
    points = None
    if orbit and period:
        cur = res["weights"][i]
        points = []
        for _ in range(period):
            points.append([float(x) for x in cur])
            cur = fast.gd_step(cur[None, :], eta, target=target, scale=scale)[0]
    return Outcome(
        status=status,
        period=period,
        final_sharpness=final if final_ok else None,
        gap=(2.0 / float(eta) - final) if final_ok else None,
        gfs_monotone=bool(res["gfs_monotone"][i]),
        max_gfs_increase=max_inc if np.isfinite(max_inc) else None,
        steps=int(res["steps"][i]),
        reason=reason_text(res["reason"][i]) if status == "undecided" else "",
        orbit=points,
        final_weights=[float(x) for x in res["weights"][i]],
    )


def reason_text(code: int) -> str:
    """Text of an ``undecided`` reason code."""
    return _REASONS[int(code)]


def classify(
    w0: Any,
    eta: Any,
    *,
    target: Any = 1.0,
    scale: Any = 1.0,
    max_steps: int = 20_000,
    max_period: int = 16,
    rtol: float = 1e-12,
) -> Outcome:
    """Classify the GD run from one point ``w0`` (float64 fast path).

    Examples
    --------
    >>> o = classify([0.5, 3.3, 0.5], 0.45)
    >>> o.status, o.gfs_monotone, round(o.final_sharpness * 0.45 / 2, 4)
    ('converged', True, 0.9927)
    >>> classify([1.0, 1.01], 1.2).status
    'periodic'
    """
    try:
        w = np.asarray(w0, dtype=float)
    except (TypeError, ValueError):
        raise InvalidArgument(f"w0 must be a sequence of real numbers, got {w0!r}") from None
    if w.ndim != 1:
        raise InvalidArgument(f"w0 must be one point (a 1-D sequence of weights), got shape {w.shape}")
    if np.ndim(target) or np.ndim(eta):
        raise InvalidArgument("eta and target must be scalars for a single run")
    res = classify_batch(
        w[None, :], eta, target=target, scale=scale, max_steps=max_steps, max_period=max_period, rtol=rtol
    )
    return outcome_at(res, 0, eta, target=target, scale=scale, orbit=True)

"""Classify where gradient descent goes: converged, periodic, diverged, saddle, chaotic, quasi-periodic, approaching
the saddle at the origin, or undecided.

Batched on the float64 fast path, one row per initialisation, on the
compiled engine when numba is installed (``pip install 'scalar-eos[fast]'``)
or NumPy otherwise (``engine=`` or ``$SCALAR_EOS_ENGINE`` force one; the two
agree bit for bit for ``D <= 8``, see :mod:`scalar_eos._classify`).  Each step
is one GD step, a warm-started Newton solve of the GFS shift and constant
bookkeeping; GD runs in blocks of ``2 K`` steps (``K = max_period``); after
each block every undecided row is tested:

* **diverged** - an iterate left the float64 range, or ``|pi| > 1e100 max(1, |y|)``;
* **converged** - the GFS of the iterate is a minimum with linear rate
  ``rho = |1 - eta m psi| < 1``, the iterate is in the linear regime
  (``|r| <= 1e-3 |y| (1 - rho)``), and the bound on all future changes of the
  GFS sharpness, ``(a^2/q_min) psi^2 / (y^2 (1 - rho^2))`` with
  ``a = eta m r pi`` (docs/theory.md, "One GD step": ``|d psi| <= y^2 sum_i (a^2/q_i) p_i^2``),
  is below ``rtol * psi``.  So the reported final sharpness is the sharpness
  of the limit minimiser to relative accuracy ``rtol`` - a certified tail
  bound, not a fixed tolerance on the loss;
* **periodic** - in sign-invariant coordinates ``|w_i|`` (GD commutes with
  flipping the signs of two weights) the last ``k`` iterates repeat those ``k``
  steps earlier, each ``|w_i|`` to ``1e-9`` of its largest value over the last
  ``2 K`` iterates, for the smallest ``2 <= k <= K``, the
  GD step at the last iterate is longer than that tolerance (a near-stationary
  iterate, e.g. creeping at a saddle, is no orbit), and
  the oscillation amplitude ``max |r|`` is non-vanishing and steady from one
  block to the next (to ``1e-9``, or ``1e-6`` when the GFS is linearly
  unstable, ``eta m psi > 2``) - which tells a true orbit from the slowly
  decaying oscillation of convergence just below ``eta psi = 2``;
* **saddle** - the gradient vanishes (``< 1e-12``) while ``|r| > |y|/10``;
* at the end of the budget, from statistics of the second half of the run
  (:func:`scalar_eos._classify.finalize`): **periodic** with a period
  ``K < k <= 256`` (the last ``3 k`` iterates repeat to ``1e-9``, the step is not negligible), **chaotic**
  (a finite-time Lyapunov exponent, from a tangent vector carried by the
  Jacobian of the GD map, positive by more than 3 standard errors in two
  windows that agree, with decisively exponential growth and bounded iterates;
  ``lyapunov`` and ``lyapunov_err`` report it - a statement about the run up
  to the budget, a chaotic transient is not excluded), **quasiperiodic**
  (exponent zero within its error in both windows and pooled, off the
  balanced line where GD is one-dimensional, steady range, super-convergent
  weighted Birkhoff averages), **saddle_approach** (``D >= 3``: at the budget GD
  creeps into a degenerate saddle, where ``k >= 3`` weights vanish - the
  origin when ``k = D`` - the loss within ``~2e-6`` relative of its critical
  value ``y^2/2``, approached from above, every ``|w_i|`` shrinking
  monotonically over the last ~18% of the run, and ``a^-(k-2)`` (``a`` the
  largest of the ``k`` small ``|w_i|``) growing linearly at the rate
  ``(k-2) eta m |y| B`` (``B`` the product of the other ``|w_i|``) of the
  invariant set where the ``k`` share one magnitude, within 10%:
  :func:`scalar_eos._classify.saddle_approach`).  Like ``chaotic`` it
  describes the run *at the budget*, not a limit: GD nearly conserves the
  differences ``w_i^2 - w_j^2`` there, so the approach lasts until the
  squares reach their spread, then GD leaves (in tests it came back after a
  short burst); only a run exactly on the invariant set (``reason`` says so)
  converges to the saddle.  :func:`outcome_at` states the step, ``|w|`` and
  an estimate of when the approach ends;
* **undecided** - otherwise; the reason says why (critical slowing down when
  ``eta m psi`` is within 1% of 2, slow convergence, a drift near a saddle,
  approaching the saddles off the invariant ray or leaving the origin, an
  exponent that is not conclusive, ...: :func:`reason_text`).

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

from . import _classify, fast
from ._progress import Progress
from ._validate import check_batch, check_int, check_per_row
from .errors import InvalidArgument

__all__ = [
    "OUTCOMES",
    "UP_TO_BUDGET",
    "Outcome",
    "OutcomeStatus",
    "classify",
    "classify_batch",
    "outcome_at",
    "reason_text",
]


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
    CHAOTIC = 5
    QUASIPERIODIC = 6
    SADDLE_APPROACH = 7


#: Outcome names, indexed by :class:`OutcomeStatus` (the integer codes of :func:`classify_batch`).
OUTCOMES = tuple(s.name.lower() for s in OutcomeStatus)
CONVERGED, PERIODIC, DIVERGED, SADDLE, UNDECIDED, CHAOTIC, QUASIPERIODIC, SADDLE_APPROACH = OutcomeStatus
#: Outcome names that describe the run only up to its budget (it may still converge, settle or escape):
#: trajectory claims treat them as undecided.
UP_TO_BUDGET = frozenset({"undecided", "chaotic", "quasiperiodic", "saddle_approach"})


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
    lyapunov: float | None = None
    lyapunov_err: float | None = None

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
            "lyapunov": self.lyapunov,
            "lyapunov_err": self.lyapunov_err,
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
            at_saddle = self.status in ("saddle", "saddle_approach")
            what = "sharpness at the last iterate" if at_saddle else "final GFS sharpness"
            text += f"; {what} {self.final_sharpness:.10g} ({self.final_sharpness * eta / 2:.4f} x 2/eta)"
        text += f"; GFS sharpness monotone: {'yes' if self.gfs_monotone else 'no'}"
        if self.max_gfs_increase is not None:
            inc = self.max_gfs_increase
            if inc > 0:
                text += f" (largest one-step increase {inc:.3g})"
            else:
                text += f" (it fell at every step, by at least {-inc:.3g})"
        if self.lyapunov is not None and self.status in ("chaotic", "quasiperiodic", "undecided"):
            text += f"; Lyapunov exponent {self.lyapunov:.4g} +- {self.lyapunov_err or 0:.2g} per step"
        if self.reason:
            text += f"; {self.reason}"
        return text


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
    engine: str = "auto",
    progress: bool | None = False,
) -> dict[str, np.ndarray]:
    """Classify GD from every row of ``W0`` (shape ``(N, D)``).

    A row's result depends only on that row (not on the rest of its chunk)
    and is the same on both engines for ``D <= 8``.  ``progress=True`` draws a
    bar on stderr (``None``: when a terminal or notebook shows it; default off,
    since callers often draw their own); ``callback(rows_done)`` is called
    after every chunk.

    Returns
    -------
    dict of arrays (N,)
        ``status`` (int codes into :data:`OUTCOMES`), ``period`` (0 if not
        periodic), ``final_sharpness`` (GFS sharpness at the last iterate;
        the limit's sharpness for converged rows), ``max_gfs_increase``,
        ``gfs_monotone``, ``steps`` (steps run), ``reason`` (int code, see
        :func:`reason_text`), ``weights`` (N, D): the last iterate, and
        ``lyapunov``, ``lyapunov_err`` (finite-time Lyapunov exponent per
        step and its standard error for rows still running at the budget,
        NaN otherwise).

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
    name = _classify.resolve_engine(engine)
    out = {
        "status": np.empty(n, dtype=np.int8),
        "period": np.empty(n, dtype=np.int32),
        "final_sharpness": np.empty(n),
        "max_gfs_increase": np.empty(n),
        "gfs_monotone": np.empty(n, dtype=bool),
        "steps": np.empty(n, dtype=np.int64),
        "reason": np.empty(n, dtype=np.int8),
        "weights": np.empty((n, depth)),
        "lyapunov": np.empty(n),
        "lyapunov_err": np.empty(n),
    }
    keys = {"final_sharpness": "final", "max_gfs_increase": "max_inc", "gfs_monotone": "mono"}
    e_b, y_b, m_b = (np.broadcast_to(a, (n,)) for a in (e_all, y_all, m_all))
    with Progress(n, f"classify D={depth}", enabled=progress, ticker=True, unit="runs", delay=1.0) as bar:
        if bar.enabled and name == "numba":  # finer chunks for a moving bar (results do not depend on chunks)
            chunk = min(chunk, max(256, -(-n // 50)))
        for sl in fast.row_chunks(n, chunk):
            raw = _classify.classify_arrays(
                w_all[sl], e_b[sl], y_b[sl], m_b[sl], max_steps=max_steps, max_period=max_period, rtol=rtol, engine=name
            )
            res = _classify.finalize(raw, y_b[sl], m_b[sl], max_steps=max_steps, max_period=max_period)
            for key, col in out.items():
                col[sl] = res[keys.get(key, key)]
            bar.set(sl.stop)
            if callback is not None:
                callback(sl.stop)
    return out


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
    if status in ("saddle", "saddle_approach"):  # GFS undefined or uninformative there: the sharpness at the iterate
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
        reason=_reason(res, i, status, eta, target, scale),
        orbit=points,
        final_weights=[float(x) for x in res["weights"][i]],
        lyapunov=_finite_or_none(res, "lyapunov", i),
        lyapunov_err=_finite_or_none(res, "lyapunov_err", i),
    )


def _reason(res: dict[str, np.ndarray], i: int, status: str, eta: Any, target: Any, scale: Any) -> str:
    """The reason text of row ``i``; for ``saddle_approach`` with the step, ``|w|`` and when the approach ends."""
    if status == "undecided":
        return reason_text(res["reason"][i])
    if status != "saddle_approach":
        return ""
    w = np.abs(np.asarray(res["weights"][i], dtype=float))
    group = _classify.creeping_weights(w)
    k, steps = int(np.sum(group)), int(res["steps"][i])
    a, big = float(np.max(w[group])), float(np.prod(w[~group]))
    text = f"{reason_text(res['reason'][i])}; at step {steps}: {k} weights creeping, their max |w_i| = {a:.3g}"
    spread = a * a - float(np.min(w)) ** 2
    if spread > 0 and k >= 3:
        rate = (k - 2) * float(eta) * float(scale) * abs(float(target)) * big
        end = steps + (spread ** (-(k - 2) / 2) - a ** (-(k - 2))) / rate
        text += (
            f", their spread max w_i^2 - min w_i^2 = {spread:.3g}: the approach lasts until about step {end:.2g}"
            " (an estimate from the spread, nearly conserved there)"
        )
    return text


def _finite_or_none(res: dict[str, np.ndarray], key: str, i: int) -> float | None:
    if key not in res:
        return None
    v = float(res[key][i])
    return v if np.isfinite(v) else None


def reason_text(code: int) -> str:
    """Text of an ``undecided`` reason code."""
    return _classify.REASONS[int(code)]


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

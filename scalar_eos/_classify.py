"""Fused GD outcome classifier: engines and the end-of-budget analysis (private).

Two engines run the same algorithm and return the same arrays:

* ``"numba"`` - :mod:`scalar_eos._kernels_classify`, 32 rows at a time in
  lockstep in compiled code (``pip install 'scalar-eos[fast]'``);
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

import numpy as np

from . import fast
from ._classify_numpy import HIST_LEN, N_BATCH, bump, classify_numpy, lyapunov_schedule
from ._engine import engine_info, resolve_engine

__all__ = [
    "CHAOTIC",
    "CREEP_GROUP_RATIO",
    "QUASIPERIODIC",
    "REASONS",
    "SADDLE_APPROACH",
    "classify_arrays",
    "creeping_weights",
    "engine_info",
    "finalize",
    "lyapunov_schedule",
    "resolve_engine",
    "saddle_approach",
    "window_ranges",
]

#: Rows the compiled engine runs in lockstep (independent chains the CPU overlaps).
GROUP = 32
_UNDECIDED, _PERIODIC = 4, 1


# --------------------------------------------------------------------------- dispatch and end-of-budget analysis

#: Outcome codes added by the end-of-budget analysis (after the five of :mod:`scalar_eos.outcome`).
CHAOTIC, QUASIPERIODIC, SADDLE_APPROACH = 5, 6, 7
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
    "approaching a degenerate saddle at the budget (k >= 3 weights -> 0 together, the origin when k = D; loss ->"
    " y^2/2 from above, every |w_i| shrinking monotonically, the k small ones like t^(-1/(k-2)) as on the invariant"
    " set where they share one magnitude); not a limit: the approach ends when their squares reach their spread"
    " max w_i^2 - min w_i^2, which GD nearly conserves there, and GD then escapes or nears the saddles with two zero"
    " weights",
    "approaching a degenerate saddle along the invariant set where the k >= 3 smallest |w_i| are equal (equal in"
    " float64, kept equal by GD): it converges to that saddle (the origin when k = D) like t^(-1/(k-2)), with"
    " loss -> y^2/2",
    "approaching the saddles with two or more zero weights off the invariant set (loss -> y^2/2 from above, every"
    " |w_i| shrinking monotonically, not by the creeping law): the smallest |w_i| reaches 0 in finite time, after"
    " which GD leaves unless the two smallest |w_i| are equal",
    "leaving the saddles near pi = 0 (pi y > 0 with |pi| <= 1e-6 |y|, every |w_i| growing monotonically): where it"
    " goes next is not decided",
    "no period <= 256; Lyapunov exponent zero within its error on the balanced line |w_1| = ... = |w_D|, where GD is"
    " a one-dimensional map without quasi-periodic motion: an orbit not yet settled, or near a bifurcation",
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
#: ``saddle_approach`` needs ``|pi| <= APPROACH_PI_RTOL |y|`` (the loss within ``~2e-6`` relative of ``y^2/2``).
APPROACH_PI_RTOL = 1e-6
#: ... and the fitted growth rate of ``max_i |w_i|^-(D-2)`` within this relative tolerance of ``(D-2) eta m |y|``.
APPROACH_RATE_RTOL = 0.1
#: ... and the 8 batch values within this fraction of their total change of the fitted straight line.
APPROACH_FIT_RTOL = 0.01
#: The weights within this factor of the smallest ``|w_i|`` form the group that creeps to 0 together.
CREEP_GROUP_RATIO = 1.5


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
        "bext": np.full((n, N_BATCH, 2, depth), np.nan),
        "birkhoff": np.full((n, 2), np.nan),
    }
    if n == 0:
        return out
    lyap_start, batch_blocks = lyapunov_schedule(max_steps, max_period)
    if name == "numba":
        from . import _kernels_classify

        _kernels_classify.classify_group(
            W, eta, y, scale, em, sy, fac, limit, max_steps, max_period, rtol, HIST_LEN, lyap_start, batch_blocks,
            GROUP, bump(HIST_LEN // 2),
            out["status"], out["period"], out["final"], out["max_inc"], out["mono"], out["steps"], out["reason"],
            out["weights"], out["long_period"], out["lyap"], out["bext"], out["birkhoff"],
        )  # fmt: skip
    else:
        with np.errstate(all="ignore"):
            classify_numpy(W, eta, y, scale, em, sy, fac, limit, max_steps, max_period, rtol, out)
    out["ext"] = window_ranges(out["bext"])
    out["eta_m"] = em
    return out


def window_ranges(bext: np.ndarray) -> np.ndarray:
    """The two windows' ranges of every ``|w_i|`` from the batch ranges ``bext`` (N, N_BATCH, 2, D).

    Returns ``(N, window, lo/hi, D)``: the smallest low and the largest high of
    the batches of each window; NaN for the rows without batch ranges (all NaN:
    the rows decided before the budget), whose NaN reductions are skipped since
    they only cost time.

    Examples
    --------
    >>> b = np.full((2, N_BATCH, 2, 1), np.nan)
    >>> b[0, :, 0, 0], b[0, :, 1, 0] = np.arange(16.0), np.arange(16.0) + 1
    >>> window_ranges(b)[:, :, :, 0].tolist()
    [[[0.0, 8.0], [8.0, 16.0]], [[nan, nan], [nan, nan]]]
    """
    n, _, _, depth = bext.shape
    half = N_BATCH // 2
    ext = np.full((n, 2, 2, depth), np.nan)
    rows = np.flatnonzero(~np.isnan(bext).all(axis=(1, 2, 3)))
    if rows.size:
        lo, hi = bext[rows, :, 0], bext[rows, :, 1]
        windows = [np.stack([lo[:, s].min(1), hi[:, s].max(1)], 1) for s in (slice(0, half), slice(half, None))]
        ext[rows] = np.stack(windows, 1)
    return ext


def finalize(
    raw: dict[str, np.ndarray], y: np.ndarray, scale: np.ndarray, *, max_steps: int, max_period: int
) -> dict[str, np.ndarray]:
    """Decide the rows left undecided at the budget from the end-of-budget statistics.

    * ``periodic`` - the last ``3 k`` iterates repeat with a period
      ``max_period < k <= 256`` to ``1e-9`` relative (in ``|w_i|``) and the
      GD step at the last iterate is longer than that tolerance;
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
      and their pooled estimate are zero within their errors, the iterates are
      not on the balanced line ``|w_1| = ... = |w_D|`` (GD is a
      one-dimensional map there, without invariant circles), the
      oscillation does not vanish, the range of
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
            gnorm = np.abs(r) * np.sqrt(np.sum(fast.prod_others(wu) ** 2, axis=1)) * mu_s
            near_saddle = (np.abs(r) > 0.1 * np.abs(yu)) & (
                gnorm < NEAR_SADDLE * mu_s * np.abs(yu) ** (2.0 - 1.0 / depth)
            )
        osc = reason[und] == 2
        new = np.full(und.size, _UNDECIDED, dtype=np.int8)
        why = reason[und].copy()
        long_ok = lp > max_period
        if "eta_m" in raw:  # a near-stationary iterate (a step below the repetition tolerance) is no orbit
            with np.errstate(all="ignore"):
                step = raw["eta_m"][und] * np.abs(r) * np.sqrt(np.sum(fast.prod_others(wu) ** 2, axis=1))
            long_ok &= step > 1e-9 * np.max(np.abs(wu), axis=1)
        new[long_ok] = _PERIODIC
        period[und[long_ok]] = lp[long_ok]
        free = ~long_ok & (lp == 0)
        near = saddle_approach(raw, und, np.broadcast_to(y, (n,)), max_steps=max_steps, max_period=max_period)
        creep = free & (near >= 9) & (near <= 10)
        new[creep] = SADDLE_APPROACH
        chaos = free & ~creep & pos & agree & decisive & bounded
        new[chaos] = CHAOTIC
        bk = raw["birkhoff"][und]
        with np.errstate(all="ignore"):
            smooth = np.abs(bk[:, 0] - bk[:, 1]) <= BIRKHOFF_RTOL * np.abs(bk[:, 1])
        # the pooled estimate of both windows must be zero too, and an interval map has no invariant circle:
        # on the balanced line |w_1| = ... = |w_D| (D >= 2) GD is one-dimensional
        pooled_neg = lam[und] < -LYAP_SIGMAS * err[und]
        line = (depth >= 2) & np.all(np.abs(wu) == np.abs(wu[:, :1]), axis=1)
        quasi = free & ~chaos & zero & ~pooled_neg & ~line & steady_ext & smooth & ~near_saddle & osc
        new[quasi] = QUASIPERIODIC
        left = (new == _UNDECIDED) & osc
        why[left & have & zero] = 5
        why[left & have & zero & line] = 13
        why[left & have & (neg | (zero & pooled_neg))] = 6
        why[left & have & ~zero & ~neg] = 4
        why[left & have & ~pos & ~zero & ~neg] = 5
        why[left & (lp < 0)] = 7
        why[left & near_saddle] = 8
        why[new != _UNDECIDED] = 0
        why[creep] = near[creep]
        why[(new == _UNDECIDED) & (near >= 11)] = near[(new == _UNDECIDED) & (near >= 11)]
        status[und] = new
        reason[und] = why
    res.update(status=status, period=period, reason=reason, lyapunov=lam, lyapunov_err=err)
    return res


def creeping_weights(aw: np.ndarray) -> np.ndarray:
    """The weights that creep to 0 together: ``|w_i| <= CREEP_GROUP_RATIO * min_j |w_j|`` per row of ``aw = |W|``.

    Examples
    --------
    >>> creeping_weights(np.array([[2.0, 1e-5, 1.01e-5, 1.02e-5]])).tolist()
    [[False, True, True, True]]
    """
    return aw <= CREEP_GROUP_RATIO * np.min(aw, axis=-1, keepdims=True)


def saddle_approach(
    raw: dict[str, np.ndarray], rows: np.ndarray, y: np.ndarray, *, max_steps: int, max_period: int
) -> np.ndarray:
    """Reason codes for ``rows`` of ``raw`` creeping near a degenerate saddle (0 where none applies).

    GD changes every weight by ``w_i -> w_i - A / w_i`` with one
    ``A = eta m (pi - y) pi``, so every ``w_i^2`` changes by the same
    ``-2 A + A^2/w_i^2``; near ``pi = 0`` the differences ``w_i^2 - w_j^2`` are
    nearly conserved (a step multiplies them by ``1 - A^2/(w_i^2 w_j^2)``) and
    all ``|w_i|`` shrink when ``pi y < 0``, grow when ``pi y > 0``.  The
    critical points with ``pi != y`` have two or more zero weights; with
    ``k >= 3`` zero weights the Hessian vanishes there (a degenerate saddle:
    the origin when ``k = D``).  On the invariant set where ``k`` weights
    share one magnitude ``a`` and the others have product ``B`` (they barely
    move) and ``pi y < 0``, ``a -> a - eta m |y| B a^(k-1) (1 + |pi/y|)``:
    ``a^-(k-2)`` grows linearly at the rate ``(k-2) eta m |y| B`` and ``a -> 0``
    like ``t^(-1/(k-2))``.  The creeping group is the weights within
    :data:`CREEP_GROUP_RATIO` of the smallest (:func:`creeping_weights`).  Over
    the second Lyapunov window (the last 8 batches, about the last 18% of the
    run) a row gets

    * 9 (*approaching along the invariant set*) when ``k >= 3``, every ``|w_i|``
      of the group shrinks monotonically (each batch's largest value below the
      previous batch's smallest, the last iterate below them all) and no
      other grows, the loss is at the critical value from above
      (``|pi| <= APPROACH_PI_RTOL |y|``, ``pi y <= 0``), and
      ``u_b = (max_group |w_i|)^-(k-2)`` at the batch starts lies on a straight
      line in ``t`` (within :data:`APPROACH_FIT_RTOL` of its change) of slope
      ``(k-2) eta m |y| B`` within :data:`APPROACH_RATE_RTOL` - the law of the
      invariant set, which also forces the group's ``|w_i|`` to be nearly equal;
    * 10 as 9, with the group's ``|w_i|`` equal in float64 at the end (GD
      rounds them alike and stays on the set: it converges to the saddle);
    * 11 (*approaching off the invariant set*): every ``|w_i|`` shrinks (weakly
      for those outside the group) with ``|pi| <= APPROACH_PI_RTOL |y|``,
      ``pi y <= 0``, but not by the law; the smallest ``|w_i|`` then reaches 0
      in finite time and GD leaves unless the two smallest are equal;
    * 12 (*leaving*): every ``|w_i|`` grows monotonically (weakly outside the
      group) with ``0 < pi y <= APPROACH_PI_RTOL y^2``.

    Examples
    --------
    >>> one = np.ones(1)
    >>> raw = classify_arrays(np.array([[-0.3, -0.3, -0.3]]), one, one, one,
    ...                       max_steps=4000, max_period=16, rtol=1e-12)
    >>> saddle_approach(raw, np.arange(1), one, max_steps=4000, max_period=16).tolist()
    [10]
    """
    k = rows.size
    code = np.zeros(k, dtype=np.int8)
    if "bext" not in raw or "eta_m" not in raw or k == 0:
        return code
    depth = raw["weights"].shape[1]
    _, batch_blocks = lyapunov_schedule(max_steps, max_period)
    if depth < 3 or batch_blocks == 0:
        return code
    length = 2 * max_period
    half = N_BATCH // 2
    first = max_steps // length - N_BATCH * batch_blocks
    t_b = (first + np.arange(half, N_BATCH) * batch_blocks) * length * 1.0
    b = raw["bext"][rows, half:]  # (k, batch, lo/hi, D): the second window
    lo, hi = b[:, :, 0], b[:, :, 1]
    w = raw["weights"][rows]
    aw = np.abs(w)
    yk = y[rows]
    with np.errstate(all="ignore"):
        group = creeping_weights(aw)
        size = np.sum(group, axis=1)
        big = np.prod(np.where(group, 1.0, aw), axis=1)
        have = np.all(np.isfinite(b), axis=(1, 2, 3)) & np.all(hi > 0, axis=(1, 2))
        down = (hi[:, 1:] < lo[:, :-1]) | (~group[:, None, :] & (hi[:, 1:] <= lo[:, :-1]))
        shrink = np.all(down, axis=(1, 2)) & np.all(aw <= lo[:, -1], axis=1)
        up = (lo[:, 1:] > hi[:, :-1]) | (~group[:, None, :] & (lo[:, 1:] >= hi[:, :-1]))
        grow = np.all(up, axis=(1, 2)) & np.all(aw >= hi[:, -1], axis=1)
        pi = np.prod(w, axis=1)
        small = np.abs(pi) <= APPROACH_PI_RTOL * np.abs(yk)
        u = np.max(np.where(group[:, None, :], hi, 0.0), axis=2) ** -(size[:, None] - 2.0)  # (k, batch)
        tc = t_b - t_b.mean()
        slope = (u @ tc) / (tc @ tc)
        resid = np.max(np.abs(u - u.mean(1, keepdims=True) - slope[:, None] * tc), axis=1)
        rate = (size - 2) * raw["eta_m"][rows] * np.abs(yk) * big
        law = (size >= 3) & (np.abs(slope / rate - 1.0) <= APPROACH_RATE_RTOL)
        law &= resid <= APPROACH_FIT_RTOL * (u[:, -1] - u[:, 0])
        equal = np.all(~group | (aw == np.min(aw, axis=1, keepdims=True)), axis=1)
    inward = have & shrink & small & (pi * yk <= 0)
    code[have & grow & small & (pi * yk > 0)] = 12
    code[inward] = 11
    code[inward & law] = 9
    code[inward & law & equal] = 10
    return code

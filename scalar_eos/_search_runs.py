"""Counterexample search for a claim about the whole GD run (the engine behind :func:`scalar_eos.search.search`).

Points are sampled (the claim's sampler, or the scale-aware one), filtered by
the claim's float64 hypothesis and their GD runs classified in batch on the
float64 fast path; each run gets a score (> 0: the run contradicts the
conclusion).  The best-scoring points are shrunk to short decimals and every
candidate is re-checked by a reference run at ``VERIFY_DPS`` digits (each GD
step exact, then rounded) before it is reported.  Deterministic for a seed.
"""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import numpy as np
from mpmath import mp

from . import _exact, claims
from ._progress import Progress
from .dynamics import exact_step, round_iterate
from .gfs import exact_gfs
from .model import Point
from .outcome import OUTCOMES, Outcome, OutcomeStatus, classify_batch, outcome_at
from .search import VERIFY_DPS, Counterexample, SearchReport, decimal, rounded_points

__all__ = ["search_runs", "verify_trajectory"]

# --------------------------------------------------------------------------- scores


def _trajectory_scores(c: claims.Claim, W: np.ndarray, eta: np.ndarray, y: float, max_steps: int) -> np.ndarray:
    res = classify_batch(W, eta, target=y, max_steps=max_steps)
    status, final = res["status"], res["final_sharpness"]
    if c.window is None:  # no window: evaluate the claim's conclusion run by run
        out = np.zeros(W.shape[0])
        for i in range(W.shape[0]):
            concl = c.conclusion(outcome_at(res, i, float(eta[i]), target=y), float(eta[i]))
            out[i] = -np.inf if concl is None else (1.0 if concl is False else 0.0)
        return out
    lo, hi = c.window(eta)
    th = 2.0 / eta
    dist = np.maximum(lo - final, final - hi) / th  # > 0 outside the window
    score = np.where(status == OutcomeStatus.CONVERGED, dist, 1.0)
    score = np.where((status == OutcomeStatus.UNDECIDED) | (status == OutcomeStatus.SADDLE_APPROACH), -np.inf, score)
    return np.where(np.isfinite(score), score, 1.0)


def _shrink(c, w: np.ndarray, eta: float, y: float, max_steps: int) -> tuple[np.ndarray, float]:
    for ws, es in rounded_points(c, w, eta, y, range(1, 18)):
        if _trajectory_scores(c, ws[None, :], np.array([es]), y, max_steps)[0] > 0:
            return ws, es
    return w, eta


# --------------------------------------------------------------------------- verification


def _reference_run(wq: list[Fraction], eq: Fraction, yq: Fraction, steps: int) -> tuple[list[list[Fraction]], bool]:
    """GD iterates at VERIFY_DPS digits (each step exact, then rounded); stops when diverged."""
    p = Point(wq, yq, Fraction(1))
    path = [p.w]
    limit = Fraction(10) ** 100 * max(1, abs(yq))
    for _ in range(steps):
        nxt = round_iterate(exact_step(p, eq), VERIFY_DPS)
        p = Point(nxt, yq, Fraction(1))
        path.append(nxt)
        if abs(p.product) > limit:
            return path, True
    return path, False


def verify_trajectory(
    c, w: list[str], eta: str, y: str, steps: int, fast_status: str, period: int
) -> Counterexample | None:
    """The counterexample at ``(w, eta)`` if a reference run confirms the float64 outcome ``fast_status``, else None.

    ``fast_status`` is the float64 outcome that contradicts the claim: ``"diverged"``, ``"periodic"`` (with its
    ``period``) or converged outside the claim's window; ``steps`` is the reference run's length.
    """
    wq = [Fraction(v) for v in w]
    eq, yq = Fraction(eta), Fraction(y)
    if not c.hypothesis(wq, eq, yq):
        return None
    path, diverged = _reference_run(wq, eq, yq, steps)
    with mp.workdps(VERIFY_DPS + 10):
        g0 = exact_gfs(Point(wq, yq, Fraction(1)))["sharpness"]
        before = mpmath.nstr(g0, VERIFY_DPS, strip_zeros=False)
        if fast_status == "diverged":
            if not diverged:
                return None
            after, detail = "inf", f"GD diverged (|pi| > 1e100 after {len(path) - 1} steps at {VERIFY_DPS} digits)"
        elif fast_status == "periodic":
            last, back = path[-1], path[-1 - period]
            gap = max(abs(abs(a) - abs(b)) for a, b in zip(last, back, strict=True))
            if diverged or gap > Fraction(1, 10**6) * max(abs(a) for a in last):
                return None
            g = exact_gfs(Point(path[-1], yq, Fraction(1)))["sharpness"]
            after, detail = mpmath.nstr(g, VERIFY_DPS, strip_zeros=False), f"GD ends on a period-{period} orbit"
        else:  # converged outside the window
            g = exact_gfs(Point(path[-1], yq, Fraction(1)))["sharpness"]
            r = float(_exact.fraction_product(path[-1]) - yq)
            if diverged or abs(r) > 1e-6 * abs(float(yq)):
                return None
            ok = c.conclusion(_as_outcome(float(g)), float(eq))
            if ok is not False:
                return None
            after = mpmath.nstr(g, VERIFY_DPS, strip_zeros=False)
            detail = f"GD converged to sharpness {mpmath.nstr(g, 8)} = {float(g) * float(eq) / 2:.4f} x 2/eta"
    snippet = (
        f"import scalar_eos as se; o = se.classify({[float(v) for v in w]!r}, {float(eta)!r}, "
        f"target={float(y)!r}); print(o.status, o.period, o.final_sharpness)"
    )
    return Counterexample(w, eta, y, before, after, VERIFY_DPS, detail, snippet)


def _as_outcome(final: float) -> Outcome:
    return Outcome("converged", None, final, None, True, 0.0, 0)


# --------------------------------------------------------------------------- driver


def search_runs(c, depth, budget, seed, target, max_reports, max_steps, progress) -> SearchReport:
    """Search of a trajectory claim: sample, classify GD runs in batch, shrink and verify the worst."""
    from .sampling import ScaleAwareSampler

    rng = np.random.default_rng(seed)
    sampler = c.sampler if c.sampler is not None else ScaleAwareSampler()
    if isinstance(sampler, ScaleAwareSampler):
        sampler = sampler.fresh()
    keep = 32
    pool_W = np.empty((0, depth))
    pool_e = np.empty(0)
    pool_s = np.empty(0)
    trials = in_hyp = 0
    cover = {"eta_psi": [np.inf, -np.inf], "pi_over_y": [np.inf, -np.inf], "log10_abs_w": [np.inf, -np.inf]}
    with Progress(budget, f"search {c.id} D={depth}", enabled=progress) as bar:
        while trials < budget:
            n = min(512, budget - trials)
            W, eta = sampler(rng, depth, n, target)
            trials += n
            ok = claims.hypothesis_batch(c, W, eta, target)
            if hasattr(sampler, "feedback"):
                sampler.feedback(ok)
            W, eta = W[ok], eta[ok]
            in_hyp += int(ok.sum())
            bar.set(trials)
            if not len(eta):
                continue
            _cover(cover, W, eta, target)
            s = _trajectory_scores(c, W, eta, target, max_steps)
            pool_W = np.concatenate([pool_W, W])
            pool_e = np.concatenate([pool_e, eta])
            pool_s = np.concatenate([pool_s, s])
            order = np.argsort(-pool_s, kind="stable")[:keep]
            pool_W, pool_e, pool_s = pool_W[order], pool_e[order], pool_s[order]
    cands = [i for i in np.argsort(-pool_s, kind="stable") if pool_s[i] > 0]
    found: list[Counterexample] = []
    rejected = 0
    seen: set[tuple[str, ...]] = set()
    for i in cands:
        if len(found) >= max_reports:
            break
        w_s, e_s = _shrink(c, pool_W[i], float(pool_e[i]), target, max_steps)
        w_str, e_str, y_str = [decimal(v) for v in w_s], decimal(e_s), decimal(target)
        key = (*w_str, e_str)
        if key in seen:
            continue
        seen.add(key)
        fast_res = classify_batch(np.array([w_s]), e_s, target=target, max_steps=max_steps)
        status = OUTCOMES[int(fast_res["status"][0])]
        steps = int(fast_res["steps"][0])
        ce = verify_trajectory(c, w_str, e_str, y_str, steps, status, int(fast_res["period"][0]))
        if ce is None:
            rejected += 1
        else:
            found.append(ce)
    return SearchReport(
        claim=c.id,
        depth=depth,
        seed=seed,
        trials=trials,
        in_hypothesis=in_hyp,
        candidates=len(cands),
        rejected=rejected,
        counterexamples=found,
        coverage={k: (None if not math.isfinite(v[0]) else [float(v[0]), float(v[1])]) for k, v in cover.items()},
        scoring="runs",
    )


def _cover(cover: dict[str, list[float]], W: np.ndarray, eta: np.ndarray, y: float) -> None:
    from .sampling import log_coordinates

    co = log_coordinates(W, eta, y)
    vals = {"eta_psi": co["eta_psi"], "pi_over_y": co["pi_over_y"], "log10_abs_w": co["log10_abs_w"].ravel()}
    for k, v in vals.items():
        v = v[np.isfinite(v)]
        if v.size:
            cover[k][0] = min(cover[k][0], float(v.min()))
            cover[k][1] = max(cover[k][1], float(v.max()))

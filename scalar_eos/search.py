"""Counterexample search for a claim: sample, optimise adversarially, shrink, verify.

1. **Sampling** over the claim's hypothesis (a claim-specific sampler, or
   log-uniform weights with ``eta * psi(w)`` log-uniform around the stability
   threshold, filtered by the hypothesis), evaluated in batch on the float64
   fast path.
2. **Adversarial local optimisation**: the most violating (or least
   satisfying) points are improved by a batched (1+lambda) evolution strategy
   in ``(log|w|, log eta)``, signs fixed, staying inside the hypothesis.
3. **Shrinking**: each candidate is rounded to as few significant digits as
   keep it a violation, so counterexamples read like ``w = [0.3, 2.5]``.
4. **Verification**: every reported counterexample is re-checked from its
   exact decimal values - the hypothesis exactly / in high precision, the
   conclusion with :func:`scalar_eos.onestep.one_step` (step claims) or a
   50-digit GD run (trajectory claims).  Candidates that fail are dropped
   and counted.

The search is deterministic for a seed.  When nothing is found, the report
says what was covered (trials, how many satisfied the hypothesis, the ranges
of ``eta * psi``, ``pi / y`` and ``log10 |w|`` seen).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import mpmath
import numpy as np
from mpmath import mp

from . import _exact, claims, fast
from ._progress import Progress
from ._validate import check_int, check_real
from .dynamics import exact_step, round_iterate
from .errors import InvalidArgument
from .gfs import exact_gfs
from .model import Point
from .onestep import exact_one_step
from .outcome import OUTCOMES, Outcome, OutcomeStatus, classify_batch, outcome_at

__all__ = ["Counterexample", "SearchReport", "search"]

VERIFY_DPS = 50
_LOG_BOX = 4.0
_MAX_ETA_PSI = 20.0
_BATCH = 8192


@dataclass
class Counterexample:
    """A verified counterexample (values are exact decimal strings)."""

    weights: list[str]
    eta: str
    target: str
    gfs_before: str
    gfs_after: str
    dps: int
    detail: str
    snippet: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "weights": self.weights,
            "eta": self.eta,
            "target": self.target,
            "gfs_before": self.gfs_before,
            "gfs_after": self.gfs_after,
            "dps": self.dps,
            "detail": self.detail,
            "snippet": self.snippet,
        }


@dataclass
class SearchReport:
    """What a search did and found."""

    claim: str
    depth: int
    seed: int
    trials: int
    in_hypothesis: int
    candidates: int
    rejected: int
    counterexamples: list[Counterexample] = field(default_factory=list)
    coverage: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "claim": self.claim,
            "depth": self.depth,
            "seed": self.seed,
            "trials": self.trials,
            "in_hypothesis": self.in_hypothesis,
            "candidates": self.candidates,
            "rejected_by_verification": self.rejected,
            "counterexamples": [c.as_dict() for c in self.counterexamples],
            "coverage": self.coverage,
        }

    def format_text(self) -> str:
        """The report for humans (``scalar-eos search``)."""
        lines = [
            f"claim {self.claim}, depth {self.depth}, seed {self.seed}: {self.trials} trials, "
            f"{self.in_hypothesis} sampled inside the hypothesis"
        ]
        if not self.counterexamples:
            lines.append(
                f"no counterexample found ({self.candidates} float64 candidates, "
                f"{self.rejected} rejected by verification)"
            )
            lines += [f"  covered {k}: [{v[0]:.4g}, {v[1]:.4g}]" for k, v in self.coverage.items() if v is not None]
            return "\n".join(lines)
        n, dps = len(self.counterexamples), self.counterexamples[0].dps
        lines.append(f"{n} counterexample(s), each verified at {dps} digits:")
        for ce in self.counterexamples:
            lines.append(f"- w = [{', '.join(ce.weights)}], eta = {ce.eta}, target = {ce.target}: {ce.detail}")
            lines.append(f"    GFS sharpness before {ce.gfs_before[:24]}  after {ce.gfs_after[:24]}")
            lines.append(f"    reproduce: {ce.snippet}")
        return "\n".join(lines)


# --------------------------------------------------------------------------- sampling


def _default_sampler(rng: np.random.Generator, depth: int, n: int, target: float) -> tuple[np.ndarray, np.ndarray]:
    mags = np.exp(rng.uniform(-2.0, 2.0, size=(n, depth)))
    signs = np.where(rng.random((n, depth)) < 0.25, -1.0, 1.0)
    W = mags * signs
    c = np.exp(rng.uniform(np.log(0.05), np.log(20.0), size=n))  # eta * psi(w)
    with np.errstate(all="ignore"):
        eta = c / fast.gfs_sharpness(W, target=target)
    return W, eta


# --------------------------------------------------------------------------- scores


def _step_scores(c: claims.Claim, W: np.ndarray, eta: np.ndarray, y: float) -> np.ndarray:
    """> 0 where the claim is violated: float64 score, or exact per-point evaluation."""
    if c.batch_violation is None:
        return _exact_scores(c, W, eta, y)
    with np.errstate(all="ignore"):
        before = fast.gfs_sharpness(W, target=y)
        after = fast.gfs_sharpness(fast.gd_step(W, eta, target=y), target=y)
        score = c.batch_violation(W, eta, np.full(W.shape[0], y), before, after)
    return np.where(np.isfinite(score), score, -np.inf)


def _exact_scores(c: claims.Claim, W: np.ndarray, eta: np.ndarray, y: float) -> np.ndarray:
    """1 where the exact conclusion fails, 0 where it holds (for claims without a float score)."""
    out = np.zeros(W.shape[0])
    for i in range(W.shape[0]):
        if not (np.all(np.isfinite(W[i])) and np.isfinite(eta[i]) and eta[i] > 0):
            out[i] = -np.inf
            continue
        p = Point([Fraction(float(x)) for x in W[i]], Fraction(y), Fraction(1))
        e = Fraction(float(eta[i]))
        step = exact_one_step(p, e, 20)
        out[i] = 1.0 if c.conclude_step(step, p.w, e, p.target) is False else 0.0
    return out


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
    score = np.where(status == OutcomeStatus.UNDECIDED, -np.inf, score)
    return np.where(np.isfinite(score), score, 1.0)


# --------------------------------------------------------------------------- optimisation and shrinking


def _optimise(c, W, eta, y, rng, iters: int, lam: int = 8) -> tuple[np.ndarray, np.ndarray, int]:
    """Batched (1+lambda)-ES on (log|w|, log eta) maximising the violation score."""
    k, depth = W.shape
    signs = np.sign(W)
    x = np.concatenate([np.log(np.abs(W)), np.log(eta)[:, None]], axis=1)
    best = _step_scores(c, W, eta, y)
    sigma = np.full(k, 0.3)
    evals = 0
    for _ in range(iters):
        cand = x[:, None, :] + sigma[:, None, None] * rng.standard_normal((k, lam, depth + 1))
        cand = cand.reshape(k * lam, depth + 1)
        cand[:, :depth] = np.clip(cand[:, :depth], -_LOG_BOX, _LOG_BOX)  # keep |w| in [e^-4, e^4]
        Wc = np.exp(cand[:, :depth]) * np.repeat(signs, lam, axis=0)
        with np.errstate(all="ignore"):  # keep eta * psi(w) <= 20, the sampled range
            cap = np.log(_MAX_ETA_PSI / fast.gfs_sharpness(Wc, target=y))
        cand[:, depth] = np.fmin(cand[:, depth], cap)
        ec = np.exp(cand[:, depth])
        ok = claims.hypothesis_batch(c, Wc, ec, y)
        sc = np.where(ok, _step_scores(c, Wc, ec, y), -np.inf).reshape(k, lam)
        evals += k * lam
        j = np.argmax(sc, axis=1)
        top = sc[np.arange(k), j]
        better = top > best
        x[better] = cand.reshape(k, lam, depth + 1)[better, j[better]]
        best = np.where(better, top, best)
        sigma = np.where(better, sigma * 1.5, sigma * 0.85)
        sigma = np.clip(sigma, 1e-6, 2.0)
    return np.exp(x[:, :depth]) * signs, np.exp(x[:, depth]), evals


def _round_sig(x: np.ndarray, digits: int) -> np.ndarray:
    out = np.array([float(f"{v:.{digits - 1}e}") for v in np.ravel(x)])
    return out.reshape(np.shape(x))


def _dec(x: float) -> str:
    """Shortest decimal string that round-trips the float (exact value used from then on)."""
    return repr(float(x))


def _shrink(c, w: np.ndarray, eta: float, y: float, trajectory: bool, max_steps: int) -> tuple[np.ndarray, float]:
    for digits in range(1, 18):
        ws, es = _round_sig(w, digits), float(_round_sig(np.array([eta]), digits)[0])
        if es <= 0 or np.any(ws == 0):
            continue
        W1, e1 = ws[None, :], np.array([es])
        if not claims.hypothesis_batch(c, W1, e1, y)[0]:
            continue
        score = _trajectory_scores(c, W1, e1, y, max_steps) if trajectory else _step_scores(c, W1, e1, y)
        if score[0] > (0 if trajectory else 1e-10):
            return ws, es
    return w, eta


# --------------------------------------------------------------------------- verification


def _verify_step(c, w: list[str], eta: str, y: str) -> Counterexample | None:
    wq = [Fraction(v) for v in w]
    eq, yq = Fraction(eta), Fraction(y)
    if not c.hypothesis(wq, eq, yq):
        return None
    step = exact_one_step(Point(wq, yq, Fraction(1)), eq, VERIFY_DPS)
    concl = c.conclude_step(step, wq, eq, yq)
    if concl is not False:
        return None
    before = mpmath.nstr(step.gfs_before, VERIFY_DPS, strip_zeros=False)
    after = mpmath.nstr(step.gfs_after, VERIFY_DPS, strip_zeros=False)
    snippet = (
        f"import scalar_eos as se; r = se.one_step({w!r}, {eta!r}, target={y!r}); "
        "print(r.relation, r.gfs_before, r.gfs_after)"
    )
    return Counterexample(w, eta, y, before, after, VERIFY_DPS, f"GFS sharpness {step.relation}", snippet)


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


def _verify_trajectory(
    c, w: list[str], eta: str, y: str, steps: int, fast_status: str, period: int
) -> Counterexample | None:
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


def search(
    claim: str,
    depth: int,
    *,
    budget: int = 200_000,
    seed: int = 0,
    target: float = 1.0,
    max_reports: int = 5,
    max_steps: int = 3000,
    progress: bool | None = None,
) -> SearchReport:
    """Search for counterexamples to a registered claim at a given depth.

    Parameters
    ----------
    claim : str
        Claim id (see :func:`scalar_eos.claims.registry`).
    depth : int
        Network depth D >= 1.
    budget : int
        Number of points evaluated (step claims) or GD runs (trajectory claims).
    seed : int
        Seed: the search is deterministic for a seed.
    target : float
        Target ``y`` of the sampled problems.
    max_reports : int
        Verified counterexamples to report at most.
    max_steps : int
        GD budget per run for trajectory claims.
    progress : bool or None
        Progress bar on stderr (default: when stderr is a terminal).

    Examples
    --------
    >>> rep = search("step-decrease", 2, budget=20_000, seed=1, max_reports=1)
    >>> len(rep.counterexamples), rep.counterexamples[0].detail
    (1, 'GFS sharpness increased')
    >>> search("step-decrease-order", 3, budget=20_000, seed=1).counterexamples
    []
    """
    c = claims.get(claim)
    depth = check_int(depth, "depth", 1)
    if c.depth is not None and c.depth != depth:
        raise InvalidArgument(f"claim {claim!r} is about depth {c.depth} only, got --depth {depth}")
    budget = check_int(budget, "budget", 1)
    target = check_real(target, "target", nonzero=True)
    rng = np.random.default_rng(seed)
    trajectory = c.kind == "trajectory"
    sampler = c.sampler or _default_sampler
    sample_budget = budget if (trajectory or c.batch_violation is None) else max(1, int(budget * 0.6))
    keep = 32
    pool_W = np.empty((0, depth))
    pool_e = np.empty(0)
    pool_s = np.empty(0)
    trials = in_hyp = 0
    cover = {"eta_psi": [np.inf, -np.inf], "pi_over_y": [np.inf, -np.inf], "log10_abs_w": [np.inf, -np.inf]}
    exact_mode = not trajectory and c.batch_violation is None  # scored by exact evaluation: small batches
    batch = 512 if trajectory else (256 if exact_mode else _BATCH)
    with Progress(budget, f"search {claim} D={depth}", enabled=progress) as bar:
        while trials < sample_budget:
            n = min(batch, sample_budget - trials)
            W, eta = sampler(rng, depth, n, target)
            trials += n
            ok = claims.hypothesis_batch(c, W, eta, target)
            W, eta = W[ok], eta[ok]
            in_hyp += int(ok.sum())
            bar.set(trials)
            if not len(eta):
                continue
            _cover(cover, W, eta, target)
            s = _trajectory_scores(c, W, eta, target, max_steps) if trajectory else _step_scores(c, W, eta, target)
            pool_W = np.concatenate([pool_W, W])
            pool_e = np.concatenate([pool_e, eta])
            pool_s = np.concatenate([pool_s, s])
            order = np.argsort(-pool_s, kind="stable")[:keep]
            pool_W, pool_e, pool_s = pool_W[order], pool_e[order], pool_s[order]
        if not trajectory and not exact_mode and len(pool_e):
            iters = max(1, (budget - trials) // (len(pool_e) * 8))
            Wo, eo, evals = _optimise(c, pool_W, pool_e, target, rng, iters)
            trials += evals
            so = _step_scores(c, Wo, eo, target)
            okh = claims.hypothesis_batch(c, Wo, eo, target)
            better = okh & (so > pool_s)
            pool_W[better], pool_e[better], pool_s[better] = Wo[better], eo[better], so[better]
            bar.set(budget)
    threshold = 0.0 if trajectory else 1e-10
    cands = [i for i in np.argsort(-pool_s, kind="stable") if pool_s[i] > threshold]
    found: list[Counterexample] = []
    rejected = 0
    seen: set[tuple[str, ...]] = set()
    fast_res = None
    for i in cands:
        if len(found) >= max_reports:
            break
        w_s, e_s = _shrink(c, pool_W[i], float(pool_e[i]), target, trajectory, max_steps)
        w_str, e_str, y_str = [_dec(v) for v in w_s], _dec(e_s), _dec(target)
        key = (*w_str, e_str)
        if key in seen:
            continue
        seen.add(key)
        if trajectory:
            fast_res = classify_batch(np.array([w_s]), e_s, target=target, max_steps=max_steps)
            status = OUTCOMES[int(fast_res["status"][0])]
            steps = int(fast_res["steps"][0])
            ce = _verify_trajectory(c, w_str, e_str, y_str, steps, status, int(fast_res["period"][0]))
        else:
            ce = _verify_step(c, w_str, e_str, y_str)
        if ce is None:
            rejected += 1
        else:
            found.append(ce)
    return SearchReport(
        claim=claim,
        depth=depth,
        seed=seed,
        trials=trials,
        in_hypothesis=in_hyp,
        candidates=len(cands),
        rejected=rejected,
        counterexamples=found,
        coverage={k: (None if not math.isfinite(v[0]) else [float(v[0]), float(v[1])]) for k, v in cover.items()},
    )


def _cover(cover: dict[str, list[float]], W: np.ndarray, eta: np.ndarray, y: float) -> None:
    with np.errstate(all="ignore"):
        vals = {
            "eta_psi": eta * fast.gfs_sharpness(W, target=y),
            "pi_over_y": np.prod(W, axis=1) / y,
            "log10_abs_w": np.log10(np.abs(W)).ravel(),
        }
    for k, v in vals.items():
        v = v[np.isfinite(v)]
        if v.size:
            cover[k][0] = min(cover[k][0], float(v.min()))
            cover[k][1] = max(cover[k][1], float(v.max()))

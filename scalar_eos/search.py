"""Counterexample search for a claim: sample wide, refine adversarially, decide exactly.

Claims about one GD step are searched by :func:`scalar_eos.explore.explore`:
scale-aware sampling over many decades and structured corners
(:mod:`scalar_eos.sampling`), margins of the GFS sharpness that stay accurate
near ties (:mod:`scalar_eos.margins`), points pushed onto the boundary of the
hypothesis, refinement in log-coordinates, and an exact decision of every
report.  When nothing is refuted the report gives where the claim came
closest (``closest``: smallest relative decrease of psi, decided at 50
digits; ``tightest``: smallest decrease relative to its first-order term) and
the coverage of the search.

Claims about the whole run are searched here: sampled (the claim's sampler,
or the scale-aware one), GD runs classified in batch on the float64 fast path,
candidates shrunk to short decimals and re-checked by a 50-digit reference
run.  The search is deterministic for a seed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import mpmath
import numpy as np
from mpmath import mp

from . import _exact, claims
from ._progress import Progress
from ._validate import check_int, check_real
from .dynamics import exact_step, round_iterate
from .errors import InvalidArgument
from .gfs import exact_gfs
from .model import Point
from .outcome import OUTCOMES, Outcome, OutcomeStatus, classify_batch, outcome_at

__all__ = ["Counterexample", "SearchReport", "search", "verify"]

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
    closest: list[dict[str, Any]] = field(default_factory=list)
    tightest: list[dict[str, Any]] = field(default_factory=list)
    scoring: str = ""

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
            "closest": self.closest,
            "tightest": self.tightest,
            "coverage": self.coverage,
            "scoring": self.scoring,
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
            for title, rows in (("closest (smallest decrease of psi", self.closest), ("tightest", self.tightest)):
                if rows:
                    lines.append(
                        f"{title}, decided at {rows[0]['margin_digits']} digits):"
                        if "(" in title
                        else f"{title} (decrease / first-order decrease):"
                    )
                for r in rows[:3]:
                    ratio = r["margin_over_first_order"]
                    lines.append(
                        f"  margin {r['margin']:.3e}  pi/y {r['pi_over_y']:.6g}  eta psi {r['eta_psi']:.10g}  "
                        f"{'' if ratio is None else f'/first order {ratio:.2e}  '}w = [{', '.join(r['weights'])}], "
                        f"eta = {r['eta']}"
                    )
            lines += [f"  covered {k}: {_fmt_range(v)}" for k, v in self.coverage.items() if v is not None]
            return "\n".join(lines)
        n, dps = len(self.counterexamples), self.counterexamples[0].dps
        lines.append(f"{n} counterexample(s), each verified at {dps} digits:")
        for ce in self.counterexamples:
            lines.append(f"- w = [{', '.join(ce.weights)}], eta = {ce.eta}, target = {ce.target}: {ce.detail}")
            lines.append(f"    GFS sharpness before {_short(ce.gfs_before)}  after {_short(ce.gfs_after)}")
            lines.append(f"    reproduce: {ce.snippet}")
        return "\n".join(lines)


def _short(value: str, digits: int = 17) -> str:
    """A verified decimal string shortened to ``digits`` significant digits, exponent kept (never truncated)."""
    try:
        with mpmath.workdps(len(value) + 10):
            return mpmath.nstr(mpmath.mpf(value), digits, strip_zeros=False)
    except (ValueError, TypeError):  # "inf" or a note: shown as is
        return value


def _fmt_range(v: Any) -> str:
    if isinstance(v, list) and v and isinstance(v[0], list):
        return " ".join(_fmt_range(x) for x in v)
    if isinstance(v, list):
        return f"[{v[0]:.4g}, {v[1]:.4g}]"
    return f"{v:.4g}"


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


def _round_sig(x: np.ndarray, digits: int) -> np.ndarray:
    out = np.array([float(f"{v:.{digits - 1}e}") for v in np.ravel(x)])
    return out.reshape(np.shape(x))


def decimal(x: float) -> str:
    """Shortest decimal string that round-trips the float (its exact value is used from then on)."""
    return repr(float(x))


def rounded_points(
    c: claims.Claim, w: np.ndarray, eta: float, y: float, digits: Iterable[int]
) -> Iterator[tuple[np.ndarray, float]]:
    """``(w, eta)`` rounded to each number of significant digits in turn, where it stays a point of the claim.

    Roundings with ``eta <= 0`` or a zero weight, or outside the claim's float64 hypothesis, are skipped.
    Used to report a counterexample with short decimals.

    Examples
    --------
    >>> from scalar_eos import claims
    >>> c = claims.get("step-decrease")
    >>> [(list(map(float, ws)), es) for ws, es in rounded_points(c, np.array([3.14159, 0.002718]), 0.1234, 1.0, [1, 2])]
    [([3.0, 0.003], 0.1), ([3.1, 0.0027], 0.12)]
    """
    for k in digits:
        ws, es = _round_sig(w, k), float(_round_sig(np.array([eta]), k)[0])
        if es <= 0 or np.any(ws == 0):
            continue
        if claims.hypothesis_batch(c, ws[None, :], np.array([es]), y)[0]:
            yield ws, es


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
    >>> search("step-decrease-order", 3, budget=5_000, seed=1).counterexamples
    []
    """
    c = claims.get(claim)
    depth = check_int(depth, "depth", 1)
    if c.depth is not None and c.depth != depth:
        raise InvalidArgument(f"claim {claim!r} is about depth {c.depth} only, got --depth {depth}")
    budget = check_int(budget, "budget", 1)
    target = check_real(target, "target", nonzero=True)
    max_reports = check_int(max_reports, "max_reports", 1)
    if c.kind == "step":
        from .explore import explore

        r = explore(claim, depth, budget=budget, seed=seed, target=target, max_reports=max_reports, progress=progress)
        return SearchReport(
            claim=claim,
            depth=depth,
            seed=seed,
            trials=r.trials,
            in_hypothesis=r.in_hypothesis,
            candidates=r.candidates,
            rejected=r.rejected,
            counterexamples=r.counterexamples,
            coverage=r.coverage,
            closest=r.closest,
            tightest=r.tightest,
            scoring=r.scoring,
        )
    return _search_runs(c, depth, budget, seed, target, max_reports, max_steps, progress)


def verify(
    claim: str, weights: list[str], eta: str, *, target: str = "1.0", max_steps: int = 3000
) -> Counterexample | None:
    """Decide exactly whether a point is a counterexample to a claim (None if it is not).

    Step claims: exact hypothesis and the exact one-step decision.  Trajectory
    claims: the float64 outcome of GD names the failure (diverged, periodic,
    converged outside the window), and a 50-digit reference run must confirm it.

    Examples
    --------
    >>> verify("step-decrease", ["37", "36.9"], "1.46").detail
    'GFS sharpness increased'
    >>> verify("step-decrease-order", ["0.5", "3"], "0.01") is None
    True
    """
    c = claims.get(claim)
    if c.kind == "step":
        from .verdicts import verify_step

        return verify_step(c, list(weights), eta, target)
    w = np.array([[float(x) for x in weights]])
    res = classify_batch(w, float(eta), target=float(target), max_steps=max_steps)
    status = OUTCOMES[int(res["status"][0])]
    steps, period = int(res["steps"][0]), int(res["period"][0])
    return _verify_trajectory(c, list(weights), eta, target, steps, status, period)


def _search_runs(c, depth, budget, seed, target, max_reports, max_steps, progress) -> SearchReport:
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
        ce = _verify_trajectory(c, w_str, e_str, y_str, steps, status, int(fast_res["period"][0]))
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

"""Adversarial exploration of a one-step claim: sample wide, refine in log-coordinates, decide exactly.

The engine behind :func:`scalar_eos.search.search` for claims about one GD step.

1. **Sampling** with a scale-aware sampler (:mod:`scalar_eos.sampling`):
   magnitudes over many decades and structured corners, filtered by the
   claim's hypothesis; the sampler's families adapt to the acceptance.
2. **Scoring** that stays meaningful near ties: the relative decrease of psi
   comes from :func:`scalar_eos.margins.step_margin`.  A claim's
   ``batch_violation`` receives ``psi_after = psi_before (1 - margin)``, so a
   plain ``(after - before) / before`` sees increases down to ``1e-16`` of psi
   with the right sign instead of rounding noise; a ``batch_violation`` with a
   ``margin`` keyword receives the :class:`~scalar_eos.margins.StepMargin`
   itself.  A claim with no ``batch_violation`` has its conclusion called on
   a float64 stand-in of the exact step (psi values carried as mpf to the
   accuracy of the margin), and is then decided exactly.
3. **Refinement**: a batched (1+lambda) evolution strategy in
   ``(log|w_i|, log|pi/y|, log(eta psi))`` with multi-scale steps (down to
   relative moves of ``1e-12``, so nearly balanced clusters are not destroyed).
4. **Decision**: every reported counterexample is re-checked from its exact
   decimal values (hypothesis and conclusion, :func:`scalar_eos.claims.evaluate`
   with the exact one-step decision).  When nothing is refuted, the rows where
   psi came closest to increasing are decided at 50 digits and reported
   (``closest``) with the coverage of the search.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import claims, fast
from ._progress import Progress
from .errors import InvalidArgument
from .sampling import Region, ScaleAwareSampler, log_coordinates
from .scoring import Scores, probe, scores, violation_kind
from .search import Counterexample
from .verdicts import Verifier, closest_rows

__all__ = ["Exploration", "default_sampler", "explore"]

_BATCH = 8192
_KEEP = 32
_CLOSE_KEEP = 48
_LAMBDA = 8
_BOX = 10.0 * math.log(10.0)  # refinement stays within 10 decades of |y|^(1/D)


@dataclass
class Exploration:
    """What an exploration did and found (see :func:`explore`)."""

    trials: int
    in_hypothesis: int
    candidates: int
    rejected: int
    counterexamples: list[Counterexample] = field(default_factory=list)
    closest: list[dict[str, Any]] = field(default_factory=list)
    tightest: list[dict[str, Any]] = field(default_factory=list)
    coverage: dict[str, Any] = field(default_factory=dict)
    scoring: str = ""


# --------------------------------------------------------------------------- refinement in log-coordinates


def _to_coords(W: np.ndarray, eta: np.ndarray, y: float, psi: np.ndarray) -> np.ndarray:
    depth = W.shape[1]
    u = np.log(np.abs(W)) - math.log(abs(y)) / depth
    lam = np.log(np.abs(np.prod(W, axis=1) / y))
    return np.concatenate([u, lam[:, None], np.log(eta * psi)[:, None]], axis=1)


def _from_coords(x: np.ndarray, signs: np.ndarray, y: float) -> tuple[np.ndarray, np.ndarray]:
    depth = signs.shape[1]
    u = x[:, :depth]
    u = u - u.mean(axis=1, keepdims=True) + x[:, depth, None] / depth  # prod |w| / |y| = e^lambda
    with np.errstate(all="ignore"):
        W = signs * abs(y) ** (1.0 / depth) * np.exp(u)
        psi = fast.gfs_sharpness(W, target=y)
        eta = np.exp(x[:, depth + 1]) / psi
    inside = np.all(np.abs(u) <= _BOX, axis=1) & np.isfinite(eta) & (eta > 0)
    return W, np.where(inside, eta, np.nan)


def _refine(c, kind, W, eta, y, rng, evals: int, feed) -> int:
    """(1+lambda)-ES maximising the objective from the rows ``W, eta``; every evaluated row goes to ``feed``.

    Returns the number of evaluations used.
    """
    k, depth = W.shape
    signs = np.sign(W)
    sc = scores(c, kind, W, eta, y)
    x = _to_coords(W, eta, y, sc.psi)
    best = sc.objective.copy()
    sigma = np.full(k, 0.5)
    used = 0
    dim = depth + 2
    while used + k * _LAMBDA <= evals:
        scale = sigma[:, None, None] * 10.0 ** -rng.uniform(0.0, 12.0, size=(k, _LAMBDA, 1))
        mask = rng.random((k, _LAMBDA, dim)) < 0.6
        cand = x[:, None, :] + np.where(mask, scale * rng.standard_normal((k, _LAMBDA, dim)), 0.0)
        cand = cand.reshape(k * _LAMBDA, dim)
        Wc, ec = _from_coords(cand, np.repeat(signs, _LAMBDA, axis=0), y)
        ok = claims.hypothesis_batch(c, Wc, ec, y)
        s_all = np.full(k * _LAMBDA, -np.inf)
        if np.any(ok):
            sc_c = scores(c, kind, Wc[ok], ec[ok], y)
            s_all[ok] = sc_c.objective
            feed(Wc[ok], ec[ok], sc_c)
        used += k * _LAMBDA
        s_all = s_all.reshape(k, _LAMBDA)
        j = np.argmax(s_all, axis=1)
        top = s_all[np.arange(k), j]
        better = top > best
        x[better] = cand.reshape(k, _LAMBDA, dim)[better, j[better]]
        best = np.where(better, top, best)
        sigma = np.clip(np.where(better, sigma * 1.5, sigma * 0.9), 1e-3, 3.0)
    return used


# --------------------------------------------------------------------------- boundary of the hypothesis


def _along(W: np.ndarray, eta: np.ndarray, y: float, direction: np.ndarray, t: np.ndarray):
    """Move rows by ``e^t``: directions 0/1 scale eta up/down; 2/3 scale pi/y up/down at fixed eta psi."""
    depth = W.shape[1]
    sgn = np.where(direction % 2 == 0, 1.0, -1.0)
    on_eta = direction < 2
    with np.errstate(all="ignore"):
        Wn = np.where(on_eta[:, None], W, W * np.exp(sgn * t / depth)[:, None])
        c = eta * fast.gfs_sharpness(W, target=y)
        en = np.where(on_eta, eta * np.exp(sgn * t), c / fast.gfs_sharpness(Wn, target=y))
    return Wn, en


def _boundary(c: claims.Claim, W: np.ndarray, eta: np.ndarray, y: float, direction: np.ndarray):
    """Rows inside the hypothesis pushed along a direction to (just inside) its boundary.

    Exponential search for the first step that leaves the hypothesis (up to
    ``e^46``), then 45 bisections in the log of the step: the returned rows are
    the last ones inside, within a relative ``1e-12`` of the boundary, and
    their indices in the input.  Rows that never leave are dropped.
    """
    n = W.shape[0]
    inside = np.zeros(n)
    outside = np.full(n, np.nan)
    t = np.full(n, 1e-12)
    for _ in range(26):  # t = 1e-12 ... 1e-12 * 4^25 ~ 1e3; then capped
        todo = np.isnan(outside)
        if not np.any(todo):
            break
        Wn, en = _along(W[todo], eta[todo], y, direction[todo], t[todo])
        ok = claims.hypothesis_batch(c, Wn, en, y)
        idx = np.flatnonzero(todo)
        inside[idx[ok]] = t[idx[ok]]
        outside[idx[~ok]] = t[idx[~ok]]
        t = np.minimum(t * 4.0, 46.0)
    keep = np.isfinite(outside)
    if not np.any(keep):
        return np.empty((0, W.shape[1])), np.empty(0), np.empty(0, dtype=int)
    rows = np.flatnonzero(keep)
    W, eta, direction, lo, hi = W[keep], eta[keep], direction[keep], inside[keep], outside[keep]
    for _ in range(45):
        mid = 0.5 * (lo + hi)
        ok = claims.hypothesis_batch(c, *_along(W, eta, y, direction, mid), y)
        lo, hi = np.where(ok, mid, lo), np.where(ok, hi, mid)
    Wb, eb = _along(W, eta, y, direction, lo)
    good = claims.hypothesis_batch(c, Wb, eb, y)
    return Wb[good], eb[good], rows[good]


# --------------------------------------------------------------------------- driver


def default_sampler(claim: claims.Claim) -> Any:
    """The sampler a search of ``claim`` starts from: its own (a fresh copy), else the scale-aware one."""
    if isinstance(claim.sampler, ScaleAwareSampler):
        return claim.sampler.fresh()
    if claim.sampler is not None:
        return claim.sampler
    return ScaleAwareSampler(Region())


def explore(
    claim: str,
    depth: int,
    *,
    budget: int = 400_000,
    seed: int = 0,
    target: float = 1.0,
    sampler: Any = None,
    max_reports: int = 5,
    closest: int = 5,
    progress: bool | None = None,
) -> Exploration:
    """Search a one-step claim for counterexamples; report where it came closest when none is found.

    Parameters
    ----------
    claim : str
        Id of a registered claim of kind ``"step"``.
    depth : int
        Network depth D >= 1.
    budget : int
        Points evaluated (sampled and refined).
    seed : int
        The exploration is deterministic for a seed.
    target : float
        Target ``y``.
    sampler : callable ``(rng, depth, n, target) -> (W, eta)``, optional
        Default: the claim's own (:func:`default_sampler`), else the scale-aware sampler
        (``|w|`` over ``10^[-8, 8] |y|^{1/D}``).
    max_reports, closest : int
        Verified counterexamples, and closest rows, to report at most.
    progress : bool or None
        Progress bar on stderr (default: when stderr is a terminal).

    Examples
    --------
    >>> r = explore("step-decrease", 2, budget=20_000, seed=1, max_reports=1)
    >>> len(r.counterexamples), r.counterexamples[0].detail
    (1, 'GFS sharpness increased')
    >>> r = explore("step-decrease-order", 3, budget=5_000, seed=1)
    >>> r.counterexamples, float(r.closest[0]["margin"]) >= 0
    ([], True)
    """
    c = claims.get(claim)
    _check_arguments(c, depth, budget, target)
    kind = violation_kind(c)
    refine = kind != "conclusion"
    sample_budget = max(1, int(budget * 0.6)) if refine else budget
    state = _State(depth, target, kind)
    run = _Run(c, depth, target, np.random.default_rng(seed), state, Verifier(c, kind, target, max_reports))
    draw = sampler if sampler is not None else default_sampler(c)
    with Progress(budget, f"search {claim} D={depth}", enabled=progress) as bar:
        trials, in_hyp = _sample(run, draw, sample_budget, max_reports, bar)
        kind = state.kind  # a "probe" claim has its scoring decided on the first batch
        if refine and len(state.top_e) and len(run.verifier.found) < max_reports:
            trials += _refine(c, kind, state.top_W, state.top_e, target, run.rng, budget - trials, state.add)
            bar.set(budget)
    run.verifier.run(state)
    near, tight = _closest(run, closest, max_reports)
    return Exploration(
        trials=trials,
        in_hypothesis=in_hyp,
        candidates=run.verifier.candidates,
        rejected=run.verifier.rejected,
        counterexamples=run.verifier.found,
        closest=near,
        tightest=tight,
        coverage=state.coverage(),
        scoring=kind,
    )


def _check_arguments(c: claims.Claim, depth: int, budget: int, target: float) -> None:
    if c.kind != "step":
        raise InvalidArgument(f"explore handles claims about one GD step; {c.id!r} is a {c.kind} claim")
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 1:
        raise InvalidArgument(f"depth must be a positive integer, got {depth!r}")
    if c.depth is not None and c.depth != depth:
        raise InvalidArgument(f"claim {c.id!r} is about depth {c.depth} only, got depth {depth}")
    if isinstance(budget, bool) or not isinstance(budget, int) or budget < 1:
        raise InvalidArgument(f"budget must be a positive integer, got {budget!r}")
    if not (math.isfinite(target) and target != 0):
        raise InvalidArgument(f"target must be finite and non-zero, got {target!r}")


@dataclass
class _Run:
    """What the phases of one exploration share."""

    c: claims.Claim
    depth: int
    target: float
    rng: np.random.Generator
    state: _State
    verifier: Verifier


def _sample(run: _Run, draw: Any, sample_budget: int, max_reports: int, bar: Progress) -> tuple[int, int]:
    """Sampling phase: batches from ``draw`` and points on the hypothesis' boundary, verified as they come.

    Stops after ``sample_budget`` points or ``max_reports`` verified counterexamples; returns the points
    evaluated and how many of the drawn ones satisfied the hypothesis.
    """
    c, state, y = run.c, run.state, run.target
    trials = in_hyp = 0
    batch = _BATCH if state.kind != "conclusion" else 1024
    while trials < sample_budget:
        n = min(batch, sample_budget - trials)
        W, eta = draw(run.rng, run.depth, n, y)
        trials += n
        if state.kind == "probe":
            state.kind = run.verifier.kind = probe(c, W, eta, y)
        ok = claims.hypothesis_batch(c, W, eta, y)
        if hasattr(draw, "feedback"):
            draw.feedback(ok)
        in_hyp += int(ok.sum())
        if np.any(ok):
            state.add(W[ok], eta[ok], scores(c, state.kind, W[ok], eta[ok], y))
            nb = min(int(ok.sum()), 64 if c.batch_hypothesis is not None else 2, sample_budget - trials)
            if nb > 0:
                trials += _add_boundary_points(run, W, eta, ok, nb)
        bar.set(trials)
        if run.verifier.run(state) >= max_reports:  # enough verified counterexamples: stop early
            break
    return trials, in_hyp


def _add_boundary_points(run: _Run, W: np.ndarray, eta: np.ndarray, ok: np.ndarray, nb: int) -> int:
    """Push ``nb`` rows inside the hypothesis to its boundary (eta or pi/y), half of them on to a corner (both).

    The points are scored into the state; returns how many there were.
    """
    c, rng, y = run.c, run.rng, run.target
    pick = rng.choice(np.flatnonzero(ok), size=nb, replace=False)
    first = rng.integers(0, 4, size=nb)
    Wb, eb, kept = _boundary(c, W[pick], eta[pick], y, first)
    second = (first[kept] + 2 + rng.integers(0, 2, size=kept.size)) % 4  # the other coordinate
    both = rng.random(kept.size) < 0.5
    Wc, ec, _ = _boundary(c, Wb[both], eb[both], y, second[both])
    Wb, eb = np.concatenate([Wb, Wc]), np.concatenate([eb, ec])
    if len(eb):
        run.state.add(Wb, eb, scores(c, run.state.kind, Wb, eb, y))
    return len(eb)


def _closest(run: _Run, closest: int, max_reports: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """When nothing is refuted: the rows closest to a psi increase, and the tightest by score (decided exactly)."""
    state, found = run.state, run.verifier.found
    if state.kind not in ("margin", "relative") or found:
        return [], []
    near = closest_rows(run.c, state.close_W, state.close_e, run.target, closest, found, max_reports)
    tight = closest_rows(run.c, state.top_W, state.top_e, run.target, closest, found, max_reports)
    tight.sort(key=lambda r: math.inf if r["margin_over_first_order"] is None else r["margin_over_first_order"])
    return near, tight


class _State:
    """Best rows by score, rows closest to a psi increase, and coverage."""

    def __init__(self, depth: int, y: float, kind: str):
        self.y, self.kind = y, kind
        self.top_W, self.top_e, self.top_s = np.empty((0, depth)), np.empty(0), np.empty(0)
        self.top_slack, self.top_obj = np.empty(0), np.empty(0)
        self.close_W, self.close_e, self.close_m = np.empty((0, depth)), np.empty(0), np.empty(0)
        self.cover: dict[str, list[Any]] = {
            "log10_abs_w": [math.inf, -math.inf],
            "log10_abs_w_per_index": [[math.inf, -math.inf] for _ in range(depth)],
            "pi_over_y": [math.inf, -math.inf],
            "eta_psi": [math.inf, -math.inf],
        }
        self.corners = {"max_span_decades": -math.inf, "min_relative_gap": math.inf}

    def add(self, W: np.ndarray, eta: np.ndarray, sc: Scores) -> None:
        if not len(eta):
            return
        self._cover(W, eta)
        W_ = np.concatenate([self.top_W, W])
        e_ = np.concatenate([self.top_e, eta])
        s_ = np.concatenate([self.top_s, sc.score])
        sl_ = np.concatenate([self.top_slack, sc.slack])
        o_ = np.concatenate([self.top_obj, sc.objective])
        order = np.lexsort((-s_, -o_))[:_KEEP]  # by objective, then score
        self.top_W, self.top_e, self.top_s, self.top_slack = W_[order], e_[order], s_[order], sl_[order]
        self.top_obj = o_[order]
        if self.kind in ("margin", "relative"):
            m = sc.margin.margin
            keep = np.isfinite(m) & (m >= -sc.margin.error)
            W_ = np.concatenate([self.close_W, W[keep]])
            e_ = np.concatenate([self.close_e, eta[keep]])
            m_ = np.concatenate([self.close_m, m[keep]])
            order = np.argsort(m_, kind="stable")[:_CLOSE_KEEP]
            self.close_W, self.close_e, self.close_m = W_[order], e_[order], m_[order]

    def _cover(self, W: np.ndarray, eta: np.ndarray) -> None:
        co = log_coordinates(W, eta, self.y)
        lw = co["log10_abs_w"]
        fin = np.isfinite(lw)
        cov = self.cover
        if np.any(fin):
            cov["log10_abs_w"] = [min(cov["log10_abs_w"][0], lw[fin].min()), max(cov["log10_abs_w"][1], lw[fin].max())]
        for i, pair in enumerate(cov["log10_abs_w_per_index"]):
            col = lw[:, i][np.isfinite(lw[:, i])]
            if col.size:
                pair[0], pair[1] = min(pair[0], col.min()), max(pair[1], col.max())
        for key in ("pi_over_y", "eta_psi"):
            v = co[key][np.isfinite(co[key])]
            if v.size:
                cov[key] = [min(cov[key][0], v.min()), max(cov[key][1], v.max())]
        if W.shape[1] > 1 and np.any(fin):
            span = (lw.max(axis=1) - lw.min(axis=1))[np.all(fin, axis=1)]
            if span.size:
                self.corners["max_span_decades"] = max(self.corners["max_span_decades"], span.max())
            a = np.sort(np.abs(W), axis=1)
            with np.errstate(all="ignore"):
                gap = np.min(np.diff(a, axis=1) / a[:, 1:], axis=1)
            gap = gap[np.isfinite(gap) & (gap > 0)]
            if gap.size:
                self.corners["min_relative_gap"] = min(self.corners["min_relative_gap"], gap.min())

    def coverage(self) -> dict[str, Any]:
        def clean(v: Any) -> Any:
            if isinstance(v, list):
                return None if v and not isinstance(v[0], list) and not math.isfinite(v[0]) else [clean(x) for x in v]
            return float(v) if math.isfinite(v) else None

        out = {k: clean(v) for k, v in self.cover.items()}
        out.update({k: (float(v) if math.isfinite(v) else None) for k, v in self.corners.items()})
        return out

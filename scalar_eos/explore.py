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

import inspect
import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import mpmath
import numpy as np
from mpmath import mp

from . import claims, fast
from ._progress import Progress
from .errors import InvalidArgument, ScalarEOSError
from .margins import StepMargin, exact_margin, float_steps, step_margin
from .onestep import one_step
from .sampling import Region, ScaleAwareSampler, log_coordinates
from .search import Counterexample

__all__ = ["Exploration", "default_sampler", "explore", "verify_step"]

VERIFY_DPS = 50
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


# --------------------------------------------------------------------------- scoring


def _violation_kind(c: claims.Claim) -> str:
    """``"conclusion"``, ``"margin"`` (takes the StepMargin) or ``"probe"`` (float score, see :func:`_probe`)."""
    if c.batch_violation is None:
        return "conclusion"
    try:
        params = inspect.signature(c.batch_violation).parameters
    except (TypeError, ValueError):
        return "probe"
    return "margin" if "margin" in params else "probe"


def _probe(c: claims.Claim, W: np.ndarray, eta: np.ndarray, y: float) -> str:
    """``"relative"`` if the float score is the relative increase ``(after - before) / before``, else ``"float"``.

    A relative increase of psi below ``1e-16`` cannot be passed through two
    float64 values, so such a score is replaced by the accurate margin
    (``-margin``, with its error bound); the probe calls the claim's function
    on synthetic ``before``/``after`` values (fixed generator: the search's
    random stream is not touched).
    """
    fin = np.flatnonzero(np.all(np.isfinite(W), axis=1) & np.isfinite(eta) & (eta > 0))[:64]
    if not fin.size:
        return "float"
    pr = np.random.default_rng(20231)
    b = 10.0 ** pr.uniform(-1.0, 3.0, fin.size)
    a = b * (1.0 + pr.uniform(0.1, 0.5, fin.size) * pr.choice([-1.0, 1.0], fin.size))
    try:
        with np.errstate(all="ignore"):
            v = np.asarray(c.batch_violation(W[fin], eta[fin], np.full(fin.size, y), b, a), dtype=float)  # type: ignore[misc]
    except Exception:  # the user's function: anything it raises means "not the relative increase"
        return "float"
    rel = (a - b) / b  # an offset as small as 1e-15 (e.g. "decreases by more than 1e-13") is told apart
    ok = v.shape == b.shape and bool(np.all(np.abs(v - rel) <= 64 * np.finfo(float).eps * np.abs(rel)))
    return "relative" if ok else "float"


@dataclass
class _Scores:
    score: np.ndarray  # > 0: violated (to float accuracy)
    slack: np.ndarray  # score > -slack: possibly violated
    margin: StepMargin
    psi: np.ndarray
    objective: np.ndarray  # what the refinement maximises


def _scores(c: claims.Claim, kind: str, W: np.ndarray, eta: np.ndarray, y: float) -> _Scores:
    n = W.shape[0]
    with np.errstate(all="ignore"):
        m = step_margin(W, eta, target=y)
        before = fast.gfs_sharpness(W, target=y)
        after = before * (1.0 - m.margin)
        yy = np.full(n, y)
        if kind == "margin":
            score = np.asarray(c.batch_violation(W, eta, yy, before, after, margin=m), dtype=float)  # type: ignore[misc]
            slack = m.error
        elif kind == "relative":
            score, slack = -m.margin, m.error
        elif kind == "float":
            score = np.asarray(c.batch_violation(W, eta, yy, before, after), dtype=float)  # type: ignore[misc]
            slack = np.zeros(n)
        else:
            score = _conclusion_scores(c, W, eta, y)
            slack = np.zeros(n)
    score = np.where(np.isfinite(score), score, -np.inf)
    objective = score
    if kind in ("margin", "relative"):  # scale-free: relative to the first-order decrease, so ties do not attract
        size = m.first_order + np.abs(m.margin)
        with np.errstate(all="ignore"):
            objective = np.where(np.isfinite(size) & (size > 0), score / size, np.sign(score))
    return _Scores(score, np.where(np.isfinite(slack), slack, 0.0), m, before, objective)


def _conclusion_scores(c: claims.Claim, W: np.ndarray, eta: np.ndarray, y: float) -> np.ndarray:
    """1 where the conclusion fails on a float64 stand-in of the step, 0 where it holds, -inf undecided."""
    out = np.full(W.shape[0], -np.inf)
    four = len(inspect.signature(c.conclusion).parameters) >= 4
    yq = Fraction(y)
    wl, el = W.tolist(), eta.tolist()
    for i, step in enumerate(float_steps(W, eta, target=y)):
        if step is None:
            continue
        try:
            ok = c.conclusion(step, [Fraction(v) for v in wl[i]], Fraction(el[i]), yq) if four else c.conclusion(step)
        except (ArithmeticError, ValueError, TypeError):
            continue
        out[i] = -np.inf if ok is None else (0.0 if ok else 1.0)
    return out


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
    sc = _scores(c, kind, W, eta, y)
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
            sc_c = _scores(c, kind, Wc[ok], ec[ok], y)
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
    if c.kind != "step":
        raise InvalidArgument(f"explore handles claims about one GD step; {claim!r} is a {c.kind} claim")
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 1:
        raise InvalidArgument(f"depth must be a positive integer, got {depth!r}")
    if c.depth is not None and c.depth != depth:
        raise InvalidArgument(f"claim {claim!r} is about depth {c.depth} only, got depth {depth}")
    if isinstance(budget, bool) or not isinstance(budget, int) or budget < 1:
        raise InvalidArgument(f"budget must be a positive integer, got {budget!r}")
    if not (math.isfinite(target) and target != 0):
        raise InvalidArgument(f"target must be finite and non-zero, got {target!r}")
    rng = np.random.default_rng(seed)
    draw = sampler if sampler is not None else default_sampler(c)
    kind = _violation_kind(c)
    refine = kind != "conclusion"
    sample_budget = max(1, int(budget * 0.6)) if refine else budget
    state = _State(depth, target, kind)
    verifier = _Verifier(c, kind, target, max_reports)
    trials = in_hyp = 0
    batch = _BATCH if kind != "conclusion" else 1024
    with Progress(budget, f"search {claim} D={depth}", enabled=progress) as bar:
        while trials < sample_budget:
            n = min(batch, sample_budget - trials)
            W, eta = draw(rng, depth, n, target)
            trials += n
            if kind == "probe":
                kind = state.kind = verifier.kind = _probe(c, W, eta, target)
            ok = claims.hypothesis_batch(c, W, eta, target)
            if hasattr(draw, "feedback"):
                draw.feedback(ok)
            in_hyp += int(ok.sum())
            if np.any(ok):
                state.add(W[ok], eta[ok], _scores(c, kind, W[ok], eta[ok], target))
                nb = min(int(ok.sum()), 64 if c.batch_hypothesis is not None else 2, sample_budget - trials)
                if nb > 0:  # points on the boundary of the hypothesis (eta or pi/y), and at its corners (both)
                    pick = rng.choice(np.flatnonzero(ok), size=nb, replace=False)
                    first = rng.integers(0, 4, size=nb)
                    Wb, eb, kept = _boundary(c, W[pick], eta[pick], target, first)
                    second = (first[kept] + 2 + rng.integers(0, 2, size=kept.size)) % 4  # the other coordinate
                    both = rng.random(kept.size) < 0.5
                    Wc, ec, _ = _boundary(c, Wb[both], eb[both], target, second[both])
                    Wb, eb = np.concatenate([Wb, Wc]), np.concatenate([eb, ec])
                    trials += len(eb)
                    if len(eb):
                        state.add(Wb, eb, _scores(c, kind, Wb, eb, target))
            bar.set(trials)
            if verifier.run(state) >= max_reports:  # enough verified counterexamples: stop early
                break
        if refine and len(state.top_e) and len(verifier.found) < max_reports:
            used = _refine(
                c, kind, state.top_W, state.top_e, target, rng, budget - trials, lambda a, b, s: state.add(a, b, s)
            )
            trials += used
            bar.set(budget)
    verifier.run(state)
    found, rejected, ncand = verifier.found, verifier.rejected, verifier.candidates
    near = tight = []
    if kind in ("margin", "relative") and not found:
        near = _closest(c, state.close_W, state.close_e, target, closest, found, max_reports)
        tight = _closest(c, state.top_W, state.top_e, target, closest, found, max_reports)
        tight.sort(key=lambda r: math.inf if r["margin_over_first_order"] is None else r["margin_over_first_order"])
    return Exploration(
        trials=trials,
        in_hypothesis=in_hyp,
        candidates=ncand,
        rejected=rejected,
        counterexamples=found,
        closest=near,
        tightest=tight,
        coverage=state.coverage(),
        scoring=kind,
    )


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

    def add(self, W: np.ndarray, eta: np.ndarray, sc: _Scores) -> None:
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


# --------------------------------------------------------------------------- decisions


def _dec(x: float) -> str:
    return repr(float(x))


def _round_sig(x: np.ndarray, digits: int) -> np.ndarray:
    return np.array([float(f"{v:.{digits - 1}e}") for v in np.ravel(x)]).reshape(np.shape(x))


def verify_step(c: claims.Claim, w: list[str], eta: str, y: str) -> Counterexample | None:
    """A verified counterexample to a step claim at exact decimal inputs, or None (hypothesis or conclusion holds)."""
    try:
        step = one_step(w, eta, target=y, dps=VERIFY_DPS)
        res = claims.evaluate(w, eta, target=y, claims=[c.id], step=step)[0]
    except ScalarEOSError:
        return None
    if not res.hypothesis or res.conclusion is not False:
        return None
    before = mpmath.nstr(step.gfs_before, VERIFY_DPS, strip_zeros=False)
    after = mpmath.nstr(step.gfs_after, VERIFY_DPS, strip_zeros=False)
    snippet = (
        f"import scalar_eos as se; r = se.one_step({w!r}, {eta!r}, target={y!r}); "
        "print(r.relation, r.gfs_before, r.gfs_after)"
    )
    return Counterexample(w, eta, y, before, after, VERIFY_DPS, f"GFS sharpness {step.relation}", snippet)


def _shrink(c: claims.Claim, kind: str, w: np.ndarray, eta: float, y: float) -> list[tuple[list[str], str]]:
    """Decimal versions of a candidate, shortest first (those still violating to float accuracy), then exact."""
    out = []
    for digits in (2, 3, 4, 6, 8, 10, 12, 14, 17):
        ws, es = _round_sig(w, digits), float(_round_sig(np.array([eta]), digits)[0])
        if es <= 0 or np.any(ws == 0):
            continue
        W1, e1 = ws[None, :], np.array([es])
        if not claims.hypothesis_batch(c, W1, e1, y)[0]:
            continue
        sc = _scores(c, kind, W1, e1, y)
        if sc.score[0] > sc.slack[0]:
            out.append(([_dec(v) for v in ws], _dec(es)))
            break
    out.append(([_dec(v) for v in w], _dec(eta)))
    return out


class _Verifier:
    """Decides candidates exactly as they appear (each float row tried once), up to a fixed number of tries."""

    def __init__(self, c: claims.Claim, kind: str, y: float, max_reports: int):
        self.c, self.kind, self.y, self.max_reports = c, kind, y, max_reports
        self.found: list[Counterexample] = []
        self.rejected = 0
        self.tries_left = 4 * max_reports + 8
        self.tried: set[bytes] = set()
        self.seen: set[tuple[str, ...]] = set()
        self.candidate_rows: set[bytes] = set()

    @property
    def candidates(self) -> int:
        return len(self.candidate_rows)

    def run(self, state: _State) -> int:
        """Try the pool's violating rows (violated to float accuracy) not tried yet; return the number found."""
        order = np.argsort(-state.top_s, kind="stable")
        for i in order:
            if len(self.found) >= self.max_reports or self.tries_left <= 0:
                break
            if not state.top_s[i] > state.top_slack[i]:
                continue
            key = state.top_W[i].tobytes() + state.top_e[i].tobytes()
            self.candidate_rows.add(key)
            if key in self.tried:
                continue
            self.tried.add(key)
            self.tries_left -= 1
            ce = None
            for w_str, e_str in _shrink(self.c, self.kind, state.top_W[i], float(state.top_e[i]), self.y):
                if (*w_str, e_str) in self.seen:
                    continue
                self.seen.add((*w_str, e_str))
                ce = verify_step(self.c, w_str, e_str, _dec(self.y))
                if ce is not None:
                    break
            if ce is None:
                self.rejected += 1
            else:
                self.found.append(ce)
        return len(self.found)


def _closest(c, Wp, ep, y: float, k: int, found: list[Counterexample], max_reports: int) -> list[dict]:
    """Rows of a pool (best first) decided at >= 50 digits (exact hypothesis too), by ascending margin."""
    rows = []
    seen: set[tuple[str, ...]] = set()
    for i in range(len(ep)):
        if len(rows) >= 3 * k:
            break
        w = [_dec(v) for v in Wp[i]]
        e = _dec(ep[i])
        if (*w, e) in seen:
            continue
        seen.add((*w, e))
        try:
            res = claims.evaluate(w, e, target=_dec(y), claims=[c.id])[0]
            if not res.hypothesis:  # refined onto the boundary of eta: nudge it inside once
                e = _dec(ep[i] * (1 - 2.0**-48))
                res = claims.evaluate(w, e, target=_dec(y), claims=[c.id])[0]
                if not res.hypothesis:
                    continue
            with mp.workdps(VERIFY_DPS + 10):
                m = exact_margin(w, e, target=_dec(y), dps=VERIFY_DPS)
        except ScalarEOSError:
            continue
        if res.conclusion is False and len(found) < max_reports:
            ce = verify_step(c, w, e, _dec(y))
            if ce is not None:
                found.append(ce)
            continue
        W1, e1 = Wp[i][None, :], np.array([float(e)])
        co = log_coordinates(W1, e1, y)
        sm = step_margin(W1, e1, target=y)
        first = float(sm.first_order[0])
        rows.append(
            {
                "weights": w,
                "eta": e,
                "target": _dec(y),
                "margin": float(m),
                "margin_decimal": mpmath.nstr(m, 20),
                "margin_digits": VERIFY_DPS,
                "pi_over_y": float(co["pi_over_y"][0]),
                "eta_psi": float(co["eta_psi"][0]),
                "margin_over_first_order": float(m) / first if first > 0 else None,
            }
        )
    rows.sort(key=lambda r: r["margin"])
    return rows[:k]

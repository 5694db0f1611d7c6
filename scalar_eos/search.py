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

Claims about the whole run are searched by the private module
``scalar_eos._search_runs``: sampled (the claim's sampler, or the scale-aware
one), GD runs classified in batch on the float64 fast path, candidates shrunk
to short decimals and re-checked by a 50-digit reference run.  The search is
deterministic for a seed.

This module holds the report types, the two entry points (:func:`search`,
:func:`verify`) and the rounding of points to short decimals.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import mpmath
import numpy as np

from . import claims
from ._validate import check_int, check_real
from .errors import InvalidArgument
from .outcome import OUTCOMES, classify_batch

__all__ = ["Counterexample", "SearchReport", "search", "verify"]

#: Digits of the reference run that confirms a counterexample to a claim about the whole run.
VERIFY_DPS = 50


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


# --------------------------------------------------------------------------- rounding


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


# --------------------------------------------------------------------------- entry points


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
    return _search_runs.search_runs(c, depth, budget, seed, target, max_reports, max_steps, progress)


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
    return _search_runs.verify_trajectory(c, list(weights), eta, target, steps, status, period)


# The run search builds the types above, so it is imported last; importing this module loads it, as it did when
# it lived here (Hypothesis draws literal constants from the loaded modules: scalar_eos.testing's examples for a
# seed stay the same).
from . import _search_runs  # noqa: E402

"""Evaluating claims: exactly at one point, and their hypotheses on a float64 batch."""

from __future__ import annotations

import math
from collections.abc import Iterable
from fractions import Fraction
from typing import Any

import numpy as np

from .._validate import check_eta
from ..model import Point, point
from ..onestep import OneStep, exact_one_step
from ..outcome import Outcome, classify
from ._registry import get, registry
from .claim import Claim, ClaimResult

__all__ = ["FLOAT_RANGE_NOTE", "SADDLE_NOTE", "evaluate", "hypothesis_batch"]

#: Attached to a step claim's result where gradient flow from w or GD(w) ends at a saddle.
SADDLE_NOTE = (
    "saddle landing: psi is compared as the function y^2 sum 1/(w_i^2 + c*) of the squares (the quantity the "
    "proofs are about), which is not the sharpness at the end of gradient flow there"
)

#: Attached to a trajectory claim's result (conclusion None) when the point cannot be run in float64.
FLOAT_RANGE_NOTE = (
    "not decided: the float64 GD run of trajectory claims cannot represent {} (magnitudes 5e-324 to 1.8e308)"
)


def _float_or_none(x: Fraction) -> float | None:
    """``x`` as a float64 when it is one (finite; non-zero stays non-zero), else None."""
    try:
        v = float(x)
    except OverflowError:
        return None
    return v if math.isfinite(v) and (v == 0) == (x == 0) else None


def _float_run(p: Point, eta: Fraction, max_steps: int) -> Outcome | str:
    """The float64 GD outcome from ``p`` with step ``eta``, or the note saying why it cannot be run."""
    named = [(f"w_{i + 1}", x) for i, x in enumerate(p.w)] + [("eta", eta), ("the target", p.target)]
    values = [_float_or_none(x) for _, x in named]
    for (name, _), v in zip(named, values, strict=True):
        if v is None:
            return FLOAT_RANGE_NOTE.format(name)
    *w, e, y = values
    return classify(w, e, target=y, max_steps=max_steps)


def evaluate(
    w: Any,
    eta: Any,
    *,
    target: Any = 1,
    scale: Any = 1,
    claims: Iterable[str] | None = None,
    step: OneStep | None = None,
    outcome: Outcome | None = None,
    max_steps: int = 20_000,
) -> list[ClaimResult]:
    """Evaluate claims at ``(w, eta)``: hypothesis, and the conclusion where it is defined.

    Step conclusions are decided with :func:`scalar_eos.onestep.one_step`;
    trajectory conclusions classify the GD run (float64 fast path,
    ``max_steps``).  The conclusion is ``None`` when the claim does not speak
    about this depth or the run is undecided.

    Examples
    --------
    >>> res = evaluate(["0.5", "3"], "0.2", claims=["step-decrease", "step-decrease-d2"])
    >>> [(r.id, r.hypothesis, r.conclusion) for r in res]
    [('step-decrease', True, True), ('step-decrease-d2', True, True)]
    >>> evaluate(["1.5", "1.2"], "1.25", claims=["step-decrease-s"])[0].note.split(":")[0]  # lands on (0.3, -0.3)
    'saddle landing'
    """
    p = point(w, target, scale)
    eta_q = check_eta(eta) * p.scale
    canon = Point(p.w, p.target, Fraction(1))
    selected = [get(c) for c in claims] if claims is not None else registry()
    results = []
    for c in selected:
        if c.depth is not None and c.depth != p.depth:
            results.append(ClaimResult(c.id, False, None))
            continue
        hyp = bool(c.hypothesis(list(p.w), eta_q, p.target))
        if c.kind == "step":
            if step is None:
                step = exact_one_step(canon, eta_q)
            concl = c.conclude_step(step, p.w, eta_q, p.target)
            if step.saddle_landing:
                results.append(ClaimResult(c.id, hyp, None if concl is None else bool(concl), SADDLE_NOTE))
                continue
        else:
            if outcome is None:
                outcome = _float_run(p, eta_q, max_steps)
            if isinstance(outcome, str):
                results.append(ClaimResult(c.id, hyp, None, outcome))
                continue
            concl = c.conclusion(outcome, float(eta_q))
        results.append(ClaimResult(c.id, hyp, None if concl is None else bool(concl)))
    return results


def hypothesis_batch(c: Claim, W: np.ndarray, eta: np.ndarray, y: Any) -> np.ndarray:
    """The claim's hypothesis on every row of ``W`` (float64 ``batch_hypothesis``, else exact per row).

    Rows with non-finite weights or a non-positive step, and rows of another depth than the claim's, are False.

    Examples
    --------
    >>> from scalar_eos.claims import get
    >>> hypothesis_batch(get("step-decrease-d2"), np.array([[1.0, 2.0]]), np.array([0.1]), 1.0)
    array([ True])
    """
    n = W.shape[0]
    yy = np.broadcast_to(np.asarray(y, dtype=float), (n,))
    ok = np.all(np.isfinite(W), axis=1) & np.isfinite(eta) & (eta > 0)
    if c.depth is not None and c.depth != W.shape[1]:
        return np.zeros(n, dtype=bool)
    if c.batch_hypothesis is not None:
        with np.errstate(all="ignore"):
            return ok & np.asarray(c.batch_hypothesis(W, eta, np.array(yy)), dtype=bool)
    out = np.zeros(n, dtype=bool)
    for i in np.flatnonzero(ok):
        w = [Fraction(float(x)) for x in W[i]]
        out[i] = bool(c.hypothesis(w, Fraction(float(eta[i])), Fraction(float(yy[i]))))
    return out

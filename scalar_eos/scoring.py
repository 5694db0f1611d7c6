"""Scores of one-step claims on a batch of points: float64, accurate near ties, or the conclusion itself.

How a step claim is scored during a search (:func:`violation_kind`):

``"margin"``
    its ``batch_violation`` takes the :class:`~scalar_eos.margins.StepMargin`
    (``margin=`` keyword; the built-in "does not increase" claims);
``"relative"``
    its float64 score is recognised (:func:`probe`) as the relative increase
    ``(after - before) / before`` and replaced by the accurate margin;
``"float"``
    any other float64 score, called with ``psi_after = psi_before (1 - margin)``
    so that increases down to ``1e-16`` of psi keep their sign;
``"conclusion"``
    no score: the conclusion is called on a float64 stand-in of the exact step
    (:func:`scalar_eos.margins.float_steps`), 1 where it fails.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from . import claims, fast
from .margins import StepMargin, float_steps, step_margin

__all__ = ["Scores", "conclusion_scores", "probe", "scores", "violation_kind"]


def violation_kind(c: claims.Claim) -> str:
    """``"conclusion"``, ``"margin"`` (takes the StepMargin) or ``"probe"`` (float score, see :func:`_probe`)."""
    if c.batch_violation is None:
        return "conclusion"
    try:
        params = inspect.signature(c.batch_violation).parameters
    except (TypeError, ValueError):
        return "probe"
    return "margin" if "margin" in params else "probe"


def probe(c: claims.Claim, W: np.ndarray, eta: np.ndarray, y: float) -> str:
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
class Scores:
    """Per-row scores of a batch (see the module docstring)."""

    score: np.ndarray  # > 0: violated (to float accuracy)
    slack: np.ndarray  # score > -slack: possibly violated
    margin: StepMargin
    psi: np.ndarray
    objective: np.ndarray  # what the refinement maximises


def scores(c: claims.Claim, kind: str, W: np.ndarray, eta: np.ndarray, y: float) -> Scores:
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
            score = conclusion_scores(c, W, eta, y)
            slack = np.zeros(n)
    score = np.where(np.isfinite(score), score, -np.inf)
    objective = score
    if kind in ("margin", "relative"):  # scale-free: relative to the first-order decrease, so ties do not attract
        size = m.first_order + np.abs(m.margin)
        with np.errstate(all="ignore"):
            objective = np.where(np.isfinite(size) & (size > 0), score / size, np.sign(score))
    return Scores(score, np.where(np.isfinite(slack), slack, 0.0), m, before, objective)


def conclusion_scores(c: claims.Claim, W: np.ndarray, eta: np.ndarray, y: float) -> np.ndarray:
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

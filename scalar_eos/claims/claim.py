"""The :class:`Claim` type and the result of evaluating one claim at one point."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal

import numpy as np

__all__ = ["BatchHypothesis", "Claim", "ClaimResult", "Evidence", "Hypothesis", "Sampler", "Window"]

#: Exact hypothesis ``(w, eta, target) -> bool`` on Fractions (canonical: eta already times the scale).
Hypothesis = Callable[[list[Fraction], Fraction, Fraction], bool]
#: float64 hypothesis ``(W, eta, y) -> bool array`` on a batch ``W`` of shape ``(N, D)``.
BatchHypothesis = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]
#: Sampler ``(rng, depth, n, target) -> (W, eta)``: ``n`` points, ideally inside the hypothesis.
Sampler = Callable[[np.random.Generator, int, int, float], tuple[np.ndarray, np.ndarray]]
#: Window ``eta -> (lo, hi)``: the final GFS sharpness a trajectory claim accepts, as arrays of ``eta``.
Window = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class Evidence:
    """What decides a claim's status: the proofs in ``proofs/`` that bear on it, or a counterexample.

    The status line (``scalar-eos claims``, the README block, the proofs document) is computed from this and
    the recorded proof verdicts by :func:`scalar_eos.status.claim_statuses`, never typed by hand.

    Parameters
    ----------
    proofs : tuple of (proof name, depths) pairs
        e.g. ``(("d2-region", "D = 2"),)``; ``depths`` says what the proof covers ("every D", "D = 3").
    complete : bool
        A PROVED verdict of every listed proof settles the whole claim.
    witness : (weights, eta) or None
        Exact decimal strings where one GD step increases psi (y = 1), re-decided when the status is generated.

    Examples
    --------
    >>> Evidence(proofs=(("d2-region", "D = 2"),), complete=True).complete
    True
    """

    proofs: tuple[tuple[str, str], ...] = ()
    complete: bool = False
    witness: tuple[tuple[str, ...], str] | None = None


@dataclass(frozen=True)
class Claim:
    """A claim: ``hypothesis(w, eta, target) => conclusion``.

    Everything the package knows about a claim is here: the exact hypothesis
    and conclusion (used for verdicts), and the optional float64 helpers used
    by the counterexample search and by sweeps to find candidates fast.

    Parameters
    ----------
    id : str
        Short unique name (``[a-z0-9-_]``).
    statement : str
        One sentence in words.
    hypothesis : callable ``(w, eta, target) -> bool``
        Exact inputs (Fractions, canonical: ``eta`` already multiplied by the scale).
    conclusion : callable
        ``(OneStep) -> bool`` or ``(OneStep, w, eta, target) -> bool`` for
        ``kind="step"``; ``(Outcome, eta) -> bool | None`` for
        ``kind="trajectory"`` (None when the outcome cannot decide it).
    kind : ``"step"`` or ``"trajectory"``
    status : str
        ``"open"``, ``"proved"``, ``"false"`` ... (what is known; informative) for a claim without
        ``evidence``; with ``evidence`` the status is derived (:func:`scalar_eos.status.claim_statuses`).
    source : str
        Where the claim comes from.
    batch_hypothesis : callable ``(W, eta, y) -> bool array``, optional
        float64 vectorised hypothesis (search and sweeps; without it the exact
        hypothesis is evaluated row by row).
    depth : int, optional
        The only depth the claim speaks about.
    batch_violation : callable ``(W, eta, y, psi_before, psi_after) -> array``, optional
        float64 violation score (> 0 violates) of a step claim.  Claims without
        one are searched by exact per-point evaluation.
    sampler : callable ``(rng, depth, n, target) -> (W, eta)``, optional
        Draws candidate points for the search (default: log-uniform weights,
        ``eta * psi`` log-uniform in ``[0.05, 20]``).
    window : callable ``eta -> (lo, hi)``, optional
        Trajectory claims whose conclusion is "GD converges with final GFS
        sharpness in a window": the window's ends, so the search can score how
        far outside a run ends.  Without it the conclusion is evaluated per run.
    sweep_default : bool
        Checked by a sweep whose design does not list claims (needs a batch hypothesis).
    evidence : Evidence, optional
        The proofs or counterexample from which the status is derived.

    Notes
    -----
    A step claim about ``psi`` speaks about the function ``y^2 sum_i 1/(w_i^2 + c*)`` of the squares
    (:func:`scalar_eos.gfs.psi`), also where gradient flow ends at a saddle; :func:`evaluate` then adds a note
    to the result (convention for saddle landings).

    Examples
    --------
    >>> c = Claim("psi-below-5", "psi(w) < 5", lambda w, eta, y: True, lambda step: step.gfs_before < 5)
    >>> c.kind, c.depth
    ('step', None)
    """

    id: str
    statement: str
    hypothesis: Hypothesis
    conclusion: Callable[..., bool | None]
    kind: Literal["step", "trajectory"] = "step"
    status: str = "open"
    source: str = ""
    batch_hypothesis: BatchHypothesis | None = None
    depth: int | None = None
    batch_violation: Callable[..., np.ndarray] | None = None
    sampler: Sampler | None = None
    window: Window | None = None
    sweep_default: bool = True
    evidence: Evidence | None = None

    def conclude_step(self, step: Any, w: list[Fraction], eta: Fraction, target: Fraction) -> bool | None:
        """The conclusion of a step claim (conclusions take ``(OneStep)`` or ``(OneStep, w, eta, target)``)."""
        if len(inspect.signature(self.conclusion).parameters) >= 4:
            return self.conclusion(step, list(w), eta, target)
        return self.conclusion(step)


@dataclass(frozen=True)
class ClaimResult:
    """Evaluation of one claim at one point."""

    id: str
    hypothesis: bool
    conclusion: bool | None
    note: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out = {"id": self.id, "hypothesis": self.hypothesis, "conclusion": self.conclusion}
        if self.note is not None:
            out["note"] = self.note
        return out

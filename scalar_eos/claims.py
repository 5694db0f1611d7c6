"""Claims about GD and the GFS sharpness: a registry, built-ins, and evaluation.

A :class:`Claim` has an id, a statement, a *hypothesis* (a predicate on
``(w, eta, target)``) and a *conclusion*, either about one GD step
(``kind="step"``: the conclusion receives a :class:`~scalar_eos.onestep.OneStep`)
or about the whole run (``kind="trajectory"``: it receives an
:class:`~scalar_eos.outcome.Outcome`).  Users add their own with
:func:`register` and plain Python functions.

Hypotheses receive exact values: ``w`` a list of :class:`fractions.Fraction`,
``eta`` and ``target`` Fractions (scale is folded into ``eta``; see
:mod:`scalar_eos.canonical`).  Conditions involving the GFS sharpness are
decided in high precision.  For counterexample search a claim may also give a
vectorised float64 hypothesis (``batch_hypothesis(W, eta, y) -> bool array``).

Built-in claims (THEORY.md section 4 and ``proofs/``):

``step-decrease``
    every GD step does not increase the GFS sharpness (false in general).
``step-decrease-s``
    the same under ``0 < pi/y < 2`` and ``eta psi(w) <= 2 sqrt 2``.
``step-decrease-d2``
    D = 2, the exact region: one step does not increase psi **iff**
    ``w_1^2 = w_2^2`` or ``eta |pi - y| <= sqrt 2`` (derived in
    :mod:`scalar_eos.symbolic`, proved in ``proofs/``).
``step-decrease-order``
    the sufficient condition for every depth proved in ``proofs/``: if
    ``eta |(pi - y) pi| <= |w_(1) w_(2)|`` (the two smallest magnitudes) the
    step does not increase psi.
``eos-convergence``
    from ``eta psi(w0) > 2`` with a stable minimiser available
    (``eta psi_min < 2``), not already at a minimum, GD converges to a minimiser whose sharpness lies in
    ``((1 - delta) 2/eta, 2/eta]``, ``delta = 0.05``.
``zhu-minimalist``
    Zhu et al. (ICLR 2023), Cor. 3.1 as we read it: D = 4 with
    ``w = (a, b, a, b)``, ``eta <= 0.1``, started within 10% of the
    ``eta``-EoS minimum ``a* = ((eta^-2 - 4)^(1/2) + 1/eta)^(1/2) / sqrt 2``,
    ``b* = 1/a*``, not already at a minimum: GD converges to a minimum with sharpness in
    ``(2/eta - 20 eta/3, 2/eta)``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal

import mpmath
import numpy as np
from mpmath import mp

from . import _exact
from ._validate import check_eta
from .errors import InvalidArgument
from .gfs import exact_gfs
from .model import Point, point
from .onestep import OneStep, exact_one_step
from .outcome import Outcome, classify

__all__ = ["Claim", "ClaimResult", "evaluate", "get", "hypothesis_batch", "register", "registry", "unregister"]

SQRT2 = mpmath.sqrt(2)
Hypothesis = Callable[[list[Fraction], Fraction, Fraction], bool]


@dataclass(frozen=True)
class Claim:
    """A claim: ``hypothesis(w, eta, target) => conclusion``.

    Parameters
    ----------
    id : str
        Short unique name (``[a-z0-9-]``).
    statement : str
        One sentence in words.
    hypothesis : callable ``(w, eta, target) -> bool``
        Exact inputs (Fractions, canonical: ``eta`` already multiplied by the scale).
    conclusion : callable
        ``(OneStep) -> bool`` for ``kind="step"``, ``(Outcome, eta) -> bool | None``
        for ``kind="trajectory"`` (None when the outcome cannot decide it).
    kind : ``"step"`` or ``"trajectory"``
    status : str
        ``"open"``, ``"proved"``, ``"false"`` ... (what is known; informative).
    source : str
        Where the claim comes from.
    batch_hypothesis : callable ``(W, eta, y) -> bool array``, optional
        float64 vectorised hypothesis used by the counterexample search.
    depth : int, optional
        The only depth the claim speaks about.
    batch_violation : callable ``(W, eta, y, psi_before, psi_after) -> array``, optional
        float64 violation score (> 0 violates) for the search of a step claim.
        Built-in "does not increase" conclusions use the relative increase;
        claims without one are searched by exact per-point evaluation.
    """

    id: str
    statement: str
    hypothesis: Hypothesis
    conclusion: Callable[..., bool | None]
    kind: Literal["step", "trajectory"] = "step"
    status: str = "open"
    source: str = ""
    batch_hypothesis: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray] | None = None
    depth: int | None = None
    batch_violation: Callable[..., np.ndarray] | None = None


@dataclass(frozen=True)
class ClaimResult:
    """Evaluation of one claim at one point."""

    id: str
    hypothesis: bool
    conclusion: bool | None

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "hypothesis": self.hypothesis, "conclusion": self.conclusion}


_REGISTRY: dict[str, Claim] = {}


def register(claim: Claim, *, replace: bool = False) -> Claim:
    """Add a claim to the registry (``replace=True`` to overwrite an id)."""
    if not isinstance(claim, Claim):
        raise InvalidArgument(f"register expects a Claim, got {type(claim).__name__}")
    if not claim.id or any(c not in "abcdefghijklmnopqrstuvwxyz0123456789-_" for c in claim.id):
        raise InvalidArgument(f"claim id must be lower-case letters, digits, '-' or '_', got {claim.id!r}")
    if claim.kind not in ("step", "trajectory"):
        raise InvalidArgument(f"claim kind must be 'step' or 'trajectory', got {claim.kind!r}")
    if claim.id in _REGISTRY and not replace:
        raise InvalidArgument(f"a claim with id {claim.id!r} exists; pass replace=True to overwrite it")
    _REGISTRY[claim.id] = claim
    return claim


def unregister(claim_id: str) -> None:
    """Remove a claim from the registry."""
    get(claim_id)
    del _REGISTRY[claim_id]


def get(claim_id: str) -> Claim:
    """The registered claim with this id."""
    try:
        return _REGISTRY[claim_id]
    except KeyError:
        raise InvalidArgument(f"unknown claim {claim_id!r}; known claims: {', '.join(sorted(_REGISTRY))}") from None


def registry() -> list[Claim]:
    """All registered claims, built-ins first."""
    return list(_REGISTRY.values())


# --------------------------------------------------------------------------- helpers


def _psi(w: list[Fraction], y: Fraction, digits: int = 40) -> mpmath.mpf:
    with mp.workdps(digits):
        return exact_gfs(Point(w, y, Fraction(1)))["sharpness"]


def _pi(w: list[Fraction]) -> Fraction:
    return _exact.fraction_product(w)


def _le_decided(lhs: Callable[[int], mpmath.mpf], rhs: Callable[[int], mpmath.mpf]) -> bool:
    """``lhs <= rhs`` for quantities computable at any precision (escalating)."""
    for digits in (30, 80, 200):
        with mp.workdps(digits + 10):
            a, b = lhs(digits + 10), rhs(digits + 10)
            if abs(a - b) > mp.mpf(10) ** (-digits) * max(1, abs(a), abs(b)):
                return bool(a < b)
    return True  # equal to 200 digits: the boundary belongs to the region


def _fast_psi(W: np.ndarray, y: np.ndarray) -> np.ndarray:
    from . import fast

    return fast.gfs_sharpness(W, target=y)


def _not_increased(s: OneStep) -> bool:
    return s.relation != "increased"


# --------------------------------------------------------------------------- built-ins


def _h_all(w: list[Fraction], eta: Fraction, y: Fraction) -> bool:
    return True


def _hb_all(W: np.ndarray, eta: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.ones(W.shape[0], dtype=bool)


def _h_s(w: list[Fraction], eta: Fraction, y: Fraction) -> bool:
    ratio = _pi(w) / y
    if not 0 < ratio < 2:
        return False
    return _le_decided(lambda d: _exact.to_mpf(eta) * _psi(w, y, d), lambda d: 2 * mp.sqrt(2))


def _hb_s(W: np.ndarray, eta: np.ndarray, y: np.ndarray) -> np.ndarray:
    ratio = np.prod(W, axis=1) / y
    return (ratio > 0) & (ratio < 2) & (eta * _fast_psi(W, y) <= 2 * np.sqrt(2))


def _h_d2(w: list[Fraction], eta: Fraction, y: Fraction) -> bool:
    return len(w) == 2


def in_d2_region(w: list[Fraction], eta: Fraction, y: Fraction) -> bool:
    """D = 2: ``w_1^2 = w_2^2`` or ``(eta (pi - y))^2 <= 2`` (exact rational test)."""
    a = eta * (_pi(w) - y)
    return w[0] * w[0] == w[1] * w[1] or a * a <= 2


def _c_d2(s: OneStep, w: list[Fraction], eta: Fraction, y: Fraction) -> bool:
    return (s.relation != "increased") == in_d2_region(w, eta, y)


def _increase(W: np.ndarray, eta: np.ndarray, y: np.ndarray, before: np.ndarray, after: np.ndarray) -> np.ndarray:
    return (after - before) / before


def _v_d2(W: np.ndarray, eta: np.ndarray, y: np.ndarray, before: np.ndarray, after: np.ndarray) -> np.ndarray:
    a = eta * (np.prod(W, axis=1) - y)
    region = (W[:, 0] ** 2 == W[:, 1] ** 2) | (a * a <= 2)
    rel = (after - before) / before
    return np.where(region, rel, -rel)


def _h_order(w: list[Fraction], eta: Fraction, y: Fraction) -> bool:
    if len(w) == 1:
        return True
    mags = sorted(abs(x) for x in w)
    p = _pi(w)
    return eta * abs((p - y) * p) <= mags[0] * mags[1]


def _hb_order(W: np.ndarray, eta: np.ndarray, y: np.ndarray) -> np.ndarray:
    if W.shape[1] == 1:
        return np.ones(W.shape[0], dtype=bool)
    mags = np.sort(np.abs(W), axis=1)
    p = np.prod(W, axis=1)
    return eta * np.abs((p - y) * p) <= mags[:, 0] * mags[:, 1]


EOS_DELTA = 0.05


def _h_eos(w: list[Fraction], eta: Fraction, y: Fraction) -> bool:
    d = len(w)
    psi_min = lambda digits: d * abs(_exact.to_mpf(y)) ** (2 - mp.mpf(2) / d)  # noqa: E731
    two = lambda digits: mp.mpf(2)  # noqa: E731
    if _pi(w) == y:  # already at a minimum: GD stays there whatever its sharpness
        return False
    above = not _le_decided(lambda digits: _exact.to_mpf(eta) * _psi(w, y, digits), two)
    stable_exists = not _le_decided(two, lambda digits: _exact.to_mpf(eta) * psi_min(digits))
    return above and stable_exists


def _hb_eos(W: np.ndarray, eta: np.ndarray, y: np.ndarray) -> np.ndarray:
    d = W.shape[1]
    psi_min = d * np.abs(y) ** (2 - 2 / d)
    return (eta * _fast_psi(W, y) > 2) & (eta * psi_min < 2) & (np.prod(W, axis=1) != y)


def _c_eos(o: Outcome, eta: float) -> bool | None:
    if o.status == "undecided":
        return None
    if o.status != "converged" or o.final_sharpness is None:
        return False
    threshold = 2.0 / eta
    return (1 - EOS_DELTA) * threshold < o.final_sharpness <= threshold * (1 + 1e-12)


def zhu_point(eta: float) -> tuple[float, float]:
    """The eta-EoS minimum ``(a*, 1/a*)`` of the minimalist example (needs eta < 1/2)."""
    a2 = (np.sqrt(eta**-2 - 4) + 1 / eta) / 2
    return float(np.sqrt(a2)), float(1 / np.sqrt(a2))


def _h_zhu(w: list[Fraction], eta: Fraction, y: Fraction) -> bool:
    if len(w) != 4 or w[2] != w[0] or w[3] != w[1] or y != 1 or not 0 < eta <= Fraction(1, 10):
        return False
    if _pi(w) == y:  # already at a minimum: GD stays there whatever its sharpness
        return False
    a_star, b_star = zhu_point(float(eta))
    return abs(float(w[0]) - a_star) <= 0.1 * a_star and abs(float(w[1]) - b_star) <= 0.1 * b_star


def _hb_zhu(W: np.ndarray, eta: np.ndarray, y: np.ndarray) -> np.ndarray:
    if W.shape[1] != 4:
        return np.zeros(W.shape[0], dtype=bool)
    with np.errstate(invalid="ignore"):
        a2 = (np.sqrt(eta**-2.0 - 4) + 1 / eta) / 2
    a_star, b_star = np.sqrt(a2), 1 / np.sqrt(a2)
    ok = (W[:, 2] == W[:, 0]) & (W[:, 3] == W[:, 1]) & (y == 1) & (eta > 0) & (eta <= 0.1)
    ok &= np.prod(W, axis=1) != y
    return ok & (np.abs(W[:, 0] - a_star) <= 0.1 * a_star) & (np.abs(W[:, 1] - b_star) <= 0.1 * b_star)


def _c_zhu(o: Outcome, eta: float) -> bool | None:
    if o.status == "undecided":
        return None
    if o.status != "converged" or o.final_sharpness is None:
        return False
    return 2 / eta - 20 * eta / 3 < o.final_sharpness < 2 / eta


def _builtins() -> Iterable[Claim]:
    yield Claim(
        "step-decrease",
        "One GD step never increases the GFS sharpness: psi(GD(w)) <= psi(w) for every w and eta.",
        _h_all,
        _not_increased,
        status="false in general",
        source="THEORY.md 4",
        batch_hypothesis=_hb_all,
        batch_violation=_increase,
    )
    yield Claim(
        "step-decrease-s",
        "If 0 < pi(w)/y < 2 and eta * psi(w) <= 2 sqrt(2), then psi(GD(w)) <= psi(w).",
        _h_s,
        _not_increased,
        status="open (proved for D = 2 in proofs/)",
        source="our reading of Kreisler et al., ICML 2023 (arXiv 2305.13064)",
        batch_hypothesis=_hb_s,
        batch_violation=_increase,
    )
    yield Claim(
        "step-decrease-d2",
        "D = 2: one GD step does not increase psi if and only if w1^2 = w2^2 or eta * |pi - y| <= sqrt(2).",
        _h_d2,
        _c_d2,
        status="proved (proofs/)",
        source="derived in scalar_eos.symbolic",
        batch_hypothesis=lambda W, eta, y: np.full(W.shape[0], W.shape[1] == 2),
        depth=2,
        batch_violation=_v_d2,
    )
    yield Claim(
        "step-decrease-order",
        "If eta * |(pi - y) pi| <= |w_(1) w_(2)| (two smallest magnitudes), then psi(GD(w)) <= psi(w).",
        _h_order,
        _not_increased,
        status="proved (proofs/: order preservation + Chebyshev's sum inequality)",
        source="scalar-eos proofs/",
        batch_hypothesis=_hb_order,
        batch_violation=_increase,
    )
    yield Claim(
        "eos-convergence",
        "If eta * psi(w0) > 2 and eta * psi_min < 2, GD converges to a minimiser with sharpness in "
        f"((1 - {EOS_DELTA}) 2/eta, 2/eta].",
        _h_eos,
        _c_eos,
        kind="trajectory",
        status="open",
        source="Kreisler et al., ICML 2023 (informal)",
        batch_hypothesis=_hb_eos,
    )
    yield Claim(
        "zhu-minimalist",
        "D = 4, w = (a, b, a, b), eta <= 0.1, start within 10% of the eta-EoS minimum: GD converges to a "
        "minimum with sharpness in (2/eta - 20 eta/3, 2/eta).",
        _h_zhu,
        _c_zhu,
        kind="trajectory",
        status="open",
        source="Zhu, Wang, Wang, Zhou, Ge, ICLR 2023, Cor. 3.1 (our reading of 'near')",
        batch_hypothesis=_hb_zhu,
        depth=4,
    )


for _claim in _builtins():
    register(_claim)


# --------------------------------------------------------------------------- evaluation


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
            concl = _call_step_conclusion(c, step, p, eta_q)
        else:
            if outcome is None:
                outcome = classify([float(x) for x in p.w], float(eta_q), target=float(p.target), max_steps=max_steps)
            concl = c.conclusion(outcome, float(eta_q))
        results.append(ClaimResult(c.id, hyp, None if concl is None else bool(concl)))
    return results


def hypothesis_batch(c: Claim, W: np.ndarray, eta: np.ndarray, y: Any) -> np.ndarray:
    """The claim's hypothesis on every row of ``W`` (float64 ``batch_hypothesis``, else exact per row).

    Rows with non-finite weights or a non-positive step, and rows of another depth than the claim's, are False.
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


def _call_step_conclusion(c: Claim, step: OneStep, p: Point, eta: Fraction) -> bool | None:
    """Step conclusions take ``(OneStep)`` or ``(OneStep, w, eta, target)``."""
    if len(inspect.signature(c.conclusion).parameters) >= 4:
        return c.conclusion(step, list(p.w), eta, p.target)
    return c.conclusion(step)

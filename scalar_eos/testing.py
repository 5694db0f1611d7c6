"""Property-based tests of claims, ready for a user's pytest file or the command line.

Requires the ``hypothesis`` package (``pip install 'scalar-eos[test]'``).

:func:`claim_property` turns a registered claim into a Hypothesis test: points
``(w, eta)`` are drawn by :func:`corner_points` (magnitudes over
``10^[-8, 8] |y|^{1/D}``, nearly balanced clusters, small/large splits,
``pi / y`` near 0, 1, 2, ``eta psi`` near 2 and ``2 sqrt 2``, a step that sends
the smallest weight through 0, mixed signs), pinned with ``@example`` at the
known tight points (:func:`tight_points`), filtered by the claim's *exact*
hypothesis, and the conclusion is decided exactly (one-step claims: exact GD
step and GFS sharpness compared at as many digits as needed).  Hypothesis then
shrinks a failure to a minimal counterexample - every shrink step is decided
exactly too - and stores it in its example database, so the next run replays
it first.

Examples
--------
In a test file::

    from scalar_eos.testing import claim_property

    test_s_depth3 = claim_property("step-decrease-s", 3, max_examples=200)

From Python:

>>> r = check_claim("step-decrease", 2, max_examples=20, database=None)
>>> r["verdict"], r["counterexample"]["relation"]
('refuted', 'increased')
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import numpy as np

from . import claims as _claims
from . import fast
from ._optional import require
from .errors import InvalidArgument
from .margins import float_steps
from .onestep import one_step
from .outcome import classify
from .search import verify

require("hypothesis", "scalar_eos.testing", "test")

from hypothesis import HealthCheck, Phase, Verbosity, example, given, reject, settings  # noqa: E402
from hypothesis import seed as _hseed  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.database import DirectoryBasedExampleDatabase  # noqa: E402

from . import _corners  # noqa: E402

__all__ = ["ClaimFalsified", "check_claim", "claim_property", "corner_points", "tight_points"]

SQRT2 = math.sqrt(2.0)


class ClaimFalsified(AssertionError):
    """A claim is false at a point; ``report`` holds the point and the exact decision."""

    def __init__(self, report: dict[str, Any]):
        self.report = report
        super().__init__(
            f"claim {report['claim']!r} is false at w = {report['weights']}, eta = {report['eta']}, "
            f"target = {report['target']}: {report['detail']}"
        )


# --------------------------------------------------------------------------- strategies


def corner_points(claim: str, depth: int, *, target: float = 1.0) -> st.SearchStrategy[tuple[list[float], float]]:
    """Points ``(w, eta)`` that reach the corners where step claims are tight.

    The claim's region (range of ``pi / y`` and ``eta psi``, when it is known)
    steers the draws; the hypothesis itself is checked by the property.
    Hypothesis shrinks toward moderate magnitudes and free products.

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> @settings(max_examples=20, database=None)
    ... @given(corner_points("step-decrease-s", 3))
    ... def test_finite(point):
    ...     w, eta = point
    ...     assert len(w) == 3 and eta > 0
    >>> test_finite()
    """
    c = _claims.get(claim)
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 1:
        raise InvalidArgument(f"depth must be a positive integer, got {depth!r}")
    if not (math.isfinite(target) and target != 0):
        raise InvalidArgument(f"target must be finite and non-zero, got {target!r}")
    region = _corners.claim_region(c)
    s = abs(target) ** (1.0 / depth)

    @st.composite
    def build(draw: Any) -> tuple[list[float], float]:
        logs = np.array(draw(_corners.log_magnitudes(depth)))
        r = draw(_corners.product_ratio(region))
        negs = draw(st.lists(st.booleans(), min_size=depth, max_size=depth))
        if r == 0:
            reject()
        if r is not None:
            logs = logs + (math.log10(abs(r)) - logs.sum()) / depth
            if (sum(negs) % 2 == 1) != (r * target < 0):
                negs[0] = not negs[0]
        w = np.where(negs, -1.0, 1.0) * s * 10.0**logs
        if not np.all(np.isfinite(w)) or np.any(w == 0):
            reject()
        with np.errstate(all="ignore"):
            eta = draw(_corners.step_size(w, target, region))
        if not (math.isfinite(eta) and eta > 0):
            reject()
        return [float(x) for x in w], float(eta)

    strategy = build()
    legacy = _corners.own_sampler(c)
    if legacy is not None:  # a claim-specific sampler (e.g. a narrow hypothesis): seeded draws from it
        strategy = st.one_of(
            strategy, st.integers(0, 2**32 - 1).map(lambda k: _corners.draw_from_sampler(legacy, k, depth, target))
        )
    return strategy


def tight_points(depth: int, *, target: float = 1.0) -> list[tuple[list[float], float]]:
    """Known tight points at a depth: ``@example`` pins for :func:`claim_property`.

    Balanced weights at ``pi / y -> 2``, ``eta psi -> 2 sqrt 2``; two nearly
    equal small weights against large ones there; two unequal small weights
    against large ones with ``pi / y = 1e-6`` and ``eta psi`` just below
    ``2 sqrt 2`` and at 2.84 (where psi increases: a known violation of the
    unrestricted claim); the same with mixed signs; a tie broken at ``1e-12``;
    and ``pi = y``.

    Examples
    --------
    >>> len(tight_points(3)), all(len(w) == 3 for w, _ in tight_points(3))
    (8, True)
    """
    s = abs(target) ** (1.0 / depth)
    sign = 1.0 if target > 0 else -1.0

    def with_ratio(shape: list[float], ratio: float) -> list[float]:
        logs = np.log10(shape)
        logs = logs + (math.log10(ratio) - logs.sum()) / depth
        w = s * 10.0**logs
        w[0] *= sign
        return [float(x) for x in w]

    def at(w: list[float], c: float) -> tuple[list[float], float]:
        psi = float(fast.gfs_sharpness(np.array([w]), target=target)[0])
        return w, c / psi

    if depth == 1:
        return [at([target], 1.0), at([0.5 * target], 2.0)]
    pair = [1.0, 1.0 + 3e-8] + [1e14] * (depth - 2)  # two nearly equal small weights, the others large
    apart = [1.0, 1e-4] + [1e6] * (depth - 2)  # two unequal small weights, the others large
    below, above = 2 * SQRT2 * (1 - 1e-12), 2.84
    pts = [
        at(with_ratio([1.0] * depth, 2 * (1 - 2**-50)), below),
        at(with_ratio(pair, 2 * (1 - 2**-50)), below),
        at(with_ratio(apart, 1e-6), below),
        at(with_ratio(apart, 1e-6), above),  # psi increases here (eta psi just above 2 sqrt 2)
        at(with_ratio([1.0, 1.0 + 1e-12] + [1.0] * (depth - 2), 0.5), 2.0),
        at(with_ratio([1.0] * depth, 1.0), 1.0),
    ]
    mixed = [(list(w), e) for w, e in pts[1:3]]
    for w, _ in mixed:
        w[0], w[1] = -w[0], -w[1]
    pts += [at(w, below) for w, _ in mixed]
    return pts


# --------------------------------------------------------------------------- properties


def claim_property(
    claim: str,
    depth: int,
    *,
    target: float = 1.0,
    max_examples: int = 100,
    database: Any = "default",
    seed: int | None = None,
    pins: bool = True,
    shrink: bool = True,
    max_steps: int = 3000,
    verbosity: Any = None,
    stats: dict[str, int] | None = None,
) -> Callable[[], None]:
    """A Hypothesis test of a claim at a depth; raises :class:`ClaimFalsified` when refuted.

    Parameters
    ----------
    claim : str
        Id of a registered claim.
    depth : int
        Network depth D >= 1.
    target : float
        Target ``y``.
    max_examples : int
        Examples Hypothesis runs (points outside the hypothesis are not counted).
    database : ``"default"``, None, str or ExampleDatabase
        Where failures are stored and replayed: Hypothesis' default
        (``.hypothesis/`` in the working directory), none, a directory, or a database.
    seed : int, optional
        Fixes Hypothesis' random choices.
    pins : bool
        Run :func:`tight_points` as explicit examples first (claims about one step).
    shrink : bool
        Shrink a failure to a minimal counterexample (each shrink step decided exactly).
    max_steps : int
        GD budget per run for trajectory claims.
    verbosity : hypothesis.Verbosity, optional
    stats : dict, optional
        Filled with ``examples`` and ``in_hypothesis`` counts.

    Returns
    -------
    callable
        A zero-argument test function (collectable by pytest).

    Examples
    --------
    >>> test = claim_property("step-decrease-order", 3, max_examples=10, database=None, seed=0)
    >>> test()  # passes: the claim is proved
    """
    c = _claims.get(claim)
    if c.depth is not None and c.depth != depth:
        raise InvalidArgument(f"claim {claim!r} is about depth {c.depth} only, got depth {depth}")
    if isinstance(max_examples, bool) or not isinstance(max_examples, int) or max_examples < 1:
        raise InvalidArgument(f"max_examples must be a positive integer, got {max_examples!r}")
    counts = stats if stats is not None else {}
    counts.update(examples=0, in_hypothesis=0)
    test = given(corner_points(claim, depth, target=target))(_property_body(c, target, max_steps, counts))
    if pins and c.kind == "step":
        for w, eta in reversed(tight_points(depth, target=target)):
            if math.isfinite(eta) and eta > 0:
                test = example((w, eta))(test)
    test = settings(**_settings(max_examples, database, shrink, verbosity))(test)
    if seed is not None:
        test = _hseed(seed)(test)
    test.__name__ = f"test_{c.id.replace('-', '_')}_depth{depth}"
    return test


def _settings(max_examples: int, database: Any, shrink: bool, verbosity: Any) -> dict[str, Any]:
    """Hypothesis ``settings`` keywords of :func:`claim_property`."""
    db = DirectoryBasedExampleDatabase(database) if isinstance(database, str) and database != "default" else database
    kw: dict[str, Any] = {
        "max_examples": max_examples,
        "deadline": None,
        "suppress_health_check": [HealthCheck.filter_too_much, HealthCheck.too_slow],
    }
    if not shrink:
        kw["phases"] = [Phase.explicit, Phase.reuse, Phase.generate, Phase.target]
    if db != "default":
        kw["database"] = db
    if verbosity is not None:
        kw["verbosity"] = verbosity
    return kw


def _property_body(c: Any, target: float, max_steps: int, counts: dict[str, int]) -> Callable[[Any], None]:
    """The test body: reject points outside the exact hypothesis, then decide the conclusion exactly."""
    y_str = repr(float(target))

    def body(point: tuple[list[float], float]) -> None:
        w, eta = point
        counts["examples"] += 1
        W1, e1 = np.array([w]), np.array([eta])
        if not _claims.hypothesis_batch(c, W1, e1, target)[0]:
            reject()
        wq = [Fraction(x) for x in w]
        if not c.hypothesis(wq, Fraction(eta), Fraction(target)):
            reject()
        counts["in_hypothesis"] += 1
        w_str, e_str = [repr(float(x)) for x in w], repr(float(eta))
        if c.kind == "step":
            _decide_step(c, W1, e1, eta, wq, w_str, e_str, target, y_str)
        else:
            _decide_run(c, w, eta, w_str, e_str, target, y_str, max_steps)

    return body


def _decide_step(c, W1, e1, eta, wq, w_str, e_str, target: float, y_str: str) -> None:
    """One-step claim: a float64 step decides when its margin is beyond its error bound, else the exact step."""
    screen = float_steps(W1, e1, target=target)[0]
    if screen is not None and screen.relation != "unchanged" and _holds(c, screen, wq, eta, target):
        return  # holds on a step whose psi change is decided in float64 (margin beyond its error bound)
    step = one_step(w_str, e_str, target=y_str)
    res = _claims.evaluate(w_str, e_str, target=y_str, claims=[c.id], step=step)[0]
    if res.conclusion is False:
        raise ClaimFalsified(
            {
                "claim": c.id,
                "weights": w_str,
                "eta": e_str,
                "target": y_str,
                "relation": step.relation,
                "gfs_before": str(step.gfs_before),
                "gfs_after": str(step.gfs_after),
                "decided_at_digits": step.digits,
                "detail": f"GFS sharpness {step.relation} (decided exactly at {step.digits} digits)",
            }
        )


def _decide_run(c, w, eta, w_str, e_str, target: float, y_str: str, max_steps: int) -> None:
    """Trajectory claim: the float64 run decides; a refutation must be confirmed by a 50-digit reference run."""
    out = classify(w, eta, target=target, max_steps=max_steps)
    concl = c.conclusion(out, eta)
    if concl is None:
        reject()
    if concl is False:  # the float64 run says so: a 50-digit reference run must confirm it
        ce = verify(c.id, w_str, e_str, target=y_str, max_steps=max_steps)
        if ce is None:
            reject()
        raise ClaimFalsified(
            {
                "claim": c.id,
                "weights": w_str,
                "eta": e_str,
                "target": y_str,
                "relation": out.status,
                "gfs_before": ce.gfs_before,
                "gfs_after": ce.gfs_after,
                "decided_at_digits": ce.dps,
                "detail": f"{ce.detail} (confirmed by a {ce.dps}-digit reference run)",
            }
        )


def _holds(c: Any, step: Any, wq: list[Fraction], eta: float, target: float) -> bool:
    try:
        if len(inspect.signature(c.conclusion).parameters) >= 4:
            return c.conclusion(step, wq, Fraction(eta), Fraction(target)) is True
        return c.conclusion(step) is True
    except (ArithmeticError, ValueError, TypeError):
        return False


def check_claim(claim: str, depth: int, **kwargs: Any) -> dict[str, Any]:
    """Run :func:`claim_property` quietly and return the verdict as a dict.

    ``verdict`` is ``"refuted"`` (with ``counterexample``, the minimal one after
    shrinking, decided exactly), ``"no counterexample"`` (with the number of
    examples run and how many satisfied the hypothesis) or ``"not applicable"``
    (the claim speaks about another depth).  Keyword arguments go to
    :func:`claim_property`.
    """
    c = _claims.get(claim)
    base = {"claim": c.id, "depth": depth}
    if c.depth is not None and c.depth != depth:
        return {**base, "verdict": "not applicable", "examples": 0, "in_hypothesis": 0, "counterexample": None}
    stats: dict[str, int] = {}
    kwargs.setdefault("verbosity", Verbosity.quiet)
    test = claim_property(claim, depth, stats=stats, **kwargs)
    found = None
    try:
        test()
    except ClaimFalsified as exc:
        found = exc.report
    except BaseExceptionGroup as group:  # several distinct failures: report the first
        match, _ = group.split(ClaimFalsified)
        if match is None:
            raise
        found = _first(match).report
    verdict = "refuted" if found is not None else "no counterexample"
    return {**base, "verdict": verdict, **stats, "counterexample": found}


def _first(group: BaseExceptionGroup) -> Any:
    exc = group.exceptions[0]
    return _first(exc) if isinstance(exc, BaseExceptionGroup) else exc

"""Hypothesis strategies for users' own property tests.

Requires the ``hypothesis`` package (``pip install 'scalar-eos[test]'``).

Examples
--------
>>> from hypothesis import given
>>> import scalar_eos as se
>>> from scalar_eos.strategies import weights
>>> @given(weights(depth=3))
... def test_psi_at_least_psi_min(w):
...     g = se.gfs(w)
...     assert g.kind == "saddle" or g.sharpness >= se.psi_min(3) * (1 - 1e-14)
>>> test_psi_at_least_psi_min()
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

from . import claims as _claims
from . import fast

__all__ = ["claim_points", "step_sizes", "targets", "weights"]


def weights(
    depth: int | None = None,
    *,
    min_depth: int = 1,
    max_depth: int = 8,
    min_magnitude: float = 1e-3,
    max_magnitude: float = 1e3,
    signed: bool = True,
) -> st.SearchStrategy[list[float]]:
    """Weight vectors with log-uniform magnitudes (and random signs if ``signed``).

    Edge cases come for free: Hypothesis shrinks toward magnitude 1 and
    balanced weights.
    """
    lo, hi = float(np.log10(min_magnitude)), float(np.log10(max_magnitude))
    sizes = st.just(depth) if depth is not None else st.integers(min_depth, max_depth)

    @st.composite
    def build(draw: Any) -> list[float]:
        d = draw(sizes)
        exps = draw(st.lists(st.floats(lo, hi), min_size=d, max_size=d))
        signs = draw(st.lists(st.booleans(), min_size=d, max_size=d)) if signed else [False] * d
        return [(-1.0 if s else 1.0) * 10.0**e for e, s in zip(exps, signs, strict=True)]

    return build()


def targets(*, min_magnitude: float = 1e-2, max_magnitude: float = 1e2) -> st.SearchStrategy[float]:
    """Non-zero targets, either sign."""
    lo, hi = float(np.log10(min_magnitude)), float(np.log10(max_magnitude))
    return st.builds(lambda e, s: (-1.0 if s else 1.0) * 10.0**e, st.floats(lo, hi), st.booleans())


def step_sizes(
    w: list[float], *, target: float = 1.0, low: float = 0.05, high: float = 4.0
) -> st.SearchStrategy[float]:
    """Step sizes ``eta = c / psi(w)`` with ``c`` in ``[low, high]``: around the threshold ``c = 2``."""
    psi = float(fast.gfs_sharpness(np.asarray([w], dtype=float), target=target)[0])
    if not np.isfinite(psi):
        return st.nothing()
    return st.floats(low, high).map(lambda c: c / psi)


def claim_points(claim: str, depth: int, *, target: float = 1.0) -> st.SearchStrategy[tuple[list[float], float]]:
    """Points ``(w, eta)`` inside a registered claim's hypothesis (exact check)."""
    c = _claims.get(claim)

    @st.composite
    def build(draw: Any) -> tuple[list[float], float]:
        w = draw(weights(depth=depth, min_magnitude=0.05, max_magnitude=20))
        eta = draw(step_sizes(w, target=target, high=6.0))
        assume(c.hypothesis([Fraction(x) for x in w], Fraction(eta), Fraction(target)))
        return w, eta

    return build()

"""``step-decrease``: every GD step does not increase the GFS sharpness (false in general)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from ._common import not_increased, relative_increase
from .claim import Claim, Evidence

__all__ = ["CLAIM"]


def hypothesis(w: list[Fraction], eta: Fraction, y: Fraction) -> bool:
    return True


def batch_hypothesis(W: np.ndarray, eta: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.ones(W.shape[0], dtype=bool)


CLAIM = Claim(
    "step-decrease",
    "One GD step never increases the GFS sharpness: psi(GD(w)) <= psi(w) for every w and eta.",
    hypothesis,
    not_increased,
    evidence=Evidence(witness=(("3", "1"), "1")),
    source="scalar-eos: the unconditional form of step-decrease-s",
    batch_hypothesis=batch_hypothesis,
    batch_violation=relative_increase,
)

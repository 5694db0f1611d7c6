"""Validation of public arguments (private).

Small ``check_*`` helpers used at the public boundary.  Each returns the value
in the form the reference layer works with, or raises
:class:`~scalar_eos.errors.InvalidArgument` with a message that names the
value and says how to fix it.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable
from fractions import Fraction
from typing import Any

from ._exact import as_fraction
from .errors import InvalidArgument

#: Largest depth accepted by the exact reference layer.
MAX_DEPTH = 4096


def check_weights(w: Any) -> list[Fraction]:
    """Weights ``w_1..w_D`` as exact fractions (D >= 1, all finite)."""
    if isinstance(w, str | bytes):
        raise InvalidArgument(
            f"weights must be a sequence of numbers, got the string {w!r}; "
            "split it first, e.g. [float(v) for v in s.split(',')]"
        )
    if hasattr(w, "ndim") and getattr(w, "ndim", 1) != 1:
        raise InvalidArgument(f"weights must be one-dimensional (one weight per layer), got shape {w.shape}")
    if not isinstance(w, Iterable):
        raise InvalidArgument(f"weights must be a sequence of numbers, got {w!r}")
    values = [as_fraction(v, f"weight w_{i + 1}") for i, v in enumerate(w)]
    if not values:
        raise InvalidArgument("weights are empty; a depth-D network needs D >= 1 weights")
    if len(values) > MAX_DEPTH:
        raise InvalidArgument(f"depth {len(values)} exceeds the supported maximum {MAX_DEPTH}")
    return values


def check_target(y: Any) -> Fraction:
    """Target ``y``: finite and non-zero."""
    q = as_fraction(y, "target")
    if q == 0:
        raise InvalidArgument(
            "target must be non-zero (with y = 0 every minimiser has pi = 0 and "
            "the GFS sharpness is not defined); got target=0"
        )
    return q


def check_eta(eta: Any) -> Fraction:
    """Step size: finite and positive."""
    q = as_fraction(eta, "eta")
    if q <= 0:
        raise InvalidArgument(f"eta must be positive and finite, got eta={eta!r}")
    return q


def check_scale(scale: Any) -> Fraction:
    """Input scale ``m = mean(x^2)``: finite and positive."""
    q = as_fraction(scale, "scale")
    if q <= 0:
        raise InvalidArgument(f"scale (mean of x^2) must be positive and finite, got scale={scale!r}")
    return q


def check_dps(dps: Any) -> int | None:
    """Decimal precision: None (float64) or an int >= 1."""
    if dps is None:
        return None
    if isinstance(dps, bool) or not isinstance(dps, numbers.Integral):
        raise InvalidArgument(f"dps must be a positive integer or None, got dps={dps!r}")
    if dps < 1:
        raise InvalidArgument(f"dps must be at least 1, got dps={dps}")
    if dps > 100_000:
        raise InvalidArgument(f"dps={dps} is unreasonably large (max 100000)")
    return int(dps)


def check_steps(steps: Any) -> int:
    """Number of steps: a non-negative int."""
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral):
        raise InvalidArgument(f"steps must be a non-negative integer, got steps={steps!r}")
    if steps < 0:
        raise InvalidArgument(f"steps must be non-negative, got steps={steps}")
    return int(steps)

"""Validation of public arguments (private).

Small ``check_*`` helpers used at the public boundary.  Each returns the value
in the form the reference layer works with, or raises
:class:`~scalar_eos.errors.InvalidArgument` with a message that names the
value and says how to fix it.
"""

from __future__ import annotations

import math
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


def check_real(value: Any, where: str, *, positive: bool = False, nonzero: bool = False) -> float:
    """A finite real number given as int or float (not bool), optionally positive or non-zero.

    Examples
    --------
    >>> check_real(2, "samples")
    2.0
    >>> check_real(0.0, "eta", positive=True)
    Traceback (most recent call last):
    ...
    scalar_eos.errors.InvalidArgument: eta must be positive, got 0.0
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidArgument(f"{where} must be a number, got {value!r}")
    x = float(value)
    if not math.isfinite(x):
        raise InvalidArgument(f"{where} must be finite, got {value!r}")
    if positive and x <= 0:
        raise InvalidArgument(f"{where} must be positive, got {value!r}")
    if nonzero and x == 0:
        raise InvalidArgument(f"{where} must be non-zero, got {value!r}")
    return x


def check_int(value: Any, where: str, lo: int, hi: int | None = None) -> int:
    """An integer (Python or NumPy, not bool) in ``[lo, hi]`` (``hi=None``: no upper bound).

    Examples
    --------
    >>> check_int(3, "depth", 1, 64)
    3
    >>> check_int(0, "depth", 1, 64)
    Traceback (most recent call last):
    ...
    scalar_eos.errors.InvalidArgument: depth must be an integer in [1, 64], got 0
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InvalidArgument(f"{where} must be an integer, got {value!r}")
    if value < lo or (hi is not None and value > hi):
        rng = f">= {lo}" if hi is None else f"in [{lo}, {hi}]"
        raise InvalidArgument(f"{where} must be an integer {rng}, got {value}")
    return int(value)


def check_vector(x: Any, n: int, name: str) -> Any:
    """A finite float64 vector of exactly ``n`` entries (any array-like, flattened)."""
    import numpy as np

    try:
        v = np.array(x, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise InvalidArgument(f"{name} must be a sequence of real numbers") from None
    if v.size != n:
        raise InvalidArgument(f"{name} has {v.size} entries, the model has {n} parameters")
    if not np.all(np.isfinite(v)):
        raise InvalidArgument(f"{name} contains NaN or inf")
    return v


def check_positive(x: Any, name: str) -> float:
    """A positive finite float (anything ``float()`` accepts).

    Examples
    --------
    >>> check_positive("0.5", "gtol")
    0.5
    """
    try:
        v = float(x)
    except (TypeError, ValueError):
        raise InvalidArgument(f"{name} must be a positive number, got {x!r}") from None
    if not (math.isfinite(v) and v > 0):
        raise InvalidArgument(f"{name} must be positive and finite, got {x!r}")
    return v


def check_batch(W: Any) -> Any:
    """A float64 batch of weights of shape ``(N, D)``, batch first."""
    import numpy as np

    try:
        arr = np.asarray(W, dtype=float)
    except (TypeError, ValueError):
        raise InvalidArgument("W must be a real array of shape (N, D)") from None
    if arr.ndim == 1:
        raise InvalidArgument(
            f"W must have shape (N, D) with the batch first, got shape {arr.shape}; "
            "for one point use W[None, :] or scalar_eos.gfs"
        )
    if arr.ndim != 2:
        raise InvalidArgument(f"W must have shape (N, D), got shape {arr.shape}")
    if arr.shape[1] < 1:
        raise InvalidArgument("W has depth 0; a network needs D >= 1 weights per row")
    return arr


def check_per_row(x: Any, n: int, name: str, *, positive: bool = False, nonzero: bool = False) -> Any:
    """A finite float (one value for all rows) or a float64 array of shape ``(n,)``."""
    import numpy as np

    try:
        arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise InvalidArgument(f"{name} must be a real number or an array of shape (N,)") from None
    if arr.ndim != 0 and arr.shape != (n,):
        raise InvalidArgument(f"{name} must be a scalar or have shape ({n},), got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise InvalidArgument(f"{name} must be finite; got NaN or inf")
    if positive and np.any(arr <= 0):
        raise InvalidArgument(f"{name} must be positive, got {arr[arr <= 0][0]!r}")
    if nonzero and np.any(arr == 0):
        raise InvalidArgument(f"{name} must be non-zero (the GFS sharpness is undefined for target 0)")
    return float(arr) if arr.ndim == 0 else arr

"""Number formatting shared by the CLI and reports (private)."""

from __future__ import annotations

import math
from typing import Any

import mpmath

#: Digits printed beyond the requested precision (all are covered by guard digits).
EXTRA_DIGITS = 5


def json_number(x: Any, dps: int | None) -> Any:
    """A JSON value for a real number: a float, or a decimal string of ``dps`` digits."""
    if dps is None:
        v = float(x)
        if not math.isfinite(v):
            return None
        return v
    if isinstance(x, float | int) and not isinstance(x, bool):
        x = mpmath.mpf(x)
    if x == 0:
        return "0." + "0" * (dps - 1) if dps > 1 else "0"
    return mpmath.nstr(x, dps + EXTRA_DIGITS, strip_zeros=False, min_fixed=-5, max_fixed=dps + EXTRA_DIGITS)


def text_number(x: Any, dps: int | None, digits: int = 10) -> str:
    """A number for a human: ``digits`` significant digits, or ``dps`` with mpmath."""
    if dps is None:
        return f"{float(x):.{digits}g}"
    return mpmath.nstr(x, dps, strip_zeros=False)

"""Exact rational conversions and working-precision helpers (private).

The reference layer keeps inputs as exact :class:`fractions.Fraction` values,
so sign decisions, ties in magnitude and the residual ``pi - y`` are decided
exactly; only transcendental steps (logarithms, the root for the shift, square
roots) are done in mpmath at a working precision with guard digits.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from numbers import Rational
from typing import Any

import mpmath
from mpmath import mp
from mpmath.libmp import from_rational

from .errors import InvalidArgument, PrecisionError

#: Extra decimal digits carried internally on top of the requested precision.
GUARD_DIGITS = 20
#: Precision (decimal digits) used internally for float64 results.
FLOAT_DPS = 17

_FLOAT_MAX = Fraction(2) ** 1024
_FLOAT_TINY = Fraction(2) ** -1022


def as_fraction(x: Any, name: str) -> Fraction:
    """Convert ``x`` exactly to a Fraction, or raise :class:`InvalidArgument`.

    Accepts int, float, decimal strings, Decimal, Fraction, NumPy scalars and
    mpmath ``mpf``.  Floats are taken at their exact binary value; strings are
    read as exact decimals (never through float64).
    """
    if isinstance(x, bool):
        raise InvalidArgument(f"{name} must be a real number, got a bool {x!r}")
    try:
        if isinstance(x, Fraction):
            return x
        if isinstance(x, int | Rational):
            return Fraction(x)
        if isinstance(x, mpmath.mpf):
            if not mpmath.isfinite(x):
                raise InvalidArgument(f"{name} must be finite, got {x}")
            sign, man, exp, _ = x._mpf_
            value = Fraction(man) * Fraction(2) ** exp
            return -value if sign else value
        if isinstance(x, str):
            s = x.strip()
            if not s:
                raise InvalidArgument(f"{name} is empty; give a number such as 1.5")
            return Fraction(s)
        if isinstance(x, Decimal):
            return Fraction(x)
        fx = float(x)  # float, numpy floating, numpy integer, ...
        if not math.isfinite(fx):
            raise InvalidArgument(f"{name} must be finite, got {fx}")
        if hasattr(x, "dtype") and getattr(x.dtype, "kind", "") in "iu":
            return Fraction(int(x))
        return Fraction(fx)
    except InvalidArgument:
        raise
    except (ValueError, TypeError, OverflowError, ZeroDivisionError):
        raise InvalidArgument(f"{name} must be a finite real number, got {x!r}") from None


def to_mpf(q: Fraction) -> mpmath.mpf:
    """Correctly rounded mpf of ``q`` at the current working precision."""
    return mp.mpf(from_rational(q.numerator, q.denominator, mp.prec, "n"))


def to_float(x: Any, name: str) -> float:
    """Round an mpf/Fraction to float64, refusing overflow and underflow."""
    q = x if isinstance(x, Fraction) else as_fraction(x, name)
    if q == 0:
        return 0.0
    if abs(q) >= _FLOAT_MAX:
        raise PrecisionError(
            f"{name} = {mpmath.nstr(to_mpf_any(q), 8)} overflows float64; pass dps=N for an mpmath result"
        )
    if abs(q) < _FLOAT_TINY:
        raise PrecisionError(
            f"{name} = {mpmath.nstr(to_mpf_any(q), 8)} underflows float64; pass dps=N for an mpmath result"
        )
    return float(q)  # Fraction.__float__ is correctly rounded


def to_mpf_any(q: Fraction) -> mpmath.mpf:
    """mpf of ``q`` at 30 digits (for messages)."""
    with mp.workdps(30):
        return to_mpf(q)


def working_dps(dps: int | None) -> int:
    """Internal precision for a request of ``dps`` digits (None: float64)."""
    return (FLOAT_DPS if dps is None else dps) + GUARD_DIGITS


def fraction_product(xs: list[Fraction]) -> Fraction:
    """Exact product of fractions."""
    out = Fraction(1)
    for x in xs:
        out *= x
    return out


def products_except_one(xs: list[Fraction]) -> list[Fraction]:
    """Exact ``prod_{k != i} x_k`` for every ``i`` (prefix/suffix products)."""
    n = len(xs)
    prefix = [Fraction(1)] * (n + 1)
    for i, x in enumerate(xs):
        prefix[i + 1] = prefix[i] * x
    out = [Fraction(1)] * n
    suffix = Fraction(1)
    for i in range(n - 1, -1, -1):
        out[i] = prefix[i] * suffix
        suffix *= xs[i]
    return out

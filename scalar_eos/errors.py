"""Exception family of scalar-eos.

Every error the package raises on purpose derives from :class:`ScalarEOSError`,
so callers (and the CLI) can catch one type.
"""

from __future__ import annotations

__all__ = ["InvalidArgument", "PrecisionError", "ScalarEOSError"]


class ScalarEOSError(Exception):
    """Base class of all errors raised by scalar-eos."""


class InvalidArgument(ScalarEOSError, ValueError):
    """An argument is malformed, out of range or inconsistent."""


class PrecisionError(ScalarEOSError, ArithmeticError):
    """A result cannot be delivered to the requested accuracy.

    Raised when a float64 result would overflow or underflow, or when a
    root-finder cannot verify its residual.  The message says what failed and,
    where possible, how to get the number anyway (usually: pass ``dps=``).
    """

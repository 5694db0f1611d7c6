"""Exception family of scalar-eos.

Every error the package raises on purpose derives from :class:`ScalarEOSError`,
so callers (and the CLI, which turns them into one line on stderr and exit
status 2) can catch one type.
"""

from __future__ import annotations

__all__ = [
    "ConvergenceError",
    "InvalidArgument",
    "MissingDependency",
    "PrecisionError",
    "ScalarEOSDeprecationWarning",
    "ScalarEOSError",
    "SweepMismatch",
]


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


class ConvergenceError(ScalarEOSError, ArithmeticError):
    """An iterative method (eigensolver, integrator) did not converge; the message says which and how far."""


class MissingDependency(ScalarEOSError, ImportError):
    """An optional dependency is not installed; the message names the extra to install.

    Examples
    --------
    >>> issubclass(MissingDependency, ImportError)
    True
    """


class SweepMismatch(ScalarEOSError):
    """The output of a sweep already holds a sweep with a different design or version."""


class ScalarEOSDeprecationWarning(DeprecationWarning):
    """An old name or input form that still works for one release.

    The command line shows each one once, as a line ``scalar-eos: warning: ...`` on stderr (Python hides plain
    :class:`DeprecationWarning` outside ``__main__``).

    Examples
    --------
    >>> issubclass(ScalarEOSDeprecationWarning, DeprecationWarning)
    True
    """

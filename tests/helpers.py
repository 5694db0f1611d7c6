"""The one tolerance helper for tests."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import mpmath


def rel_error(a: Any, b: Any) -> mpmath.mpf:
    """|a - b| / max(|b|, tiny) in high precision."""
    with mpmath.workdps(200):
        a, b = mpmath.mpf(a), mpmath.mpf(b)
        den = abs(b) if b != 0 else mpmath.mpf(1)
        return abs(a - b) / den


def assert_close(actual: Any, expected: Any, rel: float | str, abs_: float | str = 0) -> None:
    """Assert ``|actual - expected| <= rel*|expected| + abs_`` elementwise (mpmath-exact)."""
    if isinstance(actual, Iterable) and not isinstance(actual, str):
        actual, expected = list(actual), list(expected)
        assert len(actual) == len(expected), f"lengths differ: {len(actual)} != {len(expected)}"
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            try:
                assert_close(a, e, rel, abs_)
            except AssertionError as exc:
                raise AssertionError(f"component {i}: {exc}") from None
        return
    with mpmath.workdps(200):
        a, e = mpmath.mpf(actual), mpmath.mpf(expected)
        tol = mpmath.mpf(rel) * abs(e) + mpmath.mpf(abs_)
        err = abs(a - e)
        assert err <= tol, (
            f"{mpmath.nstr(a, 25)} != {mpmath.nstr(e, 25)} (error {mpmath.nstr(err, 3)} > {mpmath.nstr(tol, 3)})"
        )

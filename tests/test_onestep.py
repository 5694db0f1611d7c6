"""The one-step decision is certain, also where the two values agree to many digits."""

from __future__ import annotations

import mpmath
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import scalar_eos as se
from scalar_eos.claims import in_d2_region


def sqrt2_digits(n: int) -> str:
    with mpmath.workdps(n + 10):
        return mpmath.nstr(mpmath.sqrt(2), n + 5, strip_zeros=False)


@pytest.mark.parametrize("offset_digits", [12, 20, 40])
def test_d2_boundary_decided_on_both_sides(offset_digits):
    # w = (0.5, 4): pi = 2, r = 1, so the boundary is eta = sqrt(2) exactly.
    with mpmath.workdps(offset_digits + 30):
        root = mpmath.sqrt(2)
        eps = mpmath.mpf(10) ** (-offset_digits)
        below = mpmath.nstr(root - eps, offset_digits + 20)
        above = mpmath.nstr(root + eps, offset_digits + 20)
    r_below = se.one_step(["0.5", "4"], below)
    r_above = se.one_step(["0.5", "4"], above)
    assert r_below.relation == "decreased" and r_above.relation == "increased"
    # the two values really do agree to about offset_digits digits
    with mpmath.workdps(100):
        rel = abs(r_above.gfs_after - r_above.gfs_before) / r_above.gfs_before
        assert rel < mpmath.mpf(10) ** (-offset_digits + 2)


def test_exactly_unchanged_cases():
    assert se.one_step(["1.5", "1.5"], "0.7").relation == "unchanged"  # balanced, D = 2
    assert se.one_step(["-2", "2", "0.75"], "0.1", target="-3").relation == "unchanged"  # pi = y
    assert se.one_step(["0.3", "1.7", "2"], "0.2").relation != "unchanged"


@settings(max_examples=30)
@given(
    st.tuples(st.integers(1, 400), st.integers(1, 400)),
    st.integers(1, 300),
    st.booleans(),
)
def test_d2_region_is_exact(w100, eta100, neg):
    """For D = 2 the step does not increase psi exactly on the derived region."""
    w = [f"{w100[0] / 100}", f"{(-1 if neg else 1) * w100[1] / 100}"]
    eta = f"{eta100 / 100}"
    from fractions import Fraction

    r = se.one_step(w, eta)
    if r.kind_before == "saddle" or r.kind_after == "saddle":
        return
    inside = in_d2_region([Fraction(x) for x in w], Fraction(eta), Fraction(1))
    assert (r.relation != "increased") == inside

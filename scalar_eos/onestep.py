"""What one GD step does to the GFS sharpness, decided with certainty.

The GD step is a polynomial map, so from exact inputs the next iterate is
computed *exactly* (rational arithmetic).  The two GFS sharpnesses are then
compared at increasing precision (30, 60, ..., 960 digits) until their
difference is larger than the certified error of either; if it never is, the
two are reported ``"unchanged"`` (equal to that many digits - which is exact
equality in every case we know of, e.g. balanced weights or ``pi = y``).

So ``decreased`` is right even when the two values agree to 12 (or 200)
digits.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal

from mpmath import mp

from . import _exact
from ._validate import check_dps, check_eta
from .dynamics import exact_step
from .gfs import exact_gfs
from .model import Point, point

__all__ = ["OneStep", "one_step"]

_PRECISIONS = (30, 60, 120, 240, 480, 960)


@dataclass(frozen=True)
class OneStep:
    """The GFS sharpness before and after one GD step.

    Attributes
    ----------
    gfs_before, gfs_after : mpf
        GFS sharpness of ``w`` and of ``GD(w)`` (at least ``dps`` digits).
    relation : ``"decreased"``, ``"increased"`` or ``"unchanged"``
        Decided with certainty (see the module docstring).
    digits : int
        Working precision at which the relation was decided.
    kind_before, kind_after : str
        ``"minimum"`` or ``"saddle"``: where GF ends from each point.
    w_after : list of Fraction
        The exact next iterate.
    """

    gfs_before: Any
    gfs_after: Any
    relation: Literal["decreased", "increased", "unchanged"]
    digits: int
    kind_before: str
    kind_after: str
    w_after: list[Fraction]

    @property
    def decreased(self) -> bool:
        """True when the GFS sharpness strictly decreased."""
        return self.relation == "decreased"

    @property
    def increased(self) -> bool:
        """True when the GFS sharpness strictly increased."""
        return self.relation == "increased"


def exact_one_step(p: Point, eta: Fraction, dps: int = 50) -> OneStep:
    """:func:`one_step` on exact inputs."""
    after = Point(exact_step(p, eta), p.target, p.scale)
    relation = "unchanged"
    used = _PRECISIONS[-1]
    res_b = res_a = None
    for digits in _PRECISIONS:
        wp = max(digits, dps) + _exact.GUARD_DIGITS
        with mp.workdps(wp):
            res_b, res_a = exact_gfs(p), exact_gfs(after)
            diff = res_a["sharpness"] - res_b["sharpness"]
            scale = max(abs(res_a["sharpness"]), abs(res_b["sharpness"]), mp.mpf(2) ** (-mp.prec * 4))
            if abs(diff) > scale * mp.mpf(10) ** (-max(digits, dps) - _exact.GUARD_DIGITS // 2):
                relation = "decreased" if diff < 0 else "increased"
                used = wp
                break
    assert res_b is not None and res_a is not None
    return OneStep(
        gfs_before=res_b["sharpness"],
        gfs_after=res_a["sharpness"],
        relation=relation,  # type: ignore[arg-type]
        digits=used,
        kind_before=res_b["kind"],
        kind_after=res_a["kind"],
        w_after=after.w,
    )


def one_step(w: Any, eta: Any, *, target: Any = 1, scale: Any = 1, dps: int | None = None) -> OneStep:
    """Compare the GFS sharpness before and after one GD step, with certainty.

    Parameters
    ----------
    w : sequence of real numbers
        Weights (strings are exact decimals).
    eta : real, positive
        Step size.
    target, scale
        As in :func:`scalar_eos.loss`.
    dps : int or None
        Digits carried in the reported values (default 50); the *decision*
        always uses as many digits as it needs.

    Examples
    --------
    >>> r = one_step(["0.5", "3"], "0.2")
    >>> r.relation, r.decreased
    ('decreased', True)
    >>> one_step(["1", "1"], "0.3").relation  # balanced: psi cannot change
    'unchanged'
    """
    dps = check_dps(dps) or 50
    return exact_one_step(point(w, target, scale), check_eta(eta), dps)

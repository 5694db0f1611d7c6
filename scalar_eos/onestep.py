"""What one GD step does to the GFS sharpness, decided with certainty.

The GD step is a polynomial map, so from exact inputs the next iterate is
computed *exactly* (rational arithmetic).  The two GFS sharpnesses are then
compared at increasing precision (30, 60, ..., 960 digits) until their
difference is larger than the certified error of either; if it never is, the
two are reported ``"unchanged"`` (equal to that many digits - which is exact
equality in every case we know of, e.g. balanced weights or ``pi = y``).

So ``decreased`` is right even when the two values agree to 12 (or 200)
digits.

Convention for saddle landings.  The compared quantity is the function
``psi(w) = y^2 sum_i 1/(w_i^2 + c*)`` of the squares (:func:`scalar_eos.gfs.psi`),
the quantity the lemmas in ``proofs/`` are about.  Where gradient flow ends at
a minimiser it is the GFS sharpness.  Where it ends at a saddle (``kind_before``
or ``kind_after == "saddle"``, e.g. a step from ``(1.5, 1.2)`` with
``eta = 1.25`` lands on ``(0.3, -0.3)``), ``psi`` is not a sharpness; the
sharpness at the end of the flow, the saddle's top Hessian eigenvalue, is
reported separately (``gfs_before``, ``gfs_after``).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal

from mpmath import mp

from . import _exact
from ._validate import check_dps, check_eta
from .dynamics import exact_step
from .gfs import exact_gfs, exact_psi
from .model import Point, point

__all__ = ["OneStep", "one_step"]

_PRECISIONS = (30, 60, 120, 240, 480, 960)


@dataclass(frozen=True)
class OneStep:
    """The GFS sharpness before and after one GD step.

    Attributes
    ----------
    gfs_before, gfs_after : mpf
        Sharpness at the end of gradient flow from ``w`` and from ``GD(w)`` (at least ``dps`` digits): the GFS
        sharpness, or the saddle's top Hessian eigenvalue where the flow ends at a saddle.
    relation : ``"decreased"``, ``"increased"`` or ``"unchanged"``
        How ``psi`` changed, decided with certainty (see the module docstring).
    digits : int
        Working precision at which the relation was decided.
    kind_before, kind_after : str
        ``"minimum"`` or ``"saddle"``: where GF ends from each point.
    w_after : list of Fraction
        The exact next iterate.
    psi_before, psi_after : mpf
        The function ``psi`` of the squares at ``w`` and ``GD(w)``; equal to ``gfs_before`` / ``gfs_after``
        unless the flow ends at a saddle.
    """

    gfs_before: Any
    gfs_after: Any
    relation: Literal["decreased", "increased", "unchanged"]
    digits: int
    kind_before: str
    kind_after: str
    w_after: list[Fraction]
    psi_before: Any = None
    psi_after: Any = None

    @property
    def saddle_landing(self) -> bool:
        """True when gradient flow from ``w`` or from ``GD(w)`` ends at a saddle (``psi`` is then not a sharpness)."""
        return "saddle" in (self.kind_before, self.kind_after)

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
    psi_b = psi_a = None
    for digits in _PRECISIONS:
        wp = max(digits, dps) + _exact.GUARD_DIGITS
        with mp.workdps(wp):
            psi_b, psi_a = exact_psi(p), exact_psi(after)
            diff = psi_a - psi_b
            scale = max(abs(psi_a), abs(psi_b), mp.mpf(2) ** (-mp.prec * 4))
            if abs(diff) > scale * mp.mpf(10) ** (-max(digits, dps) - _exact.GUARD_DIGITS // 2):
                relation = "decreased" if diff < 0 else "increased"
                used = wp
                break
    assert psi_b is not None and psi_a is not None
    with mp.workdps(used):
        res_b, res_a = exact_gfs(p), exact_gfs(after)
    return OneStep(
        gfs_before=res_b["sharpness"],
        gfs_after=res_a["sharpness"],
        relation=relation,  # type: ignore[arg-type]
        digits=used,
        kind_before=res_b["kind"],
        kind_after=res_a["kind"],
        w_after=after.w,
        psi_before=psi_b,
        psi_after=psi_a,
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
    >>> r = one_step(["1.5", "1.2"], "1.25")  # lands on (0.3, -0.3): gradient flow from there ends at a saddle
    >>> r.kind_after, r.saddle_landing, float(r.psi_after), float(r.gfs_after)
    ('saddle', True, 2.0, 1.0)
    """
    dps = check_dps(dps) or 50
    return exact_one_step(point(w, target, scale), check_eta(eta), dps)

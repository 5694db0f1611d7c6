"""Gradient descent on the scalar network, step by step and as a trajectory.

A GD step with step size :math:`\\eta` is

.. math::

    w_i^+ = w_i - \\eta\\, m\\, (\\pi - y) \\prod_{k\\ne i} w_k .

Each step is computed exactly from the (exact) current iterate and rounded
once: to float64 with ``dps=None`` (so the trajectory is the correctly rounded
float64 GD trajectory), to ``dps + guard`` digits otherwise.  Along a run we
record the loss, the product, the sharpness and the GFS sharpness.  GD at the
edge of stability can be chaotic: over many steps rounding differences grow,
so a long trajectory carries fewer correct digits than ``dps`` (compare runs
at two precisions to see how many).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np
from mpmath import mp

from . import _exact
from ._validate import check_dps, check_eta, check_steps
from .errors import PrecisionError
from .gfs import exact_gfs
from .model import Point, exact_hessian, exact_loss, point, top_eigenvalue

__all__ = ["Trajectory", "gd", "gd_step"]

#: A run stops as diverged once |pi| exceeds this multiple of max(1, |y|).
DIVERGENCE_FACTOR = Fraction(10) ** 100


def exact_step(p: Point, eta: Fraction) -> list[Fraction]:
    """One GD step from an exact point, exactly (Fractions, not rounded)."""
    r = p.residual
    others = _exact.products_except_one(p.w)
    a = eta * p.scale * r
    return [x - a * g for x, g in zip(p.w, others, strict=True)]


def round_iterate(values: list[Fraction], dps: int | None) -> list[Fraction]:
    """Round exact values to float64 or to the working precision (kept exact)."""
    if dps is None:
        return [Fraction(_exact.to_float(v, f"GD iterate w_{i + 1}")) for i, v in enumerate(values)]
    with mp.workdps(_exact.working_dps(dps)):
        return [_exact.as_fraction(_exact.to_mpf(v), "iterate") for v in values]


def _deliver(values: list[Fraction], dps: int | None) -> Any:
    if dps is None:
        return np.array([float(v) for v in values])
    with mp.workdps(_exact.working_dps(dps)):
        return [_exact.to_mpf(v) for v in values]


def gd_step(w: Any, eta: Any, *, target: Any = 1, scale: Any = 1, dps: int | None = None) -> Any:
    """One gradient descent step ``w - eta * grad L(w)``.

    Parameters
    ----------
    w : sequence of real numbers
        Current weights.
    eta : real, positive
        Step size.
    target, scale, dps
        As in :func:`scalar_eos.loss`.

    Returns
    -------
    numpy.ndarray or list of mpf
        The next iterate (float64 correctly rounded, or ``dps`` digits).

    Raises
    ------
    PrecisionError
        If the iterate does not fit in float64 (use ``dps``).

    Examples
    --------
    >>> gd_step([1.0, 3.0], 0.1)
    array([0.4, 2.8])
    """
    dps = check_dps(dps)
    p = point(w, target, scale)
    return _deliver(round_iterate(exact_step(p, check_eta(eta)), dps), dps)


@dataclass
class Trajectory:
    """A GD run: one record per iterate ``t = 0..steps`` (fewer if stopped).

    Attributes
    ----------
    weights : ndarray (T+1, D) or list of lists of mpf
    loss, product, sharpness, gfs_sharpness : ndarray (T+1,) or lists of mpf
        Per iterate: the loss, the product ``pi``, the largest Hessian
        eigenvalue at the iterate, and the GFS sharpness.
    gfs_kind : list of str
        ``"minimum"`` or ``"saddle"``: where GF from each iterate ends.
    eta, target, scale : Fraction
        The run's parameters (exact).
    dps : int or None
        Precision of the run.
    stopped : str or None
        Why the run ended before ``steps`` (e.g. divergence), else None.
    """

    weights: Any
    loss: Any
    product: Any
    sharpness: Any
    gfs_sharpness: Any
    gfs_kind: list[str]
    eta: Fraction
    target: Fraction
    scale: Fraction
    dps: int | None
    stopped: str | None = None
    _len: int = field(default=0, repr=False)

    def __len__(self) -> int:
        return self._len

    @property
    def threshold(self) -> float:
        """The stability threshold ``2/eta``."""
        return float(2 / self.eta)

    def records(self) -> list[dict[str, Any]]:
        """One dict per iterate with keys ``t, loss, product, sharpness, gfs_sharpness``."""
        return [
            {
                "t": t,
                "loss": self.loss[t],
                "product": self.product[t],
                "sharpness": self.sharpness[t],
                "gfs_sharpness": self.gfs_sharpness[t],
            }
            for t in range(self._len)
        ]


def gd(
    w0: Any,
    eta: Any,
    steps: int,
    *,
    target: Any = 1,
    scale: Any = 1,
    dps: int | None = None,
) -> Trajectory:
    """Run ``steps`` steps of gradient descent and record the trajectory.

    The run stops early, with :attr:`Trajectory.stopped` set, when the product
    exceeds ``1e100 * max(1, |y|)`` (divergence) or an iterate leaves the
    float64 range.

    Examples
    --------
    >>> tr = gd([0.5, 3.0], 0.3, 50)
    >>> len(tr), tr.stopped
    (51, None)
    >>> bool(tr.gfs_sharpness[-1] <= tr.gfs_sharpness[0])
    True
    """
    dps = check_dps(dps)
    steps = check_steps(steps)
    eta_q = check_eta(eta)
    p = point(w0, target, scale)
    limit = DIVERGENCE_FACTOR * max(Fraction(1), abs(p.target))
    cols: dict[str, list[Any]] = {k: [] for k in ("weights", "loss", "product", "sharpness", "gfs_sharpness")}
    kinds: list[str] = []
    stopped = None
    w = round_iterate(p.w, dps)
    for t in range(steps + 1):
        cur = Point(w, p.target, p.scale)
        if abs(cur.product) > limit:
            stopped = f"diverged at step {t}: |product| exceeded 1e100 * max(1, |target|)"
            break
        with mp.workdps(_exact.working_dps(dps)):
            g = exact_gfs(cur)
        try:
            sharp = top_eigenvalue(exact_hessian(cur), dps)
            row = {
                "weights": _deliver(w, dps),
                "loss": _exact.to_float(exact_loss(cur), "loss") if dps is None else _mpf(exact_loss(cur), dps),
                "product": _exact.to_float(cur.product, "product") if dps is None else _mpf(cur.product, dps),
                "sharpness": sharp,
                "gfs_sharpness": g["sharpness"]
                if dps is not None
                else _exact.to_float(g["sharpness"], "GFS sharpness"),
            }
        except PrecisionError as exc:
            stopped = f"diverged at step {t}: {exc}"
            break
        for k, v in row.items():
            cols[k].append(v)
        kinds.append(g["kind"])
        if t == steps:
            break
        try:
            w = round_iterate(exact_step(cur, eta_q), dps)
        except PrecisionError as exc:
            stopped = f"diverged at step {t + 1}: {exc}"
            break
    n = len(kinds)
    if dps is None:
        arrays = {k: np.array(v, dtype=float) for k, v in cols.items()}
        if n == 0:
            arrays["weights"] = np.zeros((0, p.depth))
    else:
        arrays = cols
    return Trajectory(
        **arrays, gfs_kind=kinds, eta=eta_q, target=p.target, scale=p.scale, dps=dps, stopped=stopped, _len=n
    )


def _mpf(x: Fraction, dps: int) -> Any:
    with mp.workdps(_exact.working_dps(dps)):
        return _exact.to_mpf(x)

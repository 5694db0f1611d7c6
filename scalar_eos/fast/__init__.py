"""Batched float64 fast path (NumPy only) for sweeps over many points.

Rows are points: ``W`` has shape ``(N, D)``.  Every function returns float64
arrays and a companion ``status`` array (see :class:`Status`); a row whose
answer cannot be trusted is NaN **and** has a non-zero status, never a silent
wrong number.

Numerics of the GFS sharpness (docs/theory.md).  With ``a = |w|``,
``s = |y|^{1/D}`` and the normalised gaps

.. math::

    d'_i = \\frac{(a_i - a_{\\min})(a_i + a_{\\min})}{s^2} \\ge 0

(no cancellation: Sterbenz's lemma makes ``a_i - a_min`` exact when the two are
close), the normalised shift ``m' = (\\min_i w_i^2 + c^*)/s^2`` is the root of
``F(u) = \\log \\prod_i (d'_i + e^u) = 0`` with ``u = \\log m'``.  ``F`` is
convex and increasing with ``1 <= F' <= D``, so Newton's method converges from
any start (a start left of the root lands right of it, then decreases
monotonically), and the residual bounds the error in ``u``.  Because the
product is near 1 at the root, ``F`` is evaluated to ``O(D eps)`` absolute
accuracy however wide the range of the weights.  Then

.. math::

    \\psi = m\\,|y|^{2-2/D} \\sum_i \\frac{1}{d'_i + m'} .

Depth 1 is trivial (``psi = m``) and depth 2 is closed form,
``psi = m * hypot(w_1^2 - w_2^2, 2y)``.

Status codes: ``OK`` (0), ``NONFINITE`` input, ``SADDLE`` (gradient flow ends
at a saddle), ``RANGE`` (the result or an intermediate leaves the float64
range: use the mpmath reference), ``NOT_CONVERGED`` (root residual not
verified), ``DIVERGED`` (a GD iterate left the float64 range).
"""

from ._gd import INCREASE_RTOL as INCREASE_RTOL
from ._gd import gd, gd_step, sharpness, stream
from ._gd import gd_columns as gd_columns
from ._gd import prod_others as prod_others
from ._gd import step_columns as step_columns
from ._gfs import gfs, gfs_sharpness, psi_min
from ._gfs import gfs_columns as gfs_columns
from ._status import DEFAULT_CHUNK, FastGFS, Status
from ._status import row_chunks as row_chunks

__all__ = [
    "DEFAULT_CHUNK",
    "FastGFS",
    "Status",
    "gd",
    "gd_step",
    "gfs",
    "gfs_sharpness",
    "psi_min",
    "sharpness",
    "stream",
]

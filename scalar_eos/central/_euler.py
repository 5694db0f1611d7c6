"""The central flow discretised as in the paper's experiments: Euler substeps with a linearised complementarity."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import InvalidArgument
from ._spectrum import ScalarNet, check_positive, finite_vector


def euler_central_flow(
    w0: Any, eta: Any, steps: int, *, substeps: int = 4, target: Any = 1.0, scale: Any = 1.0
) -> np.ndarray:
    """The central flow of a scalar network by Euler substeps of length ``1/substeps`` (float64).

    This is the discretisation Cohen et al. (ICLR 2025) use in their
    experiments, written here for one critical eigenvalue.  Each substep
    chooses :math:`\\sigma^2 \\ge 0` so that the *linearised* sharpness after
    the substep does not exceed ``2/eta``:

    .. math::

        \\sigma^2 = \\max\\Big(0,\\ \\frac{S - 2/\\eta - h\\eta\\,\\langle\\nabla S, \\nabla L\\rangle}
        {\\tfrac12 h\\eta\\,|\\nabla S|^2}\\Big),\\qquad
        w \\leftarrow w - h\\eta\\big[\\nabla L + \\tfrac12\\sigma^2\\nabla S\\big].

    On the edge this is Euler's method for the central flow.  From a start
    above the edge the first substeps are Newton steps
    ``w - (S - 2/eta) grad S / |grad S|^2`` plus ``O(h)``: as ``h -> 0`` the
    iterates tend to :func:`central_flow` with ``jump="newton"``, with an
    ``O(h)`` error (measured in ``tests/test_central.py``).

    Parameters
    ----------
    w0 : sequence of real numbers
    eta : real, positive
    steps : int
        Number of GD steps (unit times) to cover.
    substeps : int
        Euler substeps per unit of time (the paper's code uses 4).
    target, scale : real

    Returns
    -------
    ndarray (steps + 1, D)
        The weights at integer times ``t = 0, 1, ..., steps``.

    Examples
    --------
    >>> traj = euler_central_flow([0.5, 2.1, 1.0], 0.45, 300)
    >>> round(0.45 * ScalarNet().top(traj[-1])[0], 3)
    2.0
    """
    w = finite_vector(w0, "weights")
    eta_f = check_positive(eta, "eta")
    for name, val in (("steps", steps), ("substeps", substeps)):
        if isinstance(val, bool) or not isinstance(val, int) or val < 1:
            raise InvalidArgument(f"{name} must be a positive integer, got {name}={val!r}")
    net = ScalarNet(float(target), check_positive(scale, "scale"))
    h = 1.0 / substeps
    out = np.empty((steps + 1, w.size))
    out[0] = w
    with np.errstate(over="raise", invalid="raise"):
        try:
            for k in range(steps):
                for _ in range(substeps):
                    gl = net.grad(w)
                    s, v, _ = net.top(w)
                    gs = net.grad_sharpness(w, v)
                    n2 = float(gs @ gs)
                    s2 = 0.0
                    if n2 > 0:
                        s2 = max(0.0, (s - 2 / eta_f - h * eta_f * float(gs @ gl)) / (0.5 * h * eta_f * n2))
                    w = w - h * eta_f * (gl + 0.5 * s2 * gs)
                out[k + 1] = w
        except FloatingPointError:
            start = out[0].tolist()
            raise InvalidArgument(f"the Euler central flow from w0={start} leaves the float64 range") from None
    return out

"""Reduction of data sets and input scales to the canonical form.

For a scalar network the mean squared loss over a data set is, exactly,

.. math::

    \\frac{1}{n}\\sum_j \\tfrac12 (x_j \\pi - y_j)^2
    = \\tfrac{m}{2} (\\pi - \\beta)^2 + \\text{const},
    \\qquad m = \\overline{x^2},\\quad \\beta = \\overline{xy} / m .

So a data set is a *canonical* problem with target :math:`\\beta` and input
scale :math:`m`.  Every function of the package accepts ``scale=m``: losses,
gradients, Hessians and sharpnesses are multiplied by ``m``; a GD step with
step size ``eta`` equals a canonical step with ``eta * m``; the GFS itself does
not depend on ``m``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ._exact import as_fraction
from .errors import InvalidArgument

__all__ = ["Canonical", "reduce_data", "reduce_input"]


@dataclass(frozen=True)
class Canonical:
    """A problem in canonical form ``L = scale/2 (pi - target)^2 + offset``.

    Attributes
    ----------
    target : Fraction
        The effective target :math:`\\beta` (non-zero for a meaningful GFS).
    scale : Fraction
        The input scale :math:`m = \\overline{x^2} > 0`.
    offset : Fraction
        The constant :math:`\\tfrac12(\\overline{y^2} - m\\beta^2) \\ge 0`
        (the loss no network can remove).
    """

    target: Fraction
    scale: Fraction
    offset: Fraction = Fraction(0)

    def kwargs(self) -> dict[str, Fraction]:
        """Keyword arguments ``target=..., scale=...`` for the package's functions."""
        return {"target": self.target, "scale": self.scale}


def reduce_data(xs: Sequence[Any], ys: Sequence[Any]) -> Canonical:
    """Reduce a data set ``{(x_j, y_j)}`` with mean squared loss to canonical form.

    Parameters
    ----------
    xs, ys : sequences of real numbers, same non-zero length
        Inputs and targets.  Read exactly (strings as exact decimals).

    Returns
    -------
    Canonical
        ``scale = mean(x^2)``, ``target = mean(x*y) / mean(x^2)``.

    Examples
    --------
    >>> c = reduce_data([1, 2], [1, 3])
    >>> c.scale, c.target, c.offset
    (Fraction(5, 2), Fraction(7, 5), Fraction(1, 20))
    """
    if len(xs) != len(ys):
        raise InvalidArgument(f"xs and ys must have the same length, got {len(xs)} and {len(ys)}")
    if len(xs) == 0:
        raise InvalidArgument("the data set is empty; give at least one (x, y) pair")
    fx = [as_fraction(v, f"xs[{j}]") for j, v in enumerate(xs)]
    fy = [as_fraction(v, f"ys[{j}]") for j, v in enumerate(ys)]
    n = len(fx)
    m = sum(x * x for x in fx) / n
    if m == 0:
        raise InvalidArgument("all inputs x_j are zero: the loss does not depend on the weights")
    xy = sum(x * y for x, y in zip(fx, fy, strict=True)) / n
    yy = sum(y * y for y in fy) / n
    beta = xy / m
    return Canonical(target=beta, scale=m, offset=(yy - m * beta * beta) / 2)


def reduce_input(x: Any, y: Any = 1) -> Canonical:
    """Canonical form of one example ``(x, y)``: target ``y/x``, scale ``x^2``.

    Examples
    --------
    >>> reduce_input(2, 3)
    Canonical(target=Fraction(3, 2), scale=Fraction(4, 1), offset=Fraction(0, 1))
    """
    return reduce_data([x], [y])

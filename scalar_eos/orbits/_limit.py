"""The limit of a converging GD run to any precision (see :func:`gd_limit`)."""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import mpmath
from mpmath import mp

from ..errors import ConvergenceError, PrecisionError

#: Extrapolation order: iterates are fitted by a polynomial of this degree in ``mu^t``.
ORDER = 4
#: Steps between two extrapolations.
CHECK_EVERY = 8
#: Guard digits of the iteration on top of the requested digits.
LIMIT_GUARD = 15


@dataclass
class GDLimit:
    """The minimiser a GD run converges to, and its sharpness.

    Attributes
    ----------
    weights : list of mpf
        The limit ``w_inf``.
    sharpness : mpf
        ``lambda_max(Hess L(w_inf)) = m |grad pi(w_inf)|^2`` (the Hessian is rank one at a minimiser).
    rate : mpf
        The non-unit Floquet multiplier ``mu = 1 - eta m |grad pi(w_inf)|^2``: GD approaches the
        limit like ``mu^t``.
    steps : int
        GD steps taken before the extrapolated limit was settled.
    error_estimate : float
        Relative difference of ``weights`` and ``sharpness`` between two runs whose rounding
        units differ by ``2^-80``, plus the last change of the extrapolated limit.
    dps : int
    """

    weights: list[Any]
    sharpness: Any
    rate: Any
    steps: int
    error_estimate: float
    dps: int

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: decimal strings with ``dps`` digits."""
        with mp.workdps(self.dps + 5):
            fmt = lambda x: mpmath.nstr(x, self.dps, strip_zeros=False, min_fixed=-mpmath.inf, max_fixed=mpmath.inf)  # noqa: E731
            return {
                "weights": [fmt(x) for x in self.weights],
                "sharpness": fmt(self.sharpness),
                "rate": fmt(self.rate),
                "steps": self.steps,
                "error_estimate": self.error_estimate,
                "dps": self.dps,
            }


def _to_fixed(q: Fraction, bits: int) -> int:
    return (q.numerator << bits) // q.denominator


def _others(w: list[int], bits: int) -> tuple[int, list[int]]:
    d = len(w)
    one = 1 << bits
    pre = [one]
    for x in w:
        pre.append((pre[-1] * x) >> bits)
    suf = [one] * (d + 1)
    for i in range(d - 1, -1, -1):
        suf[i] = (suf[i + 1] * w[i]) >> bits
    return pre[d], [(pre[i] * suf[i + 1]) >> bits for i in range(d)]


def _neville_at_zero(nodes: list[Any], values: list[list[Any]]) -> list[Any]:
    """Value at ``z = 0`` of the polynomial through ``(nodes[s], values[s])`` (componentwise)."""
    p = [list(v) for v in values]
    n = len(nodes)
    for level in range(1, n):
        for s in range(n - level):
            z0, z1 = nodes[s], nodes[s + level]
            p[s] = [(z1 * a - z0 * b) / (z1 - z0) for a, b in zip(p[s], p[s + 1], strict=True)]
    return p[0]


def _run(
    w0: list[Fraction], eq: Fraction, yq: Fraction, mq: Fraction, digits: int, max_steps: int
) -> tuple[list[Any], Any, int, Any]:
    """Fixed-point integer GD with extrapolation; returns ``(limit, mu, steps, last change)``."""
    d = len(w0)
    small = min((abs(x) for x in w0 if x != 0), default=Fraction(1))
    bits = int(digits * math.log2(10)) + 32 + d * max(0, -math.floor(math.log2(small)))
    one = 1 << bits
    w = [_to_fixed(x, bits) for x in w0]
    c_eta = _to_fixed(eq * mq, bits)
    c_y = _to_fixed(yq, bits)
    eta, m = mp.mpf(eq.numerator) / eq.denominator, mp.mpf(mq.numerator) / mq.denominator
    big = one << 200
    start = one // 10 ** max(6, digits // (ORDER + 1) - 2)
    hist: deque[list[int]] = deque(maxlen=ORDER + 1)
    tol = mp.mpf(10) ** (-digits + 3)
    prev = None
    settled = 0
    last_change = mp.inf
    next_check, t_first = CHECK_EVERY, 0
    for t in range(1, max_steps + 1):
        pi, oth = _others(w, bits)
        c = (c_eta * (pi - c_y)) >> bits
        w = [x - ((c * o) >> bits) for x, o in zip(w, oth, strict=True)]
        hist.append(w)
        if t < next_check:
            continue
        next_check = t + CHECK_EVERY
        if max(abs(x) for x in w) > big:
            raise ConvergenceError(f"GD diverges (|w| above 2^200 after {t} steps)")
        step = max(abs(a - b) for a, b in zip(hist[-1], hist[-2], strict=True)) if len(hist) > 1 else one
        if step > start or len(hist) <= ORDER:
            continue  # the extrapolation error is about step^(ORDER + 1): not worth computing yet
        # from here on, extrapolations at geometrically spaced steps (each a stronger test of the last)
        t_first = t_first or t
        next_check = t + max(CHECK_EVERY, (t - t_first) // 4)
        pts = [[mp.mpf(x) / one for x in h] for h in hist]
        base = prev if prev is not None else pts[-1]
        grad = [mp.fprod(base[j] for j in range(d) if j != i) for i in range(d)]
        mu = 1 - eta * m * mp.fsum(g * g for g in grad)
        if abs(mu) < mp.mpf("0.25") or abs(mu) >= 1:
            est = pts[-1]  # fast (or no) geometric tail: no extrapolation
            last_change = mp.mpf(step) / one
        else:
            est = _neville_at_zero([mu**s for s in range(len(pts))], pts)
            if prev is not None:
                last_change = max(abs(a - b) for a, b in zip(est, prev, strict=True))
        prev = est
        scale = 1 + max(abs(x) for x in est)
        if last_change <= tol * scale:
            settled += 1
            if settled >= 2:
                return est, mu, t, last_change / scale
        else:
            settled = 0
    raise ConvergenceError(
        f"GD did not settle on a minimiser within {max_steps} steps (it may end on a periodic orbit, converge "
        "too slowly near eta * sharpness = 2, or head to a saddle); raise max_steps or use scalar-eos run"
    )


def gd_limit(
    weights: Any,
    eta: Any,
    *,
    target: Any = 1,
    scale: Any = 1,
    dps: int = 30,
    max_steps: int = 2_000_000,
) -> GDLimit:
    """The minimiser GD converges to from ``weights``, to ``dps`` digits.

    GD is iterated exactly from the decimal inputs in fixed-point integer
    arithmetic (rounding unit ``2^-B`` with ``B`` about ``(dps + 15) log2 10``);
    near its limit the iterates follow ``w_t = w_inf + sum_j c_j mu^(j t)``
    with ``mu = 1 - eta m |grad pi(w_inf)|^2`` (one normal direction, the
    manifold of minimisers tangent), so the limit is extrapolated to ``t = inf``
    from the last five iterates (a polynomial in ``mu^t`` evaluated at 0).
    The whole run is repeated with 80 more bits; the two limits must agree to
    ``dps`` digits (a long transient at the edge of stability can amplify
    rounding), otherwise :class:`~scalar_eos.errors.PrecisionError`.

    Parameters
    ----------
    weights : sequence of reals (decimal strings are read exactly)
    eta : real, positive
    target, scale : real
        ``L = scale/2 (pi - target)^2``.
    dps : int
        Digits of the result.
    max_steps : int
        GD steps allowed.

    Returns
    -------
    GDLimit

    Raises
    ------
    ConvergenceError
        GD diverges or does not reach a minimiser within ``max_steps``.
    PrecisionError
        The limit is not reproducible to ``dps`` digits at a finer rounding unit.

    Examples
    --------
    >>> lim = gd_limit(["0.6", "2.0", "0.9"], "0.45", dps=25)
    >>> mpmath.nstr(lim.sharpness, 20)
    '4.3461287909612054511'
    >>> lim.rate < -0.9
    True
    """
    from .._exact import to_mpf
    from .._validate import check_dps, check_eta, check_scale, check_target, check_weights

    out = check_dps(dps) or 15
    wq = check_weights(weights)
    eq, yq, mq = check_eta(eta), check_target(target), check_scale(scale)
    if isinstance(max_steps, bool) or not isinstance(max_steps, int) or max_steps < 1:
        from ..errors import InvalidArgument

        raise InvalidArgument(f"max_steps must be a positive integer, got max_steps={max_steps!r}")
    digits = out + LIMIT_GUARD
    runs = []
    with mp.workdps(digits + 30):
        y, m = to_mpf(yq), to_mpf(mq)
        for extra in (0, 24):
            runs.append(_run(wq, eq, yq, mq, digits + extra, max_steps))
        (w1, _, _, _), (w2, mu, steps, change) = runs
        d = len(w2)
        grad = [mp.fprod(w2[j] for j in range(d) if j != i) for i in range(d)]
        sharp = m * mp.fsum(g * g for g in grad)
        grad1 = [mp.fprod(w1[j] for j in range(d) if j != i) for i in range(d)]
        sharp1 = m * mp.fsum(g * g for g in grad1)
        scale_w = 1 + max(abs(x) for x in w2)
        diff = max(max(abs(a - b) for a, b in zip(w1, w2, strict=True)) / scale_w, abs(sharp - sharp1) / sharp)
        residual = abs(mp.fprod(w2) - y) / abs(y)
        err = float(max(diff, change, residual))
        if err > 10.0 ** (-out):
            raise PrecisionError(
                f"GD's limit is not reproducible to {out} digits (runs at two rounding units differ by "
                f"{float(diff):.3g}, product residual {float(residual):.3g}); raise dps"
            )
        return GDLimit(weights=[+x for x in w2], sharpness=sharp, rate=mu, steps=steps, error_estimate=err, dps=out)

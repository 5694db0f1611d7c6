"""The Orbit result and the float64 seeds of the Newton search (see :mod:`scalar_eos.orbits`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import mpmath
import numpy as np
from mpmath import mp

from .._validate import check_dps
from ..central import ScalarNet
from ..errors import PrecisionError
from ._maps import GUARD, balanced_map

# ----------------------------------------------------------------------------- result


def _fmt(x: Any, dps: int | None) -> Any:
    if dps is None:
        if isinstance(x, mpmath.mpc):
            return complex(x)
        return float(x)
    if isinstance(x, mpmath.mpc):
        re_s, im_s = (mpmath.nstr(v, dps, strip_zeros=False) for v in (x.real, abs(x.imag)))
        return f"{re_s}{'+' if x.imag >= 0 else '-'}{im_s}j"
    return mpmath.nstr(x, dps, strip_zeros=False, min_fixed=-mpmath.inf, max_fixed=mpmath.inf)


@dataclass
class Orbit:
    """A periodic orbit of the GD map.

    Attributes
    ----------
    period : int
        Minimal period ``k``.
    points : list of lists of mpf
        ``w_0 .. w_{k-1}`` with ``w_{j+1} = G(w_j)``; ``w_0`` is the point of
        largest product ``pi`` (ties: lexicographically largest).
    multipliers : list of mpf or mpc
        Floquet multipliers, by decreasing modulus.
    stable : bool
        ``max |mu| < 1`` (for period 1 the ``D - 1`` multipliers equal to 1
        along the manifold of minimisers are left out: stable iff
        ``|1 - eta m psi| < 1``, i.e. the manifold attracts in its normal
        direction).  False when the deciding modulus equals 1 to the digits
        computed (see ``neutral``).
    residual : mpf
        ``max_i |G^k(w_0)_i - w_{0,i}|`` at the working precision.
    error_bound : mpf
        First-order bound on the error of ``w_0``: ``|(M - I)^{-1}| |F|`` (``|F|/|grad pi|`` for period 1).
    isolated : bool
        False for period 1 (a manifold of fixed points).
    eta, target, scale : mpf
    dps : int or None
    seed : str
        Which orbit this is: ``"start"`` (Newton from the given weights),
        ``"gd"`` (the cycle GD settles on; for period 1 GD's limit),
        ``"balanced"`` (the balanced orbit near ``|w_1|``).
    seed_note : str
        The same in words.
    distance_to_start : mpf
        ``min_j max_i |w_{j,i} - start_i|``.
    neutral : bool
        The deciding modulus is 1 to ``dps - 3`` digits: linear stability is
        undecided (``stable`` is then False).
    """

    period: int
    points: list[list[Any]]
    multipliers: list[Any]
    stable: bool
    residual: Any
    error_bound: Any
    isolated: bool
    eta: Any
    target: Any
    scale: Any
    dps: int | None
    seed: str = "start"
    seed_note: str = ""
    distance_to_start: Any = None
    neutral: bool = False

    @property
    def amplitude(self) -> Any:
        """Half the spread of the product ``pi`` over the orbit."""
        pis = [mp.fprod(w) for w in self.points]
        return (max(pis) - min(pis)) / 2

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: numbers as decimal strings with ``dps`` digits (floats when ``dps`` is None)."""
        d = self.dps
        with mp.workdps((d or 15) + GUARD):
            return self._as_dict(d)

    def _as_dict(self, d: int | None) -> dict[str, Any]:
        return {
            "period": self.period,
            "points": [[_fmt(x, d) for x in w] for w in self.points],
            "multipliers": [_fmt(x, d) for x in self.multipliers],
            "stable": self.stable,
            "max_abs_multiplier": _fmt(max(abs(x) for x in self.multipliers), d),
            "products": [_fmt(mp.fprod(w), d) for w in self.points],
            "amplitude": _fmt(self.amplitude, d),
            "residual": float(self.residual),
            "error_bound": float(self.error_bound),
            "isolated": self.isolated,
            "eta": _fmt(self.eta, d),
            "target": _fmt(self.target, d),
            "scale": _fmt(self.scale, d),
            "dps": d,
            "seed": self.seed,
            "seed_note": self.seed_note,
            "distance_to_start": None if self.distance_to_start is None else float(self.distance_to_start),
            "neutral": self.neutral,
        }


# ----------------------------------------------------------------------------- seeds


def detect_cycle(
    w0: Any,
    eta: float,
    *,
    target: float = 1.0,
    scale: float = 1.0,
    steps: int = 20_000,
    max_period: int = 64,
    rtol: float = 1e-9,
) -> tuple[int, np.ndarray] | None:
    """Run float64 GD and return ``(period, point on the cycle)``, or None.

    The period is the smallest ``p <= max_period`` with
    ``|w_{n+p} - w_n| <= rtol |w_n|`` on the last ``2 max_period`` iterates.

    Examples
    --------
    >>> p, w = detect_cycle([1.05, 1.05], 1.1)
    >>> p
    2
    """
    net = ScalarNet(float(target), float(scale))
    w = np.array(w0, dtype=float)
    n_tail = 2 * max_period + 1
    tail = np.empty((n_tail, w.size))
    with np.errstate(all="ignore"):
        for t in range(steps + n_tail):
            if t >= steps:
                tail[t - steps] = w
            w = w - eta * net.grad(w)
            if not np.all(np.isfinite(w)) or np.max(np.abs(w)) > 1e100:
                return None
    size = np.maximum(np.linalg.norm(tail, axis=1), 1e-300)
    for p in range(1, max_period + 1):
        dist = np.linalg.norm(tail[p:] - tail[:-p], axis=1) / size[:-p]
        if np.all(dist <= rtol):
            return p, tail[-1]
    return None


def is_balanced(w: np.ndarray, target: float) -> bool:
    a = np.abs(w)
    return bool(a.min() > 0 and a.max() - a.min() <= 1e-12 * a.max() and np.sign(np.prod(w)) == np.sign(target))


def balanced_orbit(
    a0: Any, eta: Any, depth: int, period: int, *, target: Any = 1, scale: Any = 1, dps: int = 30
) -> list[Any]:
    """A period-``period`` orbit ``a_0..a_{k-1}`` of the balanced map near ``a0`` (mpmath Newton).

    ``a0`` may be a point of the orbit (e.g. from a float64 run) or any start:
    the map is first iterated from ``a0`` and, if it settles on a cycle of the
    requested period, Newton polishes it; otherwise Newton starts at ``a0``.

    Examples
    --------
    >>> orb = balanced_orbit(1.05, 1.1, 2, 2, dps=20)
    >>> [mpmath.nstr(a, 12) for a in orb]
    ['1.11606297145', '0.814551626875']
    """
    dps = check_dps(dps) or 15
    with mp.workdps(dps + GUARD):
        e, y, m = mp.mpf(eta), mp.mpf(target), mp.mpf(scale)
        a = mp.mpf(a0)
        f = lambda x: balanced_map(x, e, depth, y, m)  # noqa: E731
        seeds = []
        # the 1-D map from a0, then from just above the minimiser |y|^(1/D): an attracting cycle of the period
        for x0 in (a, abs(y) ** (mp.mpf(1) / depth) * (1 + mp.mpf(10) ** -3)):
            seq = [x0]
            for _ in range(4000):
                seq.append(f(seq[-1]))
                if not mp.isfinite(seq[-1]) or abs(seq[-1]) > 1e100:
                    break
            else:
                seeds.extend(seq[-period:])
        seeds.append(a)

        def power(x: Any, n: int) -> Any:
            for _ in range(n):
                x = f(x)
            return x

        divisors = sorted({period // q for q in _prime_factors(period)})

        def deflated(x: Any) -> Any:
            # G^k(a) - a with the orbits of smaller period (k/q for primes q | k) divided out
            val = power(x, period) - x
            for j in divisors:
                val /= power(x, j) - x
            return val

        root = None
        tol = mp.mpf(10) ** (-2 * (dps + GUARD) + 4)
        for s0 in seeds:
            try:
                fun = deflated if divisors else (lambda x: power(x, period) - x)
                cand = mp.findroot(fun, s0, tol=tol, maxsteps=200)
            except (ValueError, ZeroDivisionError):
                continue
            if mp.isfinite(cand) and all(abs(power(cand, j) - cand) > mp.mpf(10) ** (-(dps // 2)) for j in divisors):
                root = cand
                break
        if root is None:
            raise PrecisionError(f"balanced map: no period-{period} orbit found from a0={a0}")
        orbit = [root]
        for _ in range(period - 1):
            orbit.append(f(orbit[-1]))
        top = max(range(period), key=lambda j: orbit[j])
        orbit = orbit[top:] + orbit[:top]  # start at the largest point
        res = abs(f(orbit[-1]) - orbit[0])
        if res > mp.mpf(10) ** (-dps - GUARD // 2) * (1 + abs(orbit[0])):
            raise PrecisionError(f"balanced orbit: residual {mpmath.nstr(res, 3)} too large")
        return [+x for x in orbit]


def _prime_factors(n: int) -> list[int]:
    out, q = [], 2
    while q * q <= n:
        while n % q == 0:
            out.append(q)
            n //= q
        q += 1
    if n > 1:
        out.append(n)
    return out

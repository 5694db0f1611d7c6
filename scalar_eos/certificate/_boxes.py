"""Interval re-verification of one certificate box, on two interval arithmetics (see :mod:`scalar_eos.certificate`)."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction
from typing import Any

import mpmath
from mpmath import iv

from ._format import box_from_path

# --------------------------------------------------------------------------- interval backends
#
# Two independent interval arithmetics behind one small interface: mpmath ``iv`` (default for small files and
# in the tests) and binary64 intervals rounded outward by one ulp after every operation (IEEE round-to-nearest
# is within half an ulp, so the neighbouring floats bracket the exact result); non-finite ends are refused.
# Decisive comparisons (the GFS shift brackets, outside boxes, coverage) use exact rationals.


class _MpmathIV:
    name = "mpmath-iv"

    @staticmethod
    def enc(lo: Fraction, hi: Fraction) -> Any:
        a = iv.mpf(lo.numerator) / iv.mpf(lo.denominator)
        b = a if hi == lo else iv.mpf(hi.numerator) / iv.mpf(hi.denominator)
        return iv.mpf([a.a, b.b])

    @staticmethod
    def ends(x: Any) -> tuple[Fraction, Fraction]:
        out = []
        for end in (x.a, x.b):
            m = mpmath.mpf(end)
            if not mpmath.isfinite(m):
                raise ArithmeticError("unbounded interval")
            man, exp = m.man_exp
            out.append(Fraction(man) * Fraction(2) ** exp)
        return out[0], out[1]

    @staticmethod
    def low(x: Any) -> Any:
        return iv.mpf(x.a)

    @staticmethod
    def high(x: Any) -> Any:
        return iv.mpf(x.b)

    @staticmethod
    def point(x: float) -> Any:
        return iv.mpf(x)  # exact: a binary64 number has 53 bits

    @staticmethod
    def approx(x: Any) -> float:
        return float(mpmath.mpf(x.a))

    @staticmethod
    def hull(x: Any, y: Any) -> Any:
        return iv.mpf([x.a, y.b])

    @staticmethod
    def meet(x: Any, y: Any) -> Any:
        lo, hi = max(x.a, y.a), min(x.b, y.b)
        if lo > hi:
            raise ArithmeticError("disjoint enclosures of one number")
        return iv.mpf([lo, hi])


def _dn(x: float) -> float:
    return math.nextafter(x, -math.inf)


def _upf(x: float) -> float:
    return math.nextafter(x, math.inf)


class _FI:
    """A closed interval [a, b] of binary64 numbers; every operation rounds outward by one ulp."""

    __slots__ = ("a", "b")

    def __init__(self, a: float, b: float) -> None:
        if not (math.isfinite(a) and math.isfinite(b) and a <= b):
            raise ArithmeticError("non-finite or empty float interval")
        self.a, self.b = a, b

    @staticmethod
    def _of(x: Any) -> _FI:
        if isinstance(x, _FI):
            return x
        if isinstance(x, int) and abs(x) < 2**53:
            return _FI(float(x), float(x))
        raise TypeError(f"cannot mix a float interval with {type(x).__name__}")

    def _zero(self) -> bool:
        return self.a == 0 and self.b == 0

    def __add__(self, other: Any) -> _FI:
        o = _FI._of(other)
        if o._zero() or self._zero():  # exact
            return self if o._zero() else o
        return _FI(_dn(self.a + o.a), _upf(self.b + o.b))

    __radd__ = __add__

    def __sub__(self, other: Any) -> _FI:
        o = _FI._of(other)
        return _FI(_dn(self.a - o.b), _upf(self.b - o.a))

    def __rsub__(self, other: Any) -> _FI:
        return _FI._of(other) - self

    def __mul__(self, other: Any) -> _FI:
        o = _FI._of(other)
        if o._zero() or self._zero():  # exact
            return _FI(0.0, 0.0)
        ps = (self.a * o.a, self.a * o.b, self.b * o.a, self.b * o.b)
        return _FI(_dn(min(ps)), _upf(max(ps)))

    __rmul__ = __mul__

    def __truediv__(self, other: Any) -> _FI:
        o = _FI._of(other)
        if o.a <= 0 <= o.b:
            raise ArithmeticError("division by an interval containing 0")
        qs = (self.a / o.a, self.a / o.b, self.b / o.a, self.b / o.b)
        return _FI(_dn(min(qs)), _upf(max(qs)))

    def __rtruediv__(self, other: Any) -> _FI:
        return _FI._of(other) / self

    def __pow__(self, n: int) -> _FI:
        if n != 2:
            raise ValueError("only squares")
        if self.a >= 0:
            return _FI(_dn(self.a * self.a), _upf(self.b * self.b))
        if self.b <= 0:
            return _FI(_dn(self.b * self.b), _upf(self.a * self.a))
        return _FI(0.0, _upf(max(self.a * self.a, self.b * self.b)))


class _FloatIV:
    name = "binary64-outward"

    @staticmethod
    def enc(lo: Fraction, hi: Fraction) -> _FI:
        a, b = float(lo), float(hi)  # correctly rounded
        return _FI(a if Fraction(a) <= lo else _dn(a), b if Fraction(b) >= hi else _upf(b))

    @staticmethod
    def ends(x: _FI) -> tuple[Fraction, Fraction]:
        return Fraction(x.a), Fraction(x.b)

    @staticmethod
    def low(x: _FI) -> _FI:
        return _FI(x.a, x.a)

    @staticmethod
    def high(x: _FI) -> _FI:
        return _FI(x.b, x.b)

    @staticmethod
    def point(x: float) -> _FI:
        return _FI(x, x)

    @staticmethod
    def approx(x: _FI) -> float:
        return x.a

    @staticmethod
    def hull(x: _FI, y: _FI) -> _FI:
        return _FI(x.a, y.b)

    @staticmethod
    def meet(x: _FI, y: _FI) -> _FI:
        return _FI(max(x.a, y.a), min(x.b, y.b))


BACKENDS = {"mpmath": _MpmathIV, "float": _FloatIV}


def _shift_guess(T: list[float], guess: float | None) -> float:
    """Float estimate of the root of sum log(T_i + c) = 0 (safeguarded Newton, bracket [-min T, 1 - min T])."""
    lo, hi = -min(T), 1.0 - min(T)
    c = guess if guess is not None and lo < guess < hi else (lo + hi) / 2
    for _ in range(100):
        if not lo < c < hi:
            c = (lo + hi) / 2
        h = sum(math.log(t + c) for t in T)
        if h > 0:
            hi = c
        else:
            lo = c
        dh = sum(1 / (t + c) for t in T)
        nxt = c - h / dh
        if abs(nxt - c) <= 1e-14 * (1 + abs(c)) or hi - lo <= 1e-14 * (1 + abs(c)):
            return nxt
        c = nxt
    return c


def _shift_bracket(B: Any, T: list[Any], side: str, guess: float | None) -> Any:
    """A point certified below ('lo') or above ('hi') the root c of prod(T_i + c) = 1 (T native points)."""
    c0 = _shift_guess([B.approx(t) for t in T], guess)
    delta = 2.0**-40 * (1 + abs(c0))
    for _ in range(30):
        c = B.point(c0 - delta if side == "lo" else c0 + delta)
        factors = [t + c for t in T]
        if all(f.a > 0 for f in factors):
            prod = factors[0]
            for f in factors[1:]:
                prod = prod * f
            if (side == "lo" and prod.b < 1) or (side == "hi" and prod.a > 1):
                return c
        delta *= 16
    raise ArithmeticError("could not bracket the GFS shift")


def _u_enclosures(B: Any, t: list[Any]) -> list[Any]:
    """u_k = t_k + c(t) over a box of t: increasing in t_k, decreasing in the others, so two corners per k."""
    lows, highs = [B.low(x) for x in t], [B.high(x) for x in t]
    out, guess = [], None
    for k in range(len(t)):
        low_corner = list(highs)
        low_corner[k] = lows[k]
        high_corner = list(lows)
        high_corner[k] = highs[k]
        c_lo = _shift_bracket(B, low_corner, "lo", guess)
        c_hi = _shift_bracket(B, high_corner, "hi", B.approx(c_lo))
        guess = B.approx(c_hi)
        out.append(B.hull(lows[k] + c_lo, highs[k] + c_hi))
    return out


# --------------------------------------------------------------------------- one box


def _check_outside(box: list[tuple[Fraction, Fraction]], ratio_max: Fraction) -> str | None:
    depth = len(box)
    if any(box[i][1] < box[i + 1][0] for i in range(depth - 1)):
        return None
    if math.prod(a for a, _ in box) >= ratio_max:
        return None
    return "box marked outside meets the sorted set with pi < ratio_max"


def _check_certified(
    B: Any, box: list[tuple[Fraction, Fraction]], kappa: Fraction, edges: list[Fraction]
) -> str | None:
    depth = len(box)
    pairs = [(i, j) for i in range(depth) for j in range(i + 1, depth)]
    if box[-1][0] <= 0:
        return "box reaches a non-positive weight"
    s_lo = [a * a for a, _ in box]
    s = [B.enc(a * a, b * b) for a, b in box]
    pi = B.enc(math.prod(a for a, _ in box), math.prod(b for _, b in box))
    # GFS shift of the box: decreasing in every square
    c = B.hull(
        _shift_bracket(B, [B.high(x) for x in s], "lo", None), _shift_bracket(B, [B.low(x) for x in s], "hi", None)
    )
    q = [x + c for x in s]
    if not all(x.a > 0 for x in q):
        return "GFS point of the box not enclosed away from 0"
    psi = sum(1 / x for x in q)
    bmax = B.enc(kappa, kappa) * ((pi - 1) * pi) ** 2 / psi**2
    b_top = B.ends(bmax)[1]
    p_lo = [s_lo[i] * s_lo[j] for i, j in pairs]  # exact
    if not edges:
        return None if all(p >= b_top for p in p_lo) else "no b-pieces, but some p_ij < b_max on the box"
    if edges[0] != 0 or any(b <= a for a, b in itertools.pairwise(edges)):
        return "b-piece edges must start at 0 and increase"
    if edges[-1] < b_top:
        edges = [*edges, b_top]
    zero = B.point(0.0)
    factor = [(s[i] - s[j]) ** 2 / (s[i] * s[j]) for i, j in pairs]
    f_lo = [B.low(f) if f.a >= 0 else zero for f in factor]
    f_hi = [B.high(f) for f in factor]
    p_iv = [B.enc(p, p) for p in p_lo]
    cum = [zero] * len(pairs)
    e_iv = [B.enc(e, e) for e in edges]
    for n, (e0, e1) in enumerate(itertools.pairwise(edges)):
        beta = B.hull(e_iv[n], e_iv[n + 1])
        t = [x + beta / x for x in s]
        u = _u_enclosures(B, t)
        if not all(x.a > 0 for x in u):
            return "GFS point along the step not enclosed away from 0"
        big_psi = sum(1 / x for x in u)
        total = zero
        for k, (i, j) in enumerate(pairs):
            w = 1 / (u[i] ** 2 * u[j] ** 2 * big_psi)
            rest = B.point(1.0)
            for m in range(depth):
                if m not in (i, j):
                    rest = rest * u[m] ** 2
            w = B.meet(w, rest / big_psi)
            p = p_iv[k]
            # int_a^b (1 - beta/p) dbeta is >= 0 on [a, b] below p and <= 0 above: weight by W's low / high end
            pos = neg = zero
            if e0 < p_lo[k]:
                a, b = e_iv[n], (e_iv[n + 1] if e1 <= p_lo[k] else p)
                pos = B.low(((b - a) - (b * b - a * a) / (2 * p)) * B.low(w))
            if e1 > p_lo[k]:
                a, b = (e_iv[n] if e0 >= p_lo[k] else p), e_iv[n + 1]
                neg = B.low(((b - a) - (b * b - a * a) / (2 * p)) * B.high(w))
            every = B.low(cum[k] + neg)  # neg <= 0: G(b) >= this for every b in [e0, e1]
            total = total + (f_lo[k] if every.a >= 0 else f_hi[k]) * every
            cum[k] = B.low(cum[k] + pos + neg)
        if not total.a >= 0:
            return f"factor-weighted sum of the pair bounds is not >= 0 on b in [{float(e0):.6g}, {float(e1):.6g}]"
    return None


def check_line(args: tuple) -> str | None:
    """Reason the box line fails (None when it holds)."""
    rec, regions, depth, backend = args
    B = BACKENDS[backend]
    try:
        reg = regions[rec["region"]]
        box = [(Fraction(a), Fraction(b)) for a, b in rec["box"]]
        if box_from_path(reg["root"], rec["path"], depth) != box:
            return "box differs from the geometry of its path"
        if rec["verdict"] == "outside":
            return _check_outside(box, reg["ratio_max"])
        if rec["verdict"] != "certified":
            return f"unknown verdict {rec['verdict']!r}"
        if iv.prec != 53:
            raise ArithmeticError(f"mpmath iv precision is {iv.prec}, expected 53")
        return _check_certified(B, box, reg["kappa"], [Fraction(e) for e in rec.get("edges", [])])
    except (ArithmeticError, ValueError, KeyError, TypeError, IndexError) as exc:
        return f"box could not be checked ({type(exc).__name__}: {exc})"

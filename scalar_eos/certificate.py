r"""Independent re-verification of certificate files for claim ``step-decrease-s``.

A certificate (JSON lines) is written by ``scalar-eos prove NAME --certificate FILE``: a header line stating
the claim, the depth ``D`` and the regions, then one line per box of a bisection tree.  This module re-checks it
with its own code and its own arithmetic (mpmath ``iv`` interval arithmetic and exact rationals; the certifier
uses arb balls):

* **coverage**: every box equals the geometry its bisection path implies from its region's root box (exact
  rationals); the paths of a region are prefix-free, each tree node is split in one dimension, and the Kraft sum
  :math:`\sum 2^{-|path|}` is exactly 1, so the boxes tile the root box;
* **outside** boxes: not sorted anywhere (:math:`w_i < w_{i+1}` on the whole box) or :math:`\pi \ge` the
  region's ``ratio_max`` on the whole box (exact rationals);
* **certified** boxes: with :math:`y = 1`, :math:`s = w^2`, :math:`p_{ij} = s_i s_j`,
  :math:`b = (\eta (\pi - 1) \pi)^2 \le b_{\max} = \kappa (\pi - 1)^2 \pi^2 / \psi^2` (:math:`\kappa` =
  ``eta_psi_max_sq``),

  .. math:: \psi(w) - \psi(\mathrm{GD}(w)) = \sum_{i<j} \frac{(s_i - s_j)^2}{p_{ij}} \int_0^b
            \Big(1 - \frac{\beta}{p_{ij}}\Big) \frac{d\beta}{u_i^2 u_j^2 \Psi}

  with :math:`u = s + \beta/s + c`, :math:`\prod u = 1`, :math:`\Psi = \sum 1/u`.  Either every
  :math:`p_{ij} \ge b_{\max}` on the box, or on each of the box's b-pieces the factor-weighted sum of per-pair
  lower bounds, valid for every b in the piece, is :math:`\ge 0`.

Examples
--------
>>> import json, pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "empty.jsonl"
>>> _ = path.write_text("")
>>> try:
...     verify_certificate(path)
... except InvalidArgument as exc:
...     print(exc)
certificate ...empty.jsonl: empty file
"""

from __future__ import annotations

import gzip
import itertools
import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import mpmath
from mpmath import iv

from .errors import InvalidArgument

__all__ = ["CertificateReport", "verify_certificate"]

FORMAT = "scalar-eos-certificate/1"


@dataclass(frozen=True)
class CertificateReport:
    """Outcome of :func:`verify_certificate`.

    Attributes
    ----------
    valid : bool
        Every box re-verified, the boxes tile every stated region, header and lines agree.
    boxes : int
        Box lines read.
    regions : list of dict
        The regions stated in the header.
    first_failure : dict or None
        The first failing check: line number (1 = header), region, path and reason.
    seconds : float
        Wall time of the verification.
    """

    valid: bool
    boxes: int
    regions: list[dict[str, Any]]
    first_failure: dict[str, Any] | None
    seconds: float = 0.0
    depth: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def region(self) -> list[dict[str, Any]]:
        """The regions stated in the header (alias of ``regions``)."""
        return self.regions

    def as_dict(self) -> dict[str, Any]:
        """``{"valid", "boxes", "region", "first_failure"}`` (JSON-ready)."""
        return {"valid": self.valid, "boxes": self.boxes, "region": self.regions, "first_failure": self.first_failure}

    def format_text(self) -> str:
        """A short human-readable summary (first line VALID or INVALID)."""
        rate = self.boxes / self.seconds if self.seconds > 0 else float("inf")
        lines = [
            f"{'VALID' if self.valid else 'INVALID'}: {self.boxes} boxes, depth {self.depth} "
            f"({self.counts.get('certified', 0)} certified, {self.counts.get('outside', 0)} outside checked), "
            f"{self.seconds:.1f} s ({rate:.0f} boxes/s)"
        ]
        lines += [f"  region {k}: {reg.get('set', reg)}" for k, reg in enumerate(self.regions)]
        if self.first_failure is not None:
            f = self.first_failure
            lines.append(
                f"  first failure: line {f.get('line')}, region {f.get('region')}, path {f.get('path')!r}: "
                f"{f.get('reason')}"
            )
        return "\n".join(lines)


# --------------------------------------------------------------------------- parsing


def _rational(text: Any, what: str) -> Fraction:
    if not isinstance(text, str):
        raise ValueError(f"{what} must be a decimal string, got {text!r}")
    value = Fraction(text)
    return value


def _header(line: str, source: str) -> dict[str, Any]:
    try:
        head = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InvalidArgument(f"certificate {source}: header is not JSON ({exc})") from None
    if not isinstance(head, dict) or head.get("format") != FORMAT:
        raise InvalidArgument(f"certificate {source}: not a {FORMAT} file")
    from .claims.step_decrease_s import CLAIM  # the one claim these certificates are about

    if head.get("claim") != CLAIM.id:
        raise InvalidArgument(f"certificate {source}: claim {head.get('claim')!r} is not {CLAIM.id!r}")
    depth = head.get("depth")
    if not isinstance(depth, int) or not 2 <= depth <= 5:
        raise InvalidArgument(f"certificate {source}: depth must be an integer in 2..5, got {depth!r}")
    regions = head.get("regions")
    if not isinstance(regions, list) or not regions:
        raise InvalidArgument(f"certificate {source}: header has no regions")
    parsed = []
    for k, reg in enumerate(regions):
        try:
            low, high = _rational(reg["low"], "low"), _rational(reg["high"], "high")
            ratio_max, kappa = _rational(reg["ratio_max"], "ratio_max"), _rational(reg["eta_psi_max_sq"], "kappa")
            root = [(_rational(a, "root"), _rational(b, "root")) for a, b in reg["root"]]
        except (KeyError, TypeError, ValueError, ZeroDivisionError) as exc:
            raise InvalidArgument(f"certificate {source}: region {k} is malformed ({exc})") from None
        parsed.append({"low": low, "high": high, "ratio_max": ratio_max, "kappa": kappa, "root": root})
    if not isinstance(head.get("boxes"), int):
        raise InvalidArgument(f"certificate {source}: header has no box count")
    head["_parsed"] = parsed
    return head


def _region_problem(reg: dict, depth: int) -> str | None:
    """Why a stated region is not a region of the claim (None when it is)."""
    if not 0 < reg["low"] < reg["high"]:
        return "region needs 0 < low < high"
    if reg["root"] != [(reg["low"], reg["high"])] * depth:
        return "region root box is not [low, high]^D"
    if not 0 < reg["ratio_max"] <= 2:
        return "ratio_max must lie in (0, 2] (the hypothesis is 0 < pi/y < 2)"
    if reg["kappa"] != 8:
        return "eta_psi_max_sq must be 8 (the hypothesis eta psi <= 2 sqrt 2)"
    return None


# --------------------------------------------------------------------------- geometry and coverage


def _box_from_path(root: list[tuple[Fraction, Fraction]], path: str, depth: int) -> list[tuple[Fraction, Fraction]]:
    box = list(root)
    for ch in path:
        code = int(ch)
        d, half = divmod(code, 2)
        if d >= depth:
            raise ValueError(f"path digit {ch} names dimension {d} >= depth {depth}")
        a, b = box[d]
        mid = (a + b) / 2
        box[d] = (mid, b) if half else (a, mid)
    return box


def _coverage_problem(paths: list[str]) -> str | None:
    """None when the paths are the leaves of a complete bisection tree (each node split in one dimension)."""
    if not paths:
        return "no boxes"
    ordered = sorted(paths)
    for a, b in itertools.pairwise(ordered):
        if b.startswith(a):
            return f"path {a!r} is a prefix of (or equal to) {b!r}: boxes overlap"
    split_dim: dict[str, int] = {}
    for p in paths:
        for k, ch in enumerate(p):
            d = int(ch) // 2
            if split_dim.setdefault(p[:k], d) != d:
                return f"the node {p[:k]!r} is split in two different dimensions"
    longest = max(len(p) for p in paths)
    if sum(1 << (longest - len(p)) for p in paths) != 1 << longest:
        return "Kraft sum of the paths is not 1: the boxes leave a gap"
    return None


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


def _check_line(args: tuple) -> str | None:
    """Reason the box line fails (None when it holds)."""
    rec, regions, depth, backend = args
    B = BACKENDS[backend]
    try:
        reg = regions[rec["region"]]
        box = [(Fraction(a), Fraction(b)) for a, b in rec["box"]]
        if _box_from_path(reg["root"], rec["path"], depth) != box:
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


# --------------------------------------------------------------------------- public entry


def verify_certificate(
    path: str | Path,
    *,
    arithmetic: str = "mpmath",
    processes: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> CertificateReport:
    """Re-verify a ``step-decrease-s`` certificate file independently of the code that wrote it.

    Parameters
    ----------
    path : str or Path
        The JSON-lines certificate (gzip-compressed when the name ends in ``.gz``).
    arithmetic : {"mpmath", "float"}
        Interval arithmetic for the box checks: mpmath ``iv`` (53-bit, slower) or binary64 intervals rounded
        outward by one ulp after every operation (faster).  Both differ from the certifier's arb balls.
    processes : int
        Worker processes for the box checks (1: in this process).
    progress : callable, optional
        ``progress(done, total)`` after every chunk of boxes.

    Returns
    -------
    CertificateReport
        ``valid`` is False with ``first_failure`` naming the first failing line when a box, the coverage or the
        header does not hold.

    Raises
    ------
    InvalidArgument
        The file cannot be read or is not a well-formed certificate (not JSON, wrong format, missing fields).

    Examples
    --------
    >>> verify_certificate("no-such-file.jsonl")
    Traceback (most recent call last):
    ...
    scalar_eos.errors.InvalidArgument: certificate no-such-file.jsonl: cannot read ([Errno 2] No such file or directory)
    """
    start = time.perf_counter()
    source = str(path)
    if arithmetic not in BACKENDS:
        raise InvalidArgument(f"arithmetic must be one of {sorted(BACKENDS)}, got {arithmetic!r}")
    if not isinstance(processes, int) or processes < 1:
        raise InvalidArgument(f"processes must be a positive integer, got {processes!r}")
    try:
        if str(path).endswith(".gz"):
            with gzip.open(path, "rt", encoding="utf-8") as fh:
                lines = fh.read().splitlines()
        else:
            with open(path, encoding="utf-8") as fh:
                lines = fh.read().splitlines()
    except (OSError, UnicodeDecodeError, EOFError) as exc:
        msg = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        errno = f"[Errno {exc.errno}] " if isinstance(exc, OSError) and exc.errno is not None else ""
        raise InvalidArgument(f"certificate {source}: cannot read ({errno}{msg})") from None
    if not lines:
        raise InvalidArgument(f"certificate {source}: empty file")
    head = _header(lines[0], source)
    depth, regions = head["depth"], head["_parsed"]
    records = []
    for n, line in enumerate(lines[1:], start=2):
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InvalidArgument(f"certificate {source}: line {n} is not JSON ({exc})") from None
        ok = (
            isinstance(rec, dict)
            and isinstance(rec.get("region"), int)
            and isinstance(rec.get("path"), str)
            and all(ch in "0123456789"[: 2 * depth] for ch in rec["path"])
            and isinstance(rec.get("box"), list)
            and len(rec["box"]) == depth
            and all(isinstance(x, list) and len(x) == 2 and all(isinstance(v, str) for v in x) for x in rec["box"])
            and isinstance(rec.get("edges", []), list)
        )
        if not ok:
            raise InvalidArgument(f"certificate {source}: line {n} is not a box record")
        records.append((n, rec))

    public_regions = [{k: v for k, v in r.items() if k != "_parsed"} for r in head["regions"]]
    counts = {"certified": 0, "outside": 0}

    def report(failure: dict | None) -> CertificateReport:
        return CertificateReport(
            valid=failure is None,
            boxes=len(records),
            regions=public_regions,
            first_failure=failure,
            seconds=time.perf_counter() - start,
            depth=depth,
            counts=counts,
        )

    for k, reg in enumerate(regions):
        problem = _region_problem(reg, depth)
        if problem:
            return report({"line": 1, "region": k, "path": None, "reason": problem})
    if head["boxes"] != len(records):
        return report(
            {
                "line": 1,
                "region": None,
                "path": None,
                "reason": f"header states {head['boxes']} boxes, file has {len(records)}",
            }
        )
    by_region: dict[int, list[str]] = {k: [] for k in range(len(regions))}
    for n, rec in records:
        if not 0 <= rec["region"] < len(regions):
            return report({"line": n, "region": rec["region"], "path": rec["path"], "reason": "unknown region"})
        by_region[rec["region"]].append(rec["path"])
    for k, paths in by_region.items():
        problem = _coverage_problem(paths)
        if problem:
            return report({"line": None, "region": k, "path": None, "reason": problem})

    jobs = [(rec, regions, depth, arithmetic) for _, rec in records]
    if processes > 1:
        import multiprocessing

        with multiprocessing.get_context("spawn").Pool(processes) as pool:
            results = pool.imap(_check_line, jobs, chunksize=64)
            failure = _first_failure(records, results, counts, progress)
    else:
        failure = _first_failure(records, map(_check_line, jobs), counts, progress)
    return report(failure)


def _first_failure(records: list, results: Any, counts: dict, progress: Callable | None) -> dict | None:
    for done, ((n, rec), reason) in enumerate(zip(records, results, strict=True), start=1):
        if reason is not None:
            return {"line": n, "region": rec["region"], "path": rec["path"], "box": rec["box"], "reason": reason}
        counts[rec["verdict"]] = counts.get(rec["verdict"], 0) + 1
        if progress is not None and done % 500 == 0:
            progress(done, len(records))
    return None

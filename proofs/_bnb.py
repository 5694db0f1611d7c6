"""Interval branch-and-bound for claim step-decrease-s at depth D (shared by the depth-3 and depth-4 proofs).

Not a proof itself.  Setting: y = 1, positive weights sorted w_1 >= ... >= w_D, squares s = w^2,
p_ij = s_i s_j, b = (eta r pi)^2 with r = pi - 1, t(beta) = s + beta/s, u(beta) = t(beta) + c(beta) the GFS
point of t(beta) (prod u = 1) and Psi_t = sum 1/u.  For every depth

    psi(w) - psi(GD(w)) = F(b) = sum_{i<j} (s_i - s_j)^2 / p_ij * G_ij(b),
    G_ij(b) = int_0^b (1 - beta/p_ij) W_ij(beta) dbeta,   W_ij = 1 / (u_i^2 u_j^2 Psi_t) > 0,

and the hypothesis eta psi <= 2 sqrt 2 allows every b in [0, b_max(w)], b_max = 8 (pi - 1)^2 pi^2 / psi^2.

Sound rule.  [0, b_top] (b_top >= b_max on the box) is cut into b-pieces.  For each pair and piece k the program
bounds, for every w in the box, the piece's integral from below (I_k) and the smallest partial integral from the
piece's left end (N_k <= 0); then E_k = I_0 + ... + I_{k-1} + N_k <= G_ij(b) for every b in piece k.  A box is
certified when for every piece the sum over pairs of E_k times the factor (its lower end when E_k >= 0, its upper
end otherwise) is >= 0: then F(b) >= 0 for every b in [0, b_max(w)] and every w in the box.

All arithmetic is arb ball arithmetic (python-flint); box ends and b-piece edges are binary floats (exact).
"""

from __future__ import annotations

import itertools
import math
import time
from decimal import Decimal
from fractions import Fraction

from _common import StepFailed

try:
    from flint import arb
except ImportError:  # pragma: no cover - reported by certify()
    arb = None

MAX_BOXES = 2_000_000
PIECES = 8  # initial uniform b-pieces (a power of two: edges stay exact binary fractions)
MAX_PIECES = 256


def pairs(depth: int) -> list[tuple[int, int]]:
    return [(i, j) for i in range(depth) for j in range(i + 1, depth)]


# --------------------------------------------------------------------------- the combination rule (pure)


def every_b_bounds(integrals: list, negatives: list) -> list:
    """Lower bounds of G(b) valid for every b in piece k: I_0 + ... + I_{k-1} + N_k.

    ``integrals[k]`` bounds the integral over piece k from below; ``negatives[k]`` (<= 0) bounds from below the
    integral from the piece's left end to any b inside the piece.

    >>> [float(x) for x in every_b_bounds([1.0, -0.5, -2.0], [0.0, -0.5, -2.0])]
    [0.0, 0.5, -1.5]
    """
    out, cum = [], arb(0)
    for i_k, n_k in zip(integrals, negatives, strict=True):
        out.append(cum + arb(n_k))
        cum += arb(i_k)
    return out


def piece_sums(factors: list, bounds: list) -> list:
    """For each b-piece, a lower bound of sum_q factor_q * G_q(b) valid for every b in the piece.

    ``factors[q] = (lo, hi)`` encloses pair q's factor (s_i - s_j)^2/p_ij >= 0 over the box; ``bounds[q][k]``
    is a lower bound of G_q(b) for every b in piece k (from :func:`every_b_bounds`).  A non-negative bound is
    weighted by the factor's lower end, a negative one by its upper end.  The box is certified when every
    returned value is >= 0 (as a ball: ``x >= 0``).

    >>> [x >= 0 for x in piece_sums([(1.0, 1.0), (1.0, 2.0)], [[0.0, 1.0], [0.0, -0.6]])]
    [True, False]
    """
    n = len(bounds[0]) if bounds else 0
    out = []
    for k in range(n):
        total = arb(0)
        for (f_lo, f_hi), bq in zip(factors, bounds, strict=True):
            e = arb(bq[k]).lower()
            total += (arb(f_lo) if e >= 0 else arb(f_hi)) * e
        out.append(total)
    return out


# --------------------------------------------------------------------------- interval helpers (arb balls)


def _ball(lo: float, hi: float):
    return arb(lo).union(arb(hi))


def _down(x) -> float:
    return math.nextafter(float(x.lower()), -math.inf)


def _up(x) -> float:
    return math.nextafter(float(x.upper()), math.inf)


def _dyadic_up(x: float, bits: int = 20) -> float:
    """A binary fraction with ``bits`` significant bits, >= x > 0."""
    m, e = math.frexp(x)
    return math.ldexp(math.ceil(m * 2**bits), e - bits)


def _dyadic_down(x: float, bits: int = 20) -> float:
    m, e = math.frexp(x)
    return math.ldexp(math.floor(m * 2**bits), e - bits)


def _float_root(t: list[float], guess: float | None = None) -> float:
    """Root c of prod(t_i + c) = 1 in float64 by Newton (convex and increasing on c > -min t: from a start left
    of the root the first step lands right of it, then the iterates decrease monotonically)."""
    c = 1.0 - min(t) if guess is None or not guess > -min(t) else guess
    for _ in range(200):
        prod, deriv = 1.0, 0.0
        for x in t:
            f = x + c
            deriv = deriv * f + prod
            prod *= f
        step = (prod - 1.0) / deriv
        c -= step
        if abs(step) <= 1e-10 * (1.0 + abs(c)):  # quadratic convergence: the error is now far below 2^-44
            break
    return c


def _shift_bound(t: list[float], side: str, guess: float | None = None):
    """A number certified below ('lo') or above ('hi') the root c(t) of prod(t + c) = 1 (t a point)."""
    c0 = _float_root(t, guess)
    step = 2.0**-44 * (1.0 + abs(c0))
    for _ in range(60):
        c = c0 - step if side == "lo" else c0 + step
        factors = [arb(x) + c for x in t]
        if all(f > 0 for f in factors):
            prod = arb(1)
            for f in factors:
                prod *= f
            if (side == "lo" and prod < 1) or (side == "hi" and prod > 1):
                return arb(c)
        step *= 4
    raise StepFailed(f"could not bracket the GFS shift at {t}")


def _u_ranges(t: list) -> list:
    """Enclosures of u_k = t_k + c(t) over a box of t: u_k increases in t_k and decreases in t_l, l != k
    (dc/dt_l = -(1/u_l)/sum(1/u) lies in (-1, 0)), so two corners per k suffice."""
    lows, highs = [_down(x) for x in t], [_up(x) for x in t]
    out = []
    guess = None
    for k in range(len(t)):
        low_corner = list(highs)
        low_corner[k] = lows[k]
        high_corner = list(lows)
        high_corner[k] = highs[k]
        c_lo = _shift_bound(low_corner, "lo", guess)
        c_hi = _shift_bound(high_corner, "hi", float(c_lo.mid()))
        guess = float(c_hi.mid())
        lo = arb(lows[k]) + c_lo
        hi = arb(highs[k]) + c_hi
        out.append(lo.union(hi))
    return out


def _weights(s: list, b0: float, b1: float, prs: list) -> list | None:
    """Per pair (i, j), an enclosure of W_ij = 1/(u_i^2 u_j^2 Psi_t) for beta in [b0, b1] (None: not enclosed).

    All u are positive, so W is monotone in each u and in Psi_t = sum 1/u; the ends are computed from the ends
    of the u enclosures (exact points), not by ball products of wide balls, which would lose the sign.
    """
    beta = _ball(b0, b1)
    t = [x + beta / x for x in s]
    if not all(x.is_finite() for x in t):
        return None
    u = _u_ranges(t)
    if not all(x > 0 for x in u):
        return None
    lo = [x.lower() for x in u]
    hi = [x.upper() for x in u]
    psi_lo = sum(1 / x for x in hi)  # Psi_t decreases in every u
    psi_hi = sum(1 / x for x in lo)
    depth = len(u)
    out = []
    for i, j in prs:
        w_lo = 1 / (hi[i] ** 2 * hi[j] ** 2 * psi_hi)
        w_hi = 1 / (lo[i] ** 2 * lo[j] ** 2 * psi_lo)
        rest_lo, rest_hi = arb(1), arb(1)
        for m in range(depth):
            if m != i and m != j:
                rest_lo, rest_hi = rest_lo * lo[m] ** 2, rest_hi * hi[m] ** 2
        # the same number, since prod u = 1: intersecting the two enclosures tightens it
        low = max(_down(w_lo), _down(rest_lo / psi_hi))
        high = min(_up(w_hi), _up(rest_hi / psi_lo))
        if not low <= high:
            raise StepFailed(f"inconsistent weight enclosures at s = {s}")
        out.append(_ball(low, high))
    return out


def _piece_integral(b0: float, b1: float, p_lo: float, w) -> tuple:
    """(I, N): lower bounds of int_{b0}^{b1} (1 - beta/p) W and of min_b int_{b0}^{b} (...) for p >= p_lo."""
    P = arb(p_lo)

    def lin(a: float, b: float):  # int_a^b (1 - beta/p_lo) dbeta
        A, B = arb(a), arb(b)
        return (B - A) - (B * B - A * A) / (2 * P)

    w_lo, w_hi = w.lower(), w.upper()
    if b1 <= p_lo:
        return lin(b0, b1) * w_lo, arb(0)
    if b0 >= p_lo:
        neg = lin(b0, b1) * w_hi
        return neg, neg
    neg = lin(p_lo, b1) * w_hi
    return lin(b0, p_lo) * w_lo + neg, neg


# --------------------------------------------------------------------------- one box


def box_verdict(box: list, pi_max: float, c2: float) -> tuple[str, dict]:
    """'outside', 'certified' (with the b-piece edges used, the margin) or 'split' for a box of weights."""
    depth = len(box)
    if any(box[i][1] < box[i + 1][0] for i in range(depth - 1)):
        return "outside", {}
    lo = [arb(a) for a, _ in box]
    hi = [arb(b) for _, b in box]
    pi_lo, pi_hi = arb(1), arb(1)
    for a, b in zip(lo, hi, strict=True):
        pi_lo, pi_hi = pi_lo * a, pi_hi * b
    if pi_lo >= pi_max:
        return "outside", {}
    pi = _ball(_down(pi_lo), _up(pi_hi))
    s = [_ball(_down(a * a), _up(b * b)) for a, b in zip(lo, hi, strict=True)]
    c = _shift_bound([_up(x) for x in s], "lo").union(_shift_bound([_down(x) for x in s], "hi"))
    q = [x + c for x in s]
    if not all(x > 0 for x in q):
        return "split", {}
    psi = sum(1 / x for x in q)
    bmax = arb(c2) * (pi - 1) ** 2 * pi**2 / psi**2
    prs = pairs(depth)
    p_lows = [_down(s[i] * s[j]) for i, j in prs]
    b_hi = _up(bmax)
    if not (math.isfinite(b_hi) and all(math.isfinite(p) and p > 0 for p in p_lows)):
        return "split", {}
    if all(p >= b_hi for p in p_lows):
        return "certified", {"edges": [], "margin": None}
    factors = []
    for i, j in prs:
        f = (s[i] - s[j]) ** 2 / (s[i] * s[j])
        factors.append((max(0.0, _down(f)), _up(f)))
    top = _dyadic_up(b_hi * (1 + 2.0**-30))
    edges = sorted({top * k / PIECES for k in range(PIECES + 1)} | {_dyadic_down(p) for p in p_lows if p < top})
    cache: dict = {}
    width = max((b - a) / (b + a) for a, b in box)
    rounds = 2 if width > 1e-3 else 4
    for _ in range(rounds):
        per_piece = []
        for b0, b1 in itertools.pairwise(edges):
            if (b0, b1) not in cache:
                cache[(b0, b1)] = _weights(s, b0, b1, prs)
            if cache[(b0, b1)] is None:
                return "split", {}
            per_piece.append(cache[(b0, b1)])
        bounds = []
        for q, p_lo in enumerate(p_lows):
            ints, negs = [], []
            for (b0, b1), ws in zip(itertools.pairwise(edges), per_piece, strict=True):
                i_k, n_k = _piece_integral(b0, b1, p_lo, ws[q])
                ints.append(i_k)
                negs.append(n_k)
            bounds.append(every_b_bounds(ints, negs))
        sums = piece_sums(factors, bounds)
        failing = [k for k, x in enumerate(sums) if not x >= 0]
        if not failing:
            # margin: the smallest certified lower bound of G_ij(b) / b over pairs and pieces after the first
            # (negative where another pair's term compensates)
            margin = min((_down(bq[k]) / edges[k + 1] for bq in bounds for k in range(1, len(sums))), default=None)
            compensated = any(not arb(bq[k]).lower() >= 0 for bq in bounds for k in range(len(sums)))
            return "certified", {"edges": edges, "margin": margin, "compensated": compensated}
        if len(edges) > MAX_PIECES:
            break
        # the bound on a failing piece carries the error of every piece before it: bisect all of them
        last = max(failing)
        edges = sorted(set(edges) | {(edges[m] + edges[m + 1]) / 2 for m in range(last + 1)})
    return "split", {}


# --------------------------------------------------------------------------- branch-and-bound


def exact_decimal(x: float) -> str:
    """The exact decimal expansion of a binary float (no exponent)."""
    return format(Decimal(x), "f")


def certify(
    depth: int,
    low: Fraction,
    high: Fraction,
    *,
    pi_max: Fraction = Fraction(2),
    c2: int = 8,
    max_boxes: int = MAX_BOXES,
    region_index: int = 0,
    sink=None,
    progress=None,
) -> dict:
    """Branch-and-bound over the sorted cube [low, high]^depth (weights), y = 1, 0 < pi < pi_max <= 2.

    ``c2`` is the square of the bound on eta psi (8 for the claim).  ``sink(dict)`` receives one record per leaf
    box (for a certificate).  A box that cannot be certified down to relative width 1e-9 raises StepFailed.
    """
    if arb is None:
        raise StepFailed("the interval certification needs python-flint: pip install 'scalar-eos[proofs]'")
    start = time.perf_counter()
    lo_f, hi_f = float(low), float(high)
    if Fraction(lo_f) != low or Fraction(hi_f) != high or Fraction(float(pi_max)) != pi_max or not pi_max <= 2:
        raise StepFailed("the region's ends and pi_max <= 2 must be exact binary fractions")
    todo = [("", [(lo_f, hi_f)] * depth)]
    certified = outside = processed = compensated = 0
    smallest = None
    while todo:
        path, box = todo.pop()
        processed += 1
        if processed > max_boxes:
            raise StepFailed(f"branch-and-bound did not finish within {max_boxes} boxes ({len(todo)} left)")
        status, info = box_verdict(box, float(pi_max), float(c2))
        if status == "split":
            d = max(range(depth), key=lambda i: (box[i][1] - box[i][0]) / (box[i][0] + box[i][1]))
            a, b = box[d]
            if (b - a) / (b + a) < 1e-9:
                center = [(x + y) / 2 for x, y in box]
                raise StepFailed(f"a box of width < 1e-9 could not be certified near w = {center}")
            mid = (a + b) / 2  # exact in binary
            for h, half in ((1, (mid, b)), (0, (a, mid))):
                nb = list(box)
                nb[d] = half
                todo.append((path + str(2 * d + h), nb))
            continue
        if status == "outside":
            outside += 1
        else:
            certified += 1
            compensated += bool(info.get("compensated"))
            if info.get("margin") is not None:
                smallest = info["margin"] if smallest is None else min(smallest, info["margin"])
        if sink is not None:
            rec = {
                "region": region_index,
                "path": path,
                "box": [[exact_decimal(a), exact_decimal(b)] for a, b in box],
                "verdict": status,
            }
            if status == "certified":
                rec["edges"] = [exact_decimal(e) for e in info["edges"]]
            sink(rec)
        if progress is not None and processed % 2000 == 0:
            progress(processed, len(todo))
    return {
        "boxes": certified + outside,
        "processed": processed,
        "certified": certified,
        "outside": outside,
        "compensated": compensated,
        "smallest_margin": smallest,
        "seconds": time.perf_counter() - start,
    }

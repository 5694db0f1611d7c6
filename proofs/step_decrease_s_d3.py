"""Depth 3: claim step-decrease-s, certified on a compact region by interval branch-and-bound.

Setting (no loss of generality): y = 1 (rescale w by |y|^(1/3)), all weights
positive (0 < pi/y needs an even number of negative weights, and flipping two
signs changes nothing), sorted w1 >= w2 >= w3.  Write s = w^2,
b = (eta r pi)^2 with r = pi - 1, and t(beta) = s + beta/s.  A GD step maps
the squares to s - 2 eta r pi + b/s, and the common shift is invisible to the
GFS, so psi(GD(w)) = Psi(t(b)), psi(w) = Psi(t(0)).

Factoring out the zero sets.  Along beta -> t(beta), with u = GFS point of
t(beta) (u = t + c(beta), u1 u2 u3 = 1) and Psi_t = sum 1/u,

    -dPsi/dbeta = (1/Psi_t) sum_{i<j} (s_i - s_j)^2 (1 - beta/p_ij) u_k^2 / p_ij,   p_ij = s_i s_j

(k the third index; SymPy checks the identity), so

    psi(w) - psi(GD(w)) = sum_{i<j} (s_i - s_j)^2 / p_ij * G_ij(b),
    G_ij(b) = int_0^b (1 - beta/p_ij) u_k(beta)^2 / Psi_t(beta) dbeta.

Both tight sets are now explicit factors: (s_i - s_j)^2 (balanced weights) and
the integration length b (no step: pi = y or eta = 0).  G_ij >= 0 when
b <= p_ij (the integrand is >= 0); beyond p_ij, G_ij decreases in b, so it
suffices to show G_ij(b_max) >= 0 at the largest b the hypothesis allows,
b_max = 8 (pi - 1)^2 pi^2 / psi(w)^2 (from eta psi <= 2 sqrt 2).

Certification: branch-and-bound over boxes of (w1, w2, w3) in the region,
with arb ball arithmetic (python-flint, rigorous error bounds): c is decreasing in every
square, so its range over a box is bracketed by the roots at the box's corner
points, each root enclosed and verified by interval evaluation; beta is
split into pieces, and on each piece the integrand's weight u_k^2/Psi_t is
enclosed; G_ij gets a rigorous lower bound.  A box is certified when every
pair's lower bound is > 0 or b_max <= p_ij holds on the whole box.
"""

from __future__ import annotations

import itertools
import math
import time
from fractions import Fraction

import sympy as sp
from _common import StepFailed, check_true, check_zero

try:
    from flint import arb
except ImportError:  # pragma: no cover - reported by run()
    arb = None

NAME = "step-decrease-s-d3"
#: Certified regions: (low, high, pi_max) - |w_i| / |y|^(1/3) in [low, high] and 0 < pi/y < pi_max.
REGIONS = (
    (Fraction(1, 2), Fraction(2), Fraction(2)),
    (Fraction(1, 4), Fraction(4), Fraction(31, 16)),
    (Fraction(1, 8), Fraction(8), Fraction(15, 8)),
)
STATEMENT = (
    "For D = 3: if 0 < pi(w)/y < 2 and eta psi(w) <= 2 sqrt 2, then psi(GD(w)) <= psi(w) - certified for "
    "|w_i|/|y|^(1/3) in [1/2, 2] (the whole hypothesis there), in [1/4, 4] with pi/y < 31/16 and in [1/8, 8] with "
    "pi/y < 15/8."
)
PIECES = 12  # beta pieces per sign region
MAX_BOXES = 400_000


def _derivative_identity(log: list[str]) -> None:
    """-dPsi/dbeta as a sum of squares of differences times explicit factors (exact rational identity)."""
    s = sp.symbols("s1:4", positive=True)
    beta, c = sp.symbols("beta c", real=True)
    u = [s[i] + beta / s[i] + c for i in range(3)]
    alpha = [1 / ui for ui in u]
    dt = [1 / si for si in s]
    dc = -sum(d * a for d, a in zip(dt, alpha, strict=True)) / sum(alpha)  # from d/dbeta log(u1 u2 u3) = 0
    dpsi = -sum((d + dc) * a**2 for d, a in zip(dt, alpha, strict=True))
    pairs = [(i, j) for i in range(3) for j in range(3) if i < j]
    claimed = -sum(
        (s[i] - s[j]) ** 2 * (1 - beta / (s[i] * s[j])) / (u[i] ** 2 * u[j] ** 2 * s[i] * s[j]) for i, j in pairs
    ) / sum(alpha)
    check_zero(
        sp.together(dpsi - claimed),
        "dPsi/dbeta = -(1/sum 1/u) sum_{i<j} (s_i-s_j)^2 (1-beta/p_ij)/(u_i^2 u_j^2 p_ij)",
        log,
    )
    check_zero(
        sp.together((u[0] * u[1] * u[2]) * 1 / (u[0] ** 2 * u[1] ** 2) - u[2] / (u[0] * u[1])),
        "with u1 u2 u3 = 1: 1/(u_i^2 u_j^2) = u_k^2",
        log,
    )
    # G_ij decreases in b beyond p_ij: d/db G_ij(b) = (1 - b/p) (weight) with weight > 0.
    b, p = sp.symbols("b p", positive=True)
    check_true(bool(sp.simplify((1 - b / p).subs(b, 2 * p)) < 0), "1 - b/p < 0 for b > p (at b = 2p)", log)


# --------------------------------------------------------------------------- interval helpers (arb balls)
#
# Every quantity is an arb ball (python-flint, rigorous error bounds); a comparison such as ``x > 0`` is True only
# when it holds for every point of the ball.  Box endpoints and beta-pieces are exact binary floats.


def _ball(lo: float, hi: float) -> arb:
    """A ball containing [lo, hi]."""
    return arb(lo).union(arb(hi))


def _down(x: arb) -> float:
    """A float <= every point of x."""
    return math.nextafter(float(x.lower()), -math.inf)


def _up(x: arb) -> float:
    """A float >= every point of x."""
    return math.nextafter(float(x.upper()), math.inf)


def _float_root(T: list) -> float:
    """The root c of prod(T_i + c) = 1 in float64: Newton from the right (the function is convex and increasing)."""
    t = [float(x) for x in T]
    c = 1.0 - min(t)  # every factor >= 1 here, so the product is >= 1
    for _ in range(200):
        f0, f1, f2 = t[0] + c, t[1] + c, t[2] + c
        g = f0 * f1 * f2 - 1.0
        step = g / (f1 * f2 + f0 * f2 + f0 * f1)
        c -= step
        if abs(step) <= 1e-16 * (1.0 + abs(c)):
            break
    return c


def _shift_bound(T: list, side: str) -> arb:
    """For a point T (floats), a number certified below ('lo') or above ('hi') the root c(T)."""
    c0 = _float_root(T)
    step = 2.0**-44 * (1.0 + abs(c0))
    for _ in range(60):
        c = c0 - step if side == "lo" else c0 + step
        factors = [arb(x) + c for x in T]
        if all(f > 0 for f in factors):
            prod = factors[0] * factors[1] * factors[2]
            if (side == "lo" and prod < 1) or (side == "hi" and prod > 1):
                return arb(c)
        step *= 4
    raise StepFailed(f"could not bracket the GFS shift at {T}")


def _u_range(t: list, k: int) -> arb:
    """Enclosure of u_k = t_k + c(t) over a box of t: u_k increases in t_k and decreases in the other t_l
    (du_k/dt_l = delta_kl - alpha_l / sum(alpha), 0 < alpha_l / sum(alpha) < 1), so two corners suffice."""
    low_corner = [_up(x) for x in t]
    low_corner[k] = _down(t[k])
    high_corner = [_down(x) for x in t]
    high_corner[k] = _up(t[k])
    lo = arb(low_corner[k]) + _shift_bound(low_corner, "lo")
    hi = arb(high_corner[k]) + _shift_bound(high_corner, "hi")
    return lo.union(hi)


def _psi(q: list) -> arb:
    return 1 / q[0] + 1 / q[1] + 1 / q[2]


def _weight(s: list, b0: float, b1: float, k: int) -> arb | None:
    """Enclosure of u_k^2 / Psi_t over the box of squares s and beta in [b0, b1] (None: not positive)."""
    beta = _ball(b0, b1)
    t = [si + beta / si for si in s]
    if not all(math.isfinite(_up(x)) and math.isfinite(_down(x)) for x in t):
        return None
    u = [_u_range(t, m) for m in range(3)]
    if not all(x > 0 for x in u):
        return None
    return u[k] ** 2 / _psi(u)


def _pair_lower_bound(s: list, p: arb, bmax: arb, k: int, pieces: int) -> arb | None:
    """Rigorous lower bound of G(b) = int_0^b (1 - beta/p) weight(beta) dbeta for every b in bmax and p in p.

    With p_lo <= p: on [0, min(b_lo, p_lo)] the integrand is >= (1 - beta/p_lo) w_min >= 0 (dropping the rest
    of the positive part is conservative); on [p_lo, b_hi], which contains [p, b], it is
    >= (1 - beta/p_lo) w_max (a non-positive factor).
    """
    p_lo, b_lo, b_hi = _down(p), _down(bmax), _up(bmax)
    if not all(math.isfinite(x) for x in (p_lo, b_lo, b_hi)) or p_lo <= 0:
        return None
    total = arb(0)
    for start, end, positive in ((0.0, min(b_lo, p_lo), True), (p_lo, b_hi, False)):
        if end <= start:
            continue
        edges = [start + (end - start) * m / pieces for m in range(pieces)] + [end]
        for b0, b1 in itertools.pairwise(edges):
            B0, B1 = arb(b0), arb(b1)
            integral = (B1 - B0) - (B1 * B1 - B0 * B0) / (2 * arb(p_lo))
            wgt = _weight(s, b0, b1, k)
            if wgt is None:
                return None
            total += integral * (arb(_down(wgt)) if positive else arb(_up(wgt)))
    return total


def _check_box(box: list, pieces: int, pi_max: float = 2.0, c2: float = 8.0) -> tuple[str, float | None]:
    """'outside', 'certified' (with the smallest pair margin) or 'split'.

    psi(w) - psi(GD(w)) = sum_{i<j} (s_i - s_j)^2 / p_ij * G_ij; a box is certified when the sum of the
    lower bounds of G_ij, each weighted by the least favourable value of its factor, is >= 0.
    """
    if box[0][1] < box[1][0] or box[1][1] < box[2][0]:  # not sorted anywhere in the box: covered by symmetry
        return "outside", None
    # monotone in the (positive) weights: computed from the box's ends, not by ball arithmetic
    lo = [arb(a) for a, _ in box]
    hi = [arb(b) for _, b in box]
    pi = _ball(_down(lo[0] * lo[1] * lo[2]), _up(hi[0] * hi[1] * hi[2]))
    if pi >= pi_max:
        return "outside", None
    s = [_ball(_down(a * a), _up(b * b)) for a, b in zip(lo, hi, strict=True)]
    c = _shift_bound([_up(x) for x in s], "lo").union(_shift_bound([_down(x) for x in s], "hi"))
    q = [si + c for si in s]
    if not all(x > 0 for x in q):
        return "split", None
    psi = _psi(q)
    bmax = arb(c2) * (pi - 1) ** 2 * pi**2 / psi**2  # c2 = (max eta psi)^2 = 8
    pairs = [(i, j, k, s[i] * s[j]) for i, j, k in ((0, 1, 2), (0, 2, 1), (1, 2, 0))]
    if all(p >= bmax for *_, p in pairs):  # beta <= b <= p for every pair: every G_ij >= 0
        return "certified", None
    width = max((hi_ - lo_) / (hi_ + lo_) for lo_, hi_ in box)
    ladder = [pieces] if width > 1e-3 else [pieces, 4 * pieces, 16 * pieces, 64 * pieces]
    for n in ladder:
        total = arb(0)
        margin = None
        for i, j, k, p in pairs:
            if n == pieces and p >= bmax:  # G_ij >= 0: counted as 0 on the first pass
                continue
            lb = _pair_lower_bound(s, p, bmax, k, n)
            if lb is None:
                return "split", None
            factor = (s[i] - s[j]) ** 2 / p
            if lb >= 0:
                total += arb(max(0.0, _down(factor))) * lb
                if not p >= bmax:  # the margin after factoring out b: G_ij / b >= lb / b_max
                    rel = _down(lb / arb(_up(bmax)))
                    margin = rel if margin is None else min(margin, rel)
            else:
                total += arb(_up(factor)) * lb
        if total >= 0:
            return "certified", margin
    return "split", None


def certify(
    low: Fraction, high: Fraction, *, pi_max: Fraction = Fraction(2), c2: int = 8, max_boxes: int = MAX_BOXES
) -> dict:
    """Branch-and-bound over the sorted cube [low, high]^3 (weights), y = 1, 0 < pi < pi_max (pi_max <= 2).

    ``c2`` is the square of the bound on eta psi (8 for the claim; larger values test claims that are false).
    A box that cannot be certified down to width 1e-9 raises StepFailed naming its centre.
    """
    if arb is None:
        raise StepFailed("the interval certification needs python-flint: pip install 'scalar-eos[proofs]'")
    start = time.perf_counter()
    lo_f, hi_f = float(low), float(high)
    if Fraction(lo_f) != low or Fraction(hi_f) != high or Fraction(float(pi_max)) != pi_max or not pi_max <= 2:
        raise StepFailed("the region's ends and pi_max <= 2 must be exact binary fractions")
    todo = [[(lo_f, hi_f)] * 3]
    certified = outside = processed = splits = 0
    smallest = None
    while todo:
        box = todo.pop()
        processed += 1
        if processed > max_boxes:
            raise StepFailed(f"branch-and-bound did not finish within {max_boxes} boxes ({len(todo)} left)")
        status, margin = _check_box(box, PIECES, float(pi_max), float(c2))
        if status == "outside":
            outside += 1
        elif status == "certified":
            certified += 1
            if margin is not None:
                smallest = margin if smallest is None else min(smallest, margin)
        else:
            d = max(range(3), key=lambda i: (box[i][1] - box[i][0]) / (box[i][0] + box[i][1]))
            a, b = box[d]
            if b - a < 1e-9:
                center = [(x + y) / 2 for x, y in box]
                raise StepFailed(f"a box of width < 1e-9 could not be certified near w = {center}")
            mid = (a + b) / 2  # exact in binary
            for half in ((a, mid), (mid, b)):
                nb = list(box)
                nb[d] = half
                todo.append(nb)
            splits += 1
    return {
        "boxes": processed,
        "certified": certified,
        "outside": outside,
        "splits": splits,
        "smallest_margin": smallest,
        "seconds": time.perf_counter() - start,
    }


def run(regions: tuple = REGIONS) -> dict:
    log: list[str] = []
    _derivative_identity(log)
    log.append(
        "reductions: y = 1 by scaling w -> w |y|^(-1/3) (pi/y and eta psi are invariant); pi > 0 means all weights "
        "positive after flipping two signs (GD and psi are invariant); permutations give w1 >= w2 >= w3"
    )
    log.append(
        "GD step on squares: (w_i^+)^2 = w_i^2 - 2 eta r pi + (eta r pi)^2 / w_i^2; the common shift is invisible "
        "(proof gd-step-squares), so psi(GD(w)) = Psi(s + b/s) with b = (eta r pi)^2 <= b_max"
    )
    log.append(
        "integrating the identity from beta = 0 to b: psi(w) - psi(GD(w)) = sum_{i<j} (s_i - s_j)^2 / p_ij G_ij(b), "
        "G_ij(b) = int_0^b (1 - beta/p_ij) u_k^2 / Psi_t dbeta; the zero sets (balanced weights, b = 0) are now "
        "explicit factors"
    )
    log.append(
        "G_ij(b) >= 0 when b <= p_ij (non-negative integrand); for b > p_ij, dG_ij/db = (1 - b/p_ij) u_k^2/Psi_t < 0, "
        "so over 0 <= b <= b_max = 8 (pi - 1)^2 pi^2 / psi^2 (eta psi <= 2 sqrt 2) G_ij is smallest at 0 or b_max: "
        "it suffices that sum_{i<j} (s_i - s_j)^2/p_ij G_ij(b_max) >= 0 with G_ij(b) >= min(0, G_ij(b_max))"
    )
    log.append(
        "enclosures on a box of weights: the GFS shift c(t) decreases in every t_l, and u_k = t_k + c(t) increases in "
        "t_k and decreases in t_l (l != k) because dc/dt_l = -(1/u_l)/sum(1/u) is in (-1, 0); so their ranges are "
        "attained at box corners, where the root is bracketed by evaluating prod(t + c) - 1 in ball arithmetic; "
        "beta is cut into pieces, on [0, min(b, p)] the integrand is bounded below by (1 - beta/p_lo) w_min and on "
        "[p, b] by (1 - beta/p_lo) w_max; a box is certified when the weighted sum of the pair bounds is >= 0, "
        "otherwise it is bisected"
    )
    parts = []
    for low, high, pi_max in regions:
        res = certify(low, high, pi_max=pi_max)
        margin = "none needed" if res["smallest_margin"] is None else f"{res['smallest_margin']:.3g}"
        log.append(
            f"interval branch-and-bound over w in [{low}, {high}]^3 (sorted), 0 < pi < {pi_max}, b = b_max: "
            f"{res['boxes']} boxes processed, {res['certified']} certified, {res['outside']} outside the hypothesis "
            f"or the sorted order; smallest certified margin min G_ij / b_max = {margin}; {res['seconds']:.1f} s"
        )
        parts.append(f"[{low}, {high}]^3 with pi/y < {pi_max}: {res['certified']} boxes, margin {margin}")
    return {
        "verdict": "CERTIFIED",
        "details": "on |w_i|/|y|^(1/3) in " + "; ".join(parts) + " (arb ball arithmetic, python-flint)",
        "steps": log,
    }

"""Measured (not proved): the margin of step-decrease-s at depth 3 in the unbounded corner.

The hypothesis 0 < pi/y < 2, eta psi <= 2 sqrt 2 allows unbounded weights.  In the corner w = (L, a e^tau,
a e^-tau) with a^2 = rho / L (so pi = rho), L -> infinity, the two small weights form a depth-2 network and the
margin psi(w) - psi(GD(w)) tends to the depth-2 value, which is 0 on the boundary eta |pi - 1| = sqrt 2.  This
script tabulates, at 50 digits, the decrease F = psi(w) - psi(GD(w)) divided by b * sum_{i<j} (s_i - s_j)^2/p_ij
(the factored-out zero sets) for growing L, with b = (eta r pi)^2 at eta psi = 2 sqrt 2 (b = b_max) and below.

Run: python proofs/_corner_d3.py
"""

from __future__ import annotations

import itertools

from mpmath import mp


def psi(v, dps: int = 50):
    """y = 1: psi = sum 1/(v_i^2 + c), prod(v_i^2 + c) = 1 (bisection on c > -min v_i^2)."""
    with mp.workdps(dps + 10):
        q = [mp.mpf(x) ** 2 for x in v]
        lo, hi = -min(q), 1 + max(q)
        for _ in range(4 * (dps + 10)):
            mid = (lo + hi) / 2
            lo, hi = (lo, mid) if mp.fprod([x + mid for x in q]) > 1 else (mid, hi)
        return +mp.fsum(1 / (x + lo) for x in q)


def decrease(w, frac):
    """(F / (b * sum factors), F / psi(w)) at b = frac * b_max, F = psi(w) - psi(GD(w))."""
    w = [mp.mpf(x) for x in w]
    pi = mp.fprod(w)
    r = pi - 1
    p0 = psi(w)
    b = frac * 8 * r**2 * pi**2 / p0**2
    eta = mp.sqrt(b) / abs(r * pi)
    gap = p0 - psi([x - eta * r * pi / x for x in w])
    s = [x * x for x in w]
    factors = mp.fsum((s[i] - s[j]) ** 2 / (s[i] * s[j]) for i, j in itertools.combinations(range(3), 2))
    return gap / (b * factors), gap / p0


def corner(kind: str, L, rho, tau):
    """'small-pair': (L, a e^tau, a e^-tau), a^2 = rho/L; 'large-pair': (A e^tau, A e^-tau, rho/A^2 ... ) with
    A = L (one small weight rho / L^2)."""
    if kind == "small-pair":
        a = mp.sqrt(mp.mpf(rho) / L)
        return [mp.mpf(L), a * mp.e**tau, a * mp.e ** (-tau)]
    return [mp.mpf(L) * mp.e**tau, mp.mpf(L) * mp.e ** (-tau), mp.mpf(rho) / mp.mpf(L) ** 2]


def table(
    kind="small-pair",
    scales=(2, 8, 32, 128, 1024, 32768),
    rhos=("1.5", "1.99", "1.9999"),
    taus=(0.01, 0.3, 1.0),
    fracs=(0.25, 1.0),
):
    """Rows (L, pi/y, min over tau and b/b_max of F/(b sum factors), min of F/psi)."""
    rows = []
    with mp.workdps(50):
        for L, rho in itertools.product(scales, rhos):
            vals = [decrease(corner(kind, L, rho, tau), mp.mpf(f)) for tau in taus for f in fracs]
            rows.append((L, rho, min(v[0] for v in vals), min(v[1] for v in vals)))
    return rows


if __name__ == "__main__":
    for kind in ("small-pair", "large-pair"):
        print(f"corner {kind}:  {'L':>6} {'pi/y':>7} {'min F/(b sum f)':>16} {'min F/psi':>12}")
        for L, rho, m1, m2 in table(kind):
            print(f"{'':>20}{L:>6} {rho:>7} {mp.nstr(m1, 5):>16} {mp.nstr(m2, 5):>12}")

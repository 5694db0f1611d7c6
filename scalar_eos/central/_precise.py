"""The end point of the central flow of a scalar network to any precision (see :mod:`scalar_eos.central`).

The end point does not depend on how the path is timed.  Along the flow the
product :math:`\\pi = \\prod_i w_i` moves monotonically to ``y``: below the edge
:math:`\\dot\\pi = -\\eta m r |\\nabla\\pi|^2`, on it
:math:`\\dot\\pi = -\\eta m r |p|^2` with
:math:`p = \\nabla\\pi - \\frac{\\nabla\\pi\\cdot\\nabla S}{|\\nabla S|^2}\\nabla S`
(``r = pi - y``).  So the path is the solution of

.. math::

    \\frac{dw}{d\\pi} = \\frac{\\nabla\\pi}{|\\nabla\\pi|^2}\\ \\text{(below the edge)},\\qquad
    \\frac{dw}{d\\pi} = \\frac{p}{|p|^2}\\ \\text{(on it)},

a smooth ODE on the finite interval from :math:`\\pi(w_0)` to ``y`` (no
infinite-time tail), integrated here by Gragg-Bulirsch-Stoer extrapolation in
mpmath with events (entering the edge: ``eta S = 2``; leaving it:
``sigma^2 = 0``) located by the Illinois method, and a Newton projection back
onto ``eta S = 2`` after each step on the edge.  ``S`` and its top eigenvector
come from float64 ``eigh`` refined by Rayleigh-quotient iteration at the
working precision; ``grad S`` from the exact formula of the float path.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from mpmath import mp

Vec = list[Any]


class Stop(Exception):
    """The high-precision run cannot continue; ``status`` says why."""

    def __init__(self, status: str, detail: str = ""):
        super().__init__(detail or status)
        self.status, self.detail = status, detail


# ----------------------------------------------------------------------------- small exact-ish linear algebra


def dot(a: Vec, b: Vec) -> Any:
    return mp.fdot(a, b)


def _norm(a: Vec) -> Any:
    return mp.sqrt(dot(a, a))


def axpy(alpha: Any, x: Vec, y: Vec) -> Vec:
    return [b + alpha * a for a, b in zip(x, y, strict=True)]


def _solve(a: list[Vec], b: Vec) -> Vec | None:
    """Gaussian elimination with partial pivoting (None if singular)."""
    n = len(b)
    m = [[*row, b[i]] for i, row in enumerate(a)]
    for c in range(n):
        p = max(range(c, n), key=lambda i: abs(m[i][c]))
        if m[p][c] == 0:
            return None
        m[c], m[p] = m[p], m[c]
        for i in range(c + 1, n):
            f = m[i][c] / m[c][c]
            if f:
                m[i] = [x - f * y for x, y in zip(m[i], m[c], strict=True)]
    x: Vec = [mp.zero] * n
    for i in range(n - 1, -1, -1):
        x[i] = (m[i][n] - mp.fsum(m[i][j] * x[j] for j in range(i + 1, n))) / m[i][i]
    return x


def _quad(w: Vec, v: Vec) -> list[Vec]:
    """Row ``k``: coefficients of ``t^0, t^1, t^2`` in ``prod_{l != k} (w_l + t v_l)`` (no division)."""

    def mul(a: Vec, wl: Any, vl: Any) -> Vec:
        return [a[0] * wl, a[1] * wl + a[0] * vl, a[2] * wl + a[1] * vl]

    d = len(w)
    prefix = [[mp.one, mp.zero, mp.zero]]
    for i in range(d - 1):
        prefix.append(mul(prefix[-1], w[i], v[i]))
    out: list[Vec] = [[]] * d
    suffix = [mp.one, mp.zero, mp.zero]
    for k in range(d - 1, -1, -1):
        a, b = prefix[k], suffix
        out[k] = [a[0] * b[0], a[0] * b[1] + a[1] * b[0], a[0] * b[2] + a[1] * b[1] + a[2] * b[0]]
        suffix = mul(suffix, w[k], v[k])
    return out


# ----------------------------------------------------------------------------- the scalar network at mp precision


class MpNet:
    """``L = m/2 (prod w - y)^2`` with ``S``, its eigenvector and ``grad S`` at the working precision."""

    def __init__(self, target: Any, scale: Any, eta: Any, crossing_tol: float):
        self.y, self.m, self.eta = target, scale, eta
        self.crossing_tol = crossing_tol

    def pi(self, w: Vec) -> Any:
        return mp.fprod(w)

    def grad_pi(self, w: Vec) -> Vec:
        if all(w):  # exact up to rounding: mp has no underflow
            p = mp.fprod(w)
            return [p / x for x in w]
        return [row[0] for row in _quad(w, [mp.zero] * len(w))]

    def hessian(self, w: Vec) -> list[Vec]:
        d = len(w)
        g = self.grad_pi(w)
        r = self.pi(w) - self.y
        h = [[self.m * g[i] * g[j] for j in range(d)] for i in range(d)]
        if all(w):
            for i in range(d):
                for j in range(d):
                    if i != j:
                        h[i][j] += self.m * r * g[i] / w[j]
            return h
        for i in range(d):
            rest = w[:i] + w[i + 1 :]
            pij = self.grad_pi(rest) if d > 1 else []
            for j, val in zip([j for j in range(d) if j != i], pij, strict=True):
                h[i][j] += self.m * r * val
        return h

    def top(self, w: Vec, *, vector: bool = True) -> tuple[Any, Vec]:
        """Top eigenvalue and unit eigenvector (Rayleigh-quotient iteration from float64 ``eigh``)."""
        h = self.hessian(w)
        hf = np.array([[float(x) for x in row] for row in h])
        ev, vec = np.linalg.eigh(hf)
        gap = float(ev[-1] - ev[-2]) if ev.size > 1 else math.inf
        if gap <= self.crossing_tol * max(abs(float(ev[-1])), 1e-300):
            if not vector:  # the value alone is well defined at a crossing
                return max(mp.eigsy(mp.matrix(h), eigvals_only=True)), []
            raise Stop("eigenvalue_crossing", f"top two Hessian eigenvalues within {gap:.3g} of each other")
        v = [mp.mpf(float(x)) for x in vec[:, -1]]
        nv = _norm(v)
        v = [x / nv for x in v]
        s = dot(v, [dot(row, v) for row in h])  # Rayleigh quotient: error ~ (float eps)^2
        d = len(w)
        # Rayleigh-quotient iteration converges cubically: from float64 (1e-16) one solve gives ~48 digits when the
        # gap is O(S) (one more where it is small)
        small_gap = gap < 1e-3 * abs(float(ev[-1]))
        for _ in range(1 + math.ceil(math.log(max(1.0, mp.dps / 45.0), 3)) + small_gap):
            a = [[h[i][j] - (s if i == j else 0) for j in range(d)] for i in range(d)]
            x = _solve(a, v)
            if x is None:
                break
            nx = _norm(x)
            v = [xi / nx for xi in x]
            s = dot(v, [dot(row, v) for row in h])
        if abs(s - mp.mpf(float(ev[-1]))) > 1e-6 * max(1.0, abs(float(ev[-1]))):
            raise Stop("eigenvalue_crossing", "Rayleigh-quotient iteration left the top eigenvalue")
        return s, v

    def grad_s(self, w: Vec, v: Vec) -> Vec:
        """``d/dw (v^T H(w) v)`` for a unit top eigenvector ``v`` (exact formula, no division)."""
        r = self.pi(w) - self.y
        # truncated products, no division (the O(D) form with a_i = v_i / w_i cancels when one weight is tiny)
        q = _quad(w, v)
        g = [row[0] for row in q]
        full = _quad([*w, mp.one], [*v, mp.zero])[-1]
        vpv = 2 * full[2]
        gv = dot(g, v)
        return [self.m * (2 * gv * row[1] + vpv * row[0] + r * 2 * row[2]) for row in q]

    def phi(self, w: Vec) -> Any:
        """``eta S - 2`` (positive above the edge)."""
        return self.eta * self.top(w, vector=False)[0] - 2

    def edge_parts(self, w: Vec) -> tuple[Any, Vec, Vec]:
        """``S``, ``grad S`` and ``grad pi``."""
        s, v = self.top(w)
        return s, self.grad_s(w, v), self.grad_pi(w)

    def sigma2(self, w: Vec) -> Any:
        """``-2 <grad S, grad L> / |grad S|^2`` (the unclipped ``sigma^2``)."""
        _, gs, g = self.edge_parts(w)
        r = self.pi(w) - self.y
        return -2 * self.m * r * dot(gs, g) / dot(gs, gs)

    def project(self, w: Vec) -> Vec:
        """Newton steps along ``grad S`` onto ``eta S = 2``."""
        target = 2 / self.eta
        tol = mp.mpf(10) ** (-mp.dps + 5) * target
        for _ in range(20):
            s, v = self.top(w)
            if abs(s - target) <= tol:
                return w
            gs = self.grad_s(w, v)
            w = axpy(-(s - target) / dot(gs, gs), gs, w)
        raise Stop("degenerate", "Newton projection onto eta S = 2 did not converge")


# ----------------------------------------------------------------------------- Gragg-Bulirsch-Stoer at mp precision

Field = Callable[[Vec], Vec]
K_TARGET = 8
EVENT_EPS = 1e-12  # event values (a cosine, or 2 - eta S) this close to 0 count as a start on the event surface


def _midpoint(f: Field, y: Vec, f0: Vec, big_h: Any, n: int) -> Vec:
    h = big_h / n
    z0, z1 = y, axpy(h, f0, y)
    for _ in range(n - 1):
        z0, z1 = z1, axpy(2 * h, f(z1), z0)
    fz = f(z1)
    return [(a + b + h * c) / 2 for a, b, c in zip(z1, z0, fz, strict=True)]


def gbs_step(f: Field, y: Vec, big_h: Any, tol: Any, kmax: int = 14) -> tuple[Vec | None, int, Any]:
    """One extrapolated step of length ``big_h``: (end, column, error estimate); end None if ``tol`` is not reached."""
    f0 = f(y)
    table: list[list[Vec]] = []
    for j in range(kmax):
        n = 2 * (j + 1)
        row = [_midpoint(f, y, f0, big_h, n)]
        for k in range(1, j + 1):
            ratio = mp.mpf(n * n) / (2 * (j - k + 1)) ** 2 - 1
            row.append([a + (a - b) / ratio for a, b in zip(row[k - 1], table[j - 1][k - 1], strict=True)])
        table.append(row)
        if j >= 2:
            err = _norm([a - b for a, b in zip(row[j], row[j - 1], strict=True)]) / (1 + _norm(row[j]))
            if err <= tol:
                return row[j], j, err
    return None, kmax, mp.inf


def _illinois(fn: Callable[[Any], Any], b: Any, fa: Any, fb: Any, xtol: Any) -> Any:
    """Root of ``fn`` on ``[0, b]`` with ``fn(0) = fa > 0 > fb = fn(b)`` (the first sign change is assumed unique)."""
    a, side = mp.zero, 0
    for _ in range(200):
        c = (a * fb - b * fa) / (fb - fa)
        if abs(b - a) <= xtol:
            return c
        fc = fn(c)
        if fc == 0:
            return c
        if fc > 0:
            a, fa = c, fc
            if side == 1:
                fb /= 2
            side = 1
        else:
            b, fb = c, fc
            if side == -1:
                fa /= 2
            side = -1
    return b


def integrate(
    f: Field,
    w: Vec,
    x: Any,
    x_end: Any,
    tol: Any,
    *,
    event: Callable[[Vec], Any] | None = None,
    project: Callable[[Vec], Vec] | None = None,
    max_steps: int = 2000,
) -> tuple[Vec, Any, bool]:
    """Integrate ``dw/dx = f(w)`` from ``x`` to ``x_end``; stop early where ``event`` turns from > 0 to <= 0.

    Returns ``(w, x, hit)``.
    """
    span = x_end - x
    if span == 0:
        return w, x, False
    h_max = span / 8
    k_target = max(K_TARGET, round(-float(mp.log10(tol)) / 4.5))  # higher order for more digits
    big_h = h_max
    ev0 = event(w) if event else None
    if ev0 is not None and not ev0 > EVENT_EPS:  # a start on the event surface: a tiny first step tells the side
        y, _, _ = gbs_step(f, w, span * mp.mpf("1e-6"), tol, k_target + 6)
        if y is None:
            raise Stop("step_limit", "extrapolation failed at a start on an event surface")
        y = project(y) if project is not None else y
        ev0 = event(y)
        if not ev0 > 0:
            return w, x, True  # the phase is left at once
        w, x = y, x + span * mp.mpf("1e-6")
    for _ in range(max_steps):
        rest = x_end - x
        if rest * span <= 0 or abs(rest) <= abs(span) * mp.mpf(10) ** (-mp.dps + 2):
            return w, x_end, False
        if abs(big_h) > abs(rest):
            big_h = rest
        y, k, err = gbs_step(f, w, big_h, tol, k_target + 6)
        if y is None:
            big_h /= 2
            continue
        if project is not None:
            y = project(y)
        if event is not None:
            ev1 = event(y)
            if ev0 is not None and ev0 > 0 and ev1 <= 0:

                def at(c: Any, w: Vec = w) -> Vec:
                    out, _, _ = gbs_step(f, w, c, tol, k_target + 6)
                    if out is None:
                        raise Stop("step_limit", "extrapolation failed while locating an event")
                    return project(out) if project is not None else out

                c = _illinois(lambda c: event(at(c)), big_h, ev0, ev1, abs(big_h) * mp.mpf(10) ** (-mp.dps + 4))
                return at(c), x + c, True
            ev0 = ev1
        w, x = y, x + big_h
        # the column-k error scales like H^(2k+1); aim at convergence in column K_TARGET
        grow = 0.9 * float(tol / max(err, tol * 1e-30)) ** (1.0 / (2 * k + 1))
        grow *= 1.5 if k < k_target else (0.7 if k > k_target else 1.0)
        big_h *= min(4.0, max(0.3, grow))
        if abs(big_h) > abs(h_max):
            big_h = h_max
    raise Stop("step_limit", f"more than {max_steps} extrapolation steps")

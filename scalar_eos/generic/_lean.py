"""Lean integrators for the gradient flow of the generic fast path (private).

Two integrators with the logic of the classical codes and none of their
per-step Python overhead (SciPy's ``solve_ivp`` classes spend about as much
time per step on bookkeeping as the 610-parameter MLP spends on twelve
gradients):

* :class:`ExplicitDOP853` - the Dormand-Prince 8(5,3) pair (Hairer's DOP853;
  the tableau is read from SciPy, which publishes it) with its combined
  3rd/5th-order error estimate and the standard step-size controller.  Early
  on, the flow is strongly nonlinear and an order-8 method is accurate at the
  step its stability allows.
* :class:`StiffBDF` - variable-order (1 to 5), variable-step numerical
  differentiation formulas (Shampine and Reichelt's NDF, the method of
  MATLAB's ``ode15s`` and SciPy's ``BDF``) whose Newton solves use the
  eigendecomposition of a symmetric Jacobian ``-H``: ``(I + c H)^-1 b = b +
  V diag(1/(1 + c lam) - 1) V^T b`` for every ``c`` (a step-size or order
  change costs nothing), restricted to the modes where ``c |lam|`` exceeds
  ``KEEP`` (the others contribute at most ``KEEP`` relative to the
  iteration, which only slows the Newton iteration's contraction by that
  much).  A Jacobian is kept as long as the Newton iteration converges (up to
  ``NEWTON_MAXITER`` iterations, each one gradient and two products with the
  kept eigenvectors, far cheaper than a Hessian and its eigendecomposition);
  a failure with an old Jacobian asks for a fresh one, a failure with a fresh
  one halves the step.  The Jacobian only drives the Newton iteration: the
  trajectory is the NDF's at the requested tolerance whatever the Jacobian's
  age.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["KEEP", "NEWTON_MAXITER", "NEWTON_TOL", "Diverged", "ExplicitDOP853", "StiffBDF"]

Field = Callable[[np.ndarray], np.ndarray]
EPS = float(np.finfo(float).eps)

#: Modes with ``c |lam|`` at most this are solved as the identity (the Newton iteration contracts by it anyway).
KEEP = 0.02
#: Newton iterations per step before the Jacobian is refreshed (or the step halved).
NEWTON_MAXITER = 8
#: The Newton iteration's stopping tolerance, relative to the error tolerance, is at least this.  Measured on the
#: 610-parameter MLP at three initialisations (rtol 1e-10, atol 1e-13): the classical sqrt(rtol) = 1e-5 gives
#: errors 1.4e-9 to 2.0e-9 with about 6300 gradients, 1e-3 gives 1.4e-9 to 3.4e-9 with about 3900 (LSODA at the
#: same tolerance: 3.1e-9 to 1.1e-8).
NEWTON_TOL = 1e-3
#: The step-size safety factor is 0.9 (2 m + 1) / (2 m + iterations) with this m (the classical codes: m = 4).
SAFETY_ITER = 4


class Diverged(Exception):
    """The state left the box ``|x_i| <= bound`` (or became NaN)."""

    def __init__(self, t: float, y: np.ndarray):
        super().__init__("diverged")
        self.t, self.y = float(t), np.array(y)


def _rms(v: np.ndarray) -> float:
    return math.sqrt(float(v @ v) / v.size)


def _check(t: float, y: np.ndarray, bound: float) -> None:
    big = float(np.max(np.abs(y)))
    if not big <= bound:  # also NaN
        raise Diverged(t, y)


class ExplicitDOP853:
    """Dormand-Prince 8(5,3) on an autonomous field, one accepted step per :meth:`step`.

    Attributes ``t``, ``y``, ``f`` (the field at ``y``), ``h`` (the next step),
    ``nfev`` and ``status`` (``"running"`` or ``"failed"``).
    """

    def __init__(self, fun: Field, t0: float, y0: np.ndarray, *, rtol: float, atol: float, bound: float):
        from scipy.integrate._ivp import dop853_coefficients as tab

        self.A, self.B = np.array(tab.A[:12, :12]), np.array(tab.B)
        self.E3, self.E5 = np.array(tab.E3), np.array(tab.E5)
        self.fun, self.rtol, self.atol, self.bound = fun, rtol, atol, bound
        self.t, self.y = float(t0), np.array(y0, dtype=float)
        self.f = fun(self.y)
        self.nfev = 1
        self.status = "running"
        self.K = np.empty((13, self.y.size))
        self.tmp = np.empty(self.y.size)
        self.h = self._initial_step()

    def _initial_step(self) -> float:
        """Hairer's starting step: ``h`` with ``h^9 |f''|`` about ``0.01`` in the error norm."""
        scale = self.atol + self.rtol * np.abs(self.y)
        d0, d1 = _rms(self.y / scale), _rms(self.f / scale)
        h0 = 1e-6 if d0 < 1e-5 or d1 < 1e-5 else 0.01 * d0 / d1
        f1 = self.fun(self.y + h0 * self.f)
        self.nfev += 1
        d2 = _rms((f1 - self.f) / scale) / h0
        if not math.isfinite(d2):
            return h0
        h1 = max(1e-6, h0 * 1e-3) if max(d1, d2) <= 1e-15 else (0.01 / max(d1, d2)) ** (1 / 8)
        return min(100 * h0, h1)

    def step(self) -> None:
        K, fun, y, tmp = self.K, self.fun, self.y, self.tmp
        min_step = 10 * abs(math.nextafter(self.t, math.inf) - self.t)
        rejected = False
        while True:
            h = self.h
            if h < min_step:
                self.status = "failed"
                return
            ha = h * self.A
            K[0] = self.f
            for s in range(1, 12):
                np.dot(ha[s, :s], K[:s], out=tmp)
                tmp += y
                K[s] = fun(tmp)
            y_new = y + h * (self.B @ K[:12])
            K[12] = fun(y_new)
            self.nfev += 12
            scale = self.atol + self.rtol * np.maximum(np.abs(y), np.abs(y_new))
            e5, e3 = (self.E5 @ K) / scale, (self.E3 @ K) / scale
            n5, n3 = float(e5 @ e5), float(e3 @ e3)
            err = 0.0 if n5 == 0 and n3 == 0 else h * n5 / math.sqrt((n5 + 0.01 * n3) * y.size)
            if not math.isfinite(err):
                err = math.inf
            if err < 1:
                factor = 10.0 if err == 0 else min(10.0, 0.9 * err ** (-1 / 8))
                self.h = h * (min(1.0, factor) if rejected else factor)
                break
            self.h = h * max(0.2, 0.9 * err ** (-1 / 8)) if math.isfinite(err) else h * 0.2
            rejected = True
        _check(self.t + h, y_new, self.bound)
        self.t += h
        self.y, self.f = y_new, K[12].copy()


# NDF constants (Shampine and Reichelt 1997) for orders 1..5; index 0 unused
_KAPPA = np.array([0.0, -0.1850, -1 / 9, -0.0823, -0.0415, 0.0])
_GAMMA = np.concatenate([[0.0], np.cumsum(1.0 / np.arange(1, 6))])
_ALPHA = (1 - _KAPPA) * _GAMMA
_ERR = _KAPPA * _GAMMA + 1.0 / np.arange(1, 7)


def _change_matrix(order: int, factor: float) -> np.ndarray:
    """Backward differences of order ``order`` for a step ``factor`` times the current one: ``D <- M^T D``.

    ``R(r)`` maps the differences at step ``h`` to those at ``r h`` through the
    interpolating polynomial (``R[i, j] = prod_{m <= i} (m - 1 - r j) / m``);
    the differences at the old step are ``R(1)`` of themselves, so the change
    is ``R(factor) R(1)``.
    """

    def r(f: float) -> np.ndarray:
        i = np.arange(1, order + 1)[:, None]
        j = np.arange(1, order + 1)
        m = np.zeros((order + 1, order + 1))
        m[1:, 1:] = (i - 1 - f * j) / i
        m[0] = 1.0
        return np.cumprod(m, axis=0)

    return r(factor) @ r(1.0)


class StiffBDF:
    """Variable-order NDF on ``y' = fun(y)`` with Jacobian ``-H`` given by eigendecompositions of ``H``.

    ``jacobian(y, fresh, c)`` returns ``(lam, W)`` (ascending eigenvalues, rows
    of ``W`` the eigenvectors) of ``H`` at ``y`` when ``fresh`` is true; otherwise
    a cached one from somewhere near, or ``None`` when it has none.  ``W`` may
    hold only some eigenvectors (the top ones): the other modes are then solved
    as the identity, which the Newton iteration absorbs as long as ``c lam``
    is small on them; ``c`` (the current ``h / alpha``) tells how small.  A new
    Jacobian is asked for only when the Newton iteration fails with the
    current one: first a cached one (once per step), then a fresh one; after
    a failure with a fresh one, ``jacobian.failed()`` (if defined) may return
    True to be asked once more (it switched to a better kind of Jacobian),
    otherwise the step is halved.
    """

    MAX_ORDER = 5

    def __init__(
        self,
        fun: Field,
        t0: float,
        y0: np.ndarray,
        h0: float,
        *,
        rtol: float,
        atol: float,
        bound: float,
        jacobian: Callable[[np.ndarray, bool, float], tuple[np.ndarray, np.ndarray] | None],
    ):
        self.fun, self.rtol, self.atol, self.bound, self.jacobian = fun, rtol, atol, bound, jacobian
        self.t = float(t0)
        self.y = np.array(y0, dtype=float)
        f = fun(self.y)
        self.nfev, self.njev, self.nfail = 1, 0, 0
        self.status = "running"
        self.h = float(h0)
        self.D = np.zeros((self.MAX_ORDER + 3, self.y.size))
        self.D[0], self.D[1] = self.y, h0 * f
        self.order, self.n_equal = 1, 0
        # the Newton iteration stops at NEWTON_TOL of the error tolerance (the classical codes: sqrt(rtol), which
        # below rtol = 1e-6 asks for more digits than the local error has)
        self.newton_tol = max(10 * EPS / rtol, min(0.03, max(rtol**0.5, NEWTON_TOL)))
        self.f = f  # the field at the last Newton iterate of the last step: |y - that iterate| <= newton_tol
        self.J: tuple[np.ndarray, np.ndarray] | None = None
        self.fac: tuple[Any, ...] | None = None

    # ------------------------------------------------------------------ linear algebra
    def _set_jacobian(self, y: np.ndarray, fresh: bool) -> bool:
        """A cached (``fresh`` false) or fresh Jacobian; False if no cached one is left."""
        j = self.jacobian(y, fresh, self.h / _ALPHA[self.order])
        if j is None:
            return False
        self.J, self.fac = j, None
        self.njev += 1 if fresh else 0
        return True

    def _factor(self, c: float) -> bool:
        """Prepare solves with ``I + c H``; False if it is (nearly) singular."""
        lam, W = self.J  # type: ignore[misc]
        cl = c * lam
        if np.any(np.abs(1 + cl) < 1e-6):
            return False
        i = int(np.searchsorted(cl, -KEEP))
        j = int(np.searchsorted(cl, KEEP, side="right"))
        dt = W.dtype
        self.fac = (c, W[:i], (1 / (1 + cl[:i]) - 1).astype(dt), W[j:], (1 / (1 + cl[j:]) - 1).astype(dt))
        return True

    def _solve(self, b: np.ndarray) -> np.ndarray:
        _, w_lo, s_lo, w_hi, s_hi = self.fac  # type: ignore[misc]
        z = b.copy()
        b = b.astype(w_hi.dtype, copy=False)  # the eigenvectors may be single precision (see the class notes)
        if s_lo.size:
            z += (s_lo * (w_lo @ b)) @ w_lo
        if s_hi.size:
            z += (s_hi * (w_hi @ b)) @ w_hi
        return z

    def _newton(self, y_pred: np.ndarray, c: float, psi: np.ndarray, scale: np.ndarray) -> tuple[Any, ...]:
        inv = 1.0 / scale
        d = np.zeros_like(y_pred)
        y = y_pred.copy()
        old = None
        tol = self.newton_tol
        for k in range(NEWTON_MAXITER):
            f = self.fun(y)
            self.nfev += 1
            r = c * f
            r -= psi
            r -= d
            dy = self._solve(r)
            dn = _rms(dy * inv)
            if not math.isfinite(dn):
                return False, k + 1, y, d
            rate = None if old is None else dn / old
            if rate is not None and (rate >= 1 or rate ** (NEWTON_MAXITER - k) / (1 - rate) * dn > tol):
                return False, k + 1, y, d
            y += dy
            d += dy
            if dn == 0 or (rate is not None and rate / (1 - rate) * dn < tol):
                self.f = f
                return True, k + 1, y, d
            old = dn
        return False, NEWTON_MAXITER, y, d

    def _rescale(self, factor: float) -> None:
        k = self.order
        self.D[: k + 1] = _change_matrix(k, factor).T @ self.D[: k + 1]
        self.h *= factor
        self.n_equal = 0

    # ------------------------------------------------------------------ one step
    def step(self) -> None:
        D = self.D
        min_step = 10 * abs(math.nextafter(self.t, math.inf) - self.t)
        fresh = False  # a Jacobian computed during this step
        cached = False  # a cached Jacobian tried during this step
        upgraded = False  # a fresh Jacobian of a better kind asked for during this step
        while True:
            k, h = self.order, self.h
            if h < min_step:
                self.status = "failed"
                return
            y_pred = D[: k + 1].sum(axis=0)
            scale = self.atol + self.rtol * np.abs(y_pred)
            psi = (_GAMMA[1 : k + 1] @ D[1 : k + 1]) / _ALPHA[k]
            c = h / _ALPHA[k]
            converged = False
            while True:
                if self.J is None and not self._set_jacobian(y_pred, False):
                    fresh = self._set_jacobian(y_pred, True)
                if (self.fac is None or self.fac[0] != c) and not self._factor(c):
                    break  # I + cH singular at this step size
                converged, n_iter, y_new, d = self._newton(y_pred, c, psi, scale)
                if converged:
                    break
                if fresh:  # a fresh Jacobian did not do: a better kind if the provider has one, else a smaller step
                    if upgraded or not getattr(self.jacobian, "failed", lambda: False)():
                        break
                    upgraded = True
                    self._set_jacobian(y_pred, True)
                elif not cached and self._set_jacobian(y_pred, False):
                    cached = True
                else:
                    fresh = self._set_jacobian(y_pred, True)
            if not converged:
                self.nfail += 1
                self._rescale(0.5)
                continue
            safety = 0.9 * (2 * SAFETY_ITER + 1) / (2 * SAFETY_ITER + n_iter)
            scale = self.atol + self.rtol * np.abs(y_new)
            en = _rms(_ERR[k] * d / scale)
            if en > 1:
                self._rescale(max(0.2, safety * en ** (-1 / (k + 1))))
                continue
            break
        _check(self.t + h, y_new, self.bound)
        self.t += h
        self.y = y_new
        D[k + 2] = d - D[k + 1]
        D[k + 1] = d
        for i in range(k, -1, -1):
            D[i] += D[i + 1]
        self.n_equal += 1
        if self.n_equal < k + 1:
            return
        e_lo = _rms(_ERR[k - 1] * D[k] / scale) if k > 1 else math.inf
        e_hi = _rms(_ERR[k + 1] * D[k + 2] / scale) if k < self.MAX_ORDER else math.inf
        factors = []
        for e, p in ((e_lo, k), (en, k + 1), (e_hi, k + 2)):
            factors.append(math.inf if e == 0 else e ** (-1 / p))
        best = int(np.argmax(factors))
        self.order = k + best - 1
        self._rescale(min(10.0, safety * factors[best]))

"""Gradient-flow integration of the generic fast path (private; used by :mod:`._tail`).

The fast path's flow runs until ``|grad| <= gtol`` (:mod:`._tail` finishes it
by a Newton projection).  From 200 parameters on (``_tail.BDF_FROM``) it is
integrated in two phases by the lean integrators of :mod:`._lean`
(``integrator="DOP853+NDF"``, the default there):

* **explicit**: DOP853 (order 8) for the first gradient evaluations
  (``PARTIAL_BUDGET * n`` of them when partial Jacobians apply, below,
  else ``EXPLICIT_BUDGET * n``).  At the very start the flow passes
  regions of strong negative curvature, where an implicit method's
  Newton iteration has nothing to hold on to; the explicit step is
  limited by stability (``h ~ 6 / lam_max``), not accuracy;
* **stiff**: the NDF (variable order 1-5, Shampine and Reichelt) with
  Jacobian ``-H(x)``: its Newton solves ``(I + c H) z = b`` use an
  eigendecomposition (``z = b + V diag(1/(1 + c lam) - 1) V^T b``) that
  serves every step size and order.  Early on a *partial* one suffices:
  the top ``k + 1`` eigenpairs by Lanczos on Hessian-vector products
  (``k`` from ``PARTIAL_START`` up to ``PARTIAL_MAX``, for models from
  ``4 PARTIAL_MAX`` parameters), accepted when ``c`` times the smallest
  of them is at most ``PARTIAL_THETA`` - the modes left out are then
  non-stiff at that step and the Newton iteration contracts on them by
  that factor.  Once the steps grow, the dense Hessian's full
  eigendecomposition (in single precision: it only drives the Newton
  iteration, whose residual is evaluated in double precision).  A
  Jacobian is kept while the Newton iteration converges within
  ``_lean.NEWTON_MAXITER`` iterations; along a GD run (``warm``) the
  previous flow's eigendecompositions are tried before new ones are
  made.  On the MLP example at its initialisation: 600 explicit
  gradients, then 1120 NDF steps (3100 gradients) with three partial
  Jacobians (about 450 Hessian-vector products) and one dense one, where
  LSODA evaluates 155 dense Hessians and 5900 gradients.  The Jacobians
  only drive the Newton iteration: the trajectory is the NDF's at the
  requested tolerance whatever they are.

``integrator="DOP853+BDF"`` is the 0.3 default: the same two phases with
SciPy's DOP853 for ``EXPLICIT_BUDGET * n`` gradients and SciPy's BDF with
full eigendecompositions.

Both phases measure the error against ``atol + rtol |x_i|`` with the
caller's ``atol`` (as the LSODA path does).  0.3's ``"DOP853+BDF"`` raises
``atol`` to ``rtol * rms(x0)`` (the state's scale); with that raise the
NDF's error on the MLP at three initialisations (seeds 0-2) was ``9e-9``
to ``2.5e-8``, up to six times LSODA's at the same tolerance (``3e-9`` to
``1.1e-8``); with the caller's ``atol = 1e-13`` it is ``1.4e-9`` to
``3.4e-9`` (with ``_lean.NEWTON_TOL``).
``integrator="BDF"`` (BDF from the start, the caller's ``atol``) is the
0.2 default.  Smaller models use LSODA (as the LSODA path), whose steps
are cheaper there.

Exponential integrators were measured on the MLP and lose: an
exponential Rosenbrock method (exprb32, one Hessian and eigendecomposition
per step) needs about 365 steps at ``rtol = 1e-6``, and exponential
Runge-Kutta with a frozen eigendecomposition (ETDRK4) is accurate to only
``2e-5`` at ``t = 10`` with ``h = 0.05`` (order 3 in practice), where
DOP853 at ``h = 0.155`` is accurate to ``2e-9``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import _lean
from .model import Model

__all__ = [
    "EXPLICIT_BUDGET",
    "HYBRID",
    "LEAN",
    "MAX_CACHED",
    "PARTIAL_BUDGET",
    "PARTIAL_MAX",
    "PARTIAL_START",
    "PARTIAL_THETA",
    "Jacobians",
    "eig_integrator",
    "integrate",
]

#: The integrator that starts explicitly (SciPy's DOP853) and continues with SciPy's BDF with eigen-solves.
HYBRID = "DOP853+BDF"

#: The same two phases with the lean integrators of :mod:`._lean` (the default from ``BDF_FROM`` parameters).
LEAN = "DOP853+NDF"

#: Hessian eigendecompositions kept in ``warm`` for the next call's NDF.
MAX_CACHED = 10

#: Partial Jacobians of the NDF (models from ``4 PARTIAL_MAX`` parameters): the top ``k + 1`` eigenpairs, ``k``
#: from ``PARTIAL_START`` up to ``PARTIAL_MAX``, accepted while ``c lam_(k+1) <= PARTIAL_THETA``.
PARTIAL_START, PARTIAL_MAX, PARTIAL_THETA = 40, 80, 0.1

#: With partial Jacobians the explicit phase ends after this many gradient evaluations per parameter.
PARTIAL_BUDGET = 1

#: The explicit phase of ``HYBRID`` ends after this many gradient evaluations per parameter.  Measured on the MLP
#: at its initialisation (CPU seconds, one thread): 8 -> 6267 gradients and 8 Hessians, 1.44 s; 16 -> 10774 and 5,
#: 1.40 s; 24 -> 15459 and 4, 1.97 s; 32 -> 20257 and 3.  A Hessian and its eigendecomposition cost about as
#: much as 2600 gradients there.
EXPLICIT_BUDGET = 16


def eig_integrator(scipy: Any, base: str) -> type:
    """SciPy's ``BDF`` or ``Radau`` whose linear solves use the eigendecomposition of the symmetric Jacobian.

    Both ask for solves with ``M = p I + q J`` (BDF: ``p = 1``, ``q = -c``;
    Radau: ``p`` a real or complex multiple of ``1/h``, ``q = -1``).  With
    ``J = -V diag(lam) V^T`` that is ``V diag(1/(p - q lam)) V^T``: the
    coefficients are read off ``M`` and checked on its diagonal and one row
    (any mismatch falls back to an LU factorisation).
    """
    from scipy.linalg import lu_factor, lu_solve

    parent = getattr(scipy.integrate, base)

    class EigIntegrator(parent):  # type: ignore[misc,valid-type]
        def __init__(self, fun: Any, t0: float, y0: np.ndarray, t_bound: float, *, hess: Any, **kw: Any):
            self.last_jac: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
            self.n_hess = 0

            def jac(_t: float, y: np.ndarray) -> np.ndarray:
                h = np.asarray(hess(y), dtype=float)
                h = (h + h.T) / 2
                lam, vec = np.linalg.eigh(h)
                self.n_hess += 1
                j = -h
                self.last_jac = (j, lam, vec)
                return j

            super().__init__(fun, t0, y0, t_bound, jac=jac, **kw)

            def coefficients(m: np.ndarray) -> tuple[Any, Any] | None:
                j, _, _ = self.last_jac  # type: ignore[misc]
                d = np.diagonal(j)
                i, k = int(np.argmax(d)), int(np.argmin(d))
                if d[i] != d[k]:
                    q = (m[i, i] - m[k, k]) / (d[i] - d[k])
                else:
                    off = np.abs(j[i]).copy()
                    off[i] = 0.0
                    k = int(np.argmax(off))
                    if off[k] == 0:
                        return None
                    q = m[i, k] / j[i, k]
                p = m[i, i] - q * d[i]
                tol = 1e-12 * (abs(p) + abs(q) * float(np.max(np.abs(j))))
                row = q * j[i]
                row[i] += p
                if np.max(np.abs(np.diagonal(m) - (p + q * d))) <= tol and np.max(np.abs(m[i] - row)) <= tol:
                    return p, q
                return None

            def lu(m: np.ndarray) -> tuple[Any, ...]:
                pq = None if self.last_jac is None else coefficients(m)
                if pq is not None:
                    p, q = pq
                    _, lam, vec = self.last_jac  # type: ignore[misc]
                    keep = np.abs(q * lam) > 1e-13 * abs(p)  # other modes: (p - q lam)^-1 = 1/p to rounding
                    return ("eig", 1.0 / p, 1.0 / (p - q * lam[keep]) - 1.0 / p, np.ascontiguousarray(vec[:, keep]))
                self.nlu += 1
                return ("lu", lu_factor(m, overwrite_a=True))

            def solve(fac: tuple[Any, ...], b: np.ndarray) -> np.ndarray:
                if fac[0] == "eig":
                    _, inv_p, s, vk = fac
                    return inv_p * b + vk @ (s * (vk.T @ b))
                return lu_solve(fac[1], b, overwrite_b=True)

            self.lu = lu
            self.solve_lu = solve

    return EigIntegrator


class Jacobians:
    """Eigendecompositions ``(lam, W)`` of the Hessian (rows of ``W`` the eigenvectors) for the NDF.

    A fresh one is *partial* while that suffices: the top ``k + 1``
    eigenpairs by Lanczos on Hessian-vector products (``k`` from
    ``PARTIAL_START``, doubled up to ``PARTIAL_MAX``), accepted when ``c``
    times the smallest of them is at most ``PARTIAL_THETA`` (the Newton
    iteration then contracts by that factor or better on the modes left
    out).  Otherwise, and for good once ``k`` would exceed ``PARTIAL_MAX`` or
    a fresh partial one failed, the dense Hessian's full eigendecomposition.
    ``cached`` are ``(x, lam, W)`` kept from a previous call (along a GD run
    the flows pass near each other): asked for a non-fresh Jacobian, the
    nearest cached one is returned that has not been replaced after a failure
    in this call (or ``None`` when none is left).  :attr:`keep` lists what to
    cache for the next call: the fresh ones and the cached ones used.
    """

    def __init__(self, model: Model, cached: list[tuple[np.ndarray, np.ndarray, np.ndarray]], scipy: Any):
        self.model, self.scipy = model, scipy
        self.pool = [(e, [False, False]) for e in cached]  # entry, [used, replaced after a failure]
        self.k = PARTIAL_START if model.n_params >= 4 * PARTIAL_MAX else 0  # 0: full decompositions
        self.made: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.last: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self.flags: list[bool] | None = None  # the flags of the current cached entry
        self.v0: np.ndarray | None = None
        self.full = self.partial = 0

    def __call__(self, y: np.ndarray, fresh: bool, c: float) -> tuple[np.ndarray, np.ndarray] | None:
        if self.flags is not None:  # a new Jacobian is asked for only when the current one failed
            self.flags[1] = True
            self.flags = None
        if not fresh:
            left = [p for p in self.pool if not p[1][1]]
            if not left:
                return None
            entry, self.flags = min(left, key=lambda p: float(np.linalg.norm(p[0][0] - y)))
            self.flags[0] = True
        else:
            entry = None
            if self.k and self.last is not None and c * self.last[1][0] > PARTIAL_THETA:
                self.k = 2 * self.k if 2 * self.k <= PARTIAL_MAX else 0  # the last spectrum says: not enough
            while self.k and entry is None:
                lam, w = self._top(y, self.k + 1)
                if c * lam[0] <= PARTIAL_THETA:
                    entry = (y.copy(), lam, w)
                else:
                    self.k = 2 * self.k if 2 * self.k <= PARTIAL_MAX else 0
            if entry is None:
                h = np.asarray(self.model.dense_hessian(y), dtype=float)
                lam, vec = self.scipy.linalg.eigh(((h + h.T) / 2).astype(np.float32), driver="evd")
                entry = (y.copy(), lam.astype(float), np.ascontiguousarray(vec.T))
                self.full += 1
            self.made.append(entry)
        self.last = entry
        return entry[1], entry[2]

    def keep(self) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """What to cache for the next call (at most ``MAX_CACHED``, the newest first)."""
        used = [e for e, (u, _) in self.pool if u]
        return (self.made[::-1] + used)[:MAX_CACHED]

    def failed(self) -> bool:
        """The Newton iteration failed with a fresh Jacobian: no more partial ones (True if it was partial)."""
        if self.last is not None and self.last[1].size < self.model.n_params:
            self.k = 0
            return True
        return False

    def _top(self, y: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The top ``k`` eigenpairs at ``y``, ascending, by Lanczos started from the last top eigenvector."""
        n, sla = self.model.n_params, self.scipy.sparse.linalg
        op = sla.LinearOperator((n, n), matvec=lambda u: self.model.hvp(y, np.ravel(u)), dtype=float)
        v0 = np.ones(n) / math.sqrt(n) if self.v0 is None else self.v0
        try:
            vals, vecs = sla.eigsh(op, k=k, which="LA", tol=1e-8, v0=v0)
        except sla.ArpackNoConvergence:
            return np.array([math.inf]), np.zeros((1, n))  # not accepted: c * inf > theta
        order = np.argsort(vals)
        self.v0 = vecs[:, order[-1]]
        self.partial += 1
        return vals[order], np.ascontiguousarray(vecs[:, order].T, dtype=np.float32)


def _solver(
    model: Model, integrator: str, field: Any, x: np.ndarray, rtol: float, atol: float, t_max: float, scipy: Any
) -> Any:
    """The first solver of ``integrator`` (the explicit phase of the hybrids)."""
    if integrator == LEAN:
        return _lean.ExplicitDOP853(field, 0.0, x, rtol=rtol, atol=atol, bound=math.inf)  # field checks
    if integrator == HYBRID:
        return scipy.integrate.DOP853(lambda t_, y: field(y, t_), 0.0, x, t_max, rtol=rtol, atol=atol)
    if integrator == "LSODA":
        jac = lambda _t, y: -model.dense_hessian(y)  # noqa: E731
        return scipy.integrate.LSODA(lambda t_, y: field(y, t_), 0.0, x, t_max, rtol=rtol, atol=atol, jac=jac)
    return eig_integrator(scipy, integrator)(
        lambda t_, y: field(y, t_), 0.0, x, t_max, hess=model.dense_hessian, rtol=rtol, atol=atol
    )


def integrate(
    model: Model,
    x: np.ndarray,
    gn: float,
    *,
    gtol: float,
    rtol: float,
    atol: float,
    t_max: float,
    bound: float,
    integrator: str,
    jacobians: Jacobians,
    scipy: Any,
    count: list[int],
) -> tuple[str, np.ndarray, float, float, str, list[tuple[float, np.ndarray]]]:
    """Integrate the flow until ``|grad| <= gtol``: ``(status, x, t, |grad|, message, history)``.

    ``history`` holds ``x0`` and the iterates from just above ``1000 gtol`` on.
    """

    def field(y: np.ndarray, t: float = math.nan) -> np.ndarray:
        count[0] += 1
        if not (y.max() <= bound and -bound <= y.min()):  # also NaN; ndarray methods skip a wrapper per call
            raise _lean.Diverged(t, y)
        return -model.grad(y)

    def lean_field(y: np.ndarray) -> np.ndarray:  # the lean integrators check every accepted state themselves
        count[0] += 1
        return -model.grad(y)

    history: list[tuple[float, np.ndarray]] = [(gn, x)]
    t = 0.0
    explicit = integrator in (HYBRID, LEAN)  # the explicit phase first
    if integrator == HYBRID:  # 0.3's hybrid raised atol to the state's scale (LEAN keeps the caller's, see above)
        atol = max(atol, rtol * float(np.sqrt(np.mean(x * x))))
    solver = _solver(model, integrator, field, x, rtol, atol, t_max, scipy)
    budget = (PARTIAL_BUDGET if integrator == LEAN and jacobians.k else EXPLICIT_BUDGET) * model.n_params
    try:
        with np.errstate(all="ignore"):
            while gn > gtol:
                if solver.status != "running" or solver.t >= t_max:
                    if solver.status in ("finished", "running"):
                        return (
                            "time_limit",
                            solver.y,
                            solver.t,
                            gn,
                            f"|grad| = {gn:.3g} > gtol at t = {t_max:g}",
                            history,
                        )
                    return "failed", solver.y, solver.t, gn, "", history
                message = solver.step()
                if solver.status == "failed":
                    return (
                        "failed",
                        solver.y,
                        solver.t,
                        gn,
                        f"the integrator stopped: {message or 'step size too small'}",
                        history,
                    )
                x, t = solver.y.copy(), float(solver.t)
                # an explicit Runge-Kutta solver holds the field at its current point (first-same-as-last), the
                # NDF at its last Newton iterate (within the Newton tolerance, ~1e-5 rtol |x|, of x)
                lean = explicit or integrator == LEAN
                gn = float(np.linalg.norm(solver.f if lean else model.grad(x)))
                if not math.isfinite(gn):
                    return "diverged", x, t, gn, f"|x| exceeded {bound:g}", history
                if len(history) > 1 and history[-1][0] > 1000 * gtol:
                    history.pop()  # keep x0 and, of the iterates above 1000 gtol, only the latest
                history.append((gn, x))
                if explicit and count[0] >= budget:  # the explicit phase has had its share: stiff from here on
                    explicit = False
                    if integrator == LEAN:
                        solver = _lean.StiffBDF(
                            lean_field, t, x, solver.h, rtol=rtol, atol=atol, bound=bound, jacobian=jacobians
                        )
                    else:
                        solver = eig_integrator(scipy, "BDF")(
                            lambda t_, y: field(y, t_), t, x, t_max, hess=model.dense_hessian, rtol=rtol, atol=atol
                        )
    except _lean.Diverged as e:
        te = e.t if math.isfinite(e.t) else t
        if not np.all(np.isfinite(e.y)):  # not an escape to infinity: the field stopped being finite
            msg = f"the flow's state became non-finite near t = {te:.6g} (a non-finite gradient)"
            return "failed", x, te, gn, msg, history
        return "diverged", e.y, te, math.inf, f"|x| exceeded {bound:g}", history
    except (ValueError, ArithmeticError, np.linalg.LinAlgError) as e:
        return "failed", x, t, gn, f"the integrator stopped: {e}", history
    return "converged", x, t, gn, "", history

"""The generic engine: sharpness, gradient flow, GFS sharpness with an error estimate, and GD.

See :mod:`scalar_eos.generic` for the methods.  SciPy is needed for the flow and
for Lanczos (``pip install 'scalar-eos[general]'``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._optional import require
from .._validate import check_positive, check_steps, check_vector
from ..errors import ConvergenceError, InvalidArgument
from .model import Model

__all__ = [
    "DENSE_LIMIT",
    "FLOW_STATUSES",
    "EigenNotConverged",
    "FlowResult",
    "GDRecord",
    "GFSResult",
    "gd",
    "gfs_sharpness",
    "gradient_flow",
    "sharpness",
    "summarize",
]

FLOW_STATUSES = ("converged", "saddle", "time_limit", "diverged", "failed")
DENSE_LIMIT = 1500  # models with at most this many parameters use a dense Hessian


def _scipy() -> Any:
    require("scipy.integrate", "the generic engine", "general")
    require("scipy.sparse.linalg", "the generic engine", "general")
    return require("scipy", "the generic engine", "general")


# --------------------------------------------------------------------------- sharpness


def _extreme_eigs(model: Model, x: np.ndarray, tol: float, which: str = "LA") -> float:
    if model.n_params <= DENSE_LIMIT or (model.hessian is not None and model.n_params <= 4 * DENSE_LIMIT):
        ev = np.linalg.eigvalsh(model.dense_hessian(x))
        return float(ev[-1] if which == "LA" else ev[0])
    sp = _scipy()
    op = sp.sparse.linalg.LinearOperator(
        (model.n_params, model.n_params), matvec=lambda v: model.hvp(x, np.ravel(v)), dtype=float
    )
    v0 = np.ones(model.n_params) / math.sqrt(model.n_params)  # deterministic start
    try:
        vals = sp.sparse.linalg.eigsh(op, k=1, which=which, tol=tol, v0=v0, return_eigenvectors=False)
    except sp.sparse.linalg.ArpackNoConvergence as e:
        if len(e.eigenvalues):
            return float(e.eigenvalues[0])
        raise EigenNotConverged(f"Lanczos did not converge for the {which} eigenvalue") from None
    return float(vals[0])


class EigenNotConverged(ConvergenceError):
    """Lanczos (ARPACK) did not converge."""


def sharpness(model: Model, x: Any, *, tol: float = 1e-10) -> float:
    """Top eigenvalue of the Hessian at ``x`` (dense for small models, Lanczos otherwise).

    Examples
    --------
    >>> import sympy as sp
    >>> a, b = sp.symbols("a b")
    >>> m = Model.from_sympy((1 - a * b) ** 2 / 2, [a, b])
    >>> round(sharpness(m, [1.0, 1.0]), 12)
    2.0
    """
    return _extreme_eigs(model, check_vector(x, model.n_params, "x"), tol)


# --------------------------------------------------------------------------- gradient flow


@dataclass
class FlowResult:
    """Where gradient flow from ``x0`` ended, and why."""

    x: np.ndarray
    t: float
    status: str
    grad_norm: float
    loss: float
    nfev: int
    seconds: float
    message: str = ""
    x_decade: np.ndarray | None = None  # the state where |grad| first fell below 10 gtol
    x0: np.ndarray | None = None  # where the flow started


def gradient_flow(
    model: Model,
    x0: Any,
    *,
    gtol: float = 1e-9,
    t_max: float = 1e8,
    method: str = "LSODA",
    rtol: float = 1e-10,
    atol: float = 1e-13,
    bound: float = 1e8,
) -> FlowResult:
    """Integrate ``dx/dt = -grad L(x)`` until ``|grad L| <= gtol`` (or a time limit, or divergence).

    ``method`` is a :func:`scipy.integrate.solve_ivp` method; the default
    ``LSODA`` switches between non-stiff (Adams) and stiff (BDF, with the exact
    Jacobian ``-H(x)``) integration automatically - the flow to a sharp
    minimiser along flat directions is stiff.

    Examples
    --------
    >>> import sympy as sp
    >>> a, b = sp.symbols("a b")
    >>> m = Model.from_sympy((1 - a * b) ** 2 / 2, [a, b])
    >>> r = gradient_flow(m, [0.5, 3.0])
    >>> r.status, bool(abs(r.x[0] * r.x[1] - 1) < 1e-9)
    ('converged', True)
    """
    sp = _scipy()
    x = check_vector(x0, model.n_params, "x0")
    gtol = check_positive(gtol, "gtol")
    t_max = check_positive(t_max, "t_max")
    if method not in ("LSODA", "BDF", "Radau", "RK45", "DOP853", "RK23"):
        raise InvalidArgument(f"unknown method {method!r}")
    start = time.perf_counter()
    nfev = 0

    def field(t: float, y: np.ndarray) -> np.ndarray:
        nonlocal nfev
        nfev += 1
        big = float(np.max(np.abs(y)))
        if not big <= bound:  # also NaN
            raise _Diverged(t, y)
        return -model.grad(y)

    def gnorm(y: np.ndarray) -> float:
        g = float(np.linalg.norm(model.grad(y)))
        return g if math.isfinite(g) else 1e300  # keeps the event functions finite for the root finder

    def ev_done(_t: float, y: np.ndarray) -> float:
        return gnorm(y) - gtol

    def ev_decade(_t: float, y: np.ndarray) -> float:
        return gnorm(y) - 10 * gtol

    ev_done.terminal = True  # type: ignore[attr-defined]
    ev_done.direction = -1  # type: ignore[attr-defined]
    ev_decade.direction = -1  # type: ignore[attr-defined]
    with np.errstate(all="ignore"):
        g0 = float(np.linalg.norm(model.grad(x)))
    if not math.isfinite(g0):
        return FlowResult(x, 0.0, "failed", g0, model.loss(x), 1, 0.0, "the gradient at x0 is not finite")
    if g0 <= gtol:
        res = FlowResult(x, 0.0, "converged", g0, model.loss(x), 1, time.perf_counter() - start, "", x, x)
        return _classify_end(model, res)
    kw: dict[str, Any] = {}
    if method in ("LSODA", "BDF", "Radau"):
        kw["jac"] = lambda _t, y: -model.dense_hessian(y)
    try:
        with np.errstate(all="ignore"):
            sol = sp.integrate.solve_ivp(
                field,
                (0.0, t_max),
                x,
                method=method,
                rtol=rtol,
                atol=atol,
                events=[ev_done, ev_decade],
                **kw,
            )
    except _Diverged as e:
        seconds = time.perf_counter() - start
        with np.errstate(all="ignore"):
            return FlowResult(
                e.y, e.t, "diverged", gnorm(e.y), model.loss(e.y), nfev, seconds, f"|x| exceeded {bound:g}"
            )
    except (ValueError, ArithmeticError, np.linalg.LinAlgError) as e:
        seconds = time.perf_counter() - start
        return FlowResult(x, 0.0, "failed", g0, model.loss(x), nfev, seconds, f"the integrator stopped: {e}")
    seconds = time.perf_counter() - start
    xe = sol.y[:, -1]
    x_dec = sol.y_events[1][0] if len(sol.y_events[1]) else None
    gn = gnorm(xe)
    loss = model.loss(xe)
    if not np.all(np.isfinite(xe)):
        return FlowResult(xe, float(sol.t[-1]), "diverged", gn, loss, nfev, seconds, f"|x| exceeded {bound:g}")
    if len(sol.t_events[0]):
        x_dec = x if x_dec is None and g0 <= 10 * gtol else x_dec
        res = FlowResult(xe, float(sol.t_events[0][0]), "converged", gn, loss, nfev, seconds, "", x_dec, x)
        return _classify_end(model, res)
    if sol.status == 0:
        return FlowResult(
            xe, float(sol.t[-1]), "time_limit", gn, loss, nfev, seconds, f"|grad| = {gn:.3g} > gtol at t = {t_max:g}"
        )
    return FlowResult(xe, float(sol.t[-1]), "failed", gn, loss, nfev, seconds, str(sol.message))


class _Diverged(Exception):
    def __init__(self, t: float, y: np.ndarray):
        super().__init__("diverged")
        self.t, self.y = float(t), np.array(y)


def _classify_end(model: Model, res: FlowResult) -> FlowResult:
    """A point with a vanishing gradient is a saddle when the Hessian has a clearly negative eigenvalue."""
    try:
        lo = _extreme_eigs(model, res.x, 1e-8, which="SA")
    except EigenNotConverged:
        res.message = "converged; the saddle check (smallest Hessian eigenvalue) did not converge"
        return res
    hi = _extreme_eigs(model, res.x, 1e-8, which="LA")
    if lo < -1e-6 * max(1.0, abs(hi)):
        res.status = "saddle"
        res.message = f"the flow stopped where the Hessian has eigenvalue {lo:.3g} < 0"
    return res


# --------------------------------------------------------------------------- GFS sharpness


@dataclass
class GFSResult:
    """The GFS sharpness (``None`` unless the flow converged), its error estimate, and the flow."""

    value: float | None
    error: float | None
    status: str
    flow: FlowResult

    def as_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "error": self.error,
            "status": self.status,
            "grad_norm": self.flow.grad_norm,
            "flow_time": self.flow.t,
            "seconds": self.flow.seconds,
            "message": self.flow.message,
        }


_FLOW_METHODS = {m.lower(): m for m in ("LSODA", "BDF", "Radau", "RK45", "DOP853", "RK23")}


def _flow_method(model: Model, method: Any) -> str:
    """``"fast"`` or a :func:`scipy.integrate.solve_ivp` method name for ``gfs_sharpness(method=...)``."""
    name = str(method).lower() if isinstance(method, str) else ""
    if name in ("auto", "fast"):
        from . import _tail

        if _tail.available(model):
            return "fast"
        if name == "fast":
            raise InvalidArgument(f"method='fast' needs a dense Hessian (at most {DENSE_LIMIT} parameters)")
        return "LSODA"
    if name not in _FLOW_METHODS:
        raise InvalidArgument(f"unknown method {method!r}; choose 'auto', 'fast' or one of {sorted(_FLOW_METHODS)}")
    return _FLOW_METHODS[name]


def gfs_sharpness(
    model: Model,
    x: Any,
    *,
    gtol: float = 1e-9,
    eig_tol: float = 1e-10,
    rtol: float = 1e-10,
    method: str = "auto",
    warm: dict[str, Any] | None = None,
    **flow_kw: Any,
) -> GFSResult:
    """Sharpness of the gradient flow solution from ``x``, with an error estimate.

    The flow runs until ``|grad| <= gtol / 10``; the sharpness is taken there
    and where ``|grad|`` first fell below ``gtol``.  The error estimate is the
    change of the sharpness over that last decade (near a minimiser the flow
    converges linearly, so what is left to change is typically a ninth of it;
    the full change is used because flows with several time scales - the MLP
    example - converge more slowly than one decade per decade), plus the
    eigen-solver tolerance and ``10 rtol |psi|`` for the integration error (an
    allowance checked against the closed form on scalar networks, where the
    observed error is about ``2.5 rtol``).

    ``method="fast"`` (chosen by ``"auto"`` whenever a dense Hessian is
    affordable) integrates only to ``|grad| <= gtol``, projects onto the
    minimisers by Newton steps along the normal space and measures what that
    projection changes.  Its ``integrator`` is ``"auto"`` (from 200
    parameters on ``"DOP853+NDF"``: the explicit order-8 DOP853 for the
    first gradient evaluations, then variable-order NDF whose Newton solves
    use eigendecompositions of the Hessian - partial ones by Lanczos while
    the steps are small, from 320 parameters on; below 200 parameters
    LSODA), ``"DOP853+BDF"`` (the default of version 0.3, SciPy's solvers),
    ``"BDF"`` (BDF from the start: the default of version 0.2), ``"LSODA"``
    or ``"Radau"``.  ``"lsoda"`` (or any :func:`gradient_flow` method) is the
    path described above.  ``warm`` is a dict kept between calls (e.g. along
    a GD run): it seeds Lanczos with the previous top eigenvector and, with
    the NDF, its Newton iterations with the previous flow's Hessian
    eigendecompositions (new ones are made only where those fail).  It
    changes what is computed by no more than the integration tolerance (the
    seed of Lanczos not at all).

    Examples
    --------
    >>> import sympy as sp
    >>> a, b = sp.symbols("a b")
    >>> m = Model.from_sympy((1 - a * b) ** 2 / 2, [a, b])
    >>> r = gfs_sharpness(m, [0.5, 3.0])  # closed form: sqrt((9 - 0.25)^2 + 4)
    >>> err = abs(r.value - (8.75**2 + 4) ** 0.5)
    >>> r.status, bool(err < 1e-9), bool(err <= r.error < 1e-7)
    ('converged', True, True)
    """
    gtol = check_positive(gtol, "gtol")
    method = _flow_method(model, method)
    if method == "fast":
        from . import _tail

        x = check_vector(x, model.n_params, "x")
        rtol = check_positive(rtol, "rtol")
        value, error, flow = _tail.fast_gfs(model, x, gtol=gtol, rtol=rtol, warm=warm, scipy=_scipy(), **flow_kw)
        return GFSResult(value, error, flow.status, flow)
    if "integrator" in flow_kw:
        raise InvalidArgument(f"integrator= applies to method='fast' (or 'auto'), not to method={method.lower()!r}")
    flow = gradient_flow(model, x, gtol=gtol / 10, rtol=rtol, method=method, **flow_kw)
    if flow.status != "converged":
        return GFSResult(None, None, flow.status, flow)
    value = _extreme_eigs(model, flow.x, eig_tol)
    err = eig_tol * max(1.0, abs(value)) + 10 * rtol * abs(value)
    earlier = flow.x_decade if flow.x_decade is not None else flow.x0
    err += abs(value - _extreme_eigs(model, earlier, eig_tol))
    return GFSResult(value, err, "converged", flow)


# --------------------------------------------------------------------------- gradient descent


@dataclass
class GDRecord:
    """A GD run: loss every step, sharpness every ``sharpness_every`` steps, GFS sharpness every ``gfs_every``."""

    eta: float
    loss: np.ndarray
    sharpness_t: np.ndarray
    sharpness: np.ndarray
    gfs_t: np.ndarray
    gfs: np.ndarray
    gfs_error: np.ndarray
    gfs_status: list[str]
    gfs_seconds: np.ndarray
    x: np.ndarray
    status: str
    steps: int


def gd(
    model: Model,
    x0: Any,
    eta: Any,
    steps: int,
    *,
    gfs_every: int | None = 10,
    sharpness_every: int = 1,
    gtol: float = 1e-9,
    callback: Callable[[int], None] | None = None,
    **flow_kw: Any,
) -> GDRecord:
    """Run GD ``x <- x - eta grad L(x)`` and record what is asked.

    ``gfs_every=None`` skips the GFS sharpness; otherwise it is computed at
    iterates ``0, k, 2k, ...`` and at the last one.  A run whose loss leaves
    the float64 range stops with ``status = "diverged"``.
    """
    x = check_vector(x0, model.n_params, "x0")
    eta = check_positive(eta, "eta")
    steps = check_steps(steps)
    for nm, k in (("gfs_every", gfs_every), ("sharpness_every", sharpness_every)):
        if k is not None and (isinstance(k, bool) or not isinstance(k, int) or k < 1):
            raise InvalidArgument(f"{nm} must be a positive integer, got {k!r}")
    losses, s_t, s_v, g_t, g_v, g_e, g_s, g_sec = [], [], [], [], [], [], [], []
    warm: dict[str, Any] = {}  # seeds the fast path's Lanczos with the previous GFS's top eigenvector
    status = "ok"
    t = 0
    for t in range(steps + 1):
        with np.errstate(over="ignore", invalid="ignore"):  # divergence is detected below
            loss = model.loss(x)
        if not math.isfinite(loss) or abs(loss) > 1e150:
            status = "diverged"
            break
        losses.append(loss)
        last = t == steps
        if sharpness_every and (t % sharpness_every == 0 or last):
            s_t.append(t)
            s_v.append(_tracked_sharpness(model, x, warm))
        if gfs_every is not None and (t % gfs_every == 0 or last):
            r = gfs_sharpness(model, x, gtol=gtol, warm=warm, **flow_kw)
            g_t.append(t)
            g_v.append(np.nan if r.value is None else r.value)
            g_e.append(np.nan if r.error is None else r.error)
            g_s.append(r.status)
            g_sec.append(r.flow.seconds)
        if callback is not None:
            callback(t)
        if not last:
            with np.errstate(over="ignore", invalid="ignore"):
                x = x - eta * model.grad(x)
    return GDRecord(
        eta=eta,
        loss=np.array(losses),
        sharpness_t=np.array(s_t, dtype=int),
        sharpness=np.array(s_v),
        gfs_t=np.array(g_t, dtype=int),
        gfs=np.array(g_v),
        gfs_error=np.array(g_e),
        gfs_status=g_s,
        gfs_seconds=np.array(g_sec),
        x=x,
        status=status,
        steps=t,
    )


def _tracked_sharpness(model: Model, x: np.ndarray, warm: dict[str, Any]) -> float:
    """The sharpness along a GD run: dense up to 64 parameters, else Lanczos started from the last top eigenvector.

    Lanczos (ARPACK, tolerance 1e-14) needs a few dozen Hessian-vector
    products from a warm start where the dense path needs the whole Hessian
    and its eigenvalues; if it does not converge, the dense (or cold
    Lanczos) value is taken.
    """
    if model.n_params <= 64:
        return _extreme_eigs(model, x, 1e-10)
    from . import _tail

    try:
        value, _, v = _tail.top_eig(model, x, warm.get("s"), _scipy())
    except (_scipy().sparse.linalg.ArpackNoConvergence, ArithmeticError, ValueError):
        return _extreme_eigs(model, x, 1e-10)
    warm["s"] = v
    return value


def summarize(rec: GDRecord, *, rtol: float = 1e-9) -> dict[str, Any]:
    """Did the GFS sharpness decrease monotonically?  Largest increase, final values relative to ``2/eta``.

    An increase counts only when it exceeds the two error estimates plus
    ``rtol`` relative; points whose flow did not converge are reported apart.
    """
    ok = np.array([s == "converged" for s in rec.gfs_status], dtype=bool)
    v, e, t = rec.gfs[ok], rec.gfs_error[ok], rec.gfs_t[ok]
    d = np.diff(v)
    margin = e[1:] + e[:-1] + rtol * np.abs(v[:-1])
    rel = d / v[:-1] if v.size > 1 else np.array([])
    th = 2.0 / rec.eta
    return {
        "gfs_points": len(rec.gfs_status),
        "gfs_converged": int(ok.sum()),
        "gfs_not_converged": {s: rec.gfs_status.count(s) for s in set(rec.gfs_status) if s != "converged"},
        "monotone": bool(np.all(d <= margin)) if v.size > 1 else None,
        "increases": int(np.sum(d > margin)),
        "increase_steps": [[int(a), int(b)] for a, b, up in zip(t[:-1], t[1:], d > margin, strict=True) if up],
        "largest_increase": float(np.max(rel)) if rel.size else None,
        "largest_increase_beyond_error": float(np.max((d - margin) / v[:-1])) if rel.size else None,
        "first_gfs_over_threshold": float(v[0] / th) if v.size else None,
        "final_gfs_over_threshold": float(v[-1] / th) if v.size else None,
        "final_sharpness_over_threshold": float(rec.sharpness[-1] / th) if rec.sharpness.size else None,
        # loss increases above rounding (once the loss is ~1e-30 its last bits flicker)
        "loss_increases": int(
            np.sum((np.diff(rec.loss) > 1e-9 * rec.loss[:-1]) & (rec.loss[:-1] > 1e-20 * rec.loss[0]))
        ),
        "seconds_per_gfs": float(np.mean(rec.gfs_seconds)) if rec.gfs_seconds.size else None,
        "status": rec.status,
        "steps": rec.steps,
        "eta": rec.eta,
    }

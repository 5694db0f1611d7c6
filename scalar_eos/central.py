"""The central flow of gradient descent at the edge of stability.

GD with step size :math:`\\eta` oscillates along the top Hessian eigenvector once
the sharpness :math:`S(w) = \\lambda_{\\max}(\\nabla^2 L(w))` reaches
:math:`2/\\eta`.  Averaged over the oscillation, GD follows the *central flow*
(Cohen, Damian, Talwalkar, Kolter and Lee, 2024/2025)

.. math::

    \\frac{dw}{dt} = -\\eta\\Big[\\nabla L(w) + \\tfrac12\\,\\sigma^2\\,\\nabla S(w)\\Big],

with ``t`` counted in GD steps (GD iterate ``k`` is compared with the flow at
``t = k``; gradient-flow time is ``eta * t``) and :math:`\\sigma^2 \\ge 0` the
variance of the oscillation along the top eigenvector, fixed by the
complementarity condition :math:`\\sigma^2 \\ge 0,\\ \\eta S \\le 2,\\
\\sigma^2 (2 - \\eta S) = 0`: below the edge :math:`\\sigma^2 = 0` (gradient
flow); on the edge it is the smallest value that keeps ``S`` from rising,

.. math::

    \\sigma^2 = \\max\\Big(0, -\\frac{2\\langle \\nabla S, \\nabla L\\rangle}{|\\nabla S|^2}\\Big),

(``dS/dt = <grad S, dw/dt> = 0``).  Then the flow is the gradient flow of ``L``
projected onto the level set ``eta S = 2``.

**Predicted time-averaged loss.**  Write GD as ``w = w_bar + x u`` with ``u``
the top eigenvector, ``E[x] = 0``, ``E[x^2] = sigma^2``.  Taylor expansion,
averaged over ``x``:

.. math::

    E[L(\\bar w + x u)] = L(\\bar w) + \\tfrac12 \\sigma^2 u^\\top \\nabla^2 L u
    = L(\\bar w) + \\tfrac12 \\sigma^2 S(\\bar w),

(and ``E[grad L(w_bar + x u)] = grad L + 1/2 sigma^2 grad S`` gives the flow
itself).  On the edge ``S = 2/eta`` so the term is ``sigma^2 / eta``.

**Exact ingredients.**  For a scalar network ``H = m (g g^T + r P)`` with
``g = grad pi``, ``P = Hess pi``, ``r = pi - y``.  While the top eigenvalue is
simple, with unit top eigenvector ``v``,

.. math::

    \\nabla S = m\\big[2 (g\\cdot v) P v + (v^\\top P v)\\, g + r\\, T(v, v)\\big],
    \\qquad T(v,v)_k = \\sum_{i\\ne j,\\ i,j\\ne k} v_i v_j \\prod_{l\\notin\\{i,j,k\\}} w_l,

all read off the degree-2 truncations of :math:`\\prod_{l\\ne k}(w_l + t v_l)`
(exact for zero weights).  For a generic :class:`~scalar_eos.generic.Model`,
:math:`\\nabla S = \\frac{d}{d\\epsilon} H(w + \\epsilon v) v` by a Richardson-
extrapolated central difference of Hessian-vector products.

**Integration.**  Dormand-Prince 5(4) with error control on two smooth
vector fields (below the edge: ``sigma^2 = 0``; on the edge: ``sigma^2`` from
the formula without the clip, plus a Newton projection back onto
``eta S = 2`` after each step), glued at located events: *entering* the edge
(``eta S`` reaches 2) and *leaving* it (``sigma^2`` falls to 0).  A start
above the edge (``eta S(w0) > 2``) is first moved onto the edge in zero time by
Newton steps along ``grad S`` (the limit of the reference discretisation,
whose first sub-step removes the linearised excess of ``S``; or, with
``jump="descent"``, along the steepest-descent curve of ``S``); the event
``"projected onto the edge"`` records the jump.  If the top two
eigenvalues come within ``crossing_tol * S`` of each other while on the edge,
``grad S`` is not defined: the run stops with status ``"eigenvalue_crossing"``.

**Measured agreement with GD**: see :mod:`scalar_eos.edge` (GD's two-step
average against the flow; near the edge within 2.7e-2 relative over 300 steps,
far above the edge GD's catapult ends at ``eta S = 0.70`` while the flow ends
at 2).

Status values: ``"converged"`` (``kind`` is ``"minimum"``, ``"edge"`` for a
stationary point on the edge with ``sigma^2 > 0`` -- GD then oscillates around
it -- or ``"saddle"``), ``"time_limit"``, ``"step_limit"``,
``"eigenvalue_crossing"``, ``"degenerate"`` (``grad S = 0`` on the edge) and
``"diverged"``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import _ode
from .errors import InvalidArgument

__all__ = ["CentralFlow", "ScalarNet", "central_flow", "check_positive", "finite_vector", "sharpness_gradient"]

STATUSES = ("converged", "time_limit", "step_limit", "eigenvalue_crossing", "degenerate", "diverged")


# ----------------------------------------------------------------------------- problems


def finite_vector(w: Any, name: str, n: int | None = None) -> np.ndarray:
    if isinstance(w, str | bytes):
        raise InvalidArgument(f"{name} must be a sequence of numbers, got the string {w!r}")
    try:
        arr = np.array(w, dtype=float)
    except (TypeError, ValueError):
        raise InvalidArgument(f"{name} must be a sequence of real numbers, got {w!r}") from None
    if arr.ndim != 1 or arr.size == 0:
        raise InvalidArgument(f"{name} must be a non-empty one-dimensional sequence, got shape {arr.shape}")
    if n is not None and arr.size != n:
        raise InvalidArgument(f"{name} must have {n} entries, got {arr.size}")
    if not np.all(np.isfinite(arr)):
        raise InvalidArgument(f"{name} must be finite, got {w!r}")
    return arr


def check_positive(x: Any, name: str) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError):
        raise InvalidArgument(f"{name} must be a positive real number, got {x!r}") from None
    if not (math.isfinite(v) and v > 0):
        raise InvalidArgument(f"{name} must be positive and finite, got {name}={x!r}")
    return v


def _quad_products(w: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Row ``k``: coefficients of ``t^0, t^1, t^2`` in ``prod_{l != k} (w_l + t v_l)``."""
    d = w.size

    def mul(a: np.ndarray, wl: float, vl: float) -> np.ndarray:
        return np.array([a[0] * wl, a[1] * wl + a[0] * vl, a[2] * wl + a[1] * vl])

    prefix = [np.array([1.0, 0.0, 0.0])]
    for l in range(d - 1):  # noqa: E741
        prefix.append(mul(prefix[-1], w[l], v[l]))
    out = np.empty((d, 3))
    suffix = np.array([1.0, 0.0, 0.0])
    for k in range(d - 1, -1, -1):
        a, b = prefix[k], suffix
        out[k] = [a[0] * b[0], a[0] * b[1] + a[1] * b[0], a[0] * b[2] + a[1] * b[1] + a[2] * b[0]]
        suffix = mul(suffix, w[k], v[k])
    return out


def _others(w: np.ndarray) -> np.ndarray:
    if _divisible(w):
        return float(np.prod(w)) / w
    return _quad_products(w, np.zeros_like(w))[:, 0]


def _divisible(w: np.ndarray) -> bool:
    """Whether ``pi / w_i`` is accurate (no zero, tiny or huge magnitudes)."""
    a = np.abs(w)
    p = float(np.prod(a))
    return bool(a.min() > 1e-100 and 1e-250 < p < 1e250)


@dataclass(frozen=True)
class ScalarNet:
    """The scalar network ``L(w) = m/2 (prod w - y)^2`` as a central-flow problem (float64).

    Examples
    --------
    >>> net = ScalarNet(target=1.0)
    >>> s, v, gap = net.top(np.array([1.0, 1.0]))
    >>> round(s, 12), round(gap, 12)
    (2.0, 2.0)
    """

    target: float = 1.0
    scale: float = 1.0

    def loss(self, w: np.ndarray) -> float:
        r = float(np.prod(w)) - self.target
        return 0.5 * self.scale * r * r

    def grad(self, w: np.ndarray) -> np.ndarray:
        return self.scale * (float(np.prod(w)) - self.target) * _others(w)

    def hessian(self, w: np.ndarray) -> np.ndarray:
        d = w.size
        r = float(np.prod(w)) - self.target
        if _divisible(w):
            g = float(np.prod(w)) / w
            p = np.outer(g, 1 / w)
        else:
            g = _others(w)
            p = np.zeros((d, d))
            for i in range(d):
                wi = w.copy()
                wi[i] = 1.0
                p[i] = _others(wi)
        np.fill_diagonal(p, 0.0)
        return self.scale * (np.outer(g, g) + r * p)

    def top(self, w: np.ndarray) -> tuple[float, np.ndarray, float]:
        """Top eigenvalue, a unit top eigenvector and the gap to the second eigenvalue."""
        ev, vec = np.linalg.eigh(self.hessian(w))
        gap = float(ev[-1] - ev[-2]) if ev.size > 1 else math.inf
        return float(ev[-1]), vec[:, -1], gap

    def spectral_radius(self, w: np.ndarray) -> float:
        """Largest ``|eigenvalue|`` of the Hessian (bounds the stable Runge-Kutta step)."""
        return float(np.max(np.abs(np.linalg.eigvalsh(self.hessian(w)))))

    def grad_sharpness(self, w: np.ndarray, v: np.ndarray) -> np.ndarray:
        """``d/dw (v^T H(w) v)`` for a fixed unit vector ``v`` (exact formula)."""
        if _divisible(w):  # O(D) with a_i = v_i / w_i
            pi = float(np.prod(w))
            a = v / w
            big_a, big_b = float(a.sum()), float(a @ a)
            g = pi / w
            pv = g * (big_a - a)
            tvv = g * ((big_a - a) ** 2 - (big_b - a * a))
            vpv = pi * (big_a * big_a - big_b)
        else:  # zero or tiny weights: degree-2 truncated products, no division
            q = _quad_products(w, v)
            g, pv, tvv = q[:, 0], q[:, 1], 2 * q[:, 2]
            full = _quad_products(np.append(w, 1.0), np.append(v, 0.0))[-1]  # prod_l (w_l + t v_l)
            vpv = 2 * full[2]
        r = float(np.prod(w)) - self.target
        return self.scale * (2 * float(g @ v) * pv + vpv * g + r * tvv)

    def grad_scale(self, w: np.ndarray) -> float:
        """Natural size of the gradient near a minimiser: ``m |y| |grad pi|``."""
        return self.scale * abs(self.target) * float(np.linalg.norm(_others(w))) + 1e-300


class _ModelProblem:
    """A generic model (``loss``, ``grad``, ``hvp``; dense Hessian for the eigenpairs)."""

    def __init__(self, model: Any, x0: np.ndarray):
        for name in ("loss", "grad", "hvp", "dense_hessian"):
            if not callable(getattr(model, name, None)):
                raise InvalidArgument(f"model must provide a callable {name!r} (a scalar_eos.generic.Model)")
        self.model = model
        self._scale = 1.0 + float(np.linalg.norm(model.grad(x0)))

    def loss(self, w: np.ndarray) -> float:
        return float(self.model.loss(w))

    def grad(self, w: np.ndarray) -> np.ndarray:
        return np.asarray(self.model.grad(w), dtype=float)

    def top(self, w: np.ndarray) -> tuple[float, np.ndarray, float]:
        ev, vec = np.linalg.eigh(self.model.dense_hessian(w))
        gap = float(ev[-1] - ev[-2]) if ev.size > 1 else math.inf
        return float(ev[-1]), vec[:, -1], gap

    def spectral_radius(self, w: np.ndarray) -> float:
        return float(np.max(np.abs(np.linalg.eigvalsh(self.model.dense_hessian(w)))))

    def grad_sharpness(self, w: np.ndarray, v: np.ndarray) -> np.ndarray:
        h = 1e-3 * max(1.0, float(np.linalg.norm(w)))

        def diff(e: float) -> np.ndarray:
            return (np.asarray(self.model.hvp(w + e * v, v)) - np.asarray(self.model.hvp(w - e * v, v))) / (2 * e)

        return (4 * diff(h / 2) - diff(h)) / 3  # Richardson: error O(h^4)

    def grad_scale(self, w: np.ndarray) -> float:
        return self._scale


def sharpness_gradient(w: Any, *, target: float = 1.0, scale: float = 1.0) -> tuple[float, np.ndarray]:
    """Top Hessian eigenvalue ``S`` of the scalar network and its exact gradient.

    Valid where the top eigenvalue is simple (the gradient is not defined at a
    crossing; the gap is checked and a crossing raises).

    Examples
    --------
    >>> s, gs = sharpness_gradient([1.0, 1.0])
    >>> round(s, 12), gs.round(12).tolist()
    (2.0, [3.0, 3.0])
    """
    w = finite_vector(w, "weights")
    net = ScalarNet(float(target), check_positive(scale, "scale"))
    s, v, gap = net.top(w)
    if gap <= 1e-9 * max(1.0, abs(s)):
        raise InvalidArgument(f"the top Hessian eigenvalue is not simple at w (gap {gap:.3g}); grad S is undefined")
    return s, net.grad_sharpness(w, v)


# ----------------------------------------------------------------------------- result


@dataclass
class CentralFlow:
    """A central-flow run.

    Attributes
    ----------
    t : ndarray (T,)
        Times (in GD steps) of the recorded states: every accepted step.
    weights : ndarray (T, D)
    sigma2, sharpness, loss, predicted_loss : ndarray (T,)
        ``sigma^2``, ``S``, ``L`` and the predicted time-averaged GD loss
        ``L + sigma^2 S / 2`` at each recorded state.
    on_edge : ndarray (T,) of bool
    events : list of (float, str)
        ``(t, "entered the edge" | "left the edge" | "projected onto the edge")``.
    status, kind : str
        See the module docstring.
    eta : float
    samples : dict
        ``{"t": (K,), "weights": (K, D)}`` at the requested ``times`` (hit exactly).
    jump : float
        Length of the initial projection onto the edge (0 if none).
    """

    t: np.ndarray
    weights: np.ndarray
    sigma2: np.ndarray
    sharpness: np.ndarray
    loss: np.ndarray
    predicted_loss: np.ndarray
    on_edge: np.ndarray
    events: list[tuple[float, str]]
    status: str
    kind: str
    eta: float
    samples: dict[str, np.ndarray] = field(default_factory=dict)
    jump: float = 0.0

    @property
    def final(self) -> np.ndarray:
        """The last state (the end point when ``status == "converged"``)."""
        return self.weights[-1]

    @property
    def final_sharpness(self) -> float:
        return float(self.sharpness[-1])

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary (final state, events, status)."""
        return {
            "status": self.status,
            "kind": self.kind,
            "eta": self.eta,
            "t_final": float(self.t[-1]),
            "final": [float(x) for x in self.final],
            "final_sharpness": self.final_sharpness,
            "final_eta_sharpness": self.eta * self.final_sharpness,
            "final_loss": float(self.loss[-1]),
            "final_sigma2": float(self.sigma2[-1]),
            "final_predicted_loss": float(self.predicted_loss[-1]),
            "jump": self.jump,
            "events": [[float(t), e] for t, e in self.events],
            "steps": len(self.t),
        }


# ----------------------------------------------------------------------------- integrator


class _Flow:
    def __init__(self, prob: Any, eta: float, crossing_tol: float):
        self.p, self.eta, self.crossing_tol = prob, eta, crossing_tol

    def state(self, w: np.ndarray) -> dict[str, Any]:
        s, v, gap = self.p.top(w)
        gl = self.p.grad(w)
        gs = self.p.grad_sharpness(w, v)
        n2 = float(gs @ gs)
        raw = -2 * float(gs @ gl) / n2 if n2 > 0 else math.nan
        return {"S": s, "gap": gap, "gL": gl, "gS": gs, "raw": raw, "n2": n2}

    def below(self, w: np.ndarray) -> np.ndarray:
        return -self.eta * self.p.grad(w)

    def edge(self, w: np.ndarray) -> np.ndarray:
        st = self.state(w)
        if not st["n2"] > 0:
            raise _Stop("degenerate")
        return -self.eta * (st["gL"] + 0.5 * st["raw"] * st["gS"])

    def descent(self, w: np.ndarray) -> np.ndarray:
        _, v, _ = self.p.top(w)
        gs = self.p.grad_sharpness(w, v)
        n2 = float(gs @ gs)
        if not n2 > 0:
            raise _Stop("degenerate")
        return -gs / n2  # dS/dtau = -1

    def phi(self, w: np.ndarray) -> float:
        return self.eta * self.p.top(w)[0] - 2

    def project(self, w: np.ndarray) -> np.ndarray:
        """Newton steps along grad S onto eta S = 2."""
        for _ in range(4):
            s, v, _ = self.p.top(w)
            excess = s - 2 / self.eta
            if abs(excess) <= 1e-15 * abs(s):
                break
            gs = self.p.grad_sharpness(w, v)
            w = w - excess * gs / float(gs @ gs)
        return w


def _newton_jump(fl: _Flow, w: np.ndarray) -> np.ndarray | None:
    """Newton steps ``w - (S - 2/eta) grad S / |grad S|^2`` to convergence (None if they fail)."""
    target = 2 / fl.eta
    last = math.inf
    for _ in range(60):
        s, v, _ = fl.p.top(w)
        excess = s - target
        if abs(excess) <= 1e-15 * abs(s):
            return w
        if not abs(excess) < last:
            return None
        last = abs(excess)
        gs = fl.p.grad_sharpness(w, v)
        n2 = float(gs @ gs)
        if not n2 > 0:
            return None
        w = w - excess * gs / n2
        if not np.all(np.isfinite(w)):
            return None
    return None


def _descent_jump(fl: _Flow, w: np.ndarray, rtol: float, atol: float) -> np.ndarray:
    """Follow the steepest-descent curve of ``S`` (parametrised by ``S`` itself) down to ``eta S = 2``."""
    tau_end = fl.phi(w) / fl.eta
    tau, h = 0.0, tau_end / 10
    while tau < tau_end * (1 - 1e-14):
        h = min(h, tau_end - tau)
        w_new, err = _ode.rk_step(fl.descent, w, h)
        ratio = _ode.error_ratio(err, w, w_new, rtol, atol)
        if ratio <= 1:
            tau, w = tau + h, w_new
        h = _ode.next_h(h, ratio)
    return fl.project(w)


def _jump(fl: _Flow, w: np.ndarray, kind: str, rtol: float, atol: float) -> np.ndarray:
    if kind == "newton":
        out = _newton_jump(fl, w)
        if out is not None:
            return out
    return _descent_jump(fl, w, rtol, atol)


class _Stop(Exception):
    def __init__(self, status: str):
        self.status = status


def _locate(fn: Any, h: float, g0: float, g1: float, tol: float) -> float:
    """Illinois root of ``fn`` on ``[0, h]`` with ``fn(0) = g0 < 0 < g1 = fn(h)``."""
    a, b, fa, fb = 0.0, h, g0, g1
    side = 0
    for _ in range(100):
        c = (a * fb - b * fa) / (fb - fa)
        fc = fn(c)
        if fc == 0 or (b - a) <= tol * h:
            return c
        if fc < 0:
            a, fa = c, fc
            if side == -1:
                fb /= 2
            side = -1
        else:
            b, fb = c, fc
            if side == 1:
                fa /= 2
            side = 1
    return b


def _run(
    prob: Any,
    w0: np.ndarray,
    eta: float,
    *,
    t_max: float,
    times: np.ndarray,
    rtol: float,
    ftol: float,
    max_steps: int,
    crossing_tol: float,
    jump_kind: str = "newton",
) -> CentralFlow:
    fl = _Flow(prob, eta, crossing_tol)
    atol = rtol * 1e-3 * max(1.0, float(np.max(np.abs(w0))))
    edge_tol = 1e-10
    rec: dict[str, list[Any]] = {k: [] for k in ("t", "w", "s2", "S", "L", "edge")}
    events: list[tuple[float, str]] = []
    samples: list[np.ndarray] = []
    status, jump = "time_limit", 0.0

    def record(t: float, w: np.ndarray, edge: bool) -> dict[str, Any]:
        st = fl.state(w)
        s2 = max(0.0, st["raw"]) if edge else 0.0
        for k, v in (("t", t), ("w", w.copy()), ("s2", s2), ("S", st["S"]), ("L", prob.loss(w)), ("edge", edge)):
            rec[k].append(v)
        return st

    w, t = w0.copy(), 0.0
    edge = False
    try:
        if fl.phi(w) > edge_tol:  # start above the edge: move onto eta S = 2 in zero time
            start = w.copy()
            w = _jump(fl, w, jump_kind, rtol, atol)
            jump = float(np.linalg.norm(w - start))
            events.append((0.0, "projected onto the edge"))
        st = fl.state(w)
        edge = abs(fl.phi(w)) <= edge_tol and st["raw"] > 0
        if edge and not events:
            events.append((0.0, "entered the edge"))
        st = record(t, w, edge)
        h = 0.01 / max(1e-300, eta * float(np.linalg.norm(st["gL"])) / max(1.0, float(np.linalg.norm(w))))
        h = min(h, 1.0)
        sample_i = 0
        while len(rec["t"]) <= max_steps:
            if np.linalg.norm(st["gL"] + 0.5 * (rec["s2"][-1]) * st["gS"]) <= ftol * prob.grad_scale(w):
                status = "converged"
                break
            if t >= t_max:
                break
            t_next = times[sample_i] if sample_i < times.size else t_max
            # stay well inside the stability region of the explicit method: h * eta * |lambda| <= 2.5
            h = min(h, t_next - t, 2.5 / max(1e-300, eta * prob.spectral_radius(w)))
            f = fl.edge if edge else fl.below
            w_new, err = _ode.rk_step(f, w, h)
            ratio = _ode.error_ratio(err, w, w_new, rtol, atol)
            if ratio > 1:
                h = _ode.next_h(h, ratio)
                continue
            h_used, switch = h, False
            if not edge:
                p1 = fl.phi(w_new)
                if p1 > edge_tol:
                    p0 = fl.phi(w)

                    def phi_at(c: float, f: Any = f, w: np.ndarray = w) -> float:
                        return fl.phi(_ode.rk_step(f, w, c)[0])

                    h_used = 0.0 if p0 >= 0 else _locate(phi_at, h, p0, p1, 1e-13)
                    cand = fl.project(_ode.rk_step(f, w, h_used)[0] if h_used > 0 else w.copy())
                    switch = fl.state(cand)["raw"] > 0
                    if switch:
                        w_new = cand
                    else:  # tangency: gradient flow does not push S up here; take the plain step
                        h_used = h
            else:
                w_new = fl.project(w_new)
                r1 = fl.state(w_new)["raw"]
                if r1 < 0:
                    r0 = fl.state(w)["raw"]

                    def neg_raw(c: float, f: Any = f, w: np.ndarray = w) -> float:
                        return -fl.state(fl.project(_ode.rk_step(f, w, c)[0]))["raw"]

                    h_used = _locate(neg_raw, h, -r0, -r1, 1e-13)
                    w_new = fl.project(_ode.rk_step(f, w, h_used)[0])
                    switch = True
            if not np.all(np.isfinite(w_new)):
                raise _Stop("diverged")
            t = t_next if h_used == h and h == t_next - t else t + h_used
            w = w_new
            if switch:
                edge = not edge
                events.append((t, "entered the edge" if edge else "left the edge"))
            st = record(t, w, edge)
            if edge and st["gap"] <= crossing_tol * abs(st["S"]):
                raise _Stop("eigenvalue_crossing")
            if sample_i < times.size and t == times[sample_i]:
                samples.append(w.copy())
                sample_i += 1
            if h_used == h:
                h = _ode.next_h(h, ratio)
        else:
            status = "step_limit"
    except _Stop as stop:
        status = stop.status
    except (FloatingPointError, np.linalg.LinAlgError):
        status = "diverged"
    if not rec["t"]:
        raise InvalidArgument(f"the central flow cannot start at w0={w0.tolist()} (status {status})")
    s2 = np.array(rec["s2"])
    sharp = np.array(rec["S"])
    lossv = np.array(rec["L"])
    kind = "none"
    if status == "converged":
        rel = 2 * lossv[-1] / (getattr(prob, "scale", 1.0) * getattr(prob, "target", 1.0) ** 2)
        kind = "edge" if (rec["edge"][-1] and s2[-1] > 0 and rel > 1e-20) else ("minimum" if rel < 1e-20 else "saddle")
        if not isinstance(prob, ScalarNet):
            kind = "edge" if (rec["edge"][-1] and s2[-1] > 0) else "stationary"
    k = len(samples)
    return CentralFlow(
        t=np.array(rec["t"]),
        weights=np.array(rec["w"]),
        sigma2=s2,
        sharpness=sharp,
        loss=lossv,
        predicted_loss=lossv + 0.5 * s2 * sharp,
        on_edge=np.array(rec["edge"], dtype=bool),
        events=events,
        status=status,
        kind=kind,
        eta=eta,
        samples={"t": times[:k].copy(), "weights": np.array(samples).reshape(k, w0.size)},
        jump=jump,
    )


# ----------------------------------------------------------------------------- public API


def central_flow(
    w0: Any,
    eta: Any,
    *,
    target: Any = 1.0,
    scale: Any = 1.0,
    model: Any = None,
    t_max: Any = None,
    times: Any = None,
    rtol: float = 1e-11,
    ftol: float = 1e-12,
    max_steps: int = 20_000,
    crossing_tol: float = 1e-6,
    jump: str = "newton",
) -> CentralFlow:
    """Integrate the central flow of GD with step size ``eta`` from ``w0``.

    Parameters
    ----------
    w0 : sequence of real numbers
        Initial weights (or parameters of ``model``).
    eta : real, positive
        GD step size; time ``t`` is counted in GD steps.
    target, scale : real
        Scalar network ``L = scale/2 (prod w - target)^2`` (ignored with ``model``).
    model : scalar_eos.generic.Model, optional
        A generic model (``loss``, ``grad``, ``hvp``, ``dense_hessian``) instead
        of the scalar network; its top Hessian eigenvalue must be simple.
    t_max : real, optional
        Stop at this time (default: run until converged or ``max_steps``).
    times : increasing sequence of reals, optional
        Times at which the state is returned exactly (``result.samples``).
    rtol : float
        Local relative error tolerance of the Runge-Kutta steps.
    ftol : float
        Convergence: ``|grad L + sigma^2 grad S / 2| <= ftol * m |y| |grad pi|``
        (scalar network; relative to ``1 + |grad L(w0)|`` for a model).
    max_steps : int
        Budget of accepted steps (status ``"step_limit"`` when exhausted).
    crossing_tol : float
        Relative eigenvalue gap under which the top eigenvalue counts as crossed.
    jump : ``"newton"`` or ``"descent"``
        A start above the edge is first moved onto ``eta S = 2`` in zero time:
        ``"newton"`` by Newton steps ``w - (S - 2/eta) grad S / |grad S|^2``
        (the limit of the reference discretisation, whose first sub-step
        removes the linearised excess of ``S``; falls back to ``"descent"`` if
        they fail), ``"descent"`` along the steepest-descent curve of ``S``.

    Returns
    -------
    CentralFlow

    Examples
    --------
    Below the edge the central flow is gradient flow:

    >>> cf = central_flow([0.5, 1.5], 0.1)
    >>> cf.status, cf.kind, float(cf.sigma2.max())
    ('converged', 'minimum', 0.0)

    Above the edge it ends on a minimiser with sharpness exactly ``2/eta``:

    >>> cf = central_flow([0.5, 2.1, 1.0], 0.45)
    >>> cf.status, cf.kind, round(0.45 * cf.final_sharpness, 10)
    ('converged', 'minimum', 2.0)
    """
    eta_f = check_positive(eta, "eta")
    if model is None:
        w = finite_vector(w0, "weights")
        try:
            y = float(target)
        except (TypeError, ValueError):
            raise InvalidArgument(f"target must be a non-zero real number, got {target!r}") from None
        if not math.isfinite(y) or y == 0:
            raise InvalidArgument(f"target must be finite and non-zero, got target={target!r}")
        prob: Any = ScalarNet(y, check_positive(scale, "scale"))
    else:
        n = getattr(model, "n_params", None)
        w = finite_vector(w0, "x0", n)
        prob = _ModelProblem(model, w)
    tm = math.inf if t_max is None else float(t_max)
    if not (tm > 0):
        raise InvalidArgument(f"t_max must be positive, got t_max={t_max!r}")
    if times is None:
        ts = np.zeros(0)
    else:
        ts = np.atleast_1d(np.asarray(times, dtype=float))
        if ts.ndim != 1 or not np.all(np.isfinite(ts)) or np.any(ts < 0) or np.any(np.diff(ts) <= 0):
            raise InvalidArgument("times must be finite, non-negative and strictly increasing")
        if t_max is None:
            tm = float(ts[-1]) if ts.size else tm
    for name, val in (("rtol", rtol), ("ftol", ftol), ("crossing_tol", crossing_tol)):
        check_positive(val, name)
    if isinstance(max_steps, bool) or not isinstance(max_steps, int) or max_steps < 1:
        raise InvalidArgument(f"max_steps must be a positive integer, got {max_steps!r}")
    if jump not in ("newton", "descent"):
        raise InvalidArgument(f"jump must be 'newton' or 'descent', got jump={jump!r}")
    with np.errstate(over="raise", invalid="raise"):
        return _run(
            prob,
            w,
            eta_f,
            t_max=tm,
            times=ts,
            rtol=rtol,
            ftol=ftol,
            max_steps=max_steps,
            crossing_tol=crossing_tol,
            jump_kind=jump,
        )

"""Result type and event-driven integrator of the central flow (see :mod:`scalar_eos.central`)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import _ode
from ..errors import InvalidArgument
from ._spectrum import ScalarNet

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

    def check_gap(self, w: np.ndarray) -> None:
        """Stop with ``"eigenvalue_crossing"`` where the top eigenvalue is not simple (``grad S`` undefined)."""
        s, _, gap = self.p.top(w)
        if gap <= self.crossing_tol * abs(s):
            raise _Stop("eigenvalue_crossing")

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
        s, v, gap = fl.p.top(w)
        if gap <= fl.crossing_tol * abs(s):
            raise _Stop("eigenvalue_crossing")
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
    for _ in range(100_000):
        if not tau < tau_end * (1 - 1e-14):
            break
        fl.check_gap(w)
        h = min(h, tau_end - tau)
        if not h > 1e-15 * tau_end:
            raise _Stop("degenerate")
        w_new, err = _ode.rk_step(fl.descent, w, h)
        ratio = _ode.error_ratio(err, w, w_new, rtol, atol)
        if ratio <= 1:
            tau, w = tau + h, w_new
        h = _ode.next_h(h, ratio)
    else:
        raise _Stop("step_limit")
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


def run_flow(
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
            fl.check_gap(w)
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
    if not rec["t"]:  # stopped before the first state (e.g. a crossing at an above-edge start): report w0
        try:
            record(0.0, w0.copy(), False)
        except (FloatingPointError, np.linalg.LinAlgError):
            raise InvalidArgument(f"the central flow cannot start at w0={w0.tolist()} (status {status})") from None
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

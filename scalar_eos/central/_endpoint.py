"""``central_end_point``: the central flow's end point to any precision (scalar networks; see :mod:`._precise`)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from mpmath import mp

from .._exact import to_mpf
from .._validate import check_dps, check_eta, check_scale, check_target, check_weights
from ..errors import InvalidArgument
from ..gfs import gfs
from ._flow import CentralFlow, run_flow
from ._precise import MpNet, Stop, axpy, dot, integrate
from ._spectrum import ScalarNet

GUARD = 15
EDGE_TOL = 1e-10  # |eta S - 2| at the start under which the start counts as on the edge (as the float path)


@dataclass
class CentralEnd:
    """The end point of a central flow, computed with mpmath.

    Attributes
    ----------
    status : str
        ``"converged"``; a status of the float run that stops before the end
        (``"eigenvalue_crossing"``, ``"degenerate"``, ``"diverged"``, ...), for
        which no end point is given; or ``"inconsistent"`` when the float run
        and the high-precision run disagree (events or end point; see ``detail``).
    kind : str
        ``"minimum"``, ``"edge"`` (stationary point on ``eta S = 2`` with
        ``sigma^2 > 0``), ``"saddle"`` or ``"none"``.
    final : tuple of mpf or None
        The end point, correct to about ``dps`` digits.
    sharpness, loss, sigma2 : mpf or None
        ``S``, ``L`` and ``sigma^2`` at the end point.
    events : list of (str, mpf, float)
        ``(event, pi at the event, time of the event in the float run)``.
    jump : mpf
        Length of the initial move onto the edge (0 if none).
    dps : int
    flow : CentralFlow
        The float64 run (trajectory, times).
    float_error : float
        ``max_i |w_i(float) - w_i(mp)| / max(1, |w|)`` at the end point.
    detail : str
    """

    status: str
    kind: str
    final: tuple[Any, ...] | None
    sharpness: Any
    loss: Any
    sigma2: Any
    events: list[tuple[str, Any, float]]
    jump: Any
    dps: int
    eta: Any
    flow: CentralFlow
    float_error: float = math.nan
    detail: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def eta_sharpness(self) -> Any:
        """``eta * S`` at the end point, computed at the run's working precision (None without an end point)."""
        if self.sharpness is None:
            return None
        with mp.workdps(self.dps + GUARD):
            return self.eta * self.sharpness

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary; numbers as decimal strings with ``dps`` significant digits."""

        def s(x: Any) -> Any:
            return None if x is None else mp.nstr(x, self.dps, strip_zeros=False)

        with mp.workdps(self.dps + GUARD):
            return {
                "status": self.status,
                "kind": self.kind,
                "dps": self.dps,
                "final": None if self.final is None else [s(x) for x in self.final],
                "final_sharpness": s(self.sharpness),
                "final_eta_sharpness": s(self.eta_sharpness),
                "final_loss": s(self.loss),
                "final_sigma2": s(self.sigma2),
                "jump": s(self.jump),
                "events": [[e, s(p), t] for e, p, t in self.events],
                "float_error": self.float_error,
                "detail": self.detail,
            }


def _float_run(w: list[Any], eta: Any, y: Any, m: Any, jump: str, crossing_tol: float) -> CentralFlow:
    wf = np.array([float(x) for x in w])
    if not np.all(np.isfinite(wf)):
        raise InvalidArgument("weights overflow float64; the float run that guides the high-precision one needs them")
    with np.errstate(over="raise", invalid="raise"):
        return run_flow(
            ScalarNet(float(y), float(m)),
            wf,
            float(eta),
            t_max=math.inf,
            times=np.zeros(0),
            rtol=1e-11,
            ftol=1e-12,
            max_steps=20_000,
            crossing_tol=crossing_tol,
            jump_kind=jump,
        )


def _newton_jump(net: MpNet, w: list[Any]) -> list[Any] | None:
    target = 2 / net.eta
    tol = mp.mpf(10) ** (-mp.dps + 5) * target
    last = mp.inf
    for _ in range(80):
        s, v = net.top(w)
        excess = s - target
        if abs(excess) <= tol:
            return w
        if not abs(excess) < last:
            return None
        last = abs(excess)
        gs = net.grad_s(w, v)
        w = axpy(-excess / dot(gs, gs), gs, w)
    return None


def _descent_jump(net: MpNet, w: list[Any], tol: Any) -> list[Any]:
    def f(u: list[Any]) -> list[Any]:
        _, v = net.top(u)
        gs = net.grad_s(u, v)
        n2 = dot(gs, gs)
        return [g / n2 for g in gs]  # dw/dS: S itself is the parameter

    s0 = net.top(w)[0]
    w, _, _ = integrate(f, w, s0, 2 / net.eta, tol)
    return net.project(w)


def _edge_field(net: MpNet) -> Any:
    def f(w: list[Any]) -> list[Any]:
        _, gs, g = net.edge_parts(w)
        p = axpy(-dot(g, gs) / dot(gs, gs), gs, g)
        p2 = dot(p, p)
        if not p2 > mp.mpf(10) ** (-mp.dps // 2) * dot(g, g):
            raise Stop("degenerate", "grad pi is parallel to grad S on the edge (a stationary point of the flow)")
        return [x / p2 for x in p]

    return f


def _gf_field(net: MpNet) -> Any:
    def f(w: list[Any]) -> list[Any]:
        g = net.grad_pi(w)
        n2 = dot(g, g)
        if n2 == 0:
            raise Stop("degenerate", "grad pi = 0: gradient flow reached a saddle")
        return [x / n2 for x in g]

    return f


def _pushes(net: MpNet, w: list[Any]) -> Any:
    """``sign(sigma^2)`` as a smooth function: ``-sign(r) cos(grad S, grad pi)`` (``r`` keeps its sign on the path).

    ``sigma^2`` itself carries the factor ``r``, which vanishes at the end point; this event function does not.
    """
    sign_r = 1 if net.pi(w) > net.y else -1

    def ev(u: list[Any]) -> Any:
        _, gs, g = net.edge_parts(u)
        return -sign_r * dot(gs, g) / mp.sqrt(dot(gs, gs) * dot(g, g))

    return ev


def _path(net: MpNet, w: list[Any], tol: Any, jump: str) -> tuple[list[Any], list[tuple[str, Any]], Any, bool]:
    """Follow the flow in the parameter pi from ``w`` to ``pi = y``; (end, events, jump length, on the edge)."""
    events: list[tuple[str, Any]] = []
    length = mp.zero
    if net.phi(w) > EDGE_TOL:
        start = w
        moved = _newton_jump(net, w) if jump == "newton" else None
        w = moved if moved is not None else _descent_jump(net, w, tol)
        length = mp.sqrt(mp.fsum((a - b) ** 2 for a, b in zip(w, start, strict=True)))
        events.append(("projected onto the edge", net.pi(w)))
    on_edge = abs(net.phi(w)) <= EDGE_TOL and net.sigma2(w) > 0
    if on_edge:
        w = net.project(w)
        if not events:
            events.append(("entered the edge", net.pi(w)))
    for _ in range(64):
        if on_edge:
            field = _edge_field(net)
            w, _, hit = integrate(field, w, net.pi(w), net.y, tol, event=_pushes(net, w), project=net.project)
            if not hit:
                return w, events, length, True
            events.append(("left the edge", net.pi(w)))
            on_edge = False
        else:
            w, _, hit = integrate(_gf_field(net), w, net.pi(w), net.y, tol, event=lambda u: -net.phi(u))
            if not hit:
                return w, events, length, False
            w = net.project(w)
            if not _pushes(net, w)(w) > 0:
                raise Stop("degenerate", "gradient flow touches the edge tangentially")
            events.append(("entered the edge", net.pi(w)))
            on_edge = True
    raise Stop("step_limit", "more than 64 edge events")


def _saddle_jump(net: MpNet, w: list[Any], tol: Any, jump: str) -> tuple[list[Any], Any]:
    """A start above the edge at a critical point of ``L`` that is not a minimiser (two or more zero weights)."""
    moved = _newton_jump(net, w) if jump == "newton" else None
    end = moved if moved is not None else _descent_jump(net, w, tol)
    if any(x != 0 for x in net.grad_pi(end)):
        raise Stop("degenerate", "the move onto the edge left the saddle; not followed in high precision")
    return end, mp.sqrt(mp.fsum((a - b) ** 2 for a, b in zip(end, w, strict=True)))


def _polish(net: MpNet, w: list[Any], on_edge: bool) -> list[Any]:
    """Minimal-norm Newton steps onto ``pi = y`` (and ``eta S = 2`` when the flow ends on the edge)."""
    for _ in range(6):
        g = net.grad_pi(w)
        r = net.pi(w) - net.y
        if not on_edge:
            w = axpy(-r / dot(g, g), g, w)
            continue
        s, gs, _ = net.edge_parts(w)
        e = s - 2 / net.eta
        a, b, c = dot(g, g), dot(g, gs), dot(gs, gs)
        det = a * c - b * b
        la, lb = (c * r - b * e) / det, (a * e - b * r) / det
        w = [wi - la * gi - lb * si for wi, gi, si in zip(w, g, gs, strict=True)]
    return w


def _lagrange(net: MpNet, w0: list[Any], mu0: Any) -> list[Any]:
    """The stationary point of the flow on the edge: ``grad L + mu grad S = 0``, ``eta S = 2`` (Newton)."""
    d = len(w0)

    def f(*z: Any) -> list[Any]:
        w, mu = list(z[:d]), z[d]
        s, gs, g = net.edge_parts(w)
        r = net.pi(w) - net.y
        return [net.m * r * gi + mu * si for gi, si in zip(g, gs, strict=True)] + [net.eta * s - 2]

    try:
        z = mp.findroot(f, [*w0, mu0], solver="mdnewton", verify=True)
    except (ValueError, ZeroDivisionError) as exc:
        raise Stop("degenerate", f"Newton on the edge stationarity system failed: {exc}") from None
    return [z[i] for i in range(d)]


def central_end_point(
    w0: Any,
    eta: Any,
    *,
    target: Any = 1,
    scale: Any = 1,
    dps: int = 30,
    jump: str = "newton",
    crossing_tol: float = 1e-6,
) -> CentralEnd:
    """End point of the central flow of a scalar network to ``dps`` digits.

    The path is followed in the parameter :math:`\\pi = \\prod_i w_i`, which
    moves monotonically to ``y`` (see :mod:`scalar_eos.central`), so the end
    point is reached at a finite parameter value; a float64 run of
    :func:`central_flow` guides it (status, kind) and is checked against it.

    Parameters
    ----------
    w0 : sequence of real numbers
        Initial weights (strings are exact decimals, floats their binary value).
    eta : real, positive
    target, scale : real
        ``L = scale/2 (prod w - target)^2``.
    dps : int
        Decimal digits wanted (computed with 15 guard digits).
    jump : ``"newton"`` or ``"descent"``
        How a start above the edge is moved onto ``eta S = 2`` (as in :func:`central_flow`).
    crossing_tol : float
        Relative gap of the top two eigenvalues under which the run stops with
        status ``"eigenvalue_crossing"``.

    Returns
    -------
    CentralEnd

    Examples
    --------
    From far above the edge (``eta S(w0) = 3.23``), depth 2: the flow ends on
    the minimiser with ``w_1 w_2 = 1`` and ``w_1^2 + w_2^2 = 2/eta``:

    >>> r = central_end_point(["0.4", "3"], "0.35", dps=30)
    >>> r.status, r.kind, mp.nstr(r.final[0], 30), mp.nstr(r.eta_sharpness, 30)
    ('converged', 'minimum', '0.425106037999395659096256906912', '2.0')
    >>> with mp.workdps(40):
    ...     mp.nstr(mp.sqrt(1 / mp.mpf("0.35") - mp.sqrt(1 / mp.mpf("0.35") ** 2 - 1)), 30)
    '0.425106037999395659096256906912'
    """
    ws = check_weights(w0)
    q_eta, q_y, q_m = check_eta(eta), check_target(target), check_scale(scale)
    dps_i = check_dps(dps)
    if dps_i is None:
        raise InvalidArgument("dps must be a positive integer (use central_flow for float64)")
    if jump not in ("newton", "descent"):
        raise InvalidArgument(f"jump must be 'newton' or 'descent', got jump={jump!r}")
    if not (isinstance(crossing_tol, float | int) and 0 < crossing_tol < 1):
        raise InvalidArgument(f"crossing_tol must be in (0, 1), got {crossing_tol!r}")
    flow = _float_run(ws, q_eta, q_y, q_m, jump, float(crossing_tol))
    ftimes = [t for t, _ in flow.events]
    with mp.workdps(dps_i + GUARD):
        net = MpNet(to_mpf(q_y), to_mpf(q_m), to_mpf(q_eta), float(crossing_tol))
        w = [to_mpf(q) for q in ws]
        base: dict[str, Any] = {"dps": dps_i, "eta": net.eta, "flow": flow, "jump": mp.zero}
        if flow.status != "converged":
            detail = "float run: " + flow.status
            return CentralEnd(flow.status, "none", None, None, None, None, [], detail=detail, **base)
        tol = mp.mpf(10) ** (-(dps_i + 5))
        events: list[tuple[str, Any]] = []
        try:
            if flow.kind == "saddle" and not flow.events:
                g = gfs(ws, target=q_y, scale=q_m, dps=dps_i + GUARD)
                end, kind = list(g.solution), "saddle"
            elif flow.kind == "saddle" and [e for _, e in flow.events] == ["projected onto the edge"]:
                end, base["jump"] = _saddle_jump(net, w, tol, jump)
                events, kind = [("projected onto the edge", net.pi(end))], "saddle"
            elif flow.kind == "edge":
                end = _lagrange(net, [mp.mpf(float(x)) for x in flow.final], mp.mpf(flow.sigma2[-1]) / 2)
                kind = "edge"
                events = [
                    (e, mp.mpf(float(np.prod(flow.weights[int(np.argmin(np.abs(flow.t - t)))]))), t)
                    for t, e in flow.events
                ]
            elif flow.kind == "minimum":
                end, ev, base["jump"], on_edge = _path(net, w, tol, jump)
                end = _polish(net, end, on_edge)
                events, kind = [(e, p) for e, p in ev], "minimum"
            else:
                raise Stop("degenerate", f"the float run ends at a {flow.kind} point after edge events")
        except Stop as stop:
            return CentralEnd(stop.status, "none", None, None, None, None, [], detail=stop.detail, **base)
        sharp = net.top(end, vector=False)[0]
        r = net.pi(end) - net.y
        s2 = net.sigma2(end) if kind == "edge" else mp.zero  # at a minimiser r = 0, so sigma^2 = 0 in the limit
        ev3 = [(e, p, ftimes[i] if i < len(ftimes) else math.nan) for i, (e, p, *_) in enumerate(events)]
        scale_w = max(1.0, max(abs(float(x)) for x in end))
        ferr = max(abs(float(a) - float(b)) for a, b in zip(flow.final, end, strict=True)) / scale_w
        status, detail = "converged", ""
        if [e for e, *_ in events] != [e for _, e in flow.events]:
            status, detail = "inconsistent", f"events differ from the float run: {[e for _, e in flow.events]}"
        elif ferr > 1e-7:
            status, detail = "inconsistent", f"end point differs from the float run by {ferr:.3g}"
        elif net.eta * sharp > 2 + mp.mpf(10) ** (-dps_i):
            status, detail = "inconsistent", "the end point is above the edge"
        return CentralEnd(
            status,
            kind,
            tuple(end),
            sharp,
            mp.zero if kind == "minimum" else net.m * r * r / 2,
            s2,
            ev3,
            float_error=ferr,
            detail=detail,
            **base,
        )

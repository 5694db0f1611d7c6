"""The speed targets' measurements (private; see :mod:`scalar_eos.speed`)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from . import fast
from ._plain import plain_classify, plain_gd, plain_gfs_sharpness
from ._progress import Progress
from .outcome import classify_batch

__all__ = ["MEASURE", "Extra", "phase_design"]

#: An extra baseline: target id -> {name: fn}; ``fn`` takes the target's inputs (see ``speed.measure``).
Extra = Mapping[str, Mapping[str, Callable[..., Any]]]

# --------------------------------------------------------------------------- timing


def _time_all(entries: list[dict[str, Any]], reps: int, bar: Progress) -> dict[str, Any]:
    """Run every entry ``reps`` times (interleaved); fill ``cpu_s``, ``wall_s``, ``value``; return the last outputs."""
    outs: dict[str, Any] = {}
    for e in entries:
        e["cpu_s"], e["wall_s"] = [], []
    for r in range(reps):
        for e in entries:
            if r >= e.get("reps", reps):
                continue
            bar.note = e["name"]
            c0, w0 = time.process_time(), time.perf_counter()
            out = e["fn"]()
            e["cpu_s"].append(time.process_time() - c0)
            e["wall_s"].append(time.perf_counter() - w0)
            outs[e["name"]] = out
            bar.update(1)
    for e in entries:
        cpu = max(statistics.median(e["cpu_s"]), 1e-9)
        work = e.pop("work", None)
        e["value"] = float(work(outs[e["name"]]) / cpu) if work is not None else float(cpu)
        e.pop("fn")
        e.pop("reps", None)
    return outs


def _entry(name: str, role: str, fn: Callable[[], Any], work: Any = None, **kw: Any) -> dict[str, Any]:
    return {"name": name, "role": role, "fn": fn, "work": work, **kw}


def _calls(entries: list[dict[str, Any]], reps: int) -> int:
    return sum(min(reps, e.get("reps", reps)) for e in entries)


def _extra(
    extra: Extra | None, target: str, call: Callable[[Callable[..., Any]], Callable[[], Any]], work: Any, **kw: Any
) -> list[dict[str, Any]]:
    return [_entry(name, "previous", call(fn), work, **kw) for name, fn in ((extra or {}).get(target) or {}).items()]


def _rel(a: np.ndarray, b: np.ndarray) -> float:
    ok = np.isfinite(a) & np.isfinite(b)
    return float(np.max(np.abs(a[ok] - b[ok]) / np.abs(b[ok]))) if np.any(ok) else float("nan")


# --------------------------------------------------------------------------- targets


def _classify(quick: bool, reps: int, extra: Extra | None, bar: Progress | None) -> dict[str, Any]:
    n, steps = (300, 2000) if quick else (2000, 5000)
    rng = np.random.default_rng(2026)
    W = np.exp(rng.uniform(np.log(0.2), np.log(5.0), (n, 3)))
    eta = rng.uniform(0.5, 3.0, n) / fast.gfs_sharpness(W)
    steps_of = lambda out: float(np.sum(out["steps"]))  # noqa: E731
    batch = lambda engine: lambda: classify_batch(W, eta, max_steps=steps, engine=engine)  # noqa: E731
    entries = [
        _entry("plain NumPy loop", "reference", lambda: plain_classify(W, eta, steps), steps_of),
        *_extra(extra, "classify", lambda f: lambda: f(W, eta, max_steps=steps), steps_of),
        _entry("NumPy engine", "fallback", batch("numpy"), steps_of),
        _entry("numba engine", "new", batch("numba"), steps_of),
    ]
    spec = {
        "id": "classify",
        "title": "outcome classification with GFS tracking, D = 3",
        "unit": "row-steps/s",
        "higher_is_better": True,
        "goal": 1e7,
        "goal_text": ">= 1e7 row-steps/s",
        "size": f"{n} starts, budget {steps} steps, eta psi(w0) uniform in [0.5, 3]",
    }
    if bar is None:
        return {**spec, "calls": _calls(entries, reps)}
    outs = _time_all(entries, reps, bar)
    ref, new, npy = outs["plain NumPy loop"], outs["numba engine"], outs["NumPy engine"]
    decided = ref["status"] != 4
    both = (ref["status"] == 0) & (new["status"] == 0)
    agree = {
        "reference-decided rows with the same outcome": float(
            np.mean(ref["status"][decided] == new["status"][decided])
        ),
        "max rel. diff. of the final GFS sharpness (converged rows) vs reference": _rel(
            new["final_sharpness"][both], ref["final"][both]
        ),
        "NumPy and numba engines bit-identical": all(
            np.array_equal(npy[k], new[k], equal_nan=True) for k in ("status", "final_sharpness", "weights")
        ),
    }
    for name in (extra or {}).get("classify") or {}:
        old = outs[name]
        dec = old["status"] != 4
        agree[f"{name}-decided rows with the same outcome"] = float(np.mean(old["status"][dec] == new["status"][dec]))
    return {**spec, "results": entries, "agreement": agree}


def _gd(quick: bool, reps: int, extra: Extra | None, bar: Progress | None) -> dict[str, Any]:
    n, steps = (4096, 300) if quick else (16384, 1000)
    rng = np.random.default_rng(2027)
    W = np.exp(rng.uniform(-0.5, 0.5, (n, 3)))
    eta = 0.5 / np.maximum(fast.gfs_sharpness(W), fast.sharpness(W))  # every row stays in range
    work = lambda _out: float(n * steps)  # noqa: E731
    run = lambda engine: lambda: fast.gd(W, eta, steps, track=(), engine=engine)["weights"]  # noqa: E731
    entries = [
        _entry("plain NumPy loop", "reference", lambda: plain_gd(W, eta, steps), work),
        *_extra(extra, "gd", lambda f: lambda: f(W, eta, steps), work),
        _entry("NumPy engine", "fallback", run("numpy"), work),
        _entry("numba engine", "new", run("numba"), work),
    ]
    spec = {
        "id": "gd",
        "title": "plain GD, D = 3",
        "unit": "row-steps/s",
        "higher_is_better": True,
        "goal": 1e8,
        "goal_text": ">= 1e8 row-steps/s",
        "size": f"{n} rows x {steps} steps",
    }
    if bar is None:
        return {**spec, "calls": _calls(entries, reps)}
    outs = _time_all(entries, reps, bar)
    agree = {
        "max rel. diff. of the last iterate vs reference": _rel(outs["numba engine"], outs["plain NumPy loop"]),
        "NumPy and numba engines bit-identical": bool(
            np.array_equal(outs["numba engine"], outs["NumPy engine"], equal_nan=True)
        ),
    }
    for name in (extra or {}).get("gd") or {}:
        agree[f"max rel. diff. vs {name}"] = _rel(outs["numba engine"], np.asarray(outs[name]))
    return {**spec, "results": entries, "agreement": agree}


def _gfs_d4(quick: bool, reps: int, extra: Extra | None, bar: Progress | None) -> dict[str, Any]:
    n = 50_000 if quick else 200_000
    rng = np.random.default_rng(2028)
    W = np.exp(rng.uniform(-1, 1, (n, 4))) * rng.choice([-1.0, 1.0], (n, 4))
    work = lambda _out: float(n)  # noqa: E731
    entries = [
        {"name": "plain NumPy Newton", "role": "reference", "fn": lambda: plain_gfs_sharpness(W), "work": work},
        *_extra(extra, "gfs_d4", lambda f: lambda: f(W), work),
        {"name": "NumPy engine", "role": "fallback", "fn": lambda: fast.gfs_sharpness(W, engine="numpy"), "work": work},
        {"name": "numba engine", "role": "new", "fn": lambda: fast.gfs_sharpness(W, engine="numba"), "work": work},
    ]
    spec = {
        "id": "gfs_d4",
        "title": "GFS sharpness, D = 4",
        "unit": "points/s",
        "higher_is_better": True,
        "goal": 1e7,
        "goal_text": ">= 1e7 points/s",
        "size": f"{n} points, |w_i| log-uniform in [1/e, e], random signs",
    }
    if bar is None:
        return {**spec, "calls": _calls(entries, reps)}
    outs = _time_all(entries, reps, bar)
    new = outs["numba engine"]
    agree = {
        "max rel. diff. vs reference": _rel(new, outs["plain NumPy Newton"]),
        "NumPy and numba engines bit-identical": bool(np.array_equal(new, outs["NumPy engine"], equal_nan=True)),
    }
    for name in (extra or {}).get("gfs_d4") or {}:
        agree[f"max rel. diff. vs {name}"] = _rel(new, np.asarray(outs[name]))
    return {**spec, "results": entries, "agreement": agree}


def phase_design(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """README's phase design: ``pi(w0)`` in linspace(0.05, 1.95, 20) x ``eta psi`` in linspace(0.5, 4, 36) x 4 draws.

    Depth 3, balanced magnitudes ``pi^(1/3)`` with the first two spread by
    ``e^(+-kappa)``, ``kappa`` uniform in [0.1, 1]; returns ``(W, eta)``.

    Examples
    --------
    >>> W, eta = phase_design()
    >>> W.shape, eta.shape
    ((2880, 3), (2880,))
    """
    rng = np.random.default_rng(seed)
    prod = np.repeat(np.linspace(0.05, 1.95, 20), 36 * 4)
    c = np.tile(np.repeat(np.linspace(0.5, 4.0, 36), 4), 20)
    kappa = rng.uniform(0.1, 1.0, prod.size)
    W = np.tile(prod[:, None] ** (1 / 3), (1, 3))
    W[:, 0] *= np.exp(kappa)
    W[:, 1] *= np.exp(-kappa)
    return W, c / fast.gfs_sharpness(W)


def _phase(quick: bool, reps: int, extra: Extra | None, bar: Progress | None) -> dict[str, Any]:
    W, eta = phase_design()
    run = lambda engine: lambda: classify_batch(W, eta, max_steps=20_000, engine=engine)  # noqa: E731
    slow = 1 if quick else reps  # the baselines take 15-30 s each
    entries = [
        *_extra(extra, "phase", lambda f: lambda: f(W, eta, max_steps=20_000), None, reps=slow),
        _entry("NumPy engine", "fallback", run("numpy"), reps=slow),
        _entry("numba engine", "new", run("numba")),
    ]
    spec = {
        "id": "phase",
        "title": "README's phase design (2880 runs, budget 20000), serially",
        "unit": "s",
        "higher_is_better": False,
        "goal": 10.0,
        "goal_text": "< 10 s",
        "size": "depth 3, 20 x 36 grid x 4 draws",
    }
    if bar is None:
        return {**spec, "calls": _calls(entries, reps)}
    outs = _time_all(entries, reps, bar)
    new = outs["numba engine"]
    agree: dict[str, Any] = {
        "NumPy and numba engines bit-identical": bool(
            np.array_equal(new["status"], outs["NumPy engine"]["status"])
            and np.array_equal(new["final_sharpness"], outs["NumPy engine"]["final_sharpness"], equal_nan=True)
        ),
        "undecided (numba engine)": float(np.mean(new["status"] == 4)),
    }
    for name in (extra or {}).get("phase") or {}:
        old = outs[name]
        dec = old["status"] != 4
        agree[f"{name}-decided rows with the same outcome"] = float(np.mean(old["status"][dec] == new["status"][dec]))
        agree[f"undecided ({name})"] = float(np.mean(old["status"] == 4))
    return {**spec, "results": entries, "agreement": agree}


def _plain_lsoda_gfs(model: Any, x0: np.ndarray, gtol: float, rtol: float) -> float:
    """Textbook generic GFS sharpness: LSODA with the exact Jacobian until ``|grad| <= gtol/10``, then eigvalsh."""
    from scipy.integrate import solve_ivp

    def small(_t: float, x: np.ndarray) -> float:
        return float(np.linalg.norm(model.grad(x))) - gtol / 10

    small.terminal = True  # type: ignore[attr-defined]
    small.direction = -1  # type: ignore[attr-defined]
    sol = solve_ivp(
        lambda _t, x: -model.grad(x),
        (0.0, 1e8),
        x0,
        method="LSODA",
        rtol=rtol,
        atol=1e-13,
        jac=lambda _t, x: -model.dense_hessian(x),
        events=[small],
    )
    return float(np.linalg.eigvalsh(model.dense_hessian(sol.y[:, -1]))[-1])


def _generic_entries(slow: int) -> list[dict[str, Any]]:
    return [
        {"name": "plain SciPy LSODA", "role": "reference", "reps": slow},
        {"name": "LSODA path", "role": "previous", "reps": slow},
        {"name": "0.3 default (DOP853+BDF)", "role": "previous"},
        {"name": "fast path", "role": "new"},
    ]


def _generic_agreement(outs: dict[str, Any], ref_name: str = "plain SciPy LSODA") -> dict[str, Any]:
    ref, old, new = outs[ref_name], outs["LSODA path"], outs["fast path"]
    return {
        "|fast - reference|": abs(new.value - ref),
        "|LSODA path - reference|": abs(old.value - ref),
        "|0.3 default - reference|": abs(outs["0.3 default (DOP853+BDF)"].value - ref),
        "error estimate of the fast path": float(new.error),
        "error estimate of the LSODA path": float(old.error),
        "fast path's estimate covers its difference from the reference": bool(abs(new.value - ref) <= new.error),
        "fast path's Jacobians": new.flow.message.rsplit("; ", 1)[-1],
    }


_GENERIC_SPEC = {
    "unit": "s per GFS",
    "higher_is_better": False,
    "goal": None,
    "goal_text": ">= 10x faster than the LSODA path at equal accuracy",
}


def _generic_target(
    spec: dict[str, Any], gd_steps: int, quick: bool, reps: int, bar: Progress | None
) -> dict[str, Any]:
    """The MLP's GFS at its initialisation (``gd_steps = 0``, cold) or after ``gd_steps`` GD steps at ``eta =
    2.1 / psi(x0)`` with the warm cache the GFS at ``x0`` left (every timed run gets a fresh copy of it)."""
    try:
        import scipy  # noqa: F401

        from . import generic
    except ImportError:
        return {**spec, "skipped": "needs SciPy: pip install 'scalar-eos[general]'", "calls": 0}
    entries = _generic_entries(1 if quick else reps)
    if bar is None:
        return {**spec, "calls": _calls(entries, reps)}
    mlp = generic.tanh_mlp()
    x, gtol, rtol = mlp.x0.copy(), 1e-9, 1e-10
    warm: dict[str, Any] = {}
    if gd_steps:
        eta = 2.1 / generic.gfs_sharpness(mlp, x, gtol=gtol, rtol=rtol, warm=warm).value  # untimed: step 0
        for _ in range(gd_steps):
            x = x - eta * mlp.grad(x)

    def fast() -> Any:
        cache = {"v": warm["v"], "jacobians": list(warm["jacobians"])} if warm else None
        return generic.gfs_sharpness(mlp, x, gtol=gtol, rtol=rtol, method="fast", warm=cache)

    entries[0]["fn"] = lambda: _plain_lsoda_gfs(mlp, x, gtol, rtol)
    entries[1]["fn"] = lambda: generic.gfs_sharpness(mlp, x, gtol=gtol, rtol=rtol, method="lsoda")
    entries[2]["fn"] = lambda: generic.gfs_sharpness(mlp, x, gtol=gtol, rtol=rtol, integrator="DOP853+BDF")
    entries[3]["fn"] = fast
    with np.errstate(all="ignore"):
        outs = _time_all(entries, reps, bar)
    spec["goal"] = entries[1]["value"] / 10
    return {**spec, "results": entries, "agreement": _generic_agreement(outs)}


def _generic_mlp(quick: bool, reps: int, extra: Extra | None, bar: Progress | None) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "id": "generic_mlp",
        "title": "generic GFS sharpness, 610-parameter tanh MLP",
        **_GENERIC_SPEC,
        "size": "tanh_mlp() at its initialisation (cold start), gtol 1e-9, rtol 1e-10",
    }
    return _generic_target(spec, 0, quick, reps, bar)


def _generic_mlp_gd(quick: bool, reps: int, extra: Extra | None, bar: Progress | None) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "id": "generic_mlp_gd",
        "title": "generic GFS sharpness along a GD run, 610-parameter tanh MLP",
        **_GENERIC_SPEC,
        "size": "tanh_mlp() after 20 GD steps at eta = 2.1 / GFS sharpness at x0 (the run of `experiment mlp`); "
        "the fast path warm-started by the GFS at step 0 (what `generic.gd` does); gtol 1e-9, rtol 1e-10",
    }
    return _generic_target(spec, 20, quick, reps, bar)


MEASURE = {
    "classify": _classify,
    "gd": _gd,
    "gfs_d4": _gfs_d4,
    "generic_mlp": _generic_mlp,
    "generic_mlp_gd": _generic_mlp_gd,
    "phase": _phase,
}

"""Generic GFS sharpness: the default path against LSODA and version 0.2's default, side by side.

Run:  python benchmarks/generic_gfs_speed.py [--quick] [--experiment] [--json OUT.json]

For each case (the 610-parameter tanh MLP at its initialisation and after 20
GD steps at ``eta psi(x0) = 2.1``; a depth-4 scalar network; a 6x5 rank-2
matrix factorization) the same process times, on the same points, at the
same tolerance (``gtol = 1e-9``, ``rtol = 1e-10``):

* ``plain``    - an independent plain NumPy/SciPy computation written here without the
  package: ``solve_ivp(LSODA, rtol, atol=1e-13, jac=-H)`` to ``|grad| <= gtol/10``, then
  ``numpy.linalg.eigvalsh`` at the end point.  **The ratios are against this.**
* ``lsoda``    - ``generic.gfs_sharpness(method="lsoda")`` (the package's LSODA path, version 0.1);
* ``v0.2``     - version 0.2's default, ``generic.gfs_sharpness(method="fast", integrator="BDF")``
  (BDF with eigen-solves from the start, Newton projection, warm Lanczos; ``integrator="LSODA"``
  below 200 parameters);
* ``previous`` - version 0.3's default, ``integrator="DOP853+BDF"`` from 200 parameters (SciPy's
  DOP853 for ``16 n`` gradients, then SciPy's BDF with eigen-solves);
* ``new``      - ``generic.gfs_sharpness(x)``, the default (from 200 parameters on DOP853 then the
  NDF with partial and dense eigen-Jacobians; Newton projection; warm Lanczos; below 200
  parameters LSODA with the same tail, as ``previous``);
* ``new warm`` - (the MLP after 20 GD steps only) the default with the ``warm`` dict left by the
  GFS at step 0, as ``generic.gd`` runs it.

Accuracy is measured against a long reference: the scalar closed form
(``scalar_eos.gfs_sharpness``) for the scalar network, otherwise ``solve_ivp``
with LSODA (or ``--reference Radau``) at ``rtol = 1e-12`` to ``|grad| <= 1e-12``;
for that reference the table also gives the change of its value between
``|grad| = 1e-11`` and ``1e-12`` (its own uncertainty).  Printed per case and
path: wall seconds per GFS (best of the repetitions), CPU seconds, the speed-up
over ``plain`` (wall and CPU), ``|value - reference|``, the reported error
estimate and whether it covers the error (up to the reference's uncertainty).

``--experiment`` also times ``run_experiment("mlp")`` with the LSODA path, the
previous and the new default.  ``--json OUT`` writes every number.  Timings on a
shared machine vary; the ratios are measured in one run, CPU seconds are the
steadier measure when other processes compete for the cores.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import scipy
import scipy.integrate

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's package, installed or not

import scalar_eos as se
from scalar_eos import generic

GTOL, RTOL = 1e-9, 1e-10


def plain_gfs(model: generic.Model, x0: np.ndarray, gtol: float, rtol: float) -> float:
    """The textbook computation: LSODA with the exact Jacobian until |grad| <= gtol/10, then eigvalsh."""

    def ev(_t: float, y: np.ndarray) -> float:
        return float(np.linalg.norm(model.grad(y))) - gtol / 10

    ev.terminal = True  # type: ignore[attr-defined]
    ev.direction = -1  # type: ignore[attr-defined]
    sol = scipy.integrate.solve_ivp(
        lambda _t, y: -model.grad(y),
        (0.0, 1e8),
        x0,
        method="LSODA",
        rtol=rtol,
        atol=1e-13,
        jac=lambda _t, y: -model.dense_hessian(y),
        events=[ev],
    )
    return float(np.linalg.eigvalsh(model.dense_hessian(sol.y[:, -1]))[-1])


def long_reference(model: generic.Model, x0: np.ndarray, method: str) -> tuple[float, float]:
    """``method`` at rtol 1e-12 to |grad| <= 1e-12: the sharpness there, and its change since |grad| = 1e-11."""

    def ev(level: float):
        def f(_t: float, y: np.ndarray) -> float:
            return float(np.linalg.norm(model.grad(y))) - level

        f.direction = -1  # type: ignore[attr-defined]
        return f

    done = ev(1e-12)
    done.terminal = True  # type: ignore[attr-defined]
    sol = scipy.integrate.solve_ivp(
        lambda _t, y: -model.grad(y),
        (0.0, 1e9),
        x0,
        method=method,
        rtol=1e-12,
        atol=1e-15,
        jac=lambda _t, y: -model.dense_hessian(y),
        events=[done, ev(1e-11)],
    )
    top = float(np.linalg.eigvalsh(model.dense_hessian(sol.y[:, -1]))[-1])
    before = float(np.linalg.eigvalsh(model.dense_hessian(sol.y_events[1][0]))[-1])
    return top, abs(top - before)


def timed(fn, reps: int) -> tuple[float, float, Any]:
    """Best wall and best CPU seconds of ``reps`` runs, and the last result."""
    wall, cpu, out = float("inf"), float("inf"), None
    for _ in range(reps):
        w, c = time.perf_counter(), time.process_time()
        out = fn()
        wall, cpu = min(wall, time.perf_counter() - w), min(cpu, time.process_time() - c)
    return wall, cpu, out


def cases(quick: bool) -> list[tuple[str, generic.Model, np.ndarray, float | None, dict | None]]:
    """``(name, model, point, closed form or None, warm dict or None)``."""
    mlp = generic.tanh_mlp()
    out: list[tuple[str, generic.Model, np.ndarray, float | None, dict | None]] = [
        ("tanh MLP 610, x0", mlp, mlp.x0, None, None)
    ]
    if not quick:
        warm: dict[str, Any] = {}
        psi0 = generic.gfs_sharpness(mlp, mlp.x0, warm=warm).value
        x = mlp.x0.copy()
        for _ in range(20):
            x = x - 2.1 / psi0 * mlp.grad(x)
        out.append(("tanh MLP 610, GD step 20", mlp, x, None, warm))
    xs, ys = [1.0, 2.0], [1.0, 3.0]
    sc = generic.scalar_network(4, xs, ys)
    w = np.array([2.0, 0.6, -0.7, 1.1])
    out.append(("scalar network D=4", sc, w, se.gfs_sharpness(list(w), **se.reduce_data(xs, ys).kwargs()), None))
    mf = generic.matrix_factorization(6, 5, 2)
    out.append(("matrix factorization 6x5 rank 2", mf, mf.x0, None, None))
    return out


PATHS = ("lsoda", "v0.2", "previous", "new")


def path_kw(path: str, n_params: int) -> dict[str, Any]:
    """``gfs_sharpness`` options of a path; versions 0.2 and 0.3 switched integrators at 200 parameters too."""
    if path == "lsoda":
        return {"method": "lsoda"}
    if path == "v0.2":
        return {"method": "fast", "integrator": "BDF" if n_params >= 200 else "LSODA"}
    if path == "previous":
        return {"method": "fast", "integrator": "DOP853+BDF" if n_params >= 200 else "LSODA"}
    return {}


def measure_case(
    name: str, model: generic.Model, x: np.ndarray, closed: float | None, warm: dict | None, reference: str
) -> dict:
    reps = 5 if model.n_params < 100 else 1
    if closed is None:
        ref, ref_unc = long_reference(model, x, reference)
        ref_method = f"{reference} rtol 1e-12 to |grad| <= 1e-12"
    else:
        ref, ref_unc, ref_method = closed, 0.0, "closed form (scalar_eos.gfs_sharpness)"
    row: dict[str, Any] = {
        "case": name,
        "n_params": model.n_params,
        "reference": ref,
        "reference_uncertainty": ref_unc,
        "reference_method": ref_method,
        "paths": {},
    }
    wall, cpu, value = timed(lambda: plain_gfs(model, x, GTOL, RTOL), reps)
    row["paths"]["plain"] = {"seconds": wall, "cpu_seconds": cpu, "value": value, "abs_error": abs(value - ref)}
    paths = {p: path_kw(p, model.n_params) for p in PATHS}
    if warm is not None:  # a fresh copy of the cache for every timed run
        paths["new warm"] = {"warm": None}
    for path, kw in paths.items():

        def call(kw: dict = kw) -> Any:
            if "warm" in kw:
                kw = {"warm": {"v": warm["v"], "jacobians": list(warm["jacobians"])}}  # type: ignore[index]
            return generic.gfs_sharpness(model, x, gtol=GTOL, rtol=RTOL, **kw)

        wall, cpu, r = timed(call, reps)
        err = abs(r.value - ref)
        row["paths"][path] = {
            "seconds": wall,
            "cpu_seconds": cpu,
            "value": r.value,
            "abs_error": err,
            "estimate": r.error,
            "covered": bool(err <= r.error + ref_unc),
            "gradient_evaluations": r.flow.nfev,
        }
    p = row["paths"]
    row["speedup_vs_plain"] = {k: p["plain"]["seconds"] / p[k]["seconds"] for k in paths}
    row["cpu_speedup_vs_plain"] = {k: p["plain"]["cpu_seconds"] / p[k]["cpu_seconds"] for k in paths}
    row["cpu_speedup_vs_lsoda_path"] = {k: p["lsoda"]["cpu_seconds"] / p[k]["cpu_seconds"] for k in paths}
    row["new_over_previous_seconds"] = p["new"]["seconds"] / p["previous"]["seconds"]
    row["new_over_previous_cpu"] = p["new"]["cpu_seconds"] / p["previous"]["cpu_seconds"]
    return row


def print_case(row: dict) -> None:
    for path, m in row["paths"].items():
        est = m.get("estimate")
        cov = "" if est is None else ("covers" if m["covered"] else "DOES NOT COVER")
        sp, sc = row["speedup_vs_plain"].get(path, 1.0), row["cpu_speedup_vs_plain"].get(path, 1.0)
        print(
            f"{row['case']:<32} {path:<9} {m['seconds']:8.3g} {m['cpu_seconds']:8.3g} {sp:6.2f}x {sc:6.2f}x "
            f"{m['value']:18.13g} {m['abs_error']:9.2e} {'' if est is None else f'{est:9.2e}':>9} {cov}"
        )
    print(
        f"{'':<32} reference {row['reference']:.14g} ({row['reference_method']}; own uncertainty "
        f"{row['reference_uncertainty']:.1e}); new / previous: {row['new_over_previous_seconds']:.2f} (wall), "
        f"{row['new_over_previous_cpu']:.2f} (CPU)"
    )


def experiment(steps: int | None) -> dict:
    from scalar_eos.generic import run_experiment

    out: dict[str, Any] = {}
    for path in PATHS:
        w, c = time.perf_counter(), time.process_time()
        e = run_experiment("mlp", steps=steps, **path_kw(path, 610))
        s = e.summary
        out[path] = {
            "seconds": time.perf_counter() - w,
            "cpu_seconds": time.process_time() - c,
            "seconds_per_gfs": s["seconds_per_gfs"],
            "monotone": s["monotone"],
            "gfs_converged": s["gfs_converged"],
            "final_gfs_over_threshold": s["final_gfs_over_threshold"],
            "largest_error_estimate": float(np.nanmax(e.record.gfs_error)),
        }
        print(
            f"experiment mlp, {path:<8}: {out[path]['seconds']:7.1f} s ({out[path]['cpu_seconds']:.1f} s CPU), "
            f"{s['seconds_per_gfs']:.3g} s/GFS, monotone={s['monotone']}, "
            f"final GFS/(2/eta)={s['final_gfs_over_threshold']:.10f}"
        )
    for path in ("lsoda", "previous"):
        out[f"new_speedup_over_{path}"] = out[path]["seconds"] / out["new"]["seconds"]
    print(
        f"experiment mlp speed-up of new: {out['new_speedup_over_lsoda']:.1f}x over lsoda, "
        f"{out['new_speedup_over_previous']:.1f}x over previous"
    )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="only the MLP at x0 and the small models")
    ap.add_argument("--experiment", action="store_true", help="also time run_experiment('mlp') per path")
    ap.add_argument("--reference", choices=["LSODA", "Radau"], default="LSODA", help="integrator of the long reference")
    ap.add_argument("--experiment-steps", type=int, default=None, help="GD steps of the experiment (default 200)")
    ap.add_argument("--json", metavar="OUT", help="also write the measurements as JSON")
    args = ap.parse_args()
    np.seterr(all="ignore")
    machine = f"{platform.processor() or platform.machine()}, numpy {np.__version__}, scipy {scipy.__version__}"
    print(f"machine: {machine}; gtol {GTOL:g}, rtol {RTOL:g}; speed-ups over 'plain' (wall, CPU)")
    print(
        f"{'case':<32} {'path':<8} {'wall s':>8} {'CPU s':>8} {'wall':>7} {'CPU':>7} {'value':>18} "
        f"{'|err|':>9} {'estimate':>9}"
    )
    report: dict[str, Any] = {"machine": machine, "gtol": GTOL, "rtol": RTOL, "cases": []}
    for name, model, x, closed, warm in cases(args.quick):
        row = measure_case(name, model, x, closed, warm, args.reference)
        print_case(row)
        report["cases"].append(row)
    if args.experiment:
        report["experiment_mlp"] = experiment(args.experiment_steps)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()

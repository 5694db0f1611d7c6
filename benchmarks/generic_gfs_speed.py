"""Generic GFS sharpness: the fast path against the LSODA path and a plain SciPy reference, side by side.

Run:  python benchmarks/generic_gfs_speed.py [--quick] [--experiment]

For each case (the 610-parameter tanh MLP at its initialisation and after 20
GD steps at ``eta psi(x0) = 2.1``; a depth-4 scalar network; a matrix
factorization) the same process times, on the same points:

* ``lsoda`` - ``generic.gfs_sharpness(method="lsoda")`` (LSODA to
  ``|grad| <= gtol/10``, sharpness at the end point);
* ``fast``  - ``generic.gfs_sharpness(method="fast")`` (BDF with eigen-solves
  from 200 parameters on, LSODA below, to ``|grad| <= gtol``; Newton
  projection; Lanczos), ``rtol = 1e-10``;
* ``fast8`` - the same at ``rtol = 1e-8`` (about the LSODA path's actual accuracy on the MLP);
* ``fastbd`` - the fast path with ``integrator="BDF"`` (BDF with eigen-solves) on every model;
* ``plain`` - an independent plain NumPy/SciPy computation at the same
  tolerance (``solve_ivp(LSODA, rtol, jac=-H)`` to ``|grad| <= gtol/10``,
  ``numpy.linalg.eigvalsh`` at the end point), written here without the package.

Accuracy is measured against a long reference: the scalar closed form
(``scalar_eos.gfs_sharpness``) for the scalar network, otherwise ``solve_ivp``
with Radau (or ``--reference LSODA``, faster) at ``rtol = 1e-12`` to ``|grad| <= 1e-12``; for that reference the
table also gives the change of its value between ``|grad| = 1e-11`` and
``1e-12`` (its own uncertainty).  Printed per case: seconds per GFS, speed
ratios, |value - reference| and the reported error estimate.

``--experiment`` also times ``run_experiment("mlp")`` with each method.
Timings on a shared machine vary; the ratios are measured in one run.
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np
import scipy.integrate
import scipy.linalg

import scalar_eos as se
from scalar_eos import generic


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
    return float(scipy.linalg.eigvalsh(model.dense_hessian(sol.y[:, -1]))[-1])


def long_reference(model: generic.Model, x0: np.ndarray, method: str = "Radau") -> tuple[float, float]:
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


def timed(fn, reps: int):
    best, out = float("inf"), None
    for _ in range(reps):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def cases(quick: bool):
    mlp = generic.tanh_mlp()
    out = [("tanh MLP 610, x0", mlp, mlp.x0, 1e-9, None)]
    if not quick:
        psi0 = generic.gfs_sharpness(mlp, mlp.x0, method="fast").value
        x = mlp.x0.copy()
        for _ in range(20):
            x = x - 2.1 / psi0 * mlp.grad(x)
        out.append(("tanh MLP 610, GD step 20", mlp, x, 1e-9, None))
    xs, ys = [1.0, 2.0], [1.0, 3.0]
    sc = generic.scalar_network(4, xs, ys)
    w = np.array([2.0, 0.6, -0.7, 1.1])
    out.append(("scalar network D=4", sc, w, 1e-9, se.gfs_sharpness(list(w), **se.reduce_data(xs, ys).kwargs())))
    mf = generic.matrix_factorization(6, 5, 2)
    out.append(("matrix factorization 6x5 rank 2", mf, mf.x0, 1e-9, None))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="only the MLP at x0 and the small models")
    ap.add_argument("--experiment", action="store_true", help="also time run_experiment('mlp') per method")
    ap.add_argument("--reference", choices=["Radau", "LSODA"], default="Radau", help="integrator of the long reference")
    ap.add_argument("--experiment-steps", type=int, default=None, help="GD steps of the experiment (default 200)")
    args = ap.parse_args()
    np.seterr(all="ignore")
    print(f"machine: {platform.processor() or platform.machine()}, numpy {np.__version__}, scipy {scipy.__version__}")
    hdr = f"{'case':<34} {'path':<6} {'s/GFS':>8} {'ratio':>7} {'value':>20} {'|err|':>9} {'estimate':>9}"
    print(hdr)
    for name, model, x, gtol, closed in cases(args.quick):
        small = model.n_params < 100
        reps = 5 if small else 1
        if closed is None:
            ref, ref_unc = long_reference(model, x, args.reference)
        else:
            ref, ref_unc = closed, 0.0

        def gfs(m=model, x=x, g=gtol, **kw):
            return generic.gfs_sharpness(m, x, gtol=g, **kw)

        t_old, r_old = timed(lambda: gfs(method="lsoda"), reps)
        t_new, r_new = timed(lambda: gfs(method="fast"), reps)
        t_8, r_8 = timed(lambda: gfs(method="fast", rtol=1e-8), reps)
        t_bdf, r_bdf = timed(lambda: gfs(method="fast", integrator="BDF"), reps)
        t_pl, v_pl = timed(lambda m=model, x=x, g=gtol: plain_gfs(m, x, g, 1e-10), reps)
        for path, t, v, e in (
            ("lsoda", t_old, r_old.value, r_old.error),
            ("fast", t_new, r_new.value, r_new.error),
            ("fast8", t_8, r_8.value, r_8.error),
            ("fastbd", t_bdf, r_bdf.value, r_bdf.error),
            ("plain", t_pl, v_pl, float("nan")),
        ):
            print(f"{name:<34} {path:<6} {t:8.3g} {t_pl / t:6.2f}x {v:20.14g} {abs(v - ref):9.2e} {e:9.2e}")
        cover = ", ".join(
            f"{p}: {'covers' if abs(r.value - ref) <= r.error + ref_unc else 'DOES NOT COVER'}"
            for p, r in (("lsoda", r_old), ("fast", r_new), ("fast8", r_8), ("fastbd", r_bdf))
        )
        print(
            f"{'':<34} reference {ref:.14g} (own uncertainty {ref_unc:.1e}); speed-up over lsoda: "
            f"fast {t_old / t_new:.2f}x, fast8 {t_old / t_8:.2f}x, fastbd {t_old / t_bdf:.2f}x; estimates: {cover}"
        )
    if args.experiment:
        from scalar_eos.generic import run_experiment

        times = {}
        for method in ("lsoda", "fast"):
            t = time.perf_counter()
            e = run_experiment("mlp", method=method, steps=args.experiment_steps)
            times[method] = time.perf_counter() - t
            s = e.summary
            print(
                f"experiment mlp, {method:<5}: {times[method]:7.1f} s, {s['seconds_per_gfs']:.3g} s/GFS flow, "
                f"monotone={s['monotone']}, final GFS/(2/eta)={s['final_gfs_over_threshold']:.10f}"
            )
        print(f"experiment mlp speed-up: {times['lsoda'] / times['fast']:.1f}x")


if __name__ == "__main__":
    main()

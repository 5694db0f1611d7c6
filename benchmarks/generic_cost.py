"""Cost of one GFS evaluation with the generic engine, per model and size.

Run:  python benchmarks/generic_cost.py [--quick]

For each example model and a range of sizes: the number of parameters, the
median CPU time (``time.process_time``) of ``scalar_eos.generic.gfs_sharpness`` from the model's
initialisation (LSODA with the exact Jacobian, to |grad| <= gtol/10, then
the top Hessian eigenvalue) and the flow time.  For the scalar network the
scalar closed form (``scalar_eos.gfs_sharpness``, float64) runs side by side
on the same points, and the ratio and the agreement are printed.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import scalar_eos as se
from scalar_eos import generic


def timed(fn, reps: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(reps):
        t = time.process_time()
        out = fn()
        times.append(time.process_time() - t)
    return statistics.median(times), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer sizes")
    args = ap.parse_args()
    reps = 1 if args.quick else 3
    print(f"{'model':<40} {'params':>7} {'s / GFS':>9} {'flow t':>9} {'status':>10}")
    cases = [
        *[(generic.scalar_network(d), 1e-9) for d in (2, 4, 8, 16)],
        *[(generic.matrix_factorization(m, m, 1), 1e-9) for m in ((3, 6, 12) if args.quick else (3, 6, 12, 24, 48))],
        *[
            (generic.quadratic_regression(d, max(1, d // 2)), 1e-9)
            for d in ((4, 16) if args.quick else (4, 16, 64, 256))
        ],
        *[(generic.tanh_mlp(hidden=h, samples=24), 1e-7) for h in ((1, 2) if args.quick else (1, 2, 4, 8))],
    ]
    for model, gtol in cases:
        sec, r = timed(lambda m=model, g=gtol: generic.gfs_sharpness(m, m.x0, gtol=g), reps)
        print(f"{model.name:<40} {model.n_params:>7} {sec:>9.3g} {r.flow.t:>9.3g} {r.status:>10}")
        if model.name.startswith("scalar"):
            c = se.reduce_data([1.0, 2.0], [1.0, 3.0])
            sec_cf, ref = timed(lambda m=model, c=c: se.gfs_sharpness(list(m.x0), **c.kwargs()), 20)
            print(
                f"{'  vs scalar closed form (float64)':<40} {'':>7} {sec_cf:>9.3g}"
                f"   ratio {sec / sec_cf:8.3g}x, rel. difference {abs(r.value - ref) / ref:.1e}"
            )


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()

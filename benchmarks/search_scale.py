"""Benchmark the scale-aware search: throughput, margin accuracy near ties, reach into corners.

Run:  python benchmarks/search_scale.py [--quick]

Side by side, in one process:

1. margins: ``scalar_eos.margins.step_margin`` (difference form) against the
   plain float64 difference of two GFS sharpnesses, on the same scale-aware
   sample (D = 3); both against the exact margin (50 digits) on the rows with
   the smallest margins: how many signs each gets right, and the cost ratio;
2. search throughput at D = 3: trials per second of ``explore`` (the engine of
   ``scalar-eos search`` for one-step claims) for ``step-decrease-s``, with the
   closest margin and the decades of ``|w|`` covered.

Throughput is per CPU second of this process (``time.process_time``), single-threaded NumPy, i.e. per core.
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np
from mpmath import mp

from scalar_eos import fast
from scalar_eos.explore import explore
from scalar_eos.margins import exact_margin, step_margin
from scalar_eos.sampling import Region, ScaleAwareSampler


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes (a smoke run)")
    args = parser.parse_args()
    n = 20_000 if args.quick else 200_000
    budget = 40_000 if args.quick else 400_000
    rng = np.random.default_rng(2024)
    s = ScaleAwareSampler(Region(pi_over_y=(0.0, 2.0), eta_psi=(0.0, 2 * math.sqrt(2))))
    W, eta = s(rng, 3, n, 1.0)
    ok = np.isfinite(eta)
    W, eta = W[ok], eta[ok]

    t0 = time.process_time()
    r = step_margin(W, eta)
    t1 = time.process_time()
    with np.errstate(all="ignore"):
        before = fast.gfs_sharpness(W)
        plain = (before - fast.gfs_sharpness(fast.gd_step(W, eta))) / before
    t2 = time.process_time()
    print(f"1. margins on {len(eta)} rows (D = 3)")
    print(
        f"   step_margin {len(eta) / (t1 - t0):,.0f} rows/s, plain difference {len(eta) / (t2 - t1):,.0f} rows/s, "
        f"cost ratio {(t1 - t0) / (t2 - t1):.2f}"
    )
    rows = np.argsort(np.abs(r.margin))[: (10 if args.quick else 40)]
    right_acc = undecided = right_plain = within = 0
    for i in rows:
        with mp.workdps(400):
            ex = exact_margin(list(W[i]), float(eta[i]), dps=20)
            sign = (ex > 0) - (ex < 0)
            if abs(r.margin[i]) > r.error[i]:
                right_acc += int(np.sign(r.margin[i]) == sign)
            else:
                undecided += 1
            right_plain += int(np.sign(plain[i]) == sign)
            within += int(abs(mp.mpf(r.margin[i]) - ex) <= r.error[i])
    print(f"   on the {len(rows)} rows closest to a tie (|margin| up to {np.abs(r.margin[rows]).max():.2g}):")
    print(
        f"   sign right: step_margin {right_acc}/{len(rows) - undecided} decided ({undecided} within their error "
        f"bound, left to the exact decision), plain difference {right_plain}/{len(rows)}; "
        f"exact margin within the error bound {within}/{len(rows)}"
    )

    t0 = time.process_time()
    rep = explore("step-decrease-s", 3, budget=budget, seed=0, progress=False)
    t1 = time.process_time()
    cov = rep.coverage["log10_abs_w"]
    print(
        f"2. explore step-decrease-s D = 3, budget {budget}: {rep.trials / (t1 - t0):,.0f} trials/s "
        f"({t1 - t0:.1f} s incl. the exact decisions)"
    )
    if rep.closest:
        print(
            f"   closest margin {rep.closest[0]['margin']:.3g} (decided at 50 digits); "
            f"log10 |w| covered [{cov[0]:.1f}, {cov[1]:.1f}]"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Benchmark the fast path against the approaches a user would otherwise take.

Run:  python benchmarks/fast_gfs.py [--quick] [--json OUT.json]

Side by side, in one process, on the same random points:

1. ``scalar_eos.fast.gfs_sharpness`` vs integrating gradient flow per point
   with ``scipy.integrate.solve_ivp`` (DOP853, rtol 1e-12, stopped by an event
   when the gradient norm drops below 1e-12) and taking the top Hessian
   eigenvalue at the end point, for D = 2, 4, 8, 16;
2. the fast path vs the per-point mpmath reference at 30 digits;
3. a GD sweep: N = 10^5 initialisations x 10^3 steps, GFS sharpness tracked
   at every step (constant-memory summaries);
4. streaming 10^8 rows (D = 2) through the fast path, with the peak resident
   memory of the process.

Rates are per CPU second of this process (``time.process_time``; the fast
path's is the median over repeated calls), i.e. per core; the fast path runs
on the engine ``fast.gfs_sharpness`` picks (numba when installed).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time

import numpy as np

import scalar_eos as se
from scalar_eos import fast
from scalar_eos.benchmark import rate, sample, solve_ivp_gfs_sharpness


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes (a smoke run)")
    parser.add_argument("--json", metavar="OUT", help="also write the measurements as JSON")
    args = parser.parse_args()
    report: dict[str, list[dict[str, float]] | dict[str, float]] = {"solve_ivp": [], "mpmath": [], "gd_sweep": []}
    rng = np.random.default_rng(2023)
    n_fast = 200_000 if not args.quick else 20_000
    n_ivp = 20 if not args.quick else 3

    print("1. fast.gfs_sharpness vs solve_ivp(DOP853, rtol=1e-12) + eigvalsh, per point")
    print("   (fast path on signed weights; solve_ivp on their absolute values)")
    print(f"{'D':>4} {'fast [pts/s]':>14} {'solve_ivp [pts/s]':>18} {'ratio':>10} {'max rel. diff':>14}")
    for depth in (2, 4, 8, 16):
        W = sample(rng, n_fast, depth)
        r_fast = rate(lambda W=W: fast.gfs_sharpness(W), n_fast)
        # positive weights: flows that pass near a saddle are even slower for solve_ivp
        pts = np.abs(W[:n_ivp])
        with np.errstate(all="ignore"):
            solve_ivp_gfs_sharpness(pts[0])  # warm-up (imports)
        start = time.process_time()
        with np.errstate(all="ignore"):  # scipy's step-size trials may overflow harmlessly
            slow = np.array([solve_ivp_gfs_sharpness(w) for w in pts])
        r_ivp = n_ivp / (time.process_time() - start)
        ok = np.isfinite(slow)
        ref = fast.gfs_sharpness(pts)
        diff = np.max(np.abs(slow[ok] - ref[ok]) / ref[ok]) if ok.any() else float("nan")
        note = "" if ok.all() else f"  ({np.count_nonzero(~ok)} of {n_ivp} did not converge by t = 1000)"
        print(f"{depth:>4} {r_fast:>14.4g} {r_ivp:>18.4g} {r_fast / r_ivp:>10.3g} {diff:>14.2e}{note}")
        report["solve_ivp"].append(
            {
                "depth": depth,
                "fast": r_fast,
                "solve_ivp": r_ivp,
                "max_rel_diff": float(diff),
                "failed": n_ivp - int(ok.sum()),
            }
        )

    print("\n2. fast.gfs_sharpness vs the mpmath reference at 30 digits, per point")
    print(f"{'D':>4} {'fast [pts/s]':>14} {'mpmath [pts/s]':>15} {'ratio':>10} {'max rel. err':>13}")
    for depth in (2, 4, 8):
        W = sample(rng, n_fast, depth)
        r_fast = rate(lambda W=W: fast.gfs_sharpness(W), n_fast)
        pts = W[: 200 if not args.quick else 20]
        start = time.process_time()
        ref = [se.gfs_sharpness(w, dps=30) for w in pts]
        r_mp = len(pts) / (time.process_time() - start)
        got = fast.gfs_sharpness(pts)
        err = max(float(abs(g - r) / r) for g, r in zip(got, ref, strict=True))
        print(f"{depth:>4} {r_fast:>14.4g} {r_mp:>15.4g} {r_fast / r_mp:>10.3g} {err:>13.2e}")
        report["mpmath"].append({"depth": depth, "fast": r_fast, "mpmath": r_mp, "max_rel_err": err})

    n_sweep, steps = (100_000, 1000) if not args.quick else (10_000, 100)
    print(f"\n3. GD sweep: N = {n_sweep} initialisations x {steps} steps, GFS sharpness every step")
    for depth in (2, 4):
        W0 = np.abs(sample(rng, n_sweep, depth))
        eta = 2.0 / (fast.gfs_sharpness(W0) * rng.uniform(0.6, 1.4, size=n_sweep))
        start = time.process_time()
        out = fast.gd(W0, eta, steps, track=("gfs_sharpness",), summary=True)
        elapsed = time.process_time() - start
        s = out["gfs_sharpness"]
        ok = out["status"] == fast.Status.OK
        mono = np.mean(s["increases"][ok] == 0)
        evals = n_sweep * (steps + 1)
        print(
            f"   D = {depth}: {elapsed:.1f} CPU s ({evals / elapsed:.3g} GFS evaluations/s incl. GD steps);"
            f" rows with GFS sharpness never increasing: {100 * mono:.1f}%"
        )
        report["gd_sweep"].append({"depth": depth, "cpu_s": elapsed, "evaluations_per_s": evals / elapsed})

    n_stream = 10**8 if not args.quick else 10**6
    chunk = 1 << 20
    print(f"\n4. streaming {n_stream:.0e} rows (D = 2) in chunks of {chunk}")
    start = time.process_time()
    total, finite = 0, 0
    gen = np.random.default_rng(5)
    while total < n_stream:
        k = min(chunk, n_stream - total)
        psi = fast.gfs_sharpness(gen.uniform(0.1, 3.0, size=(k, 2)))
        finite += int(np.count_nonzero(np.isfinite(psi)))
        total += k
    elapsed = time.process_time() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB on Linux
    print(f"   {total} rows ({finite} finite) in {elapsed:.1f} CPU s incl. sampling; peak RSS {peak:.0f} MiB")
    report["stream"] = {"rows": total, "finite": finite, "cpu_s": elapsed, "peak_rss_mib": peak}
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(report, fh, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())

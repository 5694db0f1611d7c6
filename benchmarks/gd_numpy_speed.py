"""Untracked batched GD on the NumPy engine vs 0.1's GD step in a loop, side by side in one process.

Run:  OMP_NUM_THREADS=1 python benchmarks/gd_numpy_speed.py [--quick] [--reps 5] [--depths 3] [--json OUT.json]

For each depth and size (2000 rows x 5000 steps and 16384 rows x 1000 steps;
``--quick``: a tenth of the steps), on the same inputs (weights log-uniform
in [e^-0.5, e^0.5], ``eta = 0.5 / max(psi, sharpness)`` so every row stays in
range, target 1), interleaved, median CPU time (``time.process_time``) of
``--reps`` runs:

* ``0.1 GD step loop`` - the frozen 0.1 update (``tests/classify_v01.py``) called once per step (the baseline);
* ``step_columns loop`` - today's one-step update ``fast.step_columns`` once per step (what ``fast.gd`` runs
  between recorded iterates when it tracks something);
* ``NumPy engine`` - ``fast.gd(track=(), engine="numpy")`` (blocks of steps: ``fast.gd_columns``);
* ``numba engine`` - ``fast.gd(track=(), engine="numba")``, when numba is installed.

Prints CPU seconds, row-steps per CPU second and the time ratio to the 0.1
loop (< 1: faster), and checks that every implementation returns the 0.1
loop's final iterates bit for bit.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from classify_speed import gd_v01

from scalar_eos import _engine, fast
from scalar_eos._progress import Progress

SIZES = ((2000, 5000), (16384, 1000))


def step_loop(W: np.ndarray, eta: np.ndarray, steps: int) -> np.ndarray:
    """``fast.step_columns`` once per step."""
    wt = np.array(W.T, dtype=float, order="C")
    with np.errstate(all="ignore"):
        for _ in range(steps):
            wt = fast.step_columns(wt, eta, 1.0)
    return wt.T


def implementations(numba: bool) -> dict:
    impls = {
        "0.1 GD step loop": gd_v01,
        "step_columns loop": step_loop,
        "NumPy engine": lambda W, eta, steps: fast.gd(W, eta, steps, track=(), engine="numpy")["weights"],
    }
    if numba:
        impls["numba engine"] = lambda W, eta, steps: fast.gd(W, eta, steps, track=(), engine="numba")["weights"]
    return impls


def measure(depth: int, n: int, steps: int, reps: int, impls: dict, bar: Progress) -> dict:
    rng = np.random.default_rng(2027 + depth)
    W = np.exp(rng.uniform(-0.5, 0.5, (n, depth)))
    eta = 0.5 / np.maximum(fast.gfs_sharpness(W), fast.sharpness(W))
    cpu: dict[str, list[float]] = {name: [] for name in impls}
    outs = {}
    for name, fn in impls.items():  # warm-up (numba compiles or loads its cache)
        outs[name] = fn(W[:64], eta[:64], 2)
    for _ in range(reps):
        for name, fn in impls.items():
            bar.note = f"D={depth} {n}x{steps} {name}"
            t0 = time.process_time()
            outs[name] = fn(W, eta, steps)
            cpu[name].append(time.process_time() - t0)
            bar.update(1)
    base_name = "0.1 GD step loop"
    base = statistics.median(cpu[base_name])
    rows = []
    for name in impls:
        med = statistics.median(cpu[name])
        rows.append(
            {
                "name": name,
                "cpu_s": cpu[name],
                "median_cpu_s": med,
                "row_steps_per_cpu_s": n * steps / med,
                "time_ratio_vs_0.1": med / base,
                "bit_identical_to_0.1": bool(np.asarray(outs[name]).tobytes() == np.asarray(outs[base_name]).tobytes()),
            }
        )
    return {"depth": depth, "rows": n, "steps": steps, "results": rows}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="a tenth of the steps")
    ap.add_argument("--reps", type=int, default=5, help="timed runs per implementation (median reported)")
    ap.add_argument("--depths", default="3", help="comma-separated depths (default 3)")
    ap.add_argument("--json", metavar="OUT", help="also write the record as JSON")
    ap.add_argument("--quiet", action="store_true", help="no progress line")
    args = ap.parse_args()
    depths = [int(d) for d in args.depths.split(",")]
    sizes = [(n, max(1, s // 10) if args.quick else s) for n, s in SIZES]
    numba = _engine.numba_version() is not None
    impls = implementations(numba)
    print(
        f"numpy {np.__version__}, numba {_engine.numba_version() or 'not installed'}; median CPU time of"
        f" {args.reps} runs; ratio = time / time of the 0.1 GD step loop (< 1 is faster)"
    )
    record = []
    total = len(depths) * len(sizes) * args.reps * len(impls)
    with Progress(total, "gd speed", enabled=False if args.quiet else None) as bar:
        for depth in depths:
            for n, steps in sizes:
                record.append(measure(depth, n, steps, args.reps, impls, bar))
    ok = True
    for rec in record:
        print(f"\nD = {rec['depth']}, {rec['rows']} rows x {rec['steps']} steps")
        for r in rec["results"]:
            ok &= r["bit_identical_to_0.1"]
            print(
                f"   {r['name']:<18} CPU {r['median_cpu_s']:8.4f} s  {r['row_steps_per_cpu_s']:10.4g} row-steps/s"
                f"  ratio {r['time_ratio_vs_0.1']:6.3f}  bit-identical to 0.1: {r['bit_identical_to_0.1']}"
            )
    if args.json:
        Path(args.json).write_text(json.dumps({"numpy": np.__version__, "runs": record}, indent=1))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""Outcome classification, plain GD, GFS sharpness and the phase design: new engines vs 0.1 vs plain NumPy.

Run:  python benchmarks/classify_speed.py [--quick] [--reps 3] [--json OUT.json]

The detailed view of four of the speed targets (``scalar_eos.speed``; all
five and the other scripts: ``benchmarks/run_all.py``).  Everything runs in
this one process on the same inputs, interleaved, median CPU time of
``--reps`` runs (``time.process_time``; the wall clock, printed too, also
counts other processes on a shared machine), single thread:

1. the outcome classifier at D = 3 (2000 starts, weights log-uniform in
   [0.2, 5], eta psi(w0) uniform in [0.5, 3], budget 5000 steps): a plain
   NumPy loop (GD + warm-started Newton for the GFS shift every step,
   retiring converged and diverged rows), the frozen 0.1 ``classify_batch``
   (``tests/classify_v01.py``), the NumPy engine and the numba engine;
2. plain GD at D = 3 (16384 rows x 1000 steps): a plain NumPy loop, 0.1's
   one-step update in a loop, ``fast.gd(track=())`` on each engine;
3. GFS sharpness at D = 4 (200 000 points): a plain NumPy Newton on
   ``prod(w_i^2 + c) = 1``, 0.1's ``fast.gfs_sharpness``, both engines;
4. README's phase design (depth 3, 20 x 36 grid x 4 draws, budget 20000):
   0.1, both engines; then the outcome counts and why rows stay undecided.

After each table: the agreement checks (same outcomes, largest difference,
bit identity of the two engines).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scalar_eos import _engine, speed
from scalar_eos.outcome import classify_batch, reason_text
from tests import classify_v01
from tests.classify_v01 import classify_batch_v01

NAMES = ("converged", "periodic", "diverged", "saddle", "undecided", "chaotic", "quasiperiodic", "saddle_approach")


def counts(status: np.ndarray) -> dict[str, int]:
    return {name: int(np.sum(status == k)) for k, name in enumerate(NAMES) if np.any(status == k)}


def gfs_v01(W: np.ndarray) -> np.ndarray:
    """0.1's ``fast.gfs_sharpness`` (frozen copy): chunks of 16384 rows through its ``_gfs_chunk``."""
    out = np.empty(len(W))
    with np.errstate(all="ignore"):
        for a in range(0, len(W), 1 << 14):
            wt = np.ascontiguousarray(W[a : a + (1 << 14)].T)
            out[a : a + wt.shape[1]] = classify_v01._gfs_chunk(wt, 1.0, 1.0, want_solution=False)["sharpness"]
    return out


def gd_v01(W: np.ndarray, eta: np.ndarray, steps: int) -> np.ndarray:
    """0.1's one-step update on columns, ``steps`` times."""
    wt = np.array(W.T, dtype=float, order="C")
    with np.errstate(all="ignore"):
        for _ in range(steps):
            wt = classify_v01._step_cols(wt, eta, 1.0)
    return wt.T


def classify_v01_fn(W: np.ndarray, eta: np.ndarray, *, max_steps: int) -> dict[str, np.ndarray]:
    return classify_batch_v01(W, eta, max_steps=max_steps)


EXTRA = {
    "classify": {"0.1 classify_batch": classify_v01_fn},
    "gd": {"0.1 GD step loop": gd_v01},
    "gfs_d4": {"0.1 fast.gfs_sharpness": gfs_v01},
    "phase": {"0.1 classify_batch": classify_v01_fn},
}


def show(target: dict) -> None:
    print(f"\n{target['title']} ({target['size']}; {target['unit']})")
    base = speed.base_result(target)
    for r in target["results"]:
        cpu, wall = float(np.median(r["cpu_s"])), float(np.median(r["wall_s"]))
        print(
            f"   {r['name']:<24} {r['role']:<9} {r['value']:>11.4g}  x{speed.speedup(target, r, base):>8.3g} vs"
            f" {base['name']:<18} CPU {cpu:8.3f} s  wall {wall:8.3f} s  ({len(r['cpu_s'])} runs)"
        )
    for key, value in target["agreement"].items():
        print(f"   {key}: {value:.3g}" if isinstance(value, float) else f"   {key}: {value}")
    met = {True: "met", False: "NOT met", None: "-"}[target.get("met")]
    print(f"   target {target['goal_text']}: {met}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes; the phase design baselines run once")
    parser.add_argument("--reps", type=int, default=3, help="timed runs per implementation (median reported)")
    parser.add_argument("--json", metavar="OUT", help="also write the record as JSON")
    args = parser.parse_args()
    info = _engine.engine_info("numba")
    print(f"engines: numba {info['version']}, numpy {np.__version__}; rates per CPU second, one thread")
    record = speed.measure(["classify", "gd", "gfs_d4", "phase"], quick=args.quick, reps=args.reps, extra=EXTRA)
    for target in record["targets"]:
        show(target)

    print("\nphase design outcomes (numba engine, one more run):")
    W, eta = speed.phase_design()
    cpu, wall = time.process_time(), time.perf_counter()
    res = classify_batch(W, eta, max_steps=20000, engine="numba")
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(f"   CPU {cpu:.2f} s, wall {wall:.2f} s: {counts(res['status'])}")
    undecided = res["reason"][res["status"] == 4]
    for code in np.unique(undecided):
        print(f"   {np.sum(undecided == code):4d} undecided: {reason_text(int(code))}")
    if args.json:
        speed.save_record(record, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The compiled outcome classifier: current kernel vs the frozen 0.3.0 kernel, side by side, and their bit identity.

Run:  python benchmarks/classify_kernel_speed.py [--reps 9] [--rows 3000] [--json OUT.json]

1. Speed: the ``classify`` speed target's workload (D = 3, 2000 starts,
   weights log-uniform in [0.2, 5], eta psi(w0) uniform in [0.5, 3], budget
   5000 steps) through ``classify_batch(..., engine="numba")`` with the
   current kernel and with the frozen 0.3.0 copy (``benchmarks/_classify_frozen.py``:
   the kernel and the post-processing of the window ranges),
   interleaved, ``--reps`` runs each, CPU time (``time.process_time``), one
   thread.  Prints row-steps per CPU second (median, min, max) of the whole
   call and of the kernel alone, and the per-run ratio frozen/current.
2. Bit identity: every output array of ``classify_batch`` (statuses, steps,
   final sharpness, weights, Lyapunov estimates, ...) of both kernels and of
   the NumPy engine on ``--rows`` random rows per depth D = 2..5 (mixed signs,
   targets and scales; eta psi(w0) from convergent to divergent, so converged,
   periodic, chaotic, diverged and undecided rows) plus constructed saddle,
   saddle-approach and zero-weight rows.  Exit status 1 if any array differs.
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

from benchmarks import _classify_frozen
from scalar_eos import _classify, _kernels_classify, fast
from scalar_eos.outcome import OUTCOMES, classify_batch

CURRENT = _kernels_classify.classify_group
CURRENT_RANGES = _classify.window_ranges
KERNELS = {"frozen 0.3.0": _classify_frozen.classify_group, "current": CURRENT}
#: The Python post-processing that goes with each kernel (0.3.0 reduced the window ranges of every row).
RANGES = {_classify_frozen.classify_group: _classify_frozen.window_ranges, CURRENT: CURRENT_RANGES}


def run(kernel, W, eta, *, target=1.0, scale=1.0, max_steps=5000, engine="numba"):
    """``classify_batch`` with ``kernel`` as the compiled classifier; returns (result, kernel CPU seconds)."""
    spent = [0.0]

    def timed(*args):
        c0 = time.process_time()
        kernel(*args)
        spent[0] += time.process_time() - c0

    _kernels_classify.classify_group = timed
    _classify.window_ranges = RANGES[kernel]
    try:
        res = classify_batch(W, eta, target=target, scale=scale, max_steps=max_steps, engine=engine)
    finally:
        _kernels_classify.classify_group = CURRENT
        _classify.window_ranges = CURRENT_RANGES
    return res, spent[0]


def workload():
    """The ``classify`` speed target's inputs (``scalar_eos._speed_targets``)."""
    rng = np.random.default_rng(2026)
    W = np.exp(rng.uniform(np.log(0.2), np.log(5.0), (2000, 3)))
    return W, rng.uniform(0.5, 3.0, 2000) / fast.gfs_sharpness(W)


def random_cases(rows: int, seed: int = 7):
    """Random and constructed rows per depth: (W, eta, target, scale, max_steps)."""
    rng = np.random.default_rng(seed)
    cases = []
    for depth in (2, 3, 4, 5):
        W = np.exp(rng.uniform(np.log(0.1), np.log(4.0), (rows, depth)))
        W *= rng.choice([-1.0, 1.0], W.shape, p=[0.3, 0.7])
        y = rng.choice([-2.0, -1.0, 0.5, 1.0, 1.0, 3.0], rows)
        s = rng.choice([1.0, 1.0, 0.5, 2.0], rows)
        with np.errstate(all="ignore"):
            psi = fast.gfs_sharpness(W, target=y, scale=s)
        ok = np.isfinite(psi) & (psi > 0)
        W, y, s, psi = W[ok], y[ok], s[ok], psi[ok]
        eta = rng.uniform(0.3, 3.5, len(W)) / (s * psi)  # eta m psi: convergent .. periodic .. chaotic .. divergent
        special = np.array(
            [
                [-0.3] * depth,
                [1e-3] * depth,
                [1e-6] * depth,
                [1.0] + [0.0] * (depth - 1),
                [0.0] * depth,
                [2.0, -1e-3] + [1e-3] * (depth - 2),
                [1.0, 1.01] + [0.99] * (depth - 2),
                [0.455445968613588, 0.2979955695796145] + [0.3684031498640387] * (depth - 2),
            ]
        )
        k = len(special)
        cases.append(
            (
                np.vstack([W, special]),
                np.concatenate([eta, rng.uniform(0.2, 1.3, k)]),
                np.concatenate([y, np.ones(k)]),
                np.concatenate([s, np.ones(k)]),
                4000,
            )
        )
    return cases


def same(a: dict, b: dict) -> list[str]:
    """Keys whose arrays differ (NaN equal to NaN)."""
    return [k for k in a if not np.array_equal(np.asarray(a[k]), np.asarray(b[k]), equal_nan=True)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=9, help="timed runs per kernel, interleaved")
    parser.add_argument("--rows", type=int, default=3000, help="random rows per depth for the identity check")
    parser.add_argument("--json", metavar="OUT", help="write the measurements as JSON")
    args = parser.parse_args()

    W, eta = workload()
    for kernel in KERNELS.values():  # compile / load from cache
        run(kernel, W[:4], eta[:4])
    cpu = {name: [] for name in KERNELS}
    kcpu = {name: [] for name in KERNELS}
    work = None
    outs = {}
    for _ in range(args.reps):
        for name, kernel in KERNELS.items():
            c0 = time.process_time()
            res, k = run(kernel, W, eta)
            cpu[name].append(time.process_time() - c0)
            kcpu[name].append(k)
            work = float(np.sum(res["steps"]))
            outs[name] = res
    print(f"classify target workload: 2000 rows, D = 3, budget 5000, {work:.0f} row-steps; {args.reps} runs each")
    record = {"row_steps": work, "reps": args.reps, "kernels": {}}
    for name in KERNELS:
        for label, ts in (("classify_batch", cpu[name]), ("kernel alone", kcpu[name])):
            rates = [work / t for t in ts]
            print(
                f"   {name:<13} {label:<15} median {statistics.median(rates):.3g} row-steps/s"
                f"  (min {min(rates):.3g}, max {max(rates):.3g})"
            )
        record["kernels"][name] = {"cpu_s": cpu[name], "kernel_cpu_s": kcpu[name]}
    ratio = [a / b for a, b in zip(cpu["frozen 0.3.0"], cpu["current"], strict=True)]
    kratio = [a / b for a, b in zip(kcpu["frozen 0.3.0"], kcpu["current"], strict=True)]
    print(
        f"   speed-up current vs frozen, per interleaved pair: classify_batch median {statistics.median(ratio):.3f}"
        f" (min {min(ratio):.3f}, max {max(ratio):.3f}); kernel median {statistics.median(kratio):.3f}"
        f" (min {min(kratio):.3f}, max {max(kratio):.3f})"
    )
    bad = same(outs["frozen 0.3.0"], outs["current"])

    counts: dict[str, int] = {}
    nrows = 0
    for Wc, ec, yc, sc, steps in random_cases(args.rows):
        a, _ = run(_classify_frozen.classify_group, Wc, ec, target=yc, scale=sc, max_steps=steps)
        b, _ = run(CURRENT, Wc, ec, target=yc, scale=sc, max_steps=steps)
        c, _ = run(CURRENT, Wc, ec, target=yc, scale=sc, max_steps=steps, engine="numpy")
        bad += [f"D={Wc.shape[1]} frozen/current {k}" for k in same(a, b)]
        bad += [f"D={Wc.shape[1]} current/numpy {k}" for k in same(b, c)]
        nrows += len(Wc)
        for code in np.unique(b["status"]):
            counts[OUTCOMES[code]] = counts.get(OUTCOMES[code], 0) + int(np.sum(b["status"] == code))
    print(f"identity check on {nrows} rows (D = 2..5), outcomes {counts}:")
    ok = "   all arrays bit-identical (frozen kernel, current kernel, NumPy engine)"
    print(ok if not bad else f"   DIFFER: {bad}")
    record.update(identity_rows=nrows, outcomes=counts, differ=bad)
    if args.json:
        Path(args.json).write_text(json.dumps(record, indent=1))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

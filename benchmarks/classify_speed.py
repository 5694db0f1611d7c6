"""Outcome classification, plain GD and GFS sharpness: new engines vs v0.1 vs plain NumPy, side by side.

Run:  python benchmarks/classify_speed.py [--quick] [--json OUT.json]

Everything runs in this one process on the same points:

1. the outcome classifier at D = 3 (2000 starts, weights log-uniform in
   [0.2, 5], eta psi(w0) uniform in [0.5, 3], budget 5000 steps): the frozen
   v0.1 ``classify_batch`` (``tests/classify_v01.py``), the fused NumPy engine,
   the compiled (numba) engine, and a plain NumPy loop that only does GD plus
   a warm-started GFS Newton solve every step (no decisions): row-steps/s;
2. plain GD at D = 3 (16384 rows x 1000 steps): ``fast.gd(track=())`` (the
   NumPy path), the compiled kernel, and a plain NumPy loop;
3. GFS sharpness at D = 4 (200 000 points): ``fast.gfs_sharpness`` (NumPy),
   the compiled kernel, and a naive NumPy Newton on ``prod(w_i^2 + c) = y^2``;
4. README's phase design (depth 3, 20 x 36 grid x 4 draws, budget 20000):
   time and outcome counts for v0.1 and both engines.

Rates are per CPU second of this process (``time.process_time``; the wall
clock is printed too: on a shared machine it also counts other processes).
Single thread.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scalar_eos import _classify as C
from scalar_eos import _engine, fast
from tests import classify_v01
from tests.classify_v01 import classify_batch_v01

NAMES = ("converged", "periodic", "diverged", "saddle", "undecided", "chaotic", "quasiperiodic", "saddle_approach")


def timed(fn):
    """``(result, cpu seconds, wall seconds)`` of one call."""
    c0, w0 = time.process_time(), time.perf_counter()
    out = fn()
    return out, time.process_time() - c0, time.perf_counter() - w0


def best(fn, reps=3):
    """Smallest CPU time (and its wall time) over ``reps`` calls."""
    runs = [timed(fn)[1:] for _ in range(reps)]
    return min(runs)


# --------------------------------------------------------------------------- plain NumPy references


def ref_shift(q: np.ndarray, y2: np.ndarray, c: np.ndarray | None = None) -> np.ndarray:
    """Root ``c`` of ``prod_i (q_i + c) = y^2`` per row by plain Newton from ``c`` (default: ``y2^(1/D)``).

    ``g(c) = prod(q + c) - y^2`` is convex and increasing right of ``-min q``;
    from a point with ``g >= 0`` Newton decreases monotonically to the root.
    A warm start left of the root is first pushed right by one step.
    """
    depth = q.shape[1]
    c = np.abs(y2) ** (1.0 / depth) if c is None else c.copy()
    for _ in range(100):
        x = q + c[:, None]
        p = np.prod(x, axis=1)
        dp = p * np.sum(1.0 / x, axis=1)
        step = (p - y2) / dp
        c = c - step
        if np.all(np.abs(step) <= 1e-15 * (np.abs(c) + np.min(q, axis=1))):
            break
    return c


def ref_gfs_sharpness(W: np.ndarray, y: float = 1.0) -> np.ndarray:
    q = W * W
    c = ref_shift(q, np.full(len(W), y * y))
    return y * y * np.sum(1.0 / (q + c[:, None]), axis=1)


def gfs_v01(W: np.ndarray) -> np.ndarray:
    """v0.1's ``fast.gfs_sharpness`` (frozen copy): chunks of 16384 rows through its ``_gfs_chunk``."""
    out = np.empty(len(W))
    with np.errstate(all="ignore"):
        for a in range(0, len(W), 1 << 14):
            wt = np.ascontiguousarray(W[a : a + (1 << 14)].T)
            out[a : a + wt.shape[1]] = classify_v01._gfs_chunk(wt, 1.0, 1.0, want_solution=False)["sharpness"]
    return out


def ref_gd(W: np.ndarray, eta: np.ndarray, steps: int) -> np.ndarray:
    w = W.copy()
    for _ in range(steps):
        p = np.prod(w, axis=1)
        w = w - (eta * (p - 1.0))[:, None] * (p[:, None] / w)
    return w


def ref_gd_gfs(W: np.ndarray, eta: np.ndarray, steps: int) -> np.ndarray:
    """GD plus the GFS sharpness every step (warm-started Newton), no decisions."""
    w = W.copy()
    q = w * w
    c = ref_shift(q, np.ones(len(w)))
    psi = np.sum(1.0 / (q + c[:, None]), axis=1)
    for _ in range(steps):
        p = np.prod(w, axis=1)
        w = w - (eta * (p - 1.0))[:, None] * (p[:, None] / w)
        q = w * w
        c = ref_shift(q, np.ones(len(w)), c=np.maximum(c, -np.min(q, axis=1) * (1 - 1e-3)))
        psi = np.sum(1.0 / (q + c[:, None]), axis=1)
    return psi


# --------------------------------------------------------------------------- inputs


def sweep_default_rows(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    W = np.exp(rng.uniform(np.log(0.2), np.log(5.0), (n, 3)))
    eta = rng.uniform(0.5, 3.0, n) / fast.gfs_sharpness(W)
    return W, eta


def phase_design_rows(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """README's phase design: product linspace(0.05, 1.95, 20) x eta psi linspace(0.5, 4, 36) x 4 draws."""
    rng = np.random.default_rng(seed)
    prod = np.repeat(np.linspace(0.05, 1.95, 20), 36 * 4)
    c = np.tile(np.repeat(np.linspace(0.5, 4.0, 36), 4), 20)
    kappa = rng.uniform(0.1, 1.0, prod.size)
    W = np.tile(prod[:, None] ** (1 / 3), (1, 3))
    W[:, 0] *= np.exp(kappa)
    W[:, 1] *= np.exp(-kappa)
    return W, c / fast.gfs_sharpness(W)


def classify(W, eta, max_steps, engine):
    n = len(eta)
    one = np.ones(n)
    raw = C.classify_arrays(W, eta, one, one, max_steps=max_steps, max_period=16, rtol=1e-12, engine=engine)
    return C.finalize(raw, one, one, max_steps=max_steps, max_period=16)


def counts(status: np.ndarray) -> dict[str, int]:
    return {name: int(np.sum(status == k)) for k, name in enumerate(NAMES) if np.any(status == k)}


# --------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, no v0.1 phase design (a smoke run)")
    parser.add_argument("--json", metavar="OUT", help="also write the measurements as JSON")
    args = parser.parse_args()
    rng = np.random.default_rng(2026)
    info = _engine.engine_info("numba")
    print(f"engines: numba {info['version']}, numpy {np.__version__}; rates per CPU second, one thread")
    classify(np.ones((2, 3)), np.full(2, 0.3), 64, "numba")  # compile (or load the cache) outside the timings
    report: dict[str, dict[str, float]] = {}

    n, steps = (2000, 5000) if not args.quick else (300, 2000)
    print(f"\n1. outcome classifier, D = 3, {n} starts, budget {steps} steps (row-steps/s; CPU s, wall s)")
    W, eta = sweep_default_rows(rng, n)
    old, c_old, _ = timed(lambda: classify_batch_v01(W, eta, max_steps=steps))
    new_np, c_np, _ = timed(lambda: classify(W, eta, steps, "numpy"))
    new_nb, c_nb, _ = timed(lambda: classify(W, eta, steps, "numba"))
    rs = float(np.sum(new_nb["steps"]))
    m = min(n, 300 if not args.quick else 100)
    c_gd = best(lambda: fast.gd(W[:m], eta[:m], steps, track=("gfs_sharpness",), summary=True), reps=1)[0]  # numpy
    with np.errstate(all="ignore"):
        c_ref = best(lambda: ref_gd_gfs(W[:m], eta[:m], steps), reps=1)[0]
    rows = {
        "v0.1 classify_batch": rs / c_old,
        "fused numpy engine": rs / c_np,
        "fused numba engine": rs / c_nb,
        "v0.1 fast.gd with GFS (no decisions)": m * (steps + 1) / c_gd,
        "plain numpy GD + GFS (no decisions)": m * steps / c_ref,
    }
    for name, r in rows.items():
        print(f"   {name:<38} {r:>12.3g}   x{r / rows['v0.1 classify_batch']:>7.1f} vs v0.1")
    dec = old["status"] != 4
    same = np.mean(old["status"][dec] == new_nb["status"][dec])
    engines_equal = all(
        np.array_equal(new_np[k], new_nb[k], equal_nan=True) for k in ("status", "period", "final", "weights")
    )
    print(
        f"   v0.1-decided rows with the same status: {100 * same:.2f}%; numpy and numba engines bit-identical:"
        f" {engines_equal}; outcomes v0.1 {counts(old['status'])} -> new {counts(new_nb['status'])}"
    )
    report["classifier_d3"] = rows

    n_gd, steps_gd = (16384, 1000) if not args.quick else (4096, 200)
    print(f"\n2. plain GD, D = 3, {n_gd} rows x {steps_gd} steps (row-steps/s)")
    from scalar_eos import _kernels

    W = np.exp(rng.uniform(-0.5, 0.5, (n_gd, 3)))
    eta = 0.5 / np.maximum(fast.gfs_sharpness(W), fast.sharpness(W))  # no row leaves the range
    wt = np.ascontiguousarray(W.T)
    _kernels.gd_block(wt.copy(), eta, np.ones(n_gd), 1)
    rows = {
        "fast.gd(track=()) (numpy)": n_gd
        * steps_gd
        / best(lambda: fast.gd(W, eta, steps_gd, track=(), engine="numpy"))[0],
        "compiled kernel (numba)": n_gd
        * steps_gd
        / best(lambda: _kernels.gd_block(wt.copy(), eta, np.ones(n_gd), steps_gd))[0],
        "plain numpy loop": n_gd * steps_gd / best(lambda: ref_gd(W, eta, steps_gd))[0],
    }
    same = np.array_equal(
        fast.gd(W, eta, steps_gd, track=(), engine="numpy")["weights"],
        _kernels.gd_block(wt.copy(), eta, np.ones(n_gd), steps_gd).T,
        equal_nan=True,
    )
    for name, r in rows.items():
        print(f"   {name:<38} {r:>12.3g}   x{r / rows['fast.gd(track=()) (numpy)']:>7.2f} vs fast.gd")
    print(f"   compiled result bit-identical to fast.gd: {same}")
    report["gd_d3"] = rows

    n_g = 200_000 if not args.quick else 20_000
    print(f"\n3. GFS sharpness, D = 4, {n_g} points (points/s)")
    W = np.exp(rng.uniform(-1, 1, (n_g, 4))) * rng.choice([-1.0, 1.0], (n_g, 4))
    wt = np.ascontiguousarray(W.T)
    one = np.ones(n_g)
    psi_nb, st_nb = np.empty(n_g), np.empty(n_g, dtype=np.int8)
    _kernels.gfs_cols(wt, one, one, one, one, psi_nb, st_nb, 32)
    rows = {
        "fast.gfs_sharpness (numpy)": n_g / best(lambda: fast.gfs_sharpness(W, engine="numpy"))[0],
        "v0.1 fast.gfs_sharpness (numpy)": n_g / best(lambda: gfs_v01(W))[0],
        "compiled kernel (numba)": n_g / best(lambda: _kernels.gfs_cols(wt, one, one, one, one, psi_nb, st_nb, 32))[0],
        "naive numpy Newton": n_g / best(lambda: ref_gfs_sharpness(W))[0],
    }
    psi_np, psi_ref = fast.gfs_sharpness(W, engine="numpy"), ref_gfs_sharpness(W)
    for name, r in rows.items():
        print(f"   {name:<38} {r:>12.3g}   x{r / rows['fast.gfs_sharpness (numpy)']:>7.2f} vs fast")
    print(
        f"   max rel. difference: numba vs numpy {np.max(np.abs(psi_nb - psi_np) / psi_np):.1e},"
        f" naive vs numpy {np.max(np.abs(psi_ref - psi_np) / psi_np):.1e}"
    )
    report["gfs_d4"] = rows

    print("\n4. README's phase design (depth 3, 2880 runs, budget 20000)")
    W, eta = phase_design_rows()
    phase: dict[str, float] = {}
    runs = [("fused numba engine", lambda: classify(W, eta, 20000, "numba"))]
    if not args.quick:
        runs += [
            ("fused numpy engine", lambda: classify(W, eta, 20000, "numpy")),
            ("v0.1 classify_batch", lambda: classify_batch_v01(W, eta, max_steps=20000)),
        ]
    for name, fn in runs:
        res, c, w = timed(fn)
        und = float(np.mean(res["status"] == 4))
        phase[f"{name} cpu_s"] = c
        phase[f"{name} undecided"] = und
        print(f"   {name:<24} CPU {c:7.2f} s  wall {w:7.2f} s  undecided {100 * und:5.2f}%  {counts(res['status'])}")
        if name == "fused numba engine":
            why = np.bincount(res["reason"][res["status"] == 4], minlength=len(C.REASONS))
            for code in np.flatnonzero(why):
                print(f"      {why[code]:4d} undecided: {C.REASONS[code]}")
    report["phase_design"] = phase
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

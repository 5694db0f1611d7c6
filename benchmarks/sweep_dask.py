"""Sweep throughput: serial vs a local Dask cluster, side by side in one script.

Run:  python benchmarks/sweep_dask.py [--quick]

Needs ``pip install 'scalar-eos[dask]'``.  The same design is swept three ways
into fresh files - serially in this process, on a LocalCluster of 1 worker and
on a LocalCluster of 2 workers (one thread each) - and the files are compared
byte for byte.  Reported: points per second and the ratios to the serial run.
Cluster start-up is included (it is what a user pays); the workers=1 line shows
the Dask overhead alone.
"""

from __future__ import annotations

import argparse
import filecmp
import tempfile
import time
from pathlib import Path

from scalar_eos import sweep as sw


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="a smaller design")
    args = ap.parse_args()
    design = {
        "depth": 3,
        "mode": "run",
        "samples": 2000 if args.quick else 8000,
        "seed": 0,
        "chunk": 250,
        "max_steps": 5000,
    }
    rows = sw.total_rows(sw.normalize_design(design))
    print(f"design: mode run, depth 3, {rows} points, budget 5000 GD steps per point, chunks of 250")
    with tempfile.TemporaryDirectory() as tmp:
        runs = [("serial", {}), ("dask, 1 worker", {"workers": 1}), ("dask, 2 workers", {"workers": 2})]
        times = {}
        for i, (name, kw) in enumerate(runs):
            out = Path(tmp) / f"run{i}.parquet"
            t = time.perf_counter()
            sw.sweep(design, out, **kw)
            times[name] = time.perf_counter() - t
            same = (
                ""
                if i == 0
                else f"  identical to serial: {filecmp.cmp(Path(tmp) / 'run0.parquet', out, shallow=False)}"
            )
            print(f"{name:<16} {times[name]:7.2f} s  {rows / times[name]:9.1f} points/s{same}")
        base = times["serial"]
        for name in list(times)[1:]:
            print(f"speed-up {name}: {base / times[name]:.2f}x")


if __name__ == "__main__":
    main()

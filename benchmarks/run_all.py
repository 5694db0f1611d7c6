"""Run every speed target side by side and collect the benchmark scripts' JSON into one record.

Run:  python benchmarks/run_all.py --json OUT.json [--quick] [--reps 3] [--markdown] [--no-scripts]

1. In this process, :func:`scalar_eos.speed.measure` on every target (classification
   with GFS tracking and plain GD at D = 3, GFS sharpness at D = 4, generic
   GFS on the 610-parameter MLP, README's phase design): the plain NumPy
   reference, the frozen 0.1 implementation (``tests/classify_v01.py``) where
   there is one, the NumPy engine / LSODA path, and the numba engine / fast
   path, on the same inputs, interleaved, median CPU time of ``--reps`` runs,
   with the agreement of their outputs.
2. Each script in ``SCRIPTS`` that accepts ``--json`` runs in its own process
   (``--quick`` passed on); its JSON goes under ``scripts`` in the record
   (a script without ``--json``, or one that fails, is recorded with the reason).

Prints one line per target and, with ``--markdown``, the README table with the
machine.  Draw the record with ``scalar-eos plot benchmark --from OUT.json -o fig.png``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from classify_speed import EXTRA  # noqa: E402  (the frozen 0.1 baselines)

from scalar_eos import speed  # noqa: E402

#: Scripts whose ``--json`` output is collected (each in its own process), with their extra arguments.
SCRIPTS = {"generic_gfs_speed.py": [], "fast_gfs.py": []}


def run_script(name: str, args: list[str], quick: bool, timeout: float) -> dict:
    """The script's JSON, or ``{"error": reason}``."""
    path = HERE / name
    env_cmd = [sys.executable, str(path)]
    try:
        helptext = subprocess.run([*env_cmd, "--help"], capture_output=True, text=True, timeout=120).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        return {"error": f"cannot start: {exc}"}
    if "--json" not in helptext:
        return {"error": "the script has no --json option"}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.json"
        cmd = [*env_cmd, *args, "--json", str(out)] + (["--quick"] if quick and "--quick" in helptext else [])
        start = time.perf_counter()
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=HERE.parent)
        except subprocess.TimeoutExpired:
            return {"error": f"timed out after {timeout:.0f} s"}
        if proc.returncode != 0:
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
            return {"error": f"exit status {proc.returncode}: {tail[0]}"}
        try:
            data = json.loads(out.read_text())
        except (OSError, ValueError) as exc:
            return {"error": f"no readable JSON: {exc}"}
    return {"wall_s": time.perf_counter() - start, "command": " ".join(cmd[1:]), "output": data}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", metavar="OUT", required=True, help="the combined record (JSON)")
    ap.add_argument("--quick", action="store_true", help="small sizes (generic_mlp only with --targets)")
    ap.add_argument("--reps", type=int, default=3, help="timed runs per implementation (median reported)")
    ap.add_argument("--targets", metavar="T1,T2", help="subset of: " + ", ".join(speed.TARGETS))
    ap.add_argument("--no-scripts", action="store_true", help="only the targets, not the other scripts")
    ap.add_argument("--script-timeout", type=float, default=3600, help="seconds per script")
    ap.add_argument("--markdown", action="store_true", help="also print the README table")
    ap.add_argument("--quiet", action="store_true", help="no progress line")
    args = ap.parse_args()
    speed.save_record({"targets": []}, args.json)  # fail now, not after the measurements, if OUT is unwritable
    targets = None if args.targets is None else [t.strip() for t in args.targets.split(",") if t.strip()]
    record = speed.measure(
        targets, quick=args.quick, reps=args.reps, extra=EXTRA, progress=False if args.quiet else None
    )
    record["scripts"] = {}
    speed.save_record(record, args.json)  # the targets are kept even if a script below fails or is stopped
    if not args.no_scripts:
        for name, extra_args in SCRIPTS.items():
            print(f"running {name} ...", file=sys.stderr)
            record["scripts"][name] = run_script(name, extra_args, args.quick, args.script_timeout)
            got = record["scripts"][name]
            if "error" in got:
                print(f"   {name}: {got['error']}", file=sys.stderr)
            else:
                keys = ", ".join(map(str, got["output"])) if isinstance(got["output"], dict) else "a list"
                print(f"   {name}: collected ({keys}) in {got['wall_s']:.0f} s", file=sys.stderr)
            speed.save_record(record, args.json)
    speed.save_record(record, args.json)
    for line in speed.summary_lines(record):
        print(line)
    for t in record["targets"]:
        for key, value in (t.get("agreement") or {}).items():
            print(f"   {t['id']}: {key}: {value:.3g}" if isinstance(value, float) else f"   {t['id']}: {key}: {value}")
    if args.markdown:
        print()
        print(speed.markdown_table(record))
    print(f"saved {args.json}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

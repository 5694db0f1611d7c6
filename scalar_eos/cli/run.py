"""``scalar-eos run``: gradient descent from a point, its trajectory and its outcome."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from typing import Any

from .._format import json_number, text_number
from .._output import check_output_path
from ..errors import ScalarEOSError
from ._parse import add_point_options, as_number, count, point_args, real, spinner

__all__ = ["format_table", "register", "run"]

COLUMNS = ("t", "loss", "product", "sharpness", "gfs_sharpness")
#: Most GD steps ``run`` records (each step solves for the GFS sharpness: about a millisecond).
MAX_CLI_STEPS = 1_000_000
STEPS_WHY = "every step is recorded with its GFS sharpness; the outcome uses --budget; use the Python API for more"


def register(sub: Any) -> None:
    p = sub.add_parser("run", help="run gradient descent and print the trajectory")
    add_point_options(p, eta=True)
    p.add_argument(
        "--steps",
        type=count(0, hi=MAX_CLI_STEPS, why=STEPS_WHY),
        default=100,
        help=f"number of GD steps (default 100, at most {MAX_CLI_STEPS})",
    )
    p.add_argument("--every", type=count(1), default=1, help="print every k-th step in the table (default 1)")
    p.add_argument(
        "--budget", type=count(1), default=100_000, help="GD steps allowed to classify the outcome (default 100000)"
    )
    g = p.add_mutually_exclusive_group()
    g.add_argument("--json", action="store_true", help="print JSON")
    g.add_argument("--csv", metavar="FILE", help="write the trajectory as CSV")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..dynamics import gd
    from ..outcome import classify

    c = point_args(args)
    dps = c["dps"]
    steps, budget = args.steps, args.budget
    if args.csv:
        check_output_path(args.csv, what="--csv file", suffixes=["csv"])  # before the run
    with spinner(args, "run: gradient descent and its outcome"):
        tr = gd(c["weights"], c["eta"], steps, target=c["target"], scale=c["scale"], dps=dps)
        w = [float(x) for x in c["weights"]]
        outcome = classify(w, float(c["eta"]), target=float(c["target"]), scale=float(c["scale"]), max_steps=budget)
        limit = None if args.csv else _limit(c, outcome, dps, budget)
    records = [{k: (v if k == "t" else json_number(v, dps)) for k, v in r.items()} for r in tr.records()]
    if args.csv:
        try:
            with open(args.csv, "w", newline="") as fh:
                writer = csv.DictWriter(fh, fieldnames=list(COLUMNS))
                writer.writeheader()
                writer.writerows(records)
        except OSError as exc:
            raise ScalarEOSError(f"cannot write --csv file {args.csv!r}: {exc.strerror}") from None
        print(f"wrote {len(records)} rows to {args.csv}", file=sys.stderr)
        return 0
    if args.json:
        doc = {
            "depth": len(c["weights"]),
            "weights": [real(x, dps) for x in c["weights"]],
            "eta": real(c["eta"], dps),
            "target": real(c["target"], dps),
            "threshold": real(2 / as_number(c["eta"]) if dps is not None else 2 / c["eta"], dps),
            "steps": steps,
            "stopped": tr.stopped,
            "trajectory": records,
            "outcome": outcome.as_dict(),
            "limit": limit,
        }
        print(json.dumps(doc, indent=2))
        return 0
    eta = as_number(c["eta"])
    print(f"GD with eta = {text_number(eta, dps)}, 2/eta = {text_number(2 / eta, dps)}")
    print(format_table(tr, every=args.every, dps=dps))
    if tr.stopped:
        print(f"note: the trajectory {tr.stopped}".replace("pass dps=N", "pass --dps N (e.g. --dps 30)"))
    print(outcome.format_text(float(c["eta"])))
    if limit is not None and limit["status"] == "ok":
        print(
            f"GD's limit to {limit['dps']} digits (exact GD, extrapolated): sharpness {limit['sharpness']}, "
            f"eta * sharpness = {limit['eta_sharpness']}, {limit['steps']} steps"
        )
    elif limit is not None:
        print(f"GD's limit in high precision: not computed ({limit['reason']})")
    return 0


def _limit(c: dict[str, Any], outcome: Any, dps: int | None, budget: int) -> dict[str, Any] | None:
    """GD's limit to ``dps`` digits (20 without ``--dps``) when the outcome is convergence, else None."""
    from mpmath import mp

    from ..orbits import gd_limit

    if outcome.status != "converged":
        return None
    digits = dps or 20
    try:
        lim = gd_limit(c["weights"], c["eta"], target=c["target"], scale=c["scale"], dps=digits, max_steps=budget)
    except ScalarEOSError as exc:
        return {"status": "failed", "reason": str(exc)}
    doc = {"status": "ok", **lim.as_dict()}
    with mp.workdps(digits + 10):
        eta = mp.mpf(c["eta"])
        doc["eta_sharpness"] = mp.nstr(eta * lim.sharpness, digits, strip_zeros=False)
    return doc


def format_table(tr: Any, *, every: int, dps: int | None) -> str:
    """The trajectory as a fixed-width table (every ``every``-th step and the last one)."""
    digits = 10 if dps is None else min(dps, 20)
    width = digits + 8
    lines = ["".join(f"{c:>{width if c != 't' else 6}}" for c in COLUMNS)]
    n = len(tr)
    for t in range(n):
        if t % every and t != n - 1:
            continue
        vals = [tr.loss[t], tr.product[t], tr.sharpness[t], tr.gfs_sharpness[t]]
        cells = "".join(f"{text_number(v, None if dps is None else digits, digits):>{width}}" for v in vals)
        lines.append(f"{t:>6}{cells}")
    return "\n".join(lines)

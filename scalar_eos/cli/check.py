"""``scalar-eos check``: one GD step, decided exactly, and every claim at a point."""

from __future__ import annotations

import argparse
import json
from typing import Any

from .._format import json_number, text_number
from .._validate import check_dps
from ._parse import add_point_options, point_args

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    p = sub.add_parser("check", help="one GD step (decided exactly) and every claim at a point")
    add_point_options(p, eta=True)
    p.add_argument("--claims", default=None, help="comma-separated claim ids (default: all)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..claims import evaluate
    from ..onestep import one_step

    dps = check_dps(args.dps)
    exact = dps if dps is not None else 50  # numbers are read as exact decimals: decisions are exact
    c = point_args(args, dps=exact)
    ids = [x.strip() for x in args.claims.split(",")] if args.claims else None
    step = one_step(c["weights"], c["eta"], target=c["target"], scale=c["scale"], dps=exact)
    results = evaluate(c["weights"], c["eta"], target=c["target"], scale=c["scale"], claims=ids, step=step)
    if args.json:
        doc = {
            "one_step": {
                "gfs_before": json_number(step.gfs_before, dps),
                "gfs_after": json_number(step.gfs_after, dps),
                "decreased": step.decreased,
                "relation": step.relation,
                "decided_at_digits": step.digits,
                "kind_before": step.kind_before,
                "kind_after": step.kind_after,
            },
            "claims": [r.as_dict() for r in results],
        }
        print(json.dumps(doc, indent=2))
        return 0
    print(f"GFS sharpness before {text_number(step.gfs_before, dps or 17)}")
    print(f"GFS sharpness after  {text_number(step.gfs_after, dps or 17)}")
    print(f"one GD step: {step.relation} (decided at {step.digits} digits)")
    if "saddle" in (step.kind_before, step.kind_after):
        print(f"note: gradient flow ends at a saddle (before: {step.kind_before}, after: {step.kind_after})")
    width = max(len(r.id) for r in results)
    print(f"\n{'claim':<{width}}  hypothesis  conclusion")
    for r in results:
        concl = "n/a" if r.conclusion is None else str(r.conclusion).lower()
        print(f"{r.id:<{width}}  {str(r.hypothesis).lower():<10}  {concl}")
    return 0

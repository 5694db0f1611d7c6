"""``scalar-eos check``: one GD step, decided exactly, and every claim at a point."""

from __future__ import annotations

import argparse
import json
from typing import Any

from .._format import json_number, text_number
from ._parse import add_claims_file_option, add_point_options, check_cli_dps, point_args, spinner

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    p = sub.add_parser(
        "check",
        help="one GD step (decided exactly) and every claim at a point",
        description="One GD step decided exactly and every registered claim evaluated at the point. Exit status 1 "
        "when a claim is VIOLATED there (its hypothesis holds and its conclusion fails), 0 otherwise.",
    )
    add_point_options(p, eta=True)
    p.add_argument("--claims", "--claim", default=None, help="comma-separated claim ids (default: all)")
    add_claims_file_option(p)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..claims import evaluate
    from ..claims.evaluation import SADDLE_NOTE
    from ..onestep import one_step

    dps = check_cli_dps(args.dps)
    exact = dps if dps is not None else 50  # numbers are read as exact decimals: decisions are exact
    c = point_args(args, dps=exact)
    ids = [x.strip() for x in args.claims.split(",")] if args.claims else None
    with spinner(args, "check: one exact GD step and the claims"):
        step = one_step(c["weights"], c["eta"], target=c["target"], scale=c["scale"], dps=exact)
        results = evaluate(c["weights"], c["eta"], target=c["target"], scale=c["scale"], claims=ids, step=step)
    violated = [r.id for r in results if r.hypothesis and r.conclusion is False]
    if args.json:
        doc = {
            "one_step": {
                "psi_before": json_number(step.psi_before, dps),
                "psi_after": json_number(step.psi_after, dps),
                "gfs_before": json_number(step.gfs_before, dps),
                "gfs_after": json_number(step.gfs_after, dps),
                "saddle_landing": step.saddle_landing,
                "decreased": step.decreased,
                "relation": step.relation,
                "decided_at_digits": step.digits,
                "kind_before": step.kind_before,
                "kind_after": step.kind_after,
            },
            "claims": [r.as_dict() for r in results],
            "violated": violated,
        }
        print(json.dumps(doc, indent=2))
        return 1 if violated else 0
    if not step.saddle_landing:
        print(f"GFS sharpness before {text_number(step.gfs_before, dps or 17)}")
        print(f"GFS sharpness after  {text_number(step.gfs_after, dps or 17)}")
    else:  # psi (the function of the squares) and the sharpness where gradient flow ends differ
        for when, value, kind, sharp in (
            ("before", step.psi_before, step.kind_before, step.gfs_before),
            ("after ", step.psi_after, step.kind_after, step.gfs_after),
        ):
            where = "a minimiser: the GFS sharpness" if kind == "minimum" else f"a saddle, sharpness there {sharp}"
            print(f"psi {when} {text_number(value, dps or 17)}   (gradient flow ends at {where})")
        print("note: psi is y^2 sum 1/(w_i^2 + c*), a function of the squares; at a saddle it is not a sharpness")
    print(f"one GD step: psi {step.relation} (decided at {step.digits} digits)")
    width = max(len(r.id) for r in results)
    print(f"\n{'claim':<{width}}  hypothesis  conclusion")
    for r in results:
        concl = "n/a" if r.conclusion is None else str(r.conclusion).lower()
        flag = f"  ({'saddle landing: decided on psi' if r.note == SADDLE_NOTE else r.note})" if r.note else ""
        mark = "  <-- VIOLATED: hypothesis holds, conclusion fails" if r.id in violated else ""
        print(f"{r.id:<{width}}  {str(r.hypothesis).lower():<10}  {concl:<10}{flag}{mark}".rstrip())
    if violated:
        print(f"\n{len(violated)} claim(s) VIOLATED at this point: {', '.join(violated)}")
    return 1 if violated else 0

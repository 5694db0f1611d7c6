"""``scalar-eos central``: the central flow from a point, next to GD and gradient flow."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from .._validate import check_steps
from ..errors import InvalidArgument
from ._parse import add_point_options, as_number, point_args, spinner

__all__ = ["MAX_CENTRAL_DPS", "register", "run"]

#: Largest ``--dps`` for ``central``: the high-precision end point costs ~dps^4 (see scalar_eos.central).
MAX_CENTRAL_DPS = 100


def register(sub: Any) -> None:
    p = sub.add_parser("central", help="central flow of GD at the edge of stability (vs GD and gradient flow)")
    add_point_options(p, eta=True)
    p.add_argument("--steps", type=int, default=300, help="GD steps compared with the flow (default 300)")
    p.add_argument(
        "--jump",
        choices=("newton", "descent"),
        default="newton",
        help="how a start above the edge is moved onto eta S = 2 (default newton: the limit of the paper's "
        "discretisation)",
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("-o", "--output", default=None, help="save the comparison figure (PNG; needs matplotlib)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..central import central_flow
    from ..edge import compare_gd, plot_central

    c = point_args(args)
    dps = c["dps"]
    if dps is not None and dps > MAX_CENTRAL_DPS:
        raise InvalidArgument(
            f"--dps {dps} is above {MAX_CENTRAL_DPS} for central (depth 3 takes up to ~30 s at 30 digits and "
            "minutes at 45); use scalar_eos.central.central_end_point(dps=...) for more"
        )
    w = [float(as_number(x)) for x in c["weights"]]
    eta, y, m = (float(as_number(c[k])) for k in ("eta", "target", "scale"))
    flow = central_flow(w, eta, target=y, scale=m, jump=args.jump)
    comp = compare_gd(w, eta, check_steps(args.steps) or 1, target=y, scale=m, jump=args.jump)
    record = flow.as_dict()
    precise = None
    if dps is not None:
        from ..central import central_end_point

        with spinner(args, f"central flow end point to {dps} digits"):
            precise = central_end_point(
                c["weights"], c["eta"], target=c["target"], scale=c["scale"], dps=dps, jump=args.jump
            )
        record["precise"] = precise.as_dict()
    record["gd"] = {
        "steps": args.steps,
        "max_error": comp["max_error"],
        "final_error": comp["final_error"],
        "departure": comp["departure"],
        "final_eta_sharpness": eta * comp["gd_final_sharpness"],
        "final": [float(x) for x in comp["gd"][-1]],
    }
    if args.output:
        plot_central(comp, args.output)
        print(f"saved {args.output}", file=sys.stderr)
    if args.json:
        print(json.dumps(record, indent=2))
        return _exit(record)
    lines = [
        ("status", f"{record['status']} ({record['kind']})"),
        ("end point", ", ".join(f"{x:.12g}" for x in record["final"])),
        ("eta * sharpness", f"{record['final_eta_sharpness']:.12g}"),
        ("sigma^2 at the end", f"{record['final_sigma2']:.3g}"),
        ("predicted avg loss", f"{record['final_predicted_loss']:.3g}"),
        ("events", "; ".join(f"t={t:.4g}: {e}" for t, e in record["events"]) or "none"),
        ("GD after steps", ", ".join(f"{x:.12g}" for x in record["gd"]["final"])),
        ("GD eta * sharpness", f"{record['gd']['final_eta_sharpness']:.12g}"),
        ("GD avg vs flow", f"max rel. gap {comp['max_error']:.3g}, at the end {comp['final_error']:.3g}"),
    ]
    if precise is not None:
        p = record["precise"]
        lines.append((f"end point ({dps} digits)", "none" if p["final"] is None else ", ".join(p["final"])))
        lines.append(("eta * sharpness", "none" if p["final_eta_sharpness"] is None else p["final_eta_sharpness"]))
        lines.append(("high-precision status", f"{p['status']} ({p['kind']}) {p['detail']}".rstrip()))
        lines.append(("float end point error", f"{p['float_error']:.3g}"))
    width = max(len(k) for k, _ in lines)
    for k, v in lines:
        print(f"{k:<{width}}  {v}")
    return _exit(record)


def _exit(record: dict[str, Any]) -> int:
    """1 when the high-precision end point disagrees with the float run (a failed check), else 0."""
    return 1 if record.get("precise", {}).get("status") == "inconsistent" else 0

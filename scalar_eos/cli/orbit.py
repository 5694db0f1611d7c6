"""``scalar-eos orbit``: a periodic orbit of the GD map to any precision, its multipliers and stability."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ._parse import add_point_options, point_args

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    p = sub.add_parser(
        "orbit",
        help="periodic orbit of GD (Newton in mpmath), Floquet multipliers, stability",
        description="A periodic orbit of GD to --dps digits. Exit status 0: an orbit was found and verified; "
        "1: no orbit could be verified (Newton did not converge, or converged to a smaller period); 2: bad input.",
    )
    add_point_options(p, eta=True)
    p.add_argument("--period", type=int, default=None, help="period k (default: the period GD settles on)")
    p.add_argument(
        "--seed", choices=["auto", "gd", "start", "balanced"], default="auto", help="where Newton starts (default auto)"
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..errors import PrecisionError
    from ..orbits import find_orbit

    c = point_args(args, dps=args.dps or 30)  # inputs as exact decimals
    try:
        orb = find_orbit(
            c["weights"], c["eta"], args.period, target=c["target"], scale=c["scale"], dps=args.dps, seed=args.seed
        )
    except PrecisionError as exc:
        print(f"scalar-eos orbit: no verified orbit: {exc}", file=sys.stderr)
        return 1
    d = orb.as_dict()
    if args.json:
        print(json.dumps(d, indent=2))
        return 0
    kind = "stable" if d["stable"] else "unstable"
    if d["neutral"]:
        kind = "neutral (a deciding multiplier has modulus 1 to the digits computed: linear stability undecided)"
    if d["period"] == 1:
        normal = max(range(len(orb.multipliers)), key=lambda i: abs(orb.multipliers[i] - 1))
        print(
            f"period 1 (a minimiser), {kind}: normal multiplier 1 - eta m psi = {d['multipliers'][normal]}; the other "
            f"{len(d['multipliers']) - 1} multipliers are 1 (along the manifold of minimisers)"
        )
    else:
        print(f"period {d['period']}, {kind} (max |multiplier| {d['max_abs_multiplier']})")
    print(f"orbit: {d['seed_note']} (distance to the given weights {d['distance_to_start']:.3g})")
    for j, p in enumerate(d["points"]):
        print(f"w_{j} = " + ", ".join(str(x) for x in p))
    print("multipliers: " + ", ".join(str(x) for x in d["multipliers"]))
    print(f"residual {d['residual']:.3g}, error bound {d['error_bound']:.3g}")
    return 0

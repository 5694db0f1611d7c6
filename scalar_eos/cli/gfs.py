"""``scalar-eos gfs``: the gradient flow solution and GFS sharpness of a point."""

from __future__ import annotations

import argparse
import json
from typing import Any

from .._format import text_number
from ._parse import add_point_options, as_number, point_args, real

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    p = sub.add_parser("gfs", help="gradient flow solution and GFS sharpness of a point")
    add_point_options(p)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..gfs import gfs
    from ..model import loss, product

    c = point_args(args)
    dps, w, y, m = c["dps"], c["weights"], c["target"], c["scale"]
    res = gfs(w, target=y, scale=m, dps=dps)
    pi, lo = product(w, dps=dps), loss(w, target=y, scale=m, dps=dps)
    if args.json:
        record = {
            "depth": len(w),
            "target": real(y, dps),
            "weights": [real(x, dps) for x in w],
            "product": real(pi, dps),
            "loss": real(lo, dps),
            "kind": res.kind,
            "shift": real(res.shift, dps),
            "solution": [real(x, dps) for x in res.solution],
            "sharpness": real(res.sharpness, dps),
        }
        if m != 1 and m != "1":
            record["scale"] = real(m, dps)
        print(json.dumps(record, indent=2))
        return 0
    fmt = lambda x: text_number(x, dps)  # noqa: E731
    flip = "" if res.flipped is None else f" (w_{res.flipped + 1} changes sign along the flow)"
    lines = [
        ("depth", str(len(w))),
        ("target", fmt(as_number(y))),
        ("weights", ", ".join(fmt(as_number(x)) for x in w)),
        ("product", fmt(pi)),
        ("loss", fmt(lo)),
        ("kind", res.kind + flip),
        ("shift c*", fmt(res.shift)),
        ("solution", ", ".join(fmt(x) for x in res.solution)),
        ("sharpness" if res.kind == "saddle" else "GFS sharpness psi", fmt(res.sharpness)),
    ]
    width = max(len(k) for k, _ in lines)
    for k, v in lines:
        print(f"{k:<{width}}  {v}")
    if res.kind == "saddle":
        print(
            "note: gradient flow ends at a saddle point, not a minimiser; "
            "the sharpness is the top Hessian eigenvalue there"
        )
    return 0

"""``scalar-eos demo``: a built-in run at the edge of stability, with a summary."""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    p = sub.add_parser("demo", help="a built-in run at the edge of stability, with a summary")
    p.add_argument("--steps", type=int, default=300, help="number of GD steps (default 300)")
    p.add_argument("--every", type=int, default=15, help="print every k-th step (default 15)")
    p.add_argument("-o", "--output", default="scalar-eos-demo.png", help="figure file (needs matplotlib)")
    p.add_argument("--no-plot", action="store_true", help="do not save a figure")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..demo import run_demo

    return run_demo(steps=args.steps, every=args.every, figure=args.output, plot=not args.no_plot)

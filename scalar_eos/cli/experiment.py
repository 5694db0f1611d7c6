"""``scalar-eos experiment``: the GFS sharpness under GD beyond scalar networks (generic engine)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from .._progress import Progress
from .._validate import check_steps
from ._parse import parse_number

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    p = sub.add_parser("experiment", help="GFS sharpness under GD beyond scalar networks (generic engine)")
    from ..generic.examples import EXAMPLES

    p.add_argument("model", choices=list(EXAMPLES), help="example model")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--eta-psi", type=float, default=None, help="step size as eta * psi(x0) (default per model, > 2)")
    g.add_argument("--eta", default=None, help="step size")
    p.add_argument("--steps", type=int, default=None, help="GD steps (default per model)")
    p.add_argument("--every", type=int, default=None, help="GFS sharpness every k-th iterate (default per model)")
    p.add_argument("-o", "--output", default=None, help="save the figure (PNG, needs matplotlib)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..generic import example, plot_experiment, run_experiment

    steps = check_steps(args.steps if args.steps is not None else example(args.model).steps)
    eta = None if args.eta is None else parse_number(args.eta, None, "--eta")
    with Progress(steps + 1, f"experiment {args.model}") as bar:
        e = run_experiment(
            args.model, eta_psi=args.eta_psi, eta=eta, steps=steps, every=args.every, progress=lambda t: bar.set(t + 1)
        )
    if args.output:
        plot_experiment(e, args.output)
        print(f"saved {args.output}", file=sys.stderr)
    print(json.dumps(e.as_dict(), indent=2) if args.json else e.format_text())
    return 0

"""``scalar-eos experiment``: the GFS sharpness under GD beyond scalar networks (generic engine)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from .._output import check_figure_path
from .._progress import Progress
from .._validate import check_steps
from ._parse import add_progress_options, count, parse_number, progress_arg

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    p = sub.add_parser("experiment", help="GFS sharpness under GD beyond scalar networks (generic engine)")
    from ..generic.examples import EXAMPLES

    p.add_argument("model", choices=list(EXAMPLES), help="example model")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--eta-psi", type=float, default=None, help="step size as eta * psi(x0) (default per model, > 2)")
    g.add_argument("--eta", default=None, help="step size")
    p.add_argument("--steps", type=count(0), default=None, help="GD steps (default per model)")
    p.add_argument("--every", type=count(1), default=None, help="GFS sharpness every k-th iterate (default per model)")
    p.add_argument("-o", "--output", default=None, help="save the figure (.png, .pdf, .svg, ...; needs matplotlib)")
    p.add_argument(
        "--method",
        choices=["auto", "fast", "lsoda"],
        default="auto",
        help="GFS computation: fast (flow to gtol, Newton projection, Lanczos) or lsoda (flow to gtol/10); "
        "auto = fast when a dense Hessian is affordable",
    )
    add_progress_options(p)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..generic import example, plot_experiment, run_experiment

    if args.output:
        check_figure_path(args.output)  # before the run (the MLP takes minutes)
    steps = check_steps(args.steps if args.steps is not None else example(args.model).steps)
    eta = None if args.eta is None else parse_number(args.eta, None, "--eta")
    with Progress(steps + 1, f"experiment {args.model}", enabled=progress_arg(args), unit="steps") as bar:
        e = run_experiment(
            args.model,
            eta_psi=args.eta_psi,
            eta=eta,
            steps=steps,
            every=args.every,
            progress=lambda t: bar.set(t + 1),
            method=args.method,
        )
    if args.output:
        plot_experiment(e, args.output)
        print(f"saved {args.output}", file=sys.stderr)
    print(json.dumps(e.as_dict(), indent=2) if args.json else e.format_text())
    return 0

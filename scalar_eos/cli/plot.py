"""``scalar-eos plot``: figures (trajectory, phase, region, benchmark); needs matplotlib."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from .._validate import check_steps
from ..errors import InvalidArgument
from ._parse import parse_number, parse_weights

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    p = sub.add_parser("plot", help="figures: trajectory, phase, region, benchmark, bifurcation (needs matplotlib)")
    p.add_argument("kind", choices=list(FIGURES), help="which figure")
    p.add_argument("-o", "--output", required=True, help="output file (PNG)")
    p.add_argument("--weights", "-w", default=None, help="trajectory: initial weights")
    p.add_argument("--eta", default=None, help="trajectory: step size")
    p.add_argument("--target", default="1", help="trajectory: target y")
    p.add_argument("--steps", type=int, default=300, help="GD steps (trajectory) or budget per cell (phase)")
    p.add_argument("--depth", type=int, default=None, help="phase (default 3) / bifurcation (default 2): network depth")
    p.add_argument("--seed", type=int, default=0, help="region: sampling seed")
    p.add_argument("--quick", action="store_true", help="benchmark: small samples (a few seconds)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    args.depth_given = args.depth is not None
    if args.depth is None:
        args.depth = 3
    out = FIGURES[args.kind](args)
    print(f"saved {out}", file=sys.stderr)
    return 0


def _trajectory(args: argparse.Namespace) -> str:
    from ..dynamics import gd
    from ..plots import plot_trajectory

    if not args.weights or args.eta is None:
        raise InvalidArgument("plot trajectory needs --weights and --eta")
    ws = parse_weights(args.weights, None)
    eta = parse_number(args.eta, None, "--eta")
    tr = gd(ws, eta, check_steps(args.steps), target=parse_number(args.target, None, "--target"))
    return plot_trajectory(tr, args.output)


def _phase(args: argparse.Namespace) -> str:
    from ..phase import phase_diagram, plot_phase

    return plot_phase(phase_diagram(args.depth, max_steps=args.steps), args.output)


def _region(args: argparse.Namespace) -> str:
    from ..plots import plot_region

    return plot_region(args.output, seed=args.seed)


def _benchmark(args: argparse.Namespace) -> str:
    from ..benchmark import measure
    from ..plots import plot_benchmark

    sizes = {"n_fast": 20_000, "n_mp": 30, "n_ivp": 3} if args.quick else {}
    rows = measure(**sizes)
    for r in rows:
        ivp = " (no SciPy: solve_ivp skipped)"
        if "ratio_solve_ivp" in r:
            ivp = f", vs solve_ivp {r['ratio_solve_ivp']:.3g}x"
        print(
            f"D = {r['depth']}: fast {r['fast']:.3g} pts/s, vs mpmath {r['ratio_mpmath']:.3g}x "
            f"(max rel. error {r['err_mpmath']:.1e}){ivp}",
            file=sys.stderr,
        )
    return plot_benchmark(rows, args.output)


def _bifurcation(args: argparse.Namespace) -> str:
    from ..bifurcation import plot_bifurcation

    depth = args.depth if args.depth_given else 2
    return plot_bifurcation(args.output, depth=depth, target=float(parse_number(args.target, None, "--target")))


#: Figure kinds: one function each (``args -> saved path``).
FIGURES: dict[str, Callable[[argparse.Namespace], str]] = {
    "trajectory": _trajectory,
    "phase": _phase,
    "region": _region,
    "benchmark": _benchmark,
    "bifurcation": _bifurcation,
}

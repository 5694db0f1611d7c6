"""``scalar-eos plot``: figures (trajectory, phase, region, bifurcation, benchmark); needs matplotlib."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from .._output import check_figure_path
from ..speed import TARGETS as SPEED_TARGETS
from ._parse import add_progress_options, count, parse_number, parse_weights, progress_arg, spinner

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    p = sub.add_parser(
        "plot",
        help="figures: trajectory, phase, region, bifurcation, benchmark (needs matplotlib)",
        description="Save a figure. Each kind has its own options: scalar-eos plot KIND --help.",
    )
    kinds = p.add_subparsers(dest="kind", metavar="KIND", parser_class=type(p), required=True)

    def output(q: argparse.ArgumentParser) -> None:
        q.add_argument("-o", "--output", required=True, help="figure file (.png, .pdf, .svg, ...)")
        add_progress_options(q)

    q = kinds.add_parser("trajectory", help="loss, sharpness and GFS sharpness along a GD run")
    output(q)
    q.add_argument("--weights", "-w", required=True, metavar="W1,...,WD", help="initial weights")
    q.add_argument("--eta", required=True, help="step size eta > 0")
    q.add_argument("--target", default="1", help="target y != 0")
    q.add_argument("--steps", type=count(0), default=300, help="GD steps")
    q.set_defaults(func=run)

    q = kinds.add_parser(
        "phase",
        help="where GD ends over pi(w0)/y and eta psi(w0) (grey: undecided within the budget)",
    )
    output(q)
    q.add_argument("--depth", type=count(1), default=3, help="network depth D")
    q.add_argument(
        "--steps",
        type=count(1),
        default=PHASE_STEPS,
        help="GD budget per cell (300 leaves about 45%% of the default grid undecided at D = 3, "
        f"{PHASE_STEPS} about 3%%)",
    )
    q.set_defaults(func=run)

    q = kinds.add_parser("region", help="D = 2: the exact one-step region with sampled points")
    output(q)
    q.add_argument("--seed", type=int, default=0, help="sampling seed")
    q.set_defaults(func=run)

    q = kinds.add_parser("bifurcation", help="where GD ends on the balanced line as eta grows (period doubling)")
    output(q)
    q.add_argument("--depth", type=count(1), default=2, help="network depth D")
    q.add_argument("--target", default="1", help="target y != 0")
    q.set_defaults(func=run)

    q = kinds.add_parser(
        "benchmark",
        help="speed targets: new engines vs the previous ones vs plain NumPy, side by side",
        description="Measure (or read) the speed targets - classification with GFS tracking, plain GD, GFS "
        "sharpness at D = 4, generic GFS on the MLP, README's phase design - and draw one panel per target: "
        "each implementation's speed-up over the plain NumPy reference, with the target line.",
    )
    output(q)
    q.add_argument("--quick", action="store_true", help="small sizes (about a minute; without --from)")
    q.add_argument(
        "--from",
        dest="source",
        metavar="FILE",
        help="draw a record written by benchmarks/run_all.py --json (or scalar_eos.speed.measure) instead of measuring",
    )
    q.add_argument("--targets", metavar="T1,T2", help="comma-separated subset of: " + ", ".join(SPEED_TARGETS))
    q.add_argument("--reps", type=count(1), default=3, help="timed runs per implementation (the median is shown)")
    q.add_argument("--json", metavar="OUT", help="also save the measured record as JSON")
    q.add_argument(
        "--per-point",
        action="store_true",
        help="the older figure instead: GFS sharpness of the fast path vs per-point mpmath and solve_ivp",
    )
    q.set_defaults(func=run)


#: Default GD budget per cell of ``plot phase``: decides about 97% of the default depth-3 grid
#: (300 steps: 55%; 20000 steps: 99%, at four times the cost).
PHASE_STEPS = 5000


def run(args: argparse.Namespace) -> int:
    check_figure_path(args.output)  # before any work
    if args.kind == "benchmark" and not args.per_point:  # draws its own progress line (runs per target)
        out = _speed(args)
    else:
        with spinner(args, f"plot {args.kind}"):
            out = FIGURES[args.kind](args)
    print(f"saved {out}", file=sys.stderr)
    return 0


def _trajectory(args: argparse.Namespace) -> str:
    from ..dynamics import gd
    from ..plots import plot_trajectory

    ws = parse_weights(args.weights, None)
    eta = parse_number(args.eta, None, "--eta")
    tr = gd(ws, eta, args.steps, target=parse_number(args.target, None, "--target"))
    return plot_trajectory(tr, args.output)


def _phase(args: argparse.Namespace) -> str:
    from ..phase import phase_diagram, plot_phase

    return plot_phase(phase_diagram(args.depth, max_steps=args.steps, progress=False), args.output)  # spinner shown


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


def _speed(args: argparse.Namespace) -> str:
    from ..plots import plot_speed
    from ..speed import load_record, measure, save_record, summary_lines

    targets = None if args.targets is None else [t.strip() for t in args.targets.split(",") if t.strip()]
    if args.source is not None:
        record = load_record(args.source)
        if targets is not None:
            record["targets"] = [t for t in record["targets"] if t.get("id") in targets]
    else:
        record = measure(targets, quick=args.quick, reps=args.reps, progress=progress_arg(args))
        if args.json:
            save_record(record, args.json)
    for line in summary_lines(record):
        print(line, file=sys.stderr)
    return plot_speed(record, args.output)


def _bifurcation(args: argparse.Namespace) -> str:
    from ..bifurcation import plot_bifurcation

    depth = args.depth
    return plot_bifurcation(args.output, depth=depth, target=float(parse_number(args.target, None, "--target")))


#: Figure kinds: one function each (``args -> saved path``).
FIGURES: dict[str, Callable[[argparse.Namespace], str]] = {
    "trajectory": _trajectory,
    "phase": _phase,
    "region": _region,
    "benchmark": _benchmark,
    "bifurcation": _bifurcation,
}

"""``scalar-eos sweep`` and ``scalar-eos sweep-report``: resumable sweeps over parameter space (Parquet)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from .._output import check_figure_path, check_output_path
from ._parse import add_claims_file_option, count

__all__ = ["register", "run_report", "run_sweep"]


def register(sub: Any) -> None:
    p = sub.add_parser("sweep", help="map claims or GD outcomes over parameter space (resumable; Parquet)")
    p.add_argument("--design", default=None, metavar="FILE", help="design file (.toml or .json); flags override it")
    p.add_argument("--depth", type=count(1), default=None, help="network depth D (default 3)")
    p.add_argument("--samples", type=count(1), default=None, help="points drawn per grid cell (default 10000)")
    p.add_argument("--seed", type=int, default=None, help="random seed (default 0)")
    p.add_argument("--mode", choices=["step", "run"], default=None, help="one-step claim check or full GD runs")
    p.add_argument(
        "--out", required=True, help="output Parquet file OUT.parquet (work in progress in OUT.parquet.parts/)"
    )
    p.add_argument("--chunk", type=count(1), default=None, help="rows per chunk (default 4096 step, 512 run)")
    p.add_argument("--claims", "--claim", default=None, help="comma-separated claim ids to check")
    p.add_argument("--max-steps", type=count(1), default=None, help="run mode: GD budget per point (default 20000)")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--workers", type=count(1), default=None, help="run chunks on a local Dask cluster of N processes")
    g.add_argument("--scheduler", default=None, metavar="ADDRESS", help="run chunks on an existing Dask scheduler")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--progress", action="store_true", help="progress bar even when stderr is not a terminal")
    g.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--json", action="store_true", help="print a JSON summary")
    add_claims_file_option(p)
    p.set_defaults(func=run_sweep)

    p = sub.add_parser("sweep-report", help="aggregate a finished sweep file (and plot it)")
    p.add_argument("file", help="sweep Parquet file")
    p.add_argument("--plot", default=None, metavar="FILE.png", help="save the outcome figure (needs matplotlib)")
    p.add_argument(
        "--verify", type=count(0), default=3, help="worst violations per claim re-checked exactly (default 3)"
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run_report)


def run_sweep(args: argparse.Namespace) -> int:
    from .. import sweep as sw

    check_output_path(args.out, what="sweep file", suffixes=["parquet", "pq"])  # the file is Parquet, whatever its name
    base = sw.load_design(args.design) if args.design else {}
    claims = [c.strip() for c in args.claims.split(",") if c.strip()] if args.claims else None
    design = sw.normalize_design(
        base,
        depth=args.depth,
        samples=args.samples,
        seed=args.seed,
        mode=args.mode,
        chunk=args.chunk,
        claims=claims,
        max_steps=args.max_steps,
    )
    progress = True if args.progress else (False if args.quiet else None)
    try:
        with sw.sigterm_as_interrupt():
            res = sw.sweep(design, args.out, workers=args.workers, scheduler=args.scheduler, progress=progress)
    except KeyboardInterrupt:
        print(
            f"scalar-eos: sweep interrupted; finished chunks are saved in {args.out}.parts/ - "
            "run the same command again to resume",
            file=sys.stderr,
        )
        return 130
    print(json.dumps(res.as_dict(), indent=2) if args.json else res.format_text())
    return 0


def run_report(args: argparse.Namespace) -> int:
    from .. import sweep as sw

    if args.plot:
        check_figure_path(args.plot)  # before the exact re-verification, which can take a while
    rep = sw.report(args.file, verify=args.verify)
    if args.plot:
        sw.plot_report(args.file, args.plot)
        print(f"saved {args.plot}", file=sys.stderr)
    print(json.dumps(rep.as_dict(), indent=2) if args.json else rep.format_text())
    return 0

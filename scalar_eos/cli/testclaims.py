"""``scalar-eos test-claims``: a Hypothesis property per claim and depth, decided exactly.

Exit status 0 when no claim is refuted, 1 when one is (for a claim known to be
false, such as ``step-decrease``, that is the expected outcome), 2 for bad input
or when Hypothesis is not installed.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ..errors import InvalidArgument
from ._parse import add_claims_file_option, parse_number

__all__ = ["parse_depths", "register", "run"]


def register(sub: Any) -> None:
    p = sub.add_parser("test-claims", help="property-based tests of claims (Hypothesis, 'test' extra)")
    p.add_argument("--claims", "--claim", default=None, help="comma-separated claim ids (default: all)")
    p.add_argument("--depths", default="2-6", help="a range '2-6' or a list '2,3,5' (default 2-6)")
    p.add_argument("--max-examples", type=int, default=100, help="examples per claim and depth (default 100)")
    p.add_argument("--seed", type=int, default=None, help="fix Hypothesis' random choices (no database then)")
    p.add_argument("--target", default="1", help="target y (default 1)")
    p.add_argument("--database", default=None, metavar="DIR", help="example database (default: .hypothesis/)")
    p.add_argument("--no-database", action="store_true", help="do not store or replay failures")
    p.add_argument("--max-steps", type=int, default=3000, help="GD budget per run, trajectory claims (default 3000)")
    add_claims_file_option(p)
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


def parse_depths(text: str) -> list[int]:
    """``"2-6"`` or ``"2,3,5"`` as a list of depths >= 1.

    Examples
    --------
    >>> parse_depths("2-4"), parse_depths("3,5")
    ([2, 3, 4], [3, 5])
    """
    try:
        if "-" in text:
            lo, hi = (int(x) for x in text.split("-", 1))
            depths = list(range(lo, hi + 1))
        else:
            depths = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise InvalidArgument(f"--depths must look like 2-6 or 2,3,5, got {text!r}") from None
    if not depths or min(depths) < 1 or len(depths) > 64:
        raise InvalidArgument(f"--depths must name 1 to 64 depths >= 1, got {text!r}")
    return depths


def run(args: argparse.Namespace) -> int:
    from ..claims import get, registry
    from ..testing import check_claim  # MissingDependency (exit 2) without Hypothesis

    ids = [x.strip() for x in args.claims.split(",") if x.strip()] if args.claims else [c.id for c in registry()]
    for cid in ids:
        get(cid)  # unknown ids fail before any work
    depths = parse_depths(args.depths)
    if args.max_examples < 1:
        raise InvalidArgument(f"--max-examples must be a positive integer, got {args.max_examples}")
    target = float(parse_number(args.target, None, "--target"))
    database: Any = None if (args.no_database or args.seed is not None) else (args.database or "default")
    results = []
    for cid in ids:
        for depth in depths:
            if not args.quiet:
                print(f"test-claims: {cid} D={depth} ...", file=sys.stderr, flush=True)
            results.append(
                check_claim(
                    cid,
                    depth,
                    target=target,
                    max_examples=args.max_examples,
                    database=database,
                    seed=args.seed,
                    max_steps=args.max_steps,
                )
            )
    refuted = [r for r in results if r["verdict"] == "refuted"]
    if args.json:
        print(json.dumps({"results": results, "refuted": len(refuted)}, indent=2, default=str))
    else:
        width = max(len(r["claim"]) for r in results)
        for r in results:
            line = f"{r['claim']:<{width}}  D={r['depth']}  {r['verdict']}"
            if r["verdict"] == "no counterexample":
                line += f" ({r['in_hypothesis']} examples inside the hypothesis, {r['examples']} drawn)"
            print(line)
            if r["counterexample"]:
                ce = r["counterexample"]
                print(
                    f"    w = [{', '.join(ce['weights'])}], eta = {ce['eta']}, target = {ce['target']}: {ce['detail']}"
                )
    return 1 if refuted else 0

"""``scalar-eos search``: counterexamples to a claim, each verified in high precision.

When none is found the report says where the claim came closest (rows decided
at 50 digits) and what the search covered.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from ..errors import InvalidArgument
from ._parse import add_claims_file_option, parse_number

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    p = sub.add_parser("search", help="search counterexamples to a claim")
    p.add_argument("--claim", required=True, help="claim id (see 'scalar-eos claims')")
    p.add_argument("--depth", type=int, default=None, help="network depth D")
    p.add_argument("--budget", type=int, default=200_000, help="points (step claims) or runs (trajectory claims)")
    p.add_argument("--seed", type=int, default=0, help="random seed (the search is deterministic for a seed)")
    p.add_argument("--target", default="1", help="target y of the sampled problems")
    p.add_argument("--max-reports", type=int, default=5, help="verified counterexamples to report at most")
    add_claims_file_option(p)
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..search import search

    if args.depth is None:
        raise InvalidArgument("--depth is required for search")
    rep = search(
        args.claim,
        args.depth,
        budget=args.budget,
        seed=args.seed,
        target=parse_number(args.target, None, "--target"),
        max_reports=args.max_reports,
        progress=False if (args.json or args.quiet) else None,
    )
    print(json.dumps(rep.as_dict(), indent=2) if args.json else rep.format_text())
    return 0

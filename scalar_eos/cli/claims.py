"""``scalar-eos claims``: the registered claims."""

from __future__ import annotations

import argparse
import json
from typing import Any

from ._parse import add_claims_file_option

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    p = sub.add_parser("claims", help="list the registered claims")
    add_claims_file_option(p)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..claims import registry
    from ..status import claim_statuses

    items = registry()
    status = claim_statuses()  # derived from the recorded proof verdicts
    if args.json:
        doc = [
            {"id": c.id, "kind": c.kind, "status": status[c.id], "statement": c.statement, "source": c.source}
            for c in items
        ]
        print(json.dumps({"claims": doc}, indent=2))
        return 0
    for c in items:
        print(f"{c.id} [{c.kind}; {status[c.id]}]\n    {c.statement}\n    source: {c.source}")
    return 0

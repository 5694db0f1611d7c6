"""``scalar-eos claims``: the registered claims."""

from __future__ import annotations

import argparse
import json
from typing import Any

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    p = sub.add_parser("claims", help="list the registered claims")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..claims import registry

    items = registry()
    if args.json:
        doc = [
            {"id": c.id, "kind": c.kind, "status": c.status, "statement": c.statement, "source": c.source}
            for c in items
        ]
        print(json.dumps({"claims": doc}, indent=2))
        return 0
    for c in items:
        print(f"{c.id} [{c.kind}; {c.status}]\n    {c.statement}\n    source: {c.source}")
    return 0

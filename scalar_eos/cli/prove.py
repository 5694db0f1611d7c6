"""``scalar-eos prove``: run the machine-checked proofs in ``proofs/`` (exit status 1 if one fails)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ._parse import add_progress_options, progress_arg

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    p = sub.add_parser("prove", help="run the machine-checked proofs in proofs/")
    p.add_argument("names", nargs="*", help="proof names (default: all)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument(
        "--certificate",
        metavar="FILE.jsonl",
        help="write the certificate of ONE certifying proof (JSON lines, .gz compresses); check it with "
        "`scalar-eos verify-certificate`",
    )
    add_progress_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..prove import proof_json, regenerate, run_proofs

    results = run_proofs(args.names or None, certificate=args.certificate, progress=progress_arg(args))
    # the document covers the whole theory: regenerate it only from a run of every proof
    tex = None if args.names else regenerate(results)["tex"]
    failed = any(r["verdict"] == "FAILED" for r in results)
    if args.json:
        doc = {"proofs": [proof_json(r) for r in results]}
        print(json.dumps(doc, indent=2))
    else:
        for r in results:
            steps = f"{r['checked_steps']} checked, {r['argued_steps']} argued"
            print(f"{r['name']:<24} {r['verdict']:<10} {r['seconds']:>7.2f} s  {steps:<22} {r['statement']}")
            if r["verdict"] == "FAILED":
                print(f"    {r['details']}")
        if tex is not None:
            print(f"document: {tex}", file=sys.stderr)
        else:
            print("document not regenerated (run `scalar-eos prove` without names for all proofs)", file=sys.stderr)
    return 1 if failed else 0

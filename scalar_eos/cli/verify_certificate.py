"""``scalar-eos verify-certificate FILE``: re-verify a certificate file independently (exit 1 if invalid)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from .._progress import Progress

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    p = sub.add_parser(
        "verify-certificate",
        help="re-verify a certificate written by `prove NAME --certificate` (own code, own interval arithmetic)",
    )
    p.add_argument("file", help="certificate (JSON lines, .gz allowed)")
    p.add_argument("--json", action="store_true", help="print JSON {valid, boxes, region, first_failure}")
    p.add_argument(
        "--arithmetic",
        choices=("mpmath", "float"),
        default="mpmath",
        help="interval arithmetic for the box checks: mpmath iv (default) or outward-rounded binary64 (faster)",
    )
    p.add_argument("--processes", type=int, default=1, help="worker processes for the box checks (default 1)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..certificate import verify_certificate

    with Progress(1, "verify-certificate", enabled=False if args.quiet else None) as bar:

        def progress(done: int, total: int) -> None:
            bar.total = max(total, 1)
            bar.set(done)

        report = verify_certificate(args.file, arithmetic=args.arithmetic, processes=args.processes, progress=progress)
    print(json.dumps(report.as_dict(), indent=2) if args.json else report.format_text())
    return 0 if report.valid else 1

"""``scalar-eos latex``: the derivation for a depth as a LaTeX document."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..errors import InvalidArgument, ScalarEOSError

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    p = sub.add_parser("latex", help="the derivation for a depth as a LaTeX document")
    p.add_argument("--depth", type=int, required=True, help="network depth D (1..8)")
    p.add_argument("-o", "--output", default=None, help="write to FILE.tex (default: stdout)")
    p.add_argument("--pdf", action="store_true", help="also compile with pdflatex")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..latex import compile_pdf, to_latex

    doc = to_latex(args.depth)
    if args.output is None:
        if args.pdf:
            raise InvalidArgument("--pdf needs -o FILE.tex (where to write the document)")
        sys.stdout.write(doc)
        return 0
    try:
        with open(args.output, "w") as fh:
            fh.write(doc)
    except OSError as exc:
        raise ScalarEOSError(f"cannot write {args.output!r}: {exc.strerror}") from None
    print(f"wrote {args.output}", file=sys.stderr)
    if args.pdf:
        pdf = compile_pdf(args.output)
        print(f"compiled {pdf}", file=sys.stderr)
    return 0

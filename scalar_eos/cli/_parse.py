"""Argument parsing shared by the commands: the parser class, numbers, weights, point options (private)."""

from __future__ import annotations

import argparse
from typing import Any, NoReturn

from .._format import json_number
from .._validate import check_dps
from ..errors import InvalidArgument

__all__ = [
    "EXIT_USAGE",
    "Parser",
    "add_claims_file_option",
    "add_point_options",
    "as_number",
    "join_negative_values",
    "load_claims_files",
    "parse_number",
    "parse_weights",
    "point_args",
    "real",
]

EXIT_USAGE = 2

# Options whose value may legitimately start with "-" (negative numbers).
_VALUE_OPTIONS = ("--weights", "-w", "--target", "--eta", "--scale")


class Parser(argparse.ArgumentParser):
    """ArgumentParser whose errors are one line on stderr, exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see --help)\n")


def join_negative_values(argv: list[str]) -> list[str]:
    """Turn ``--weights -1,2`` into ``--weights=-1,2`` so argparse accepts it.

    Examples
    --------
    >>> join_negative_values(["gfs", "--weights", "-1,2", "--json"])
    ['gfs', '--weights=-1,2', '--json']
    """
    out: list[str] = []
    i = 0
    while i < len(argv):
        tok = argv[i]
        if (
            tok in _VALUE_OPTIONS
            and i + 1 < len(argv)
            and argv[i + 1].startswith("-")
            and argv[i + 1][1:2] in "0123456789."
        ):
            out.append(f"{tok}={argv[i + 1]}")
            i += 2
            continue
        out.append(tok)
        i += 1
    return out


def parse_number(text: str, dps: int | None, name: str) -> Any:
    """A number from the command line: exact decimal string with ``--dps``, else float.

    Examples
    --------
    >>> parse_number("0.1", None, "--eta"), parse_number("0.1", 30, "--eta")
    (0.1, '0.1')
    """
    s = text.strip()
    if not s:
        raise InvalidArgument(f"{name} is empty")
    if dps is not None:
        from .._exact import as_fraction

        as_fraction(s, name)  # validates; the string itself is passed on exactly
        return s
    try:
        v = float(s)
    except ValueError:
        raise InvalidArgument(f"{name} must be a number, got {text!r}") from None
    if v != v or v in (float("inf"), float("-inf")):
        raise InvalidArgument(f"{name} must be finite, got {text!r}")
    return v


def parse_weights(text: str, dps: int | None, depth: int | None = None) -> list[Any]:
    """``W1,...,WD`` -> list of numbers; checks the count against ``--depth``."""
    if text is None or not text.strip():
        raise InvalidArgument("--weights is empty; give D comma-separated numbers, e.g. --weights=0.5,3")
    parts = text.split(",")
    ws = [parse_number(p, dps, f"weight w_{i + 1} ({p.strip()!r})") for i, p in enumerate(parts)]
    if depth is not None and len(ws) != depth:
        raise InvalidArgument(f"--depth {depth} but {len(ws)} weights were given in --weights")
    return ws


def add_point_options(p: argparse.ArgumentParser, *, eta: bool = False) -> None:
    """``--weights``, ``--depth``, (``--eta``), ``--target``, ``--scale``, ``--dps``."""
    p.add_argument(
        "--weights",
        "-w",
        required=True,
        metavar="W1,...,WD",
        help="comma-separated weights (use --weights=-1,2 for negatives)",
    )
    p.add_argument("--depth", type=int, default=None, help="expected number of weights (checked)")
    if eta:
        p.add_argument("--eta", required=True, help="step size eta > 0")
    p.add_argument("--target", default="1", help="target y != 0 (default 1)")
    p.add_argument("--scale", default="1", help="input scale m = mean(x^2) > 0 (default 1)")
    p.add_argument(
        "--dps", type=int, default=None, help="decimal digits (mpmath); numbers are then read as exact decimals"
    )


def add_claims_file_option(p: argparse.ArgumentParser) -> None:
    """``--claims-file FILE.py`` (repeatable): claims registered from a Python file before the command runs."""
    p.add_argument(
        "--claims-file",
        action="append",
        default=None,
        metavar="FILE.py",
        help="register the claims defined in a Python file (repeatable)",
    )


def load_claims_files(args: argparse.Namespace) -> list[str]:
    """Run every ``--claims-file`` of a parsed command line; the ids they registered."""
    from ..claimsfile import load_claims_file

    ids: list[str] = []
    for path in getattr(args, "claims_file", None) or []:
        ids += load_claims_file(path)
    return ids


def point_args(args: argparse.Namespace, dps: Any = "from-args") -> dict[str, Any]:
    """``dps``, ``weights``, ``target``, ``scale`` (and ``eta``) of a command with :func:`add_point_options`."""
    dps = check_dps(args.dps if dps == "from-args" else dps)
    out = {
        "dps": dps,
        "weights": parse_weights(args.weights, dps, args.depth),
        "target": parse_number(args.target, dps, "--target"),
        "scale": parse_number(args.scale, dps, "--scale"),
    }
    if hasattr(args, "eta"):
        out["eta"] = parse_number(args.eta, dps, "--eta")
    return out


def real(x: Any, dps: int | None) -> Any:
    """A real for JSON: float64 without ``dps``, else a decimal string with ``dps`` digits (exact inputs kept)."""
    from mpmath import mp

    from .._exact import as_fraction, to_mpf, working_dps

    if dps is not None and not hasattr(x, "_mpf_"):
        with mp.workdps(working_dps(dps)):
            x = to_mpf(as_fraction(x, "value"))
    return json_number(x, dps)


def as_number(x: Any) -> Any:
    """Decimal strings (read with ``--dps``) as mpf for printing; numbers unchanged."""
    from mpmath import mp

    return mp.mpf(x) if isinstance(x, str) else x

"""Argument parsing shared by the commands: the parser class, numbers, weights, point options (private)."""

from __future__ import annotations

import argparse
from typing import Any, NoReturn

from .._format import json_number
from .._validate import check_dps
from ..errors import InvalidArgument

__all__ = [
    "EXIT_USAGE",
    "MAX_CLI_DPS",
    "SLOW_DPS",
    "Parser",
    "add_claims_file_option",
    "add_point_options",
    "add_progress_options",
    "as_number",
    "check_cli_dps",
    "count",
    "join_negative_values",
    "load_claims_files",
    "parse_number",
    "parse_weights",
    "point_args",
    "progress_arg",
    "real",
    "spinner",
]

EXIT_USAGE = 2

#: Largest ``--dps`` the command line accepts: about half a minute for ``gfs`` at depth 3 on one core; the
#: cost grows like dps^1.6, so 100000 digits would take a quarter of an hour with no way to tell it apart from
#: a hang.  The Python API takes larger values (``dps=``).
MAX_CLI_DPS = 10_000
#: From this precision on, point commands show a progress line (they can take seconds).
SLOW_DPS = 1_000

# Options whose value may legitimately start with "-" (negative numbers).
_VALUE_OPTIONS = ("--weights", "-w", "--target", "--eta", "--scale")


class HelpFormatter(argparse.HelpFormatter):
    """Help that says, for every option, whether it is required or what its default is."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if action.help is argparse.SUPPRESS:
            return text
        if action.required and action.option_strings:
            return f"{text} (required)"
        if not action.option_strings or action.nargs == 0 or "(default" in text:
            return text
        if action.default is not None and action.default is not argparse.SUPPRESS:
            return f"{text} (default: %(default)s)"
        return text


class Parser(argparse.ArgumentParser):
    """ArgumentParser whose errors are one line on stderr, exit status 2, and whose help shows defaults."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def count(lo: int, what: str = "", *, hi: int | None = None, why: str = "") -> Any:
    """An argparse ``type=``: an integer ``>= lo`` (and ``<= hi``, for the reason ``why``); one-line error otherwise.

    Examples
    --------
    >>> count(1)("3")
    3
    >>> count(1)("0")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be an integer >= 1, got '0'
    >>> count(0, hi=10, why="too slow")("11")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be at most 10 (too slow), got '11'
    """

    def parse(text: str) -> int:
        try:
            value = int(text.strip())
        except (ValueError, AttributeError):
            raise argparse.ArgumentTypeError(f"must be an integer{f' >= {lo}' if lo else ''}, got {text!r}") from None
        if value < lo:
            hint = f" ({what})" if what else ""
            raise argparse.ArgumentTypeError(f"must be an integer >= {lo}, got {text!r}{hint}")
        if hi is not None and value > hi:
            raise argparse.ArgumentTypeError(f"must be at most {hi}{f' ({why})' if why else ''}, got {text!r}")
        return value

    parse.__name__ = f"integer >= {lo}"
    return parse


def add_progress_options(p: argparse.ArgumentParser) -> None:
    """``--progress`` / ``--quiet``: force the progress line on or off (default: on when stderr is watched)."""
    g = p.add_mutually_exclusive_group()
    g.add_argument("--progress", action="store_true", help="progress on stderr even when it is not a terminal")
    g.add_argument("--quiet", action="store_true", help="no progress on stderr")


def progress_arg(args: argparse.Namespace) -> bool | None:
    """True (``--progress``), False (``--quiet``) or None (automatic: a terminal or Jupyter is watching)."""
    if getattr(args, "progress", False):
        return True
    if getattr(args, "quiet", False):
        return False
    return None


def spinner(args: argparse.Namespace, label: str, *, total: int = 1, unit: str = "") -> Any:
    """A progress line with elapsed time for work without countable steps (or ``total`` steps)."""
    from .._progress import Progress

    return Progress(total, label, enabled=progress_arg(args), ticker=True, unit=unit, delay=1.0)


def check_cli_dps(dps: Any) -> int | None:
    """``--dps`` as :func:`scalar_eos._validate.check_dps`, capped at :data:`MAX_CLI_DPS` with a reason."""
    dps = check_dps(dps)
    if dps is not None and dps > MAX_CLI_DPS:
        raise InvalidArgument(
            f"--dps {dps} is above the command line's limit of {MAX_CLI_DPS} digits (gfs at depth 3 takes about "
            f"half a minute at {MAX_CLI_DPS}; the cost grows like dps^1.6); use the Python API (dps=) for more"
        )
    return dps


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
    p.add_argument("--depth", type=count(1), default=None, help="expected number of weights (checked)")
    if eta:
        p.add_argument("--eta", required=True, help="step size eta > 0")
    p.add_argument("--target", default="1", help="target y != 0 (default 1)")
    p.add_argument("--scale", default="1", help="input scale m = mean(x^2) > 0 (default 1)")
    p.add_argument(
        "--dps",
        type=count(1),
        default=None,
        help=f"decimal digits (mpmath, at most {MAX_CLI_DPS}); numbers are then read as exact decimals "
        "(default: float64)",
    )
    add_progress_options(p)


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
    dps = check_cli_dps(args.dps if dps == "from-args" else dps)
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

"""Command-line interface: ``scalar-eos COMMAND ...`` (also ``python -m scalar_eos``).

One module per command (or small group of commands), each with
``register(subparsers)`` that adds its parser and sets ``func``; :data:`COMMANDS`
lists them in ``--help`` order.  Adding a command: a module here and one line
in :data:`COMMANDS`.  Commands parse, call one API function and print the
result's ``as_dict()`` (``--json``) or ``format_text()``.

Every error the package raises on purpose (and every malformed argument, and a
bad ``--claims-file``) is reported as one line on stderr with exit status 2; a
traceback is a bug.  Exit status 1 means a check failed (a proof, or a claim
refuted by ``test-claims``).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence

from ..errors import ScalarEOSDeprecationWarning, ScalarEOSError
from . import (
    central,
    check,
    claims,
    demo,
    experiment,
    gfs,
    latex,
    orbit,
    plot,
    prove,
    run,
    search,
    sweep,
    testclaims,
    verify_certificate,
)
from ._parse import EXIT_USAGE, Parser, join_negative_values, load_claims_files, parse_number, parse_weights

__all__ = ["COMMANDS", "build_parser", "deprecations_on_stderr", "main", "parse_number", "parse_weights"]

#: Command modules in ``--help`` order (``sweep`` registers ``sweep`` and ``sweep-report``).
COMMANDS = (
    gfs,
    run,
    check,
    search,
    testclaims,
    claims,
    latex,
    prove,
    verify_certificate,
    plot,
    sweep,
    experiment,
    demo,
    central,
    orbit,
)


def build_parser() -> argparse.ArgumentParser:
    """The ``scalar-eos`` argument parser (all commands).

    Examples
    --------
    >>> sorted(build_parser()._subparsers._group_actions[0].choices)[:4]
    ['central', 'check', 'claims', 'demo']
    """
    from .. import __version__

    parser = Parser(
        prog="scalar-eos",
        description="Check claims about gradient descent at the edge of stability on scalar networks.",
    )
    parser.add_argument("--version", action="version", version=f"scalar-eos {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for command in COMMANDS:
        command.register(sub)
    return parser


def _command_names(parser: argparse.ArgumentParser) -> list[str]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return list(action.choices)
    return []


@contextlib.contextmanager
def deprecations_on_stderr() -> Iterator[None]:
    """Show the package's deprecation warnings once each, as one line ``scalar-eos: warning: ...`` on stderr.

    Python hides :class:`DeprecationWarning` outside ``__main__``, so a user of the command line would never see
    that an old design key or sweep column is going away.  Other warnings keep the filters in force (under
    pytest's ``filterwarnings = error`` they still raise).

    Examples
    --------
    >>> import contextlib, io
    >>> from scalar_eos._deprecate import warn_renamed
    >>> err = io.StringIO()
    >>> with contextlib.redirect_stderr(err), deprecations_on_stderr():
    ...     warn_renamed("product", "pi_over_y", "weights")
    ...     warn_renamed("product", "pi_over_y", "weights")
    >>> print(err.getvalue(), end="")
    scalar-eos: warning: weights: 'product' is deprecated and will be removed in the next release; use 'pi_over_y'
    """
    shown: set[str] = set()

    def show(message, category, filename, lineno, file=None, line=None):
        if not issubclass(category, ScalarEOSDeprecationWarning):
            return outer(message, category, filename, lineno, file, line)
        text = " ".join(str(message).split())
        if text not in shown:
            shown.add(text)
            print(f"scalar-eos: warning: {text}", file=sys.stderr)
        return None

    with warnings.catch_warnings():
        outer = warnings.showwarning
        warnings.showwarning = show
        warnings.filterwarnings("always", category=ScalarEOSDeprecationWarning)
        yield


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``scalar-eos`` console script; returns the exit status."""
    argv = join_negative_values(list(sys.argv[1:] if argv is None else argv))
    parser = build_parser()
    try:
        try:
            args = parser.parse_args(argv)
        except SystemExit as exc:  # usage errors (one line already printed), --help, --version
            return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else EXIT_USAGE)
        if not getattr(args, "func", None):
            names = ", ".join(_command_names(parser))
            print(
                f"scalar-eos: error: no command given; choose one of: {names} (see scalar-eos --help)", file=sys.stderr
            )
            return EXIT_USAGE
        func: Callable[[argparse.Namespace], int] = args.func
        with deprecations_on_stderr():
            load_claims_files(args)  # --claims-file: the user's claims exist before the command looks them up
            return func(args)
    except ScalarEOSError as exc:
        print(f"scalar-eos: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OverflowError as exc:  # a number given exactly (--dps or exact decimals) too large for a float64 step
        print(
            f"scalar-eos: error: a value is too large for float64 arithmetic ({exc}); use smaller magnitudes",
            file=sys.stderr,
        )
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("scalar-eos: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0

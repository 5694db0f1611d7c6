"""Fuzzing the command line: whatever a user types, the exit status is 0, 1 or 2, never a traceback.

Hypothesis builds argument lists for every subcommand from the parser itself (its real options, plus
unknown ones), filled with numbers (huge, tiny, negative, NaN, inf), strings, comma lists and paths
(missing folders, unwritable places, wrong extensions).  Budgets are drawn small so each call is cheap;
the point is the handling of input, not the computation.  Errors must be one line on stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from scalar_eos import cli

PARSER = cli.build_parser()
_SUB = next(a for a in PARSER._actions if isinstance(a, argparse._SubParsersAction))
SUBCOMMANDS = dict(_SUB.choices)

# Commands or choices whose honest runtime is minutes whatever the input (the full proofs, the MLP
# experiment, the depth-4+ LaTeX derivation): they are fuzzed through their validation only.
_SLOW = {"prove", "latex", "test-claims"}  # test-claims runs Hypothesis itself (a nested @given)

# Options that set the size of the work: drawn small (or invalid) so that a call stays cheap.
_SIZE_OPTIONS = {
    "--steps",
    "--budget",
    "--samples",
    "--max-steps",
    "--chunk",
    "--every",
    "--max-reports",
    "--verify",
    "--workers",
    "--depth",
    "--dps",
    "--seed",
    "--max-examples",
    "--period",
}

numbers = st.one_of(
    st.integers(-3, 12).map(str),
    st.sampled_from(
        ["0", "-0", "1e-200", "1e200", "1e400", "-1e400", "nan", "inf", "-inf", "0.5", "-1", "3.3", "1/3", "0x10"]
    ),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)
weight_lists = st.lists(numbers, min_size=0, max_size=5).map(",".join)
words = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12)


def _paths(root: Path) -> st.SearchStrategy[str]:
    names = st.sampled_from(
        ["out.png", "out.jpgx", "out.csv", "out.parquet", "out.tex", "out", "fig.PNG", "out.pdf", "x.json"]
    )
    return st.one_of(
        names.map(lambda n: str(root / n)),
        names.map(lambda n: str(root / "no_such_dir" / n)),
        st.sampled_from(["/proc/nope.png", "/nonexistent/x.png", str(root), "", "-", "nosuch.parquet"]),
    )


def _value_for(option: str, root: Path) -> st.SearchStrategy[str]:
    if option in _SIZE_OPTIONS:
        small = st.integers(-2, 6).map(str)
        if option == "--dps":
            small = st.sampled_from(["0", "-5", "15", "30", "x"])
        return st.one_of(small, st.sampled_from(["", "x", "1.5", "nan"]))
    if option in ("--weights", "-w"):
        return weight_lists
    if option in ("-o", "--output", "--out", "--csv", "--plot", "--design", "--certificate"):
        return _paths(root)
    if option in ("--claim", "--claims"):
        return st.one_of(st.sampled_from(["step-decrease", "step-decrease-s", "nosuch", "", "eos-convergence"]), words)
    return st.one_of(numbers, words)


def _argv(root: Path) -> st.SearchStrategy[list[str]]:
    def fill(draw: st.DrawFn, name: str, sub: argparse.ArgumentParser, argv: list[str]) -> None:
        """Positionals (recursing into nested subcommands such as ``plot KIND``), then some options."""
        positionals = [a for a in sub._actions if not a.option_strings]
        options = [a for a in sub._actions if a.option_strings and "-h" not in a.option_strings]
        nested = None
        for action in positionals:
            if action.choices is not None:
                choice = draw(st.one_of(st.sampled_from(sorted(action.choices)), words))
                if name == "plot" and choice in ("phase", "benchmark"):
                    choice = draw(st.sampled_from(["trajectory", "region", "nosuch"]))
                if name == "experiment" and choice == "mlp":
                    choice = "scalar"
                argv.append(choice)
                if isinstance(action, argparse._SubParsersAction) and choice in action.choices:
                    nested = (choice, action.choices[choice])
            elif action.nargs in ("*", "?"):
                argv += draw(st.lists(words, max_size=2))
            else:
                argv.append(draw(st.one_of(_paths(root), words)))
        for action in draw(st.lists(st.sampled_from(options), max_size=5, unique_by=id)) if options else []:
            flag = draw(st.sampled_from(action.option_strings))
            if action.nargs == 0:
                argv.append(flag)
                continue
            value = draw(_value_for(flag if flag.startswith("--") else action.option_strings[-1], root))
            if flag.startswith("--"):
                argv += draw(st.sampled_from([[flag, value], [f"{flag}={value}"]]))
            else:
                argv += [flag, value]
        if nested is not None:
            fill(draw, nested[0], nested[1], argv)

    @st.composite
    def build(draw: st.DrawFn) -> list[str]:
        name = draw(st.sampled_from(sorted(SUBCOMMANDS)))
        argv = [name]
        fill(draw, name, SUBCOMMANDS[name], argv)
        if draw(st.booleans()):
            argv.insert(draw(st.integers(0, len(argv))), draw(st.sampled_from(["--nosuch", "-x", "--json", "5"])))
        if name in _SLOW and "--help" not in argv:
            argv.append("--nosuch-option")  # validation only: the command itself takes minutes
        return argv

    return build()


def _run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main(argv)
        except SystemExit as exc:  # argparse's --help / --version / usage errors
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    return code, out.getvalue(), err.getvalue()


def _check(argv: list[str]) -> None:
    code, _, err = _run(argv)
    assert "Traceback" not in err, f"traceback for {argv!r}:\n{err}"
    assert code in (0, 1, 2), f"exit status {code} for {argv!r}:\n{err}"
    if code == 2:
        lines = [ln for ln in err.splitlines() if ln.strip() and not ln.startswith("\r")]
        errors = [ln for ln in lines if "error" in ln.lower()]
        assert errors, f"exit 2 without an error line for {argv!r}:\n{err}"
        # one line: the error itself (argparse may print its usage line before it)
        assert len([ln for ln in lines if not ln.startswith("usage:") and not ln.startswith(" ")]) == 1, (
            f"more than one error line for {argv!r}:\n{err}"
        )


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def test_fuzz_cli_never_tracebacks(root: Path) -> None:
    # the default profile keeps this under ~20 s; HYPOTHESIS_PROFILE=ci (200 examples) fuzzes harder
    examples = 25 if settings().max_examples <= 40 else settings().max_examples

    @settings(
        max_examples=examples,
        deadline=None,
        # test-claims runs Hypothesis itself: a nested @given, on purpose
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.nested_given],
    )
    @given(argv=_argv(root))
    @example(argv=["gfs", "--weights=0.1,2.5", "--dps", "0"])
    @example(argv=["run", "--weights=1,2", "--eta", "0.1", "--every", "0"])
    @example(argv=["sweep-report", "nosuch.parquet"])
    @example(argv=["sweep-report", str(root / "x.parquet"), "--verify", "-1"])
    @example(argv=["demo", "--steps", "0", "--no-plot"])
    @example(argv=["plot", "region", "-o", str(root / "region.jpgx")])
    @example(argv=["plot", "trajectory", "-o", str(root / "no_such_dir" / "t.png"), "--weights=1,2", "--eta", "0.1"])
    @example(argv=["demo", "-o", str(root / "no_such_dir" / "demo.png"), "--steps", "3"])
    @example(argv=["experiment", "scalar", "--steps", "2", "-o", str(root / "no_such_dir" / "x.png")])
    @example(argv=["run", "--weights=1e-200,2,1", "--eta", "0.1", "--steps", "3"])
    @example(argv=["gfs", "--weights", "-1,2"])
    @example(argv=["check", "--weights=nan,1", "--eta", "1"])
    @example(argv=[])
    def inner(argv: list[str]) -> None:
        _check(argv)

    inner()

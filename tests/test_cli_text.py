"""What the command line prints reads right: magnitudes kept, exact inputs echoed, violations marked, honest words."""

from __future__ import annotations

import argparse

from scalar_eos.cli import build_parser, main
from scalar_eos.search import Counterexample, SearchReport


def test_search_report_keeps_the_exponent_of_huge_values() -> None:
    ce = Counterexample(
        weights=["1"],
        eta="1",
        target="1",
        gfs_before="68548269365931.660000000000000000000000000000000000000",
        gfs_after="4.0422049167589079030176123456789012345678901234567e+263",
        dps=50,
        detail="increased",
        snippet="",
    )
    text = SearchReport("step-decrease", 64, 0, 1, 1, 1, 0, [ce]).format_text()
    line = next(ln for ln in text.splitlines() if "GFS sharpness before" in ln)
    before, after = line.split("before ")[1].split("  after ")
    assert float(after) > 1e263 and float(before) < float(after)
    assert after.strip() == "4.0422049167589079e+263"


def test_gfs_echoes_exact_inputs_exactly_with_dps(capsys) -> None:
    assert main(["gfs", "--weights=0.1,2.5", "--target", "0.3", "--dps", "50"]) == 0
    out = capsys.readouterr().out
    assert "weights            0.1, 2.5\n" in out and "target             0.3\n" in out
    assert "0.1000000000000000055" not in out


def test_gfs_says_a_zero_weight_leaves_zero(capsys) -> None:
    assert main(["gfs", "--weights", "0,2"]) == 0
    out = capsys.readouterr().out
    assert "w_1 starts at 0 and becomes positive along the flow" in out and "changes sign" not in out
    assert main(["gfs", "--weights=-0.5,2"]) == 0
    assert "w_1 changes sign along the flow" in capsys.readouterr().out


def test_check_marks_a_violated_claim_and_exits_1(capsys) -> None:
    assert main(["check", "--weights=37,36.9", "--eta", "1.46", "--claims", "step-decrease,step-decrease-d2"]) == 1
    out = capsys.readouterr().out
    row = next(ln for ln in out.splitlines() if ln.startswith("step-decrease "))
    assert "VIOLATED" in row
    assert "VIOLATED" not in next(ln for ln in out.splitlines() if ln.startswith("step-decrease-d2"))
    assert main(["check", "--weights=0.5,3", "--eta", "0.2", "--claims", "step-decrease"]) == 0
    assert "VIOLATED" not in capsys.readouterr().out


def test_demo_with_zero_steps_claims_nothing_about_monotonicity(capsys) -> None:
    assert main(["demo", "--steps", "0", "--no-plot"]) == 0
    out = capsys.readouterr().out
    assert "No gradient descent step was taken" in out
    assert "not monotone" not in out and "on 1 steps" not in out


def test_float64_underflow_is_not_called_a_divergence(capsys) -> None:
    assert main(["run", "--weights=1e-200,2,1", "--eta", "0.1", "--steps", "3"]) == 0
    out = capsys.readouterr().out
    assert "diverged" not in out and "stopped at step 0" in out and "--dps" in out


def test_run_words_the_largest_change_honestly(capsys) -> None:
    assert main(["run", "--weights=1,2", "--eta", "0.1", "--steps", "2"]) == 0
    out = capsys.readouterr().out
    assert "largest one-step change" not in out
    assert "it fell at every step" in out or "largest one-step increase" in out


def _parsers(parser: argparse.ArgumentParser, prefix: str = "scalar-eos"):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield f"{prefix} {name}", sub
                yield from _parsers(sub, f"{prefix} {name}")


def test_every_subcommand_help_shows_defaults_and_required_options() -> None:
    checked = 0
    for name, sub in _parsers(build_parser()):
        text = " ".join(sub.format_help().split())
        for action in sub._actions:
            if not action.option_strings or action.nargs == 0 or isinstance(action, argparse._HelpAction):
                continue
            help_text = " ".join((action.help or "").split())
            if action.required:
                assert f"{help_text} (required)" in text, f"{name} {action.option_strings}"
            elif action.default is not None:
                assert "default" in help_text.lower() or f"(default: {action.default})" in text, (
                    f"{name} {action.option_strings}: default {action.default!r} not shown"
                )
            checked += 1
    assert checked > 40

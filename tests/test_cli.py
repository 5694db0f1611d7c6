"""The command-line contract: JSON keys, precision of decimal strings, bad input."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import mpmath
import pytest

import scalar_eos as se
from scalar_eos.cli import build_parser, main

from .helpers import assert_close, rel_error

GFS_KEYS = {"depth", "target", "weights", "product", "loss", "kind", "shift", "solution", "sharpness"}


def run_cli(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_gfs_json_round_trip(capsys):
    code, out, _ = run_cli(capsys, "gfs", "--weights=0.5,-3,1.5", "--target", "2", "--json")
    assert code == 0
    doc = json.loads(out)
    assert set(doc) == GFS_KEYS
    ref = se.gfs([0.5, -3.0, 1.5], target=2.0)
    assert doc["depth"] == 3 and doc["kind"] == "minimum"
    assert doc["weights"] == [0.5, -3.0, 1.5] and doc["target"] == 2.0
    assert doc["sharpness"] == ref.sharpness and doc["shift"] == ref.shift
    assert doc["solution"] == list(ref.solution)
    assert doc["product"] == -2.25 and doc["loss"] == 0.5 * 4.25**2


def test_gfs_json_with_dps_gives_decimal_strings_with_enough_digits(capsys):
    code, out, _ = run_cli(capsys, "gfs", "--weights=0.1,-0.3,2.7,1.1", "--target=-0.7", "--dps", "50", "--json")
    assert code == 0
    doc = json.loads(out)
    ref = se.gfs(["0.1", "-0.3", "2.7", "1.1"], target="-0.7", dps=80)
    reals = [
        doc["target"],
        doc["product"],
        doc["loss"],
        doc["shift"],
        doc["sharpness"],
        *doc["weights"],
        *doc["solution"],
    ]
    for s in reals:
        assert isinstance(s, str)
        digits = s.lstrip("-").split("e")[0].replace(".", "").lstrip("0")
        assert len(digits) >= 50, s
    assert doc["weights"][0].startswith("0.1000000000000000000000000000000000000000000")  # exact decimal, no float64
    assert rel_error(doc["sharpness"], ref.sharpness) < mpmath.mpf("1e-50")
    assert rel_error(doc["shift"], ref.shift) < mpmath.mpf("1e-50")
    for a, b in zip(doc["solution"], ref.solution, strict=True):
        assert rel_error(a, b) < mpmath.mpf("1e-50")


def test_gfs_names_saddles(capsys):
    code, out, _ = run_cli(capsys, "gfs", "--weights", "-2,2,3", "--json")
    assert code == 0 and json.loads(out)["kind"] == "saddle"
    code, out, _ = run_cli(capsys, "gfs", "--weights=-2,2,3")
    assert "saddle" in out


def test_run_json_and_csv(capsys, tmp_path):
    code, out, _ = run_cli(capsys, "run", "--weights=0.5,3.3,0.5", "--eta", "0.45", "--steps", "10", "--json")
    assert code == 0
    doc = json.loads(out)
    traj = doc["trajectory"]
    assert len(traj) == 11 and [r["t"] for r in traj] == list(range(11))
    ref = se.gd([0.5, 3.3, 0.5], 0.45, 10)
    assert [r["gfs_sharpness"] for r in traj] == list(ref.gfs_sharpness)
    path = tmp_path / "t.csv"
    code, _, _ = run_cli(capsys, "run", "--weights=0.5,3.3,0.5", "--eta=0.45", "--steps=10", "--csv", str(path))
    with path.open() as fh:
        rows = list(csv.DictReader(fh))
    assert code == 0 and len(rows) == 11
    assert_close(float(rows[10]["loss"]), ref.loss[10], rel=1e-15)


def test_run_with_dps(capsys):
    code, out, _ = run_cli(capsys, "run", "--weights=0.5,1.5", "--eta", "0.1", "--steps", "3", "--dps", "30", "--json")
    assert code == 0
    traj = json.loads(out)["trajectory"]
    assert all(isinstance(r["loss"], str) for r in traj)


def test_run_table(capsys):
    code, out, _ = run_cli(capsys, "run", "--weights=0.5,3", "--eta", "0.1", "--steps", "5")
    assert code == 0 and "gfs_sharpness" in out and "2/eta = 20" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["gfs", "--weights="],
        ["gfs", "--weights=1,,2"],
        ["gfs", "--weights=a,b"],
        ["gfs", "--weights=nan,1"],
        ["gfs", "--weights=1,inf"],
        ["gfs", "--weights=1,2", "--depth", "3"],
        ["gfs", "--weights=1,2", "--target", "0"],
        ["gfs", "--weights=1,2", "--dps", "0"],
        ["gfs", "--weights=1,2", "--dps", "-3"],
        ["gfs", "--weights=1,2", "--dps", "x"],
        ["gfs"],
        ["run", "--weights=1,2", "--eta", "0"],
        ["run", "--weights=1,2", "--eta", "-0.1"],
        ["run", "--weights=1,2", "--eta", "inf"],
        ["run", "--weights=1,2", "--eta", "nan"],
        ["run", "--weights=1,2", "--eta", "0.1", "--steps", "-1"],
        ["run", "--weights=1,2"],
        ["gfs", "--weights=1e200,1e200"],
        ["nonsense"],
        ["demo", "--every", "0"],
        ["run", "--weights=1,2", "--eta", "0.1", "--steps", "10000000000000"],  # would run for years
        ["orbit", "--weights=1,2", "--eta", "1e400"],  # exact input, float64 overflow inside
    ],
)
def test_bad_input_exits_2_with_one_line(capsys, argv):
    with pytest.raises(SystemExit) as exc:
        code = main(argv)
        raise SystemExit(code)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1, err
    assert "error" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("argv", "what"),
    [
        (["--weights=1e400,1", "--eta", "0.1"], "w_1"),
        (["--weights=1e-400,1", "--eta", "0.1"], "w_1"),  # read exactly; float64 would make it 0
        (["--weights=1,2", "--eta", "0.1", "--target", "1e400"], "the target"),
    ],
)
def test_check_outside_float64_leaves_trajectory_claims_undecided_with_the_reason(capsys, argv, what):
    """Exact decimals beyond float64: the exact step is decided; the float64 GD run is not made up."""
    code, out, err = run_cli(capsys, "check", *argv, "--claims", "eos-convergence,step-decrease", "--json")
    assert code in (0, 1) and err == ""
    doc = json.loads(out)
    traj = next(r for r in doc["claims"] if r["id"] == "eos-convergence")
    assert traj["conclusion"] is None and f"cannot represent {what} " in traj["note"]
    assert next(r for r in doc["claims"] if r["id"] == "step-decrease")["conclusion"] is not None
    code, out, _ = run_cli(capsys, "check", *argv, "--claims", "eos-convergence")
    assert f"(not decided: the float64 GD run of trajectory claims cannot represent {what} " in out
    assert "saddle" not in out


def test_claim_is_an_alias_of_claims(capsys):
    """'--claim' was an ambiguous prefix (--claims, --claims-file) in check, sweep and test-claims."""
    code, out, err = run_cli(capsys, "check", "--weights=1,2", "--eta", "0.1", "--claim", "step-decrease", "--json")
    assert code == 0 and err == "" and [r["id"] for r in json.loads(out)["claims"]] == ["step-decrease"]
    parser = build_parser()
    assert parser.parse_args(["test-claims", "--claim", "step-decrease"]).claims == "step-decrease"
    assert parser.parse_args(["sweep", "--claim", "step-decrease", "--out", "s.parquet"]).claims == "step-decrease"


def test_design_files_that_are_not_text_or_not_toml_say_so(tmp_path, capsys):
    binary = tmp_path / "d.toml"
    binary.write_bytes(bytes(range(256)))
    code, _, err = run_cli(capsys, "sweep", "--design", str(binary), "--out", str(tmp_path / "s.parquet"))
    assert code == 2 and err.strip().endswith("is not a text file (UTF-8 TOML or JSON)")
    other = tmp_path / "d.yaml"
    other.write_text("depth: 3\n")
    code, _, err = run_cli(capsys, "sweep", "--design", str(other), "--out", str(tmp_path / "s.parquet"))
    assert code == 2 and "is not valid TOML (read as TOML: name it .json for JSON)" in err
    assert len(err.strip().splitlines()) == 1


def test_console_script_and_module_entry_points():
    out = subprocess.run([sys.executable, "-m", "scalar_eos", "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.startswith("scalar-eos ")
    bad = subprocess.run(
        [sys.executable, "-m", "scalar_eos", "gfs", "--weights=1,x"], capture_output=True, text=True, check=False
    )
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr


def test_demo_prints_table_and_summary(capsys, tmp_path):
    code, out, _ = run_cli(capsys, "demo", "--steps", "120", "--no-plot")
    assert code == 0
    assert "2/eta" in out and "GFS sharpness" in out
    assert "decreased on every step" in out

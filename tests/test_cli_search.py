"""Command line: search reports, test-claims, --claims-file."""

from __future__ import annotations

import json

import pytest

from scalar_eos import claims
from scalar_eos.cli import main

CLAIMS_FILE = """
from scalar_eos.claims import Claim, register

def conclusion(step, w, eta, y):
    a = [abs(x) for x in w]
    return max(a) / min(a) < 10**11  # false only where the weights span 11 decades

register(Claim("file-span", "weights never span 11 decades", lambda w, eta, y: True, conclusion))
"""


@pytest.fixture
def claims_file(tmp_path):
    path = tmp_path / "my_claims.py"
    path.write_text(CLAIMS_FILE)
    yield str(path)
    if "file-span" in {c.id for c in claims.registry()}:
        claims.unregister("file-span")


def test_search_json_reports_closest_and_coverage(capsys):
    code = main(["search", "--claim", "step-decrease-s", "--depth", "3", "--budget", "20000", "--json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 0 and doc["counterexamples"] == []
    close = doc["closest"]
    assert close and set(close[0]) >= {"weights", "eta", "target", "margin", "pi_over_y", "eta_psi"}
    assert [r["margin"] for r in close] == sorted(r["margin"] for r in close) and close[0]["margin"] <= 1e-6
    lo, hi = doc["coverage"]["log10_abs_w"]
    assert lo <= -6 and hi >= 6


def test_search_text_report(capsys):
    assert main(["search", "--claim", "step-decrease-order", "--depth", "3", "--budget", "8000", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "closest" in out and "covered log10_abs_w" in out


def test_claims_file_for_search_check_and_claims(capsys, claims_file):
    code = main(["search", "--claims-file", claims_file, "--claim", "file-span", "--depth", "3", "--json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 0 and doc["counterexamples"]
    claims.unregister("file-span")
    assert main(["claims", "--claims-file", claims_file, "--json"]) == 0
    assert "file-span" in capsys.readouterr().out
    claims.unregister("file-span")
    assert main(["check", "--claims-file", claims_file, "--weights=1e-6,1,1e6", "--eta", "0.1", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {"id": "file-span", "hypothesis": True, "conclusion": False} in doc["claims"]


@pytest.mark.parametrize(
    ("text", "command"),
    [
        (None, "claims"),
        ("def f(:\n", "search"),
        ("raise ValueError('boom')\n", "check"),
        ("x = 1\n", "sweep"),
    ],
)
def test_bad_claims_file_is_one_line_and_exit_2(tmp_path, capsys, text, command):
    path = tmp_path / "bad.py"
    if text is not None:
        path.write_text(text)
    argv = {
        "claims": ["claims"],
        "search": ["search", "--claim", "step-decrease", "--depth", "2"],
        "check": ["check", "--weights=1,2", "--eta", "0.1"],
        "sweep": ["sweep", "--out", str(tmp_path / "s.parquet")],
    }[command]
    assert main([*argv, "--claims-file", str(path)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "claims file" in err


def test_test_claims_command(capsys):
    code = main(
        [
            "test-claims",
            "--claims",
            "step-decrease,step-decrease-order",
            "--depths",
            "2-3",
            "--max-examples",
            "5",
            "--seed",
            "0",
            "--json",
            "--quiet",
        ]
    )
    doc = json.loads(capsys.readouterr().out)
    verdicts = {(r["claim"], r["depth"]): r["verdict"] for r in doc["results"]}
    assert code == 1  # step-decrease is false: refuted is the right outcome, and exit status 1 says so
    assert verdicts[("step-decrease", 2)] == verdicts[("step-decrease", 3)] == "refuted"
    assert verdicts[("step-decrease-order", 2)] == verdicts[("step-decrease-order", 3)] == "no counterexample"
    code = main(
        [
            "test-claims",
            "--claims",
            "step-decrease-d2",
            "--depths",
            "2,3",
            "--max-examples",
            "5",
            "--no-database",
            "--quiet",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0 and "no counterexample" in out and "not applicable" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["test-claims", "--depths", "0-2"],
        ["test-claims", "--depths", "two"],
        ["test-claims", "--claims", "nope"],
        ["test-claims", "--max-examples", "0"],
        ["search", "--claim", "step-decrease", "--depth", "2", "--max-reports", "0"],
    ],
)
def test_bad_input_exit_2(capsys, argv):
    assert main(argv) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1

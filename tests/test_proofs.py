"""The proofs in proofs/ run, report their verdicts, and can fail."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from scalar_eos.prove import find_proofs, proofs_dir, run_proofs

REQUIRED = {
    "gf-invariants",
    "gfs-characterisation",
    "sharpness-at-minimum",
    "gd-step-squares",
    "d2-region",
    "step-decrease-order",
}


def test_every_proof_is_proved():
    results = run_proofs()
    assert REQUIRED <= {r["name"] for r in results}
    for r in results:
        assert r["verdict"] in ("PROVED", "CERTIFIED"), (r["name"], r["details"])
        assert r["steps"], r["name"]


def test_a_false_step_fails():
    sys.path.insert(0, str(proofs_dir()))
    from _common import StepFailed, check_zero

    with pytest.raises(StepFailed):
        check_zero(__import__("sympy").Symbol("x") + 1, "planted false identity", [])


def test_cli_prove_json():
    out = subprocess.run(
        [sys.executable, "-m", "scalar_eos", "prove", "d2-region", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0
    doc = json.loads(out.stdout)
    assert doc["proofs"][0]["name"] == "d2-region" and doc["proofs"][0]["verdict"] == "PROVED"
    assert set(doc["proofs"][0]) == {"name", "verdict", "statement", "details"}
    assert set(find_proofs()) >= REQUIRED

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
    "step-decrease-s-d3",
}
LONG = {"step-decrease-s-d3"}  # the full interval certification (about three minutes): slow tests only


def test_every_proof_is_proved():
    names = sorted(set(find_proofs()) - LONG)
    results = run_proofs(names)
    assert REQUIRED - LONG <= {r["name"] for r in results}
    for r in results:
        assert r["verdict"] in ("PROVED", "CERTIFIED"), (r["name"], r["details"])
        assert r["steps"], r["name"]


@pytest.mark.slow
def test_full_certification():
    (r,) = run_proofs(["step-decrease-s-d3"])
    assert r["verdict"] == "CERTIFIED", r["details"]
    for region in ("[1/2, 2]^3 with pi/y < 2", "[1/4, 4]^3 with pi/y < 31/16", "[1/8, 8]^3 with pi/y < 15/8"):
        assert region in r["details"]


def _d3():
    pytest.importorskip("flint")
    sys.path.insert(0, str(proofs_dir()))
    import step_decrease_s_d3

    return step_decrease_s_d3


def test_certification_on_a_reduced_region():
    """Default run: the same proof on a small region that reaches pi/y -> 2 (the hard part)."""
    from fractions import Fraction as F

    res = _d3().run(((F(1), F(5, 4), F(2)),))
    assert res["verdict"] == "CERTIFIED"
    assert "simplifies to 0" in res["steps"][0]  # the derivative identity was checked
    assert "boxes processed" in res["steps"][-1]


def test_certification_fails_where_the_claim_is_false():
    """With eta psi <= 4 sqrt 2 instead of 2 sqrt 2 the bound cannot hold; the box it fails on holds a real
    counterexample, confirmed by the exact one-step decision."""
    from fractions import Fraction as F

    import scalar_eos as se

    d3 = _d3()
    with pytest.raises(d3.StepFailed, match="could not be certified near w = ") as exc:
        d3.certify(F(1), F(3, 2), c2=32)
    centre = json.loads(str(exc.value).split("near w = ")[1])
    w = [x * 0.999 for x in centre]  # just inside pi < 2
    psi = float(se.gfs_sharpness(w))
    step = se.one_step(w, 4 * 2**0.5 / psi * (1 - 1e-9))
    assert step.relation == "increased"


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


def test_document_compiles(tmp_path):
    import shutil

    from scalar_eos.prove import write_latex

    results = run_proofs(["d2-region", "sharpness-at-minimum"])
    tex = write_latex(results, tmp_path / "proofs.tex")
    text = tex.read_text()
    assert "d2-region: PROVED" in text and "\\begin{enumerate}" in text
    if shutil.which("pdflatex") is None:
        pytest.skip("pdflatex not installed")
    out = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", tex.name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stdout[-2000:]
    assert (tmp_path / "proofs.pdf").stat().st_size > 10_000
    assert "Overfull" not in out.stdout

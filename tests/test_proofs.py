"""The proofs in proofs/ run, report their verdicts, and can fail."""

from __future__ import annotations

import functools
import json
import re
import subprocess
import sys

import pytest

from scalar_eos.prove import find_proofs, normalise_steps, proofs_dir, run_proofs

REQUIRED = {
    "gf-invariants",
    "gfs-characterisation",
    "sharpness-at-minimum",
    "gd-step-squares",
    "d2-region",
    "step-decrease-order",
    "step-decrease-s-d3",
    "reductions",
}
LONG = {"step-decrease-s-d3"}  # the full interval certification (about three minutes): slow tests only


@functools.cache
def fast_results() -> tuple:
    """One run of every fast proof, shared by the tests of this module."""
    return tuple(run_proofs(sorted(set(find_proofs()) - LONG)))


def test_every_proof_is_proved():
    results = fast_results()
    assert REQUIRED - LONG <= {r["name"] for r in results}
    for r in results:
        assert r["verdict"] in ("PROVED", "CERTIFIED"), (r["name"], r["details"])
        assert r["steps"], r["name"]
        for s in r["steps"]:
            assert set(s) <= {"text", "checked", "how", "tex"} and s["text"], (r["name"], s)
            assert s["how"].startswith("argued") == (not s["checked"]), (r["name"], s)
        assert r["checked_steps"] + r["argued_steps"] == len(r["steps"])
        # the proofs check far more than they argue (counts measured when the steps were first tagged)
        assert r["checked_steps"] >= 2 * r["argued_steps"], r["name"]


def test_legacy_string_steps_are_argued():
    steps = normalise_steps(["a prose step (checked)", {"text": "t", "checked": False, "how": "SymPy"}])
    assert [s["checked"] for s in steps] == [False, False]
    assert [s["how"] for s in steps] == ["argued", "argued (SymPy)"]


def test_every_depth_steps_are_symbolic():
    """General-D statements are checked for symbolic D, not only for small explicit depths."""
    wanted = {"gf-invariants", "gd-step-squares", "sharpness-at-minimum", "step-decrease-order", "reductions"}
    for r in (r for r in fast_results() if r["name"] in wanted):
        assert any(s["checked"] and ("every D" in s["how"] or "symbolic D" in s["how"]) for s in r["steps"]), r["name"]


def test_linear_sums_is_sound():
    """The symbolic-D helper proves true identities and does not prove a false one."""
    sys.path.insert(0, str(proofs_dir()))
    import sympy as sp
    from _common import D_SYM, I_SYM, linear_sums

    x = sp.IndexedBase("x")
    j = sp.Symbol("j", integer=True, positive=True)
    total = sp.Sum(x[j], (j, 1, D_SYM))
    assert linear_sums(sp.Sum(2 * x[I_SYM] + total, (I_SYM, 1, D_SYM)) - 2 * total - D_SYM * total).doit() == 0
    false = linear_sums(sp.Sum(x[I_SYM] ** 2, (I_SYM, 1, D_SYM)) - total**2)
    assert sp.simplify(false.doit()) != 0
    for d in range(1, 5):  # the true identity evaluated at explicit depths
        xs = sp.symbols(f"x1:{d + 1}")
        assert sp.expand(sum(2 * v + sum(xs) for v in xs) - 2 * sum(xs) - d * sum(xs)) == 0


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
    steps = normalise_steps(res["steps"])
    assert steps[0]["checked"]  # the derivative identity was checked
    assert "boxes processed" in steps[-1]["text"]


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
    (p,) = doc["proofs"]
    assert p["name"] == "d2-region" and p["verdict"] == "PROVED"
    assert set(p) == {"name", "verdict", "statement", "details", "seconds", "steps", "checked_steps", "argued_steps"}
    assert all(set(s) == {"text", "checked", "how"} for s in p["steps"])
    assert p["checked_steps"] == sum(s["checked"] for s in p["steps"]) and p["argued_steps"] == 0
    assert set(find_proofs()) >= REQUIRED


def test_text_to_tex_puts_relations_in_math():
    from scalar_eos._proof_tex import text_to_tex

    tex = text_to_tex("if 0 < pi/y < 2 and eta psi <= 2 sqrt 2, then |w_(1) w_(2)| >= a^2 (proof d2-region).")
    outside = re.sub(r"\$[^$]*\$", "", tex)  # the text outside formulas
    assert not set("<>|^_") & set(outside.replace("\\_", "")), tex
    assert "$0 < \\pi /y < 2$" in tex and "\\le" in tex and "\\sqrt{2}" in tex and "w_{(1)}" in tex
    assert "proof d2-region)." in tex  # proof names and words stay text


def test_document_compiles(tmp_path):
    """The document compiles; its text has no garbled glyphs; every step is tagged; the counts are stated."""
    import shutil

    from scalar_eos.prove import write_latex

    results = list(fast_results())
    tex = write_latex(results, tmp_path / "proofs.tex")
    text = tex.read_text()
    n_checked = sum(r["checked_steps"] for r in results)
    n_argued = sum(r["argued_steps"] for r in results)
    assert f"{n_checked} are checked" in text and f"{n_argued} are argued" in text
    assert text.count("\\checkedtag{") == n_checked and text.count("\\arguedtag{") == n_argued
    assert "\\usepackage[T1]{fontenc}" in text and "\\begin{lemma}" in text
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
    assert "Overfull" not in out.stdout
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext not installed")
    pdf_text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(tmp_path / "proofs.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    for garbled in "\u00a1\u00bf\u2014":  # what OT1 prints for < > | in text mode
        assert garbled not in pdf_text, garbled
    assert pdf_text.count("argued") >= n_argued and "checked:" in pdf_text
    for r in results:
        assert r["name"] in pdf_text

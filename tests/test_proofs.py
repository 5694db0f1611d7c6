"""The proofs in proofs/ run, report their verdicts, and can fail."""

from __future__ import annotations

import functools
import itertools
import json
import math
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
    "step-decrease-s-d4",
    "reductions",
}
LONG = {"step-decrease-s-d3", "step-decrease-s-d4"}  # full interval certifications (minutes to hours): slow only


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


CERTIFICATES = proofs_dir() / "certificates"


@pytest.mark.slow
def test_full_certification(tmp_path):
    """The depth-3 proof on its stated regions (tens of minutes); its certificate passes the checker."""
    from scalar_eos.certificate import verify_certificate

    path = tmp_path / "d3.jsonl.gz"
    (r,) = run_proofs(["step-decrease-s-d3"], certificate=str(path))
    assert r["verdict"] == "CERTIFIED", r["details"]
    d3 = _d3()
    for low, high, pi_max in d3.REGIONS:
        assert f"[{low}, {high}]^3 with pi/y < {pi_max}" in r["details"]
    report = verify_certificate(path, arithmetic="float")
    assert report.valid, report.first_failure
    assert len(report.regions) == len(d3.REGIONS)


@pytest.mark.slow
def test_shipped_certificates_verify():
    """Every certificate shipped in proofs/certificates/ passes the independent checker (minutes)."""
    from scalar_eos.certificate import verify_certificate

    files = sorted(CERTIFICATES.glob("*.jsonl.gz"))
    assert files
    for path in files:
        report = verify_certificate(path, arithmetic="float")
        assert report.valid, (path.name, report.first_failure)


@pytest.mark.slow
def test_shipped_certificates_hold_at_random_points():
    """Random certified boxes of every shipped certificate, random points inside, random b in [0, b_max(w)]:
    psi(w) - psi(GD(w)) >= 0 at 50 digits, from the GD step itself."""
    import gzip
    import random

    rng = random.Random(2026)
    for path in sorted(CERTIFICATES.glob("*.jsonl.gz")):
        with gzip.open(path, "rt") as fh:
            boxes = [rec["box"] for rec in map(json.loads, fh.read().splitlines()[1:]) if rec["verdict"] == "certified"]
        checked = 0
        while checked < 100:
            box = [[float(a), float(b)] for a, b in rng.choice(boxes)]
            w = sorted((rng.uniform(a, b) for a, b in box), reverse=True)
            if not all(a <= x <= b for x, (a, b) in zip(w, box, strict=True)) or not 0 < math.prod(w) < 2:
                continue
            if math.prod(w) == 1:
                continue
            gap, _ = _mp_decrease(w, _mp_bmax(w) * rng.random())
            assert gap >= 0, (path.name, w, gap)
            checked += 1


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
    assert steps[0]["checked"] and "SymPy" in steps[0]["how"]  # the derivative identity was checked
    assert any("boxes processed" in s["text"] and s["checked"] for s in steps)
    assert all(set(s) == {"text", "checked", "how"} for s in res["steps"])
    assert any(not s["checked"] and s["how"].startswith("argued") for s in steps)
    assert any(not s["checked"] and s["text"].startswith("not covered") for s in steps)


def test_shared_certification_runner_assembles_the_result_and_the_certificate(tmp_path):
    """The run() shared by the depth-3 and depth-4 proofs: steps in order, details and rows from the same
    branch-and-bound, and the certificate it writes passes the independent checker."""
    from fractions import Fraction as F

    from scalar_eos.certificate import verify_certificate

    _d3()
    import _certify_run

    regions = ((F(1), F(9, 8), F(2)), (F(3, 4), F(1), F(2)))
    note = _certify_run.step("not covered: everything else", False, "measured")
    path = tmp_path / "c.jsonl"
    res = _certify_run.run_certification(3, "a-test", regions, certificate=str(path), uncovered=(note,))
    assert res["verdict"] == "CERTIFIED" and res["steps"][-1] is note
    region_steps = [s for s in res["steps"] if "boxes processed" in s["text"]]
    assert len(region_steps) == 2 and res["steps"][-3:-1] == region_steps
    boxes = [row["boxes"] for row in res["regions"]]
    assert res["details"] == (
        f"on |w_i|/|y|^(1/3) in [1, 9/8]^3 with pi/y < 2: {boxes[0]} boxes; [3/4, 1]^3 with pi/y < 2: "
        f"{boxes[1]} boxes (arb ball arithmetic, python-flint); certificate written to {path}"
    )
    header = json.loads(path.read_text().splitlines()[0])
    assert header["proof"] == "a-test" and header["depth"] == 3 and header["boxes"] == sum(boxes)
    report = verify_certificate(path, arithmetic="float")
    assert report.valid and report.boxes == sum(boxes), report.first_failure


def test_certification_fails_where_the_claim_is_false():
    """With eta psi <= 4 sqrt 2 instead of 2 sqrt 2 the bound cannot hold near balanced weights with pi/y near 2:
    the box the certification fails on is next to real counterexamples, confirmed at 50 digits and by the
    package's one-step decision."""
    from fractions import Fraction as F

    import scalar_eos as se

    d3 = _d3()
    with pytest.raises(d3.StepFailed, match="could not be certified near w = ") as exc:
        d3.certify(F(5, 4), F(21, 16), c2=32)
    centre = json.loads(str(exc.value).split("near w = ")[1])
    w = [centre[0] * 1.01, centre[1], centre[2] * 0.99]  # unbalance it slightly (pi/y stays < 2)
    bmax = _mp_bmax(w)  # for eta psi <= 2 sqrt 2
    assert _mp_decrease(w, bmax)[0] >= 0  # the true claim holds here
    gap, eta_psi = _mp_decrease(w, 4 * bmax * (1 - F(1, 10**9)))  # eta psi just below 4 sqrt 2
    assert gap < 0 and eta_psi < 4 * math.sqrt(2)
    psi = float(se.gfs_sharpness(w))
    assert se.one_step(w, 4 * 2**0.5 / psi * (1 - 1e-9)).relation == "increased"


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


# --------------------------------------------------------------------------- the box rule over b is sound


def _bnb():
    pytest.importorskip("flint")
    sys.path.insert(0, str(proofs_dir()))
    import _bnb

    return _bnb


def _old_mixing_rule(factors, at_bmax):
    """The rule the depth-3 certificate used before (kept here only as the mutated rule): lower bounds of
    G_q(b_max) only, a positive one weighted by its factor's lower end, a negative one by its upper end."""
    return sum((lo if g >= 0 else hi) * g for (lo, hi), g in zip(factors, at_bmax, strict=True)) >= 0


def _planted_pieces(n=16):
    """Two pairs, factors 1, b_max = 1: G_A(b) = int_0^b (1 - beta/p_A) dbeta with p_A = 1/10 (goes negative
    early), G_B(b) = int_0^b (1 - beta/10) 200 beta^10 dbeta (positive but only late).  Per piece, exact rational
    lower bounds (then rounded down to floats) of the piece integral and of its negative part."""
    from fractions import Fraction as F

    def down(x):
        return math.nextafter(float(x), -math.inf) if float(x) > x else float(x)

    edges = sorted({F(k, n) for k in range(n + 1)} | {F(1, 10)})
    lin = lambda a, b, p: (b - a) - (b * b - a * a) / (2 * p)  # noqa: E731  int_a^b (1 - beta/p)
    ints_a, negs_a, ints_b, negs_b = [], [], [], []
    for b0, b1 in itertools.pairwise(edges):
        i_a = lin(b0, b1, F(1, 10))
        ints_a.append(down(i_a))
        negs_a.append(down(min(0, i_a)))  # each piece lies on one side of p_A = 1/10
        ints_b.append(down(lin(b0, b1, F(10)) * 200 * b0**10))  # weight 200 beta^10 >= its value at b0
        negs_b.append(0.0)
    return edges, (ints_a, negs_a), (ints_b, negs_b)


def test_old_mixing_rule_accepts_a_planted_false_box_and_the_sound_rule_rejects_it():
    bnb = _bnb()
    from fractions import Fraction as F

    edges, (ia, na), (ib, nb) = _planted_pieces()
    factors = [(1.0, 1.0), (1.0, 1.0)]
    # the old rule: only b = b_max is bounded, G_A(1) >= -4 and G_B(1) >= (about) 8 -> accepted
    at_bmax = [math.fsum(ia), math.fsum(ib)]
    assert at_bmax[0] < 0 < at_bmax[1]
    assert _old_mixing_rule(factors, at_bmax)
    # a point evaluation refutes it: at b = 1/2 the sum is negative (exact rationals)
    b = F(1, 2)
    g_a = b - b * b / (2 * F(1, 10))
    g_b = 200 * (b**11 / 11 - b**12 / (12 * 10))
    assert g_a + g_b < 0
    # the sound rule rejects it on the piece that contains b = 1/2 (and on others)
    sums = bnb.piece_sums(factors, [bnb.every_b_bounds(ia, na), bnb.every_b_bounds(ib, nb)])
    failing = [k for k, x in enumerate(sums) if not x >= 0]
    assert failing and any(edges[k] <= b <= edges[k + 1] for k in failing)


def test_sound_rule_accepts_a_true_sum_and_the_every_b_bounds_are_valid():
    bnb = _bnb()
    from fractions import Fraction as F

    edges, (ia, na), (ib, nb) = _planted_pieces()
    ea, eb = bnb.every_b_bounds(ia, na), bnb.every_b_bounds(ib, nb)
    for k, (b0, b1) in enumerate(itertools.pairwise(edges)):  # every bound holds at points of its piece
        for b in (b0, (b0 + b1) / 2, b1):
            g_a = b - b * b / (2 * F(1, 10))
            g_b = 200 * (b**11 / 11 - b**12 / (12 * 10))
            assert float(ea[k].upper()) <= g_a + 1e-15 and float(eb[k].upper()) <= g_b + 1e-15
    # pair A alone with a small factor and pair B weighted 0: not certified; A with factor 0 and B: certified
    assert not all(x >= 0 for x in bnb.piece_sums([(0.5, 0.5), (0.0, 0.0)], [ea, eb]))
    assert all(x >= 0 for x in bnb.piece_sums([(0.0, 0.0), (1.0, 2.0)], [ea, eb]))


def _mp_psi(v, dps=50):
    """psi (y = 1) from the squares of v: the shift c solves prod(v_i^2 + c) = 1 on c > -min v_i^2 (bisection,
    the product increases there), psi = sum 1/(v_i^2 + c)."""
    from mpmath import mp

    with mp.workdps(dps + 10):
        q = [mp.mpf(x) ** 2 for x in v]
        lo, hi = -min(q), 1 + 0 * q[0]  # f(lo) = -1 < 0, f(1) >= 0 since every factor is >= 1
        for _ in range(4 * (dps + 10)):
            mid = (lo + hi) / 2
            lo, hi = (lo, mid) if mp.fprod([x + mid for x in q]) > 1 else (mid, hi)
        return +mp.fsum(1 / (x + lo) for x in q)


def _mp_decrease(w, b, dps=50):
    """psi(w) - psi(GD(w)) in mpmath at ``dps`` digits, from the GD step with eta = sqrt(b)/|r pi| (y = 1)."""
    from mpmath import mp

    with mp.workdps(dps):
        w = [mp.mpf(x) for x in w]
        pi = mp.fprod(w)
        r = pi - 1
        eta = mp.sqrt(b) / abs(r * pi)
        new = [x - eta * r * pi / x for x in w]  # dL/dw_i = r prod_{k != i} w_k
        psi = _mp_psi(w, dps)
        return psi - _mp_psi(new, dps), eta * psi


def _mp_bmax(w, dps=50):
    from mpmath import mp

    with mp.workdps(dps):
        pi = mp.fprod([mp.mpf(x) for x in w])
        return 8 * (pi - 1) ** 2 * pi**2 / _mp_psi(w, dps) ** 2


def test_random_points_of_certified_boxes_decrease():
    """Random certified boxes of a small certification, random points inside, random b in [0, b_max(w)]:
    psi(w) - psi(GD(w)) >= 0 at 50 digits (an independent computation from the GD step itself)."""
    import random
    from fractions import Fraction as F

    bnb = _bnb()
    leaves = []
    bnb.certify(3, F(1), F(5, 4), pi_max=F(2), sink=leaves.append)
    boxes = [rec["box"] for rec in leaves if rec["verdict"] == "certified"]
    assert len(boxes) > 20
    rng = random.Random(13)
    checked = 0
    while checked < 60:
        box = [[float(a), float(b)] for a, b in rng.choice(boxes)]
        w = [rng.uniform(a, b) for a, b in box]
        w.sort(reverse=True)
        if not all(a <= x <= b for x, (a, b) in zip(w, box, strict=True)) or math.prod(w) >= 2 or math.prod(w) == 1:
            continue
        bmax = _mp_bmax(w)
        for frac in (rng.random(), 1.0):
            gap, eta_psi = _mp_decrease(w, bmax * frac)
            assert eta_psi <= 2 * math.sqrt(2) * (1 + 1e-40)
            assert gap >= 0, (w, frac, gap)
            checked += 1

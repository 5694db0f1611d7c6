"""Built-in claims on known cases, user claims, and the counterexample search."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
from hypothesis import given, settings

import scalar_eos as se
from scalar_eos import claims
from scalar_eos.cli import main
from scalar_eos.errors import InvalidArgument
from scalar_eos.outcome import UP_TO_BUDGET, Outcome
from scalar_eos.search import search
from scalar_eos.strategies import claim_points


def results(w, eta, **kw):
    return {r.id: (r.hypothesis, r.conclusion) for r in claims.evaluate(w, eta, **kw)}


def test_builtin_claims_are_registered():
    ids = {c.id for c in claims.registry()}
    assert {
        "step-decrease",
        "step-decrease-s",
        "step-decrease-d2",
        "step-decrease-order",
        "eos-convergence",
        "zhu-minimalist",
    } <= ids


def test_known_cases():
    r = results(["37", "36.9"], "1.46")  # a verified step-decrease counterexample
    assert r["step-decrease"] == (True, False)
    assert r["step-decrease-d2"] == (True, True)  # outside the region, and psi did increase
    assert r["step-decrease-order"][0] is False
    r = results(["0.5", "3.3", "0.5"], "0.45")  # the demo: EoS convergence
    assert r["eos-convergence"] == (True, True)
    assert r["step-decrease-d2"] == (False, None)  # wrong depth
    a, b = claims.zhu_point(0.05)
    r = results([a * 1.01, b, a * 1.01, b], 0.05, claims=["zhu-minimalist"])
    assert r["zhu-minimalist"][0] is True and r["zhu-minimalist"][1] is not None


@settings(max_examples=25)
@given(claim_points("step-decrease-order", 3))
def test_sufficient_condition_holds_on_its_hypothesis(point):
    w, eta = point
    assert se.one_step([str(x) for x in w], repr(eta)).relation != "increased"


def test_user_claim_registration_and_planted_violation():
    planted = claims.Claim(
        "planted-psi-below-5",
        "psi(w) < 5 everywhere (false: planted for the test)",
        lambda w, eta, y: True,
        lambda step: step.gfs_before < 5,
    )
    claims.register(planted)
    try:
        with pytest.raises(InvalidArgument):
            claims.register(planted)
        rep = search("planted-psi-below-5", 2, budget=600, seed=3, max_reports=2)
        assert rep.counterexamples
        for ce in rep.counterexamples:
            assert se.gfs_sharpness(ce.weights, dps=30) >= 5
    finally:
        claims.unregister("planted-psi-below-5")
    with pytest.raises(InvalidArgument, match="unknown claim"):
        claims.get("planted-psi-below-5")


def test_search_finds_verified_step_decrease_counterexamples():
    rep = search("step-decrease", 2, budget=30_000, seed=0, max_reports=3)
    assert len(rep.counterexamples) == 3
    for ce in rep.counterexamples:
        r = se.one_step(ce.weights, ce.eta, target=ce.target)  # independent re-check
        assert r.relation == "increased"
        assert ce.dps >= 50 and len(ce.gfs_before.replace(".", "").lstrip("0")) >= 50
    again = search("step-decrease", 2, budget=30_000, seed=0, max_reports=3)
    assert [c.weights for c in again.counterexamples] == [c.weights for c in rep.counterexamples]


@pytest.mark.parametrize(
    ("claim", "depth"), [("step-decrease-order", 3), ("step-decrease-d2", 2), ("step-decrease-s", 2)]
)
def test_search_reports_none_for_proved_claims(claim, depth):
    rep = search(claim, depth, budget=30_000, seed=1)
    assert rep.counterexamples == []
    assert rep.in_hypothesis > 1000 and rep.coverage["eta_psi"] is not None


def test_trajectory_search_is_verified():
    rep = search("eos-convergence", 2, budget=200, seed=0, max_reports=1)
    assert rep.counterexamples
    ce = rep.counterexamples[0]
    o = se.classify([float(x) for x in ce.weights], float(ce.eta))
    assert claims.get("eos-convergence").conclusion(o, float(ce.eta)) is False


def test_cli_check_json(capsys):
    code = main(["check", "--weights=0.5,4", "--eta", "1.41421356237309504880168872420969807856", "--json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 0
    assert doc["one_step"]["decreased"] is True and doc["one_step"]["relation"] == "decreased"
    assert set(doc["one_step"]) >= {"gfs_before", "gfs_after", "decreased"}
    ids = {c["id"]: c for c in doc["claims"]}
    assert ids["step-decrease-d2"]["conclusion"] is True
    assert all(set(c) == {"id", "hypothesis", "conclusion"} for c in doc["claims"])


def test_cli_check_dps_strings(capsys):
    code = main(["check", "--weights=0.5,4", "--eta", "1.4142135623730950488016887242097", "--dps", "50", "--json"])
    doc = json.loads(capsys.readouterr().out)
    assert doc["one_step"]["relation"] == "increased" and doc["one_step"]["decreased"] is False
    # the step increased psi, so the unconditional claim is violated here: exit status 1, named in "violated"
    assert code == 1 and doc["violated"] == ["step-decrease"]
    assert isinstance(doc["one_step"]["gfs_before"], str)


def test_cli_search_json(capsys):
    code = main(["search", "--claim", "step-decrease", "--depth", "2", "--budget", "20000", "--seed", "4", "--json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 0 and doc["claim"] == "step-decrease" and doc["trials"] > 0
    assert doc["counterexamples"] and doc["counterexamples"][0]["dps"] == 50
    for key in ("weights", "eta", "target", "gfs_before", "gfs_after"):
        assert key in doc["counterexamples"][0]


@pytest.mark.parametrize(
    "argv",
    [
        ["search", "--claim", "nope", "--depth", "2"],
        ["search", "--claim", "step-decrease-d2", "--depth", "3"],
        ["search", "--claim", "step-decrease", "--depth", "0"],
        ["search", "--claim", "step-decrease", "--depth", "2", "--budget", "0"],
        ["check", "--weights=1,2", "--eta", "0"],
        ["check", "--weights=1,2", "--eta", "0.1", "--claims", "bogus"],
    ],
)
def test_cli_bad_input(capsys, argv):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1


def test_exact_hypothesis_of_s_claim():
    h = claims.get("step-decrease-s").hypothesis
    assert h([Fraction(1), Fraction(1, 2)], Fraction(1, 2), Fraction(1))
    assert not h([Fraction(1), Fraction(3)], Fraction(1, 2), Fraction(1))  # pi/y = 3


@pytest.mark.parametrize("status", sorted(UP_TO_BUDGET))
def test_trajectory_claims_leave_runs_described_up_to_the_budget_undecided(status):
    o = Outcome(status, None, 0.5, 1.0, True, None, 20000, final_weights=[1e-5, 1e-5, -1e-5])
    trajectory = [c for c in claims.registry() if c.kind == "trajectory"]
    assert trajectory
    for c in trajectory:
        assert c.conclusion(o, 0.9) is None, (c.id, status)

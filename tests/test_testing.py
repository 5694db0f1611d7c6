"""Hypothesis properties per claim: verdicts of the built-ins, shrinking, replay from the database."""

from __future__ import annotations

import pytest

import scalar_eos as se
from scalar_eos import claims
from scalar_eos.testing import ClaimFalsified, check_claim, claim_property, corner_points, tight_points

# What is known about each built-in claim (see scalar_eos.claims): the property must agree.
EXPECTED = {
    "step-decrease": "refuted",
    "step-decrease-s": "no counterexample",
    "step-decrease-d2": "no counterexample",
    "step-decrease-order": "no counterexample",
    "eos-convergence": "refuted",
    "zhu-minimalist": "refuted",
}
STEP = ["step-decrease", "step-decrease-s", "step-decrease-d2", "step-decrease-order"]

# usable directly in a pytest file
test_order_depth3_as_a_user_would = claim_property("step-decrease-order", 3, max_examples=8, database=None, seed=1)


@pytest.mark.parametrize("depth", [2, 3, 4, 5, 6])
@pytest.mark.parametrize("claim", STEP)
def test_step_claim_verdicts(claim, depth):
    r = check_claim(claim, depth, max_examples=6, database=None, seed=0, shrink=depth == 2)
    c = claims.get(claim)
    if c.depth is not None and c.depth != depth:
        assert r["verdict"] == "not applicable"
        return
    assert r["verdict"] == EXPECTED[claim], r
    if r["verdict"] == "refuted":
        ce = r["counterexample"]
        assert se.one_step(ce["weights"], ce["eta"], target=ce["target"]).relation == "increased"
    else:
        assert r["in_hypothesis"] >= 6


@pytest.mark.slow
def test_strategy_alone_refutes_and_shrinks():
    r = check_claim("step-decrease", 2, max_examples=60, database=None, seed=3, pins=False)
    assert r["verdict"] == "refuted"
    ce = r["counterexample"]
    assert se.one_step(ce["weights"], ce["eta"], target=ce["target"]).relation == "increased"
    assert max(len(x) for x in ce["weights"]) <= 24  # shrunk to short decimals


@pytest.mark.parametrize(
    ("claim", "depth"), [("eos-convergence", 2), pytest.param("zhu-minimalist", 4, marks=pytest.mark.slow)]
)
def test_trajectory_claim_verdicts(claim, depth):
    r = check_claim(claim, depth, max_examples=2, database=None, seed=0, shrink=False, max_steps=2000)
    assert r["verdict"] == EXPECTED[claim], r
    assert "reference run" in r["counterexample"]["detail"]


def test_failure_replays_from_the_database(tmp_path):
    calls = []

    def conclusion(step, w, eta, y):
        calls.append(1)
        return max(abs(x) for x in w) / min(abs(x) for x in w) < 10**9

    claims.register(claims.Claim("replay-span", "span < 1e9", lambda w, eta, y: True, conclusion))
    try:
        first = check_claim("replay-span", 3, max_examples=300, database=str(tmp_path), pins=False, shrink=False)
        assert first["verdict"] == "refuted"
        assert any(tmp_path.rglob("*"))
        calls.clear()
        again = check_claim("replay-span", 3, max_examples=1, database=str(tmp_path), pins=False)
        assert again["verdict"] == "refuted" and again["counterexample"] == first["counterexample"]
        assert len(calls) <= 5  # replayed first, not searched again
        with pytest.raises(ClaimFalsified, match="replay-span"):
            claim_property("replay-span", 3, max_examples=1, database=str(tmp_path), pins=False)()
    finally:
        claims.unregister("replay-span")


def test_pins_and_strategy_reach_corners():
    for depth in (2, 3, 6):
        pins = tight_points(depth)
        assert all(len(w) == depth and eta > 0 for w, eta in pins)
    assert corner_points("step-decrease-s", 3) is not None


@pytest.mark.slow
@pytest.mark.parametrize("depth", [2, 3, 4, 5, 6])
@pytest.mark.parametrize("claim", list(EXPECTED))
def test_all_claims_thorough(claim, depth):
    r = check_claim(claim, depth, max_examples=300, database=None, seed=0)
    if r["verdict"] != "not applicable":
        assert r["verdict"] == EXPECTED[claim], r

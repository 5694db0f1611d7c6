"""Claim statuses are derived from the proof verdicts, recorded by a full `scalar-eos prove` run."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from scalar_eos import status
from scalar_eos.prove import find_proofs

from .test_proofs import LONG, fast_results


def test_records_cover_every_proof_and_match_a_fresh_run():
    stored = status.stored_records()
    assert set(stored) == set(find_proofs()), "run `scalar-eos prove` to regenerate the records"
    for r in fast_results():
        rec = stored[r["name"]]
        assert rec["verdict"] == r["verdict"], r["name"]
        assert (rec["checked_steps"], rec["argued_steps"]) == (r["checked_steps"], r["argued_steps"]), r["name"]
    for name in LONG & set(stored):
        assert stored[name]["verdict"] in ("CERTIFIED", "PROVED"), name
        assert stored[name]["regions"] or stored[name]["details"], name


def test_statuses_follow_the_verdicts():
    stored = status.stored_records()
    fresh = {**stored, **status.proof_records(list(fast_results()))}
    assert status.claim_statuses(fresh) == status.claim_statuses(stored)
    st = status.claim_statuses(stored)
    assert st["step-decrease-d2"].startswith("proved") and st["step-decrease-order"].startswith("proved")
    assert st["step-decrease"].startswith("false (counterexample")
    assert "proved for D = 2" in st["step-decrease-s"]
    # a failed proof changes the status: nothing is typed by hand
    broken = copy.deepcopy(stored)
    broken["d2-region"]["verdict"] = "FAILED"
    st2 = status.claim_statuses(broken)
    assert not st2["step-decrease-d2"].startswith("proved") and "proved for D = 2" not in st2["step-decrease-s"]


def test_readme_block_is_generated():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    block = status.markdown_block()
    begin, end = block.splitlines()[0], block.splitlines()[-1]
    if begin not in readme:
        pytest.skip("README has no generated status block yet (print it with scalar_eos.status.markdown_block())")
    start = readme.index(begin)
    assert readme[start : readme.index(end, start) + len(end)] + "\n" == block


def test_cli_claims_shows_the_derived_status():
    import json
    import subprocess
    import sys

    from scalar_eos import claims

    out = subprocess.run(
        [sys.executable, "-m", "scalar_eos", "claims", "--json"], capture_output=True, text=True, check=True
    )
    shown = {c["id"]: c["status"] for c in json.loads(out.stdout)["claims"]}
    derived = status.claim_statuses()  # (this process may hold more, user-registered claims)
    assert shown == {k: derived[k] for k in shown}
    builtins = [claims.step_decrease, claims.step_decrease_s, claims.step_decrease_d2, claims.step_decrease_order]
    builtins += [claims.eos_convergence, claims.zhu_minimalist]
    for mod in builtins:  # every built-in claim declares its evidence: no status typed by hand
        assert mod.CLAIM.evidence is not None and mod.CLAIM.id in shown, mod.CLAIM.id

"""A claim defined in a module outside the package works with check, search and sweep (one file, no edits)."""

from __future__ import annotations

import importlib
import json
import sys
import textwrap

import numpy as np
import pytest

import scalar_eos as se
from scalar_eos import claims
from scalar_eos.cli import main
from scalar_eos.search import search

MODULE = '''
"""A user's claims, registered on import."""

import numpy as np

from scalar_eos import claims, fast


def below_5(W, eta, y, before, after):
    return before - 5.0  # > 0: psi(w) >= 5 violates the claim


def sampler(rng, depth, n, target):
    W = np.exp(rng.uniform(-1.5, 1.5, size=(n, depth)))
    return W, 1.0 / fast.gfs_sharpness(W, target=target)


PSI_BELOW_5 = claims.register(
    claims.Claim(
        "ext-psi-below-5",
        "psi(w) < 5 everywhere (false: planted)",
        lambda w, eta, y: True,
        lambda step: step.gfs_before < 5,
        batch_hypothesis=lambda W, eta, y: np.ones(W.shape[0], dtype=bool),
        batch_violation=below_5,
        sampler=sampler,
    )
)
CONVERGES = claims.register(
    claims.Claim(
        "ext-converges",
        "GD from eta * psi(w0) < 1 converges (true: below the stability threshold)",
        lambda w, eta, y: True,
        lambda o, eta: None if o.status == "undecided" else o.status == "converged",
        kind="trajectory",
        batch_hypothesis=lambda W, eta, y: eta * fast.gfs_sharpness(W, target=y) < 1,
        sweep_default=False,
    )
)
'''


@pytest.fixture
def user_claims(tmp_path, monkeypatch):
    (tmp_path / "my_claims.py").write_text(textwrap.dedent(MODULE))
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module("my_claims")
    try:
        yield module
    finally:
        for cid in ("ext-psi-below-5", "ext-converges"):
            claims.unregister(cid)
        sys.modules.pop("my_claims", None)


def test_check_evaluates_the_external_claims(user_claims, capsys):
    res = {r.id: r for r in claims.evaluate([0.1, 10.0], 0.005)}
    assert res["ext-psi-below-5"].conclusion is False  # pi = y: psi = 1/0.01 + 1/100 = 100.01 >= 5
    assert res["ext-converges"].conclusion is True
    assert main(["check", "--weights=0.5,3", "--eta", "0.2", "--claims", "ext-psi-below-5", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    expected = bool(se.gfs_sharpness([0.5, 3.0], dps=30) < 5)  # independent: the exact GFS sharpness
    assert doc["claims"] == [{"id": "ext-psi-below-5", "hypothesis": True, "conclusion": expected}]


def test_search_uses_the_claims_sampler_and_score(user_claims):
    rep = search("ext-psi-below-5", 2, budget=2000, seed=0, max_reports=2)
    assert rep.counterexamples
    for ce in rep.counterexamples:  # independent check of each verified counterexample
        assert se.gfs_sharpness(ce.weights, dps=40) >= 5
    # the claim's sampler fixes eta * psi(w) = 1: the coverage says so
    lo, hi = rep.coverage["eta_psi"]
    assert lo == pytest.approx(1.0) and hi <= 20.0


def test_sweep_checks_the_external_claims(user_claims, tmp_path, capsys):
    pytest.importorskip("pyarrow")
    from scalar_eos import sweep as sw

    out = tmp_path / "step.parquet"
    assert (
        main(["sweep", "--depth", "2", "--samples", "300", "--claims", "ext-psi-below-5", "--out", str(out), "--quiet"])
        == 0
    )
    rep = sw.report(out, verify=2)
    entry = rep["claims"]["ext-psi-below-5"]
    assert entry["hypothesis"] == 300 and entry["float64_violations"] > 0
    assert entry["verified_counterexamples"] == 2
    runs = tmp_path / "run.parquet"
    design = {"depth": 2, "samples": 40, "mode": "run", "max_steps": 3000, "claims": ["ext-converges"]}
    sw.sweep(design, runs, progress=False)
    table, _ = sw.read_sweep(runs)
    hyp = table.column("ext_converges_hypothesis").to_numpy()
    holds = table.column("ext_converges_holds").to_numpy()
    eta_psi = table.column("eta_psi0").to_numpy()
    assert np.array_equal(hyp, eta_psi < 1) and hyp.any()
    assert np.all(holds[hyp] == 1)  # below the threshold GD converges
    assert "ext-converges" not in sw.normalize_design({"mode": "run"})["claims"]  # sweep_default=False

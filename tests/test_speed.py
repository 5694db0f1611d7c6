"""The speed benchmark: plain references agree with the package, records are complete and round-trip."""

from __future__ import annotations

import json

import numpy as np
import pytest

from scalar_eos import fast, speed
from scalar_eos._plain import plain_classify, plain_gd, plain_gfs_sharpness
from scalar_eos.errors import InvalidArgument
from scalar_eos.outcome import classify_batch
from tests.helpers import assert_close

pytest.importorskip("numba")


@pytest.mark.parametrize("depth", [3, 4, 6])
def test_plain_references_agree_with_the_fast_path(depth):
    rng = np.random.default_rng(depth)
    W = np.exp(rng.uniform(-1, 1, (500, depth))) * rng.choice([-1.0, 1.0], (500, depth))
    W[0] = 1.0  # balanced: psi = D
    psi = plain_gfs_sharpness(W)
    assert_close(psi[0], float(depth), rel=1e-14)
    ref = fast.gfs_sharpness(W, engine="numpy")
    assert np.max(np.abs(psi - ref) / ref) < 1e-13
    eta = 0.5 / np.maximum(ref, fast.sharpness(W))
    got = fast.gd(W, eta, 50, track=(), engine="numpy")["weights"]
    assert np.max(np.abs(plain_gd(W, eta, 50) - got) / np.abs(got)) < 1e-12


def test_plain_classifier_decides_as_the_package():
    rng = np.random.default_rng(7)
    W = np.exp(rng.uniform(np.log(0.2), np.log(5.0), (200, 3)))
    eta = rng.uniform(0.5, 3.0, 200) / fast.gfs_sharpness(W)
    ref = plain_classify(W, eta, 3000)
    new = classify_batch(W, eta, max_steps=3000)
    decided = ref["status"] != 4
    assert decided.sum() > 100 and ref["row_steps"] == ref["steps"].sum()
    assert np.array_equal(ref["status"][decided], new["status"][decided])
    conv = ref["status"] == 0
    assert np.max(np.abs(ref["final"][conv] - new["final_sharpness"][conv]) / ref["final"][conv]) < 1e-10


def test_measure_records_every_implementation_and_round_trips(tmp_path):
    rec = speed.measure(["gfs_d4", "gd"], quick=True, reps=3, progress=False)
    assert rec["machine"]["cores"] >= 1 and rec["quick"] and rec["reps"] == 3
    gfs, gd = rec["targets"]
    for t in (gfs, gd):
        roles = [r["role"] for r in t["results"]]
        assert roles == ["reference", "fallback", "new"]
        assert all(len(r["cpu_s"]) == 3 and r["value"] > 0 for r in t["results"])
        assert t["agreement"]["NumPy and numba engines bit-identical"] is True
        assert isinstance(t["met"], bool) and t["met"] == (speed.new_result(t)["value"] >= t["goal"])
        new, base = speed.new_result(t), speed.base_result(t)
        assert speed.speedup(t, new) == pytest.approx(new["value"] / base["value"])
    assert gfs["agreement"]["max rel. diff. vs reference"] < 1e-13
    n = 50_000  # points/s is points over the median CPU time
    assert gfs["results"][-1]["value"] == pytest.approx(n / float(np.median(gfs["results"][-1]["cpu_s"])))
    path = speed.save_record(rec, str(tmp_path / "rec.json"))
    back = speed.load_record(path)
    assert back["targets"][0]["results"] == json.loads(json.dumps(gfs["results"]))
    assert speed.summary_lines(back) == speed.summary_lines(rec)


def test_extra_baselines_are_timed_and_compared():
    calls = []

    def old(W):
        calls.append(len(W))
        return plain_gfs_sharpness(W) * (1 + 1e-9)

    rec = speed.measure(["gfs_d4"], quick=True, reps=1, extra={"gfs_d4": {"old code": old}}, progress=False)
    (t,) = rec["targets"]
    assert [r["name"] for r in t["results"]][1] == "old code" and calls == [50_000]  # one timed call
    assert 0.9e-9 < t["agreement"]["max rel. diff. vs old code"] < 1.1e-9


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"targets": ["gd", "nope"]}, "unknown benchmark targets"), ({"reps": 0}, "reps must be a positive integer")],
)
def test_measure_rejects_bad_arguments(kwargs, message):
    with pytest.raises(InvalidArgument, match=message):
        speed.measure(**kwargs)


def test_summary_of_a_skipped_target():
    entry = {"id": "generic_mlp", "skipped": "why"}
    assert speed.summary_lines({"targets": [entry, "junk"]}) == ["generic_mlp: not measured (why)"]

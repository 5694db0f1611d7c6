"""The fused classifier engines and the compiled kernels against the v0.1 classifier and the exact reference."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest

import scalar_eos as se
from scalar_eos import _classify as C
from scalar_eos import _classify_numpy as CN
from scalar_eos import _engine as E
from scalar_eos import fast
from scalar_eos.errors import InvalidArgument
from scalar_eos.outcome import OutcomeStatus as S

from .classify_v01 import classify_batch_v01
from .helpers import assert_close

numba = pytest.importorskip("numba")

KEYS = ("status", "period", "final", "max_inc", "mono", "steps", "reason", "weights", "lyapunov", "long_period", "bext")


def run(W, eta, y=None, *, max_steps=1500, engine="numba"):
    n = len(eta)
    y = np.ones(n) if y is None else y
    raw = C.classify_arrays(W, eta, y, np.ones(n), max_steps=max_steps, max_period=16, rtol=1e-12, engine=engine)
    return C.finalize(raw, y, np.ones(n), max_steps=max_steps, max_period=16)


def mixed_rows(rng, n, depth):
    """Random signed starts with ``eta * psi(w0)`` in [0.5, 4], plus edge rows (zero, tie, non-finite, huge)."""
    W = np.exp(rng.uniform(-0.7, 0.7, (n, depth))) * rng.choice([-1.0, 1.0], (n, depth))
    y = rng.choice([1.0, -0.7, 2.0], n)
    if depth >= 2:
        W[0, :2] = [1.0, -1.0]  # a tie with pi/y < 0 for y > 0
        W[1, 0] = 0.0
        W[2, 1] = np.nan
        W[3] = 1e120
        y[:4] = 1.0
    psi0 = fast.gfs_sharpness(W, target=y)
    eta = rng.uniform(0.5, 4.0, n) / psi0
    return W, np.where(np.isfinite(eta), eta, 0.3), y


@pytest.mark.parametrize("depth", [2, 3, 4])
def test_engines_agree_bit_for_bit(depth):
    W, eta, y = mixed_rows(np.random.default_rng(depth), 120, depth)
    a = run(W, eta, y, engine="numba")
    b = run(W, eta, y, engine="numpy")
    for k in KEYS:
        assert np.array_equal(a[k], b[k], equal_nan=True), k


def test_matches_v01_classifier_row_by_row():
    """Where v0.1 decided, the same status, period, steps and weights; its undecided rows only refined."""
    rng = np.random.default_rng(11)
    W, eta, y = mixed_rows(rng, 400, 3)
    W = W[4:]  # v0.1 has no non-finite-row guard worth comparing here
    eta, y = eta[4:], y[4:]
    old = classify_batch_v01(W, eta, target=y, max_steps=1500)
    new = run(W, eta, y)
    decided = old["status"] != S.UNDECIDED
    assert np.array_equal(old["status"][decided], new["status"][decided])
    op, np_ = old["period"][decided], new["period"][decided]  # v0.1 could report a multiple of the minimal period
    assert np.all((op == np_) | ((np_ > 0) & (op % np.maximum(np_, 1) == 0)))
    # each |w_i| now repeats to 1e-9 of its own range (v0.1: of the largest |w_i|): an orbit may be seen a block apart
    same = old["steps"] == new["steps"]
    both_periodic = (old["status"] == S.PERIODIC) & (new["status"] == S.PERIODIC)
    assert np.all(same | (both_periodic & (np.abs(old["steps"] - new["steps"]) <= 64)))
    assert np.mean(same) > 0.8
    assert np.array_equal(old["weights"][same], new["weights"][same], equal_nan=True)  # same GD bits
    assert set(new["status"][~decided]) <= {S.UNDECIDED, S.PERIODIC, S.CHAOTIC, S.QUASIPERIODIC, S.SADDLE_APPROACH}
    assert np.all(new["period"][~decided & (new["status"] == S.PERIODIC)] > 16)
    # v0.1's Newton re-iterated converged columns (batch-dependent last bits): a few ulp apart
    f0, f1 = old["final_sharpness"], new["final"]
    both = np.isfinite(f0)
    assert np.array_equal(both, np.isfinite(f1))
    assert np.max(np.abs(f1[both] - f0[both]) / f0[both]) <= 1e-13


def test_final_sharpness_matches_mpmath_reference():
    W = np.array([[0.5, 3.3, 0.5], [1.0, 1.02, 0.99], [0.7, -1.4, -0.9], [2.0, 0.3, 1.1, 0.8]][:3])
    res = run(W, np.array([0.45, 0.8, 0.3]), max_steps=20000)
    assert [int(s) for s in res["status"]] == [S.CONVERGED, S.PERIODIC, S.CONVERGED]
    for i in range(3):
        ref = se.gfs_sharpness([float(x) for x in res["weights"][i]], dps=30)
        assert_close(res["final"][i], ref, rel=1e-13)


def test_chaos_exponent_matches_high_precision_balanced_map():
    """On balanced weights GD is the map a -> a - eta (a^3 - 1) a^2; its exponent from a 30-digit orbit."""
    eta = 0.88
    res = run(np.full((1, 3), 1.05), np.array([eta]), max_steps=20000)
    assert res["status"][0] == S.CHAOTIC and res["lyapunov"][0] > 0
    _, blocks = CN.lyapunov_schedule(20000, 16)
    first = 20000 - CN.N_BATCH * blocks * 32
    with mpmath.workdps(30):
        a, e = mpmath.mpf(1.05), mpmath.mpf(eta)
        along = across = mpmath.mpf(0)
        for t in range(20000):
            r = a**3 - 1
            if t >= first:
                along += mpmath.log(abs(1 - e * (3 * a**4 + 2 * r * a)))  # balanced direction
                across += mpmath.log(abs(1 + e * r * a))  # imbalance directions
            a = a - e * r * a**2
        ref = float(max(along, across) / (20000 - first))
    assert abs(res["lyapunov"][0] - ref) <= 4 * res["lyapunov_err"][0] + 0.005, (res["lyapunov"][0], ref)


def test_long_period_is_a_true_minimal_period():
    res = run(np.full((1, 3), 1.05), np.array([0.89]), max_steps=20000)
    k = int(res["period"][0])
    assert res["status"][0] == S.PERIODIC and k > 16
    w = [float(x) for x in res["weights"][0]]
    orbit = [np.abs(w)]
    for _ in range(2 * k):
        w = se.gd_step(w, 0.89)
        orbit.append(np.abs(np.array(w, dtype=float)))
    dist = [float(np.max(np.abs(orbit[j] - orbit[0]))) for j in range(1, 2 * k + 1)]
    assert dist[k - 1] < 1e-8 and dist[2 * k - 1] < 1e-8
    assert min(dist[: k - 1]) > 1e-4  # no shorter period


def raw_row(lyap, *, ext_growth=1.0, birkhoff=(0.5, 0.5), long_period=0, reason=2, weights=(1.0, 0.5, 1.5)):
    depth = len(weights)
    ext = np.empty((1, 2, 2, depth))
    ext[0, :, 0], ext[0, 0, 1], ext[0, 1, 1] = 0.2, 1.5, 1.5 * ext_growth
    return {
        "status": np.array([S.UNDECIDED], dtype=np.int8),
        "period": np.zeros(1, dtype=np.int32),
        "reason": np.array([reason], dtype=np.int8),
        "weights": np.array([weights]),
        "lyap": np.asarray(lyap, dtype=float)[None, :],
        "long_period": np.array([long_period]),
        "ext": ext,
        "birkhoff": np.array([birkhoff]),
    }


def decide(raw):
    res = C.finalize(raw, np.ones(1), np.ones(1), max_steps=20000, max_period=16)
    return int(res["status"][0]), int(res["reason"][0])


def test_finalize_rules():
    noise = np.tile([1.0, -1.0], 8) * 0.01
    assert decide(raw_row(0.2 + noise)) == (S.CHAOTIC, 0)
    assert decide(raw_row(0.2 + noise, ext_growth=2.0)) == (S.UNDECIDED, 4)  # growing: not a bounded attractor
    assert decide(raw_row(np.r_[np.full(8, 0.3), np.full(8, 0.1)] + noise)) == (S.UNDECIDED, 4)  # windows disagree
    assert decide(raw_row(2e-3 + noise / 100)) == (S.UNDECIDED, 4)  # growth ~ polynomial, not decisive
    assert decide(raw_row(noise)) == (S.QUASIPERIODIC, 0)
    assert decide(raw_row(noise, birkhoff=(0.5, 0.5001))) == (S.UNDECIDED, 5)  # averages not super-convergent
    assert decide(raw_row(noise, weights=(1.2, -1.2, -1.2))) == (S.UNDECIDED, 13)  # balanced: a 1-D map
    se_window = np.std(noise[:8], ddof=1) / np.sqrt(8)
    assert decide(raw_row(noise - 2.5 * se_window)) == (S.UNDECIDED, 6)  # each window zero, pooled negative
    assert decide(raw_row(-0.2 + noise)) == (S.UNDECIDED, 6)
    assert decide(raw_row(0.2 + noise, long_period=24)) == (S.PERIODIC, 0)
    assert decide(raw_row(0.2 + noise, long_period=-2)) == (S.UNDECIDED, 7)
    assert decide(raw_row(noise, weights=(1e-5, 1e-5, -1e-5))) == (S.UNDECIDED, 8)  # creeping at the origin
    assert decide(raw_row(np.full(16, np.nan))) == (S.UNDECIDED, 2)  # no estimate: reason unchanged
    assert decide(raw_row(0.2 + noise, reason=1)) == (S.CHAOTIC, 0)


def test_engine_choice(monkeypatch):
    monkeypatch.setenv(E.ENGINE_ENV, "numpy")
    assert E.resolve_engine() == "numpy"
    assert E.engine_info()["version"] == np.__version__
    monkeypatch.setenv(E.ENGINE_ENV, "fortran")
    with pytest.raises(InvalidArgument, match="SCALAR_EOS_ENGINE"):
        E.resolve_engine()
    monkeypatch.delenv(E.ENGINE_ENV)
    assert E.resolve_engine() == "numba" and E.engine_info()["version"] == numba.__version__
    monkeypatch.setattr(E, "numba_version", lambda: None)
    assert E.resolve_engine() == "numpy"
    with pytest.raises(InvalidArgument, match="scalar-eos\\[fast\\]"):
        E.resolve_engine("numba")
    with pytest.raises(InvalidArgument, match="engine must be"):
        E.resolve_engine("gpu")


@pytest.mark.parametrize("target", [-1.3, 1.0])  # 1.0: the gaps skip their divisions by |y|^(1/D) = 1
@pytest.mark.parametrize("depth", [3, 4, 5, 9])
def test_gfs_kernel_matches_fast_path_and_reference(depth, target):
    from scalar_eos import _kernels

    rng = np.random.default_rng(depth)
    W = np.exp(rng.uniform(-1, 1, (1000, depth))) * rng.choice([-1.0, 1.0], (1000, depth))
    W[0, :2] = [2.0, -2.0]  # ties: a saddle for some signs
    W[1, 0] = np.inf
    W[2, :2] = 0.0
    W[13, 0] = 1e200  # a gap beyond the polynomial path's range
    W[14:17] = np.exp(rng.uniform(-40, 40, (3, depth)))
    y = np.full(1000, target)
    sy = np.abs(y) ** (1.0 / depth)
    fac = np.ones(1000) * (np.abs(y) / sy) ** 2
    psi, st = np.empty(1000), np.empty(1000, dtype=np.int8)
    _kernels.gfs_rows(W, y, np.ones(1000), sy, fac, psi, st, 32)
    ref, rst = fast.gfs_sharpness(W, target=y, return_status=True, engine="numpy")
    ok = rst == fast.Status.OK
    assert np.array_equal(ok, st == fast.Status.OK)
    assert np.array_equal(rst[~ok] == fast.Status.SADDLE, st[~ok] == fast.Status.SADDLE)
    if depth <= 8:  # the polynomial path: the same float64 operations in the same order
        assert np.array_equal(psi, ref, equal_nan=True) and np.array_equal(st, rst)
    else:  # log-domain Newton through the C math library
        assert np.max(np.abs(psi[ok] - ref[ok]) / ref[ok]) <= 1e-13
    got = fast.gfs_sharpness(W, target=target, engine="numba")  # broadcast (stride-0) target through the API
    assert np.array_equal(got, psi, equal_nan=True)
    for i in range(3, 13):
        assert_close(psi[i], se.gfs_sharpness([float(x) for x in W[i]], target=target, dps=30), rel=1e-13)


def test_gd_kernel_is_bit_identical_to_fast_gd():
    from scalar_eos import _kernels

    rng = np.random.default_rng(2)
    W = np.exp(rng.uniform(-1, 1, (700, 3)))
    W[0, 1] = 0.0  # the prefix/suffix branch
    W[1] = 3.0  # diverges
    eta = 1.2 / fast.gfs_sharpness(W)
    eta[~np.isfinite(eta)] = 0.1
    ref = fast.gd(W, eta, 300, track=())["weights"]
    got = _kernels.gd_block(np.ascontiguousarray(W.T), eta, np.ones(700), 300).T
    assert np.isnan(got[1]).all()
    assert np.array_equal(got, ref, equal_nan=True)


def phase_design_rows(seed=0, samples=4):
    """README's phase design (depth 3): product linspace(0.05, 1.95, 20) x eta psi linspace(0.5, 4, 36) x samples."""
    rng = np.random.default_rng(seed)
    prod = np.repeat(np.linspace(0.05, 1.95, 20), 36 * samples)
    c = np.tile(np.repeat(np.linspace(0.5, 4.0, 36), samples), 20)
    kappa = rng.uniform(0.1, 1.0, prod.size)
    W = np.tile(prod[:, None] ** (1 / 3), (1, 3))
    W[:, 0] *= np.exp(kappa)
    W[:, 1] *= np.exp(-kappa)
    return W, c / fast.gfs_sharpness(W)


@pytest.mark.slow
def test_phase_design_matches_v01_and_engines_agree():
    """2880 rows at the full budget: v0.1's decisions kept; the numpy engine gives the same bits."""
    W, eta = phase_design_rows()
    new = run(W, eta, max_steps=20000)
    old = classify_batch_v01(W, eta, max_steps=20000)
    decided = old["status"] != S.UNDECIDED
    assert np.array_equal(old["status"][decided], new["status"][decided])
    # a period is accepted when the same smallest k is found in two consecutive blocks, each |w_i| to 1e-9 of its
    # own size: v0.1 reported a multiple of the minimal period for 8 rows near a doubling (4 for 2, 8 for 4, 14 for 7)
    op, np_ = old["period"][decided], new["period"][decided]
    assert np.all((op == np_) | ((np_ > 0) & (op % np.maximum(np_, 1) == 0)))
    same = old["steps"] == new["steps"]
    both_periodic = (old["status"] == S.PERIODIC) & (new["status"] == S.PERIODIC)
    assert np.all(same | (both_periodic & (np.abs(old["steps"] - new["steps"]) <= 64)))
    assert np.array_equal(old["weights"][same], new["weights"][same], equal_nan=True)
    assert np.mean(new["status"] == S.UNDECIDED) < 0.03
    ref = run(W, eta, max_steps=20000, engine="numpy")
    for k in KEYS:
        assert np.array_equal(new[k], ref[k], equal_nan=True), k


@pytest.mark.parametrize("depth", [3, 4, 8])
def test_fast_gfs_sharpness_engines_agree_and_rows_are_independent(depth):
    rng = np.random.default_rng(depth)
    W = np.exp(rng.uniform(-2, 2, (3000, depth))) * rng.choice([-1.0, 1.0], (3000, depth))
    a = fast.gfs_sharpness(W, target=0.7, engine="numba")
    b = fast.gfs_sharpness(W, target=0.7, engine="numpy")
    c = fast.gfs_sharpness(W[17:400], target=0.7, engine="numpy", chunk=50)
    assert np.array_equal(a, b, equal_nan=True)
    assert np.array_equal(b[17:400], c, equal_nan=True)  # a row's bits do not depend on its chunk


def test_fast_gd_engines_agree():
    rng = np.random.default_rng(4)
    W = np.exp(rng.uniform(-0.5, 0.5, (500, 4)))
    eta = 1.0 / fast.gfs_sharpness(W)
    a, b = (fast.gd(W, eta, 200, track=(), engine=e) for e in ("numba", "numpy"))
    assert np.array_equal(a["weights"], b["weights"], equal_nan=True)
    assert np.array_equal(a["status"], b["status"]) and np.array_equal(a["t"], b["t"])
    W[3, 1], W[5, 0] = np.inf, np.nan  # no steps: both engines return non-finite rows as given
    a, b = (fast.gd(W, eta, 0, track=(), engine=e) for e in ("numba", "numpy"))
    assert a["weights"].tobytes() == b["weights"].tobytes() == W.tobytes()


def test_public_classifier_reports_chaos_and_engine_choice():
    o = se.classify([1.05, 1.05, 1.05], 0.88)
    assert o.status == "chaotic" and o.reason == ""
    assert o.lyapunov > 3 * o.lyapunov_err > 0
    assert o.as_dict()["lyapunov"] == o.lyapunov and "Lyapunov exponent" in o.format_text(0.88)
    W, eta = np.array([[0.5, 3.3, 0.5], [1.05, 1.05, 1.05]]), np.array([0.45, 0.88])
    a = se.classify_batch(W, eta, engine="numpy")
    b = se.classify_batch(W, eta, chunk=1)
    for k in a:
        assert np.array_equal(a[k], b[k], equal_nan=True), k
    assert [se.outcome.OUTCOMES[s] for s in a["status"]] == ["converged", "chaotic"]
    with pytest.raises(InvalidArgument, match="engine"):
        se.classify_batch(W, eta, engine="gpu")


def test_engines_agree_near_the_origin():
    """Both engines give the same bits, batch ranges and saddle-approach reasons (codes 9 to 12)."""
    W = np.array(
        [
            [4e-4, 4.0001e-4, -4e-4],  # near the ray
            [-0.3, -0.3, -0.3],  # exactly on the ray
            [1e-5, 3e-5, -1.05e-5],  # approaching off the ray
            [1e-6, 1e-6, 1e-6],  # leaving
            [0.3, 0.31, 0.3],  # on the stable manifold of a strict saddle: near-stationary, no orbit
        ]
    )
    eta = np.array([1.2, 1.0, 1.0, 1.0, 1.0])
    y = np.array([1.0, 1.0, 1.0, 1.0, -0.7])
    a = run(W, eta, y, max_steps=3000, engine="numba")
    b = run(W, eta, y, max_steps=3000, engine="numpy")
    for k in (*KEYS, "ext"):
        assert np.array_equal(a[k], b[k], equal_nan=True), k
    assert a["status"].tolist() == [S.SADDLE_APPROACH, S.SADDLE_APPROACH, S.UNDECIDED, S.UNDECIDED, S.SADDLE]
    assert a["reason"].tolist() == [9, 10, 11, 12, 0]
    # the windows' ranges are the batches' ranges combined
    assert np.array_equal(a["ext"][:, 1, 0], a["bext"][:, 8:, 0].min(1), equal_nan=True)  # NaN: decided early


def test_no_periodic_verdict_below_a_coordinates_resolution():
    """Extreme weight ratio (scale-aware sampler): the small weight oscillates, GD converges slowly; no 2-cycle.

    Each |w_i| must repeat to 1e-9 of its own size (not of the largest weight), and the step must be resolvable.
    """
    W = np.array([[3.145923407972853e-07, -2772415.9475668515]])
    eta = np.array([2.6020355214316173e-13])
    a = run(W, eta, max_steps=2000, engine="numba")
    b = run(W, eta, max_steps=2000, engine="numpy")
    for k in KEYS:
        assert np.array_equal(a[k], b[k], equal_nan=True), k
    assert a["status"][0] != S.PERIODIC

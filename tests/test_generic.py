"""The generic engine: validation against the scalar closed form, derivatives, statuses, experiments."""

from __future__ import annotations

import json

import numpy as np
import pytest

pytest.importorskip("scipy")

import sympy as sp

import scalar_eos as se
from scalar_eos import generic as G
from scalar_eos.cli import main
from scalar_eos.errors import InvalidArgument


@pytest.mark.parametrize("depth", [2, 3, 4, 5])
def test_reproduces_the_scalar_closed_form(depth):
    xs, ys = [1.0, 2.0, -0.5], [1.0, 3.0, 0.2]
    m = G.scalar_network(depth, xs, ys)
    canon = se.reduce_data(xs, ys)
    rng = np.random.default_rng(depth)
    for _ in range(4):
        w = np.exp(rng.uniform(-0.7, 0.7, depth)) * rng.choice([-1.0, 1.0], depth)
        ref = se.gfs_sharpness(list(w), **canon.kwargs())
        r = G.gfs_sharpness(m, w)
        if r.status != "converged":  # mixed signs may end at a saddle; then the closed form says so too
            assert se.gfs(list(w), **canon.kwargs()).kind == "saddle"
            continue
        err = abs(r.value - ref) / ref
        assert err < 1e-8
        assert abs(r.value - ref) <= r.error  # the error estimate covers the actual error


def test_sharpness_matches_the_scalar_hessian():
    m = G.scalar_network(3)
    w = [0.7, 1.3, -0.4]
    c = se.reduce_data([1.0, 2.0], [1.0, 3.0])
    assert G.sharpness(m, w) == pytest.approx(se.sharpness(w, **c.kwargs()), rel=1e-12)


@pytest.mark.parametrize(
    "model",
    [
        G.scalar_network(4),
        G.matrix_factorization(4, 3, 2),
        G.quadratic_regression(6, 3),
        G.tanh_mlp(hidden=3, samples=10),
    ],
    ids=lambda m: m.name,
)
def test_gradient_and_hvp_against_finite_differences(model):
    rng = np.random.default_rng(0)
    x = model.x0 + 0.1 * rng.standard_normal(model.n_params)
    v = rng.standard_normal(model.n_params)
    h = 1e-5
    fd_hvp = (model.grad(x + h * v) - model.grad(x - h * v)) / (2 * h)
    assert np.max(np.abs(fd_hvp - model.hvp(x, v))) <= 1e-7 * max(1.0, np.max(np.abs(fd_hvp)))
    idx = rng.choice(model.n_params, size=min(12, model.n_params), replace=False)
    eye = np.eye(model.n_params)
    fd_g = np.array([(model.loss(x + h * eye[i]) - model.loss(x - h * eye[i])) / (2 * h) for i in idx])
    assert np.max(np.abs(fd_g - model.grad(x)[idx])) <= 1e-7 * max(1.0, np.max(np.abs(fd_g)))
    H = model.dense_hessian(x)
    np.testing.assert_allclose(H, H.T, atol=1e-12)
    np.testing.assert_allclose(H @ v, model.hvp(x, v), rtol=1e-10, atol=1e-12)


def test_lanczos_agrees_with_dense_eigenvalues():
    m = G.tanh_mlp(hidden=24, samples=8)  # 1810 parameters: above the dense limit
    assert m.n_params > G.DENSE_LIMIT
    x = m.x0
    lanczos = G.sharpness(m, x)
    dense = np.linalg.eigvalsh(m.dense_hessian(x))[-1]
    assert lanczos == pytest.approx(dense, rel=1e-8)


def _toy(expr, *names):
    syms = sp.symbols(names)
    return G.Model.from_sympy(expr(*syms), syms)


def test_flow_statuses():
    m = _toy(lambda a, b: (1 - a * b) ** 2 / 2, "a", "b")
    r = G.gfs_sharpness(m, [0.0, 0.0])  # gradient 0, Hessian eigenvalues -1 and 1
    assert r.status == "saddle" and r.value is None and "eigenvalue" in r.flow.message
    assert G.gradient_flow(m, [0.5, 3.0]).status == "converged"
    quartic = _toy(lambda x: x**4 / 4, "x")  # |grad| decays like t^(-3/2): slow
    r = G.gradient_flow(quartic, [1.0], t_max=10.0)
    assert r.status == "time_limit" and "gtol" in r.message
    blowup = _toy(lambda x: -(x**4) / 4, "x")  # dx/dt = x^3: finite-time blow-up
    assert G.gradient_flow(blowup, [1.0]).status == "diverged"
    nan = G.Model.from_callables(1, lambda x: float("nan"), lambda x: np.array([np.nan]), lambda x, v: v)
    assert G.gradient_flow(nan, [1.0]).status == "failed"


def test_gd_records_and_detects_divergence():
    m = _toy(lambda a, b: (1 - a * b) ** 2 / 2, "a", "b")
    rec = G.gd(m, [0.5, 3.0], 0.1, 30, gfs_every=10)
    assert list(rec.gfs_t) == [0, 10, 20, 30] and rec.status == "ok" and len(rec.loss) == 31
    s = G.summarize(rec)
    assert s["monotone"] is True and s["gfs_converged"] == 4
    rec = G.gd(m, [3.0, 3.0], 1.0, 50, gfs_every=None)
    assert rec.status == "diverged" and rec.steps < 50


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda m: G.gd(m, [1.0], 0.1, 5), "has 1 entries, the model has 2"),
        (lambda m: G.gd(m, [1.0, float("nan")], 0.1, 5), "NaN or inf"),
        (lambda m: G.gd(m, [1.0, 1.0], 0.0, 5), "eta must be positive"),
        (lambda m: G.gd(m, [1.0, 1.0], 0.1, -1), "steps must be"),
        (lambda m: G.gd(m, [1.0, 1.0], 0.1, 5, gfs_every=0), "gfs_every must be"),
        (lambda m: G.gradient_flow(m, [1.0, 1.0], gtol=-1), "gtol must be positive"),
        (lambda m: G.gradient_flow(m, [1.0, 1.0], method="Euler"), "unknown method"),
        (lambda m: G.sharpness(m, "ab"), "sequence of real numbers|has 2 entries|entries"),
    ],
)
def test_bad_input(call, message):
    m = _toy(lambda a, b: (1 - a * b) ** 2 / 2, "a", "b")
    with pytest.raises(InvalidArgument, match=message):
        call(m)


def test_from_sympy_rejects_free_symbols():
    a, b, c = sp.symbols("a b c")
    with pytest.raises(InvalidArgument, match="not parameters"):
        G.Model.from_sympy((a * b - c) ** 2, [a, b])


def test_experiment_cli(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    out = tmp_path / "e.png"
    code = main(["experiment", "scalar", "--steps", "60", "--every", "10", "--json", "-o", str(out)])
    assert code == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["n_params"] == 3 and doc["monotone"] is True and doc["gfs_converged"] == 7
    assert doc["eta_psi0"] == pytest.approx(2.2)
    assert out.stat().st_size > 10_000
    assert main(["experiment", "quadratic", "--eta", "-1"]) == 2
    assert "eta must be positive" in capsys.readouterr().err
    assert main(["experiment", "resnet"]) == 2  # usage errors return the status (the console script exits with it)


def test_quadratic_experiment_reaches_the_edge_of_stability():
    from scalar_eos.generic import run_experiment

    s = run_experiment("quadratic").summary
    assert s["status"] == "ok" and s["gfs_converged"] == s["gfs_points"]
    assert s["monotone"] is True
    assert 0.9 < s["final_gfs_over_threshold"] < 1.0  # converged just below 2/eta


def test_factorization_experiment_and_its_increase_is_real():
    """Every increase the experiment reports is confirmed by two other integrators at tighter tolerances."""
    from scalar_eos.generic import run_experiment

    e = run_experiment("factorization")
    s = e.summary
    assert s["gfs_converged"] == s["gfs_points"] and 0.9 < s["final_gfs_over_threshold"] < 1.0
    m, rec = e.model, e.record
    iterates, x = {}, m.x0.copy()
    wanted = {t for pair in s["increase_steps"] for t in pair}
    for t in range(max(wanted, default=-1) + 1):
        if t in wanted:
            iterates[t] = x.copy()
        x = x - rec.eta * m.grad(x)
    for a, b in s["increase_steps"]:
        for method in ("Radau", "DOP853"):
            before = G.gfs_sharpness(m, iterates[a], gtol=1e-11, rtol=1e-12, method=method)
            after = G.gfs_sharpness(m, iterates[b], gtol=1e-11, rtol=1e-12, method=method)
            assert after.value - before.value > after.error + before.error


def test_mlp_experiment_small():
    pytest.importorskip("sklearn")
    from scalar_eos.generic import run_experiment

    e = run_experiment("mlp", steps=20, every=10, model_kw={"hidden": 2, "samples": 8})
    s = e.summary
    assert e.model.n_params == 64 * 2 + 2 + 2 * 10 + 10
    assert s["gfs_points"] == 3 and s["gfs_converged"] == 3 and s["status"] == "ok"
    rec = e.record
    assert len(rec.loss) == 21 and list(rec.gfs_t) == [0, 10, 20]
    assert np.all(rec.gfs_error < 1e-4 * rec.gfs)  # the flows converged tightly enough to resolve 1e-4 changes
    assert rec.gfs[0] * rec.eta / 2 == pytest.approx(1.05)  # started at eta psi(x0) = 2.1


def test_mlp_dense_hessian_equals_hvp_columns():
    pytest.importorskip("sklearn")
    m = G.tanh_mlp(hidden=3, samples=10)
    x = m.x0 + 0.1 * np.random.default_rng(0).standard_normal(m.n_params)
    eye = np.eye(m.n_params)
    by_columns = np.column_stack([m.hvp(x, eye[:, i]) for i in range(m.n_params)])
    np.testing.assert_allclose(m.hessian(x), by_columns, rtol=1e-12, atol=1e-13)


def test_old_module_paths_still_work_with_a_deprecation_warning():
    import importlib
    import sys

    old = importlib.import_module("scalar_eos.models")
    with pytest.warns(DeprecationWarning, match=r"use scalar_eos\.generic\.tanh_mlp"):
        assert old.tanh_mlp is G.tanh_mlp
    with pytest.warns(DeprecationWarning, match=r"use scalar_eos\.generic\.run_experiment"):
        from scalar_eos.experiments import run_experiment
    assert run_experiment is G.run_experiment
    assert "scalar_eos.models" in sys.modules


def test_one_registry_of_examples_feeds_api_and_cli(capsys):
    from scalar_eos.cli import build_parser

    sub = build_parser()._subparsers._group_actions[0].choices["experiment"]
    (model_arg,) = [a for a in sub._actions if a.dest == "model"]
    assert list(model_arg.choices) == list(G.EXAMPLES)
    with pytest.raises(InvalidArgument, match="choose from"):
        G.run_experiment("resnet")


def test_gd_tracks_the_sharpness_by_warm_lanczos_as_the_dense_eigenvalue():
    """Above 64 parameters GD's sharpness record comes from warm-started Lanczos: equal to dense eigvalsh."""
    pytest.importorskip("scipy")
    pytest.importorskip("sklearn")
    m = G.tanh_mlp(hidden=3, samples=10)
    assert m.n_params > 64
    rec = G.gd(m, m.x0, 0.5, 12, gfs_every=None, sharpness_every=3)
    x = m.x0.copy()
    dense = []
    for t in range(13):
        if t % 3 == 0:
            dense.append(np.linalg.eigvalsh(m.dense_hessian(x))[-1])
        x = x - 0.5 * m.grad(x)
    assert rec.sharpness_t.tolist() == [0, 3, 6, 9, 12]
    np.testing.assert_allclose(rec.sharpness, dense, rtol=1e-11, atol=0)

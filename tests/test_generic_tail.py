"""The fast generic GFS path: its value and error estimate against closed forms and long reference integrations."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("scipy")

import scipy.integrate
import sympy as sp

import scalar_eos as se
from scalar_eos import generic as G
from scalar_eos.errors import InvalidArgument


def long_reference(model: G.Model, x0: np.ndarray, gtol: float = 1e-12) -> tuple[float, float]:
    """LSODA at rtol 1e-12 to |grad| <= gtol; the sharpness there and its change since |grad| = 10 gtol.

    Independent of the package's flow code (plain ``solve_ivp`` and ``eigvalsh``).
    """

    def level(c: float):
        def ev(_t, y):
            return float(np.linalg.norm(model.grad(y))) - c

        ev.direction = -1
        return ev

    done = level(gtol)
    done.terminal = True
    sol = scipy.integrate.solve_ivp(
        lambda _t, y: -model.grad(y),
        (0.0, 1e9),
        np.asarray(x0, dtype=float),
        method="LSODA",
        rtol=1e-12,
        atol=1e-15,
        jac=lambda _t, y: -model.dense_hessian(y),
        events=[done, level(10 * gtol)],
    )
    assert len(sol.t_events[0]) == 1, sol.message
    top = float(np.linalg.eigvalsh(model.dense_hessian(sol.y[:, -1]))[-1])
    before = float(np.linalg.eigvalsh(model.dense_hessian(sol.y_events[1][0]))[-1])
    return top, abs(top - before)


def check_against(model: G.Model, x: np.ndarray, ref: float, ref_unc: float, rel: float) -> G.GFSResult:
    r = G.gfs_sharpness(model, x, method="fast")
    assert r.status == "converged", r.flow.message
    err = abs(r.value - ref)
    assert err <= r.error + ref_unc  # the estimate covers the error (up to the reference's own uncertainty)
    assert err <= rel * abs(ref)
    assert r.error <= 100 * rel * abs(ref)  # and is not vacuous
    return r


@pytest.mark.parametrize("integrator", ["LSODA", "BDF", "DOP853+BDF", "DOP853+NDF"])
@pytest.mark.parametrize("depth", [2, 3, 4, 6])
def test_fast_path_reproduces_the_scalar_closed_form(depth, integrator):
    xs, ys = [1.0, 2.0, -0.5], [1.0, 3.0, 0.2]
    m = G.scalar_network(depth, xs, ys)
    canon = se.reduce_data(xs, ys)
    rng = np.random.default_rng(10 + depth)
    for _ in range(5):
        w = np.exp(rng.uniform(-0.8, 0.8, depth)) * rng.choice([-1.0, 1.0], depth)
        g = se.gfs(list(w), **canon.kwargs())
        r = G.gfs_sharpness(m, w, method="fast", integrator=integrator)
        if g.kind == "saddle":
            assert r.status == "saddle" and r.value is None
            continue
        assert r.status == "converged", r.flow.message
        ref = se.gfs_sharpness(list(w), **canon.kwargs())
        assert abs(r.value - ref) <= r.error <= 1e-7 * ref
        assert abs(r.value - ref) <= 1e-8 * ref
        allowance = {"LSODA": 10, "DOP853+NDF": 200, "DOP853+BDF": 200}.get(integrator, 100)
        assert r.error <= 1.1e-10 * allowance * ref  # the integration allowance (rtol units), plus small terms
        assert r.flow.t > 0


@pytest.mark.parametrize(
    "model",
    [
        G.matrix_factorization(4, 3, 2),
        G.quadratic_regression(6, 3),
        pytest.param("mlp", marks=pytest.mark.slow),
    ],
    ids=["factorization", "quadratic", "small-mlp"],
)
def test_fast_path_against_a_long_reference(model):
    if model == "mlp":
        pytest.importorskip("sklearn")
        model = G.tanh_mlp(hidden=2, samples=8)
    ref, unc = long_reference(model, model.x0)
    r = check_against(model, model.x0, ref, unc, 1e-8)
    old = G.gfs_sharpness(model, model.x0, method="lsoda")
    assert abs(old.value - r.value) <= old.error + r.error  # the two paths agree within their estimates


@pytest.mark.parametrize(
    "model",
    [G.quadratic_regression(220, 5), G.matrix_factorization(20, 20, 5), pytest.param("mlp", marks=pytest.mark.slow)],
    ids=["quadratic-220", "factorization-200", "mlp-235"],
)
def test_default_from_200_parameters_covers_a_long_reference(model):
    """From 200 parameters on the default integrates with DOP853, then the NDF; its estimate covers the error."""
    if model == "mlp":
        pytest.importorskip("sklearn")
        model = G.tanh_mlp(hidden=3, samples=8)
    assert model.n_params >= 200
    ref, unc = long_reference(model, model.x0)
    r = check_against(model, model.x0, ref, unc, 1e-8)
    assert "(DOP853+NDF)" in r.flow.message
    prev = G.gfs_sharpness(model, model.x0, integrator="BDF")  # the 0.2 default
    hybrid = G.gfs_sharpness(model, model.x0, integrator="DOP853+BDF")  # the 0.3 default
    old = G.gfs_sharpness(model, model.x0, method="lsoda")
    assert "(BDF)" in prev.flow.message and "(DOP853+BDF)" in hybrid.flow.message
    for other in (prev, hybrid, old):  # the methods agree within their estimates, and each covers the reference
        assert abs(other.value - r.value) <= other.error + r.error
        assert abs(other.value - ref) <= other.error + unc


def test_projection_differs_from_the_flow_limit_and_is_measured():
    """From far away the Newton projection lands elsewhere on the minimisers; the estimate sees the difference."""
    m = G.scalar_network(3)
    w = np.array([3.0, 0.6, 0.6])
    canon = se.reduce_data([1.0, 2.0], [1.0, 3.0])
    ref = se.gfs_sharpness(list(w), **canon.kwargs())
    loose = G.gfs_sharpness(m, w, method="fast", gtol=1e-3)  # stops far from the minimisers
    tight = G.gfs_sharpness(m, w, method="fast", gtol=1e-9)
    assert abs(loose.value - ref) <= loose.error  # still covered
    assert abs(loose.value - ref) > 1e3 * abs(tight.value - ref)  # the projection error is real at gtol 1e-3
    assert loose.error > 100 * tight.error


def test_warm_start_only_seeds_lanczos():
    m = G.matrix_factorization(8, 8, 5)  # 80 parameters: Lanczos, not the dense eigensolver
    x = m.x0
    cold = G.gfs_sharpness(m, x, method="fast")
    warm = {"v": np.random.default_rng(0).standard_normal(m.n_params)}
    seeded = G.gfs_sharpness(m, x, method="fast", warm=warm)
    assert seeded.value == pytest.approx(cold.value, rel=1e-12, abs=0)
    assert np.array_equal(seeded.flow.x, cold.flow.x)  # same flow, same projection: the seed changes nothing else
    assert warm["v"].shape == (m.n_params,) and abs(np.linalg.norm(warm["v"]) - 1) < 1e-12
    rec = G.gd(m, x, 1.5 / cold.value, 4, gfs_every=2)
    assert rec.gfs_status == ["converged"] * 3 and rec.gfs[0] == pytest.approx(cold.value, rel=1e-12, abs=0)


def _toy(expr, *names):
    syms = sp.symbols(names)
    return G.Model.from_sympy(expr(*syms), syms)


@pytest.mark.parametrize("integrator", ["auto", "DOP853+BDF", "DOP853+NDF"])
def test_fast_path_statuses(integrator):
    kw = {"method": "fast", "integrator": integrator}
    m = _toy(lambda a, b: (1 - a * b) ** 2 / 2, "a", "b")
    r = G.gfs_sharpness(m, [0.0, 0.0], **kw)
    assert r.status == "saddle" and r.value is None and "eigenvalue" in r.flow.message
    r = G.gfs_sharpness(m, [1.0, -1.0], **kw)  # D = 2, |w1| = |w2|, opposite signs: GF ends at the origin
    assert r.status == "saddle" and r.value is None and r.flow.t > 0
    quartic = _toy(lambda x: x**4 / 4, "x")
    r = G.gfs_sharpness(quartic, [1.0], t_max=10.0, **kw)
    assert r.status == "time_limit" and r.value is None and "gtol" in r.flow.message
    blowup = _toy(lambda x: -(x**4) / 4, "x")  # x' = x^3 leaves every bound at t = 1/2
    r = G.gfs_sharpness(blowup, [1.0], **kw)
    # LSODA passes |x| = 1e8 (diverged); BDF's and the NDF's step sizes collapse first, near x = 1e4 and t = 1/2
    assert r.status == ("diverged" if integrator == "auto" else "failed") and r.value is None
    assert r.flow.t == pytest.approx(0.5, abs=1e-6) and abs(r.flow.x[0]) > 1e3
    nan = G.Model.from_callables(1, lambda x: float("nan"), lambda x: np.array([np.nan]), lambda x, v: v)
    assert G.gfs_sharpness(nan, [1.0], **kw).status == "failed"


def _product_plus_quadratic(n: int) -> G.Model:
    """``1/2 (1 - x0 x1)^2 + 1/2 sum_i c_i x_i^2`` over the other ``n - 2`` coordinates, ``c_i`` from 0.01 to 40."""
    c = np.geomspace(0.01, 40.0, n - 2)

    def loss(x):
        return 0.5 * (1 - x[0] * x[1]) ** 2 + 0.5 * float(c @ x[2:] ** 2)

    def grad(x):
        r = x[0] * x[1] - 1
        return np.concatenate([[r * x[1], r * x[0]], c * x[2:]])

    def hessian(x):
        r = x[0] * x[1] - 1
        h = np.diag(np.concatenate([[x[1] ** 2, x[0] ** 2], c]))
        h[0, 1] = h[1, 0] = r + x[0] * x[1]
        return h

    return G.Model.from_callables(n, loss, grad, lambda x, v: hessian(x) @ v, hessian=hessian)


def test_saddle_end_of_a_large_model_is_a_saddle():
    """A 240-parameter flow (DOP853, then the NDF) that ends at a saddle is reported as one, with no value."""
    m = _product_plus_quadratic(240)
    x = np.full(240, 0.5)
    x[:2] = [1.0, -1.0]  # |x0| = |x1| with opposite signs: the flow goes to x0 = x1 = 0, a saddle (eigenvalue -1)
    r = G.gfs_sharpness(m, x)
    assert r.status == "saddle" and r.value is None and r.error is None and "eigenvalue -1" in r.flow.message
    x[1] = 7.0  # now the flow reaches x0 x1 = 1 keeping x1^2 - x0^2 = 48: psi = sqrt(48^2 + 4) > max c = 40
    r = G.gfs_sharpness(m, x)
    exact = (48.0**2 + 4) ** 0.5
    assert r.status == "converged" and "(DOP853+NDF)" in r.flow.message
    assert abs(r.value - exact) <= r.error <= 1e-7 * exact


def test_method_option():
    m = _toy(lambda a, b: (1 - a * b) ** 2 / 2, "a", "b")
    fast = G.gfs_sharpness(m, [0.5, 3.0])  # auto: fast
    old = G.gfs_sharpness(m, [0.5, 3.0], method="lsoda")
    exact = (8.75**2 + 4) ** 0.5
    assert "Newton projection" in fast.flow.message and "Newton" not in old.flow.message
    assert abs(fast.value - exact) <= fast.error and abs(old.value - exact) <= old.error
    with pytest.raises(InvalidArgument, match="unknown method"):
        G.gfs_sharpness(m, [0.5, 3.0], method="euler")
    n = G.DENSE_LIMIT + 1
    big = G.Model.from_callables(n, lambda x: float(x @ x) / 2, lambda x: x.copy(), lambda x, v: v.copy())
    with pytest.raises(InvalidArgument, match="dense Hessian"):
        G.gfs_sharpness(big, np.zeros(n), method="fast")
    r = G.gfs_sharpness(big, np.zeros(n))  # auto falls back to the LSODA path
    assert r.status == "converged" and r.value == pytest.approx(1.0)
    with pytest.raises(InvalidArgument, match="rtol must be positive"):
        G.gfs_sharpness(m, [0.5, 3.0], rtol=0.0)
    with pytest.raises(InvalidArgument, match="integrator must be"):
        G.gfs_sharpness(m, [0.5, 3.0], integrator="euler")
    with pytest.raises(InvalidArgument, match="integrator= applies to method='fast'"):
        G.gfs_sharpness(m, [0.5, 3.0], method="lsoda", integrator="BDF")
    with pytest.raises(InvalidArgument, match="integrator must be"):
        G.run_experiment("scalar", steps=2, integrator="euler")
    bdf = G.gfs_sharpness(m, [0.5, 3.0], integrator="BDF")
    assert abs(bdf.value - exact) <= bdf.error
    assert G.gfs_sharpness(m, [0.0, 0.0], integrator="BDF").status == "saddle"


@pytest.mark.slow
@pytest.mark.parametrize("gd_steps", [0, 20])
def test_fast_path_on_the_610_parameter_mlp(gd_steps):
    """The example of ``scalar-eos experiment mlp``: at its initialisation and after 20 GD steps."""
    pytest.importorskip("sklearn")
    m = G.tanh_mlp()
    x = m.x0.copy()
    if gd_steps:
        eta = 2.1 / G.gfs_sharpness(m, x).value
        for _ in range(gd_steps):
            x = x - eta * m.grad(x)
    ref, unc = long_reference(m, x)
    r = check_against(m, x, ref, unc, 1e-9)
    assert "(DOP853+NDF)" in r.flow.message
    old = G.gfs_sharpness(m, x, method="lsoda")
    assert abs(old.value - ref) <= old.error + unc
    assert abs(r.value - ref) <= abs(old.value - ref) + unc  # at least as accurate as the LSODA path
    prev = G.gfs_sharpness(m, x, integrator="BDF")  # version 0.2's default
    assert abs(prev.value - ref) <= prev.error + unc
    assert abs(prev.value - r.value) <= prev.error + r.error


def test_experiment_cli_method_option(capsys):
    import json

    from scalar_eos.cli import main

    docs = {}
    for method in ("fast", "lsoda"):
        assert main(["experiment", "scalar", "--steps", "20", "--every", "10", "--method", method, "--json"]) == 0
        docs[method] = json.loads(capsys.readouterr().out)
    assert docs["fast"]["gfs_converged"] == docs["lsoda"]["gfs_converged"] == 3
    assert docs["fast"]["gfs0"] == pytest.approx(docs["lsoda"]["gfs0"], rel=1e-8)
    assert main(["experiment", "scalar", "--method", "euler"]) == 2  # usage errors return their status
    assert "invalid choice: 'euler'" in capsys.readouterr().err

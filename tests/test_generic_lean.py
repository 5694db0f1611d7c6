"""The lean integrators behind the generic fast path: accuracy against exact solutions and SciPy, Jacobian reuse."""

from __future__ import annotations

import math

import numpy as np
import pytest

pytest.importorskip("scipy")

import scipy.integrate
import scipy.linalg

from scalar_eos import generic as G
from scalar_eos.generic import _lean


def _stiff_linear(n: int = 60, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``H = Q diag(lam) Q^T`` with ``lam`` from 1e-3 to 1e3 plus a null space, and a start ``y0``."""
    rng = np.random.default_rng(seed)
    lam = np.sort(np.concatenate([np.geomspace(1e-3, 1e3, n - 10), np.zeros(10)]))
    q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    return q @ np.diag(lam) @ q.T, lam, rng.standard_normal(n)


def _eig_jacobian(h: np.ndarray, top: int | None = None, dtype: type = np.float32):
    lam, vec = np.linalg.eigh(h)
    if top is not None:
        lam, vec = lam[-top:], vec[:, -top:]
    w = np.ascontiguousarray(vec.T, dtype=dtype)
    return lambda _y, _fresh, _c: (lam, w)


def test_dop853_matches_exact_solution_and_scipy():
    """y' = -y^3 + sin-free test: y(t) = 1 / sqrt(1 + 2 t) per component, started at 1."""
    fun = lambda y: -(y**3)  # noqa: E731
    s = _lean.ExplicitDOP853(fun, 0.0, np.ones(3), rtol=1e-10, atol=1e-12, bound=math.inf)
    while s.t < 50:
        s.step()
    exact = 1 / math.sqrt(1 + 2 * s.t)
    assert np.max(np.abs(s.y - exact)) <= 1e-9 * exact
    assert np.allclose(s.f, fun(s.y), rtol=0, atol=1e-15)  # first-same-as-last: the field at the state
    ref = scipy.integrate.solve_ivp(lambda _t, y: fun(y), (0, s.t), np.ones(3), method="DOP853", rtol=1e-10, atol=1e-12)
    assert abs(ref.y[0, -1] - s.y[0]) <= 1e-9 * exact
    assert s.nfev <= 1.5 * ref.nfev  # the same method and controller: a comparable number of evaluations


def test_dop853_reports_divergence_and_failure():
    s = _lean.ExplicitDOP853(lambda y: y**3, 0.0, np.ones(1), rtol=1e-8, atol=1e-12, bound=1e4)
    with pytest.raises(_lean.Diverged) as e:
        for _ in range(10_000):
            s.step()
    assert abs(e.value.y[0]) > 1e4 or not np.isfinite(e.value.y[0])


@pytest.mark.parametrize("top", [None, 30])
def test_ndf_on_a_stiff_linear_flow(top):
    """Against the exact solution ``expm(-H t) y0``; full and partial (top-30) eigen-Jacobians give it alike."""
    h, _, y0 = _stiff_linear()
    b = _lean.StiffBDF(
        lambda y: -(h @ y), 0.0, y0, 1e-4, rtol=1e-8, atol=1e-10, bound=math.inf, jacobian=_eig_jacobian(h, top)
    )
    while b.t < 200:
        b.step()
        assert b.status == "running"
    exact = scipy.linalg.expm(-h * b.t) @ y0
    err = np.max(np.abs(b.y - exact) / (1e-10 + 1e-8 * np.abs(exact)))
    assert err < 100  # global error within a hundred local tolerances
    assert b.order >= 3  # the NDF raised its order on this smooth flow


def test_ndf_partial_jacobian_too_small_asks_for_a_fresh_one():
    """A partial Jacobian that leaves stiff modes out makes the Newton iteration fail; the NDF asks again."""
    h, _, y0 = _stiff_linear()
    calls = []

    class Jac:
        def __call__(self, _y, fresh, c):
            if not fresh:
                return None  # nothing cached
            calls.append(c)
            return _eig_jacobian(h, 3 if len(calls) == 1 else None)(None, fresh, c)  # first a useless partial one

        def failed(self):
            return len(calls) == 1  # a better kind is available once

    b = _lean.StiffBDF(lambda y: -(h @ y), 0.0, y0, 1.0, rtol=1e-8, atol=1e-10, bound=math.inf, jacobian=Jac())
    b.step()
    assert len(calls) == 2 and b.nfail == 0  # the partial one failed; the full one was asked for at once
    while b.t < 200:
        b.step()
    exact = scipy.linalg.expm(-h * b.t) @ y0
    assert np.max(np.abs(b.y - exact) / (1e-10 + 1e-8 * np.abs(exact))) < 100


def test_ndf_agrees_with_scipy_bdf_on_a_nonlinear_flow():
    """The gradient flow of ``(1 - a b)^2 / 2`` (closed-form limit) by the NDF and by SciPy's BDF."""
    m = G.Model.from_sympy(*_product())
    y0 = np.array([0.5, 3.0])

    def jac(y, _fresh, _c):
        lam, vec = np.linalg.eigh(m.dense_hessian(y))
        return lam, np.ascontiguousarray(vec.T)

    b = _lean.StiffBDF(lambda y: -m.grad(y), 0.0, y0, 1e-3, rtol=1e-10, atol=1e-13, bound=math.inf, jacobian=jac)
    while b.t < 30:
        b.step()
    ref = scipy.integrate.solve_ivp(lambda _t, y: -m.grad(y), (0, b.t), y0, method="LSODA", rtol=1e-12, atol=1e-14)
    assert np.max(np.abs(b.y - ref.y[:, -1])) < 1e-8
    a, c = b.y
    assert abs(a * c - 1) < 1e-9 and abs((a * a - c * c) - (0.25 - 9.0)) < 1e-8  # a^2 - b^2 is conserved


def _product():
    import sympy as sp

    a, b = sp.symbols("a b")
    return (1 - a * b) ** 2 / 2, [a, b]


def test_partial_jacobians_and_reuse_along_gd():
    """385-parameter MLP: partial Jacobians early, reuse along a GD run; values agree within the estimates."""
    pytest.importorskip("sklearn")
    m = G.tanh_mlp(hidden=5, samples=8)
    assert m.n_params >= 4 * 80  # partial Jacobians apply
    x0 = m.x0.copy()
    warm: dict = {}
    cold = G.gfs_sharpness(m, x0, warm=warm)  # nothing cached yet: computed from scratch, then cached
    assert cold.status == "converged" and "(DOP853+NDF)" in cold.flow.message
    assert "partial (Lanczos)" in cold.flow.message and " 0 partial" not in cold.flow.message
    assert " 0 reused" in cold.flow.message and len(warm["jacobians"]) >= 2
    old = G.gfs_sharpness(m, x0, method="lsoda")
    assert abs(cold.value - old.value) <= cold.error + old.error
    eta = 1.5 / cold.value
    x = x0.copy()
    for _ in range(5):
        x = x - eta * m.grad(x)
    again = G.gfs_sharpness(m, x, warm=warm)
    fresh = G.gfs_sharpness(m, x)
    assert " 0 reused" not in again.flow.message and " 0 reused" in fresh.flow.message
    assert abs(again.value - fresh.value) <= again.error + fresh.error
    rec = G.gd(m, x0, eta, 5, gfs_every=5, sharpness_every=5)  # gd keeps a warm dict itself
    assert rec.gfs_status == ["converged"] * 2
    assert abs(rec.gfs[0] - cold.value) <= 2 * cold.error and abs(rec.gfs[1] - fresh.value) <= 2 * fresh.error


def test_a_gradient_that_turns_nan_mid_flow_is_a_failure_not_a_divergence():
    n = 400  # partial Jacobians apply

    def grad(x):
        return np.full(n, np.nan) if x[0] < 0.5 else x.copy()

    m = G.Model.from_callables(n, lambda x: float(x @ x) / 2, grad, lambda x, v: v.copy(), hessian=lambda x: np.eye(n))
    r = G.gfs_sharpness(m, np.ones(n))
    assert r.status == "failed" and r.value is None and "non-finite" in r.flow.message
    # x = exp(-t) crosses 0.5 at t = ln 2; the report gives the last good state, before a trial point crossed it
    assert 0.2 < r.flow.t < math.log(2) and np.all(r.flow.x > 0.5)

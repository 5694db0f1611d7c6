"""Central flow: closed-form sigma^2, exact grad S, edge events, agreement with GD."""

from __future__ import annotations

import numpy as np
import pytest

import scalar_eos as se
from scalar_eos.central import ScalarNet, central_flow, sharpness_gradient
from scalar_eos.edge import compare_gd
from scalar_eos.errors import InvalidArgument

from .helpers import assert_close


def _fd_grad_s(net: ScalarNet, w: np.ndarray, v: np.ndarray, h: float = 1e-5) -> np.ndarray:
    eye = np.eye(w.size)
    return np.array([(v @ net.hessian(w + h * e) @ v - v @ net.hessian(w - h * e) @ v) / (2 * h) for e in eye])


@pytest.mark.parametrize(
    "w",
    [[0.7, -1.3, 2.1, 0.4], [0.0, 1.2, -0.7, 2.0], [0.0, 0.0, 1.0, 2.0], [1.5, 0.8], [1e-120, 3.0, 2.0]],
)
def test_grad_sharpness_matches_finite_differences(w):
    net = ScalarNet(1.3, 0.7)
    w = np.array(w)
    _, v, _ = net.top(w)
    assert_close(net.grad_sharpness(w, v), _fd_grad_s(net, w, v), rel=1e-7, abs_=1e-7)
    # the Hessian itself agrees with the exact reference layer
    assert_close(net.hessian(w).ravel(), se.hessian(w, target=1.3, scale=0.7).ravel(), rel=1e-13, abs_=1e-300)


def test_sharpness_gradient_public():
    s, gs = sharpness_gradient([1.0, 3.0])
    assert_close(s, se.sharpness([1.0, 3.0]), rel=1e-14)
    assert gs.shape == (2,)


def test_below_edge_equals_gradient_flow_scaled_by_eta():
    w0, eta = [0.5, 1.5, 0.9], 0.1
    times = [1.0, 10.0, 50.0]
    cf = central_flow(w0, eta, times=times)
    assert cf.status == "time_limit" and not cf.events
    assert float(cf.sigma2.max()) == 0.0
    gf = se.gradient_flow(w0, [eta * t for t in times])
    assert_close(cf.samples["weights"].ravel(), np.asarray(gf).ravel(), rel=1e-9)


def test_below_edge_end_point_is_the_gfs():
    cf = central_flow([0.5, 1.5, 0.9], 0.1)
    assert cf.status == "converged" and cf.kind == "minimum"
    assert_close(cf.final, se.gfs([0.5, 1.5, 0.9]).solution, rel=1e-10)
    assert_close(cf.predicted_loss, cf.loss, rel=0)  # sigma^2 = 0 throughout


def test_start_above_the_edge_ends_at_sharpness_two_over_eta():
    cf = central_flow([0.5, 2.1, 1.0], 0.45)
    assert cf.status == "converged" and cf.kind == "minimum"
    assert cf.events[0][1] == "projected onto the edge" and cf.jump > 0
    assert_close(0.45 * cf.final_sharpness, 2.0, rel=1e-12)
    assert_close(np.prod(cf.final), 1.0, rel=1e-11)
    # complementarity along the run: sigma^2 >= 0, zero off the edge, eta S <= 2 throughout
    assert np.all(cf.sigma2 >= 0) and np.all(cf.sigma2[~cf.on_edge] == 0)
    assert np.all(0.45 * cf.sharpness <= 2 + 1e-10)
    # predicted time-averaged loss = L + sigma^2 S / 2 = L + sigma^2 / eta on the edge
    on = cf.on_edge
    assert_close(cf.predicted_loss[on], (cf.loss + cf.sigma2 / 0.45)[on], rel=1e-9)
    # the end point does not depend on the tolerance (error control works)
    tight = central_flow([0.5, 2.1, 1.0], 0.45, rtol=1e-13)
    assert_close(cf.final, tight.final, rel=1e-10)


def test_jump_newton_and_descent():
    # D = 2: the minimisers with eta S = 2 are isolated, so both ways onto the edge end at the same point
    a = central_flow([0.4, 3.0], 0.35)
    b = central_flow([0.4, 3.0], 0.35, jump="descent")
    assert a.events[0][1] == b.events[0][1] == "projected onto the edge"
    assert_close(a.final, b.final, rel=1e-9)
    assert_close(0.35 * a.final_sharpness, 2.0, rel=1e-12)
    with pytest.raises(InvalidArgument):
        central_flow([0.4, 3.0], 0.35, jump="teleport")


def test_progressive_sharpening_enters_the_edge():
    # S(w0) below 2/eta, psi(w0) above it: gradient flow sharpens into the edge
    w0, eta = [0.2, 0.3, 1.5], 0.6
    assert eta * ScalarNet().top(np.array(w0))[0] < 2 < eta * se.gfs_sharpness(w0)
    cf = central_flow(w0, eta)
    assert cf.events and cf.events[0][1] == "entered the edge" and cf.events[0][0] > 0
    assert cf.status == "converged"
    assert_close(eta * cf.final_sharpness, 2.0, rel=1e-12)
    # measured: GD's two-step average within 1.6e-2 of the flow after step 5 (3.8e-2 at step 1, GD's O(eta)
    # transient), 1.0e-2 at step 300; gradient flow ends 1.55e-1 away
    c = compare_gd(w0, eta, 300)
    assert c["error"][5:].max() < 0.025 and c["max_error"] < 0.05
    assert c["final_error"] < 0.15 * c["gf_error"][-1]


def test_near_edge_gd_average_tracks_the_central_flow():
    # A minimiser with eta psi = 2.1 (D = 3), perturbed by 1e-3.  Measured: the two-step average stays within
    # 2.7e-2 (relative) of the flow over 300 steps and 1.7e-2 at the end, while gradient flow is 4.5e-2 away
    # at the end: the residual gap is GD's O(eta) discretisation drift, which the central flow does not model.
    a = np.sqrt((3.2 + np.sqrt(3.2**2 - 4)) / 2)  # w* = (a, 1/a, 1): psi = a^2 + a^-2 + 1 = 4.2, eta psi = 2.1
    w0 = np.array([a, 1 / a, 1.0]) * (1 + 1e-3)
    c = compare_gd(w0, 0.5, 300)
    assert c["max_error"] < 0.04
    assert c["final_error"] < 0.5 * c["gf_error"][-1]
    assert_close(0.5 * c["central_final_sharpness"], 2.0, rel=1e-12)
    assert 0.5 * c["gd_final_sharpness"] < 2.0


def test_far_above_the_edge_gd_overshoots_and_departs():
    # eta S(w0) = 3.2: GD's catapult lands far below the edge (eta S = 0.70), the flow at 2/eta
    c = compare_gd([0.4, 3.0], 0.35, 150)
    assert 0.35 * c["gd_final_sharpness"] < 1.0
    assert c["departure"] is not None and c["departure"] <= 5
    assert c["final_error"] > 0.5


@pytest.mark.slow
def test_generic_model_matches_the_scalar_network():
    sp = pytest.importorskip("sympy")
    from scalar_eos.generic import Model

    a, b, c = sp.symbols("a b c")
    model = Model.from_sympy((a * b * c - 1) ** 2 / 2, [a, b, c])
    w0 = [0.5, 2.1, 1.0]
    generic = central_flow(w0, 0.45, model=model)
    scalar = central_flow(w0, 0.45)
    assert generic.status == "converged"
    assert_close(generic.final, scalar.final, rel=1e-6)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"w0": [], "eta": 0.1},
        {"w0": [1.0, float("nan")], "eta": 0.1},
        {"w0": "1,2", "eta": 0.1},
        {"w0": [1.0, 2.0], "eta": 0.0},
        {"w0": [1.0, 2.0], "eta": -1},
        {"w0": [1.0, 2.0], "eta": float("inf")},
        {"w0": [1.0, 2.0], "eta": 0.1, "target": 0},
        {"w0": [1.0, 2.0], "eta": 0.1, "times": [2.0, 1.0]},
        {"w0": [1.0, 2.0], "eta": 0.1, "max_steps": 0},
    ],
)
def test_bad_input(kwargs):
    with pytest.raises(InvalidArgument):
        central_flow(**kwargs)

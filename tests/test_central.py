"""Central flow: closed-form sigma^2, exact grad S, edge events, agreement with GD."""

from __future__ import annotations

import json

import numpy as np
import pytest
from mpmath import mp

import scalar_eos as se
from scalar_eos.central import ScalarNet, central_end_point, central_flow, euler_central_flow, sharpness_gradient
from scalar_eos.edge import compare_gd
from scalar_eos.errors import InvalidArgument

from .helpers import assert_close


def _fd_grad_s(net: ScalarNet, w: np.ndarray, v: np.ndarray, h: float = 1e-5) -> np.ndarray:
    eye = np.eye(w.size)
    return np.array([(v @ net.hessian(w + h * e) @ v - v @ net.hessian(w - h * e) @ v) / (2 * h) for e in eye])


@pytest.mark.parametrize(
    "w",
    [
        [0.7, -1.3, 2.1, 0.4],
        [0.0, 1.2, -0.7, 2.0],
        [0.0, 0.0, 1.0, 2.0],
        [1.5, 0.8],
        [1e-120, 3.0, 2.0],
        [1e-30, 1.609, 2.744],  # one weight far smaller than the others: no cancellation (was 0 instead of -8.7)
    ],
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


# ----------------------------------------------------------------------------- above-edge conventions


def test_paper_discretisation_tends_to_the_newton_convention():
    # Euler substeps with the linearised complementarity (the paper's discretisation): from a start above the edge its
    # end point tends to jump="newton" as the substep shrinks (O(h)), and stays ~1e-3 from jump="descent".
    # Measured: substeps 4 -> 7.5e-4 / 4.1e-4 (newton / descent), 16 -> 1.8e-4 / 9.8e-4 (64: 4.5e-5, 256: 1.1e-5).
    w0, eta = [0.5, 2.1, 1.0], 0.45
    newton, descent = central_flow(w0, eta), central_flow(w0, eta, jump="descent")
    assert np.linalg.norm(newton.final - descent.final) > 1e-3
    err = {n: euler_central_flow(w0, eta, 300, substeps=n)[-1] for n in (4, 16)}
    to_newton = {n: np.linalg.norm(e - newton.final) for n, e in err.items()}
    assert to_newton[16] < to_newton[4] / 3 and to_newton[16] < 2.5e-4
    assert np.linalg.norm(err[16] - descent.final) > 9e-4


def test_euler_below_the_edge_is_gradient_descent_on_a_fine_grid():
    # below the edge sigma^2 = 0 and the discretisation is Euler's method for gradient flow in GD time
    traj = euler_central_flow([0.5, 1.5, 0.9], 0.1, 20, substeps=8)
    gf = np.asarray(se.gradient_flow([0.5, 1.5, 0.9], [0.1 * 20]))[0]
    assert_close(traj[-1], gf, rel=2e-3)
    with pytest.raises(InvalidArgument):
        euler_central_flow([0.5, 1.5], 0.1, 0)


# ----------------------------------------------------------------------------- high-precision end point


def _d2_end(eta: str, dps: int) -> list:
    """D = 2, y = 1: the minimiser with w1 w2 = 1 and w1^2 + w2^2 = 2/eta (the smaller w1)."""
    with mp.workdps(dps + 10):
        e = mp.mpf(eta)
        a = mp.sqrt(1 / e - mp.sqrt(1 / e**2 - 1))
        return [a, 1 / a]


def test_end_point_far_above_the_edge_d2_closed_form_at_several_precisions():
    errors = []
    for dps in (15, 30, 45):
        r = central_end_point(["0.4", "3"], "0.35", dps=dps)
        assert r.status == "converged" and r.kind == "minimum"
        assert [e for e, *_ in r.events] == ["projected onto the edge"]
        exact = _d2_end("0.35", dps)
        with mp.workdps(dps + 10):
            err = max(abs(a - b) for a, b in zip(r.final, exact, strict=True))
        assert err < mp.mpf(10) ** (-dps)
        errors.append(err)
        assert r.float_error < 1e-10
    assert errors[2] < errors[1] < errors[0]


def test_end_point_d3_above_the_edge_checks_the_float_path():
    # D = 3: the end point depends on the path; dps 20 against the float run (its stated error: 1e-10)
    r = central_end_point(["0.5", "2.1", "1"], "0.45", dps=20)
    assert r.status == "converged" and r.kind == "minimum"
    assert r.float_error < 1e-10
    with mp.workdps(40):
        assert abs(mp.fprod(r.final) - 1) < mp.mpf(10) ** -20
        assert abs(r.eta_sharpness - 2) < mp.mpf(10) ** -20
    assert_close(r.final, ["0.60132562951960507313", "1.98529829699622651435", "0.83765370808267017269"], rel=1e-19)


def test_end_point_below_the_edge_is_the_gfs():
    for w0 in (["0.5", "1.5", "0.9"], ["-0.5", "1.5", "0.9"], ["0.3", "-0.7", "1.1", "1.4"]):
        r = central_end_point(w0, "0.1", dps=30)
        assert r.status == "converged" and r.kind == "minimum" and r.events == []
        g = se.gfs(w0, dps=30)
        assert_close(r.final, g.solution, rel=1e-29, abs_=1e-29)
        assert_close(r.sharpness, g.sharpness, rel=1e-28)
        assert r.sigma2 == 0


def test_edge_stationary_end_point_balanced_supercritical():
    # eta psi_min > 2: the flow ends on the balanced point with eta S = 2 (the centre of GD's period-2 orbit);
    # on the balanced line S(a) = D a^(2D-2) + (D-1)(a^D - 1) a^(D-2)
    for w0, eta, d in ((["0.6"] * 3, "0.7", 3), (["1"] * 5, "0.45", 5)):
        r = central_end_point(w0, eta, dps=30)
        assert r.status == "converged" and r.kind == "edge"
        with mp.workdps(45):
            e = mp.mpf(eta)

            def edge(a, e=e, d=d):
                return e * (d * a ** (2 * d - 2) + (d - 1) * (a**d - 1) * a ** (d - 2)) - 2

            a = mp.findroot(edge, 0.99)
            assert max(abs(x - a) for x in r.final) < mp.mpf(10) ** -29
            assert r.sigma2 > 0


def test_saddle_and_crossing_are_explicit():
    r = central_end_point(["1", "-1"], "0.1", dps=20)  # GF to the saddle at the origin
    assert (r.status, r.kind) == ("converged", "saddle") and all(x == 0 for x in r.final)
    r = central_end_point(["0", "0", "1"], "3", dps=20)  # above the edge on a saddle: moved onto the edge, stays
    assert (r.status, r.kind) == ("converged", "saddle")
    assert_close(r.final, [0, 0, "0.666666666666666666667"], rel=1e-19)
    # balanced start above the edge whose top eigenvalue is double (D = 3, r < 0): grad S is undefined
    cf = central_flow([0.3, 0.3, 0.3], 7.0)
    assert cf.status == "eigenvalue_crossing" and cf.kind == "none"
    r = central_end_point(["0.3", "0.3", "0.3"], "7", dps=20)
    assert r.status == "eigenvalue_crossing" and r.final is None and r.as_dict()["final"] is None


@pytest.mark.parametrize(
    "kwargs",
    [
        {"w0": [], "eta": "0.1"},
        {"w0": ["1", "nan"], "eta": "0.1"},
        {"w0": ["1", "2"], "eta": "0"},
        {"w0": ["1", "2"], "eta": "0.1", "target": 0},
        {"w0": ["1", "2"], "eta": "0.1", "dps": 0},
        {"w0": ["1", "2"], "eta": "0.1", "dps": None},
        {"w0": ["1", "2"], "eta": "0.1", "jump": "teleport"},
    ],
)
def test_end_point_bad_input(kwargs):
    with pytest.raises(InvalidArgument):
        central_end_point(**kwargs)


def test_cli_dps_adds_the_precise_block(capsys):
    from scalar_eos.cli import main

    assert main(["central", "--weights=0.4,3", "--eta", "0.35", "--steps", "20", "--dps", "30", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["status"] == "converged" and d["gd"]["steps"] == 20  # the float keys are unchanged
    p = d["precise"]
    assert p["status"] == "converged" and p["dps"] == 30
    assert_close(p["final"], _d2_end("0.35", 30), rel=1e-29)
    for bad in (["--eta", "0", "--dps", "30"], ["--eta", "0.35", "--dps", "500"], ["--eta", "0.35", "--jump", "x"]):
        assert main(["central", "--weights=0.4,3", *bad]) == 2
        assert capsys.readouterr().err.count("\n") == 1


@pytest.mark.slow
@pytest.mark.parametrize(
    ("w0", "eta"),
    [
        (["0.5", "2.1", "1"], "0.45"),  # above the edge, eta S0 = 2.64
        (["0.2", "0.3", "1.5"], "0.6"),  # progressive sharpening into the edge
        (["-0.5", "2.1", "1"], "0.45"),  # mixed signs: jump, off the edge, back on
        (["0.7", "-1.2", "0.9", "1.1"], "0.3"),  # D = 4
        (["0.9", "1.1", "-1", "0.8", "1.2"], "0.35"),  # D = 5
        (["1e-30", "2", "3"], "0.1"),  # tiny weight: jump, off the edge (tangentially), back on
    ],
)
def test_end_point_converges_with_precision(w0, eta):
    lo, hi = central_end_point(w0, eta, dps=20), central_end_point(w0, eta, dps=32)
    assert lo.status == hi.status == "converged"
    with mp.workdps(40):
        assert max(abs(a - b) for a, b in zip(lo.final, hi.final, strict=True)) < mp.mpf(10) ** -20
    assert hi.float_error < 1e-10


def _gd_end(w0, eta, max_steps=200_000):
    """Float64 GD until it stops moving (or settles on a period-2 orbit): its two-step average and last iterate."""
    net, w = ScalarNet(), np.array(w0, dtype=float)
    prev = w
    for _ in range(max_steps):
        prev, w = w, w - eta * net.grad(w)
        if np.linalg.norm(w - prev) < 1e-13:
            break
    return (w + prev) / 2, w


def test_gd_does_not_discriminate_the_above_edge_conventions():
    # Measured (200000 GD steps): eta S0 = 2.64 -> conventions 1.16e-3 apart, GD 4.6e-2 from both (eta S = 1.939);
    # eta S0 = 2.05 -> 1.9e-5 apart, GD 7.3e-4 from both.
    w0 = [0.5, 2.1, 1.0]
    s0 = ScalarNet().top(np.array(w0))[0]
    for eta_s0, ratio in ((2.64, 20), (2.05, 20)):
        eta = eta_s0 / s0
        a, b = central_flow(w0, eta), central_flow(w0, eta, jump="descent")
        avg, _ = _gd_end(w0, eta)
        apart = np.linalg.norm(a.final - b.final)
        assert np.linalg.norm(avg - a.final) > ratio * apart
        assert np.linalg.norm(avg - b.final) > ratio * apart
        assert eta * ScalarNet().top(avg)[0] < 2  # GD converges below the edge; the flow ends on or below it

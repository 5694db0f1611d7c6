"""Exact GD orbits: residuals at several precisions, balanced orbits, Floquet multipliers, period doubling."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
from mpmath import mp

from scalar_eos.bifurcation import amplitude_coefficient, attractor_values, period_doubling_threshold
from scalar_eos.errors import InvalidArgument, PrecisionError
from scalar_eos.orbits import balanced_map, balanced_orbit, detect_cycle, find_orbit, gd_map
from scalar_eos.outcome import classify
from scalar_eos.regimes import subcritical, supercritical

from .helpers import assert_close


def _residual(orb, dps):
    with mp.workdps(dps + 20):
        w = [mp.mpf(x) for x in orb.as_dict()["points"][0]]
        z = w
        for _ in range(orb.period):
            z = gd_map(z, mp.mpf(orb.as_dict()["eta"]))
        return max(abs(a - b) for a, b in zip(z, w, strict=True))


def test_residual_shrinks_with_precision():
    res = {}
    for dps in (15, 30, 100):
        orb = find_orbit([1.05, 1.0, 0.95], "0.7", dps=dps)
        assert orb.period == 2 and orb.stable
        assert all(len(s.replace("-", "").replace(".", "").lstrip("0")) >= dps for s in orb.as_dict()["points"][0])
        res[dps] = _residual(orb, dps)
        assert res[dps] <= mpmath.mpf(10) ** (-dps + 1)
    assert res[100] < res[30] < res[15]


@pytest.mark.parametrize("depth", [2, 3, pytest.param(4, marks=pytest.mark.slow)])
def test_balanced_period_two_against_the_one_dimensional_map(depth):
    eta = mpmath.mpf(2) / depth * mpmath.mpf("1.05")  # eta psi_min = 2.1
    orb = find_orbit([1.1] * depth, mpmath.nstr(eta, 40), period=2, dps=40)
    with mp.workdps(60):
        a = balanced_orbit(1.1, mp.mpf(mpmath.nstr(eta, 40)), depth, 2, dps=50)
        # the 1-D orbit really is a 2-cycle of the 1-D map
        assert (
            abs(
                balanced_map(
                    balanced_map(a[0], mp.mpf(mpmath.nstr(eta, 40)), depth), mp.mpf(mpmath.nstr(eta, 40)), depth
                )
                - a[0]
            )
            < mp.mpf(10) ** -45
        )
        pts = sorted(mp.mpf(p[0]) for p in orb.as_dict()["points"])
        assert_close(pts, sorted(a), rel="1e-38")
        # the balanced-direction multiplier is the 1-D map's f'(a0) f'(a1)
        f = lambda x: balanced_map(x, mp.mpf(mpmath.nstr(eta, 40)), depth)  # noqa: E731
        mu_1d = mp.diff(f, a[0]) * mp.diff(f, a[1])
        assert min(abs(m - mu_1d) for m in orb.multipliers) < mp.mpf(10) ** -35


def test_d2_period_two_closed_form():
    # D = 2, y = 1: on the 2-cycle a0, a1 of a -> a - eta (a^2 - 1) a, s = a0 + a1 and p = a0 a1 solve
    # eta s^2 = 2 + eta (1 + p)... checked here by the defining equations f(a0) = a1, f(a1) = a0 at 50 digits
    orb = find_orbit(["1.05", "1.05"], "1.1", dps=50)
    with mp.workdps(60):
        a0, a1 = (mp.mpf(p[0]) for p in orb.as_dict()["points"])
        eta = mp.mpf("1.1")
        assert abs(a0 - eta * (a0**2 - 1) * a0 - a1) < mp.mpf(10) ** -48
        assert abs(a1 - eta * (a1**2 - 1) * a1 - a0) < mp.mpf(10) ** -48
        # subtracting the two equations: (a0 - a1)(2 - eta (a0^2 + a0 a1 + a1^2 - 1)) = 0
        assert abs(2 - eta * (a0**2 + a0 * a1 + a1**2 - 1)) < mp.mpf(10) ** -47


@pytest.mark.parametrize(("weights", "eta", "period"), [([1.05, 1.0, 0.95], "0.7", 2), (["1.05", "1.05"], "1.24", 4)])
def test_multipliers_match_finite_differences(weights, eta, period):
    orb = find_orbit(weights, eta, dps=30)
    assert orb.period == period
    with mp.workdps(40):
        w = [mp.mpf(x) for x in orb.as_dict()["points"][0]]
        e = mp.mpf(eta)
        d = len(w)

        def gk(x):
            for _ in range(period):
                x = gd_map(x, e)
            return x

        h = mp.mpf(10) ** -12
        jac = mp.matrix(d, d)
        for j in range(d):
            up = list(w)
            dn = list(w)
            up[j] += h
            dn[j] -= h
            col = [(a - b) / (2 * h) for a, b in zip(gk(up), gk(dn), strict=True)]
            for i in range(d):
                jac[i, j] = col[i]
        ev = sorted((mp.re(x) for x in mp.eig(jac, left=False, right=False)), reverse=True)
        mine = sorted((mp.re(x) for x in orb.multipliers), reverse=True)
        assert_close(mine, ev, rel="1e-18", abs_="1e-18")


@pytest.mark.slow
def test_period_four_and_eight_of_the_cascade():
    o4 = find_orbit(["1.05", "1.05"], "1.26", dps=30)
    assert o4.period == 4 and o4.stable
    o8 = find_orbit(["1.05", "1.05"], "1.292", period=8, dps=30)
    assert o8.period == 8 and o8.stable
    # beyond its doubling the period-2 orbit still exists, now unstable
    o2 = find_orbit(["1.05", "1.05"], "1.26", period=2, dps=30)
    assert o2.period == 2 and not o2.stable


def test_fixed_point_multipliers():
    orb = find_orbit([0.5, 2.0, 1.0], "0.3", dps=30)
    assert orb.period == 1 and not orb.isolated and orb.stable
    with mp.workdps(40):
        psi = (
            mp.mpf("0.25") * 0 + 2**2 + mp.mpf("0.5") ** 2 + mp.mpf("0.5") ** 2 * 2**2 / 1
        )  # |grad pi|^2 at (0.5, 2, 1)
        assert_close(orb.multipliers[-1], 1 - mp.mpf("0.3") * psi, rel="1e-28")


@pytest.mark.parametrize("depth", [2, 3, pytest.param(4, marks=pytest.mark.slow), 5])
def test_first_period_doubling_is_two_over_psi_min(depth):
    r = period_doubling_threshold(depth, dps=40)
    with mp.workdps(50):
        psi_min = depth * mp.mpf(1)
        assert abs(r["eta"] - 2 / psi_min) < mp.mpf(10) ** -38
        assert abs(r["multiplier_at_root"] + 1) < mp.mpf(10) ** -38
    # and GD's attractor doubles there: fixed point just below, 2-cycle just above
    eta_c = float(r["eta"])
    below = detect_cycle([1.02] * depth, eta_c * 0.97, steps=3000)
    above = detect_cycle([1.02] * depth, eta_c * 1.03, steps=3000)
    assert below[0] == 1 and above[0] == 2


def test_threshold_with_a_target():
    r = period_doubling_threshold(3, target=8, dps=30)
    with mp.workdps(40):
        assert abs(r["eta"] - mp.mpf(2) / 48) < mp.mpf(10) ** -30


def test_amplitude_law_supercritical():
    r = supercritical(3, mus=(1e-2, 1e-3))
    assert r["holds"] and abs(r["slope"] - 0.5) < 0.01
    assert_close(amplitude_coefficient(2)["K"], 1 / np.sqrt(8), rel=1e-14)


def test_subcritical_claim_logic():
    r = subcritical([0.6, 2.0, 0.9], 0.45, steps=800)
    assert r["in_regime"] and r["holds"] and r["final_psi"] < r["psi0"]
    assert subcritical([0.6, 2.0, 0.9], 0.3, steps=10)["holds"] is None  # eta below 2/psi(w0): not subcritical


def test_attractor_values_period_doubling():
    out = attractor_values([0.9, 1.1, 1.26], [[1.05, 1.05]], keep=8)
    counts = [len(set(np.round(out["product"][out["eta"] == e], 8))) for e in (0.9, 1.1, 1.26)]
    assert counts == [1, 2, 4]


@pytest.mark.parametrize(
    ("args", "kwargs", "exc"),
    [
        (([], 0.1), {}, InvalidArgument),
        (([1.0, float("nan")], 0.1), {}, InvalidArgument),
        (([1.0, 1.0], 0), {}, InvalidArgument),
        (([1.0, 1.0], 0.5), {"period": 0}, InvalidArgument),
        (([1.0, 1.0], 0.5), {"seed": "nope"}, InvalidArgument),
        (([1.0, 1.0], 0.5), {"dps": 0}, InvalidArgument),
        (([1.1, 1.0], 5.0), {}, InvalidArgument),  # diverges: no cycle to take the period from
        (([1.05, 1.05], 1.1), {"period": 3, "seed": "gd"}, InvalidArgument),
        (([0.9, 1.2], 1.1), {"period": 2, "seed": "balanced"}, InvalidArgument),
    ],
)
def test_bad_input(args, kwargs, exc):
    with pytest.raises(exc):
        find_orbit(*args, **kwargs)


def test_wrong_minimal_period_is_reported():
    # Newton from a fixed point asked for period 2 lands on the fixed point: minimal period 1
    with pytest.raises(PrecisionError):
        find_orbit([1.0, 1.0], "1.1", period=2, seed="start")


def test_regime_claims_registered_and_decided():
    from scalar_eos import claims

    sup = claims.get("regime-supercritical")
    res = claims.evaluate(["1.05", "0.97"], "1.03", claims=[sup.id])[0]
    assert res.hypothesis and res.conclusion is True
    sub = claims.get("regime-subcritical")
    res = claims.evaluate(["0.6", "2.0", "0.9"], "0.45", claims=[sub.id])[0]
    assert res.hypothesis and res.conclusion is True
    # a start far from the minimisers (pi/y = 8.8) with 2/psi_min > eta > 2/psi(w0): GD diverges, which is why
    # the hypothesis asks for 0 < pi/y < 2 and eta psi(w0) <= 2 sqrt 2
    far = [2.5594969047609393, 3.4496291476586673], 0.48605637434127225
    assert not claims.evaluate(*far, claims=[sub.id])[0].hypothesis
    assert classify(*far).status == "diverged"
    W, eta = sub.sampler(np.random.default_rng(3), 3, 400, 1.0)
    inside = sub.batch_hypothesis(W, eta, np.ones(len(eta)))
    assert inside.mean() > 0.5  # the sampler aims at the hypothesis
    ratio = np.prod(W[inside], axis=1)
    assert np.all((ratio > 0) & (ratio < 2)) and np.all(eta[inside] * 3 < 2)


def test_subcritical_final_sharpness_in_high_precision():
    r = subcritical(["1.147", "0.794"], "0.9482", dps=25)
    assert r["holds"] and r["psi_decreases_to_limit"] and r["final_sharpness_error"] < 1e-12
    trace = [mp.mpf(p) for _, p in r["psi_trace"]]
    assert trace[0] > trace[-1] and abs(trace[-1] - mp.mpf(r["limit"]["sharpness"])) < mp.mpf(10) ** -24


# ----------------------------------------------------------------------------- audit: seeds, multipliers, limits


def _fd_charpoly(orb, dps):
    """Characteristic polynomial of a central-difference Jacobian of G^k at the orbit's first point."""
    from scalar_eos.orbits._maps import _charpoly

    with mp.workdps(2 * dps + 20):
        w = list(orb.points[0])  # at the orbit's working precision
        e, y = orb.eta, orb.target
        d = len(w)

        def gk(x):
            for _ in range(orb.period):
                x = gd_map(x, e, y)
            return x

        h = mp.mpf(10) ** (-dps - 10)
        jac = mp.matrix(d, d)
        for j in range(d):
            up, dn = list(w), list(w)
            up[j] += h
            dn[j] -= h
            for i, (a, b) in enumerate(zip(gk(up), gk(dn), strict=True)):
                jac[i, j] = (a - b) / (2 * h)
        fd = _charpoly(jac)
        poly = [mp.mpc(1)]
        for mu in orb.multipliers:  # prod (x - mu), coefficients from the top
            poly = [a - mp.mpc(mu) * b for a, b in zip([*poly, 0], [0, *poly], strict=True)]
        return max(abs(a - b) for a, b in zip(poly, fd, strict=True))


@pytest.mark.parametrize(
    ("weights", "eta", "period", "target"),
    [
        (["1.05", "0.97", "0.98", "0.99", "1.0"], "0.44", None, 1),  # D = 5: four equal transverse multipliers
        (["-1.05", "-1.05", "1.05"], "0.7333", 2, 1),  # mixed signs
        (["1.5", "1.5", "-1.5"], "0.1695", 2, -3),  # a negative target
        (["1.05", "1.05", "1.05"], "0.8467", 2, 1),  # an unstable period-2 orbit inside the cascade
    ],
)
def test_multipliers_are_those_of_the_k_fold_map(weights, eta, period, target):
    orb = find_orbit(weights, eta, period, target=target, dps=20)
    assert _fd_charpoly(orb, 20) < mp.mpf(10) ** -17
    assert orb.stable == (max(abs(x) for x in orb.multipliers) < 1)


def test_a_given_orbit_point_is_kept_even_when_gd_goes_elsewhere():
    # the unstable balanced 2-cycle of D = 2 at eta = 1.26, given to 6 digits: GD would settle on a 4-cycle
    orb = find_orbit(["1.146497", "1.146497"], "1.26", period=2, dps=30)
    assert orb.seed == "start" and orb.distance_to_start < 1e-5 and not orb.stable
    doc = orb.as_dict()
    assert {"period", "points", "multipliers", "stable"} <= set(doc) and doc["seed"] == "start"
    with mp.workdps(40):  # the balanced multiplier is f'(a0) f'(a1) of the 1-D map
        e = mp.mpf("1.26")
        f = lambda x: balanced_map(x, e, 2)  # noqa: E731
        a0, a1 = (p[0] for p in orb.points)
        assert_close(orb.multipliers[0], mp.diff(f, a0) * mp.diff(f, a1), rel="1e-28")


def test_period_one_is_gds_own_limit():
    # GD's limit from the start, not the float64 limit projected: compare with 30-digit GD iterated directly
    orb = find_orbit(["0.6", "2.0", "0.9"], "0.45", dps=20)
    assert orb.period == 1 and orb.seed == "gd" and "limit" in orb.seed_note
    with mp.workdps(32):
        w, e = [mp.mpf("0.6"), mp.mpf(2), mp.mpf("0.9")], mp.mpf("0.45")
        for _ in range(2000):
            w = gd_map(w, e)
        assert_close(orb.points[0], w, rel="1e-19")


def test_stability_at_the_threshold_is_neutral():
    orb = find_orbit(["1", "1"], "1", period=1, dps=30, seed="start")  # eta psi = 2 exactly: multiplier -1
    assert orb.neutral and not orb.stable
    assert not find_orbit(["1", "1"], "0.99", period=1, dps=30, seed="start").neutral


def test_gd_limit_matches_direct_iteration_and_classifier():
    from scalar_eos.orbits import gd_limit
    from scalar_eos.outcome import classify

    lim = gd_limit(["1.147", "0.794"], "0.9482", dps=30)  # subcritical: eta psi(w0) = 2.005, eta psi_min < 2
    with mp.workdps(45):
        w, e = [mp.mpf("1.147"), mp.mpf("0.794")], mp.mpf("0.9482")
        for _ in range(3600):  # rate |1 - eta S| = 0.973: 3600 steps reach 1e-42
            w = gd_map(w, e)
        assert_close(lim.weights, w, rel="1e-29")
        assert_close(lim.sharpness, w[0] ** 2 + w[1] ** 2, rel="1e-29")
    assert lim.error_estimate < 1e-30 and lim.rate < -0.9
    s64 = classify([1.147, 0.794], 0.9482).final_sharpness
    assert_close(s64, lim.sharpness, rel="1e-12")


def test_gd_limit_errors():
    from scalar_eos.errors import ConvergenceError
    from scalar_eos.orbits import gd_limit

    with pytest.raises(ConvergenceError):
        gd_limit(["1.1", "1.0"], "5", dps=15)  # diverges
    with pytest.raises(ConvergenceError):
        gd_limit(["1.05", "1.05"], "1.1", dps=15, max_steps=3000)  # a 2-cycle, no limit
    with pytest.raises(InvalidArgument):
        gd_limit(["1.0", "nan"], "0.1")


def test_period_doubling_of_the_two_cycle_is_sqrt5_minus_1_at_depth_two():
    from scalar_eos.bifurcation import period_doubling

    r = period_doubling(["1.05", "1.05"], "1.1", period=2, dps=20)
    with mp.workdps(40):
        assert abs(r["eta"] - (mp.sqrt(5) - 1)) < mp.mpf(10) ** -20
        assert abs(r["critical_multiplier"] + 1) < mp.mpf(10) ** -20
        assert r["formula_difference"] < mp.mpf(10) ** -20 and r["difference"] < mp.mpf(10) ** -8


def test_period_doubling_on_an_unbalanced_fixed_point():
    from scalar_eos.bifurcation import period_doubling
    from scalar_eos.orbits import gd_limit

    r = period_doubling(["0.6", "2.0", "0.9"], "0.45", period=1, dps=20)
    w = gd_limit(["0.6", "2.0", "0.9"], "0.45", dps=25).weights
    with mp.workdps(30):
        psi = sum(mp.fprod(w[j] for j in range(3) if j != i) ** 2 for i in range(3))
        assert abs(r["eta"] - 2 / psi) < mp.mpf(10) ** -19


@pytest.mark.parametrize("depth", [2, 3, 4, 5, 6])
def test_balanced_two_cycle_coordinates_and_multipliers_in_closed_form(depth):
    # On the balanced line w = a (1, ..., 1): Hess L = a^(2D-2) 11^T + r a^(D-2) (11^T - I), r = a^D - 1, so the
    # multipliers of a 2-cycle (a0, a1) are f'(a0) f'(a1) once and prod (1 + eta r_t a_t^(D-2)) D - 1 times.
    # For D = 2 the cycle itself is closed form: a = (sqrt(1 + 3/eta) +- sqrt(1 - 1/eta)) / 2.
    eta_s = "1.1" if depth == 2 else mpmath.nstr(mpmath.mpf(2) / depth * mpmath.mpf("1.08"), 30)
    orb = find_orbit(["1.03"] * depth, eta_s, period=2, dps=40)
    with mp.workdps(60):
        e = mp.mpf(eta_s)
        f = lambda a: a - e * (a**depth - 1) * a ** (depth - 1)  # noqa: E731
        if depth == 2:
            a0 = (mp.sqrt(1 + 3 / e) + mp.sqrt(1 - 1 / e)) / 2
        else:  # an independent root of the deflated map (f(f(a)) - a) / (f(a) - a) above the minimiser a = 1
            root = mp.findroot(lambda a: (f(f(a)) - a) / (f(a) - a), mp.mpf("1.1"))
            a0 = max(root, f(root))  # the orbit is listed from its largest product
        a1 = f(a0)
        assert a0 > 1 > a1
        assert_close([p[0] for p in orb.points], [a0, a1], rel="1e-38")
        assert all(max(p) - min(p) == 0 for p in orb.points)
        fp = lambda a: 1 - e * (2 * depth - 1) * a ** (2 * depth - 2) + e * (depth - 1) * a ** (depth - 2)  # noqa: E731
        transverse = (1 + e * (a0**depth - 1) * a0 ** (depth - 2)) * (1 + e * (a1**depth - 1) * a1 ** (depth - 2))
        expected = sorted([fp(a0) * fp(a1)] + [transverse] * (depth - 1), key=lambda x: -abs(x))
        assert_close(orb.multipliers, expected, rel="1e-36", abs_="1e-38")
        assert orb.stable == (max(abs(x) for x in expected) < 1)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("depth", "period", "eta", "expected"),
    [
        (2, 4, "1.26", "1.28803175448284276195434243545"),
        (3, 2, "0.7333", "0.829738261892878267714024083162"),
        (3, 4, "0.8467", "0.866944316504867063392783881733"),
        (4, 2, "0.55", "0.623584636218172055235497287185"),
        (4, 4, "0.6375", "0.652074992017871274705658971367"),
    ],
)
def test_second_and_third_doublings(depth, period, eta, expected):
    # the values were computed by this method at 30 digits; here the augmented Newton, the continuation and the
    # one-dimensional map's own threshold must agree again, and the critical multiplier must be the balanced one
    from scalar_eos.bifurcation import period_doubling

    r = period_doubling(["1.05"] * depth, eta, period=period, dps=30)
    with mp.workdps(40):
        assert abs(r["eta"] - mp.mpf(expected)) < mp.mpf(10) ** -29
        assert r["formula_difference"] < mp.mpf(10) ** -29
        assert all(abs(m) < 1 for m in r["multipliers"] if m is not r["critical_multiplier"])

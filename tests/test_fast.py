"""The batched fast path against the high-precision reference."""

from __future__ import annotations

import math
import tracemalloc

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import scalar_eos as se
from scalar_eos import fast
from scalar_eos.errors import InvalidArgument, PrecisionError
from scalar_eos.fast import Status

from .helpers import assert_close


def reference(row, y):
    """(psi, kind) from the exact reference, or (None, 'range') if outside float64."""
    try:
        g = se.gfs(list(row), target=y)
    except PrecisionError:  # outside float64: the kind still comes from the mpmath result
        return None, se.gfs(list(row), target=y, dps=20).kind + "/range"
    return g.sharpness, g.kind


def check_rows(W, y):
    psi, status = fast.gfs_sharpness(W, target=y, return_status=True)
    assert psi.shape == status.shape == (W.shape[0],)
    assert not np.any(status == Status.NOT_CONVERGED)
    for row, p, s in zip(W, psi, status, strict=True):
        ref, kind = reference(row, y)
        if s == Status.OK:
            assert ref is not None and kind == "minimum"
            assert abs(p - ref) <= 1e-12 * abs(ref), (row, p, ref)
        else:
            assert math.isnan(p)
            if s == Status.SADDLE:
                assert kind.startswith("saddle")
            else:
                assert s == Status.RANGE, s


signed_exponents = st.tuples(st.floats(-150, 150), st.booleans())


@st.composite
def batches(draw, max_depth=64, spread=150.0):
    depth = draw(st.integers(1, max_depth))
    rows = draw(st.integers(1, 4))
    exps = draw(
        st.lists(
            st.lists(st.tuples(st.floats(-spread, spread), st.booleans()), min_size=depth, max_size=depth),
            min_size=rows,
            max_size=rows,
        )
    )
    W = np.array([[(-1 if neg else 1) * 10.0**e for e, neg in row] for row in exps])
    y = draw(st.sampled_from([1.0, -1.0, 2.5, -0.3, 1e-3, 1e3, 7.0]))
    return W, y


@given(batches())
def test_fast_matches_reference_or_flags(batch):
    check_rows(*batch)


@given(batches(max_depth=8, spread=3.0))
@example((np.array([[1.0, 1.0]]), 1.0))  # balanced minimum, eta*psi = 2 at eta = 1
@example(
    (
        np.array(
            [
                [1.0, -1.0],
                [
                    2.0,
                    -2.0,
                ][:2],
            ]
        ),
        1.0,
    )
)  # ties with pi/y < 0: saddles
@example((np.array([[0.0, 2.0, 3.0], [0.0, 0.0, 1.0]]), 1.0))  # one zero / two zeros
@example((np.array([[1e-150, 1e150, 3.0]]), -7.0))
@example((np.array([[3.0], [-2.0], [0.0]]), 1.5))  # D = 1
def test_fast_matches_reference_on_ordinary_rows(batch):
    check_rows(*batch)


def test_flags_nonfinite_and_saddles():
    W = np.array([[1.0, np.nan, 2.0], [np.inf, 1.0, 1.0], [1.0, -1.0, 3.0], [0.5, 0.5, 4.0]])
    psi, status = fast.gfs_sharpness(W, return_status=True)
    assert status.tolist() == [Status.NONFINITE, Status.NONFINITE, Status.SADDLE, Status.OK]
    assert np.isnan(psi[:3]).all() and np.isfinite(psi[3])


def test_range_flag_on_overflow():
    psi, status = fast.gfs_sharpness(np.array([[1e200, 1e-200]]), return_status=True)
    assert status[0] == Status.RANGE and np.isnan(psi[0])


def test_gfs_rows_match_reference():
    rng = np.random.default_rng(7)
    W = rng.uniform(0.2, 3, size=(50, 5)) * rng.choice([-1, 1], size=(50, 5))
    res = fast.gfs(W, target=-1.3)
    for i in range(50):
        ref = se.gfs(W[i], target=-1.3)
        assert res.kind[i] == ref.kind
        if ref.kind == "minimum":
            assert_close(res.solution[i], ref.solution, rel=1e-12)
            assert_close(res.shift[i], ref.shift, rel=1e-12, abs_=1e-13 * max(1, np.min(W[i] ** 2)))
            assert_close(res.sharpness[i], ref.sharpness, rel=1e-12)


def test_sharpness_matches_reference():
    rng = np.random.default_rng(3)
    for depth in (1, 2, 3, 5):
        W = rng.uniform(-2, 2, size=(20, depth))
        got = fast.sharpness(W, target=0.7)
        for i in range(20):
            ref = se.sharpness(W[i], target=0.7)
            assert_close(got[i], ref, rel=1e-12, abs_=1e-12 * max(1.0, np.abs(se.hessian(W[i], target=0.7)).max()))


def test_gd_step_and_per_row_eta():
    W = np.array([[0.5, 3.0], [1.0, 1.2]])
    eta = np.array([0.1, 0.2])
    nxt = fast.gd_step(W, eta)
    for i in range(2):
        assert_close(nxt[i], se.gd_step(W[i], eta[i]), rel=1e-15)


def test_gd_tracks_and_summarises():
    W = np.array([[0.5, 3.3, 0.5], [3.0, 3.0, 3.0]])
    full = fast.gd(W, 0.45, 60, track=("loss", "gfs_sharpness"))
    assert full["gfs_sharpness"].shape == (61, 2)
    ref = se.gd([0.5, 3.3, 0.5], 0.45, 60)
    # GD at the EoS amplifies rounding differences (the reference rounds each step
    # exactly once), so compare the first steps tightly and the rest loosely.
    assert_close(full["gfs_sharpness"][:20, 0], ref.gfs_sharpness[:20], rel=1e-12)
    assert_close(full["gfs_sharpness"][:, 0], ref.gfs_sharpness, rel=1e-8)
    assert full["status"].tolist() == [Status.OK, Status.DIVERGED]
    summ = fast.gd(W, 0.45, 60, summary=True)["gfs_sharpness"]
    assert summ["increases"][0] == 0 and summ["max_increase"][0] < 0
    assert_close(summ["last"][0], full["gfs_sharpness"][-1, 0], rel=0)


def _gd_step_by_step(W, eta, steps, target, scale):
    """``fast.step_columns`` once per step (the tracked loop's update): the reference for ``gd(track=())``."""
    wt = np.array(W.T, dtype=float, order="C")
    with np.errstate(all="ignore"):
        for _ in range(steps):
            wt = fast.step_columns(wt, eta * scale, target)
    return wt.T


def _odd_batch(rng, kind, n, depth):
    W = np.exp(rng.uniform(-3, 3, (n, depth))) * rng.choice([-1.0, 1.0], (n, depth))
    if kind == "zeros":
        W[rng.random((n, depth)) < 0.15] = 0.0
    elif kind == "huge-tiny":  # products near the 1e+-280 switch, rows that over/underflow
        W *= 10.0 ** rng.uniform(-150, 150, (n, 1))
        tiny = rng.random(n) < 0.3  # products 1e-320 .. 1e-260: subnormal or near the switch to prefix/suffix
        lg = np.sum(np.log10(np.abs(W[tiny])), axis=1)
        W[tiny] *= 10.0 ** ((rng.uniform(-320, -260, lg.size) - lg) / depth)[:, None]
    elif kind == "nonfinite":
        W[rng.random((n, depth)) < 0.05] = np.inf
        W[rng.random((n, depth)) < 0.05] = np.nan
    elif kind == "wide":
        W = 10.0 ** rng.uniform(-100, 100, (n, depth)) * rng.choice([-1.0, 1.0], (n, depth))
    return W


@pytest.mark.parametrize("depth", [1, 2, 3, 4, 5, 6])
@pytest.mark.parametrize("kind", ["plain", "zeros", "huge-tiny", "nonfinite", "wide"])
def test_gd_untracked_numpy_is_bit_identical_to_step_by_step(depth, kind):
    """``gd(track=())`` runs whole blocks of steps (NaN-ing diverged rows at the end): same bits as one step at a
    time, including rows that diverge, zero weights, mixed signs, per-row targets/scales and the chunking."""
    rng = np.random.default_rng([depth, len(kind)])
    n = 300
    W = _odd_batch(rng, kind, n, depth)
    with np.errstate(all="ignore"):
        psi = fast.gfs_sharpness(np.where(np.isfinite(W), W, 1.0))
    psi[~(psi > 0) | ~np.isfinite(psi)] = 1.0
    eta = rng.uniform(0.2, 3.5, n) / psi  # beyond 2 / psi many rows diverge
    target = rng.uniform(0.5, 2.0, n) * rng.choice([-1.0, 1.0], n)
    scale = rng.uniform(0.5, 2.0, n)
    out = fast.gd(W, eta, 150, target=target, scale=scale, track=(), engine="numpy", chunk=97)
    ref = _gd_step_by_step(W, eta, 150, target, scale)
    assert out["weights"].tobytes() == ref.tobytes()  # NaN payloads and signed zeros included
    finite_start = np.all(np.isfinite(W), axis=1)
    diverged = finite_start & np.isnan(ref[:, 0])
    assert np.array_equal(out["status"] == Status.DIVERGED, diverged)
    assert np.array_equal(out["status"] == Status.NONFINITE, ~finite_start)
    assert np.all(np.isnan(ref[diverged])) and np.all(np.isfinite(ref[finite_start & ~diverged]))
    if kind in ("plain", "zeros") and depth > 1:
        assert 0 < np.sum(diverged) < n  # the batch really mixes diverging and surviving rows
    assert fast.gd(W, eta, 0, track=(), engine="numpy")["weights"].tobytes() == W.tobytes()  # no steps: as given
    one = fast.gd(W, float(eta[0]), 40, target=-2.0, track=(), engine="numpy")["weights"]  # scalar eta and target
    assert one.tobytes() == _gd_step_by_step(W, float(eta[0]), 40, -2.0, 1.0).tobytes()


@pytest.mark.parametrize("lg", [(-298, -282), (282, 298)])
def test_gd_untracked_numpy_switches_to_prefix_suffix_at_the_same_rows(lg):
    """Every row's product just inside the prefix/suffix band ``|pi| <= 1e-280`` or ``>= 1e280`` (tiny ones built
    through a subnormal partial product, where ``pi / w_i`` is visibly wrong): the block run takes the same branch
    as one step at a time."""
    rng = np.random.default_rng(7)
    n = 200
    e = rng.uniform(*lg, n)
    # w_1 w_2 = 10^(e - 20) (subnormal for tiny e), w_3 ~ 1e20
    W = np.stack([10.0 ** (e / 2 + 5), 10.0 ** (e / 2 - 25), rng.uniform(1, 2, n) * 1e20], axis=1)
    eta = 1e-300 if lg[0] > 0 else rng.uniform(0.1, 1, n)  # tiny: one finite step from a huge product
    steps = 1 if lg[0] > 0 else 5
    out = fast.gd(W, eta, steps, track=(), engine="numpy")["weights"]
    ref = _gd_step_by_step(W, eta, steps, 1.0, 1.0)
    assert out.tobytes() == ref.tobytes() and np.all(np.isfinite(ref))
    with np.errstate(all="ignore"):  # the branch matters: pi / w_i is not the prefix/suffix product
        p = np.prod(W, axis=1)
        naive = W - (eta * (p - 1.0))[:, None] * (p[:, None] / W)
    assert not np.array_equal(naive, _gd_step_by_step(W, eta, 1, 1.0, 1.0))


def test_gd_columns_zero_rows_and_zero_steps():
    wt = np.array([[1.0, 0.0], [3.0, 2.0]])
    assert fast.gd_columns(wt.copy(), 0.1, 1.0, 0).tobytes() == wt.tobytes()
    assert fast.gd_columns(np.empty((3, 0)), 0.1, 1.0, 5).shape == (3, 0)
    with np.errstate(all="ignore"):  # step_columns leaves the errstate to its caller; gd_columns sets it
        ref = fast.step_columns(wt, 0.1, 1.0)
    assert fast.gd_columns(wt.copy(), 0.1, 1.0, 1).tobytes() == ref.tobytes()


def test_streaming_keeps_memory_constant():
    rng = np.random.default_rng(0)

    def source(n_chunks, rows):
        for _ in range(n_chunks):
            yield rng.uniform(0.2, 3, size=(rows, 4))

    tracemalloc.start()
    total = 0
    for psi in fast.stream(fast.gfs_sharpness, source(40, 50_000)):
        total += int(np.sum(np.isfinite(psi)))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert total == 2_000_000
    assert peak < 60 * 2**20  # two million rows, a few chunks' worth of memory


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: fast.gfs_sharpness([1.0, 2.0]), "shape"),
        (lambda: fast.gfs_sharpness(np.ones((2, 2, 2))), "shape"),
        (lambda: fast.gfs_sharpness(np.ones((2, 2)), target=0), "non-zero"),
        (lambda: fast.gfs_sharpness(np.ones((2, 2)), target=[1, 2, 3]), "shape"),
        (lambda: fast.gd_step(np.ones((2, 2)), -0.1), "positive"),
        (lambda: fast.gd_step(np.ones((2, 2)), np.nan), "finite"),
        (lambda: fast.gd(np.ones((2, 2)), 0.1, 5, track=("bogus",)), "cannot track"),
        (lambda: fast.gd(np.ones((2, 2)), 0.1, -5), "non-negative"),
        (lambda: fast.gfs_sharpness(np.ones((2, 2)), chunk=0), "chunk"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(InvalidArgument, match=match):
        call()


def test_compiled_engine_hands_unsettled_rows_to_the_numpy_solver():
    """A depth-54 row spanning 190 decades: the compiled Newton solve does not settle it; the result is the numpy
    solver's (here a RANGE flag, as in 0.1), never NOT_CONVERGED."""
    row = [
        float.fromhex(h)
        for h in [
            "0x1.0000000000000p+0",
            "0x1.0000000000000p+0",
            "0x1.0000000000000p+0",
            "0x1.0000000000000p+0",
            "0x1.0000000000000p+0",
            "0x1.0000000000000p+0",
            "0x1.0000000000000p+0",
            "0x1.0000000000000p+0",
            "0x1.0000000000000p+0",
            "0x1.0000000000000p+0",
            "0x1.0000000000000p+0",
            "0x1.0000000000000p+0",
            "0x1.0000000000000p+0",
            "0x1.0000000000000p+0",
            "0x1.0000000000000p+0",
            "0x1.0000000000000p+0",
            "0x1.0000000000000p+0",
            "0x1.0000000000000p+0",
            "0x1.c06a5ec5433c6p+152",
            "0x1.c06a5ec5433c6p+152",
            "0x1.5612ed5c0ffc7p+4",
            "0x1.c27328406a2c3p+164",
            "0x1.4d2e146270060p+188",
            "0x1.aa5f71b6fddd1p+189",
            "0x1.f2417bf912c5fp+253",
            "0x1.0868956d47ba0p+254",
            "0x1.413cdf142540ap+256",
            "0x1.59725db272f7fp+262",
            "0x1.7285045964daap+281",
            "0x1.3a2e965b9d81dp+302",
            "0x1.d3a956c58ccbap+377",
            "0x1.3880000000000p+13",
            "0x1.93d00d2348997p+2",
            "0x1.0000000019513p+0",
            "0x1.217aefe690777p-246",
            "0x1.006322756a564p-29",
            "0x1.afb24f65bf9ddp-36",
            "0x1.f70fd1de57cdcp-59",
            "0x1.d3ae36d13bbcep-157",
            "0x1.bda7ccdd77e50p-167",
            "0x1.a46549d3a619ap-216",
            "0x1.88be54045b012p-229",
            "0x1.cf2b1970e7258p-250",
            "0x1.cf2b1970e7258p-250",
            "0x1.cf2b1970e7258p-250",
            "0x1.cf2b1970e7258p-250",
            "0x1.cf2b1970e7258p-250",
            "0x1.cf2b1970e7258p-250",
            "0x1.cf2b1970e7258p-250",
            "0x1.cf2b1970e7258p-250",
            "0x1.cf2b1970e7258p-250",
            "0x1.217aefe690777p-246",
            "0x1.999c03b3dd4d6p-4",
            "0x1.fffffb6513966p-1",
        ]
    ]
    psi, status = fast.gfs_sharpness(
        np.array([row, [1.0, 2.0, 0.5] * 18]), target=np.array([1000.0, 1.0]), return_status=True
    )
    assert not np.any(status == Status.NOT_CONVERGED)
    ref = se.gfs_sharpness([str(x) for x in [1.0, 2.0, 0.5] * 18], dps=30)
    assert abs(psi[1] - float(ref)) <= 1e-12 * float(ref)

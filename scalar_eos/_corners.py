"""The draws behind :func:`scalar_eos.testing.corner_points`: weights magnitudes, product ratio, step size.

Each piece is a Hypothesis strategy steered by the claim's region (range of
``pi / y`` and ``eta psi``, when it is known): log-magnitudes of the weights
(moderate, wide over ``10^[-8, 8]``, nearly balanced clusters, small/large
splits), the ratio ``pi / y`` (free, uniform, near an anchor such as 0, 1, 2, or
log-spread) and ``eta`` (log-spread ``eta psi``, near an anchor such as 2 and
``2 sqrt 2``, tiny, or a step that sends the smallest weight through 0).  The
order of the draws fixes the examples Hypothesis generates for a seed.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from . import fast
from ._optional import require
from .sampling import Region, ScaleAwareSampler

require("hypothesis", "scalar_eos.testing", "test")

from hypothesis import reject  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

__all__ = ["claim_region", "draw_from_sampler", "log_magnitudes", "own_sampler", "product_ratio", "step_size"]

#: Decades of the drawn log-magnitudes: weights over ``10^[-8, 8] |y|^(1/D)``.
_DEC = 8.0


def claim_region(c: Any) -> Region:
    """The region (``pi / y``, ``eta psi`` ranges and anchors) of a claim's scale-aware sampler, else the whole."""
    return c.sampler.region if isinstance(c.sampler, ScaleAwareSampler) else Region()


@st.composite
def log_magnitudes(draw: Any, depth: int) -> list[float]:
    """``log10 (|w_i| / |y|^(1/D))``: moderate, wide, a near-tie cluster, a small/large split or balanced."""
    shapes = ["moderate", "wide", "cluster", "split", "balanced"] if depth >= 2 else ["moderate", "wide"]
    shape = draw(st.sampled_from(shapes))
    if shape == "moderate":  # offsets keep the simplest (shrunk) example away from exact ties
        xs = draw(st.lists(st.floats(-1.0, 1.0), min_size=depth, max_size=depth))
        return [x + 0.1 * i for i, x in enumerate(xs)]
    if shape == "wide":
        return draw(st.lists(st.floats(-_DEC, _DEC), min_size=depth, max_size=depth))
    gap = 10.0 ** draw(st.floats(-12.0, -1.0))
    centre = draw(st.floats(-_DEC, _DEC))

    def near(c: float, k: int) -> list[float]:
        jit = draw(st.lists(st.floats(-1.0, 1.0), min_size=k, max_size=k))
        return [c + math.log10(1.0 + gap * j) for j in jit]

    if shape == "balanced":
        return near(centre, depth)
    if shape == "cluster":
        k = draw(st.integers(2, depth))
        return near(centre, k) + draw(st.lists(st.floats(-_DEC, _DEC), min_size=depth - k, max_size=depth - k))
    j = draw(st.integers(1, depth - 1))  # split: j small (maybe clustered), the rest large
    lo = draw(st.floats(-_DEC, -1.0))
    small = near(lo, j) if draw(st.booleans()) else draw(st.lists(st.floats(-_DEC, -1.0), min_size=j, max_size=j))
    return small + draw(st.lists(st.floats(1.0, _DEC), min_size=depth - j, max_size=depth - j))


@st.composite
def product_ratio(draw: Any, region: Region) -> float | None:
    """A ratio ``pi / y`` to impose on the weights (None: keep the drawn product)."""
    kind = draw(st.sampled_from(["free", "uniform", "anchor", "log"]))
    lo, hi = region.pi_over_y if region.pi_over_y is not None else (-3.0, 3.0)
    if kind == "free":
        return None
    if kind == "uniform":
        return draw(st.floats(lo, hi, exclude_min=True, exclude_max=True))
    if kind == "anchor":
        anchors = sorted(set(region.pi_over_y_anchors) | ({lo, hi} if region.pi_over_y is not None else set()))
        a = draw(st.sampled_from(anchors))
        d = 10.0 ** draw(st.floats(-12.0, -0.5)) * max(1.0, abs(a))
        r = a + (d if draw(st.booleans()) else -d)
        if region.pi_over_y is not None and not lo < r < hi:
            r = 2 * a - r
        return r
    mag = 10.0 ** draw(st.floats(-_DEC, _DEC))
    negative = region.pi_over_y is None or lo < 0
    return -mag if negative and draw(st.booleans()) else mag


@st.composite
def step_size(draw: Any, w: np.ndarray, target: float, region: Region) -> float:
    """A step size for ``w``: ``eta psi`` log-spread, near an anchor, tiny, or sending the smallest weight through 0."""
    lo, hi = region.eta_psi if region.eta_psi is not None else (1e-12, 1e3)
    kind = draw(st.sampled_from(["log", "anchor", "flip", "tiny"]))
    psi = float(fast.gfs_sharpness(w[None, :], target=target)[0])
    if kind == "flip":
        p = float(np.prod(w))
        mags = sorted(abs(float(x)) for x in w)
        scale = mags[0] ** 2 if draw(st.booleans()) or len(mags) == 1 else mags[0] * mags[1]
        mult = draw(st.sampled_from([1.0, 2.0, 0.5]))
        rel = 1.0 + (1 if draw(st.booleans()) else -1) * 10.0 ** draw(st.floats(-12.0, -1.0))
        denom = abs((p - target) * p)
        return mult * rel * scale / denom if denom > 0 else math.nan
    if kind == "anchor":
        anchors = sorted(a for a in {*region.eta_psi_anchors, hi} if lo <= a <= hi)
        a = draw(st.sampled_from(anchors))
        c = a * (1.0 + (1 if draw(st.booleans()) else -1) * 10.0 ** draw(st.floats(-12.0, -1.0)))
    elif kind == "tiny":
        c = 10.0 ** draw(st.floats(-12.0, -3.0))
    else:
        c = 10.0 ** draw(st.floats(max(math.log10(max(lo, 1e-12)), -6.0), math.log10(hi)))
    return c / psi


def own_sampler(c: Any) -> Callable[..., Any] | None:
    """A claim's own sampler other than the scale-aware one (e.g. for a narrow hypothesis)."""
    return None if c.sampler is None or isinstance(c.sampler, ScaleAwareSampler) else c.sampler


def draw_from_sampler(f: Callable[..., Any], k: int, depth: int, target: float) -> tuple[list[float], float]:
    """One point ``(w, eta)`` from a claim's own sampler seeded with ``k`` (rejected if not finite, eta > 0)."""
    W, eta = f(np.random.default_rng(k), depth, 1, target)
    if not (np.all(np.isfinite(W)) and np.isfinite(eta[0]) and eta[0] > 0):
        reject()
    return [float(x) for x in W[0]], float(eta[0])

"""Compiled GD steps: one row, and blocks of columns for many steps (see :mod:`scalar_eos._kernels`)."""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .shared import JIT

__all__ = ["gd_block", "others_row", "step_row"]


@njit(**JIT)
def step_row(w, em, y, out):
    """One GD step of one row (``fast.step_columns`` for one column); returns False if it left the range."""
    depth = w.shape[0]
    p = w[0]
    for i in range(1, depth):
        p = p * w[i]
    r = p - y
    ap = abs(p)
    fin = True
    for i in range(depth):
        if not math.isfinite(w[i]):
            fin = False
    c = em * r
    if 1e-280 < ap < 1e280:
        for i in range(depth):
            out[i] = w[i] - c * (p / w[i])
    elif fin:
        # prefix/suffix products: exact with zero weights
        g = np.empty(depth)
        others_row(w, g)
        for i in range(depth):
            out[i] = w[i] - c * g[i]
    else:
        for i in range(depth):
            out[i] = w[i] - c * (p / w[i])
    ok = True
    for i in range(depth):
        if not math.isfinite(out[i]):
            ok = False
    if not ok:
        for i in range(depth):
            out[i] = np.nan
    return ok


@njit(**JIT)
def gd_block(wt, em, y, steps, tile=256):
    """``steps`` GD steps on columns ``wt`` (D, n) in place, ``tile`` columns at a time (kept in L1).

    Same arithmetic as ``fast.step_columns`` (``others = p / w_i`` while
    ``1e-280 < |p| < 1e280``, prefix/suffix products otherwise); a row that
    leaves the float64 range becomes NaN and stays NaN.
    """
    depth, n = wt.shape
    p = np.empty(tile)
    c = np.empty(tile)
    col = np.empty(depth)
    out = np.empty(depth)
    for a in range(0, n, tile):
        b = min(n, a + tile)
        m = b - a
        w = wt[:, a:b]
        e = em[a:b]
        yy = y[a:b]
        for _ in range(steps):
            for i in range(m):
                p[i] = w[0, i]
            for d in range(1, depth):
                for i in range(m):
                    p[i] = p[i] * w[d, i]
            nfix = 0
            for i in range(m):
                ap = abs(p[i])
                nfix += not ((ap > 1e-280) & (ap < 1e280))
                c[i] = e[i] * (p[i] - yy[i])
            if nfix == 0:
                for d in range(depth):
                    for i in range(m):
                        w[d, i] = w[d, i] - c[i] * (p[i] / w[d, i])
                continue
            for i in range(m):
                ap = abs(p[i])
                if (ap > 1e-280) & (ap < 1e280):
                    for d in range(depth):
                        w[d, i] = w[d, i] - c[i] * (p[i] / w[d, i])
                else:
                    for d in range(depth):
                        col[d] = w[d, i]
                    step_row(col, e[i], yy[i], out)
                    for d in range(depth):
                        w[d, i] = out[d]
        # a row that overflowed stays non-finite (its product is never finite again): NaN it
        for i in range(m):
            bad = False
            for d in range(depth):
                if not math.isfinite(w[d, i]):
                    bad = True
            if bad:
                for d in range(depth):
                    w[d, i] = np.nan
    return wt


@njit(**JIT)
def others_row(w, g):
    """``g_i = prod_{k != i} w_k`` as prefix times suffix products (``fast.prod_others``; exact with zeros)."""
    depth = w.shape[0]
    for i in range(depth):
        pre = 1.0
        for k in range(i):
            pre = pre * w[k] if k > 0 else w[0]
        suf = 1.0
        for k in range(depth - 1, i, -1):
            suf = suf * w[k] if k < depth - 1 else w[depth - 1]
        g[i] = pre * suf

"""Adaptive Dormand-Prince 5(4) steps with error control (private).

One embedded Runge-Kutta step and a step-size controller, shared by the
central flow (several smooth vector fields glued at located events).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

Field = Callable[[np.ndarray], np.ndarray]

_A = [
    [],
    [1 / 5],
    [3 / 40, 9 / 40],
    [44 / 45, -56 / 15, 32 / 9],
    [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729],
    [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656],
    [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84],
]
_B = np.array([35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84, 0])
_E = _B - np.array([5179 / 57600, 0, 7571 / 16695, 393 / 640, -92097 / 339200, 187 / 2100, 1 / 40])


def rk_step(f: Field, w: np.ndarray, h: float, f0: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """One Dormand-Prince step of an autonomous field: ``(w_new, error_estimate)``."""
    k = [f(w) if f0 is None else f0]
    for i in range(1, 7):
        k.append(f(w + h * sum(a * kk for a, kk in zip(_A[i], k, strict=False))))
    w_new = w + h * sum(b * kk for b, kk in zip(_B, k, strict=True))
    err = h * sum(e * kk for e, kk in zip(_E, k, strict=True))
    return w_new, err


def error_ratio(err: np.ndarray, w: np.ndarray, w_new: np.ndarray, rtol: float, atol: float) -> float:
    """RMS of the error estimate over the mixed tolerance (<= 1 accepts the step)."""
    scale = rtol * np.maximum(np.abs(w), np.abs(w_new)) + atol
    ratio = float(np.sqrt(np.mean((err / scale) ** 2)))
    return ratio if math.isfinite(ratio) else math.inf


def next_h(h: float, ratio: float) -> float:
    """Standard controller: grow at most 5x, shrink at most 5x."""
    if ratio == 0:
        return 5 * h
    if not math.isfinite(ratio):
        return h / 5
    return h * min(5.0, max(0.2, 0.9 * ratio ** (-0.2)))

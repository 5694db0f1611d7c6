"""The frozen 0.1 implementations as extra baselines for :func:`scalar_eos.speed.measure` (source checkout only).

``tests/classify_v01.py`` is a verbatim copy of 0.1's ``classify_batch`` and
the fast-path helpers it calls (GFS sharpness included); it is not installed
with the package, so this module puts the repository root on the path.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests import classify_v01  # noqa: E402

__all__ = ["EXTRA", "gd_v01", "gfs_sharpness_v01"]


def gfs_sharpness_v01(W: np.ndarray) -> np.ndarray:
    """0.1's ``fast.gfs_sharpness`` for ``y = 1``: chunks of 16384 rows through its ``_gfs_chunk``."""
    out = np.empty(len(W))
    with np.errstate(all="ignore"):
        for a in range(0, len(W), 1 << 14):
            wt = np.ascontiguousarray(W[a : a + (1 << 14)].T)
            out[a : a + wt.shape[1]] = classify_v01._gfs_chunk(wt, 1.0, 1.0, want_solution=False)["sharpness"]
    return out


def gd_v01(W: np.ndarray, eta: np.ndarray, steps: int) -> np.ndarray:
    """0.1's ``fast.gd(track=())`` for ``y = 1``: its one-step update on columns, ``steps`` times."""
    wt = np.array(W.T, dtype=float, order="C")
    with np.errstate(all="ignore"):
        for _ in range(steps):
            wt = classify_v01._step_cols(wt, eta, 1.0)
    return wt.T


def _classify_v01(W: np.ndarray, eta: np.ndarray, *, max_steps: int) -> dict[str, Any]:
    return classify_v01.classify_batch_v01(W, eta, max_steps=max_steps)


#: ``extra=`` for :func:`scalar_eos.speed.measure`: the 0.1 classifier and GFS sharpness.
EXTRA = {
    "classify": {"0.1 classify_batch": _classify_v01},
    "phase": {"0.1 classify_batch": _classify_v01},
    "gd": {"0.1 GD step loop": gd_v01},
    "gfs_d4": {"0.1 fast.gfs_sharpness": gfs_sharpness_v01},
}

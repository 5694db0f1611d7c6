"""What every compiled kernel shares: numba's options, the Newton limits and the fast path's status codes."""

from __future__ import annotations

import numpy as np

__all__ = ["EPS", "JIT", "MAX_NEWTON", "NONFINITE", "NOT_CONVERGED", "OK", "POLY_MAX_DEPTH", "RANGE", "SADDLE"]

#: Options of every kernel (IEEE arithmetic: no fastmath; cached on disk).
JIT = {"cache": True, "nogil": True, "error_model": "numpy"}

EPS = float(np.finfo(float).eps)
#: Newton iterations before a row is NOT_CONVERGED.
MAX_NEWTON = 200
#: Deepest rows whose GFS shift is a polynomial root (deeper: log-domain Newton).
POLY_MAX_DEPTH = 8

# status codes of the fast path (fast.Status)
OK, NONFINITE, SADDLE, RANGE, NOT_CONVERGED = 0, 1, 2, 3, 4

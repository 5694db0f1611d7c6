"""Status codes, result type and row chunking shared by the fast path."""

from __future__ import annotations

from collections.abc import Iterator
from enum import IntEnum
from typing import Any, NamedTuple

import numpy as np

from ..errors import InvalidArgument

#: Rows processed at once; keeps temporaries in cache and memory constant.
DEFAULT_CHUNK = 1 << 14


class Status(IntEnum):
    """Per-row status codes of the fast path."""

    OK = 0
    NONFINITE = 1
    SADDLE = 2
    RANGE = 3
    NOT_CONVERGED = 4
    DIVERGED = 5


class FastGFS(NamedTuple):
    """GFS of every row: arrays of shape ``(N,)`` (``solution``: ``(N, D)``).

    ``kind`` is ``"minimum"``/``"saddle"``/``"invalid"`` per row; rows whose
    status is not OK have NaN sharpness (saddle rows keep their saddle point as
    ``solution``).
    """

    solution: np.ndarray
    shift: np.ndarray
    sharpness: np.ndarray
    kind: np.ndarray
    status: np.ndarray


# --------------------------------------------------------------------------- inputs


def pick_rows(x: Any, idx: Any) -> Any:
    """``x[idx]`` for per-row arrays; scalars (one value for all rows) pass through."""
    return x if np.ndim(x) == 0 else x[idx]


def row_chunks(n: int, chunk: int) -> Iterator[slice]:
    """Slices of at most ``chunk`` consecutive rows covering ``range(n)``."""
    if chunk < 1:
        raise InvalidArgument(f"chunk must be a positive integer, got {chunk}")
    for start in range(0, n, chunk):
        yield slice(start, min(n, start + chunk))


# --------------------------------------------------------------------------- core

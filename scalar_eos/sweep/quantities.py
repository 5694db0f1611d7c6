"""What a ``mode="run"`` sweep can record per point: one entry per quantity, in column order.

A quantity has a name (the Parquet column and the design's ``quantities``
entry), the value a row gets when it has no result (``missing``, also fixing
the column's dtype), and how to compute it from the classified runs
(:class:`Runs`).  Adding a tracked quantity: one :class:`Quantity` in
:data:`QUANTITIES`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..outcome import OUTCOMES, OutcomeStatus, reason_text
from ..phase import CATEGORIES, categorize

__all__ = ["QUANTITIES", "RUN_QUANTITIES", "Quantity", "Runs", "empty_columns", "values"]


@dataclass(frozen=True)
class Runs:
    """The classified runs of a batch: the :func:`~scalar_eos.outcome.classify_batch` result and the inputs."""

    res: dict[str, np.ndarray]
    eta: np.ndarray
    target: np.ndarray
    psi0: np.ndarray
    delta: float

    @property
    def converged(self) -> np.ndarray:
        return self.res["status"] == OutcomeStatus.CONVERGED

    @property
    def final_ratio(self) -> np.ndarray:
        """Final GFS sharpness over the threshold ``2/eta``."""
        return self.res["final_sharpness"] * self.eta / 2


@dataclass(frozen=True)
class Quantity:
    """One recorded column: its name, the value of a row without a result, and its values."""

    name: str
    missing: Any
    dtype: Any
    value: Callable[[Runs], np.ndarray]

    def empty(self, n: int) -> np.ndarray:
        return np.full(n, self.missing, dtype=self.dtype)


def _names(codes: np.ndarray, names: tuple[str, ...]) -> np.ndarray:
    return np.array([names[s] for s in codes], dtype=object)


def _reasons(r: Runs) -> np.ndarray:
    pairs = zip(r.res["status"], r.res["reason"], strict=True)
    explained = (OutcomeStatus.UNDECIDED, OutcomeStatus.SADDLE_APPROACH)
    return np.array([reason_text(c) if s in explained else "" for s, c in pairs], dtype=object)


def _category(r: Runs) -> np.ndarray:
    return _names(categorize(r.res["status"], r.final_ratio, r.eta * r.psi0 <= 2, r.delta), CATEGORIES)


def _finite(x: np.ndarray) -> np.ndarray:
    return np.where(np.isfinite(x), x, np.nan)


#: The quantities, in column order.
QUANTITIES: tuple[Quantity, ...] = (
    Quantity("outcome", "", object, lambda r: _names(r.res["status"], OUTCOMES)),
    Quantity("category", "", object, _category),
    Quantity("period", 0, np.int32, lambda r: r.res["period"]),
    Quantity("final_sharpness", np.nan, float, lambda r: np.where(r.converged, r.res["final_sharpness"], np.nan)),
    Quantity("final_ratio", np.nan, float, lambda r: np.where(r.converged, r.final_ratio, np.nan)),
    Quantity("gap", np.nan, float, lambda r: np.where(r.converged, 2 / r.eta - r.res["final_sharpness"], np.nan)),
    Quantity("max_gfs_increase", np.nan, float, lambda r: _finite(r.res["max_gfs_increase"])),
    Quantity("gfs_monotone", False, bool, lambda r: r.res["gfs_monotone"]),
    Quantity("steps", 0, np.int64, lambda r: r.res["steps"]),
    Quantity("reason", "", object, _reasons),
    Quantity("lyapunov", np.nan, float, lambda r: r.res["lyapunov"]),
    Quantity("lyapunov_err", np.nan, float, lambda r: r.res["lyapunov_err"]),
)

#: Columns a ``mode="run"`` sweep can record (``quantities``); all by default.
RUN_QUANTITIES = tuple(q.name for q in QUANTITIES)

_BY_NAME = {q.name: q for q in QUANTITIES}


def empty_columns(n: int, names: list[str]) -> dict[str, np.ndarray]:
    """Columns of ``n`` rows without a result for the chosen quantities."""
    return {k: _BY_NAME[k].empty(n) for k in names}


def values(runs: Runs, names: list[str]) -> dict[str, np.ndarray]:
    """The chosen quantities of the classified runs."""
    return {k: _BY_NAME[k].value(runs) for k in names}

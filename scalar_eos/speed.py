"""Speed targets of the fast engines, measured side by side in one process.

Used by ``scalar-eos plot benchmark`` and ``benchmarks/run_all.py``.  Each
target runs, on the same inputs, a plain NumPy reference written from the
definitions (:mod:`scalar_eos._plain`; for the generic engine, SciPy's LSODA
and ``eigvalsh``), the previous implementation where the package still has
it (the NumPy engine, the LSODA path of the generic engine), any extra
baselines passed in (``benchmarks/`` adds the frozen 0.1 classifier of the
test suite) and the new engine.  Calls are interleaved (first run of every
implementation, then the second, ...) and timed in CPU seconds of this
process (``time.process_time``: on a shared machine the wall clock also counts
other processes; it is recorded too); the value is the median over the runs.
BLAS and OpenMP pools are limited to one thread while measuring (when
threadpoolctl is installed), so every number is per core.
Every target also checks that the implementations agree and records the
largest difference.

The record is plain JSON (``measure`` returns it): ``machine`` (CPU model,
cores, versions, load) and ``targets``, a list of dicts with ``id``,
``title``, ``unit``, ``higher_is_better``, ``goal``, ``goal_text``,
``size``, ``results`` (``name``, ``role`` - ``reference``, ``previous``,
``fallback`` or ``new`` - ``value``, ``cpu_s``, ``wall_s``), ``agreement``
and ``met``.
"""

from __future__ import annotations

import contextlib
import os
import platform
import time
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from . import fast
from ._engine import numba_version
from ._progress import Progress
from ._speed_record import (
    base_result,
    load_record,
    markdown_table,
    met,
    new_result,
    save_record,
    speedup,
    summary_lines,
)
from ._speed_targets import MEASURE, Extra, phase_design
from .errors import InvalidArgument
from .outcome import classify_batch

__all__ = [
    "TARGETS",
    "base_result",
    "load_record",
    "machine",
    "markdown_table",
    "measure",
    "new_result",
    "phase_design",
    "save_record",
    "speedup",
    "summary_lines",
]

#: Target ids in display order.
TARGETS = ("classify", "gd", "gfs_d4", "generic_mlp", "generic_mlp_gd", "phase")

#: Targets that take seconds per call at any size: with ``quick`` they run only when named.
_SLOW = ("generic_mlp", "generic_mlp_gd")


def machine() -> dict[str, Any]:
    """CPU model, cores, platform, Python/NumPy/numba/SciPy versions and the load average now.

    Examples
    --------
    >>> m = machine()
    >>> m["cores"] >= 1, m["numpy"] == np.__version__
    (True, True)
    """
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        import scipy

        scipy_version: str | None = scipy.__version__
    except ImportError:
        scipy_version = None
    load = [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "load": load,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numba": numba_version(),
        "scipy": scipy_version,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


@contextlib.contextmanager
def _one_blas_thread(info: dict[str, Any]) -> Iterator[None]:
    """Limit BLAS/OpenMP pools to one thread (per-core numbers; CPU time would count idle spinning of a second
    thread), when threadpoolctl is installed; record what was done in ``info["blas_threads"]``."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        info["blas_threads"] = "library default (threadpoolctl not installed)"
        yield
        return
    with threadpool_limits(limits=1):
        info["blas_threads"] = 1
        yield


def measure(
    targets: Sequence[str] | None = None,
    *,
    quick: bool = False,
    reps: int = 3,
    extra: Extra | None = None,
    progress: bool | None = None,
) -> dict[str, Any]:
    """Measure the speed targets; returns the JSON-ready record described in the module docstring.

    Parameters
    ----------
    targets : sequence of str, optional
        Ids from :data:`TARGETS` (default: all).
    quick : bool
        Smaller sizes (about a minute of CPU in all); the phase design keeps its size and
        ``generic_mlp`` / ``generic_mlp_gd`` (seconds per GFS at any size) run only when named in ``targets``.
    reps : int
        Timed runs per implementation (median reported), at least 1.  With
        ``quick`` the slow baselines of ``phase`` and the generic targets run once.
    extra : mapping, optional
        Extra previous implementations per target, ``{target: {name: fn}}``:
        ``classify`` and ``phase`` call ``fn(W, eta, max_steps=...)`` and read
        ``status``, ``steps``, ``final_sharpness`` of the returned dict (as
        :func:`scalar_eos.classify_batch`); ``gd`` calls ``fn(W, eta, steps)``;
        ``gfs_d4`` calls ``fn(W)`` and reads the sharpness array.
    progress : bool, optional
        Progress line on stderr (default: when stderr is a terminal).

    Examples
    --------
    >>> rec = measure(["gfs_d4"], quick=True, reps=1)  # doctest: +SKIP
    >>> rec["targets"][0]["met"]  # doctest: +SKIP
    True
    """
    ids = list(TARGETS if targets is None else targets)
    # minutes per run at any size: only on request with quick
    skip_generic = quick and targets is None
    unknown = [t for t in ids if t not in MEASURE]
    if unknown:
        raise InvalidArgument(f"unknown benchmark targets {unknown}; choose from {list(TARGETS)}")
    if isinstance(reps, bool) or not isinstance(reps, int) or reps < 1:
        raise InvalidArgument(f"reps must be a positive integer, got {reps!r}")
    if numba_version() is None:
        raise InvalidArgument("the benchmark compares the numba engine: pip install 'scalar-eos[fast]'")
    total = sum(MEASURE[t](quick, reps, extra, None)["calls"] for t in ids if not (skip_generic and t in _SLOW))
    record: dict[str, Any] = {"machine": machine(), "quick": quick, "reps": reps, "targets": []}
    fast.gfs_sharpness(np.ones((2, 4)), engine="numba")  # compile (or load the cache) outside the timings
    fast.gd(np.ones((2, 3)), np.full(2, 0.1), 2, track=(), engine="numba")  # per-row eta, as timed
    classify_batch(np.ones((2, 3)), [0.3, 0.3], max_steps=64, engine="numba")
    with (
        _one_blas_thread(record["machine"]),
        Progress(total, "benchmark", enabled=progress, ticker=True, unit="runs") as bar,
    ):
        for t in ids:
            if skip_generic and t in _SLOW:
                res = MEASURE[t](quick, reps, extra, None)
                res["skipped"] = "not run with quick sizes (minutes per GFS); ask for it by name or run full size"
                record["targets"].append({k: v for k, v in res.items() if k != "calls"})
                continue
            res = MEASURE[t](quick, reps, extra, bar)
            res.pop("calls", None)
            res["met"] = met(res)
            record["targets"].append(res)
    record["machine"]["load_after"] = machine()["load"]
    return record

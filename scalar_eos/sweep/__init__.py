"""Resumable sweeps over parameter space, serial or on a Dask cluster.

A sweep maps a design - depths, weight distributions or grids, step sizes,
targets - to one row per point: a one-step check of chosen claims
(``mode="step"``) or a full GD run with its outcome (``mode="run"``).

Rows are computed in chunks of ``chunk`` consecutive rows.  Chunk ``k`` draws
its random numbers from its own generator ``SeedSequence([seed, k])``, so a
chunk's values do not depend on which process computes it, in what order, or
whether the sweep was interrupted before.  Each finished chunk is written
atomically (temporary file + rename) as a Parquet file under ``OUT.parts/``;
when all chunks exist they are merged, in order, into ``OUT`` (again via a
temporary file + rename), with the design and the package version in the
Parquet schema metadata (key ``scalar_eos``), and ``OUT.parts/`` is removed.
Killing the process at any moment and re-running the same command resumes:
finished chunks are kept, the rest are computed, and the final file is
identical, byte for byte, to the one of an uninterrupted run.

Layout: :mod:`.design` (schema and validation), :mod:`.compute` (one chunk),
:mod:`.storage` (Parquet files, metadata, resume checks), :mod:`.runner`
(serial or Dask driver), :mod:`.reporting` (aggregates and the figure).

Design (a dict, or a TOML/JSON file; every key optional except where noted)::

    depth = 3                  # or a list of depths (a grid axis)
    samples = 10000            # random draws per grid cell
    seed = 0
    mode = "step"              # or "run"
    chunk = 2048               # rows per chunk (part of the design: it fixes the seeds)
    claims = ["step-decrease", "step-decrease-s"]   # claims to check (step or trajectory claims)
    max_steps = 20000          # mode "run": GD budget per point
    quantities = ["outcome", "final_ratio", "max_gfs_increase"]  # mode "run": columns to keep
    delta = 0.05               # mode "run": EoS window for the phase category

    [weights]                  # i.i.d. magnitudes per layer ...
    dist = "loguniform"        # "loguniform" or "uniform"
    low = 0.2
    high = 5.0
    signs = "positive"         # or "mixed" (each sign +-1 with probability 1/2)
    # ... or a phase-diagram family: w0 = |r y|^(1/D) (e^k, e^-k, 1, ..., 1)
    # pi_over_y = {linspace = [0.05, 1.95, 20]}  # r = pi(w0) / y
    # imbalance = 0.5                            # k

    [eta_psi]                  # step size through eta * psi(w0) ... (or [eta]: the step size itself)
    dist = "uniform"
    low = 0.5
    high = 3.0

    target = 1.0

A scalar parameter (``target``, ``eta``, ``eta_psi``, ``pi_over_y``,
``imbalance``) is a number, ``{value = x}``, a distribution ``{dist =
"uniform" | "loguniform", low = a, high = b}``, or a grid axis ``{grid = [...]}``,
``{linspace = [a, b, n]}``, ``{logspace = [a, b, n]}`` (``n`` values from
``a`` to ``b``).  The rows are the grid cells (row-major, axes in the order
depth, target, pi_over_y, imbalance, eta/eta_psi) times ``samples`` draws each.

The columns of a sweep file: ``row``, ``depth``, ``target``, ``eta``, ``w1``
... ``wD``, ``pi_over_y0`` (``pi(w0)/y``), ``psi0``, ``eta_psi0``
(``eta * psi(w0)``), ``fast_status``, then the mode's columns.  Files and
designs of release 0.1 (column ``product0``, design key ``weights.product``)
are still read, with a :class:`DeprecationWarning`.
"""

from __future__ import annotations

from ..errors import SweepMismatch
from .compute import compute_chunk
from .design import RUN_QUANTITIES, load_design, n_chunks, normalize_design, total_rows
from .reporting import SweepReport, plot_report, report
from .runner import SweepResult, sigterm_as_interrupt, sweep
from .storage import read_sweep

__all__ = [
    "RUN_QUANTITIES",
    "SweepMismatch",
    "SweepReport",
    "SweepResult",
    "compute_chunk",
    "load_design",
    "n_chunks",
    "normalize_design",
    "plot_report",
    "read_sweep",
    "report",
    "sigterm_as_interrupt",
    "sweep",
    "total_rows",
]

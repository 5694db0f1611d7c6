"""Running a sweep: serial or on Dask, resumable, with progress."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import signal
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .. import claims
from .._lock import OutputLock
from .._progress import Progress
from .._validate import check_int
from ..claimsfile import claims_file_of, ensure_claims_files
from ..errors import InvalidArgument, MissingDependency
from .compute import compute_chunk
from .design import n_chunks, normalize_design, total_rows
from .storage import (
    atomic_write_table,
    atomic_write_text,
    check_same,
    chunk_path,
    clean_tmp,
    done_chunks,
    merge,
    meta_text,
    read_sweep,
    require_pyarrow,
    to_table,
)

__all__ = ["SweepResult", "chunk_task", "sigterm_as_interrupt", "sweep"]


@dataclass
class SweepResult:
    """What :func:`sweep` did: the file, its rows, and how many chunks were computed now."""

    path: str
    rows: int
    chunks: int
    computed: int
    resumed: int
    seconds: float
    complete: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "rows": self.rows,
            "chunks": self.chunks,
            "computed": self.computed,
            "resumed": self.resumed,
            "seconds": round(self.seconds, 3),
            "complete": self.complete,
        }

    def format_text(self) -> str:
        """One line for humans (``scalar-eos sweep``)."""
        if self.computed == 0 and self.resumed == self.chunks:
            return f"{self.path}: already complete ({self.rows} rows, same design); nothing to do"
        resumed = f", {self.resumed} resumed" if self.resumed else ""
        return (
            f"wrote {self.path}: {self.rows} rows in {self.chunks} chunks ({self.computed} computed{resumed}) "
            f"in {self.seconds:.1f} s"
        )


def sweep(
    design: Mapping[str, Any],
    out: str | os.PathLike[str],
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool | None = None,
    max_chunks: int | None = None,
) -> SweepResult:
    """Run (or resume) a sweep and write ``out`` (Parquet).

    Parameters
    ----------
    design : mapping
        A design (see the module docstring); it is normalised first.
    out : path
        Output file.  Work in progress lives in ``out + ".parts/"``.
    workers : int, optional
        Run chunks on a local Dask cluster with this many worker processes.  The workers load the claims
        files that registered the design's claims (:func:`scalar_eos.claimsfile.load_claims_file`); a claim
        registered in code only is refused, since worker processes cannot know it.
    scheduler : str, optional
        Address of an existing Dask scheduler (``tcp://host:8786``); its workers must be able to read those
        claims files at the same paths.
    progress : bool, optional
        Progress bar on stderr (default: when someone watches it: a terminal or a Jupyter notebook).
    max_chunks : int, optional
        Stop after computing this many new chunks (the sweep stays resumable).

    Examples
    --------
    >>> import tempfile, os
    >>> out = os.path.join(tempfile.mkdtemp(), "s.parquet")
    >>> r = sweep({"depth": 2, "samples": 300, "seed": 1, "chunk": 100}, out)
    >>> r.rows, r.chunks, r.computed
    (300, 3, 3)
    >>> sweep({"depth": 2, "samples": 300, "seed": 1, "chunk": 100}, out).computed
    0
    """
    pa = require_pyarrow()
    d = normalize_design(design)
    if workers is not None and scheduler is not None:
        raise InvalidArgument("give either workers or scheduler, not both")
    if workers is not None:
        check_int(workers, "workers", 1, 1024)
    if max_chunks is not None:
        check_int(max_chunks, "max_chunks", 0)
    files = _claims_files(d) if workers is not None or scheduler is not None else []
    t0 = time.monotonic()
    out_p = Path(out)
    parts = out_p.with_name(out_p.name + ".parts")
    nch, total = n_chunks(d), total_rows(d)
    if out_p.exists():
        _table, stored = read_sweep(out_p)
        check_same(stored, d, str(out_p))
        if parts.exists():
            shutil.rmtree(parts, ignore_errors=True)
        return SweepResult(str(out_p), total, nch, 0, nch, time.monotonic() - t0)
    if not out_p.parent.exists():
        raise InvalidArgument(f"directory {str(out_p.parent)!r} does not exist")
    with OutputLock(out_p, "sweep"):  # a second writer of the same OUT is refused, naming the process
        if out_p.exists():  # finished by another writer just before we took the lock
            _table, stored = read_sweep(out_p)
            check_same(stored, d, str(out_p))
            return SweepResult(str(out_p), total, nch, 0, nch, time.monotonic() - t0)
        done = _open_parts(d, out_p, parts)
        todo = [k for k in range(nch) if k not in done]
        if max_chunks is not None:
            todo = todo[:max_chunks]
        label = "sweep" + (f" (resuming: {len(done)}/{nch} chunks done)" if done else "")
        computed = _compute(d, todo, parts, label, progress, workers, scheduler, files)
        complete = len(done_chunks(parts, nch)) == nch
        if complete:
            merge(d, parts, out_p, nch, pa)
            shutil.rmtree(parts, ignore_errors=True)
    return SweepResult(str(out_p), total, nch, computed, len(done), time.monotonic() - t0, complete)


def _open_parts(d: Mapping[str, Any], out_p: Path, parts: Path) -> set[int]:
    """Create or check ``OUT.parts/`` (its stored design must be ``d``); the chunks already done."""
    if not out_p.parent.exists():
        raise InvalidArgument(f"directory {str(out_p.parent)!r} does not exist")
    for stale in out_p.parent.glob(out_p.name + ".tmp-*"):  # a merge killed before its rename
        with contextlib.suppress(OSError):
            stale.unlink()
    parts.mkdir(exist_ok=True)
    design_file = parts / "design.json"
    stored = None
    if design_file.exists():
        try:
            stored = json.loads(design_file.read_text(encoding="utf-8"))
        except ValueError:
            stored = None
        if stored is not None:
            check_same(stored, d, str(parts))
    if stored is None:
        atomic_write_text(meta_text(d), design_file)
    clean_tmp(parts)
    return done_chunks(parts, n_chunks(d))


def _compute(
    d: Mapping[str, Any],
    todo: list[int],
    parts: Path,
    label: str,
    progress: bool | None,
    workers: int | None,
    scheduler: str | None,
    files: list[str],
) -> int:
    """Compute and save the chunks ``todo`` (serial, or on Dask with workers loading ``files``); the number saved."""
    total = total_rows(d)
    rows_todo = sum(min(total, (k + 1) * d["chunk"]) - k * d["chunk"] for k in todo)
    computed = 0
    with Progress(rows_todo, label, enabled=progress) as bar:

        def save(k: int, cols: dict[str, np.ndarray]) -> None:
            nonlocal computed
            atomic_write_table(to_table(cols), chunk_path(parts, k))
            computed += 1
            bar.update(len(cols["row"]))

        if workers is None and scheduler is None:
            for k in todo:
                save(k, compute_chunk(d, k))
        else:
            _run_dask(d, todo, save, workers, scheduler, files)
    return computed


def _claims_files(d: Mapping[str, Any]) -> list[str]:
    """The claims files that worker processes must load to know the design's claims.

    A claim that is neither built in nor registered by a claims file exists in this process only: refused.
    """
    files = []
    builtin = {id(m.CLAIM) for m in claims.BUILTINS}
    for cid in d["claims"]:
        c = claims.get(cid)
        if id(c) in builtin:
            continue
        path = claims_file_of(cid)
        if path is None:
            raise InvalidArgument(
                f"claim {cid!r} was registered in this process only, so sweep worker processes cannot know it; "
                "define it in a claims file and load it with scalar_eos.claimsfile.load_claims_file "
                "(command line: --claims-file FILE.py)"
            )
        files.append(path)
    return list(dict.fromkeys(files))


def chunk_task(design: Mapping[str, Any], k: int, claims_files: list[str]) -> dict[str, np.ndarray]:
    """:func:`compute_chunk` in a worker process: the design's claims files are loaded first (once per process)."""
    ensure_claims_files(claims_files)
    return compute_chunk(design, k)


def _run_dask(
    d, todo: list[int], save: Callable[[int, dict], None], workers: int | None, scheduler: str | None, files: list[str]
) -> None:
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise MissingDependency("--workers/--scheduler need Dask: pip install 'scalar-eos[dask]'") from None
    with _dask_logs_quiet(), contextlib.ExitStack() as stack:
        if scheduler is not None:
            try:
                client = Client(scheduler, timeout="10s")
            except (OSError, TimeoutError) as e:
                raise InvalidArgument(f"cannot connect to the Dask scheduler at {scheduler!r}: {e}") from None
        else:
            cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                # no dashboard; the scheduler's HTTP endpoints on a free local port, not on 8787 (taken by any
                # other cluster on the machine: Dask then warns on stderr and moves)
                scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
            )
            stack.callback(cluster.close)
            client = Client(cluster)
        with client:
            window = 4 * max(1, len(client.scheduler_info().get("workers", {})) or (workers or 1))
            pending = iter(todo)
            futures = {}
            for k in _take(pending, window):
                futures[client.submit(chunk_task, d, k, files, pure=False)] = k
            ac = as_completed(list(futures))
            for fut in ac:
                k = futures.pop(fut)
                save(k, fut.result())
                fut.release()
                for k2 in _take(pending, 1):
                    nf = client.submit(chunk_task, d, k2, files, pure=False)
                    futures[nf] = k2
                    ac.add(nf)


#: Level above CRITICAL: Dask's own log records are dropped while a sweep runs on it.
_SILENT = logging.CRITICAL + 10
#: Loggers Dask sets up (``distributed`` and the children it gives a level of their own).
_DASK_LOGGERS = ("distributed", "distributed.client", "distributed.gc", "tornado", "tornado.application", "bokeh")
#: The Dask configuration of a worker process's log level, read when a local cluster's worker starts.
_WORKER_LOG_ENV = "DASK_DISTRIBUTED__LOGGING__DISTRIBUTED"


@contextlib.contextmanager
def _dask_logs_quiet() -> Iterator[None]:
    """No Dask log records on stderr while a sweep runs on Dask (restored afterwards).

    A task that raises is reported by Dask twice: a multi-line record from the worker ("Compute Failed" with
    the remote traceback, then heartbeat errors of the closing workers) and the exception itself, re-raised by
    the chunk's future here.  The exception is what the caller gets (the command line prints it as one line),
    so the records are dropped: in this process by raising the level of Dask's loggers, in the worker
    processes of a local cluster by the environment they start with.  Workers of an existing scheduler log
    where they run.
    """
    import dask

    loggers = [logging.getLogger(name) for name in _DASK_LOGGERS]
    levels = [lg.level for lg in loggers]
    env = os.environ.get(_WORKER_LOG_ENV)
    file_config = dask.config.get("distributed.logging-file-config", None) or dask.config.get(
        "logging-file-config", None
    )
    try:
        for lg in loggers:
            lg.setLevel(_SILENT)
        if file_config is None:  # Dask refuses both a logging file and a logging level
            os.environ[_WORKER_LOG_ENV] = str(_SILENT)
        yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)
        if env is None:
            os.environ.pop(_WORKER_LOG_ENV, None)
        else:
            os.environ[_WORKER_LOG_ENV] = env


def _take(it: Iterator[int], n: int) -> list[int]:
    out = []
    for _ in range(n):
        try:
            out.append(next(it))
        except StopIteration:
            break
    return out


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Treat SIGTERM like Ctrl-C (finished chunks are on disk either way)."""

    def handler(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    try:
        old = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)

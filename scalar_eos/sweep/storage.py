"""Sweep files: Parquet chunks written atomically, the merged file with its metadata, resume checks."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from .._deprecate import OLD_COLUMNS, OLD_WEIGHT_KEYS, rename_keys
from .._optional import require
from ..errors import InvalidArgument, SweepMismatch

__all__ = [
    "META_KEY",
    "atomic_write_table",
    "atomic_write_text",
    "check_same",
    "chunk_path",
    "clean_tmp",
    "done_chunks",
    "merge",
    "meta_text",
    "read_sweep",
    "require_pyarrow",
    "to_table",
    "upgrade_design",
    "upgrade_table",
]

META_KEY = b"scalar_eos"


def require_pyarrow() -> Any:
    """``pyarrow`` (with ``pyarrow.parquet`` loaded), or :class:`~scalar_eos.errors.MissingDependency`."""
    require("pyarrow.parquet", "sweeps", "sweep")
    return require("pyarrow", "sweeps", "sweep")


def to_table(cols: Mapping[str, np.ndarray]) -> Any:
    pa = require_pyarrow()
    arrays, names = [], []
    for name, v in cols.items():
        if v.dtype == object:
            arrays.append(pa.array(v.tolist(), type=pa.string()))
        else:
            arrays.append(pa.array(v))
        names.append(name)
    return pa.table(arrays, names=names)


def atomic_write_table(table: Any, path: Path) -> None:
    import pyarrow.parquet as pq

    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    pq.write_table(table, tmp, compression="zstd")
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    os.replace(tmp, path)


def atomic_write_text(text: str, path: Path) -> None:
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _meta(design: Mapping[str, Any]) -> dict[str, Any]:
    """Design, package version and the float64 engine (``{"engine": "numba" | "numpy", "version"}``).

    The engine is recorded, not checked on resume: the engines agree bit for bit for ``D <= 8``.
    """
    from .. import __version__
    from .._engine import engine_info

    return {"design": design, "version": __version__, "engine": engine_info()}


def meta_text(design: Mapping[str, Any]) -> str:
    return json.dumps(_meta(design), sort_keys=True, indent=1)


def read_sweep(path: str | os.PathLike[str]) -> tuple[Any, dict[str, Any]]:
    """The table of a finished sweep file and its metadata ``{"design", "version"}``.

    ``table.to_pandas()`` or ``polars.read_parquet(path)`` read the same file.
    """
    require_pyarrow()
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except (OSError, ValueError) as e:
        raise InvalidArgument(f"cannot read sweep file {str(path)!r}: {e}") from None
    raw = (table.schema.metadata or {}).get(META_KEY)
    if raw is None:
        raise InvalidArgument(f"{str(path)!r} is a Parquet file but not a scalar-eos sweep (no metadata)")
    meta = json.loads(raw)
    if isinstance(meta.get("design"), Mapping):
        meta["design"] = upgrade_design(meta["design"], str(path))
    return upgrade_table(table, str(path)), meta


def upgrade_table(table: Any, where: str) -> Any:
    """``table`` with the columns of earlier releases renamed (``product0`` -> ``pi_over_y0``), with a warning."""
    names = list(table.column_names)
    if not any(c in OLD_COLUMNS for c in names):
        return table
    new = list(rename_keys(dict.fromkeys(names), OLD_COLUMNS, f"{where}: sweep column"))
    return table.rename_columns(new)


def upgrade_design(design: Mapping[str, Any], where: str) -> dict[str, Any]:
    """A stored design with the keys of earlier releases renamed (``weights.product`` -> ``weights.pi_over_y``)."""
    out = dict(design)
    if isinstance(out.get("weights"), Mapping):
        out["weights"] = rename_keys(out["weights"], OLD_WEIGHT_KEYS, f"{where}: design key weights")
    return out


def _diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> str:
    keys = sorted(set(old) | set(new))
    diffs = [f"{k}: {old.get(k)!r} -> {new.get(k)!r}" for k in keys if old.get(k) != new.get(k)]
    return "; ".join(diffs)


def check_same(stored: Mapping[str, Any], design: Mapping[str, Any], where: str) -> None:
    meta = _meta(design)
    if isinstance(stored.get("design"), Mapping):
        stored = {**stored, "design": upgrade_design(stored["design"], where)}
    if stored.get("design") != meta["design"]:
        raise SweepMismatch(
            f"{where} holds a sweep with a different design ({_diff(stored.get('design') or {}, design)}); "
            "use another --out, or delete it to start over"
        )
    if stored.get("version") != meta["version"]:
        raise SweepMismatch(
            f"{where} was written by scalar-eos {stored.get('version')}, this is {meta['version']}: "
            "values could differ; use another --out, or delete it to start over"
        )


def chunk_path(parts: Path, k: int) -> Path:
    return parts / f"chunk-{k:08d}.parquet"


def done_chunks(parts: Path, nch: int) -> set[int]:
    done = set()
    for p in parts.glob("chunk-*.parquet"):
        try:
            k = int(p.stem.split("-")[1])
        except (IndexError, ValueError):
            continue
        if 0 <= k < nch:
            done.add(k)
    return done


def clean_tmp(parts: Path) -> None:
    for p in parts.glob("*.tmp-*"):
        with contextlib.suppress(OSError):
            p.unlink()


def merge(d: Mapping[str, Any], parts: Path, out_p: Path, nch: int, pa: Any) -> None:
    import pyarrow.parquet as pq

    tables = [upgrade_table(pq.read_table(chunk_path(parts, k)), str(parts)) for k in range(nch)]
    table = pa.concat_tables(tables)
    table = table.replace_schema_metadata({META_KEY: meta_text(d).encode()})
    atomic_write_table(table, out_p)

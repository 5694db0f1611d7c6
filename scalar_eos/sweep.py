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
    # ... or a phase-diagram family: w0 = |rho y|^(1/D) (e^k, e^-k, 1, ..., 1)
    # product = {linspace = [0.05, 1.95, 20]}    # rho = pi(w0) / y
    # imbalance = 0.5                            # k

    [eta_psi]                  # step size through eta * psi(w0) ... (or [eta]: the step size itself)
    dist = "uniform"
    low = 0.5
    high = 3.0

    target = 1.0

A scalar parameter (``target``, ``eta``, ``eta_psi``, ``product``,
``imbalance``) is a number, ``{value = x}``, a distribution ``{dist =
"uniform" | "loguniform", low = a, high = b}``, or a grid axis ``{grid = [...]}``,
``{linspace = [a, b, n]}``, ``{logspace = [a, b, n]}`` (``n`` values from
``a`` to ``b``).  The rows are the grid cells (row-major, axes in the order
depth, target, product, imbalance, eta/eta_psi) times ``samples`` draws each.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
import signal
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from . import claims as claims_mod
from . import fast
from ._progress import Progress
from .errors import InvalidArgument, ScalarEOSError
from .outcome import OUTCOMES, classify_batch, outcome_at, reason_text
from .phase import CATEGORIES, categorize

__all__ = [
    "RUN_QUANTITIES",
    "SweepResult",
    "compute_chunk",
    "load_design",
    "normalize_design",
    "read_sweep",
    "report",
    "sweep",
]

FORMAT = 1
META_KEY = b"scalar_eos"
MAX_ROWS = 10**10
MAX_DEPTH = 64
#: Columns a ``mode="run"`` sweep can record (``quantities``); all by default.
RUN_QUANTITIES = (
    "outcome",
    "category",
    "period",
    "final_sharpness",
    "final_ratio",
    "gap",
    "max_gfs_increase",
    "gfs_monotone",
    "steps",
    "reason",
)
_SCALARS = ("target", "product", "imbalance", "eta", "eta_psi")
_DEFAULT_CHUNK = {"step": 4096, "run": 512}


class SweepMismatch(ScalarEOSError):
    """The output already holds a sweep with a different design or version."""


def _require_pyarrow() -> Any:
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError:
        raise InvalidArgument("sweeps need pyarrow: pip install 'scalar-eos[sweep]'") from None
    return pyarrow


# --------------------------------------------------------------------------- design


def load_design(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a design file (``.toml`` or ``.json``) into a dict (not yet normalised)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as e:
        raise InvalidArgument(f"cannot read design file {str(p)!r}: {e.strerror or e}") from None
    try:
        if p.suffix.lower() == ".json":
            data = json.loads(text)
        else:
            import tomllib

            data = tomllib.loads(text)
    except (ValueError, TypeError) as e:
        raise InvalidArgument(f"design file {str(p)!r} is not valid {p.suffix[1:].upper() or 'TOML'}: {e}") from None
    if not isinstance(data, dict):
        raise InvalidArgument(f"design file {str(p)!r} must hold a table/object at the top level")
    return data


def _num(value: Any, where: str, *, positive: bool = False, nonzero: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidArgument(f"{where} must be a number, got {value!r}")
    x = float(value)
    if not math.isfinite(x):
        raise InvalidArgument(f"{where} must be finite, got {value!r}")
    if positive and x <= 0:
        raise InvalidArgument(f"{where} must be positive, got {value!r}")
    if nonzero and x == 0:
        raise InvalidArgument(f"{where} must be non-zero, got {value!r}")
    return x


def _int(value: Any, where: str, lo: int, hi: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidArgument(f"{where} must be an integer, got {value!r}")
    if value < lo or (hi is not None and value > hi):
        rng = f">= {lo}" if hi is None else f"in [{lo}, {hi}]"
        raise InvalidArgument(f"{where} must be an integer {rng}, got {value}")
    return int(value)


def _spec(value: Any, name: str, *, positive: bool, nonzero: bool = False) -> dict[str, Any]:
    """Normalise a scalar parameter spec."""
    if not isinstance(value, Mapping):
        return {"value": _num(value, name, positive=positive, nonzero=nonzero)}
    keys = set(value)
    kinds = keys & {"value", "dist", "grid", "linspace", "logspace"}
    if len(kinds) != 1:
        raise InvalidArgument(
            f"{name} must have exactly one of value, dist, grid, linspace, logspace; got keys {sorted(keys)}"
        )
    kind = kinds.pop()
    allowed = {"dist", "low", "high"} if kind == "dist" else {kind}
    if keys - allowed:
        raise InvalidArgument(f"{name}: unknown keys {sorted(keys - allowed)}")
    if kind == "value":
        return {"value": _num(value["value"], f"{name}.value", positive=positive, nonzero=nonzero)}
    if kind == "dist":
        dist = value["dist"]
        if dist not in ("uniform", "loguniform"):
            raise InvalidArgument(f"{name}.dist must be 'uniform' or 'loguniform', got {dist!r}")
        if "low" not in value or "high" not in value:
            raise InvalidArgument(f"{name}: a distribution needs low and high")
        lo = _num(value["low"], f"{name}.low", positive=positive or dist == "loguniform")
        hi = _num(value["high"], f"{name}.high", positive=positive or dist == "loguniform")
        if not lo < hi:
            raise InvalidArgument(f"{name}: low must be < high, got {lo} and {hi}")
        if nonzero and lo <= 0 <= hi:
            raise InvalidArgument(f"{name}: the range [{lo}, {hi}] contains 0")
        return {"dist": dist, "low": lo, "high": hi}
    if kind == "grid":
        vals = value["grid"]
        if not isinstance(vals, list) or not vals:
            raise InvalidArgument(f"{name}.grid must be a non-empty list of numbers")
        return {"grid": [_num(v, f"{name}.grid[]", positive=positive, nonzero=nonzero) for v in vals]}
    triple = value[kind]
    if not isinstance(triple, list) or len(triple) != 3:
        raise InvalidArgument(f"{name}.{kind} must be [start, stop, count]")
    a = _num(triple[0], f"{name}.{kind}[0]", positive=kind == "logspace")
    b = _num(triple[1], f"{name}.{kind}[1]", positive=kind == "logspace")
    n = _int(triple[2], f"{name}.{kind}[2]", 1, 10**6)
    vals = np.geomspace(a, b, n) if kind == "logspace" else np.linspace(a, b, n)
    return {"grid": [_num(float(v), f"{name}.{kind}", positive=positive, nonzero=nonzero) for v in vals]}


def normalize_design(design: Mapping[str, Any] | None = None, **overrides: Any) -> dict[str, Any]:
    """Validate a design and fill in the defaults; the result is what gets stored and compared.

    Keyword ``overrides`` (``depth``, ``samples``, ``seed``, ``mode``, ...)
    replace the corresponding keys of ``design`` when not None.

    Examples
    --------
    >>> d = normalize_design(depth=3, samples=100, seed=1)
    >>> d["mode"], d["chunk"], d["eta_psi"], d["weights"]["dist"]
    ('step', 4096, {'dist': 'uniform', 'low': 0.5, 'high': 3.0}, 'loguniform')
    >>> normalize_design({"depth": 0})
    Traceback (most recent call last):
    ...
    scalar_eos.errors.InvalidArgument: depth must be an integer in [1, 64], got 0
    """
    raw = dict(design or {})
    for k, v in overrides.items():
        if v is not None:
            raw[k] = v
    known = {
        "format",
        "depth",
        "samples",
        "seed",
        "mode",
        "chunk",
        "claims",
        "max_steps",
        "quantities",
        "delta",
        "weights",
        "eta",
        "eta_psi",
        "target",
    }
    unknown = set(raw) - known
    if unknown:
        raise InvalidArgument(f"unknown design keys {sorted(unknown)}; known: {sorted(known)}")
    if raw.get("format", FORMAT) != FORMAT:
        raise InvalidArgument(f"design format {raw['format']!r} is not supported (this version reads {FORMAT})")
    depth = raw.get("depth", 3)
    depths = depth if isinstance(depth, list) else [depth]
    if not depths:
        raise InvalidArgument("depth must be an integer or a non-empty list of integers")
    depths = [_int(d, "depth", 1, MAX_DEPTH) for d in depths]
    mode = raw.get("mode", "step")
    if mode not in ("step", "run"):
        raise InvalidArgument(f"mode must be 'step' or 'run', got {mode!r}")
    out: dict[str, Any] = {
        "format": FORMAT,
        "depth": depths,
        "samples": _int(raw.get("samples", 10_000), "samples", 1),
        "seed": _int(raw.get("seed", 0), "seed", 0),
        "mode": mode,
        "chunk": _int(raw.get("chunk", _DEFAULT_CHUNK[mode]), "chunk", 1, 10**7),
    }
    out["target"] = _spec(raw.get("target", 1.0), "target", positive=False, nonzero=True)
    weights = raw.get("weights", {"dist": "loguniform", "low": 0.2, "high": 5.0})
    if not isinstance(weights, Mapping):
        raise InvalidArgument("weights must be a table: {dist, low, high, signs} or {product, imbalance}")
    if "product" in weights:
        extra = set(weights) - {"product", "imbalance"}
        if extra:
            raise InvalidArgument(f"weights: unknown keys {sorted(extra)} next to product")
        out["weights"] = {
            "product": _spec(weights["product"], "weights.product", positive=False, nonzero=True),
            "imbalance": _spec(weights.get("imbalance", 0.5), "weights.imbalance", positive=False),
        }
    else:
        extra = set(weights) - {"dist", "low", "high", "signs"}
        if extra:
            raise InvalidArgument(f"weights: unknown keys {sorted(extra)}")
        signs = weights.get("signs", "positive")
        if signs not in ("positive", "mixed"):
            raise InvalidArgument(f"weights.signs must be 'positive' or 'mixed', got {signs!r}")
        spec = _spec({k: v for k, v in weights.items() if k != "signs"}, "weights", positive=True)
        if "dist" not in spec:
            raise InvalidArgument("weights must give a distribution (dist, low, high) or a product family")
        out["weights"] = {**spec, "signs": signs}
    if "eta" in raw and "eta_psi" in raw:
        raise InvalidArgument("give either eta or eta_psi, not both")
    if "eta" in raw:
        out["eta"] = _spec(raw["eta"], "eta", positive=True)
    else:
        out["eta_psi"] = _spec(
            raw.get("eta_psi", {"dist": "uniform", "low": 0.5, "high": 3.0}), "eta_psi", positive=True
        )
    kind = "step" if mode == "step" else "trajectory"
    default_claims = [c.id for c in claims_mod.registry() if c.kind == kind and c.batch_hypothesis is not None]
    if mode == "run":
        default_claims = ["eos-convergence"]
    ids = raw.get("claims", default_claims)
    if isinstance(ids, str):
        ids = [s.strip() for s in ids.split(",") if s.strip()]
    if not isinstance(ids, list) or not all(isinstance(c, str) for c in ids):
        raise InvalidArgument("claims must be a list of claim ids")
    for cid in ids:
        try:
            c = claims_mod.get(cid)
        except InvalidArgument:
            raise InvalidArgument(f"unknown claim {cid!r}; see `scalar-eos claims`") from None
        if c.kind != kind:
            raise InvalidArgument(f"claim {cid!r} is a {c.kind} claim; mode {mode!r} checks {kind} claims")
    out["claims"] = list(dict.fromkeys(ids))
    if mode == "run":
        out["max_steps"] = _int(raw.get("max_steps", 20_000), "max_steps", 1, 10**8)
        q = raw.get("quantities", list(RUN_QUANTITIES))
        if isinstance(q, str):
            q = [s.strip() for s in q.split(",") if s.strip()]
        if not isinstance(q, list) or not q or any(x not in RUN_QUANTITIES for x in q):
            raise InvalidArgument(f"quantities must be a non-empty list from {list(RUN_QUANTITIES)}, got {q!r}")
        out["quantities"] = [x for x in RUN_QUANTITIES if x in q]
        delta = _num(raw.get("delta", 0.05), "delta", positive=True)
        if delta >= 1:
            raise InvalidArgument(f"delta must be in (0, 1), got {delta}")
        out["delta"] = delta
    else:
        for k in ("max_steps", "quantities", "delta"):
            if k in raw:
                raise InvalidArgument(f"{k} applies to mode 'run' only")
    if total_rows(out) > MAX_ROWS:
        raise InvalidArgument(f"the design has {total_rows(out)} rows; at most {MAX_ROWS} are supported")
    return out


def _axes(design: Mapping[str, Any]) -> list[tuple[str, list[Any]]]:
    """Grid axes (name, values) in their fixed order."""
    axes: list[tuple[str, list[Any]]] = [("depth", list(design["depth"]))]
    specs = {
        "target": design["target"],
        **{k: design["weights"][k] for k in ("product", "imbalance") if k in design["weights"]},
    }
    specs.update({k: design[k] for k in ("eta", "eta_psi") if k in design})
    for name in _SCALARS:
        if name in specs and "grid" in specs[name]:
            axes.append((name, specs[name]["grid"]))
    return axes


def total_rows(design: Mapping[str, Any]) -> int:
    """Number of rows: grid cells times samples."""
    return math.prod(len(v) for _, v in _axes(design)) * design["samples"]


def n_chunks(design: Mapping[str, Any]) -> int:
    return -(-total_rows(design) // design["chunk"])


# --------------------------------------------------------------------------- computing one chunk


def _draw(spec: Mapping[str, Any], rng: np.random.Generator, n: int) -> np.ndarray:
    if "value" in spec:
        return np.full(n, float(spec["value"]))
    lo, hi = spec["low"], spec["high"]
    if spec["dist"] == "uniform":
        return rng.uniform(lo, hi, n)
    return np.exp(rng.uniform(math.log(lo), math.log(hi), n))


def _param(name: str, spec: Mapping[str, Any], grid_vals: dict[str, np.ndarray], rng: np.random.Generator, n: int):
    if "grid" in spec:
        return grid_vals[name]
    return _draw(spec, rng, n)


def compute_chunk(design: Mapping[str, Any], k: int) -> dict[str, np.ndarray]:
    """Columns of chunk ``k`` of a normalised design (pure: same inputs, same bits).

    Examples
    --------
    >>> d = normalize_design(depth=2, samples=5, seed=0)
    >>> cols = compute_chunk(d, 0)
    >>> int(cols["row"][-1]), sorted(cols)[:4]
    (4, ['depth', 'eta', 'eta_psi0', 'fast_status'])
    """
    total = total_rows(design)
    a = k * design["chunk"]
    b = min(total, a + design["chunk"])
    if not 0 <= a < b:
        raise InvalidArgument(f"chunk {k} is out of range (the design has {n_chunks(design)} chunks)")
    n = b - a
    rng = np.random.default_rng(np.random.SeedSequence([design["seed"], k]))
    rows = np.arange(a, b, dtype=np.int64)
    axes = _axes(design)
    shape = tuple(len(v) for _, v in axes)
    idx = np.unravel_index(rows // design["samples"], shape)
    grid_vals = {name: np.asarray(vals)[i] for (name, vals), i in zip(axes, idx, strict=True)}
    depth = grid_vals["depth"].astype(np.int64)
    dmax = max(design["depth"])
    y = _param("target", design["target"], grid_vals, rng, n)
    wspec = design["weights"]
    if "product" in wspec:
        rho = _param("product", wspec["product"], grid_vals, rng, n)
        kappa = _param("imbalance", wspec["imbalance"], grid_vals, rng, n)
        mag = np.abs(rho * y) ** (1.0 / depth)
        W = np.tile(mag[:, None], (1, dmax))
        two = depth >= 2
        W[two, 0] *= np.exp(kappa[two])
        W[two, 1] *= np.exp(-kappa[two])
        W[rho * y < 0, 0] *= -1.0
    else:
        W = _draw(wspec, rng, n * dmax).reshape(n, dmax)
        if wspec["signs"] == "mixed":
            W = W * rng.choice(np.array([-1.0, 1.0]), size=(n, dmax))
    W[np.arange(dmax)[None, :] >= depth[:, None]] = np.nan
    if "eta" in design:
        eta = _param("eta", design["eta"], grid_vals, rng, n)
        target_c = None
    else:
        target_c = _param("eta_psi", design["eta_psi"], grid_vals, rng, n)
        eta = np.full(n, np.nan)
    cols: dict[str, np.ndarray] = {
        "row": rows,
        "depth": depth.astype(np.int16),
        "target": y,
        "eta": eta,
        **{f"w{i + 1}": W[:, i].copy() for i in range(dmax)},
        "product0": np.full(n, np.nan),
        "psi0": np.full(n, np.nan),
        "eta_psi0": np.full(n, np.nan),
        "fast_status": np.zeros(n, dtype=np.int8),
    }
    mode = design["mode"]
    cl = [claims_mod.get(cid) for cid in design["claims"]]
    if mode == "step":
        cols.update(
            psi_after=np.full(n, np.nan),
            rel_change=np.full(n, np.nan),
            status_after=np.zeros(n, dtype=np.int8),
        )
        for c in cl:
            cols[f"{_col(c.id)}_hypothesis"] = np.zeros(n, dtype=bool)
            cols[f"{_col(c.id)}_violation"] = np.full(n, np.nan)
    else:
        cols.update(_empty_run_cols(n, design))
        for c in cl:
            cols[f"{_col(c.id)}_hypothesis"] = np.zeros(n, dtype=bool)
            cols[f"{_col(c.id)}_holds"] = np.zeros(n, dtype=np.int8)  # 1 holds, 0 fails, -1 undecided
    with np.errstate(all="ignore"):
        for d in np.unique(depth):
            sel = np.flatnonzero(depth == d)
            _compute_depth(cols, design, cl, sel, W[sel, :d], y[sel], None if target_c is None else target_c[sel])
    return cols


def _col(claim_id: str) -> str:
    return claim_id.replace("-", "_")


def _empty_run_cols(n: int, design: Mapping[str, Any]) -> dict[str, np.ndarray]:
    empty = {
        "outcome": np.full(n, "", dtype=object),
        "category": np.full(n, "", dtype=object),
        "period": np.zeros(n, dtype=np.int32),
        "final_sharpness": np.full(n, np.nan),
        "final_ratio": np.full(n, np.nan),
        "gap": np.full(n, np.nan),
        "max_gfs_increase": np.full(n, np.nan),
        "gfs_monotone": np.zeros(n, dtype=bool),
        "steps": np.zeros(n, dtype=np.int64),
        "reason": np.full(n, "", dtype=object),
    }
    return {k: empty[k] for k in design["quantities"]}


def _compute_depth(cols, design, cl, sel, W, y, c) -> None:
    psi0, st = fast.gfs_sharpness(W, target=y, return_status=True)
    cols["psi0"][sel] = psi0
    cols["fast_status"][sel] = st
    cols["product0"][sel] = np.prod(W, axis=1) / y
    eta = cols["eta"][sel]
    if c is not None:
        eta = np.where(st == fast.Status.OK, c / psi0, np.nan)
        cols["eta"][sel] = eta
    cols["eta_psi0"][sel] = eta * psi0
    ok = (st == fast.Status.OK) & np.isfinite(eta) & (eta > 0)
    i_ok = sel[ok]
    if not i_ok.size:
        if design["mode"] == "run":
            _mark_invalid_run(cols, sel[~ok], st[~ok])
        return
    Wk, yk, ek = W[ok], y[ok], eta[ok]
    if design["mode"] == "step":
        after, st_after = fast.gfs_sharpness(fast.gd_step(Wk, ek, target=yk), target=yk, return_status=True)
        cols["psi_after"][i_ok] = after
        cols["status_after"][i_ok] = st_after
        cols["rel_change"][i_ok] = (after - psi0[ok]) / psi0[ok]
        for claim in cl:
            hyp, viol = _step_claim(claim, Wk, ek, yk, psi0[ok], after)
            cols[f"{_col(claim.id)}_hypothesis"][i_ok] = hyp
            cols[f"{_col(claim.id)}_violation"][i_ok] = np.where(hyp, viol, np.nan)
        return
    res = classify_batch(Wk, ek, target=yk, max_steps=design["max_steps"])
    status = res["status"]
    ratio = res["final_sharpness"] * ek / 2
    conv = status == OUTCOMES.index("converged")
    values = {
        "outcome": np.array([OUTCOMES[s] for s in status], dtype=object),
        "category": np.array(
            [CATEGORIES[s] for s in categorize(status, ratio, ek * psi0[ok] <= 2, design["delta"])], dtype=object
        ),
        "period": res["period"],
        "final_sharpness": np.where(conv, res["final_sharpness"], np.nan),
        "final_ratio": np.where(conv, ratio, np.nan),
        "gap": np.where(conv, 2 / ek - res["final_sharpness"], np.nan),
        "max_gfs_increase": np.where(np.isfinite(res["max_gfs_increase"]), res["max_gfs_increase"], np.nan),
        "gfs_monotone": res["gfs_monotone"],
        "steps": res["steps"],
        "reason": np.array(
            [reason_text(r) if s == 4 else "" for s, r in zip(status, res["reason"], strict=True)], dtype=object
        ),
    }
    for q in design["quantities"]:
        cols[q][i_ok] = values[q]
    for claim in cl:
        hyp = claims_mod.hypothesis_batch(claim, Wk, ek, yk)
        holds = np.full(len(ek), -1, dtype=np.int8)
        for j in np.flatnonzero(hyp):
            concl = claim.conclusion(outcome_at(res, int(j), float(ek[j])), float(ek[j]))
            holds[j] = -1 if concl is None else int(bool(concl))
        cols[f"{_col(claim.id)}_hypothesis"][i_ok] = hyp
        cols[f"{_col(claim.id)}_holds"][i_ok] = holds
    _mark_invalid_run(cols, sel[~ok], st[~ok])


def _mark_invalid_run(cols, rows: np.ndarray, st: np.ndarray) -> None:
    if not rows.size:
        return
    names = np.array(["saddle" if s == fast.Status.SADDLE else "invalid" for s in st], dtype=object)
    for key in ("outcome", "category"):
        if key in cols:
            cols[key][rows] = names
    for key in [k for k in cols if k.endswith("_holds")]:
        cols[key][rows] = -1


def _step_claim(claim, W, eta, y, before, after) -> tuple[np.ndarray, np.ndarray]:
    hyp = claims_mod.hypothesis_batch(claim, W, eta, y)
    if claim.batch_violation is not None:
        viol = np.asarray(claim.batch_violation(W, eta, y, before, after), dtype=float)
        return hyp, viol
    # No float score: decide the conclusion exactly, point by point (1 = violated, 0 = holds).
    viol = np.full(W.shape[0], np.nan)
    for i in np.flatnonzero(hyp):
        (r,) = claims_mod.evaluate([float(x) for x in W[i]], float(eta[i]), target=float(y[i]), claims=[claim.id])
        viol[i] = np.nan if r.conclusion is None else float(r.conclusion is False)
    return hyp, viol


# --------------------------------------------------------------------------- files


def _to_table(cols: Mapping[str, np.ndarray]) -> Any:
    pa = _require_pyarrow()
    arrays, names = [], []
    for name, v in cols.items():
        if v.dtype == object:
            arrays.append(pa.array(v.tolist(), type=pa.string()))
        else:
            arrays.append(pa.array(v))
        names.append(name)
    return pa.table(arrays, names=names)


def _atomic_write_table(table: Any, path: Path) -> None:
    import pyarrow.parquet as pq

    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    pq.write_table(table, tmp, compression="zstd")
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _atomic_write_text(text: str, path: Path) -> None:
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _meta(design: Mapping[str, Any]) -> dict[str, Any]:
    from . import __version__

    return {"design": design, "version": __version__}


def _meta_text(design: Mapping[str, Any]) -> str:
    return json.dumps(_meta(design), sort_keys=True, indent=1)


def read_sweep(path: str | os.PathLike[str]) -> tuple[Any, dict[str, Any]]:
    """The table of a finished sweep file and its metadata ``{"design", "version"}``.

    ``table.to_pandas()`` or ``polars.read_parquet(path)`` read the same file.
    """
    _require_pyarrow()
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except (OSError, ValueError) as e:
        raise InvalidArgument(f"cannot read sweep file {str(path)!r}: {e}") from None
    raw = (table.schema.metadata or {}).get(META_KEY)
    if raw is None:
        raise InvalidArgument(f"{str(path)!r} is a Parquet file but not a scalar-eos sweep (no metadata)")
    return table, json.loads(raw)


def _diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> str:
    keys = sorted(set(old) | set(new))
    diffs = [f"{k}: {old.get(k)!r} -> {new.get(k)!r}" for k in keys if old.get(k) != new.get(k)]
    return "; ".join(diffs)


def _check_same(stored: Mapping[str, Any], design: Mapping[str, Any], where: str) -> None:
    meta = _meta(design)
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


# --------------------------------------------------------------------------- driver


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


def _chunk_path(parts: Path, k: int) -> Path:
    return parts / f"chunk-{k:08d}.parquet"


def _done_chunks(parts: Path, nch: int) -> set[int]:
    done = set()
    for p in parts.glob("chunk-*.parquet"):
        try:
            k = int(p.stem.split("-")[1])
        except (IndexError, ValueError):
            continue
        if 0 <= k < nch:
            done.add(k)
    return done


def _clean_tmp(parts: Path) -> None:
    for p in parts.glob("*.tmp-*"):
        with contextlib.suppress(OSError):
            p.unlink()


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
        Run chunks on a local Dask cluster with this many worker processes.
    scheduler : str, optional
        Address of an existing Dask scheduler (``tcp://host:8786``).
    progress : bool, optional
        Progress bar on stderr (default: only when stderr is a terminal).
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
    pa = _require_pyarrow()
    d = normalize_design(design)
    if workers is not None and scheduler is not None:
        raise InvalidArgument("give either workers or scheduler, not both")
    if workers is not None:
        _int(workers, "workers", 1, 1024)
    if max_chunks is not None:
        _int(max_chunks, "max_chunks", 0)
    t0 = time.monotonic()
    out_p = Path(out)
    parts = out_p.with_name(out_p.name + ".parts")
    nch, total = n_chunks(d), total_rows(d)
    if out_p.exists():
        _table, stored = read_sweep(out_p)
        _check_same(stored, d, str(out_p))
        if parts.exists():
            shutil.rmtree(parts, ignore_errors=True)
        return SweepResult(str(out_p), total, nch, 0, nch, time.monotonic() - t0)
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
            _check_same(stored, d, str(parts))
    if stored is None:
        _atomic_write_text(_meta_text(d), design_file)
    _clean_tmp(parts)
    done = _done_chunks(parts, nch)
    todo = [k for k in range(nch) if k not in done]
    resumed = len(done)
    if max_chunks is not None:
        todo = todo[:max_chunks]
    rows_todo = sum(min(total, (k + 1) * d["chunk"]) - k * d["chunk"] for k in todo)
    label = "sweep" + (f" (resuming: {resumed}/{nch} chunks done)" if resumed else "")
    computed = 0
    with Progress(rows_todo, label, enabled=progress) as bar:

        def save(k: int, cols: dict[str, np.ndarray]) -> None:
            nonlocal computed
            _atomic_write_table(_to_table(cols), _chunk_path(parts, k))
            computed += 1
            bar.update(len(cols["row"]))

        if workers is None and scheduler is None:
            for k in todo:
                save(k, compute_chunk(d, k))
        else:
            _run_dask(d, todo, save, workers, scheduler)
    complete = len(_done_chunks(parts, nch)) == nch
    if complete:
        _merge(d, parts, out_p, nch, pa)
        shutil.rmtree(parts, ignore_errors=True)
    return SweepResult(str(out_p), total, nch, computed, resumed, time.monotonic() - t0, complete)


def _merge(d: Mapping[str, Any], parts: Path, out_p: Path, nch: int, pa: Any) -> None:
    import pyarrow.parquet as pq

    tables = [pq.read_table(_chunk_path(parts, k)) for k in range(nch)]
    table = pa.concat_tables(tables)
    table = table.replace_schema_metadata({META_KEY: _meta_text(d).encode()})
    _atomic_write_table(table, out_p)


def _run_dask(
    d, todo: list[int], save: Callable[[int, dict], None], workers: int | None, scheduler: str | None
) -> None:
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise InvalidArgument("--workers/--scheduler need Dask: pip install 'scalar-eos[dask]'") from None
    cluster = None
    try:
        if scheduler is not None:
            try:
                client = Client(scheduler, timeout="10s")
            except (OSError, TimeoutError) as e:
                raise InvalidArgument(f"cannot connect to the Dask scheduler at {scheduler!r}: {e}") from None
        else:
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
            client = Client(cluster)
        with client:
            window = 4 * max(1, len(client.scheduler_info().get("workers", {})) or (workers or 1))
            pending = iter(todo)
            futures = {}
            for k in _take(pending, window):
                futures[client.submit(compute_chunk, d, k, pure=False)] = k
            ac = as_completed(list(futures))
            for fut in ac:
                k = futures.pop(fut)
                save(k, fut.result())
                fut.release()
                for k2 in _take(pending, 1):
                    nf = client.submit(compute_chunk, d, k2, pure=False)
                    futures[nf] = k2
                    ac.add(nf)
    finally:
        if cluster is not None:
            cluster.close()


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


# --------------------------------------------------------------------------- report


def report(path: str | os.PathLike[str], *, verify: int = 3) -> dict[str, Any]:
    """Aggregate a finished sweep: counts per outcome, violations per claim, the worst ones re-verified.

    For ``mode="step"`` the ``verify`` largest float64 violations of each
    claim are re-decided exactly (:func:`scalar_eos.claims.evaluate`, exact
    rational step and GFS sharpness compared at rising precision); only
    verified ones count as counterexamples.
    """
    table, meta = read_sweep(path)
    d = meta["design"]
    cols = {name: table.column(name).to_numpy(zero_copy_only=False) for name in table.column_names}
    n = table.num_rows
    out: dict[str, Any] = {"file": str(path), "rows": n, "version": meta.get("version"), "design": d}
    status = cols["fast_status"]
    out["invalid_points"] = {fast.Status(int(s)).name.lower(): int(np.sum(status == s)) for s in np.unique(status) if s}
    dmax = max(d["depth"])
    wcols = [f"w{i + 1}" for i in range(dmax)]
    if d["mode"] == "step":
        rel = cols["rel_change"]
        fin = np.isfinite(rel)
        out["psi_increased_float64"] = int(np.sum(rel[fin] > fast.INCREASE_RTOL))
        out["max_rel_change"] = float(np.max(rel[fin])) if fin.any() else None
        out["claims"] = {}
        for cid in d["claims"]:
            hyp = cols[f"{_col(cid)}_hypothesis"]
            viol = cols[f"{_col(cid)}_violation"]
            bad = hyp & np.isfinite(viol) & (viol > 0)
            entry: dict[str, Any] = {
                "hypothesis": int(np.sum(hyp)),
                "float64_violations": int(np.sum(bad)),
                "worst": [],
            }
            for i in np.flatnonzero(bad)[np.argsort(-viol[bad])][:verify]:
                w = [float(cols[c][i]) for c in wcols[: int(cols["depth"][i])]]
                eta, y = float(cols["eta"][i]), float(cols["target"][i])
                (r,) = claims_mod.evaluate(w, eta, target=y, claims=[cid])
                entry["worst"].append(
                    {
                        "row": int(cols["row"][i]),
                        "weights": w,
                        "eta": eta,
                        "target": y,
                        "score": float(viol[i]),
                        "verified": bool(r.hypothesis and r.conclusion is False),
                    }
                )
            entry["verified_counterexamples"] = sum(e["verified"] for e in entry["worst"])
            out["claims"][cid] = entry
    else:
        if "outcome" in cols:
            names, counts = np.unique(cols["outcome"].astype(str), return_counts=True)
            out["outcomes"] = {str(k): int(v) for k, v in zip(names, counts, strict=True)}
        if "category" in cols:
            names, counts = np.unique(cols["category"].astype(str), return_counts=True)
            out["categories"] = {str(k): int(v) for k, v in zip(names, counts, strict=True)}
        # Diverging runs leave the float64 range: their GFS "increases" say nothing.
        valid = np.isfinite(cols["psi0"]) & np.isfinite(cols["eta"])
        if "outcome" in cols:
            valid &= ~np.isin(cols["outcome"].astype(str), ["diverged", "saddle", "invalid"])
        if "gfs_monotone" in cols:
            out["gfs_not_monotone"] = int(np.sum(valid & ~cols["gfs_monotone"]))
        if "max_gfs_increase" in cols:
            m = np.where(valid, cols["max_gfs_increase"], np.nan)
            if np.any(np.isfinite(m)):
                i = int(np.nanargmax(m))
                out["largest_gfs_increase"] = {"value": float(m[i]), "row": int(cols["row"][i])}
        out["claims"] = {}
        for cid in d["claims"]:
            hyp = cols[f"{_col(cid)}_hypothesis"]
            holds = cols[f"{_col(cid)}_holds"]
            out["claims"][cid] = {
                "hypothesis": int(np.sum(hyp)),
                "holds": int(np.sum(hyp & (holds == 1))),
                "fails": int(np.sum(hyp & (holds == 0))),
                "undecided": int(np.sum(hyp & (holds == -1))),
            }
    return out


def plot_report(path: str | os.PathLike[str], out: str) -> str:
    """Scatter of the sweep over ``eta * psi(w0)`` and ``pi(w0)/y``, coloured by outcome (requires matplotlib)."""
    from .phase import _COLORS
    from .plots import _plt

    plt = _plt()

    table, meta = read_sweep(path)
    d = meta["design"]
    x = table.column("eta_psi0").to_numpy(zero_copy_only=False).astype(float).copy()
    yv = table.column("product0").to_numpy(zero_copy_only=False).astype(float).copy()
    fin = np.isfinite(x) & np.isfinite(yv)
    pos = yv[fin]
    log_y = bool(pos.size and np.all(pos > 0) and pos.max() / pos.min() > 100)  # decided before any jitter
    jittered = False
    pairs = np.unique(np.round(np.stack([x[fin], yv[fin]], axis=1), 12), axis=0)
    if fin.any() and len(pairs) < 0.5 * fin.sum():  # grid cells with several draws: spread them inside the cell
        rng = np.random.default_rng(0)
        for v in (x, yv):
            u = np.unique(np.round(v[np.isfinite(v)], 12))
            step = np.min(np.diff(u)) if len(u) > 1 else 0.0
            v += rng.uniform(-0.35, 0.35, len(v)) * step
        jittered = True
    fig, ax = plt.subplots(figsize=(9, 5))
    size = max(1.0, min(20.0, 4e4 / max(1, len(x))))
    if d["mode"] == "run" and "category" in table.column_names:
        cat = table.column("category").to_numpy(zero_copy_only=False).astype(str)
        for k, name in enumerate(CATEGORIES):
            m = cat == name
            if m.any():
                ax.scatter(x[m], yv[m], s=size, color=_COLORS[k], label=f"{name} ({int(m.sum())})", edgecolors="none")
        title = f"GD outcomes of the sweep ({len(x)} points, depth {d['depth']})"
    else:
        rel = table.column("rel_change").to_numpy(zero_copy_only=False)
        up = np.isfinite(rel) & (rel > fast.INCREASE_RTOL)
        down = np.isfinite(rel) & ~up
        ax.scatter(
            x[down],
            yv[down],
            s=size,
            color="#1f77b4",
            label=f"psi did not increase ({int(down.sum())})",
            edgecolors="none",
        )
        ax.scatter(x[up], yv[up], s=size, color="#d62728", label=f"psi increased ({int(up.sum())})", edgecolors="none")
        title = f"One GD step: change of the GFS sharpness ({len(x)} points, depth {d['depth']})"
    ax.axvline(2.0, color="k", ls="--", lw=1.0, label="eta psi(w0) = 2")
    ax.axvline(2 * np.sqrt(2), color="k", ls=":", lw=1.0, label="eta psi(w0) = 2 sqrt 2")
    ax.set_xlabel("eta * psi(w0)")
    ax.set_ylabel("initial product pi(w0) / y")
    if log_y:
        ax.set_yscale("log")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False, markerscale=3)
    ax.set_title(title + ("\n(several draws per grid cell, spread inside the cell)" if jittered else ""), fontsize=10)
    fig.tight_layout()
    fig.savefig(out, dpi=130)
    plt.close(fig)
    return out

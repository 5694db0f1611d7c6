"""Sweep designs: the schema, validation with defaults, and the grid (rows, chunks).

See :mod:`scalar_eos.sweep` for the design keys.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from .. import claims as claims_mod
from .._deprecate import OLD_WEIGHT_KEYS, rename_keys
from .._validate import check_int, check_real
from ..errors import InvalidArgument
from .quantities import RUN_QUANTITIES

__all__ = [
    "FORMAT",
    "MAX_DEPTH",
    "MAX_ROWS",
    "RUN_QUANTITIES",
    "SCALARS",
    "axes",
    "load_design",
    "n_chunks",
    "normalize_design",
    "total_rows",
]

FORMAT = 1
MAX_ROWS = 10**10
MAX_DEPTH = 64
#: Scalar parameters of a design, in the order of the grid axes (after depth).
SCALARS = ("target", "pi_over_y", "imbalance", "eta", "eta_psi")
_DEFAULT_CHUNK = {"step": 4096, "run": 512}


def load_design(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a design file (``.toml`` or ``.json``) into a dict (not yet normalised)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as e:
        raise InvalidArgument(f"cannot read design file {str(p)!r}: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise InvalidArgument(f"design file {str(p)!r} is not a text file (UTF-8 TOML or JSON)") from None
    fmt = "JSON" if p.suffix.lower() == ".json" else "TOML"
    try:
        if fmt == "JSON":
            data = json.loads(text)
        else:
            import tomllib

            data = tomllib.loads(text)
    except (ValueError, TypeError) as e:
        read_as = "" if p.suffix.lower() in (".json", ".toml") else " (read as TOML: name it .json for JSON)"
        raise InvalidArgument(f"design file {str(p)!r} is not valid {fmt}{read_as}: {e}") from None
    if not isinstance(data, dict):
        raise InvalidArgument(f"design file {str(p)!r} must hold a table/object at the top level")
    return data


def _spec(value: Any, name: str, *, positive: bool, nonzero: bool = False) -> dict[str, Any]:
    """Normalise a scalar parameter spec."""
    if not isinstance(value, Mapping):
        return {"value": check_real(value, name, positive=positive, nonzero=nonzero)}
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
        return {"value": check_real(value["value"], f"{name}.value", positive=positive, nonzero=nonzero)}
    if kind == "dist":
        dist = value["dist"]
        if dist not in ("uniform", "loguniform"):
            raise InvalidArgument(f"{name}.dist must be 'uniform' or 'loguniform', got {dist!r}")
        if "low" not in value or "high" not in value:
            raise InvalidArgument(f"{name}: a distribution needs low and high")
        lo = check_real(value["low"], f"{name}.low", positive=positive or dist == "loguniform")
        hi = check_real(value["high"], f"{name}.high", positive=positive or dist == "loguniform")
        if not lo < hi:
            raise InvalidArgument(f"{name}: low must be < high, got {lo} and {hi}")
        if nonzero and lo <= 0 <= hi:
            raise InvalidArgument(f"{name}: the range [{lo}, {hi}] contains 0")
        return {"dist": dist, "low": lo, "high": hi}
    if kind == "grid":
        vals = value["grid"]
        if not isinstance(vals, list) or not vals:
            raise InvalidArgument(f"{name}.grid must be a non-empty list of numbers")
        return {"grid": [check_real(v, f"{name}.grid[]", positive=positive, nonzero=nonzero) for v in vals]}
    triple = value[kind]
    if not isinstance(triple, list) or len(triple) != 3:
        raise InvalidArgument(f"{name}.{kind} must be [start, stop, count]")
    a = check_real(triple[0], f"{name}.{kind}[0]", positive=kind == "logspace")
    b = check_real(triple[1], f"{name}.{kind}[1]", positive=kind == "logspace")
    n = check_int(triple[2], f"{name}.{kind}[2]", 1, 10**6)
    vals = np.geomspace(a, b, n) if kind == "logspace" else np.linspace(a, b, n)
    return {"grid": [check_real(float(v), f"{name}.{kind}", positive=positive, nonzero=nonzero) for v in vals]}


_KNOWN_KEYS = frozenset(
    {
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
)


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
    unknown = set(raw) - _KNOWN_KEYS
    if unknown:
        raise InvalidArgument(f"unknown design keys {sorted(unknown)}; known: {sorted(_KNOWN_KEYS)}")
    if raw.get("format", FORMAT) != FORMAT:
        raise InvalidArgument(f"design format {raw['format']!r} is not supported (this version reads {FORMAT})")
    depth = raw.get("depth", 3)
    depths = depth if isinstance(depth, list) else [depth]
    if not depths:
        raise InvalidArgument("depth must be an integer or a non-empty list of integers")
    depths = [check_int(d, "depth", 1, MAX_DEPTH) for d in depths]
    mode = raw.get("mode", "step")
    if mode not in ("step", "run"):
        raise InvalidArgument(f"mode must be 'step' or 'run', got {mode!r}")
    out: dict[str, Any] = {
        "format": FORMAT,
        "depth": depths,
        "samples": check_int(raw.get("samples", 10_000), "samples", 1),
        "seed": check_int(raw.get("seed", 0), "seed", 0),
        "mode": mode,
        "chunk": check_int(raw.get("chunk", _DEFAULT_CHUNK[mode]), "chunk", 1, 10**7),
    }
    out["target"] = _spec(raw.get("target", 1.0), "target", positive=False, nonzero=True)
    out["weights"] = _weights(raw.get("weights", {"dist": "loguniform", "low": 0.2, "high": 5.0}))
    if "eta" in raw and "eta_psi" in raw:
        raise InvalidArgument("give either eta or eta_psi, not both")
    if "eta" in raw:
        out["eta"] = _spec(raw["eta"], "eta", positive=True)
    else:
        out["eta_psi"] = _spec(
            raw.get("eta_psi", {"dist": "uniform", "low": 0.5, "high": 3.0}), "eta_psi", positive=True
        )
    out["claims"] = _claims(raw, mode)
    out.update(_run_keys(raw, mode))
    if total_rows(out) > MAX_ROWS:
        raise InvalidArgument(f"the design has {total_rows(out)} rows; at most {MAX_ROWS} are supported")
    return out


def _weights(weights: Any) -> dict[str, Any]:
    """The normalised ``weights`` table: a distribution with signs, or a ``pi_over_y`` family."""
    if not isinstance(weights, Mapping):
        raise InvalidArgument("weights must be a table: {dist, low, high, signs} or {pi_over_y, imbalance}")
    weights = rename_keys(weights, OLD_WEIGHT_KEYS, "design key weights")
    if "pi_over_y" in weights:
        extra = set(weights) - {"pi_over_y", "imbalance"}
        if extra:
            raise InvalidArgument(f"weights: unknown keys {sorted(extra)} next to pi_over_y")
        return {
            "pi_over_y": _spec(weights["pi_over_y"], "weights.pi_over_y", positive=False, nonzero=True),
            "imbalance": _spec(weights.get("imbalance", 0.5), "weights.imbalance", positive=False),
        }
    extra = set(weights) - {"dist", "low", "high", "signs"}
    if extra:
        raise InvalidArgument(f"weights: unknown keys {sorted(extra)}")
    signs = weights.get("signs", "positive")
    if signs not in ("positive", "mixed"):
        raise InvalidArgument(f"weights.signs must be 'positive' or 'mixed', got {signs!r}")
    spec = _spec({k: v for k, v in weights.items() if k != "signs"}, "weights", positive=True)
    if "dist" not in spec:
        raise InvalidArgument("weights must give a distribution (dist, low, high) or a pi_over_y family")
    return {**spec, "signs": signs}


def _claims(raw: Mapping[str, Any], mode: str) -> list[str]:
    """The claim ids to check (default: the claims whose ``sweep_default`` is set), each of the mode's kind."""
    kind = "step" if mode == "step" else "trajectory"
    ids = raw.get("claims", claims_mod.sweep_defaults(kind))
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
    return list(dict.fromkeys(ids))


def _run_keys(raw: Mapping[str, Any], mode: str) -> dict[str, Any]:
    """``max_steps``, ``quantities`` and ``delta`` in mode ``run``; refused in mode ``step``."""
    if mode != "run":
        for k in ("max_steps", "quantities", "delta"):
            if k in raw:
                raise InvalidArgument(f"{k} applies to mode 'run' only")
        return {}
    max_steps = check_int(raw.get("max_steps", 20_000), "max_steps", 1, 10**8)
    q = raw.get("quantities", list(RUN_QUANTITIES))
    if isinstance(q, str):
        q = [s.strip() for s in q.split(",") if s.strip()]
    if not isinstance(q, list) or not q or any(x not in RUN_QUANTITIES for x in q):
        raise InvalidArgument(f"quantities must be a non-empty list from {list(RUN_QUANTITIES)}, got {q!r}")
    delta = check_real(raw.get("delta", 0.05), "delta", positive=True)
    if delta >= 1:
        raise InvalidArgument(f"delta must be in (0, 1), got {delta}")
    return {"max_steps": max_steps, "quantities": [x for x in RUN_QUANTITIES if x in q], "delta": delta}


def axes(design: Mapping[str, Any]) -> list[tuple[str, list[Any]]]:
    """Grid axes (name, values) in their fixed order."""
    axes: list[tuple[str, list[Any]]] = [("depth", list(design["depth"]))]
    specs = {
        "target": design["target"],
        **{k: design["weights"][k] for k in ("pi_over_y", "imbalance") if k in design["weights"]},
    }
    specs.update({k: design[k] for k in ("eta", "eta_psi") if k in design})
    for name in SCALARS:
        if name in specs and "grid" in specs[name]:
            axes.append((name, specs[name]["grid"]))
    return axes


def total_rows(design: Mapping[str, Any]) -> int:
    """Number of rows: grid cells times samples."""
    return math.prod(len(v) for _, v in axes(design)) * design["samples"]


def n_chunks(design: Mapping[str, Any]) -> int:
    """Number of chunks of ``design["chunk"]`` rows."""
    return -(-total_rows(design) // design["chunk"])

"""Speed records: comparisons, JSON files, summaries (private; see :mod:`scalar_eos.speed`)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import numpy as np

from ._output import check_output_path
from .errors import InvalidArgument

__all__ = [
    "base_result",
    "is_positive",
    "load_record",
    "markdown_table",
    "met",
    "new_result",
    "save_record",
    "speedup",
    "summary_lines",
]


def base_result(target: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """What the others are compared with: the plain reference, else the previous implementation, else the fallback."""
    results = target.get("results") or []
    for role in ("reference", "previous", "fallback"):
        for r in results:
            if r.get("role") == role and is_positive(r.get("value")):
                return r
    return None


def new_result(target: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The result of the new engine (role ``new``), if measured."""
    return next(
        (r for r in target.get("results") or [] if r.get("role") == "new" and is_positive(r.get("value"))), None
    )


def speedup(target: Mapping[str, Any], result: Mapping[str, Any], base: Mapping[str, Any] | None = None) -> float:
    """How many times faster ``result`` is than ``base`` (default :func:`base_result`); NaN if unknown.

    Examples
    --------
    >>> t = {"higher_is_better": False, "results": [{"role": "reference", "value": 8.0}]}
    >>> speedup(t, {"value": 2.0})
    4.0
    """
    base = base or base_result(target)
    if base is None or not is_positive(result.get("value")) or not is_positive(base.get("value")):
        return float("nan")
    a, b = float(result["value"]), float(base["value"])
    return a / b if target.get("higher_is_better", True) else b / a


def is_positive(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and bool(np.isfinite(x)) and x > 0


def met(target: dict[str, Any]) -> bool | None:
    new, goal = new_result(target), target.get("goal")
    if new is None or not is_positive(goal):
        return None
    return bool(new["value"] >= goal if target["higher_is_better"] else new["value"] <= goal)


def save_record(record: Mapping[str, Any], path: str) -> str:
    """Write a record as JSON (the path is checked first: one-line :class:`InvalidArgument` if unwritable)."""
    out = check_output_path(path, what="benchmark record", suffixes=("json",))
    out.write_text(json.dumps(record, indent=1, default=_jsonable) + "\n", encoding="utf-8")
    return str(out)


def _jsonable(x: Any) -> Any:
    if isinstance(x, np.generic):
        return x.item()
    raise TypeError(f"not JSON serialisable: {type(x).__name__}")


def load_record(path: str) -> dict[str, Any]:
    """Read a record written by :func:`save_record` (or ``benchmarks/run_all.py``).

    Missing keys are tolerated (the figure and the summary say "not measured");
    an unreadable file, invalid JSON, or JSON without a ``targets`` list raises
    :class:`InvalidArgument` with one line.

    Examples
    --------
    >>> load_record("/nonexistent/bench.json")
    Traceback (most recent call last):
    ...
    scalar_eos.errors.InvalidArgument: cannot read benchmark record '/nonexistent/bench.json': No such file or directory
    """
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except OSError as exc:
        raise InvalidArgument(f"cannot read benchmark record {path!r}: {exc.strerror or exc}") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidArgument(f"benchmark record {path!r} is not valid JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("targets"), list):
        raise InvalidArgument(
            f"benchmark record {path!r} has no 'targets' list; write one with benchmarks/run_all.py --json FILE"
        )
    data["targets"] = [t for t in data["targets"] if isinstance(t, dict)]
    for t in data["targets"]:
        t["results"] = [r for r in t.get("results") or [] if isinstance(r, dict) and is_positive(r.get("value"))]
    return data


def _ratio_text(target: Mapping[str, Any]) -> tuple[str, str, str, str]:
    """``(baseline, new, ratio, met)`` cells for one target."""
    unit = target.get("unit", "")
    base, new = base_result(target), new_result(target)
    cell = lambda r: f"{r['name']}: {r['value']:.3g} {unit}" if r else "not measured"  # noqa: E731
    ratios = []
    if new is not None:  # against the base first, then every other measured implementation
        others = [r for r in target.get("results") or [] if r is not base and r is not new]
        for r in [base, *others]:
            if r is not None and is_positive(r.get("value")):
                ratios.append(f"{speedup(target, new, r):.3g}x vs {r.get('name', '?')}")
    met = target.get("met")
    return cell(base), cell(new), "; ".join(ratios) or "-", {True: "yes", False: "NO", None: "-"}[met]


def _targets(record: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [t for t in record.get("targets") or [] if isinstance(t, Mapping)]


def summary_lines(record: Mapping[str, Any]) -> list[str]:
    """One line per target: the new engine, its speed-ups and whether the target is met.

    Examples
    --------
    >>> summary_lines({"targets": [{"id": "gd", "title": "plain GD"}]})
    ['plain GD: not measured']
    """
    lines = []
    for t in _targets(record):
        title = t.get("title", t.get("id", "?"))
        if not t.get("results"):
            lines.append(f"{title}: not measured" + (f" ({t['skipped']})" if t.get("skipped") else ""))
            continue
        _base, new, ratio, met = _ratio_text(t)
        quick = (
            " (quick sizes: the targets are stated at full size)" if record.get("quick") and not t.get("met") else ""
        )
        lines.append(f"{title}: {new}; {ratio}; target {t.get('goal_text', '-')}: {met}{quick}")
    return lines


def markdown_table(record: Mapping[str, Any]) -> str:
    """The README table: target, baseline, new, ratio, issue target, met, and the machine below it.

    Examples
    --------
    >>> print(markdown_table({"targets": []}).splitlines()[0])
    | target | baseline | new | ratio | issue target | met? |
    """
    rows = ["| target | baseline | new | ratio | issue target | met? |", "|---|---|---|---|---|---|"]
    for t in _targets(record):
        base, new, ratio, met = _ratio_text(t)
        rows.append(
            f"| {t.get('title', t.get('id', '?'))} | {base} | {new} | {ratio} | {t.get('goal_text', '-')} | {met} |"
        )
    m = record.get("machine") or {}
    if m:
        rows.append("")
        rows.append(
            f"Measured on {m.get('cpu', '?')} ({m.get('cores', '?')} cores), Python {m.get('python', '?')}, "
            f"numpy {m.get('numpy', '?')}, numba {m.get('numba', '?')}, BLAS threads {m.get('blas_threads', '?')}, "
            f"{m.get('date', '')}; load average "
            f"{m.get('load', '?')} (other jobs running: rates are per CPU second of the benchmark process, "
            f"median of {record.get('reps', '?')} interleaved runs)."
        )
    return "\n".join(rows)

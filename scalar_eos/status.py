"""The status of each claim, derived from the proof verdicts: one source of truth.

``scalar-eos prove`` (a run of every proof) records each proof's verdict, step
counts and certified regions in :mod:`scalar_eos._status_data`; the status
line of a claim (in ``scalar-eos claims``, the README block and the proofs
document) is computed from those records by :func:`claim_statuses`, never
typed by hand.  Which proofs bear on which claim is declared once, in
:data:`EVIDENCE`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["EVIDENCE", "claim_statuses", "markdown_block", "proof_records", "stored_records", "write_records"]

#: claim id -> evidence.  ``proofs``: proof name -> the depths it covers ("every D" or "D = k");
#: ``complete``: a PROVED proof settles the whole claim; ``witness``: (weights, eta) where one GD step
#: increases psi, re-decided exactly when the status is generated (the claim is then false).
EVIDENCE: dict[str, dict[str, Any]] = {
    "step-decrease": {"witness": (("3", "1"), "1")},
    "step-decrease-s": {
        "proofs": {"d2-region": "D = 2", "step-decrease-s-d3": "D = 3", "step-decrease-s-d4": "D = 4"},
    },
    "step-decrease-d2": {"proofs": {"d2-region": "D = 2"}, "complete": True},
    "step-decrease-order": {"proofs": {"step-decrease-order": "every D"}, "complete": True},
    "eos-convergence": {},
    "zhu-minimalist": {},
}

_REGION_KEYS = ("set", "region", "boxes", "certified", "smallest_margin", "margin", "seconds", "whole_hypothesis")


def _jsonable(x: Any) -> Any:
    return json.loads(json.dumps(x, default=str))


def proof_records(results: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Compact records (verdict, step counts, certified regions) of proof results, keyed by proof name.

    Examples
    --------
    >>> proof_records([{"name": "p", "verdict": "PROVED", "checked_steps": 3, "argued_steps": 1, "details": "d"}])
    {'p': {'verdict': 'PROVED', 'checked_steps': 3, 'argued_steps': 1, 'regions': [], 'details': 'd'}}
    """
    out = {}
    for r in results:
        regions = [{k: reg[k] for k in _REGION_KEYS if k in reg} for reg in r.get("regions", [])]
        out[r["name"]] = {
            "verdict": r["verdict"],
            "checked_steps": int(r.get("checked_steps", 0)),
            "argued_steps": int(r.get("argued_steps", 0)),
            "regions": _jsonable(regions),
            "details": str(r.get("details", "")),
        }
    return out


def stored_records() -> dict[str, dict[str, Any]]:
    """The records written by the last full ``scalar-eos prove`` run.

    Examples
    --------
    >>> stored_records()["d2-region"]["verdict"]
    'PROVED'
    """
    from ._status_data import PROOFS

    return PROOFS


def write_records(records: dict[str, dict[str, Any]], path: Path | None = None) -> Path:
    """Write the records as the module :mod:`scalar_eos._status_data` (or to ``path``).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> out = write_records({"p": {"verdict": "PROVED"}}, pathlib.Path(tempfile.mkdtemp()) / "data.py")
    >>> "PROVED" in out.read_text()
    True
    """
    path = path or Path(__file__).with_name("_status_data.py")
    path.write_text(
        "# ruff: noqa: E501\n"
        '"""Proof verdicts recorded by the last full `scalar-eos prove` run (generated: do not edit)."""\n\n'
        f"PROOFS = {_literal(records, 0)}\n"
    )
    return path


def _literal(x: Any, level: int) -> str:
    """A Python literal laid out as ``ruff format`` lays it out (sorted keys, one item a line)."""
    pad, inner = "    " * level, "    " * (level + 1)
    if isinstance(x, dict):
        if not x:
            return "{}"
        items = "".join(f"{inner}{json.dumps(str(k))}: {_literal(v, level + 1)},\n" for k, v in sorted(x.items()))
        return "{\n" + items + pad + "}"
    if isinstance(x, list | tuple):
        if not x:
            return "[]"
        return "[\n" + "".join(f"{inner}{_literal(v, level + 1)},\n" for v in x) + pad + "]"
    if isinstance(x, str):
        return json.dumps(x)
    if x is None or isinstance(x, bool | int | float):
        return repr(x)
    return json.dumps(str(x))


def _region_text(rec: dict[str, Any]) -> str:
    sets = [str(reg.get("set") or reg.get("region")) for reg in rec["regions"] if reg.get("set") or reg.get("region")]
    return "; ".join(sets)


def _witness_status(weights: tuple[str, ...], eta: str) -> str:
    from .onestep import one_step

    step = one_step(list(weights), eta)
    if step.increased:
        return f"false (counterexample: w = ({', '.join(weights)}), eta = {eta}, y = 1: psi increases)"
    return "open (the recorded counterexample no longer decides it)"


def claim_statuses(records: dict[str, dict[str, Any]] | None = None) -> dict[str, str]:
    """Status line of every claim in :data:`EVIDENCE`, computed from proof records (default: stored ones).

    Examples
    --------
    >>> rec = {"d2-region": {"verdict": "PROVED", "regions": []}}
    >>> claim_statuses(rec)["step-decrease-d2"]
    'proved (proof d2-region, D = 2)'
    >>> claim_statuses(rec)["step-decrease-s"]
    'open: proved for D = 2 (proof d2-region); other depths open'
    """
    records = stored_records() if records is None else records
    out = {}
    for claim, ev in EVIDENCE.items():
        if "witness" in ev:
            out[claim] = _witness_status(*ev["witness"])
            continue
        proofs = ev.get("proofs", {})
        known = [(name, depth, records[name]) for name, depth in proofs.items() if name in records]
        if ev.get("complete") and known and all(rec["verdict"] == "PROVED" for _, _, rec in known):
            out[claim] = "proved (" + "; ".join(f"proof {name}, {depth}" for name, depth, _ in known) + ")"
            continue
        parts = []
        for name, depth, rec in known:
            if rec["verdict"] == "PROVED":
                parts.append(f"proved for {depth} (proof {name})")
            elif rec["verdict"] == "CERTIFIED":
                whole = any(reg.get("whole_hypothesis") for reg in rec["regions"])
                if whole or _region_text(rec):
                    where = "the whole hypothesis" if whole else _region_text(rec)
                    parts.append(f"certified for {depth} on {where} (proof {name})")
                else:
                    parts.append(f"certified for {depth}: {rec.get('details', '')} (proof {name})")
            else:
                parts.append(f"proof {name} {rec['verdict']}")
        if not parts:
            out[claim] = "open"
        else:
            out[claim] = "open: " + "; ".join(parts) + "; other depths open"
    return out


def markdown_block(records: dict[str, dict[str, Any]] | None = None) -> str:
    """The README block: one line per proof (verdict, steps) and per claim (status), from the records.

    Examples
    --------
    >>> rec = {"d2-region": {"verdict": "PROVED", "checked_steps": 8, "argued_steps": 0, "regions": []}}
    >>> print(markdown_block(rec).splitlines()[4])
    | `d2-region` | PROVED | 8 checked, 0 argued |
    """
    records = stored_records() if records is None else records
    lines = ["<!-- status:begin (generated by `scalar-eos prove`; do not edit) -->", "", "| proof | verdict | steps |"]
    lines.append("|---|---|---|")
    for name, rec in sorted(records.items()):
        lines.append(f"| `{name}` | {rec['verdict']} | {rec['checked_steps']} checked, {rec['argued_steps']} argued |")
    lines += ["", "| claim | status |", "|---|---|"]
    for claim, status in claim_statuses(records).items():
        lines.append(f"| `{claim}` | {status.replace('|', chr(92) + '|')} |")  # a pipe inside a cell: \\|
    lines += ["", "<!-- status:end -->"]
    return "\n".join(lines) + "\n"

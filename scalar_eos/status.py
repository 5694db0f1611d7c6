"""The status of each claim, derived from the proof verdicts: one source of truth.

``scalar-eos prove`` (a run of every proof) records each proof's verdict, step
counts and certified regions in ``scalar_eos/proof_status.json``; the status
line of a claim (in ``scalar-eos claims``, the README block and the proofs
document) is computed from those records by :func:`claim_statuses`, never
typed by hand.  Which proofs bear on which claim is declared once, in the
claim's :class:`~scalar_eos.claims.Evidence`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .errors import ScalarEOSError

__all__ = ["claim_statuses", "markdown_block", "proof_records", "stored_records", "write_records"]

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


DATA = Path(__file__).with_name("proof_status.json")


def stored_records() -> dict[str, dict[str, Any]]:
    """The records written by the last full ``scalar-eos prove`` run (``scalar_eos/proof_status.json``).

    Examples
    --------
    >>> stored_records()["d2-region"]["verdict"]
    'PROVED'
    """
    try:
        return json.loads(DATA.read_text())["proofs"]
    except (OSError, ValueError, KeyError) as exc:
        raise ScalarEOSError(f"cannot read the recorded proof verdicts {DATA}: {exc}; run `scalar-eos prove`") from None


def write_records(records: dict[str, dict[str, Any]], path: Path | None = None) -> Path:
    """Write the records as JSON to ``scalar_eos/proof_status.json`` (or to ``path``).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> out = write_records({"p": {"verdict": "PROVED"}}, pathlib.Path(tempfile.mkdtemp()) / "status.json")
    >>> json.loads(out.read_text())["proofs"]["p"]["verdict"]
    'PROVED'
    """
    path = path or DATA
    doc = {"generated_by": "scalar-eos prove (a run of every proof); do not edit", "proofs": records}
    path.write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n")
    return path


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
    """Status line of every registered claim, from proof records (default: the stored ones).

    A claim with :class:`~scalar_eos.claims.Evidence` gets a status derived from the verdicts of its proofs
    (or from its counterexample, re-decided exactly); a claim without keeps its own informative ``status``.

    Examples
    --------
    >>> rec = {"d2-region": {"verdict": "PROVED", "regions": []}}
    >>> st = claim_statuses(rec)
    >>> [s for s in st.values() if "d2-region" in s]
    ['open: proved for D = 2 (proof d2-region); other depths open', 'proved (proof d2-region, D = 2)']
    """
    from .claims import registry

    records = stored_records() if records is None else records
    return {c.id: _status(c, records) for c in registry()}


def _status(claim: Any, records: dict[str, dict[str, Any]]) -> str:
    ev = claim.evidence
    if ev is None:
        return claim.status
    if ev.witness is not None:
        return _witness_status(*ev.witness)
    known = [(name, depth, records[name]) for name, depth in ev.proofs if name in records]
    if ev.complete and known and all(rec["verdict"] == "PROVED" for _, _, rec in known):
        return "proved (" + "; ".join(f"proof {name}, {depth}" for name, depth, _ in known) + ")"
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
    return "open: " + "; ".join(parts) + "; other depths open" if parts else "open"


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

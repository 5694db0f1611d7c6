"""Run the machine-checked proofs in ``proofs/`` and write their LaTeX document.

Each file ``proofs/<name>.py`` (not starting with ``_``) defines ``NAME``,
``STATEMENT`` and ``run() -> {"verdict", "details", "steps"}``; a step that
does not hold raises, and the proof is reported FAILED with that step.

A step is a dict ``{"text", "checked", "how"}`` (optionally ``"tex"``, a
displayed formula): ``checked`` is True when the program established it
(``how`` says how: SymPy simplification, solveset, interval arithmetic, ...)
and False for a step argued in prose (``how == "argued"``).  A plain string
step (older proof files) is read as argued.  A certification may also return
``"regions"``: one dict per certified region (boxes, margin, time, ...).
"""

from __future__ import annotations

import importlib.util
import inspect
import sys
import time
from pathlib import Path
from typing import Any

from .errors import InvalidArgument, ScalarEOSError

__all__ = ["find_proofs", "normalise_steps", "proof_json", "proofs_dir", "regenerate", "run_proofs", "write_latex"]


def proofs_dir() -> Path:
    """The ``proofs/`` folder of the source tree (next to the package)."""
    here = Path(__file__).resolve().parents[1] / "proofs"
    if not here.is_dir():
        raise ScalarEOSError(f"proofs/ not found next to the package ({here}); run from a source checkout")
    return here


def find_proofs() -> dict[str, Path]:
    """Proof name -> file."""
    out = {}
    for path in sorted(proofs_dir().glob("[!_]*.py")):
        out[_load(path).NAME] = path
    return out


def _load(path: Path) -> Any:
    folder = str(path.parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    spec = importlib.util.spec_from_file_location(f"scalar_eos_proof_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def normalise_steps(steps: list) -> list[dict[str, Any]]:
    """Steps as dicts ``{"text", "checked", "how"}`` (plus ``"tex"`` when given); a plain string is argued.

    Examples
    --------
    >>> steps = normalise_steps(["a prose step", {"text": "x - x = 0", "checked": True, "how": "SymPy"},
    ...                          {"text": "a limit", "checked": False, "how": "calculus"}])
    >>> [(s["checked"], s["how"]) for s in steps]
    [(False, 'argued'), (True, 'SymPy'), (False, 'argued (calculus)')]
    """
    out = []
    for s in steps:
        if isinstance(s, str):
            out.append({"text": s, "checked": False, "how": "argued"})
            continue
        if not isinstance(s, dict) or not isinstance(s.get("text"), str) or not isinstance(s.get("checked"), bool):
            raise ScalarEOSError(f"a proof step must be a string or a dict with text and checked, got {s!r}")
        how = str(s.get("how") or "argued")
        if not s["checked"] and not how.startswith("argued"):
            how = f"argued ({how})"
        step = {"text": s["text"], "checked": s["checked"], "how": how}
        if s.get("tex"):
            step["tex"] = str(s["tex"])
        out.append(step)
    return out


def run_proofs(
    names: list[str] | None = None, *, certificate: str | None = None, progress: bool | None = False
) -> list[dict[str, Any]]:
    """Run the named proofs (all by default); one result dict per proof.

    With ``certificate`` (a path), exactly one proof is named and it must accept ``run(certificate=...)`` (the
    interval certifications): its certificate file is written there.

    Keys: ``name, verdict, statement, details, steps, checked_steps, argued_steps, regions, order, seconds``.
    ``progress``: a progress line on stderr (proofs done, the one running, elapsed time); None shows it when a
    terminal or a notebook watches stderr.
    """
    from ._progress import Progress

    available = find_proofs()
    selected = names or list(available)
    unknown = [n for n in selected if n not in available]
    if unknown:
        raise InvalidArgument(f"unknown proof(s) {unknown}; available: {', '.join(available)}")
    if certificate is not None and len(selected) != 1:
        raise InvalidArgument("--certificate needs exactly one proof name (a certifying proof)")
    with Progress(len(selected), "prove", enabled=progress, ticker=True, unit="proofs") as bar:
        return [_run_one(available, name, bar, certificate) for name in selected]


def _run_one(available: dict[str, Path], name: str, bar: Any, certificate: str | None) -> dict[str, Any]:
    bar.set(bar.done, note=f"running {name}")
    result = _run_proof(available, name, certificate)
    bar.update(1, note=f"{name}: {result['verdict']}")
    return result


def _run_proof(available: dict[str, Path], name: str, certificate: str | None) -> dict[str, Any]:
    mod = _load(available[name])
    kwargs: dict[str, Any] = {}
    if certificate is not None:
        if "certificate" not in inspect.signature(mod.run).parameters:
            raise InvalidArgument(f"proof {name} writes no certificate (it is not an interval certification)")
        kwargs["certificate"] = certificate
    start = time.perf_counter()
    try:
        res = mod.run(**kwargs)
        verdict, details = res["verdict"], res["details"]
        steps, regions = normalise_steps(res.get("steps", [])), list(res.get("regions", []))
    except Exception as exc:  # a failed step: report it, never hide it
        verdict, details, steps, regions = "FAILED", f"{type(exc).__name__}: {exc}", [], []
    return {
        "name": name,
        "verdict": verdict,
        "statement": mod.STATEMENT,
        "details": details,
        "steps": steps,
        "checked_steps": sum(st["checked"] for st in steps),
        "argued_steps": sum(not st["checked"] for st in steps),
        "regions": regions,
        "order": getattr(mod, "ORDER", 100),
        "seconds": round(time.perf_counter() - start, 3),
    }


def proof_json(result: dict[str, Any]) -> dict[str, Any]:
    """The JSON record of one proof result: name, verdict, statement, details, seconds, steps and counts.

    Steps are ``{"text", "checked", "how"}``; ``regions`` is included when the proof certified regions.

    Examples
    --------
    >>> r = {"name": "x", "verdict": "PROVED", "statement": "s", "details": "d", "seconds": 0.1, "regions": [],
    ...      "steps": [{"text": "t", "checked": True, "how": "SymPy", "tex": "t"}]}
    >>> doc = proof_json(r)
    >>> doc["steps"], doc["checked_steps"], doc["argued_steps"]
    ([{'text': 't', 'checked': True, 'how': 'SymPy'}], 1, 0)
    """
    steps = [{k: s[k] for k in ("text", "checked", "how")} for s in normalise_steps(result.get("steps", []))]
    out = {k: result[k] for k in ("name", "verdict", "statement", "details", "seconds")}
    out["steps"] = steps
    out["checked_steps"] = sum(s["checked"] for s in steps)
    out["argued_steps"] = len(steps) - out["checked_steps"]
    if result.get("regions"):
        out["regions"] = result["regions"]
    return out


def _notation() -> list[tuple[str, str]]:
    """Sentences and formulas of the notation paragraph; every formula is typeset by SymPy from an object."""
    import sympy as sp

    y = sp.Symbol("y", real=True)
    i, D = sp.symbols("i D", integer=True, positive=True)
    w = sp.IndexedBase("w")
    pi, L, psi, cs = sp.Symbol("pi"), sp.Symbol("L"), sp.Symbol("psi"), sp.Symbol("c^{*}")
    return [
        (
            "A scalar network of depth D >= 1 computes x w_1 w_2 ... w_D; with one example (x, y) = (1, y) the "
            "loss and one GD step with step size eta > 0 are",
            sp.latex(sp.Eq(L, (pi - y) ** 2 / 2), order="none")
            + r", \quad "
            + sp.latex(sp.Eq(pi, sp.Product(w[i], (i, 1, D))), order="none")
            + r", \quad w^{+} = w - \eta \nabla L(w).",
        ),
        (
            "Gradient flow dw/dt = -grad L conserves w_i^2 - w_j^2; when it ends at a minimiser s, "
            "s_i^2 = w_i^2 + c* and the GFS sharpness psi(w) (the sharpness at s) is",
            sp.latex(sp.Eq(sp.Product(w[i] ** 2 + cs, (i, 1, D)), y**2), order="none")
            + r", \qquad "
            + sp.latex(sp.Eq(psi, y**2 * sp.Sum((w[i] ** 2 + cs) ** -1, (i, 1, D))), order="none")
            + ".",
        ),
    ]


def write_latex(results: list[dict[str, Any]], path: Path) -> Path:
    """Write ``proofs.tex``: the lemmas as theorem environments, each step tagged checked (how) or argued.

    The status of each claim is derived from these results (:func:`scalar_eos.status.claim_statuses`).
    """
    from ._proof_tex import document, status_block
    from .status import claim_statuses, proof_records

    rows = []
    # a proof file may set ORDER (lemmas come after those they use); the others follow by name
    for r in sorted(results, key=lambda r: (r.get("order", 100), r["name"])):
        steps = normalise_steps(r.get("steps", []))
        rows.append(
            {
                **r,
                "steps": steps,
                "checked_steps": sum(s["checked"] for s in steps),
                "argued_steps": sum(not s["checked"] for s in steps),
            }
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    status = status_block(claim_statuses(proof_records(rows)))
    path.write_text(document(rows, notation=_notation(), status=status))
    return path


def regenerate(results: list[dict[str, Any]]) -> dict[str, Path]:
    """After a run of every proof: write ``proofs/build/proofs.tex`` and the recorded verdicts behind the claims'
    status (:mod:`scalar_eos.status`).  Refuses a partial run (the records must cover every proof)."""
    from .status import proof_records, write_records

    missing = set(find_proofs()) - {r["name"] for r in results}
    if missing:
        raise InvalidArgument(f"regenerate needs every proof; missing {sorted(missing)}")
    return {
        "tex": write_latex(results, proofs_dir() / "build" / "proofs.tex"),
        "status": write_records(proof_records(results)),
    }

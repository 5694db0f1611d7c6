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
import sys
import time
from pathlib import Path
from typing import Any

from .errors import InvalidArgument, ScalarEOSError

__all__ = ["find_proofs", "normalise_steps", "proof_json", "proofs_dir", "run_proofs", "write_latex"]


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
    >>> steps = normalise_steps(["a prose step", {"text": "x - x = 0", "checked": True, "how": "SymPy"}])
    >>> [(s["checked"], s["how"]) for s in steps]
    [(False, 'argued'), (True, 'SymPy')]
    """
    out = []
    for s in steps:
        if isinstance(s, str):
            out.append({"text": s, "checked": False, "how": "argued"})
            continue
        if not isinstance(s, dict) or not isinstance(s.get("text"), str) or not isinstance(s.get("checked"), bool):
            raise ScalarEOSError(f"a proof step must be a string or a dict with text and checked, got {s!r}")
        step = {"text": s["text"], "checked": s["checked"], "how": str(s.get("how") or "argued")}
        if not step["checked"]:
            step["how"] = "argued"
        if s.get("tex"):
            step["tex"] = str(s["tex"])
        out.append(step)
    return out


def run_proofs(names: list[str] | None = None) -> list[dict[str, Any]]:
    """Run the named proofs (all by default); one result dict per proof.

    Keys: ``name, verdict, statement, details, steps, checked_steps, argued_steps, regions, seconds``.
    """
    available = find_proofs()
    selected = names or list(available)
    unknown = [n for n in selected if n not in available]
    if unknown:
        raise InvalidArgument(f"unknown proof(s) {unknown}; available: {', '.join(available)}")
    results = []
    for name in selected:
        mod = _load(available[name])
        start = time.perf_counter()
        try:
            res = mod.run()
            verdict, details = res["verdict"], res["details"]
            steps, regions = normalise_steps(res.get("steps", [])), list(res.get("regions", []))
        except Exception as exc:  # a failed step: report it, never hide it
            verdict, details, steps, regions = "FAILED", f"{type(exc).__name__}: {exc}", [], []
        results.append(
            {
                "name": name,
                "verdict": verdict,
                "statement": mod.STATEMENT,
                "details": details,
                "steps": steps,
                "checked_steps": sum(st["checked"] for st in steps),
                "argued_steps": sum(not st["checked"] for st in steps),
                "regions": regions,
                "seconds": round(time.perf_counter() - start, 3),
            }
        )
    return results


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


def _tex_escape(text: str) -> str:
    repl = {
        "\\": r"\textbackslash{}",
        "_": r"\_",
        "^": r"\^{}",
        "%": r"\%",
        "&": r"\&",
        "#": r"\#",
        "$": r"\$",
        "{": r"\{",
        "}": r"\}",
        "~": r"\~{}",
    }
    return "".join(repl.get(ch, ch) for ch in text)


def write_latex(results: list[dict[str, Any]], path: Path) -> Path:
    """Write ``proofs.tex``: each statement, verdict and checked steps."""
    parts = [
        "\\documentclass[11pt]{article}\n\\usepackage[margin=2.5cm]{geometry}\n\\usepackage{amsmath}\n\\sloppy\n"
        "\\title{scalar-eos: machine-checked lemmas}\n\\date{}\n\\begin{document}\n\\maketitle\n"
        "Each lemma below was checked by a program in \\texttt{proofs/}; every listed step is an identity that SymPy "
        "simplified to zero or a fact it established, or (verdict CERTIFIED) a bound established by rigorous interval "
        "(ball) arithmetic over the stated region, at the time this document was generated.\n"
    ]
    for r in results:
        parts.append(f"\\section*{{{_tex_escape(r['name'])}: {r['verdict']}}}\n")
        parts.append(f"\\paragraph{{Statement.}} {_tex_escape(r['statement'])}\n\n")
        parts.append(f"\\paragraph{{How.}} {_tex_escape(r['details'])}\n")
        if r["steps"]:
            parts.append("\\begin{enumerate}\n")
            parts += [f"  \\item {_tex_escape(s)}\n" for s in r["steps"]]
            parts.append("\\end{enumerate}\n")
    parts.append("\\end{document}\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(parts))
    return path

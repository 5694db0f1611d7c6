"""Run the machine-checked proofs in ``proofs/`` and write their LaTeX document.

Each file ``proofs/<name>.py`` (not starting with ``_``) defines ``NAME``,
``STATEMENT`` and ``run() -> {"verdict", "details", "steps"}``; a step that
does not hold raises, and the proof is reported FAILED with that step.
"""

from __future__ import annotations

import importlib.util
import inspect
import sys
import time
from pathlib import Path
from typing import Any

from .errors import InvalidArgument, ScalarEOSError

__all__ = ["find_proofs", "proofs_dir", "run_proofs", "write_latex"]


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


def run_proofs(names: list[str] | None = None, *, certificate: str | None = None) -> list[dict[str, Any]]:
    """Run the named proofs (all by default); one result dict per proof.

    With ``certificate`` (a path), exactly one proof is named and it must accept ``run(certificate=...)`` (the
    interval certifications): its certificate file is written there.
    """
    available = find_proofs()
    selected = names or list(available)
    unknown = [n for n in selected if n not in available]
    if unknown:
        raise InvalidArgument(f"unknown proof(s) {unknown}; available: {', '.join(available)}")
    if certificate is not None and len(selected) != 1:
        raise InvalidArgument("--certificate needs exactly one proof name (a certifying proof)")
    results = []
    for name in selected:
        mod = _load(available[name])
        kwargs: dict[str, Any] = {}
        if certificate is not None:
            if "certificate" not in inspect.signature(mod.run).parameters:
                raise InvalidArgument(f"proof {name} writes no certificate (it is not an interval certification)")
            kwargs["certificate"] = certificate
        start = time.perf_counter()
        try:
            res = mod.run(**kwargs)
            verdict, details, steps = res["verdict"], res["details"], res.get("steps", [])
        except Exception as exc:  # a failed step: report it, never hide it
            verdict, details, steps = "FAILED", f"{type(exc).__name__}: {exc}", []
        results.append(
            {
                "name": name,
                "verdict": verdict,
                "statement": mod.STATEMENT,
                "details": details,
                "steps": steps,
                "seconds": round(time.perf_counter() - start, 3),
            }
        )
    return results


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
            parts += [f"  \\item {_tex_escape(s['text'] if isinstance(s, dict) else s)}\n" for s in r["steps"]]
            parts.append("\\end{enumerate}\n")
    parts.append("\\end{document}\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(parts))
    return path

"""The package layout keeps its promises: no private name crosses a module boundary, claim ids live in claims/."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "scalar_eos"


def _modules(root: Path) -> dict[str, Path]:
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _resolve(current: str, is_pkg: bool, level: int, module: str | None) -> str:
    base = current.split(".") if is_pkg else current.split(".")[:-1]
    if level:
        base = base[: len(base) - (level - 1)]
        return ".".join(base + ([module] if module else []))
    return module or ""


def private_uses(root: Path = PKG) -> list[str]:
    """``from x import _y`` and ``x._y`` where x is another scalar_eos module (dunders excluded)."""
    mods = _modules(root)
    found = []
    for name, path in mods.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        is_pkg = path.name == "__init__.py"
        aliases: dict[str, str] = {}  # local name -> scalar_eos module
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                src = _resolve(name, is_pkg, node.level, node.module)
                if not src.startswith("scalar_eos"):
                    continue
                for a in node.names:
                    sub = f"{src}.{a.name}"
                    if sub in mods:
                        aliases[a.asname or a.name] = sub
                    elif a.name.startswith("_") and not a.name.startswith("__") and src != name:
                        found.append(f"{name}: from {src} import {a.name}")
            elif isinstance(node, ast.Import):
                for a in node.names:
                    if a.name.startswith("scalar_eos") and a.asname:
                        aliases[a.asname] = a.name
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
                and aliases[node.value.id] != name
            ):
                found.append(f"{name}: {node.value.id}.{node.attr}")
    return sorted(set(found))


def test_no_private_name_crosses_a_module_boundary():
    assert private_uses() == []


def test_the_checker_finds_private_uses(tmp_path):
    pkg = tmp_path / "scalar_eos"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "fast.py").write_text("def _per_row(): pass\ndef public(): pass\n")
    (pkg / "sub" / "__init__.py").write_text("from ..fast import _per_row, public\nfrom .. import fast\nfast._chunks\n")
    assert private_uses(pkg) == ["scalar_eos.sub: fast._chunks", "scalar_eos.sub: from scalar_eos.fast import _per_row"]


def hard_coded_claim_ids() -> list[str]:
    """String constants equal to a built-in claim id in code outside scalar_eos/claims/ (docstrings aside)."""
    from scalar_eos import claims

    ids = {c.id for c in claims.registry()}
    hits = []
    for path in sorted(PKG.rglob("*.py")):
        if path.relative_to(PKG).parts[0] == "claims":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in ids:
                hits.append(f"{path.relative_to(PKG)}:{node.lineno}: {node.value}")
    return hits


def test_claim_ids_live_in_claims_package():
    assert hard_coded_claim_ids() == []


def test_import_is_light_and_subpackages_are_lazy():
    code = (
        "import sys, scalar_eos as se\n"
        "heavy = [m for m in ('sympy', 'matplotlib', 'pyarrow', 'dask', 'scipy') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
        "assert se.claims.get('step-decrease').kind == 'step'\n"
        "assert se.fast.gfs_sharpness and se.symbolic.gfs_sharpness_expr and se.generic.Model\n"
        "assert se.sweep.sweep and se.search.search\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=PKG.parent)

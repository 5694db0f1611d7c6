"""Every code block of README.md works when pasted.

Python blocks: every name they use is defined in the block (or imported, or a builtin) - checked in the
default run - and each block runs to the end in a fresh interpreter (slow).  Bash blocks without an
install step run as written (slow); their commands must exit 0.
"""

from __future__ import annotations

import ast
import builtins
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def blocks(lang: str) -> list[str]:
    """The fenced code blocks of README.md in language ``lang`` (indented blocks in lists included)."""
    out = []
    for m in re.finditer(r"^([ \t]*)```" + lang + r"[ \t]*\n(.*?)^\1```[ \t]*$", README, flags=re.M | re.S):
        indent = m.group(1)
        body = "".join(line[len(indent) :] if line.startswith(indent) else line for line in m.group(2).splitlines(True))
        out.append(body)
    return out


PYTHON = blocks("python")
BASH = [b for b in blocks("bash") if "pip install" not in b]


def _undefined_names(code: str) -> set[str]:
    tree = ast.parse(code)
    defined = set(dir(builtins))
    used: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (used if isinstance(node.ctx, ast.Load) else defined).add(node.id)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            defined.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.FunctionDef | ast.Lambda | ast.AsyncFunctionDef):
            args = node.args
            defined.update(a.arg for a in args.args + args.kwonlyargs + args.posonlyargs)
            defined.update(a.arg for a in (args.vararg, args.kwarg) if a is not None)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                defined.add(node.name)
        elif isinstance(node, ast.ClassDef):
            defined.add(node.name)
        elif isinstance(node, ast.comprehension):
            for target in ast.walk(node.target):
                if isinstance(target, ast.Name):
                    defined.add(target.id)
    return used - defined


def test_readme_has_python_and_bash_blocks() -> None:
    assert len(PYTHON) >= 2
    assert blocks("bash")


@pytest.mark.parametrize("code", PYTHON, ids=[f"python-{i}" for i in range(len(PYTHON))])
def test_python_block_uses_only_names_it_defines(code: str) -> None:
    compile(code, "<README block>", "exec")
    assert not _undefined_names(code), f"names used but never defined in a README block: {_undefined_names(code)}"


def _env() -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        "MPLBACKEND": "Agg",
    }


@pytest.mark.slow
@pytest.mark.parametrize("code", PYTHON, ids=[f"python-{i}" for i in range(len(PYTHON))])
def test_python_block_runs(code: str, tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=_env(), capture_output=True, text=True, timeout=900
    )
    assert proc.returncode == 0, f"README block failed:\n{code}\n--- stderr ---\n{proc.stderr[-3000:]}"


@pytest.mark.slow
@pytest.mark.parametrize("code", BASH, ids=[f"bash-{i}" for i in range(len(BASH))])
def test_bash_block_runs(code: str, tmp_path: Path) -> None:
    script = code.replace("scalar-eos ", f"{sys.executable} -m scalar_eos ")
    proc = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=tmp_path,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, f"README block failed:\n{code}\n--- stderr ---\n{proc.stderr[-3000:]}"

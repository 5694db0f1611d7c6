"""The README's commands, .ci/run and the packaging metadata agree."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import scalar_eos

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    first = text.split("\n## ", 2)[1]  # the first section after the title
    return re.findall(r"```(?:bash|sh)\n(.+?)\n```", first, flags=re.S)


def test_readme_has_two_commands_and_ci_runs_the_test_one():
    cmds = readme_commands()
    assert len(cmds) == 2, cmds
    demo, tests = cmds
    assert "scalar-eos demo" in demo and "pip install" in demo
    assert "pytest" in tests and "pip install" in tests
    assert tests.strip() in (ROOT / ".ci" / "run").read_text()


def test_core_dependencies_are_only_numpy_sympy_mpmath():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {re.split(r"[<>=\[ ]", d)[0] for d in meta["dependencies"]}
    assert names == {"numpy", "sympy", "mpmath"}
    assert meta["scripts"]["scalar-eos"] == "scalar_eos.cli:main"


def test_public_api_is_exported():
    for name in scalar_eos.__all__:
        assert hasattr(scalar_eos, name), name
    assert (ROOT / "scalar_eos" / "py.typed").exists()

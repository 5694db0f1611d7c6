"""The documentation site builds with warnings as errors, and its generated pages say what the code says."""

from __future__ import annotations

import html as html_lib
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"

pytestmark = pytest.mark.slow

_NEEDED = ("sphinx", "myst_nb", "numpydoc", "pydata_sphinx_theme", "matplotlib")


def _missing() -> list[str]:
    return [name for name in _NEEDED if importlib.util.find_spec(name) is None]


@pytest.fixture(scope="module")
def html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    missing = _missing()
    if missing:
        pytest.skip(f"the docs extra is not installed (missing {', '.join(missing)}): pip install -e '.[docs]'")
    out = tmp_path_factory.mktemp("docs")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    cmd = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-E", "-b", "html"]
    cmd += ["-d", str(out / "doctrees"), str(DOCS), str(out / "html")]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=3000)
    assert proc.returncode == 0, f"sphinx-build -W failed:\n{proc.stderr[-6000:]}"
    return out / "html"


def _text(page: Path) -> str:
    """Visible text of a page (tags stripped, entities decoded, whitespace collapsed)."""
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", page.read_text())).split())


def test_every_page_is_built(html: Path) -> None:
    for page in ("index", "getting-started", "theory", "claims", "cli", "api", "tutorials", "benchmark", "changelog"):
        assert (html / f"{page}.html").is_file(), page


def test_cli_reference_lists_every_subcommand_and_option(html: Path) -> None:
    import argparse

    from scalar_eos.cli import build_parser

    text = _text(html / "cli.html")

    def walk(prefix: str, parser: argparse.ArgumentParser) -> int:
        seen = 0
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, p in action.choices.items():
                    assert f"{prefix} {name}" in text, f"{prefix} {name}"
                    for a in p._actions:
                        for flag in a.option_strings:
                            if flag not in ("-h", "--help"):
                                assert flag in text, f"{prefix} {name} {flag}"
                    seen += 1 + walk(f"{prefix} {name}", p)
        return seen

    assert walk("scalar-eos", build_parser()) >= 12, "the parser has too few subcommands"


def test_claims_page_shows_every_registered_claim_with_its_status(html: Path) -> None:
    from scalar_eos import claims
    from scalar_eos.status import claim_statuses

    text = _text(html / "claims.html")
    status = claim_statuses()  # what `scalar-eos claims` prints
    for c in claims.registry():
        assert c.id in text
        assert " ".join(status[c.id].split()) in text, c.id


def test_theory_page_states_the_lemmas_of_proofs(html: Path) -> None:
    text = _text(html / "theory.html")
    names = [
        re.search(r'^NAME = "([^"]+)"', p.read_text(), flags=re.M) for p in sorted((ROOT / "proofs").glob("[!_]*.py"))
    ]
    assert names and all(names)
    for m in names:
        assert m.group(1) in text, f"theory page does not state the lemma {m.group(1)}"


def test_benchmark_figure_and_tutorial_outputs_are_rendered(html: Path) -> None:
    page = (html / "benchmark.html").read_text()
    images = re.findall(r'<img [^>]*src="([^"]+)"', page)
    assert len(images) >= 2, "benchmark page shows the speed targets and the per-point figure"
    assert all((html / src).is_file() for src in images)
    text = _text(html / "benchmark.html")
    for target in ("outcome classification with GFS tracking", "plain GD, D = 3", "GFS sharpness, D = 4"):
        assert target in text, target
    assert "x vs plain NumPy" in text and "numba engine:" in text and "cores" in text
    if os.environ.get("SCALAR_EOS_DOCS_EXECUTE", "cache").lower() not in ("0", "off", "no", "false"):
        for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
            rendered = (html / "tutorials" / f"{nb.stem}.html").read_text()
            assert "<img" in rendered, f"{nb.stem}: executed tutorial shows no figure"

"""LaTeX export: generated from SymPy, compiles without overfull boxes."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from scalar_eos.cli import main
from scalar_eos.latex import to_latex

needs_pdflatex = pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed")


def test_document_structure():
    doc = to_latex(3)
    assert doc.startswith("\\documentclass") and doc.rstrip().endswith("\\end{document}")
    assert "\\usepackage{amsmath" in doc or "amsmath" in doc
    assert doc.count("\\begin{equation}") + doc.count("\\begin{multline}") + doc.count("\\begin{align}") > 10


@needs_pdflatex
@pytest.mark.parametrize("depth", [2, 3, 4, 6])
def test_compiles_without_overfull_boxes(depth, tmp_path):
    tex = tmp_path / f"d{depth}.tex"
    assert main(["latex", "--depth", str(depth), "-o", str(tex), "--pdf"]) == 0
    assert (tmp_path / f"d{depth}.pdf").stat().st_size > 10_000
    log = (tmp_path / f"d{depth}.log").read_text(errors="replace")
    overfull = [float(x) for x in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide\)", log)]
    assert not overfull, overfull


def test_cli_errors(capsys):
    assert main(["latex", "--depth", "9"]) == 2
    assert main(["latex", "--depth", "2", "--pdf"]) == 2
    err = capsys.readouterr().err
    assert err.count("error") == 2


def test_stdout(capsys):
    assert main(["latex", "--depth", "2"]) == 0
    assert "\\end{document}" in capsys.readouterr().out


def test_pdflatex_runs_on_this_machine_in_ci():
    if shutil.which("pdflatex") is None:
        pytest.skip("pdflatex not installed")
    out = subprocess.run(["pdflatex", "--version"], capture_output=True, text=True, check=True)
    assert "pdfTeX" in out.stdout

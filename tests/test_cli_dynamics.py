"""``scalar-eos central``, ``orbit`` and ``plot bifurcation``: output, JSON and exit status."""

from __future__ import annotations

import json

import pytest

from scalar_eos.cli import main


def test_orbit_json(capsys):
    assert main(["orbit", "--weights=1.05,1.05", "--eta", "1.1", "--dps", "30", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["period"] == 2 and d["stable"] is True
    assert len(d["points"]) == 2 and len(d["multipliers"]) == 2
    assert d["points"][0][0].startswith("1.11606297145230459776765894009")  # 30 digits, eta = 1.1 exactly


def test_orbit_bad_input_exit_2(capsys):
    assert main(["orbit", "--weights=1,nan", "--eta", "1"]) == 2
    assert "error" in capsys.readouterr().err


def test_central_json(capsys):
    assert main(["central", "--weights=0.5,1.5", "--eta", "0.1", "--steps", "20", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["status"] == "converged" and d["final_sigma2"] == 0.0 and d["gd"]["steps"] == 20


def test_central_bad_eta_exit_2(capsys):
    assert main(["central", "--weights=1,2", "--eta", "-1"]) == 2


def test_plot_bifurcation(tmp_path):
    pytest.importorskip("matplotlib")
    out = tmp_path / "b.png"
    assert main(["plot", "bifurcation", "-o", str(out)]) == 0
    assert out.stat().st_size > 10_000

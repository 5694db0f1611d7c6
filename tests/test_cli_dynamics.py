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


def test_orbit_keeps_its_json_contract_and_says_which_orbit(capsys):
    assert (
        main(["orbit", "--weights=1.146497,1.146497", "--eta", "1.26", "--period", "2", "--dps", "20", "--json"]) == 0
    )
    d = json.loads(capsys.readouterr().out)
    assert {"period", "points", "multipliers", "stable", "seed", "seed_note", "neutral"} <= set(d)
    assert d["seed"] == "start" and d["stable"] is False and d["distance_to_start"] < 1e-5


def test_orbit_newton_failure_exit_1(capsys):
    # a fixed point asked for period 2 with Newton from itself: only the fixed point is there
    assert main(["orbit", "--weights=1,1", "--eta", "1.1", "--period", "2", "--seed", "start"]) == 1
    assert "no verified orbit" in capsys.readouterr().err


def test_run_reports_gds_limit_in_high_precision(capsys):
    assert main(["run", "--weights=0.6,2.0,0.9", "--eta", "0.45", "--steps", "2", "--dps", "30", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["limit"]["status"] == "ok" and d["limit"]["sharpness"].startswith("4.34612879096120545105366803523")
    assert abs(d["outcome"]["final_sharpness"] / float(d["limit"]["sharpness"]) - 1) < 1e-12


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

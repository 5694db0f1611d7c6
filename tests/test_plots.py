"""Figures are written (needs matplotlib; skipped without it)."""

from __future__ import annotations

import pytest

from scalar_eos.cli import main

pytest.importorskip("matplotlib")


@pytest.mark.parametrize(
    "argv",
    [
        ["plot", "trajectory", "--weights=0.5,3.3,0.5", "--eta", "0.45", "--steps", "100"],
        ["plot", "phase", "--depth", "2", "--steps", "300"],
        ["plot", "region"],
    ],
)
def test_plots_are_written(tmp_path, argv):
    out = tmp_path / "fig.png"
    assert main([*argv, "-o", str(out)]) == 0
    assert out.stat().st_size > 10_000


def test_plot_trajectory_needs_weights(tmp_path, capsys):
    assert main(["plot", "trajectory", "-o", str(tmp_path / "x.png")]) == 2
    err = capsys.readouterr().err
    assert "required: --weights/-w, --eta" in err and len(err.strip().splitlines()) == 1


def test_plot_benchmark_measures_and_draws(tmp_path, capsys):
    out = tmp_path / "bench.png"
    assert main(["plot", "benchmark", "--quick", "-o", str(out)]) == 0
    assert out.stat().st_size > 20_000
    err = capsys.readouterr().err
    assert err.count("vs mpmath") == 3 and f"saved {out}" in err


def test_benchmark_measurement_is_consistent():
    from scalar_eos.benchmark import measure

    (row,) = measure([3], n_fast=5000, n_mp=20, n_ivp=2)
    assert row["err_mpmath"] < 1e-13  # the fast path agrees with the reference on the points it timed
    assert row["ratio_mpmath"] == pytest.approx(row["fast"] / row["mpmath"])
    assert row["ratio_mpmath"] > 10
    if "solve_ivp" in row:
        assert row["ivp_failed"] == 0 and row["ratio_solve_ivp"] > 10

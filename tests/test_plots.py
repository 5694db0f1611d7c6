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
    assert "needs --weights" in capsys.readouterr().err

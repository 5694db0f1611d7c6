"""Phase diagrams: data API and figure."""

from __future__ import annotations

import numpy as np
import pytest

from scalar_eos.errors import InvalidArgument
from scalar_eos.phase import CATEGORIES, phase_diagram, plot_phase


def test_phase_diagram_regions():
    pd = phase_diagram(3, products=np.array([0.5, 0.9, 1.9]), eta_psi=np.array([1.0, 2.3, 3.5]), max_steps=4000)
    cats = pd.as_dict()["category"]
    assert all(row[0] == "stable" for row in cats)  # eta psi(w0) < 2: GD behaves like GF
    assert cats[1][1] == "eos" and cats[2][1] == "below"  # overshoot from a large product
    assert sum(pd.counts().values()) == 9
    assert set(pd.counts()) == set(CATEGORIES)


def test_phase_plot(tmp_path):
    pytest.importorskip("matplotlib")
    pd = phase_diagram(2, products=[0.5, 1.5], eta_psi=[1.0, 2.5], max_steps=1000)
    out = plot_phase(pd, str(tmp_path / "phase.png"))
    assert (tmp_path / "phase.png").stat().st_size > 10_000 and out.endswith("phase.png")


def test_bad_grid():
    with pytest.raises(InvalidArgument):
        phase_diagram(2, products=[-1.0])
    with pytest.raises(InvalidArgument):
        phase_diagram(0)

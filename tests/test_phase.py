"""Phase diagrams: data API and figure."""

from __future__ import annotations

import numpy as np
import pytest

from scalar_eos.errors import InvalidArgument
from scalar_eos.phase import CATEGORIES, phase_diagram, plot_phase


def test_phase_diagram_regions():
    pd = phase_diagram(3, pi_over_y=np.array([0.5, 0.9, 1.9]), eta_psi=np.array([1.0, 2.3, 3.5]), max_steps=4000)
    cats = pd.as_dict()["category"]
    assert all(row[0] == "stable" for row in cats)  # eta psi(w0) < 2: GD behaves like GF
    assert cats[1][1] == "eos" and cats[2][1] == "below"  # overshoot from a large pi(w0)/y
    assert sum(pd.counts().values()) == 9
    assert set(pd.counts()) == set(CATEGORIES)


def test_phase_plot(tmp_path):
    pytest.importorskip("matplotlib")
    pd = phase_diagram(2, pi_over_y=[0.5, 1.5], eta_psi=[1.0, 2.5], max_steps=1000)
    out = plot_phase(pd, str(tmp_path / "phase.png"))
    assert (tmp_path / "phase.png").stat().st_size > 10_000 and out.endswith("phase.png")


def test_bad_grid():
    with pytest.raises(InvalidArgument):
        phase_diagram(2, pi_over_y=[-1.0])
    with pytest.raises(InvalidArgument):
        phase_diagram(0)


def test_old_name_products_still_works_with_a_warning():
    new = phase_diagram(2, pi_over_y=[0.5, 1.5], eta_psi=[1.0, 2.5], max_steps=1000)
    with pytest.warns(DeprecationWarning, match="'products' is deprecated.*use 'pi_over_y'"):
        old = phase_diagram(2, products=[0.5, 1.5], eta_psi=[1.0, 2.5], max_steps=1000)
    assert np.array_equal(old.category, new.category) and np.array_equal(old.pi_over_y, new.pi_over_y)
    with pytest.warns(DeprecationWarning, match="PhaseDiagram: 'products'"):
        assert old.products is old.pi_over_y
    assert "pi_over_y" in new.as_dict() and "products" not in new.as_dict()
    with pytest.raises(InvalidArgument, match="give pi_over_y only"):
        phase_diagram(2, pi_over_y=[0.5], products=[0.5])


def test_every_outcome_has_a_category_and_colour():
    from scalar_eos.outcome import OUTCOMES, OutcomeStatus
    from scalar_eos.phase import COLORS, categorize

    status = np.array([s.value for s in OutcomeStatus], dtype=np.int8)
    cats = categorize(status, np.full(status.size, np.nan), np.zeros(status.size, dtype=bool), 0.05)
    names = [CATEGORIES[k] for k in cats]
    assert [n for n, s in zip(names, OUTCOMES, strict=True) if s != "converged"] == list(OUTCOMES[1:])
    assert len(COLORS) == len(CATEGORIES) == len(set(COLORS))

"""Shared fixtures and Hypothesis profiles."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings
from mpmath import mp

settings.register_profile("default", max_examples=40, deadline=None)
settings.register_profile("ci", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(autouse=True)
def _restore_mp_precision():
    """Fail loudly if a test or the code under test leaves mp.dps changed."""
    before = mp.prec
    yield
    changed = mp.prec != before
    mp.prec = before
    assert not changed, "mpmath global precision was left changed"

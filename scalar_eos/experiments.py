"""Deprecated: the experiments moved to :mod:`scalar_eos.generic` (``scalar_eos.generic.experiments``)."""

from __future__ import annotations

import warnings

from .generic.experiments import *  # noqa: F403
from .generic.experiments import __all__  # noqa: F401

warnings.warn(
    "scalar_eos.experiments is deprecated and will be removed in the next release; "
    "use scalar_eos.generic (e.g. scalar_eos.generic.run_experiment)",
    DeprecationWarning,
    stacklevel=2,
)

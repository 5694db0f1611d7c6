"""Deprecated: the example models moved to :mod:`scalar_eos.generic` (``scalar_eos.generic.examples``)."""

from __future__ import annotations

import warnings

from .generic.examples import *  # noqa: F403
from .generic.examples import __all__  # noqa: F401

warnings.warn(
    "scalar_eos.models is deprecated and will be removed in the next release; "
    "use scalar_eos.generic (e.g. scalar_eos.generic.tanh_mlp)",
    DeprecationWarning,
    stacklevel=2,
)

"""Deprecated: moved to :mod:`scalar_eos.generic`; old names work for one release."""

from __future__ import annotations

import warnings
from typing import Any

from .errors import ScalarEOSDeprecationWarning


def __getattr__(name: str) -> Any:
    from .generic import experiments

    if name in experiments.__all__:
        warnings.warn(
            f"scalar_eos.experiments.{name} is deprecated and will be removed in the next release; "
            f"use scalar_eos.generic.{name}",
            ScalarEOSDeprecationWarning,
            stacklevel=2,
        )
        return getattr(experiments, name)
    raise AttributeError(f"module 'scalar_eos.experiments' has no attribute {name!r}")

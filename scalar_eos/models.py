"""Deprecated: moved to :mod:`scalar_eos.generic`; old names work for one release."""

from __future__ import annotations

import warnings
from typing import Any

from .errors import ScalarEOSDeprecationWarning


def __getattr__(name: str) -> Any:
    from .generic import examples

    if name in examples.__all__:
        warnings.warn(
            f"scalar_eos.models.{name} is deprecated and will be removed in the next release; "
            f"use scalar_eos.generic.{name}",
            ScalarEOSDeprecationWarning,
            stacklevel=2,
        )
        return getattr(examples, name)
    raise AttributeError(f"module 'scalar_eos.models' has no attribute {name!r}")

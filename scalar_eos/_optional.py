"""Optional dependencies, imported lazily with a clear :class:`~scalar_eos.errors.MissingDependency` (private)."""

from __future__ import annotations

import importlib
from typing import Any

from .errors import MissingDependency

__all__ = ["pyplot", "require"]


def require(module: str, what: str, extra: str) -> Any:
    """Import ``module`` or raise ``MissingDependency("<what> needs <module>: pip install 'scalar-eos[<extra>]'")``.

    Examples
    --------
    >>> require("json", "this example", "test").__name__
    'json'
    >>> require("no_such_module_xyz", "this example", "test")
    Traceback (most recent call last):
    ...
    scalar_eos.errors.MissingDependency: this example needs no_such_module_xyz: pip install 'scalar-eos[test]'
    """
    try:
        return importlib.import_module(module)
    except ImportError:
        top = module.split(".")[0]
        raise MissingDependency(f"{what} needs {top}: pip install 'scalar-eos[{extra}]'") from None


def pyplot() -> Any:
    """``matplotlib.pyplot`` with the non-interactive Agg backend."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise MissingDependency("plotting needs matplotlib: pip install 'scalar-eos[plot]'") from None
    return plt

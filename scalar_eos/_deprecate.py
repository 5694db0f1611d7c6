"""Renamed names that keep working for one release, with a :class:`DeprecationWarning`.

The vocabulary (README, Glossary) calls ``pi(w)/y`` ``pi_over_y`` and
``eta * psi(w)`` ``eta_psi``.  Earlier files used other names; this module maps
them, in one place, so that old design files, sweep files and keyword arguments
still work (with a :class:`~scalar_eos.errors.ScalarEOSDeprecationWarning`, a
:class:`DeprecationWarning`, saying what to write instead).
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable, Mapping
from typing import Any

from .errors import ScalarEOSDeprecationWarning

__all__ = ["OLD_COLUMNS", "OLD_WEIGHT_KEYS", "moved_names", "rename_keys", "warn_renamed"]

#: Old sweep column -> new sweep column.
OLD_COLUMNS = {"product0": "pi_over_y0"}
#: Old key of a design's ``weights`` table -> new key.
OLD_WEIGHT_KEYS = {"product": "pi_over_y"}


def warn_renamed(old: str, new: str, where: str, *, stacklevel: int = 3) -> None:
    """Warn that ``old`` is deprecated in favour of ``new``.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter("always")
    ...     warn_renamed("product", "pi_over_y", "weights")
    >>> str(w[0].message)
    "weights: 'product' is deprecated and will be removed in the next release; use 'pi_over_y'"
    """
    warnings.warn(
        f"{where}: {old!r} is deprecated and will be removed in the next release; use {new!r}",
        ScalarEOSDeprecationWarning,
        stacklevel=stacklevel,
    )


def rename_keys(mapping: Mapping[str, Any], renames: Mapping[str, str], where: str) -> dict[str, Any]:
    """A copy of ``mapping`` with old keys renamed (one warning per old key found).

    Giving an old key and its new name together is an error (``ValueError``
    subclass :class:`~scalar_eos.errors.InvalidArgument`).

    Examples
    --------
    >>> rename_keys({"pi_over_y": 1.0, "imbalance": 0.5}, OLD_WEIGHT_KEYS, "weights")
    {'pi_over_y': 1.0, 'imbalance': 0.5}
    """
    from .errors import InvalidArgument

    out = dict(mapping)
    for old, new in renames.items():
        if old in out:
            if new in out:
                raise InvalidArgument(f"{where}: give {new!r} only (its old name {old!r} too is ambiguous)")
            warn_renamed(old, new, where, stacklevel=4)
            out = {new if k == old else k: v for k, v in out.items()}
    return out


def moved_names(old: str, new: str, target: str) -> Callable[[str], Any]:
    """A module ``__getattr__`` for the old module ``old``: the public names of module ``target``, with a warning.

    ``target`` is imported on first use; the warning says to use ``new.NAME``.

    Examples
    --------
    >>> import warnings
    >>> getattr_ = moved_names("scalar_eos.old_sweep", "scalar_eos.sweep", "scalar_eos.sweep")
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter("always")
    ...     fn = getattr_("sweep")
    >>> str(w[0].message)
    'scalar_eos.old_sweep.sweep is deprecated and will be removed in the next release; use scalar_eos.sweep.sweep'
    """

    def __getattr__(name: str) -> Any:
        module = importlib.import_module(target)
        if name in module.__all__:
            warnings.warn(
                f"{old}.{name} is deprecated and will be removed in the next release; use {new}.{name}",
                ScalarEOSDeprecationWarning,
                stacklevel=2,
            )
            return getattr(module, name)
        raise AttributeError(f"module {old!r} has no attribute {name!r}")

    return __getattr__

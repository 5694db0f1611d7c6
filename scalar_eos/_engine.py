"""Which float64 engine runs the fast path: compiled (numba) or NumPy (private).

``"auto"`` takes ``$SCALAR_EOS_ENGINE`` (``numba`` or ``numpy``) if set, else
numba when it is installed (``pip install 'scalar-eos[fast]'``).  On the
polynomial path of the GFS shift (``D <= 8``) the engines agree bit for bit.
"""

from __future__ import annotations

import os

import numpy as np

from .errors import InvalidArgument

__all__ = ["ENGINES", "ENGINE_ENV", "engine_info", "numba_version", "resolve_engine"]

ENGINES = ("auto", "numba", "numpy")
#: Environment variable that forces an engine (``numba`` or ``numpy``) when ``engine="auto"``.
ENGINE_ENV = "SCALAR_EOS_ENGINE"


def numba_version() -> str | None:
    """Version of the installed numba, or None."""
    try:
        import numba
    except ImportError:
        return None
    return str(numba.__version__)


def resolve_engine(engine: str = "auto") -> str:
    """``"numba"`` or ``"numpy"`` for a requested engine.

    ``"auto"`` takes ``$SCALAR_EOS_ENGINE`` if set, else numba when it is
    installed.  Asking for ``"numba"`` without numba installed is an error.

    Examples
    --------
    >>> resolve_engine("numpy")
    'numpy'
    """
    if engine not in ENGINES:
        raise InvalidArgument(f"engine must be one of {list(ENGINES)}, got {engine!r}")
    if engine == "auto":
        forced = os.environ.get(ENGINE_ENV, "").strip().lower()
        if forced:
            if forced not in ("numba", "numpy"):
                raise InvalidArgument(f"${ENGINE_ENV} must be 'numba' or 'numpy', got {forced!r}")
            engine = forced
        else:
            engine = "numba" if numba_version() is not None else "numpy"
    if engine == "numba" and numba_version() is None:
        raise InvalidArgument("the numba engine needs numba: pip install 'scalar-eos[fast]' (or use engine='numpy')")
    return engine


def engine_info(engine: str = "auto") -> dict[str, str]:
    """Name and version of the engine that ``engine`` resolves to (recorded in sweep files).

    Examples
    --------
    >>> sorted(engine_info("numpy"))
    ['engine', 'version']
    """
    name = resolve_engine(engine)
    return {"engine": name, "version": numba_version() if name == "numba" else np.__version__}

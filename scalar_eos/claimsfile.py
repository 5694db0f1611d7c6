"""Claims from a user's Python file (``--claims-file FILE.py`` on the command line).

The file is ordinary Python that imports :mod:`scalar_eos.claims` and calls
``register(Claim(...))``; it runs once, in a fresh namespace, and every claim
it registers (or replaces) is then available by id to ``check``, ``search``,
``sweep``, ``claims`` and ``test-claims``.  A file that is missing, does not
compile, raises, or registers nothing is an :class:`~scalar_eos.errors.InvalidArgument`
with a one-line message.

Examples
--------
>>> import pathlib, tempfile
>>> src = '''
... from scalar_eos.claims import Claim, register
... register(Claim("psi-below-100", "psi < 100", lambda w, eta, y: True, lambda s: s.gfs_before < 100))
... '''
>>> with tempfile.TemporaryDirectory() as d:
...     path = pathlib.Path(d) / "mine.py"
...     _ = path.write_text(src)
...     load_claims_file(path)
['psi-below-100']
>>> from scalar_eos import claims; claims.unregister("psi-below-100")
"""

from __future__ import annotations

import os
import runpy
from typing import Any

from . import claims
from .errors import InvalidArgument, ScalarEOSError

__all__ = ["claims_file_of", "ensure_claims_files", "load_claims_file"]

#: Absolute path of a loaded claims file -> (its (mtime_ns, size) when loaded, {claim id: the Claim it registered}).
_LOADED: dict[str, tuple[tuple[int, int], dict[str, Any]]] = {}


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def load_claims_file(path: str | os.PathLike[str]) -> list[str]:
    """Run a claims file and return the ids of the claims it registered (in order).

    Parameters
    ----------
    path : str or path-like
        A Python file that registers :class:`scalar_eos.claims.Claim` objects.

    Raises
    ------
    InvalidArgument
        Missing or unreadable file, syntax error, an exception while it runs, or no claim registered.
    """
    p = os.fspath(path)
    if not os.path.isfile(p):
        raise InvalidArgument(f"claims file {p!r} not found")
    try:
        with open(p, "rb") as fh:
            source = fh.read()
    except OSError as exc:
        raise InvalidArgument(f"claims file {p!r} cannot be read: {_one_line(exc.strerror or exc)}") from None
    try:
        compile(source, p, "exec")
    except SyntaxError as exc:
        raise InvalidArgument(f"claims file {p!r}: syntax error at line {exc.lineno}: {_one_line(exc.msg)}") from None
    except ValueError as exc:  # null bytes
        raise InvalidArgument(f"claims file {p!r} is not Python source: {_one_line(exc)}") from None
    before: dict[str, Any] = {c.id: c for c in claims.registry()}
    try:
        runpy.run_path(p, run_name="scalar_eos_claims_file")
    except ScalarEOSError as exc:
        raise InvalidArgument(f"claims file {p!r}: {_one_line(exc)}") from None
    except SystemExit as exc:
        raise InvalidArgument(f"claims file {p!r} called exit({exc.code!r})") from None
    except Exception as exc:  # the user's code: any failure is bad input, reported on one line
        raise InvalidArgument(f"claims file {p!r} raised {type(exc).__name__}: {_one_line(exc)}") from None
    new = [c.id for c in claims.registry() if before.get(c.id) is not c]
    if not new:
        raise InvalidArgument(
            f"claims file {p!r} registers no claim; call scalar_eos.claims.register(Claim(...)) in it"
        )
    _LOADED[os.path.abspath(p)] = (_stamp(p), {cid: claims.get(cid) for cid in new})
    return new


def _stamp(path: str) -> tuple[int, int]:
    st = os.stat(path)
    return st.st_mtime_ns, st.st_size


def _registered(cid: str) -> Any:
    return next((c for c in claims.registry() if c.id == cid), None)


def claims_file_of(claim_id: str) -> str | None:
    """The absolute path of the claims file that registered the claim now registered as ``claim_id`` (else None).

    Examples
    --------
    >>> claims_file_of("step-decrease") is None  # a built-in claim
    True
    """
    current = _registered(claim_id)
    for path, (_, ids) in _LOADED.items():
        if current is not None and ids.get(claim_id) is current:
            return path
    return None


def ensure_claims_files(paths: list[str]) -> None:
    """Load each claims file unless this process already holds the claims it registered, unchanged.

    For processes that run work for another one (sweep workers): loading a file twice would refuse its ids as
    taken, and a file edited since it was loaded here is loaded again (its previous claims unregistered first).
    """
    for p in paths:
        path = os.path.abspath(p)
        if path in _LOADED:
            stamp, ids = _LOADED[path]
            current = all(_registered(cid) is c for cid, c in ids.items())
            if current and os.path.isfile(path) and _stamp(path) == stamp:
                continue
            for cid, c in ids.items():
                if _registered(cid) is c:
                    claims.unregister(cid)
            del _LOADED[path]
        load_claims_file(path)

"""Output files checked before any computation (private).

A command that will write a figure, a table or a document calls
:func:`check_output_path` first, so a missing folder, an unwritable place or an
unknown format is reported in one line *before* minutes of work, not as a
traceback after them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from .errors import InvalidArgument

__all__ = ["FIGURE_FORMATS", "check_figure_path", "check_output_path", "figure_formats"]

#: Figure formats matplotlib's Agg-based backends write (used when matplotlib cannot be asked).
FIGURE_FORMATS = ("png", "pdf", "svg", "svgz", "eps", "ps", "jpg", "jpeg", "tif", "tiff", "webp")


def _probe_writable(path: Path, what: str) -> None:
    """Create (and remove) the file, or open an existing one for appending: the only reliable test."""
    if path.is_dir():
        raise InvalidArgument(f"cannot write {what} {str(path)!r}: it is a folder; give a file name")
    folder = path.parent
    if not folder.exists():
        raise InvalidArgument(f"cannot write {what} {str(path)!r}: folder {str(folder)!r} does not exist")
    if not folder.is_dir():
        raise InvalidArgument(f"cannot write {what} {str(path)!r}: {str(folder)!r} is not a folder")
    existed = path.exists()
    try:
        if existed:
            with open(path, "ab"):
                pass
        else:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            os.close(fd)
            os.unlink(path)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise InvalidArgument(f"cannot write {what} {str(path)!r}: {reason}") from None


def check_output_path(path: str | os.PathLike[str], *, what: str = "file", suffixes: Iterable[str] = ()) -> Path:
    """A path the caller will write to, checked now: name, suffix (if ``suffixes``), folder, permission.

    Parameters
    ----------
    path : str or path-like
        Where the output goes.
    what : str
        What is written, for the message (``"figure"``, ``"CSV file"`` ...).
    suffixes : iterable of str
        Accepted extensions without the dot (case-insensitive); empty: any.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    InvalidArgument
        One line naming the path and what is wrong with it.

    Examples
    --------
    >>> check_output_path("/nonexistent_dir/x.csv", what="CSV file")
    Traceback (most recent call last):
    ...
    scalar_eos.errors.InvalidArgument: cannot write CSV file '/nonexistent_dir/x.csv': folder ... does not exist
    """
    text = os.fspath(path)
    if not isinstance(text, str) or not text.strip():
        raise InvalidArgument(f"the {what} name is empty; give a file name")
    p = Path(text).expanduser()
    allowed = [s.lower().lstrip(".") for s in suffixes]
    if allowed:
        ext = p.suffix.lower().lstrip(".")
        if ext not in allowed:
            got = f"'.{ext}'" if ext else "no extension"
            raise InvalidArgument(
                f"cannot write {what} {text!r}: {got} is not a supported format; use one of "
                + ", ".join("." + s for s in allowed)
            )
    _probe_writable(p, what)
    return p


def figure_formats() -> tuple[str, ...]:
    """Formats the installed matplotlib can write (the fixed list when matplotlib is absent)."""
    try:
        from matplotlib.backend_bases import FigureCanvasBase
    except ImportError:
        return FIGURE_FORMATS
    return tuple(sorted(f for f in FigureCanvasBase.get_supported_filetypes() if f not in ("raw", "rgba", "pgf")))


def check_figure_path(path: str | os.PathLike[str]) -> Path:
    """:func:`check_output_path` for a figure: a format matplotlib writes, a writable place.

    Examples
    --------
    >>> check_figure_path("fig.jpgx")
    Traceback (most recent call last):
    ...
    scalar_eos.errors.InvalidArgument: cannot write figure 'fig.jpgx': '.jpgx' is not a supported format; use one of ...
    """
    return check_output_path(path, what="figure", suffixes=figure_formats())

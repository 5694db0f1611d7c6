"""A small dependency-free progress bar (private).

Drawn on stderr only when someone watches it - a terminal or a Jupyter
kernel - or when forced, with rate and ETA; silent otherwise so scripts, pipes
and CI logs stay clean.  ``ticker=True`` redraws every half second from a
background thread, so one long item (a proof, a high-precision root) shows its
elapsed time instead of a frozen line.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import Any, TextIO

__all__ = ["Progress", "watched"]


def watched(stream: TextIO | None = None) -> bool:
    """True when ``stream`` (default stderr) is shown to a person: a terminal or a Jupyter kernel's output."""
    stream = stream or sys.stderr
    try:
        if stream.isatty():
            return True
    except (AttributeError, ValueError):  # closed or unusual streams
        return False
    return type(stream).__module__.startswith("ipykernel")


class Progress:
    """``with Progress(total, "label") as bar: bar.update(n)``.

    Parameters
    ----------
    total : int
        Number of units of work (>= 1).
    label : str
        Printed before the bar.
    enabled : bool, optional
        Force on (True) or off (False); default: :func:`watched`.
    stream : text stream, optional
        Default stderr.
    ticker : bool
        Redraw twice a second (elapsed time keeps moving during a long unit).
    unit : str
        Shown after the counts, e.g. ``"proofs"``.
    delay : float
        Seconds before anything is drawn: work that ends sooner leaves no trace on the terminal.
    """

    def __init__(
        self,
        total: int,
        label: str = "",
        *,
        enabled: bool | None = None,
        stream: TextIO | None = None,
        ticker: bool = False,
        unit: str = "",
        delay: float = 0.0,
    ):
        self.total = max(int(total), 1)
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = watched(self.stream) if enabled is None else bool(enabled)
        self.done = 0
        self.note = ""
        self.unit = unit
        self.start = time.monotonic()
        self._last = 0.0
        self._width = 0
        self._delay = float(delay)
        self._drawn = False
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if self.enabled and ticker:
            self._thread = threading.Thread(target=self._tick, name="scalar-eos-progress", daemon=True)
            self._thread.start()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _tick(self) -> None:
        while not self._stop.wait(0.5):
            with self._lock:
                self._draw(time.monotonic())

    def update(self, n: int = 1, note: str | None = None) -> None:
        self.set(self.done + n, note)

    def set(self, done: int, note: str | None = None) -> None:
        with self._lock:
            self.done = min(int(done), self.total)
            if note is not None:
                self.note = note
            now = time.monotonic()
            if self.enabled and (now - self._last > 0.1 or self.done == self.total or note is not None):
                self._last = now
                self._draw(now)

    def _draw(self, now: float) -> None:
        if not self.enabled or now - self.start < self._delay:
            return
        self._drawn = True
        frac = self.done / self.total
        elapsed = now - self.start
        rate = self.done / elapsed if elapsed > 0 else 0.0
        eta = (self.total - self.done) / rate if rate > 0 else float("inf")
        width = 30
        bar = "#" * int(frac * width) + "-" * (width - int(frac * width))
        eta_s = f"ETA {eta:5.0f}s" if eta != float("inf") else "ETA     ?s"
        counts = f"{self.done}/{self.total}{' ' + self.unit if self.unit else ''}"
        line = f"{self.label} [{bar}] {100 * frac:5.1f}% {counts} {elapsed:5.0f}s elapsed {eta_s}"
        if self.note:
            line += f"  {self.note}"
        pad = max(0, self._width - len(line))
        self._width = len(line)
        try:
            self.stream.write("\r" + line + " " * pad)
            self.stream.flush()
        except (OSError, ValueError):  # the stream went away (closed pipe): stop drawing
            self.enabled = False

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
        with self._lock:
            if self.enabled and self._drawn:
                self._draw(time.monotonic())
                try:
                    self.stream.write("\n")
                    self.stream.flush()
                except (OSError, ValueError):
                    pass
                self.enabled = False

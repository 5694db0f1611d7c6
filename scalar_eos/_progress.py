"""A small dependency-free progress bar (private).

Drawn on stderr only when it is a terminal (or when forced), with rate and
ETA; silent otherwise so scripts and CI logs stay clean.
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO


class Progress:
    """``with Progress(total, "label") as bar: bar.update(n)``."""

    def __init__(self, total: int, label: str = "", *, enabled: bool | None = None, stream: TextIO | None = None):
        self.total = max(int(total), 1)
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.done = 0
        self.start = time.monotonic()
        self._last = 0.0

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def update(self, n: int = 1) -> None:
        self.set(self.done + n)

    def set(self, done: int) -> None:
        self.done = min(int(done), self.total)
        now = time.monotonic()
        if self.enabled and (now - self._last > 0.1 or self.done == self.total):
            self._last = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        frac = self.done / self.total
        elapsed = now - self.start
        rate = self.done / elapsed if elapsed > 0 else 0.0
        eta = (self.total - self.done) / rate if rate > 0 else float("inf")
        width = 30
        bar = "#" * int(frac * width) + "-" * (width - int(frac * width))
        eta_s = f"{eta:6.0f}s" if eta != float("inf") else "     ?s"
        self.stream.write(f"\r{self.label} [{bar}] {100 * frac:5.1f}% {rate:9.3g}/s ETA {eta_s}")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self._draw(time.monotonic())
            self.stream.write("\n")
            self.stream.flush()

"""An exclusive lock on an output file, held while one process writes it (private).

``with OutputLock(out): ...`` creates ``OUT.lock`` next to ``OUT`` and holds an
OS lock on it (``fcntl.flock``): the OS releases it when the process ends, even
on SIGKILL, so a lock left by a dead process is taken over without a question.
A second writer gets one clear line naming the process that holds the lock.
Where ``flock`` does not exist, the recorded process id is checked instead
(a lock whose process is gone on this host is stale and taken over).
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from pathlib import Path
from typing import Any

from .errors import ScalarEOSError

__all__ = ["LockHeld", "OutputLock"]

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]


class LockHeld(ScalarEOSError):
    """Another live process is writing the same output."""


def _describe(info: dict[str, Any]) -> str:
    started = info.get("started")
    when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(started)) if isinstance(started, int | float) else "?"
    cmd = info.get("command") or "?"
    return f"process {info.get('pid', '?')} on {info.get('host', '?')}, started {when}: {cmd}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


class OutputLock:
    """Hold ``OUT.lock`` while writing ``OUT`` (see the module docstring).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "runs.parquet"
    >>> with OutputLock(out):
    ...     with OutputLock(out):
    ...         pass
    Traceback (most recent call last):
    ...
    scalar_eos._lock.LockHeld: ...runs.parquet is being written by another sweep (process ...
    """

    def __init__(self, out: str | os.PathLike[str], what: str = "sweep"):
        self.out = Path(out)
        self.path = self.out.with_name(self.out.name + ".lock")
        self.what = what
        self._fd: int | None = None

    def _info(self) -> dict[str, Any]:
        return {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": time.time(),
            "command": " ".join(["scalar-eos", *sys.argv[1:]])
            if Path(sys.argv[0]).name in ("scalar-eos", "__main__.py")
            else "python " + " ".join(sys.argv),
        }

    def _read(self) -> dict[str, Any]:
        try:
            return json.loads(self.path.read_text() or "{}")
        except (OSError, ValueError):
            return {}

    def _held(self, info: dict[str, Any]) -> LockHeld:
        return LockHeld(
            f"{self.out} is being written by another {self.what} ({_describe(info)}); wait for it to finish or stop "
            f"it (kill {info.get('pid', 'PID')}), then run again. If no such process exists, delete {self.path}"
        )

    def acquire(self) -> OutputLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if fcntl is not None:
            for _ in range(5):
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    os.close(fd)
                    raise self._held(self._read()) from None
                try:
                    same = os.stat(self.path).st_ino == os.fstat(fd).st_ino
                except FileNotFoundError:
                    same = False
                if not same:  # the previous holder removed the file between our open and our lock: retry
                    os.close(fd)
                    continue
                os.ftruncate(fd, 0)
                os.write(fd, json.dumps(self._info()).encode())
                os.fsync(fd)
                self._fd = fd
                return self
            raise self._held(self._read())
        # fallback without flock: exclusive create; a lock of a dead process on this host is stale
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                info = self._read()
                pid = info.get("pid")
                if info.get("host") == socket.gethostname() and isinstance(pid, int) and not _alive(pid):
                    self.path.unlink(missing_ok=True)  # stale: its process is gone
                    continue
                raise self._held(info) from None
            os.write(fd, json.dumps(self._info()).encode())
            self._fd = fd
            return self
        raise self._held(self._read())

    def release(self) -> None:
        if self._fd is None:
            return
        try:
            self.path.unlink(missing_ok=True)
        finally:
            if fcntl is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> OutputLock:
        return self.acquire()

    def __exit__(self, *exc: Any) -> None:
        self.release()

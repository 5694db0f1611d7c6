"""Output paths are checked before any work, and an output being written is locked against a second writer."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scalar_eos import InvalidArgument
from scalar_eos._lock import LockHeld, OutputLock
from scalar_eos._output import check_figure_path, check_output_path

ROOT = Path(__file__).resolve().parents[1]


def test_writable_path_is_accepted_and_nothing_is_left_behind(tmp_path: Path) -> None:
    target = tmp_path / "fig.png"
    assert check_figure_path(target) == target
    assert not target.exists()
    existing = tmp_path / "keep.csv"
    existing.write_text("a,b\n1,2\n")
    check_output_path(existing, what="CSV file", suffixes=["csv"])
    assert existing.read_text() == "a,b\n1,2\n"


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("no_such_dir/fig.png", "does not exist"),
        ("fig.jpgx", "'.jpgx' is not a supported format"),
        ("fig", "no extension is not a supported format"),
        ("", "name is empty"),
    ],
)
def test_bad_figure_paths_are_one_line_errors(tmp_path: Path, name: str, fragment: str) -> None:
    with pytest.raises(InvalidArgument, match=fragment) as info:
        check_figure_path(tmp_path / name if name else "")
    assert "\n" not in str(info.value)


def test_a_folder_or_an_unwritable_place_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidArgument, match="it is a folder"):
        check_output_path(tmp_path, what="figure")
    if Path("/proc").is_dir():
        with pytest.raises(InvalidArgument, match=r"cannot write figure '/proc/nope\.png'"):
            check_figure_path("/proc/nope.png")


def test_second_writer_in_the_same_process_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "runs.parquet"
    with OutputLock(out):
        with pytest.raises(LockHeld, match=rf"process {os.getpid()} on .*kill {os.getpid()}"):
            OutputLock(out).acquire()
    assert not (tmp_path / "runs.parquet.lock").exists()
    with OutputLock(out):  # released: can be taken again
        pass


_HOLDER = """
import sys, time
from scalar_eos._lock import OutputLock
lock = OutputLock(sys.argv[1]).acquire()
print("locked", flush=True)
time.sleep(60)
"""


def test_lock_held_by_another_process_names_it_and_a_killed_holder_leaves_no_lock(tmp_path: Path) -> None:
    out = tmp_path / "runs.parquet"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER, str(out)], stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(LockHeld, match=rf"process {holder.pid} on ") as info:
            OutputLock(out).acquire()
        assert "\n" not in str(info.value)
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
        if holder.stdout is not None:
            holder.stdout.close()
    # the lock file is still there (SIGKILL ran no cleanup), but it is stale: taken over at once
    assert (tmp_path / "runs.parquet.lock").exists()
    start = time.monotonic()
    with OutputLock(out):
        assert time.monotonic() - start < 5


def test_sweep_refuses_an_output_another_writer_holds(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    from scalar_eos import sweep

    out = tmp_path / "s.parquet"
    with OutputLock(out):
        with pytest.raises(LockHeld, match=r"s\.parquet is being written by another sweep \(process \d+ on "):
            sweep.sweep({"depth": 2, "samples": 50, "seed": 1, "chunk": 50}, out)
    assert not out.exists()
    assert sweep.sweep({"depth": 2, "samples": 50, "seed": 1, "chunk": 50}, out).rows == 50  # free again
    assert not (tmp_path / "s.parquet.lock").exists()

"""User claims from a Python file."""

from __future__ import annotations

import filecmp
import os

import pytest

from scalar_eos import claims
from scalar_eos.claimsfile import claims_file_of, ensure_claims_files, load_claims_file
from scalar_eos.errors import InvalidArgument

GOOD = """
from scalar_eos.claims import Claim, register
register(Claim("file-psi-below-50", "psi < 50", lambda w, eta, y: True, lambda s: s.gfs_before < 50))
register(Claim("file-always", "always", lambda w, eta, y: True, lambda s: True))
"""


def test_loads_and_registers(tmp_path):
    path = tmp_path / "mine.py"
    path.write_text(GOOD)
    try:
        assert load_claims_file(path) == ["file-psi-below-50", "file-always"]
        assert claims.get("file-always").statement == "always"
    finally:
        for cid in ("file-psi-below-50", "file-always"):
            claims.unregister(cid)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        (None, "not found"),
        ("def f(:\n", "syntax error at line 1"),
        ("raise RuntimeError('no\\nway')", "raised RuntimeError: no way"),
        ("x = 1\n", "registers no claim"),
        ("import sys\nsys.exit(3)\n", "exit"),
        ("from scalar_eos.claims import Claim, register\nregister(Claim('Bad Id', '', None, None))\n", "claim id"),
    ],
)
def test_bad_files_are_one_line_errors(tmp_path, text, match):
    path = tmp_path / "bad.py"
    if text is not None:
        path.write_text(text)
    with pytest.raises(InvalidArgument, match=match) as info:
        load_claims_file(path)
    assert "\n" not in str(info.value)


STEP_CLAIM = """
import numpy as np
from scalar_eos.claims import Claim, register

register(
    Claim(
        "file-psi-below-3",
        "psi(w) < 3 (false for unbalanced weights)",
        lambda w, eta, y: True,
        lambda step: step.gfs_before < 3,
        batch_hypothesis=lambda W, eta, y: np.ones(W.shape[0], dtype=bool),
        batch_violation=lambda W, eta, y, before, after: before - 3.0,
    )
)
"""


@pytest.fixture
def step_claim_file(tmp_path):
    path = tmp_path / "file_claims.py"
    path.write_text(STEP_CLAIM)
    yield path
    if "file-psi-below-3" in {c.id for c in claims.registry()}:
        claims.unregister("file-psi-below-3")


def test_ensure_loads_once_and_reloads_an_edited_file(step_claim_file):
    path = step_claim_file
    assert claims_file_of("file-psi-below-3") is None
    ensure_claims_files([str(path)])
    first = claims.get("file-psi-below-3")
    assert claims_file_of("file-psi-below-3") == str(path.resolve())
    ensure_claims_files([str(path)])  # loaded already and unchanged: not run again (that would refuse the id)
    assert claims.get("file-psi-below-3") is first
    path.write_text(STEP_CLAIM.replace("psi(w) < 3 (false", "psi(w) < 3, edited (false"))
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    ensure_claims_files([str(path)])
    assert claims.get("file-psi-below-3").statement.startswith("psi(w) < 3, edited")
    claims.unregister("file-psi-below-3")
    assert claims_file_of("file-psi-below-3") is None  # a stale record does not name the file
    claims.register(claims.Claim("file-psi-below-3", "in code", lambda w, eta, y: True, lambda s: True))
    assert claims_file_of("file-psi-below-3") is None  # the same id registered in code is not the file's claim


def test_sweep_workers_load_the_claims_file(tmp_path, step_claim_file, capsys):
    """A real 2-process Dask sweep of a claim defined only in a claims file: same file as the serial sweep."""
    pytest.importorskip("distributed")
    pq = pytest.importorskip("pyarrow.parquet")
    from scalar_eos.cli import main

    argv = ["sweep", "--depth", "2", "--samples", "40", "--chunk", "10", "--claims", "file-psi-below-3", "--quiet"]
    argv += ["--claims-file", str(step_claim_file)]
    dist, serial = tmp_path / "dask.parquet", tmp_path / "serial.parquet"
    assert main([*argv, "--workers", "2", "--out", str(dist)]) == 0, capsys.readouterr().err
    claims.unregister("file-psi-below-3")  # each command line loads its claims files again
    assert main([*argv, "--out", str(serial)]) == 0
    assert filecmp.cmp(dist, serial, shallow=False)
    violation = pq.read_table(dist).column("file_psi_below_3_violation").to_numpy()
    assert (violation > 0).any() and (violation < 0).any()  # the file's claim was evaluated, both ways


def test_sweep_workers_refuse_a_claim_registered_in_code(tmp_path):
    pytest.importorskip("pyarrow")
    from scalar_eos import sweep as sw

    claims.register(claims.Claim("code-only", "always", lambda w, eta, y: True, lambda s: True))
    try:
        with pytest.raises(InvalidArgument, match=r"registered in this process only.*claims file") as info:
            sw.sweep({"depth": 2, "samples": 10, "claims": ["code-only"]}, tmp_path / "s.parquet", workers=2)
        assert "\n" not in str(info.value)
        assert not list(tmp_path.iterdir())  # refused before any file or cluster was made
    finally:
        claims.unregister("code-only")

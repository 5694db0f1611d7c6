"""Sweeps: design validation, determinism, resume after SIGKILL, Dask = serial, reports."""

from __future__ import annotations

import filecmp
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pyarrow")

from scalar_eos import sweep as sw
from scalar_eos.cli import main
from scalar_eos.errors import InvalidArgument
from scalar_eos.onestep import one_step
from scalar_eos.phase import CATEGORIES, phase_diagram

SMALL = {"depth": 3, "samples": 2000, "seed": 3, "chunk": 250}


def _table(path):
    table, meta = sw.read_sweep(path)
    return {c: table.column(c).to_numpy(zero_copy_only=False) for c in table.column_names}, meta


def test_defaults_are_filled_and_stored(tmp_path):
    out = tmp_path / "s.parquet"
    res = sw.sweep(SMALL, out)
    assert (res.rows, res.chunks, res.computed, res.resumed) == (2000, 8, 8, 0)
    cols, meta = _table(out)
    assert meta["design"] == sw.normalize_design(SMALL)
    assert meta["design"]["weights"] == {"dist": "loguniform", "low": 0.2, "high": 5.0, "signs": "positive"}
    assert list(cols["row"]) == list(range(2000))
    assert not (out.parent / "s.parquet.parts").exists()
    # the sampled quantities respect the design
    w = np.stack([cols[f"w{i}"] for i in (1, 2, 3)], axis=1)
    assert np.all((w >= 0.2) & (w <= 5.0))
    assert np.all((cols["eta_psi0"] >= 0.5) & (cols["eta_psi0"] <= 3.0))
    np.testing.assert_allclose(cols["pi_over_y0"], np.prod(w, axis=1))


def test_chunks_are_independent_of_order_and_process():
    d = sw.normalize_design(SMALL)
    first = sw.compute_chunk(d, 5)
    for k in (0, 7, 2):
        sw.compute_chunk(d, k)
    again = sw.compute_chunk(d, 5)
    for key in first:
        np.testing.assert_array_equal(first[key], again[key])
    other = sw.compute_chunk(sw.normalize_design({**SMALL, "seed": 4}), 5)
    assert not np.array_equal(first["w1"], other["w1"])


def test_partial_run_then_resume_is_identical(tmp_path):
    ref = tmp_path / "ref.parquet"
    sw.sweep(SMALL, ref)
    out = tmp_path / "out.parquet"
    r1 = sw.sweep(SMALL, out, max_chunks=3)
    assert not r1.complete and not out.exists()
    assert len(list((tmp_path / "out.parquet.parts").glob("chunk-*.parquet"))) == 3
    r2 = sw.sweep(SMALL, out)
    assert (r2.computed, r2.resumed, r2.complete) == (5, 3, True)
    assert filecmp.cmp(ref, out, shallow=False)
    # re-running a finished sweep does nothing
    assert sw.sweep(SMALL, out).computed == 0


def test_resume_after_sigkill_gives_identical_file(tmp_path):
    args = ["--depth", "3", "--samples", "200000", "--seed", "11", "--chunk", "2000", "--quiet"]
    ref = tmp_path / "ref.parquet"
    assert main(["sweep", *args, "--out", str(ref)]) == 0
    out = tmp_path / "killed.parquet"
    cmd = [sys.executable, "-m", "scalar_eos", "sweep", *args, "--out", str(out)]
    parts = tmp_path / "killed.parquet.parts"
    kills = 0
    for _ in range(3):  # kill it three times, each after it saved some new chunks
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        before = len(list(parts.glob("chunk-*.parquet"))) if parts.exists() else 0
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if parts.exists() and len(list(parts.glob("chunk-*.parquet"))) >= before + 5:
                break
            time.sleep(0.005)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
    assert kills >= 1, "the sweep finished before it could be killed"
    assert not out.exists() or kills < 3
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert filecmp.cmp(ref, out, shallow=False)
    assert not parts.exists()


def test_sigint_saves_and_says_how_to_resume(tmp_path):
    out = tmp_path / "s.parquet"
    cmd = [sys.executable, "-m", "scalar_eos", "sweep", "--samples", "400000", "--chunk", "2000", "--out", str(out)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    parts = tmp_path / "s.parquet.parts"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (parts.exists() and list(parts.glob("chunk-*.parquet"))):
        time.sleep(0.005)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    if proc.returncode == 0:
        pytest.skip("the sweep finished before SIGINT arrived")
    assert proc.returncode == 130
    assert "run the same command again to resume" in err
    assert "Traceback" not in err


def test_changed_design_is_refused(tmp_path, capsys):
    out = tmp_path / "s.parquet"
    sw.sweep(SMALL, out, max_chunks=2)
    with pytest.raises(sw.SweepMismatch, match=r"different design \(seed: 3 -> 4\)"):
        sw.sweep({**SMALL, "seed": 4}, out)
    sw.sweep(SMALL, out)
    assert main(["sweep", "--depth", "4", "--samples", "2000", "--seed", "3", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "different design" in err and "depth: [3] -> [4]" in err


def test_version_change_is_refused(tmp_path, monkeypatch):
    out = tmp_path / "s.parquet"
    sw.sweep(SMALL, out, max_chunks=1)
    import scalar_eos

    monkeypatch.setattr(scalar_eos, "__version__", "9.9.9")
    with pytest.raises(sw.SweepMismatch, match="was written by scalar-eos"):
        sw.sweep(SMALL, out)


@pytest.mark.parametrize(
    ("design", "message"),
    [
        ({"depth": 0}, "depth must be an integer in"),
        ({"depth": []}, "non-empty list"),
        ({"samples": 0}, "samples must be an integer >= 1"),
        ({"samples": 1.5}, "samples must be an integer"),
        ({"mode": "walk"}, "mode must be 'step' or 'run'"),
        ({"colour": 1}, "unknown design keys"),
        ({"weights": {"dist": "loguniform", "low": 2, "high": 1}}, "low must be < high"),
        ({"weights": {"dist": "gamma", "low": 1, "high": 2}}, "must be 'uniform' or 'loguniform'"),
        ({"weights": {"dist": "uniform", "low": -1, "high": 2}}, "must be positive"),
        ({"weights": {"pi_over_y": 0}}, "must be non-zero"),
        ({"weights": {"pi_over_y": 1, "product": 1}}, "give 'pi_over_y' only"),
        ({"eta": 0.1, "eta_psi": 1.0}, "either eta or eta_psi"),
        ({"eta": -0.1}, "eta must be positive"),
        ({"eta_psi": {"linspace": [1, 2]}}, r"\[start, stop, count\]"),
        ({"target": 0}, "target must be non-zero"),
        ({"target": float("nan")}, "must be finite"),
        ({"claims": ["no-such-claim"]}, "unknown claim"),
        ({"claims": ["eos-convergence"]}, "is a trajectory claim"),
        ({"max_steps": 10}, "applies to mode 'run' only"),
        ({"mode": "run", "quantities": ["speed"]}, "quantities must be"),
        ({"samples": 10**9, "depth": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]}, "at most"),
    ],
)
def test_bad_designs_are_rejected(design, message):
    with pytest.raises(InvalidArgument, match=message):
        sw.normalize_design(design)


def test_design_files(tmp_path, capsys):
    toml = tmp_path / "d.toml"
    toml.write_text(
        'depth = 2\nsamples = 3\nmode = "run"\nmax_steps = 2000\n'
        "[weights]\npi_over_y = {linspace = [0.5, 1.5, 2]}\nimbalance = 0.3\n"
        "[eta_psi]\ngrid = [1.0, 2.5]\n"
    )
    d = sw.normalize_design(sw.load_design(toml))
    assert sw.total_rows(d) == 2 * 2 * 3
    (tmp_path / "d.json").write_text(json.dumps({"depth": 2, "samples": 3}))
    assert sw.normalize_design(sw.load_design(tmp_path / "d.json"))["samples"] == 3
    bad = tmp_path / "bad.toml"
    bad.write_text("depth = [2,\n")
    assert main(["sweep", "--design", str(bad), "--out", str(tmp_path / "x.parquet")]) == 2
    assert "is not valid TOML" in capsys.readouterr().err
    assert main(["sweep", "--design", str(tmp_path / "missing.toml"), "--out", str(tmp_path / "x.parquet")]) == 2
    assert "cannot read design file" in capsys.readouterr().err
    assert main(["sweep", "--samples", "10", "--out", str(tmp_path / "no" / "x.parquet")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_grid_run_reproduces_the_phase_diagram(tmp_path):
    """A grid design in run mode gives the categories of scalar_eos.phase, cell by cell."""
    pi_over_y, eta_psi = [0.3, 0.9, 1.6], [0.8, 2.2, 2.6, 3.5]
    design = {
        "depth": 3,
        "samples": 1,
        "mode": "run",
        "max_steps": 3000,
        "chunk": 5,
        "weights": {"pi_over_y": {"grid": pi_over_y}, "imbalance": 0.5},
        "eta_psi": {"grid": eta_psi},
    }
    out = tmp_path / "grid.parquet"
    sw.sweep(design, out)
    cols, _ = _table(out)
    pd = phase_diagram(3, pi_over_y=pi_over_y, eta_psi=eta_psi, imbalance=0.5, max_steps=3000)
    expected = [CATEGORIES[k] for k in pd.category.ravel()]
    assert list(cols["category"]) == expected
    np.testing.assert_allclose(cols["eta_psi0"], np.tile(eta_psi, len(pi_over_y)), rtol=1e-14)
    np.testing.assert_allclose(cols["pi_over_y0"], np.repeat(pi_over_y, len(eta_psi)), rtol=1e-14)


def test_step_report_counterexamples_are_exact(tmp_path):
    out = tmp_path / "s.parquet"
    sw.sweep({"depth": 2, "samples": 3000, "seed": 0, "claims": ["step-decrease", "step-decrease-d2"]}, out)
    rep = sw.report(out, verify=2)
    cols, _ = _table(out)
    inc = np.isfinite(cols["rel_change"]) & (cols["rel_change"] > 1e-12)
    assert rep["psi_increased_float64"] == int(inc.sum()) > 0
    e = rep["claims"]["step-decrease"]
    assert e["hypothesis"] == 3000 and e["float64_violations"] == int(inc.sum())
    assert e["verified_counterexamples"] == 2
    for ce in e["worst"]:  # independent exact check of each reported counterexample
        assert one_step(ce["weights"], ce["eta"], target=ce["target"]).relation == "increased"
    assert rep["claims"]["step-decrease-d2"]["float64_violations"] == 0


def test_run_report_and_plot(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    out = tmp_path / "r.parquet"
    code = main(["sweep", "--mode", "run", "--samples", "120", "--seed", "1", "--max-steps", "2000", "--out", str(out)])
    assert code == 0
    capsys.readouterr()
    png = tmp_path / "r.png"
    assert main(["sweep-report", str(out), "--json", "--plot", str(png)]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert sum(rep["outcomes"].values()) == 120 == sum(rep["categories"].values())
    e = rep["claims"]["eos-convergence"]
    assert e["holds"] + e["fails"] + e["undecided"] == e["hypothesis"]
    assert png.stat().st_size > 10_000
    assert main(["sweep-report", str(out)]) == 0
    assert "outcomes:" in capsys.readouterr().out


def test_report_rejects_other_files(tmp_path, capsys):
    f = tmp_path / "x.parquet"
    f.write_text("not parquet")
    assert main(["sweep-report", str(f)]) == 2
    assert "cannot read sweep file" in capsys.readouterr().err


def test_pandas_reads_the_file(tmp_path):
    pd = pytest.importorskip("pandas")
    out = tmp_path / "s.parquet"
    sw.sweep({"depth": 2, "samples": 50}, out)
    df = pd.read_parquet(out)
    assert len(df) == 50 and {"w1", "w2", "eta", "psi0", "step_decrease_hypothesis"} <= set(df.columns)


def test_local_dask_cluster_matches_serial(tmp_path):
    pytest.importorskip("distributed")
    design = {"depth": 3, "samples": 600, "seed": 2, "mode": "run", "max_steps": 2000, "chunk": 100}
    serial, dist = tmp_path / "serial.parquet", tmp_path / "dask.parquet"
    sw.sweep(design, serial)
    res = sw.sweep(design, dist, workers=2)
    assert res.computed == 6
    assert filecmp.cmp(serial, dist, shallow=False)


def test_bad_scheduler_address_is_one_line(tmp_path, capsys):
    pytest.importorskip("distributed")
    code = main(["sweep", "--samples", "10", "--scheduler", "tcp://127.0.0.1:1", "--out", str(tmp_path / "x.parquet")])
    assert code == 2
    err = capsys.readouterr().err
    assert "cannot connect to the Dask scheduler" in err and err.count("\n") == 1


WORKER_FAILS = """
from distributed import get_worker
from scalar_eos.claims import Claim, register

try:
    get_worker()
except ValueError:  # not in a Dask worker: the claim is registered
    register(Claim("file-no-workers", "always", lambda w, eta, y: True, lambda s: True))
else:
    raise RuntimeError("this claims file cannot be loaded on a Dask worker")
"""


def test_a_failing_dask_worker_is_one_line(tmp_path):
    """A task that raises on a worker: our one-line error and status 2, none of Dask's log records or tracebacks."""
    pytest.importorskip("distributed")
    path = tmp_path / "workerfails.py"
    path.write_text(WORKER_FAILS)
    cmd = [sys.executable, "-m", "scalar_eos", "sweep", "--depth", "2", "--samples", "40", "--chunk", "10"]
    cmd += ["--claims", "file-no-workers", "--claims-file", str(path), "--workers", "2", "--quiet"]
    proc = subprocess.run([*cmd, "--out", str(tmp_path / "s.parquet")], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.splitlines() == [
        f"scalar-eos: error: claims file {str(path)!r} raised RuntimeError: "
        "this claims file cannot be loaded on a Dask worker"
    ], proc.stderr
    assert not (tmp_path / "s.parquet").exists()


def test_local_cluster_does_not_need_port_8787(tmp_path):
    """Another Dask cluster on the machine (port 8787 taken): no warning, same file as a serial sweep."""
    pytest.importorskip("distributed")
    import socket

    with socket.socket() as busy:
        try:
            busy.bind(("", 8787))
            busy.listen()
        except OSError:
            pass  # already taken by someone else: the same situation
        design = {"depth": 2, "samples": 40, "seed": 1, "chunk": 10}
        res = sw.sweep(design, tmp_path / "dask.parquet", workers=1)  # filterwarnings=error: a warning fails
    sw.sweep(design, tmp_path / "serial.parquet")
    assert res.computed == 4
    assert filecmp.cmp(tmp_path / "dask.parquet", tmp_path / "serial.parquet", shallow=False)


def test_dask_log_levels_are_restored(monkeypatch):
    import logging

    from scalar_eos.sweep import runner

    pytest.importorskip("distributed")
    monkeypatch.setenv(runner._WORKER_LOG_ENV, "info")
    logging.getLogger("distributed.client").setLevel(logging.WARNING)
    before = [logging.getLogger(n).level for n in runner._DASK_LOGGERS]
    with runner._dask_logs_quiet():
        assert all(logging.getLogger(n).level > logging.CRITICAL for n in runner._DASK_LOGGERS)
        assert int(os.environ[runner._WORKER_LOG_ENV]) > logging.CRITICAL
    assert [logging.getLogger(n).level for n in runner._DASK_LOGGERS] == before
    assert os.environ[runner._WORKER_LOG_ENV] == "info"
    monkeypatch.delenv(runner._WORKER_LOG_ENV)
    with pytest.raises(RuntimeError), runner._dask_logs_quiet():
        raise RuntimeError("a failing sweep")
    assert runner._WORKER_LOG_ENV not in os.environ
    assert [logging.getLogger(n).level for n in runner._DASK_LOGGERS] == before


def test_parts_dir_with_stale_tmp_files(tmp_path):
    out = tmp_path / "s.parquet"
    sw.sweep(SMALL, out, max_chunks=1)
    parts = Path(str(out) + ".parts")
    (parts / "chunk-00000001.parquet.tmp-12345").write_bytes(b"half a file")
    (tmp_path / "s.parquet.tmp-999").write_bytes(b"half a merge")
    ref = tmp_path / "ref.parquet"
    sw.sweep(SMALL, ref)
    sw.sweep(SMALL, out)
    assert filecmp.cmp(ref, out, shallow=False)
    assert sorted(os.listdir(tmp_path)) == ["ref.parquet", "s.parquet"]


def _as_release_0_1(table):
    """``table`` as release 0.1 wrote it: column ``product0``, design key ``weights.product``."""
    names = ["product0" if c == "pi_over_y0" else c for c in table.column_names]
    raw = (table.schema.metadata or {}).get(sw.storage.META_KEY)
    if raw is None:  # a chunk: no metadata
        return table.rename_columns(names)
    meta = json.loads(raw)
    w = meta["design"]["weights"]
    meta["design"]["weights"] = {("product" if k == "pi_over_y" else k): v for k, v in w.items()}
    return table.rename_columns(names).replace_schema_metadata({sw.storage.META_KEY: json.dumps(meta).encode()})


def test_old_design_key_and_old_files_still_work_with_a_warning(tmp_path, capsys):
    """Release 0.1 names (design key weights.product, column product0) keep working for one release."""
    pq = pytest.importorskip("pyarrow.parquet")
    new = {"depth": 2, "samples": 4, "weights": {"pi_over_y": {"grid": [0.5, 1.5]}, "imbalance": 0.2}}
    old = {**new, "weights": {"product": {"grid": [0.5, 1.5]}, "imbalance": 0.2}}
    with pytest.warns(DeprecationWarning, match="design key weights: 'product' is deprecated.*'pi_over_y'"):
        assert sw.normalize_design(old) == sw.normalize_design(new)
    out = tmp_path / "s.parquet"
    sw.sweep(new, out)
    table = pq.read_table(out)
    assert "pi_over_y0" in table.column_names and "product0" not in table.column_names
    pq.write_table(_as_release_0_1(table), tmp_path / "old.parquet")
    with pytest.warns(DeprecationWarning) as rec:
        back, meta = sw.read_sweep(tmp_path / "old.parquet")
    msgs = sorted(str(w.message).split(": ", 1)[1] for w in rec)
    assert msgs == [
        "design key weights: 'product' is deprecated and will be removed in the next release; use 'pi_over_y'",
        "sweep column: 'product0' is deprecated and will be removed in the next release; use 'pi_over_y0'",
    ]
    assert back.column_names == table.column_names and back.equals(table.replace_schema_metadata(None))
    assert meta["design"] == sw.normalize_design(new)
    with pytest.warns(DeprecationWarning):
        rep_old = sw.report(tmp_path / "old.parquet").as_dict()
    assert {**rep_old, "file": str(out)} == sw.report(out).as_dict()


def test_resume_from_chunks_of_the_previous_release(tmp_path):
    """Chunks written with the old column name are renamed at the merge: same file as a fresh run."""
    pq = pytest.importorskip("pyarrow.parquet")
    design = {"depth": 2, "samples": 40, "chunk": 10, "seed": 4}
    ref = tmp_path / "ref.parquet"
    sw.sweep(design, ref)
    out = tmp_path / "out.parquet"
    sw.sweep(design, out, max_chunks=2)
    parts = tmp_path / "out.parquet.parts"
    for p in sorted(parts.glob("chunk-*.parquet")):
        pq.write_table(_as_release_0_1(pq.read_table(p)), p, compression="zstd")
    with pytest.warns(DeprecationWarning, match="'product0'"):
        sw.sweep(design, out)
    assert filecmp.cmp(ref, out, shallow=False)


OLD_DESIGN = {"depth": 2, "samples": 4, "weights": {"product": {"grid": [0.5, 1.5]}, "imbalance": 0.2}}
WARN_PRODUCT = (
    "scalar-eos: warning: design key weights: 'product' is deprecated and will be removed in the next release; "
    "use 'pi_over_y'"
)


def test_cli_shows_deprecations_once_as_one_line(tmp_path, capsys):
    """Old design key and old sweep file on the command line: one 'scalar-eos: warning:' line per message."""
    design = tmp_path / "old.json"
    design.write_text(json.dumps(OLD_DESIGN))
    out = tmp_path / "s.parquet"
    assert main(["sweep", "--design", str(design), "--out", str(out), "--quiet"]) == 0
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [WARN_PRODUCT] and captured.out.startswith("wrote ")
    pq = pytest.importorskip("pyarrow.parquet")
    pq.write_table(_as_release_0_1(pq.read_table(out)), tmp_path / "old.parquet")
    assert main(["sweep-report", str(tmp_path / "old.parquet"), "--json"]) == 0
    err = capsys.readouterr().err.splitlines()
    column = "'product0' is deprecated and will be removed in the next release; use 'pi_over_y0'"
    assert len(err) == 2 and len(set(err)) == 2  # the file is read more than once: each message shown once
    assert any(line.startswith("scalar-eos: warning: ") and line.endswith(column) for line in err)
    assert any(line.endswith(WARN_PRODUCT.split(": ", 2)[2]) for line in err)


def test_cli_deprecation_line_reaches_a_real_terminal_user(tmp_path):
    """Outside pytest Python hides DeprecationWarning by default: the command line must still show it."""
    design = tmp_path / "old.json"
    design.write_text(json.dumps(OLD_DESIGN))
    proc = subprocess.run(
        [sys.executable, "-m", "scalar_eos", "sweep", "--design", str(design), "--out", str(tmp_path / "s.parquet")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1]), "PYTHONWARNINGS": ""},
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.splitlines() == [WARN_PRODUCT]


def test_only_the_package_deprecations_are_turned_into_lines():
    """Other warnings keep the filters in force (here pytest's 'error')."""
    import warnings

    from scalar_eos.cli import deprecations_on_stderr

    with pytest.raises(DeprecationWarning, match="someone else's"), deprecations_on_stderr():
        warnings.warn("someone else's deprecation", DeprecationWarning, stacklevel=1)


CLAIM_RAISES = """
from scalar_eos.claims import Claim, register

register(Claim("file-divides-by-zero", "raises on every point", lambda w, eta, y: True, lambda s: 1 / 0))
"""


@pytest.mark.parametrize("workers", [None, 2])
def test_a_claim_that_raises_is_one_line(tmp_path, workers):
    """A user's claim whose conclusion raises: one line naming the claim and the exception, status 2."""
    if workers:
        pytest.importorskip("distributed")
    path = tmp_path / "raises.py"
    path.write_text(CLAIM_RAISES)
    cmd = [sys.executable, "-m", "scalar_eos", "sweep", "--depth", "2", "--samples", "20", "--chunk", "10"]
    cmd += ["--claims", "file-divides-by-zero", "--claims-file", str(path)]
    cmd += ["--quiet", "--out", str(tmp_path / "s.parquet")] + (["--workers", str(workers)] if workers else [])
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.splitlines() == [
        "scalar-eos: error: claim 'file-divides-by-zero' raised ZeroDivisionError: division by zero"
    ], proc.stderr

"""Figures are written (needs matplotlib; skipped without it)."""

from __future__ import annotations

import json

import pytest

from scalar_eos.cli import main

pytest.importorskip("matplotlib")


@pytest.mark.parametrize(
    "argv",
    [
        ["plot", "trajectory", "--weights=0.5,3.3,0.5", "--eta", "0.45", "--steps", "100"],
        ["plot", "phase", "--depth", "2", "--steps", "300"],
        ["plot", "region"],
    ],
)
def test_plots_are_written(tmp_path, argv):
    out = tmp_path / "fig.png"
    assert main([*argv, "-o", str(out)]) == 0
    assert out.stat().st_size > 10_000


def test_plot_trajectory_needs_weights(tmp_path, capsys):
    assert main(["plot", "trajectory", "-o", str(tmp_path / "x.png")]) == 2
    err = capsys.readouterr().err
    assert "required: --weights/-w, --eta" in err and len(err.strip().splitlines()) == 1


def test_plot_benchmark_per_point_measures_and_draws(tmp_path, capsys):
    out = tmp_path / "bench.png"
    assert main(["plot", "benchmark", "--per-point", "--quick", "-o", str(out)]) == 0
    assert out.stat().st_size > 20_000
    err = capsys.readouterr().err
    assert err.count("vs mpmath") == 3 and f"saved {out}" in err


def test_benchmark_measurement_is_consistent():
    from scalar_eos.benchmark import measure

    (row,) = measure([3], n_fast=5000, n_mp=20, n_ivp=2)
    assert row["err_mpmath"] < 1e-13  # the fast path agrees with the reference on the points it timed
    assert row["ratio_mpmath"] == pytest.approx(row["fast"] / row["mpmath"])
    assert row["ratio_mpmath"] > 10
    if "solve_ivp" in row:
        assert row["ivp_failed"] == 0 and row["ratio_solve_ivp"] > 10


def test_plot_benchmark_measures_targets_and_saves_the_record(tmp_path, capsys):
    out, rec = tmp_path / "speed.png", tmp_path / "speed.json"
    argv = ["plot", "benchmark", "--quick", "--targets", "gd", "--reps", "1", "--quiet", "--json", str(rec)]
    assert main([*argv, "-o", str(out)]) == 0
    assert out.stat().st_size > 20_000
    err = capsys.readouterr().err
    assert "plain GD, D = 3: numba engine:" in err and "x vs plain NumPy loop" in err
    data = json.loads(rec.read_text())
    (target,) = data["targets"]
    assert [r["role"] for r in target["results"]] == ["reference", "fallback", "new"]
    assert target["agreement"]["NumPy and numba engines bit-identical"] is True
    assert data["machine"]["cores"] >= 1 and data["machine"]["numpy"]


def _record(**target):
    return {
        "machine": {"cpu": "Test CPU", "cores": 2},
        "reps": 3,
        "targets": [
            {
                "id": "gfs_d4",
                "title": "GFS sharpness, D = 4",
                "unit": "points/s",
                "higher_is_better": True,
                "goal": 1e7,
                "goal_text": ">= 1e7 points/s",
                "met": True,
                "results": [
                    {"name": "plain NumPy Newton", "role": "reference", "value": 1e6},
                    {"name": "numba engine", "role": "new", "value": 1.3e7},
                ],
                **target,
            },
            {
                "id": "phase",
                "title": "phase design",
                "unit": "s",
                "higher_is_better": False,
                "goal": 10.0,
                "results": [
                    {"name": "NumPy engine", "role": "fallback", "value": 20.0},
                    {"name": "numba engine", "role": "new", "value": 1.0},
                ],
            },
            {"id": "generic_mlp", "skipped": "needs SciPy"},  # no results: drawn as "not measured"
            {"title": "no id, no unit, no results"},
            "not a target",
        ],
    }


def test_plot_benchmark_from_a_record_with_missing_keys(tmp_path, capsys):
    src = tmp_path / "rec.json"
    src.write_text(json.dumps(_record()))
    out = tmp_path / "fig.png"
    assert main(["plot", "benchmark", "--from", str(src), "-o", str(out)]) == 0
    assert out.stat().st_size > 20_000
    err = capsys.readouterr().err
    assert "GFS sharpness, D = 4: numba engine: 1.3e+07 points/s; 13x vs plain NumPy Newton" in err
    assert "phase design: numba engine: 1 s; 20x vs NumPy engine" in err
    assert "not measured (needs SciPy)" in err
    assert main(["plot", "benchmark", "--from", str(src), "--targets", "phase", "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert "phase design: numba engine" in err and "GFS sharpness" not in err
    bare = tmp_path / "bare.json"
    bare.write_text(json.dumps({"targets": [{"results": [{"value": "fast"}]}]}))  # nothing usable, no machine
    assert main(["plot", "benchmark", "--from", str(bare), "-o", str(tmp_path / "bare.png")]) == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read benchmark record"),
        ("{not json", "is not valid JSON"),
        ('{"machine": {}}', "has no 'targets' list"),
        ("[1, 2]", "has no 'targets' list"),
    ],
)
def test_plot_benchmark_bad_record_is_exit_2(tmp_path, capsys, content, message):
    src = tmp_path / "rec.json"
    if content is not None:
        src.write_text(content)
    assert main(["plot", "benchmark", "--from", str(src), "-o", str(tmp_path / "x.png")]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "x.png").exists()


def test_plot_benchmark_unknown_target_is_exit_2(tmp_path, capsys):
    assert main(["plot", "benchmark", "--targets", "gd,warp", "-o", str(tmp_path / "x.png")]) == 2
    err = capsys.readouterr().err
    assert "unknown benchmark targets ['warp']" in err and len(err.strip().splitlines()) == 1


def test_speedup_and_markdown_table():
    from scalar_eos import speed

    rec = _record()
    gfs, phase = rec["targets"][:2]
    assert speed.speedup(gfs, speed.new_result(gfs)) == pytest.approx(13.0)
    assert speed.speedup(phase, speed.new_result(phase)) == pytest.approx(20.0)  # times: lower is better
    table = speed.markdown_table(rec)
    assert "| GFS sharpness, D = 4 | plain NumPy Newton: 1e+06 points/s | numba engine: 1.3e+07 points/s | 13x" in table
    assert "Measured on Test CPU (2 cores)" in table

"""Figures: ``scalar-eos plot trajectory|phase|region|benchmark`` (matplotlib, Agg backend)."""

from __future__ import annotations

import textwrap
from typing import Any

import numpy as np

from ._optional import pyplot

__all__ = ["plot_benchmark", "plot_region", "plot_speed", "plot_trajectory"]


def plot_trajectory(tr: Any, path: str, *, title: str | None = None) -> str:
    """Loss (log scale), sharpness, GFS sharpness and the line 2/eta along a GD run."""
    plt = pyplot()
    t = np.arange(len(tr))
    loss = np.asarray(tr.loss, dtype=float)
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(7, 6), sharex=True)
    ax1.semilogy(t, np.maximum(loss, 1e-300), color="tab:gray", lw=1)
    ax1.set_ylabel("loss")
    depth = len(tr.weights[0]) if len(tr) else 0
    ax1.set_title(title or f"GD on a depth-{depth} scalar network, eta = {float(tr.eta):g}")
    ax2.plot(t, np.asarray(tr.sharpness, dtype=float), color="tab:blue", lw=0.8, label="sharpness at the iterate")
    ax2.plot(t, np.asarray(tr.gfs_sharpness, dtype=float), color="tab:red", lw=2, label="GFS sharpness")
    ax2.axhline(tr.threshold, color="k", ls="--", lw=1, label="2/eta")
    ax2.set_xlabel("step t")
    ax2.set_ylabel("sharpness")
    ax2.legend(loc="upper right")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def plot_region(path: str, *, samples: int = 4000, seed: int = 0, target: float = 1.0) -> str:
    """D = 2: the exact one-step region ``eta |pi - y| <= sqrt 2`` with sampled points.

    Each sampled ``(w, eta)`` is placed at ``(pi - y, eta)`` and coloured by what
    one GD step did to the GFS sharpness (float64 fast path).
    """
    from . import fast

    plt = pyplot()
    rng = np.random.default_rng(seed)
    W = np.exp(rng.uniform(-1.5, 1.5, size=(samples, 2)))
    eta = rng.uniform(0.02, 2.0, size=samples)
    before = fast.gfs_sharpness(W, target=target)
    after = fast.gfs_sharpness(fast.gd_step(W, eta, target=target), target=target)
    r = np.prod(W, axis=1) - target
    ok = np.isfinite(before) & np.isfinite(after)
    inc = ok & (after > before * (1 + 1e-12))
    dec = ok & ~inc
    fig, ax = plt.subplots(figsize=(7, 5))
    rr = np.linspace(min(r.min(), -0.1), r.max(), 400)
    with np.errstate(divide="ignore"):
        bound = np.sqrt(2) / np.abs(rr)
    ax.fill_between(rr, 0, np.minimum(bound, 2.1), color="#d9f0d3", label="region eta |pi - y| <= sqrt 2")
    ax.plot(rr, np.minimum(bound, 2.1), color="k", lw=1)
    ax.scatter(r[dec], eta[dec], s=4, color="tab:green", label="sampled: psi did not increase")
    ax.scatter(r[inc], eta[inc], s=4, color="tab:red", label="sampled: psi increased")
    ax.set_xlabel("pi(w) - y")
    ax.set_ylabel("step size eta")
    ax.set_ylim(0, 2.05)
    ax.set_title(f"Depth 2, y = {target:g}: where one GD step does not increase the GFS sharpness")
    ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def plot_benchmark(rows: list[dict[str, Any]], path: str) -> str:
    """Bar chart of the fast path's speed-up over each baseline, per depth (log scale)."""
    plt = pyplot()
    depths = [r["depth"] for r in rows]
    series = [("ratio_mpmath", "vs mpmath reference (30 digits)", "tab:purple")]
    if all("ratio_solve_ivp" in r for r in rows):
        series.append(("ratio_solve_ivp", "vs solve_ivp GF integration + eigvalsh", "tab:orange"))
    x = np.arange(len(depths))
    width = 0.8 / len(series)
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for j, (key, label, color) in enumerate(series):
        vals = [r[key] for r in rows]
        bars = ax.bar(x + (j - (len(series) - 1) / 2) * width, vals, width, label=label, color=color)
        for b, v in zip(bars, vals, strict=True):
            ax.annotate(f"{v:.2g}x", (b.get_x() + b.get_width() / 2, v), ha="center", va="bottom", fontsize=8)
    ax.set_yscale("log")
    ax.set_xticks(x, [f"D = {d}\n{r['fast']:.2g} pts/s" for d, r in zip(depths, rows, strict=True)])
    ax.set_ylabel("speed-up of scalar_eos.fast (points per second ratio)")
    ax.set_xlabel("depth (fast-path throughput, one core)")
    ax.axhline(1.0, color="k", lw=0.8)
    ax.set_ylim(1.0, max(max(r[k] for r in rows) for k, _, _ in series) * 8)
    ax.legend(loc="upper right", fontsize=8)
    ax.set_title("GFS sharpness: batched float64 fast path vs per-point baselines, same process")
    ax.title.set_fontsize(10)
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)
    return path


_ROLE_COLORS = {"reference": "0.6", "previous": "tab:orange", "fallback": "tab:blue", "new": "tab:green"}


def plot_speed(record: dict[str, Any], path: str) -> str:
    """One panel per speed target: each implementation's speed-up over the plain NumPy reference (log scale).

    ``record`` is what :func:`scalar_eos.speed.measure` returns (or its JSON);
    missing targets, results or keys leave a panel saying so instead of
    failing.  The dashed line is the target of the issue translated into the
    same ratio; the machine and date are in the title.
    """
    from .speed import base_result, speedup

    plt = pyplot()
    targets = [t for t in record.get("targets") or [] if isinstance(t, dict)]
    ncols = min(3, max(1, len(targets)))
    nrows = max(1, -(-len(targets) // ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.6 * ncols, 4.2 * nrows + 0.6), squeeze=False)
    for ax in axes.flat[len(targets) :]:
        ax.axis("off")
    for ax, t in zip(axes.flat, targets, strict=False):
        _speed_panel(ax, t, base_result(t), speedup)
    roles = {
        "reference": "plain NumPy reference (from the definitions)",
        "previous": "previous implementation (0.1 / LSODA path)",
        "fallback": "NumPy engine (fallback without numba)",
        "new": "new engine (numba / fast path)",
    }
    handles = [plt.Rectangle((0, 0), 1, 1, color=_ROLE_COLORS[k]) for k in roles]
    handles.append(plt.Line2D([], [], color="tab:red", ls="--"))
    labels = [*roles.values(), "target of the issue"]
    if len(targets) < axes.size:  # a spare panel holds the legend
        axes.flat[len(targets)].legend(handles, labels, loc="center", fontsize=8, frameon=False)
    else:  # every panel holds a target: the legend goes in a row below them
        fig.legend(handles, labels, loc="lower center", ncol=3, fontsize=8, frameon=False)
    m = record.get("machine") or {}
    versions = ", ".join(f"{k} {m[k]}" for k in ("numpy", "numba", "scipy") if m.get(k))
    load = m.get("load")
    title = (
        f"Speed side by side in one process, CPU time, median of {record.get('reps', '?')} runs"
        f"{' (quick sizes)' if record.get('quick') else ''}\n{m.get('cpu', 'unknown CPU')}, "
        f"{m.get('cores', '?')} cores, {versions}; load {load if load else '?'}; {m.get('date', '')}"
    )
    fig.suptitle(title, fontsize=9)
    fig.tight_layout(rect=(0, 0.0 if len(targets) < axes.size else 0.07, 1, 1))
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _speed_panel(ax: Any, t: dict[str, Any], base: Any, speedup: Any) -> None:
    ax.set_title(str(t.get("title", t.get("id", "?"))), fontsize=8.5)
    results = [r for r in t.get("results") or [] if isinstance(r, dict)]
    if t.get("skipped") or base is None or not results:
        why = textwrap.fill(str(t.get("skipped", "")), 40)
        ax.text(0.5, 0.5, f"not measured\n{why}", ha="center", va="center", fontsize=8)
        ax.set_xticks([])
        ax.set_yticks([])
        return
    unit = t.get("unit", "")
    vals, names, colors = [], [], []
    for r in results:
        s = speedup(t, r, base)
        if np.isfinite(s):
            vals.append(s)
            names.append(f"{r.get('name', '?')}\n{r['value']:.3g} {unit}")
            colors.append(_ROLE_COLORS.get(r.get("role", ""), "tab:gray"))
    x = np.arange(len(vals))
    bars = ax.bar(x, vals, color=colors)
    for b, v in zip(bars, vals, strict=True):
        ax.annotate(f"{v:.3g}x", (b.get_x() + b.get_width() / 2, v), ha="center", va="bottom", fontsize=8)
    ax.set_yscale("log")
    ax.set_xticks(x, names, fontsize=6.5, rotation=25, ha="right")
    ax.axhline(1.0, color="k", lw=0.6)
    top = max(vals)
    goal = t.get("goal")
    if isinstance(goal, int | float) and goal > 0:
        g = speedup(t, {"value": float(goal)}, base)
        if np.isfinite(g):
            ax.axhline(g, color="tab:red", ls="--", lw=1)
            met = t.get("met")
            verdict = "" if met is None else (" - met" if met else " - NOT met")
            ax.text(
                0.02,
                0.97,
                f"- - target {t.get('goal_text', goal)}{verdict}",
                transform=ax.transAxes,
                va="top",
                fontsize=7,
                color="tab:red",
            )
            top = max(top, g)
    ax.set_ylim(min(1.0, min(vals)) / 2, top * 6)
    ax.set_ylabel(f"speed-up over {base.get('name', 'the reference')}", fontsize=7.5)

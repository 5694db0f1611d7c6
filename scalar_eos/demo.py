"""``scalar-eos demo``: gradient descent at the edge of stability, explained.

A depth-3 scalar network started far from balance, with a step size whose
stability threshold ``2/eta`` lies below the initial GFS sharpness.  The loss
and the sharpness oscillate, while the GFS sharpness decreases step by step
until it settles just below ``2/eta``.  Every number is computed, none is
stored.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from .dynamics import Trajectory, gd

__all__ = ["DEMO_ETA", "DEMO_WEIGHTS", "run_demo", "summarize"]

#: Built-in example: initial weights and step size (target 1).
DEMO_WEIGHTS = (0.5, 3.3, 0.5)
DEMO_ETA = 0.45


def summarize(tr: Trajectory) -> str:
    """A plain-language paragraph describing what a trajectory shows."""
    loss, psi, sharp = np.asarray(tr.loss), np.asarray(tr.gfs_sharpness), np.asarray(tr.sharpness)
    threshold = tr.threshold
    n = len(tr) - 1
    head = f"with eta = {float(tr.eta):g} (threshold 2/eta = {threshold:.6g})"
    if n == 0:
        text = [
            f"No gradient descent step was taken (0 steps) {head}: at w0 the loss is {loss[0]:.3g},",
            f"the sharpness {sharp[0]:.6g} ({'above' if sharp[0] > threshold else 'not above'} 2/eta) and the",
            f"GFS sharpness {psi[0]:.6g} ({psi[0] / threshold:.4f} x 2/eta).",
        ]
        if tr.stopped:
            text.append(f"The run stopped: {tr.stopped}.")
        return " ".join(text)
    ups = int(np.sum(np.diff(loss) > 0))
    dpsi = np.diff(psi)
    rises = int(np.sum(dpsi > 0))
    max_rise = float(dpsi.max()) if dpsi.size else 0.0
    above = int(np.sum(sharp > threshold))
    monotone = "it is not monotone" if ups else "it decreased on every step"
    text = [
        f"Over {_count(n, 'step')} of gradient descent {head},",
        f"the loss went up on {ups} of {n} steps (from {loss[0]:.3g} to {loss[-1]:.3g}): {monotone}.",
        f"The sharpness at the iterate was above 2/eta at {above} of {n + 1} iterates.",
    ]
    if rises == 0:
        text.append(
            f"The GFS sharpness, the sharpness of the minimiser gradient flow would reach from each iterate, "
            f"decreased on every step, from {psi[0]:.6g} to {psi[-1]:.6g}"
        )
    else:
        text.append(
            f"The GFS sharpness rose on {_count(rises, 'step')} (largest rise {max_rise:.3g}) and went from "
            f"{psi[0]:.6g} to {psi[-1]:.6g}"
        )
    ratio = psi[-1] / threshold
    if 0.95 <= ratio <= 1.0:
        text.append(f"and settled at {ratio:.4f} x 2/eta: GD converged at the edge of stability.")
    else:
        text.append(f"and ended at {ratio:.4f} x 2/eta.")
    if tr.stopped:
        text.append(f"The run stopped early: {tr.stopped}.")
    return " ".join(text)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _figure(tr: Trajectory, path: str) -> str | None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    t = np.arange(len(tr))
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(7, 6), sharex=True)
    ax1.semilogy(t, np.maximum(tr.loss, 1e-300), color="tab:gray", lw=1)
    ax1.set_ylabel("loss")
    ax1.set_title(f"GD on a depth-{tr.weights.shape[1]} scalar network, eta = {float(tr.eta):g}")
    ax2.plot(t, tr.sharpness, color="tab:blue", lw=0.8, label="sharpness at the iterate")
    ax2.plot(t, tr.gfs_sharpness, color="tab:red", lw=2, label="GFS sharpness")
    ax2.axhline(tr.threshold, color="k", ls="--", lw=1, label="2/eta")
    ax2.set_xlabel("step t")
    ax2.set_ylabel("sharpness")
    ax2.legend(loc="upper right")
    fig.tight_layout()
    try:
        fig.savefig(path, dpi=120)
    finally:
        plt.close(fig)
    return path


def run_demo(
    *,
    steps: int = 300,
    every: int = 15,
    figure: str | None = None,
    plot: bool = True,
    out: Any = None,
    progress: bool | None = False,
) -> int:
    """Run the built-in example, print a table and a summary; return exit status 0.

    ``progress``: an elapsed-time line on stderr during the run (None: when a terminal or notebook watches).
    """
    from ._validate import check_steps
    from .errors import InvalidArgument

    out = out or sys.stdout
    steps = check_steps(steps)
    if every < 1:
        raise InvalidArgument(f"--every must be at least 1, got {every}")
    if plot and figure:
        from ._output import check_figure_path

        check_figure_path(figure)  # before the run: a bad path costs nothing
    from ._progress import Progress

    with Progress(1, "demo: gradient descent", enabled=progress, ticker=True, delay=1.0):
        tr = gd(list(DEMO_WEIGHTS), DEMO_ETA, steps)
    print(
        f"scalar-eos demo: depth {len(DEMO_WEIGHTS)}, w0 = {DEMO_WEIGHTS}, target 1, eta = {DEMO_ETA}",
        file=out,
    )
    print(f"GFS sharpness at the start {tr.gfs_sharpness[0]:.6g} > 2/eta = {tr.threshold:.6g}\n", file=out)
    header = f"{'t':>5} {'loss':>12} {'product':>12} {'sharpness':>12} {'GFS sharp.':>12} {'2/eta':>10}"
    print(header, file=out)
    n = len(tr)
    for t in range(n):
        if t % every and t != n - 1:
            continue
        print(
            f"{t:>5} {tr.loss[t]:>12.4e} {tr.product[t]:>12.6f} {tr.sharpness[t]:>12.6f} "
            f"{tr.gfs_sharpness[t]:>12.6f} {tr.threshold:>10.6f}",
            file=out,
        )
    print("", file=out)
    print(summarize(tr), file=out)
    if plot and figure:
        saved = _figure(tr, figure)
        if saved:
            print(f"\nFigure saved to {saved}", file=out)
        else:
            print("\n(matplotlib is not installed: no figure; pip install 'scalar-eos[plot]')", file=out)
    return 0

"""Experiments beyond scalar networks: does GD decrease the GFS sharpness on other models?

``scalar-eos experiment MODEL`` (or :func:`run_experiment`) builds an example
model from :mod:`scalar_eos.generic.examples`, computes the GFS sharpness ``psi(x0)``
at its initialisation, picks the step size ``eta = eta_psi / psi(x0)`` (``eta_psi =
eta * psi(x0) > 2``: GD starts beyond the edge of stability), runs GD and
computes the GFS sharpness every ``k`` steps with the generic engine.  It
reports whether the GFS sharpness decreased monotonically (beyond the error
estimates), the largest increase seen, the final GFS sharpness and sharpness
relative to ``2/eta``, and the time per GFS evaluation.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validate import check_positive
from ..errors import InvalidArgument
from . import engine
from .examples import example
from .model import Model

__all__ = ["Experiment", "plot_experiment", "run_experiment"]


@dataclass
class Experiment:
    """The model, the GD record and its summary."""

    name: str
    model: Model
    record: engine.GDRecord
    summary: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {"model": self.model.name, "name": self.name, "n_params": self.model.n_params, **self.summary}

    def format_text(self) -> str:
        """The summary for humans (``scalar-eos experiment``)."""
        s = self.summary
        if s["monotone"]:
            mono = "yes"
        else:
            between = ", ".join(f"{a}->{b}" for a, b in s["increase_steps"][:5])
            mono = f"no: {s['increases']} increase(s) beyond the error estimates, between steps {between}"
        return "\n".join(
            [
                f"{self.model.name}: {self.model.n_params} parameters, eta = {s['eta']:.6g} "
                f"(eta * psi(x0) = {s['eta_psi0']:.4g}), {s['steps']} GD steps ({s['status']}), "
                f"loss rose on {s['loss_increases']} steps",
                f"GFS sharpness at {s['gfs_converged']} of {s['gfs_points']} iterates (flows converged; others: "
                f"{s['gfs_not_converged'] or 'none'}), {s['seconds_per_gfs']:.3g} s per evaluation",
                f"  decreased monotonically: {mono}; largest relative change between evaluations "
                f"{s['largest_increase']:+.3g}",
                f"  GFS sharpness / (2/eta): first {s['first_gfs_over_threshold']:.4f}, "
                f"final {s['final_gfs_over_threshold']:.4f}; "
                f"final sharpness / (2/eta) {s['final_sharpness_over_threshold']:.4f}",
            ]
        )


def run_experiment(
    name: str,
    *,
    eta_psi: float | None = None,
    eta: float | None = None,
    steps: int | None = None,
    every: int | None = None,
    gtol: float | None = None,
    model_kw: dict[str, Any] | None = None,
    progress: Any = None,
    method: str = "auto",
    integrator: str = "auto",
) -> Experiment:
    """Run the experiment for model ``name`` (``scalar``, ``factorization``, ``quadratic``, ``mlp``).

    ``method`` is passed to :func:`~scalar_eos.generic.gfs_sharpness` (``"lsoda"`` for the LSODA path), and
    so is ``integrator`` unless it is ``"auto"`` (the fast path's integrator, e.g. ``"BDF"`` for version 0.2's).

    Examples
    --------
    >>> e = run_experiment("scalar", steps=40, every=10)
    >>> e.summary["monotone"], e.summary["gfs_converged"]
    (True, 5)
    """
    ex = example(name)
    if eta is not None and eta_psi is not None:
        raise InvalidArgument("give eta or eta_psi, not both")
    model = ex.build(**{**ex.kw, **(model_kw or {})})
    gtol = ex.gtol if gtol is None else gtol
    gfs_kw: dict[str, Any] = {"method": method}
    if integrator != "auto":
        gfs_kw["integrator"] = integrator
    start = time.perf_counter()
    first = engine.gfs_sharpness(model, model.x0, gtol=gtol, **gfs_kw)
    if first.value is None:
        raise InvalidArgument(
            f"gradient flow from the initialisation did not converge ({first.status}: {first.flow.message})"
        )
    if eta is None:
        eta = check_positive(ex.eta_psi if eta_psi is None else eta_psi, "eta_psi") / first.value
    rec = engine.gd(
        model,
        model.x0,
        eta,
        ex.steps if steps is None else steps,
        gfs_every=ex.every if every is None else every,
        gtol=gtol,
        callback=progress,
        **gfs_kw,
    )
    summary = engine.summarize(rec)
    summary["eta_psi0"] = float(rec.eta * first.value)
    summary["gfs0"] = float(first.value)
    summary["seconds"] = time.perf_counter() - start
    return Experiment(name, model, rec, summary)


def plot_experiment(e: Experiment, path: str) -> str:
    """Loss (log), sharpness, GFS sharpness with error bars and 2/eta along the run."""
    from .._optional import pyplot

    plt = pyplot()
    rec, s = e.record, e.summary
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(8, 6.8), sharex=True)
    ax1.semilogy(np.arange(len(rec.loss)), np.maximum(rec.loss, 1e-300), color="tab:gray", lw=0.8)
    ax1.set_ylabel("loss")
    ax1.set_title(f"{e.model.name} ({e.model.n_params} parameters), eta = {rec.eta:.4g}", fontsize=10)
    ax2.plot(rec.sharpness_t, rec.sharpness, color="tab:blue", lw=0.6, label="sharpness (top Hessian eigenvalue)")
    ok = np.isfinite(rec.gfs)
    ax2.errorbar(
        rec.gfs_t[ok],
        rec.gfs[ok],
        yerr=rec.gfs_error[ok],
        color="tab:red",
        marker="o",
        ms=3,
        lw=1.5,
        label="GFS sharpness (generic engine)",
    )
    ax2.axhline(2 / rec.eta, color="k", ls="--", lw=1, label="2/eta")
    th = 2 / rec.eta
    g_hi = np.nanmax(rec.gfs) if ok.any() else th
    g_lo = np.nanmin(rec.gfs) if ok.any() else th
    ax2.set_ylim(min(0.85 * th, 0.97 * g_lo), max(1.15 * th, 1.05 * g_hi))  # zoom on the GFS sharpness and 2/eta
    ax2.set_xlabel("GD step")
    ax2.set_ylabel("sharpness")
    verdict = "monotone" if s["monotone"] else f"{s['increases']} increase(s) beyond the error estimate"
    # below the axes: inside, the legend would cover the oscillating sharpness
    ax2.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, -0.2),
        ncol=3,
        fontsize=8,
        title=f"GFS sharpness: {verdict}",
        title_fontsize=8,
        frameon=False,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)
    return path

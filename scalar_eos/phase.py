"""Phase diagrams: where GD ends, over ``pi_over_y = pi(w0)/y`` and ``eta_psi = eta * psi(w0)``.

For each depth the initial points form a one-parameter family per ``pi_over_y``
value ``r``: ``w0 = r^(1/D) * (e^kappa, e^-kappa, 1, ..., 1)`` has product
``r * y`` (``y > 0``) and a fixed imbalance ``kappa``; the step size is set
from the x-coordinate ``eta_psi = eta * psi(w0)``.  Each cell is classified by
:func:`scalar_eos.classify_batch` into

* ``stable`` - ``eta psi(w0) <= 2``: GD converged below ``2/eta`` as gradient flow would;
* ``eos`` - converged to a minimiser with sharpness in ``((1-delta) 2/eta, 2/eta]``;
* ``below`` - from ``eta psi(w0) > 2``, converged to a minimiser far flatter than ``2/eta``;
* ``above`` - converged to a minimiser sharper than ``2/eta`` (possible only
  from a point exactly on the minimum manifold; listed for completeness);
* ``periodic``, ``diverged``, ``saddle``, ``undecided``, ``chaotic`` (positive
  finite-time Lyapunov exponent up to the budget), ``quasiperiodic``,
  ``saddle_approach`` (creeping into the degenerate saddle at the origin at the
  budget, :mod:`scalar_eos.outcome`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from . import fast
from ._deprecate import warn_renamed
from ._validate import check_int
from .errors import InvalidArgument
from .outcome import OutcomeStatus, classify_batch

__all__ = ["CATEGORIES", "PhaseDiagram", "categorize", "phase_diagram", "plot_phase"]

CATEGORIES = (
    "stable", "eos", "below", "above", "periodic", "diverged", "saddle", "undecided", "chaotic", "quasiperiodic",
    "saddle_approach",
)  # fmt: skip
COLORS = (
    "#c7e9f1", "#2ca02c", "#1f77b4", "#8c564b", "#ff7f0e", "#d62728", "#7f7f7f", "#dddddd", "#9467bd", "#e377c2",
    "#bcbd22",
)  # fmt: skip


@dataclass
class PhaseDiagram:
    """Outcome map: ``category[i, j]`` for ``pi_over_y[i]`` and ``eta_psi[j]``.

    ``final_ratio[i, j]`` is the final sharpness over ``2/eta`` of a converged
    run (NaN otherwise).
    """

    depth: int
    pi_over_y: np.ndarray
    eta_psi: np.ndarray
    category: np.ndarray
    final_ratio: np.ndarray
    gfs_monotone: np.ndarray
    imbalance: float
    delta: float
    max_steps: int

    @property
    def products(self) -> np.ndarray:
        """Deprecated name of :attr:`pi_over_y` (removed in the next release)."""
        warn_renamed("products", "pi_over_y", "PhaseDiagram")
        return self.pi_over_y

    def counts(self) -> dict[str, int]:
        """Number of cells per category."""
        return {name: int(np.sum(self.category == k)) for k, name in enumerate(CATEGORIES)}

    def as_dict(self) -> dict[str, Any]:
        return {
            "depth": self.depth,
            "pi_over_y": self.pi_over_y.tolist(),
            "eta_psi": self.eta_psi.tolist(),
            "category": [[CATEGORIES[k] for k in row] for row in self.category],
            "final_ratio": [[None if not np.isfinite(v) else float(v) for v in row] for row in self.final_ratio],
            "counts": self.counts(),
            "imbalance": self.imbalance,
            "delta": self.delta,
            "max_steps": self.max_steps,
        }


def initial_points(depth: int, pi_over_y: np.ndarray, imbalance: float) -> np.ndarray:
    """``w0`` for each value of ``pi(w0)/y`` (rows, target 1), with the fixed imbalance."""
    base = np.ones((len(pi_over_y), depth))
    if depth >= 2:
        base[:, 0], base[:, 1] = np.exp(imbalance), np.exp(-imbalance)
    return base * (pi_over_y[:, None] ** (1.0 / depth))


def categorize(status: np.ndarray, final_ratio: np.ndarray, start_stable: np.ndarray, delta: float) -> np.ndarray:
    """Phase categories (codes into :data:`CATEGORIES`) from outcome codes and ``final * eta / 2``."""
    r = final_ratio
    cat = np.full(status.shape, CATEGORIES.index("undecided"), dtype=np.int8)
    conv = status == OutcomeStatus.CONVERGED
    cat[conv & (r > 1 + 1e-12)] = CATEGORIES.index("above")
    cat[conv & (r <= 1 + 1e-12) & (r > 1 - delta)] = CATEGORIES.index("eos")
    cat[conv & (r <= 1 - delta)] = CATEGORIES.index("below")
    cat[conv & start_stable & (r <= 1 + 1e-12)] = CATEGORIES.index("stable")
    for name in ("periodic", "diverged", "saddle", "chaotic", "quasiperiodic", "saddle_approach"):
        cat[status == OutcomeStatus[name.upper()]] = CATEGORIES.index(name)
    return cat


def phase_diagram(
    depth: int,
    *,
    pi_over_y: Any = None,
    eta_psi: Any = None,
    imbalance: float = 0.5,
    delta: float = 0.05,
    max_steps: int = 5000,
    products: Any = None,
    progress: bool | None = None,
) -> PhaseDiagram:
    """Classify GD on a grid of ``pi_over_y = pi(w0)/y`` and ``eta_psi = eta * psi(w0)``.

    ``products`` is the deprecated name of ``pi_over_y`` (removed in the next release).
    ``progress``: a bar on stderr (default: when a terminal or notebook shows it; ``False`` silences it).

    Examples
    --------
    >>> pd = phase_diagram(2, pi_over_y=[0.5, 1.5], eta_psi=[1.0, 2.5], max_steps=2000)
    >>> [[c for c in row] for row in pd.as_dict()["category"]]
    [['stable', 'periodic'], ['stable', 'below']]
    """
    depth = check_int(depth, "depth", 1)
    if products is not None:
        if pi_over_y is not None:
            raise InvalidArgument("give pi_over_y only (its old name products too is ambiguous)")
        warn_renamed("products", "pi_over_y", "phase_diagram")
        pi_over_y = products
    rows = np.linspace(0.05, 1.95, 20) if pi_over_y is None else np.asarray(pi_over_y, dtype=float)
    cols = np.linspace(0.5, 4.0, 36) if eta_psi is None else np.asarray(eta_psi, dtype=float)
    if rows.ndim != 1 or cols.ndim != 1 or not rows.size or not cols.size:
        raise InvalidArgument("pi_over_y and eta_psi must be non-empty 1-D sequences")
    if np.any(~np.isfinite(rows)) or np.any(rows <= 0) or np.any(~np.isfinite(cols)) or np.any(cols <= 0):
        raise InvalidArgument("pi_over_y and eta_psi must be positive and finite")
    if not 0 < delta < 1:
        raise InvalidArgument(f"delta must be in (0, 1), got {delta}")
    w0 = initial_points(depth, rows, imbalance)
    psi0 = fast.gfs_sharpness(w0)
    W = np.repeat(w0, len(cols), axis=0)
    eta = (cols[None, :] / psi0[:, None]).ravel()
    res = classify_batch(W, eta, max_steps=max_steps, progress=progress)
    final_ratio = res["final_sharpness"] * eta / 2
    start_stable = np.broadcast_to(cols <= 2, (len(rows), len(cols))).ravel()
    cat = categorize(res["status"], final_ratio, start_stable, delta)
    conv = res["status"] == OutcomeStatus.CONVERGED
    shape = (len(rows), len(cols))
    return PhaseDiagram(
        depth=depth,
        pi_over_y=rows,
        eta_psi=cols,
        category=cat.reshape(shape),
        final_ratio=np.where(conv, final_ratio, np.nan).reshape(shape),
        gfs_monotone=res["gfs_monotone"].reshape(shape),
        imbalance=imbalance,
        delta=delta,
        max_steps=max_steps,
    )


def plot_phase(diagram: PhaseDiagram, path: str, *, title: str | None = None) -> str:
    """Save the outcome map as a figure (requires matplotlib)."""
    from ._optional import pyplot

    plt = pyplot()
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    d = diagram
    fig, ax = plt.subplots(figsize=(9, 5))
    cmap = ListedColormap(COLORS)
    dx = (d.eta_psi[-1] - d.eta_psi[0]) / max(1, len(d.eta_psi) - 1) / 2 if len(d.eta_psi) > 1 else 0.5
    dy = (d.pi_over_y[-1] - d.pi_over_y[0]) / max(1, len(d.pi_over_y) - 1) / 2 if len(d.pi_over_y) > 1 else 0.5
    extent = (d.eta_psi[0] - dx, d.eta_psi[-1] + dx, d.pi_over_y[0] - dy, d.pi_over_y[-1] + dy)
    ax.imshow(
        d.category,
        origin="lower",
        aspect="auto",
        cmap=cmap,
        vmin=-0.5,
        vmax=len(CATEGORIES) - 0.5,
        extent=extent,
        interpolation="nearest",
    )
    ax.axvline(2.0, color="k", ls="--", lw=1.2, label="eta psi(w0) = 2")
    ax.axvline(2 * np.sqrt(2), color="k", ls=":", lw=1.0, label="eta psi(w0) = 2 sqrt 2")
    ax.set_xlabel("eta_psi = eta * psi(w0)   (GD starts beyond the edge of stability when > 2)")
    ax.set_ylabel("pi_over_y = pi(w0) / y")
    present = [k for k in range(len(CATEGORIES)) if np.any(d.category == k)]
    labels = {
        "eos": f"converged at the EoS (within {100 * d.delta:.0f}% of 2/eta)",
        "stable": "stable start: converged below 2/eta like GF",
        "below": "overshoot: converged far below 2/eta",
        "above": "converged above 2/eta",
        "periodic": "periodic orbit",
        "diverged": "diverged",
        "saddle": "saddle",
        "undecided": f"undecided after {d.max_steps} steps",
        "chaotic": "chaotic (positive Lyapunov exponent)",
        "quasiperiodic": "quasi-periodic",
        "saddle_approach": f"approaching the saddle at the origin at step {d.max_steps}",
    }
    lines, _ = ax.get_legend_handles_labels()
    ax.legend(
        handles=[Patch(color=COLORS[k], label=labels[CATEGORIES[k]]) for k in present] + lines,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        fontsize=8,
        frameon=False,
    )
    ax.set_title(title or f"GD outcomes, depth {d.depth}, imbalance {d.imbalance:g}")
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)
    return path

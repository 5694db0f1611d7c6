"""Phase diagrams: where GD ends, over the initial product and ``eta * psi(w0)``.

For each depth the initial points form a one-parameter family per product:
``w0 = rho^(1/D) * (e^kappa, e^-kappa, 1, ..., 1)`` has product ``rho * y``
(``y > 0``) and a fixed imbalance ``kappa``; the step size is set from the
x-coordinate ``c = eta * psi(w0)``.  Each cell is classified by
:func:`scalar_eos.classify_batch` into

* ``stable`` - ``eta psi(w0) <= 2``: GD converged below ``2/eta`` as gradient flow would;
* ``eos`` - converged to a minimiser with sharpness in ``((1-delta) 2/eta, 2/eta]``;
* ``below`` - from ``eta psi(w0) > 2``, converged to a minimiser far flatter than ``2/eta``;
* ``above`` - converged to a minimiser sharper than ``2/eta`` (possible only
  from a point exactly on the minimum manifold; listed for completeness);
* ``periodic``, ``diverged``, ``saddle``, ``undecided``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from . import fast
from ._validate import check_int
from .errors import InvalidArgument
from .outcome import OutcomeStatus, classify_batch

__all__ = ["CATEGORIES", "PhaseDiagram", "categorize", "phase_diagram", "plot_phase"]

CATEGORIES = ("stable", "eos", "below", "above", "periodic", "diverged", "saddle", "undecided")
COLORS = ("#c7e9f1", "#2ca02c", "#1f77b4", "#8c564b", "#ff7f0e", "#d62728", "#7f7f7f", "#dddddd")


@dataclass
class PhaseDiagram:
    """Outcome map: ``category[i, j]`` for ``products[i]`` and ``eta_psi[j]``."""

    depth: int
    products: np.ndarray
    eta_psi: np.ndarray
    category: np.ndarray
    final_ratio: np.ndarray
    gfs_monotone: np.ndarray
    imbalance: float
    delta: float
    max_steps: int

    def counts(self) -> dict[str, int]:
        """Number of cells per category."""
        return {name: int(np.sum(self.category == k)) for k, name in enumerate(CATEGORIES)}

    def as_dict(self) -> dict[str, Any]:
        return {
            "depth": self.depth,
            "products": self.products.tolist(),
            "eta_psi": self.eta_psi.tolist(),
            "category": [[CATEGORIES[k] for k in row] for row in self.category],
            "final_ratio": [[None if not np.isfinite(v) else float(v) for v in row] for row in self.final_ratio],
            "counts": self.counts(),
            "imbalance": self.imbalance,
            "delta": self.delta,
            "max_steps": self.max_steps,
        }


def initial_points(depth: int, products: np.ndarray, imbalance: float) -> np.ndarray:
    """``w0`` for each product ratio (rows), with the fixed imbalance."""
    base = np.ones((len(products), depth))
    if depth >= 2:
        base[:, 0], base[:, 1] = np.exp(imbalance), np.exp(-imbalance)
    return base * (products[:, None] ** (1.0 / depth))


def categorize(status: np.ndarray, ratio: np.ndarray, start_stable: np.ndarray, delta: float) -> np.ndarray:
    """Phase categories (codes into :data:`CATEGORIES`) from outcome codes and ``final * eta / 2``."""
    cat = np.full(status.shape, CATEGORIES.index("undecided"), dtype=np.int8)
    conv = status == OutcomeStatus.CONVERGED
    cat[conv & (ratio > 1 + 1e-12)] = CATEGORIES.index("above")
    cat[conv & (ratio <= 1 + 1e-12) & (ratio > 1 - delta)] = CATEGORIES.index("eos")
    cat[conv & (ratio <= 1 - delta)] = CATEGORIES.index("below")
    cat[conv & start_stable & (ratio <= 1 + 1e-12)] = CATEGORIES.index("stable")
    for name in ("periodic", "diverged", "saddle"):
        cat[status == OutcomeStatus[name.upper()]] = CATEGORIES.index(name)
    return cat


def phase_diagram(
    depth: int,
    *,
    products: Any = None,
    eta_psi: Any = None,
    imbalance: float = 0.5,
    delta: float = 0.05,
    max_steps: int = 5000,
) -> PhaseDiagram:
    """Classify GD on a grid of initial products (``pi(w0)/y``) and ``eta * psi(w0)``.

    Examples
    --------
    >>> pd = phase_diagram(2, products=[0.5, 1.5], eta_psi=[1.0, 2.5], max_steps=2000)
    >>> [[c for c in row] for row in pd.as_dict()["category"]]
    [['stable', 'periodic'], ['stable', 'below']]
    """
    depth = check_int(depth, "depth", 1)
    prods = np.linspace(0.05, 1.95, 20) if products is None else np.asarray(products, dtype=float)
    cs = np.linspace(0.5, 4.0, 36) if eta_psi is None else np.asarray(eta_psi, dtype=float)
    if prods.ndim != 1 or cs.ndim != 1 or not prods.size or not cs.size:
        raise InvalidArgument("products and eta_psi must be non-empty 1-D sequences")
    if np.any(~np.isfinite(prods)) or np.any(prods <= 0) or np.any(~np.isfinite(cs)) or np.any(cs <= 0):
        raise InvalidArgument("products and eta_psi must be positive and finite")
    if not 0 < delta < 1:
        raise InvalidArgument(f"delta must be in (0, 1), got {delta}")
    w0 = initial_points(depth, prods, imbalance)
    psi0 = fast.gfs_sharpness(w0)
    W = np.repeat(w0, len(cs), axis=0)
    eta = (cs[None, :] / psi0[:, None]).ravel()
    res = classify_batch(W, eta, max_steps=max_steps)
    ratio = res["final_sharpness"] * eta / 2
    start_stable = np.broadcast_to(cs <= 2, (len(prods), len(cs))).ravel()
    cat = categorize(res["status"], ratio, start_stable, delta)
    conv = res["status"] == OutcomeStatus.CONVERGED
    shape = (len(prods), len(cs))
    return PhaseDiagram(
        depth=depth,
        products=prods,
        eta_psi=cs,
        category=cat.reshape(shape),
        final_ratio=np.where(conv, ratio, np.nan).reshape(shape),
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
    dy = (d.products[-1] - d.products[0]) / max(1, len(d.products) - 1) / 2 if len(d.products) > 1 else 0.5
    extent = (d.eta_psi[0] - dx, d.eta_psi[-1] + dx, d.products[0] - dy, d.products[-1] + dy)
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
    ax.set_xlabel("eta * psi(w0)   (GD starts beyond the edge of stability when > 2)")
    ax.set_ylabel("initial product pi(w0) / y")
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

"""Reading a finished sweep back: aggregate counts, re-verify the worst violations, plot."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from .. import claims as claims_mod
from .. import fast
from .._optional import pyplot
from ..phase import CATEGORIES, COLORS
from .compute import claim_column
from .storage import read_sweep

__all__ = ["SweepReport", "plot_report", "report"]


class SweepReport(dict):
    """The aggregate of a sweep file: a JSON-ready dict that also renders itself as text."""

    def as_dict(self) -> dict[str, Any]:
        """The report as a plain dict (what ``sweep-report --json`` prints)."""
        return dict(self)

    def format_text(self) -> str:
        """The report as lines of text (what ``sweep-report`` prints)."""
        d = self["design"]
        lines = [
            f"{self['file']}: {self['rows']} rows, mode {d['mode']}, depth {d['depth']}, seed {d['seed']} "
            f"(scalar-eos {self['version']})"
        ]
        for k, v in self["invalid_points"].items():
            lines.append(f"  {v} points with fast-path status {k} (no result)")
        if d["mode"] == "step":
            lines.append(
                f"  GFS sharpness increased in one step (float64, > 1e-12 relative): {self['psi_increased_float64']}"
            )
            for cid, e in self["claims"].items():
                lines.append(
                    f"  {cid}: hypothesis holds at {e['hypothesis']}, float64 violations {e['float64_violations']}, "
                    f"verified counterexamples among the worst {len(e['worst'])}: {e['verified_counterexamples']}"
                )
                for w in e["worst"]:
                    tag = "VERIFIED" if w["verified"] else "not confirmed exactly"
                    lines.append(
                        f"    row {w['row']}: w = {w['weights']}, eta = {w['eta']!r}, target = {w['target']!r}, "
                        f"score {w['score']:.3g} ({tag})"
                    )
            return "\n".join(lines)
        for key in ("outcomes", "categories"):
            if key in self:
                counts = sorted(self[key].items(), key=lambda t: -t[1])
                lines.append(f"  {key}: " + ", ".join(f"{k} {v}" for k, v in counts))
        if "gfs_not_monotone" in self:
            rose = self["gfs_not_monotone"]
            lines.append(f"  runs where the GFS sharpness rose (> 1e-12 relative) at some step: {rose}")
        if "largest_gfs_increase" in self:
            li = self["largest_gfs_increase"]
            lines.append(f"  largest one-step GFS increase: {li['value']:.3g} (row {li['row']})")
        for cid, e in self["claims"].items():
            lines.append(
                f"  {cid}: hypothesis at {e['hypothesis']}: holds {e['holds']}, fails {e['fails']}, "
                f"undecided {e['undecided']}"
            )
        return "\n".join(lines)


def report(path: str | os.PathLike[str], *, verify: int = 3) -> SweepReport:
    """Aggregate a finished sweep: counts per outcome, violations per claim, the worst ones re-verified.

    For ``mode="step"`` the ``verify`` largest float64 violations of each
    claim are re-decided exactly (:func:`scalar_eos.claims.evaluate`, exact
    rational step and GFS sharpness compared at rising precision); only
    verified ones count as counterexamples.
    """
    table, meta = read_sweep(path)
    d = meta["design"]
    cols = {name: table.column(name).to_numpy(zero_copy_only=False) for name in table.column_names}
    n = table.num_rows
    out = SweepReport(file=str(path), rows=n, version=meta.get("version"), design=d)
    status = cols["fast_status"]
    out["invalid_points"] = {fast.Status(int(s)).name.lower(): int(np.sum(status == s)) for s in np.unique(status) if s}
    dmax = max(d["depth"])
    wcols = [f"w{i + 1}" for i in range(dmax)]
    if d["mode"] == "step":
        rel = cols["rel_change"]
        fin = np.isfinite(rel)
        out["psi_increased_float64"] = int(np.sum(rel[fin] > fast.INCREASE_RTOL))
        out["max_rel_change"] = float(np.max(rel[fin])) if fin.any() else None
        out["claims"] = {}
        for cid in d["claims"]:
            hyp = cols[f"{claim_column(cid)}_hypothesis"]
            viol = cols[f"{claim_column(cid)}_violation"]
            bad = hyp & np.isfinite(viol) & (viol > 0)
            entry: dict[str, Any] = {
                "hypothesis": int(np.sum(hyp)),
                "float64_violations": int(np.sum(bad)),
                "worst": [],
            }
            for i in np.flatnonzero(bad)[np.argsort(-viol[bad])][:verify]:
                w = [float(cols[c][i]) for c in wcols[: int(cols["depth"][i])]]
                eta, y = float(cols["eta"][i]), float(cols["target"][i])
                (r,) = claims_mod.evaluate(w, eta, target=y, claims=[cid])
                entry["worst"].append(
                    {
                        "row": int(cols["row"][i]),
                        "weights": w,
                        "eta": eta,
                        "target": y,
                        "score": float(viol[i]),
                        "verified": bool(r.hypothesis and r.conclusion is False),
                    }
                )
            entry["verified_counterexamples"] = sum(e["verified"] for e in entry["worst"])
            out["claims"][cid] = entry
    else:
        if "outcome" in cols:
            names, counts = np.unique(cols["outcome"].astype(str), return_counts=True)
            out["outcomes"] = {str(k): int(v) for k, v in zip(names, counts, strict=True)}
        if "category" in cols:
            names, counts = np.unique(cols["category"].astype(str), return_counts=True)
            out["categories"] = {str(k): int(v) for k, v in zip(names, counts, strict=True)}
        # Diverging runs leave the float64 range: their GFS "increases" say nothing.
        valid = np.isfinite(cols["psi0"]) & np.isfinite(cols["eta"])
        if "outcome" in cols:
            valid &= ~np.isin(cols["outcome"].astype(str), ["diverged", "saddle", "invalid"])
        if "gfs_monotone" in cols:
            out["gfs_not_monotone"] = int(np.sum(valid & ~cols["gfs_monotone"]))
        if "max_gfs_increase" in cols:
            m = np.where(valid, cols["max_gfs_increase"], np.nan)
            if np.any(np.isfinite(m)):
                i = int(np.nanargmax(m))
                out["largest_gfs_increase"] = {"value": float(m[i]), "row": int(cols["row"][i])}
        out["claims"] = {}
        for cid in d["claims"]:
            hyp = cols[f"{claim_column(cid)}_hypothesis"]
            holds = cols[f"{claim_column(cid)}_holds"]
            out["claims"][cid] = {
                "hypothesis": int(np.sum(hyp)),
                "holds": int(np.sum(hyp & (holds == 1))),
                "fails": int(np.sum(hyp & (holds == 0))),
                "undecided": int(np.sum(hyp & (holds == -1))),
            }
    return out


def plot_report(path: str | os.PathLike[str], out: str) -> str:
    """Scatter of the sweep over ``eta_psi0`` and ``pi_over_y0``, coloured by outcome (requires matplotlib)."""
    plt = pyplot()

    table, meta = read_sweep(path)
    d = meta["design"]
    x = table.column("eta_psi0").to_numpy(zero_copy_only=False).astype(float).copy()
    yv = table.column("pi_over_y0").to_numpy(zero_copy_only=False).astype(float).copy()
    fin = np.isfinite(x) & np.isfinite(yv)
    pos = yv[fin]
    log_y = bool(pos.size and np.all(pos > 0) and pos.max() / pos.min() > 100)  # decided before any jitter
    jittered = False
    pairs = np.unique(np.round(np.stack([x[fin], yv[fin]], axis=1), 12), axis=0)
    if fin.any() and len(pairs) < 0.5 * fin.sum():  # grid cells with several draws: spread them inside the cell
        rng = np.random.default_rng(0)
        for v in (x, yv):
            u = np.unique(np.round(v[np.isfinite(v)], 12))
            step = np.min(np.diff(u)) if len(u) > 1 else 0.0
            v += rng.uniform(-0.35, 0.35, len(v)) * step
        jittered = True
    fig, ax = plt.subplots(figsize=(9, 5))
    size = max(1.0, min(20.0, 4e4 / max(1, len(x))))
    if d["mode"] == "run" and "category" in table.column_names:
        cat = table.column("category").to_numpy(zero_copy_only=False).astype(str)
        for k, name in enumerate(CATEGORIES):
            m = cat == name
            if m.any():
                ax.scatter(x[m], yv[m], s=size, color=COLORS[k], label=f"{name} ({int(m.sum())})", edgecolors="none")
        title = f"GD outcomes of the sweep ({len(x)} points, depth {d['depth']})"
    else:
        rel = table.column("rel_change").to_numpy(zero_copy_only=False)
        up = np.isfinite(rel) & (rel > fast.INCREASE_RTOL)
        down = np.isfinite(rel) & ~up
        ax.scatter(
            x[down],
            yv[down],
            s=size,
            color="#1f77b4",
            label=f"psi did not increase ({int(down.sum())})",
            edgecolors="none",
        )
        ax.scatter(x[up], yv[up], s=size, color="#d62728", label=f"psi increased ({int(up.sum())})", edgecolors="none")
        title = f"One GD step: change of the GFS sharpness ({len(x)} points, depth {d['depth']})"
    ax.axvline(2.0, color="k", ls="--", lw=1.0, label="eta psi(w0) = 2")
    ax.axvline(2 * np.sqrt(2), color="k", ls=":", lw=1.0, label="eta psi(w0) = 2 sqrt 2")
    ax.set_xlabel("eta_psi0 = eta * psi(w0)")
    ax.set_ylabel("pi_over_y0 = pi(w0) / y")
    if log_y:
        ax.set_yscale("log")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False, markerscale=3)
    ax.set_title(title + ("\n(several draws per grid cell, spread inside the cell)" if jittered else ""), fontsize=10)
    fig.tight_layout()
    fig.savefig(out, dpi=130)
    plt.close(fig)
    return out

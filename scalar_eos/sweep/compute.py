"""Computing one chunk of a sweep: draw the points from the chunk's own seed, then check or run them.

Chunk ``k`` draws its random numbers from ``SeedSequence([seed, k])``, so its
values do not depend on which process computes it or in what order.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from .. import claims as claims_mod
from .. import fast
from ..errors import InvalidArgument, ScalarEOSError
from ..outcome import classify_batch, outcome_at
from .design import axes, n_chunks, total_rows
from .quantities import Runs, empty_columns, values

__all__ = ["claim_column", "compute_chunk"]


def _draw(spec: Mapping[str, Any], rng: np.random.Generator, n: int) -> np.ndarray:
    if "value" in spec:
        return np.full(n, float(spec["value"]))
    lo, hi = spec["low"], spec["high"]
    if spec["dist"] == "uniform":
        return rng.uniform(lo, hi, n)
    return np.exp(rng.uniform(math.log(lo), math.log(hi), n))


def _param(name: str, spec: Mapping[str, Any], grid_vals: dict[str, np.ndarray], rng: np.random.Generator, n: int):
    if "grid" in spec:
        return grid_vals[name]
    return _draw(spec, rng, n)


def compute_chunk(design: Mapping[str, Any], k: int) -> dict[str, np.ndarray]:
    """Columns of chunk ``k`` of a normalised design (pure: same inputs, same bits).

    Examples
    --------
    >>> from scalar_eos.sweep import normalize_design
    >>> d = normalize_design(depth=2, samples=5, seed=0)
    >>> cols = compute_chunk(d, 0)
    >>> int(cols["row"][-1]), sorted(cols)[:4]
    (4, ['depth', 'eta', 'eta_psi0', 'fast_status'])
    """
    total = total_rows(design)
    a = k * design["chunk"]
    b = min(total, a + design["chunk"])
    if not 0 <= a < b:
        raise InvalidArgument(f"chunk {k} is out of range (the design has {n_chunks(design)} chunks)")
    n = b - a
    rng = np.random.default_rng(np.random.SeedSequence([design["seed"], k]))
    rows = np.arange(a, b, dtype=np.int64)
    grid_axes = axes(design)
    shape = tuple(len(v) for _, v in grid_axes)
    idx = np.unravel_index(rows // design["samples"], shape)
    grid_vals = {name: np.asarray(vals)[i] for (name, vals), i in zip(grid_axes, idx, strict=True)}
    depth = grid_vals["depth"].astype(np.int64)
    dmax = max(design["depth"])
    y = _param("target", design["target"], grid_vals, rng, n)
    wspec = design["weights"]
    if "pi_over_y" in wspec:
        pi_over_y = _param("pi_over_y", wspec["pi_over_y"], grid_vals, rng, n)
        kappa = _param("imbalance", wspec["imbalance"], grid_vals, rng, n)
        mag = np.abs(pi_over_y * y) ** (1.0 / depth)
        W = np.tile(mag[:, None], (1, dmax))
        two = depth >= 2
        W[two, 0] *= np.exp(kappa[two])
        W[two, 1] *= np.exp(-kappa[two])
        W[pi_over_y * y < 0, 0] *= -1.0
    else:
        W = _draw(wspec, rng, n * dmax).reshape(n, dmax)
        if wspec["signs"] == "mixed":
            W = W * rng.choice(np.array([-1.0, 1.0]), size=(n, dmax))
    W[np.arange(dmax)[None, :] >= depth[:, None]] = np.nan
    if "eta" in design:
        eta = _param("eta", design["eta"], grid_vals, rng, n)
        eta_psi = None
    else:
        eta_psi = _param("eta_psi", design["eta_psi"], grid_vals, rng, n)
        eta = np.full(n, np.nan)
    cols: dict[str, np.ndarray] = {
        "row": rows,
        "depth": depth.astype(np.int16),
        "target": y,
        "eta": eta,
        **{f"w{i + 1}": W[:, i].copy() for i in range(dmax)},
        "pi_over_y0": np.full(n, np.nan),
        "psi0": np.full(n, np.nan),
        "eta_psi0": np.full(n, np.nan),
        "fast_status": np.zeros(n, dtype=np.int8),
    }
    mode = design["mode"]
    cl = [claims_mod.get(cid) for cid in design["claims"]]
    if mode == "step":
        cols.update(
            psi_after=np.full(n, np.nan),
            rel_change=np.full(n, np.nan),
            status_after=np.zeros(n, dtype=np.int8),
        )
        for c in cl:
            cols[f"{claim_column(c.id)}_hypothesis"] = np.zeros(n, dtype=bool)
            cols[f"{claim_column(c.id)}_violation"] = np.full(n, np.nan)
    else:
        cols.update(empty_columns(n, design["quantities"]))
        for c in cl:
            cols[f"{claim_column(c.id)}_hypothesis"] = np.zeros(n, dtype=bool)
            cols[f"{claim_column(c.id)}_holds"] = np.zeros(n, dtype=np.int8)  # 1 holds, 0 fails, -1 undecided
    with np.errstate(all="ignore"):
        for d in np.unique(depth):
            sel = np.flatnonzero(depth == d)
            _compute_depth(cols, design, cl, sel, W[sel, :d], y[sel], None if eta_psi is None else eta_psi[sel])
    return cols


@contextlib.contextmanager
def _claim_code(claim: Any) -> Iterator[None]:
    """A claim whose own code raises (a user's claims file) stops the sweep with one line naming it, not a
    traceback; the original exception stays attached as the cause."""
    try:
        yield
    except ScalarEOSError:
        raise
    except Exception as exc:
        first = (str(exc).strip().splitlines() or [""])[0]
        raise InvalidArgument(f"claim {claim.id!r} raised {type(exc).__name__}: {first}") from exc


def claim_column(claim_id: str) -> str:
    """Column-name prefix of a claim (``step-decrease`` -> ``step_decrease``)."""
    return claim_id.replace("-", "_")


def _compute_depth(cols, design, cl, sel, W, y, eta_psi) -> None:
    psi0, st = fast.gfs_sharpness(W, target=y, return_status=True)
    cols["psi0"][sel] = psi0
    cols["fast_status"][sel] = st
    cols["pi_over_y0"][sel] = np.prod(W, axis=1) / y
    eta = cols["eta"][sel]
    if eta_psi is not None:
        eta = np.where(st == fast.Status.OK, eta_psi / psi0, np.nan)
        cols["eta"][sel] = eta
    cols["eta_psi0"][sel] = eta * psi0
    ok = (st == fast.Status.OK) & np.isfinite(eta) & (eta > 0)
    i_ok = sel[ok]
    if not i_ok.size:
        if design["mode"] == "run":
            _mark_invalid_run(cols, sel[~ok], st[~ok])
        return
    Wk, yk, ek = W[ok], y[ok], eta[ok]
    if design["mode"] == "step":
        after, st_after = fast.gfs_sharpness(fast.gd_step(Wk, ek, target=yk), target=yk, return_status=True)
        cols["psi_after"][i_ok] = after
        cols["status_after"][i_ok] = st_after
        cols["rel_change"][i_ok] = (after - psi0[ok]) / psi0[ok]
        for claim in cl:
            with _claim_code(claim):
                hyp, viol = _step_claim(claim, Wk, ek, yk, psi0[ok], after)
            cols[f"{claim_column(claim.id)}_hypothesis"][i_ok] = hyp
            cols[f"{claim_column(claim.id)}_violation"][i_ok] = np.where(hyp, viol, np.nan)
        return
    res = classify_batch(Wk, ek, target=yk, max_steps=design["max_steps"])
    runs = Runs(res, ek, yk, psi0[ok], design["delta"])
    for q, v in values(runs, design["quantities"]).items():
        cols[q][i_ok] = v
    for claim in cl:
        holds = np.full(len(ek), -1, dtype=np.int8)
        with _claim_code(claim):
            hyp = claims_mod.hypothesis_batch(claim, Wk, ek, yk)
            for j in np.flatnonzero(hyp):
                concl = claim.conclusion(outcome_at(res, int(j), float(ek[j]), target=float(yk[j])), float(ek[j]))
                holds[j] = -1 if concl is None else int(bool(concl))
        cols[f"{claim_column(claim.id)}_hypothesis"][i_ok] = hyp
        cols[f"{claim_column(claim.id)}_holds"][i_ok] = holds
    _mark_invalid_run(cols, sel[~ok], st[~ok])


def _mark_invalid_run(cols, rows: np.ndarray, st: np.ndarray) -> None:
    if not rows.size:
        return
    names = np.array(["saddle" if s == fast.Status.SADDLE else "invalid" for s in st], dtype=object)
    for key in ("outcome", "category"):
        if key in cols:
            cols[key][rows] = names
    for key in [k for k in cols if k.endswith("_holds")]:
        cols[key][rows] = -1


def _step_claim(claim, W, eta, y, before, after) -> tuple[np.ndarray, np.ndarray]:
    hyp = claims_mod.hypothesis_batch(claim, W, eta, y)
    if claim.batch_violation is not None:
        viol = np.asarray(claim.batch_violation(W, eta, y, before, after), dtype=float)
        return hyp, viol
    # No float score: decide the conclusion exactly, point by point (1 = violated, 0 = holds).
    viol = np.full(W.shape[0], np.nan)
    for i in np.flatnonzero(hyp):
        (r,) = claims_mod.evaluate([float(x) for x in W[i]], float(eta[i]), target=float(y[i]), claims=[claim.id])
        viol[i] = np.nan if r.conclusion is None else float(r.conclusion is False)
    return hyp, viol

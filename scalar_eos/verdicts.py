"""Exact decisions for the explorer: verified counterexamples, shrunk decimals, closest rows at 50 digits."""

from __future__ import annotations

from typing import Any

import mpmath
import numpy as np
from mpmath import mp

from . import claims
from .errors import ScalarEOSError
from .margins import exact_margin, step_margin
from .onestep import one_step
from .sampling import log_coordinates
from .scoring import scores
from .search import Counterexample, decimal, rounded_points

__all__ = ["VERIFY_DPS", "Verifier", "closest_rows", "decimal", "verify_step"]

VERIFY_DPS = 50


def verify_step(c: claims.Claim, w: list[str], eta: str, y: str) -> Counterexample | None:
    """A verified counterexample to a step claim at exact decimal inputs, or None (hypothesis or conclusion holds)."""
    try:
        step = one_step(w, eta, target=y, dps=VERIFY_DPS)
        res = claims.evaluate(w, eta, target=y, claims=[c.id], step=step)[0]
    except ScalarEOSError:
        return None
    if not res.hypothesis or res.conclusion is not False:
        return None
    before = mpmath.nstr(step.gfs_before, VERIFY_DPS, strip_zeros=False)
    after = mpmath.nstr(step.gfs_after, VERIFY_DPS, strip_zeros=False)
    snippet = (
        f"import scalar_eos as se; r = se.one_step({w!r}, {eta!r}, target={y!r}); "
        "print(r.relation, r.gfs_before, r.gfs_after)"
    )
    return Counterexample(w, eta, y, before, after, VERIFY_DPS, f"GFS sharpness {step.relation}", snippet)


def _shrink(c: claims.Claim, kind: str, w: np.ndarray, eta: float, y: float) -> list[tuple[list[str], str]]:
    """Decimal versions of a candidate, shortest first (those still violating to float accuracy), then exact."""
    out = []
    for ws, es in rounded_points(c, w, eta, y, (2, 3, 4, 6, 8, 10, 12, 14, 17)):
        sc = scores(c, kind, ws[None, :], np.array([es]), y)
        if sc.score[0] > sc.slack[0]:
            out.append(([decimal(v) for v in ws], decimal(es)))
            break
    out.append(([decimal(v) for v in w], decimal(eta)))
    return out


class Verifier:
    """Decides candidates exactly as they appear (each float row tried once), up to a fixed number of tries."""

    def __init__(self, c: claims.Claim, kind: str, y: float, max_reports: int):
        self.c, self.kind, self.y, self.max_reports = c, kind, y, max_reports
        self.found: list[Counterexample] = []
        self.rejected = 0
        self.tries_left = 4 * max_reports + 8
        self.tried: set[bytes] = set()
        self.seen: set[tuple[str, ...]] = set()
        self.candidate_rows: set[bytes] = set()

    @property
    def candidates(self) -> int:
        return len(self.candidate_rows)

    def run(self, state: Any) -> int:
        """Try the violating rows of ``state.top_*`` (violated to float accuracy) not tried yet; the number found."""
        order = np.argsort(-state.top_s, kind="stable")
        for i in order:
            if len(self.found) >= self.max_reports or self.tries_left <= 0:
                break
            if not state.top_s[i] > state.top_slack[i]:
                continue
            key = state.top_W[i].tobytes() + state.top_e[i].tobytes()
            self.candidate_rows.add(key)
            if key in self.tried:
                continue
            self.tried.add(key)
            self.tries_left -= 1
            ce = None
            for w_str, e_str in _shrink(self.c, self.kind, state.top_W[i], float(state.top_e[i]), self.y):
                if (*w_str, e_str) in self.seen:
                    continue
                self.seen.add((*w_str, e_str))
                ce = verify_step(self.c, w_str, e_str, decimal(self.y))
                if ce is not None:
                    break
            if ce is None:
                self.rejected += 1
            else:
                self.found.append(ce)
        return len(self.found)


def closest_rows(c, Wp, ep, y: float, k: int, found: list[Counterexample], max_reports: int) -> list[dict]:
    """Rows of a pool (best first) decided at >= 50 digits (exact hypothesis too), by ascending margin."""
    rows = []
    seen: set[tuple[str, ...]] = set()
    for i in range(len(ep)):
        if len(rows) >= 3 * k:
            break
        w = [decimal(v) for v in Wp[i]]
        e = decimal(ep[i])
        if (*w, e) in seen:
            continue
        seen.add((*w, e))
        try:
            res = claims.evaluate(w, e, target=decimal(y), claims=[c.id])[0]
            if not res.hypothesis:  # refined onto the boundary of eta: nudge it inside once
                e = decimal(ep[i] * (1 - 2.0**-48))
                res = claims.evaluate(w, e, target=decimal(y), claims=[c.id])[0]
                if not res.hypothesis:
                    continue
            with mp.workdps(VERIFY_DPS + 10):
                m = exact_margin(w, e, target=decimal(y), dps=VERIFY_DPS)
        except ScalarEOSError:
            continue
        if res.conclusion is False and len(found) < max_reports:
            ce = verify_step(c, w, e, decimal(y))
            if ce is not None:
                found.append(ce)
            continue
        W1, e1 = Wp[i][None, :], np.array([float(e)])
        co = log_coordinates(W1, e1, y)
        sm = step_margin(W1, e1, target=y)
        first = float(sm.first_order[0])
        rows.append(
            {
                "weights": w,
                "eta": e,
                "target": decimal(y),
                "margin": float(m),
                "margin_decimal": mpmath.nstr(m, 20),
                "margin_digits": VERIFY_DPS,
                "pi_over_y": float(co["pi_over_y"][0]),
                "eta_psi": float(co["eta_psi"][0]),
                "margin_over_first_order": float(m) / first if first > 0 else None,
            }
        )
    rows.sort(key=lambda r: r["margin"])
    return rows[:k]

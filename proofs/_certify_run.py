"""Running the depth-D certification of claim step-decrease-s as a proof (shared by the depth-3 and 4 proofs).

Not a proof itself.  :func:`run_certification` is the whole ``run()`` of such a proof: the checked derivative
identity, the argued steps, one branch-and-bound (proofs/_bnb.py) per region, optionally the certificate file
(JSON lines: a header, then one line per leaf box) that ``scalar-eos verify-certificate`` re-checks with its own
code, and the result dict with its ``details`` and per-region ``regions`` rows.
"""

from __future__ import annotations

import gzip
import json
import os
import tempfile
from fractions import Fraction

import _bnb
from _common import StepFailed

FORMAT = "scalar-eos-certificate/1"
NORMALISATION = (
    "y = 1 (w scaled by |y|^(-1/D); pi/y and eta psi are invariant), all weights positive (0 < pi/y; flipping two "
    "signs changes neither GD's squares nor psi), sorted w_1 >= w_2 >= ... >= w_D (permutation symmetry)"
)
RULE = (
    "psi(w) - psi(GD(w)) = sum_{i<j} (s_i - s_j)^2/p_ij G_ij(b), s = w^2, p_ij = s_i s_j, b = (eta (pi - 1) pi)^2, "
    "G_ij(b) = int_0^b (1 - beta/p_ij) / (u_i^2 u_j^2 Psi_t) dbeta with u = t + c, t = s + beta/s, prod u = 1, "
    "Psi_t = sum 1/u; b ranges over [0, b_max], b_max = eta_psi_max_sq (pi - 1)^2 pi^2 / psi^2.  Box 'certified': "
    "either every p_ij >= b_max on the box (every G_ij >= 0), or with b-pieces [e_k, e_k+1] covering [0, b_max] and "
    "E_ij,k a lower bound of G_ij(b) valid for every b in piece k (lower bound of the integral up to e_k plus the "
    "piece's negative part), sum_ij (factor lower end if E >= 0 else factor upper end) * E_ij,k >= 0 for every k. "
    "Box 'outside': not sorted anywhere in the box (w_i < w_i+1 for some i) or pi >= ratio_max on the whole box."
)


def _fraction_text(x: Fraction) -> str:
    return _bnb.exact_decimal(float(x))


def region_header(low: Fraction, high: Fraction, pi_max: Fraction, c2: int, depth: int) -> dict:
    """The certificate header's description of one region (exact decimals of its binary ends)."""
    return {
        "low": _fraction_text(low),
        "high": _fraction_text(high),
        "ratio_max": _fraction_text(pi_max),
        "eta_psi_max_sq": str(c2),
        "root": [[_fraction_text(low), _fraction_text(high)]] * depth,
        "set": (
            f"w in [{low}, {high}]^{depth} sorted decreasingly, 0 < pi < {pi_max}, 0 < eta, eta^2 psi^2 <= {c2} "
            "(y = 1, positive weights)"
        ),
    }


def certify_regions(depth: int, regions: tuple, *, proof: str, c2: int = 8, certificate=None, progress=None) -> list:
    """Certify every region; with ``certificate`` (a path) write the JSONL certificate file."""
    tmp = None
    sink = None
    if certificate is not None:
        fd, tmp = tempfile.mkstemp(suffix=".jsonl", dir=os.path.dirname(os.path.abspath(certificate)) or ".")
        body = os.fdopen(fd, "w")

        def sink(rec: dict) -> None:
            body.write(json.dumps(rec, separators=(",", ":")) + "\n")

    results = []
    try:
        for index, (low, high, pi_max) in enumerate(regions):
            res = _bnb.certify(depth, low, high, pi_max=pi_max, c2=c2, region_index=index, sink=sink, progress=progress)
            results.append(res)
        if certificate is not None:
            body.close()
            header = {
                "format": FORMAT,
                "claim": "step-decrease-s",
                "depth": depth,
                "proof": proof,
                "regions": [region_header(lo, hi, pm, c2, depth) for lo, hi, pm in regions],
                "normalisation": NORMALISATION,
                "rule": RULE,
                "boxes": sum(r["boxes"] for r in results),
            }
            opener = gzip.open if str(certificate).endswith(".gz") else open
            with opener(certificate, "wt") as out, open(tmp) as src:
                out.write(json.dumps(header) + "\n")
                for line in src:
                    out.write(line)
    finally:
        if tmp is not None:
            if not body.closed:
                body.close()
            os.unlink(tmp)
    return results


# --------------------------------------------------------------------------- steps and the identity


def step(text: str, checked: bool, how: str) -> dict:
    return {"text": text, "checked": checked, "how": how}


def derivative_identity(depth: int) -> list[dict]:
    """Check -dPsi/dbeta = (1/Psi_t) sum_{i<j} (s_i - s_j)^2 (1 - beta/p_ij) / (p_ij u_i^2 u_j^2) exactly (SymPy).

    The GFS shift is a free symbol c with dc/dbeta from d/dbeta log prod(u) = 0; the identity is rational in
    (s, beta, c), so ``together`` of the difference must be exactly 0.
    """
    import sympy as sp

    s = sp.symbols(f"s1:{depth + 1}", positive=True)
    beta, c = sp.symbols("beta c", real=True)
    u = [s[i] + beta / s[i] + c for i in range(depth)]
    alpha = [1 / x for x in u]
    dt = [1 / x for x in s]
    dc = -sum(d * a for d, a in zip(dt, alpha, strict=True)) / sum(alpha)
    dpsi = -sum((d + dc) * a**2 for d, a in zip(dt, alpha, strict=True))
    claimed = -sum(
        (s[i] - s[j]) ** 2 * (1 - beta / (s[i] * s[j])) / (u[i] ** 2 * u[j] ** 2 * s[i] * s[j])
        for i, j in _bnb.pairs(depth)
    ) / sum(alpha)
    diff = sp.cancel(sp.together(dpsi - claimed))
    if diff != 0:
        raise StepFailed(f"the derivative identity for D = {depth} does not simplify to 0: {diff}")
    steps = [
        step(
            f"D = {depth}: along beta -> t(beta) = s + beta/s with u = t + c(beta), prod u = 1, Psi_t = sum 1/u: "
            "-dPsi_t/dbeta = (1/Psi_t) sum_{i<j} (s_i - s_j)^2 (1 - beta/p_ij) / (p_ij u_i^2 u_j^2), p_ij = s_i s_j",
            True,
            "SymPy: the difference of the two rational functions of (s, beta, c), with dc/dbeta from "
            "d/dbeta log prod u = 0, cancels to 0",
        )
    ]
    # with prod u = 1, 1/(u_i u_j)^2 is the product of the other u_m^2 (used to intersect two enclosures)
    others = sp.Mul(*[u[m] ** 2 for m in range(depth) if m not in (0, 1)])
    if sp.cancel(others * u[0] ** 2 * u[1] ** 2 - sp.Mul(*u) ** 2) != 0:
        raise StepFailed("product rule for the weights failed")
    steps.append(
        step(
            "with prod u = 1: 1/(u_i^2 u_j^2) = prod_{m != i, j} u_m^2 (both forms are enclosed and intersected)",
            True,
            "SymPy: prod_{m != i,j} u_m^2 * u_i^2 u_j^2 - (prod u)^2 cancels to 0",
        )
    )
    return steps


def common_steps(depth: int) -> list[dict]:
    """The argued steps shared by the depth-D certifications (prose; checked=False)."""
    return [
        step(
            "reductions: y = 1 by scaling w -> w |y|^(-1/D) (pi/y and eta psi are invariant); 0 < pi/y means an even "
            "number of negative weights, and flipping two signs changes neither the squares after a GD step nor psi; "
            "permutations give w_1 >= ... >= w_D",
            False,
            "argued",
        ),
        step(
            "GD step on squares: (w_i^+)^2 = w_i^2 - 2 eta r pi + (eta r pi)^2 / w_i^2 and the common shift is "
            "absorbed by the GFS shift (proof gd-step-squares), so psi(GD(w)) = Psi(s + b/s) with b = (eta r pi)^2",
            False,
            "argued (uses the checked proof gd-step-squares)",
        ),
        step(
            "integrating the identity over beta in [0, b]: psi(w) - psi(GD(w)) = F(b) = sum_{i<j} (s_i - s_j)^2/p_ij "
            "G_ij(b), G_ij(b) = int_0^b (1 - beta/p_ij) W_ij dbeta, W_ij = 1/(u_i^2 u_j^2 Psi_t) > 0; the hypothesis "
            "eta psi <= 2 sqrt 2 (eta > 0) means exactly b in (0, b_max(w)], b_max = 8 (pi - 1)^2 pi^2 / psi^2, so "
            "the claim on a set of w is F(b) >= 0 for every b in [0, b_max(w)] there",
            False,
            "argued (fundamental theorem of calculus; c(beta) is smooth by the implicit function theorem)",
        ),
        step(
            "enclosures on a box of weights: the GFS shift c(t) decreases in every t_l, and u_k = t_k + c(t) increases "
            "in t_k and decreases in t_l (l != k) because dc/dt_l = -(1/u_l)/sum(1/u) lies in (-1, 0); so their ranges "
            "are attained at box corners, where the root is bracketed by evaluating prod(t + c) - 1 in ball arithmetic",
            False,
            "argued (implicit differentiation); the bracketing itself is computed",
        ),
        step(
            "sound combination over b: [0, b_top] (b_top >= b_max on the box) is cut into pieces; for p >= p_lo, "
            "1 - beta/p >= 1 - beta/p_lo, so the integrand is >= (1 - beta/p_lo) W_lo where that is >= 0 and "
            ">= (1 - beta/p_lo) W_hi where it is < 0; E_ij,k = (lower bound of G_ij at the piece's left end) + "
            "(the piece's negative part) bounds G_ij(b) for every b in piece k, and a box is certified when, on every "
            "piece, sum_ij (factor's lower end if E >= 0 else its upper end) E_ij,k >= 0; if every p_ij >= b_max on "
            "the box, every G_ij(b) >= 0 for b <= b_max directly",
            False,
            "argued (interval reasoning); each box's inequalities are computed",
        ),
    ]


def region_step(depth: int, low: Fraction, high: Fraction, pi_max: Fraction, res: dict) -> dict:
    """The checked step reporting one region's branch-and-bound."""
    margin = "none needed" if res["smallest_margin"] is None else f"{res['smallest_margin']:.3g}"
    return step(
        f"interval branch-and-bound over w in [{low}, {high}]^{depth} (sorted), 0 < pi < {pi_max}, every b in "
        f"[0, b_max]: {res['processed']} boxes processed, {res['boxes']} leaves: {res['certified']} certified "
        f"({res['compensated']} with a negative pair bound compensated by the others), {res['outside']} outside the "
        f"hypothesis or the sorted order; smallest certified lower bound of G_ij(b)/b (pieces after the first) = "
        f"{margin}; {res['seconds']:.1f} s",
        True,
        "arb ball arithmetic (python-flint), sound piecewise rule",
    )


def region_rows(depth: int, regions: tuple, results: list) -> list[dict]:
    """One row per certified region for the proofs document: set, boxes, certified, outside, margin, seconds."""
    return [
        {
            "set": f"|w_i|/|y|^(1/{depth}) in [{low}, {high}], 0 < pi/y < {pi_max}, eta psi <= 2 sqrt 2",
            "boxes": res["boxes"],
            "certified": res["certified"],
            "outside": res["outside"],
            "smallest_margin": res["smallest_margin"],
            "seconds": round(res["seconds"], 1),
        }
        for (low, high, pi_max), res in zip(regions, results, strict=True)
    ]


def run_certification(
    depth: int, proof: str, regions: tuple, *, certificate=None, progress=None, uncovered: tuple = ()
) -> dict:
    """The result of a depth-``depth`` certification proof named ``proof`` over ``regions``.

    ``regions``: ``(low, high, pi_max)`` triples (|w_i|/|y|^(1/D) in [low, high], 0 < pi/y < pi_max);
    ``certificate``: a path to write the certificate file to; ``uncovered``: steps stating what is not covered,
    appended after the regions' steps.
    """
    steps = derivative_identity(depth) + common_steps(depth)
    results = certify_regions(depth, regions, proof=proof, certificate=certificate, progress=progress)
    parts = []
    for (low, high, pi_max), res in zip(regions, results, strict=True):
        steps.append(region_step(depth, low, high, pi_max, res))
        parts.append(f"[{low}, {high}]^{depth} with pi/y < {pi_max}: {res['boxes']} boxes")
    steps += list(uncovered)
    details = f"on |w_i|/|y|^(1/{depth}) in " + "; ".join(parts) + " (arb ball arithmetic, python-flint)"
    if certificate is not None:
        details += f"; certificate written to {certificate}"
    return {"verdict": "CERTIFIED", "details": details, "steps": steps, "regions": region_rows(depth, regions, results)}

"""Write the notebooks of this directory from the cell sources below (outputs empty).

Run:  python notebooks/make_notebooks.py

The notebooks are committed without outputs, so the repository stays small;
``tests/test_notebooks.py`` executes every one of them top to bottom.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent

SETUP = """\
%matplotlib inline
import numpy as np
import matplotlib.pyplot as plt
import scalar_eos as se
from scalar_eos import fast, claims, search, phase, symbolic, plots
from IPython.display import Image, display
"""

NOTEBOOKS: dict[str, list[tuple[str, str]]] = {}

NOTEBOOKS["01_quickstart.ipynb"] = [
    (
        "md",
        """# 1. Quickstart

A depth-`D` scalar network `f(x; w) = x w_1 ... w_D` with squared loss
`L(w) = 1/2 (pi(w) - y)^2`.  Gradient flow from `w` ends at the **gradient flow
solution** (GFS); its sharpness `psi(w)` is the quantity that gradient descent
decreases monotonically at the edge of stability (Kreisler et al., ICML 2023).
This notebook touches every layer of the package once.""",
    ),
    ("code", SETUP),
    (
        "md",
        "## The GFS and its sharpness\n`gfs` returns the minimiser gradient flow reaches, the common shift `c*` of the squared weights, and the sharpness there.",
    ),
    (
        "code",
        """g = se.gfs([0.5, 3.3, 0.5])
print(g.kind, "shift c* =", g.shift)
print("GFS solution:", g.solution)
print("GFS sharpness psi(w) =", g.sharpness)
import mpmath
print("the same at 50 digits:", mpmath.nstr(se.gfs_sharpness(["0.5", "3.3", "0.5"], dps=50), 50))""",
    ),
    (
        "md",
        "An independent check: integrate gradient flow numerically and take the top Hessian eigenvalue at the end point.",
    ),
    (
        "code",
        """end = se.gradient_flow([0.5, 3.3, 0.5], 60.0)
print("GF end point:", end, " sharpness there:", se.sharpness(end))
print("relative difference to the closed form:", abs(se.sharpness(end) - g.sharpness) / g.sharpness)""",
    ),
    ("md", "## A gradient-descent run at the edge of stability"),
    (
        "code",
        """eta = 0.45
tr = se.gd([0.5, 3.3, 0.5], eta, 300)
psi = np.array(tr.gfs_sharpness, dtype=float)
loss = np.array(tr.loss, dtype=float)
print("2/eta =", 2 / eta)
print("loss went up on", int(np.sum(np.diff(loss) > 0)), "of 300 steps")
print("GFS sharpness decreased on every step:", bool(np.all(np.diff(psi) < 0)))
print("final GFS sharpness / (2/eta) =", psi[-1] * eta / 2)
plots.plot_trajectory(tr, "quickstart_trajectory.png")
display(Image("quickstart_trajectory.png"))""",
    ),
    (
        "md",
        "## Checking one step exactly\n`one_step` computes the GD step in exact rational arithmetic and compares the two GFS sharpnesses at rising precision until they separate, so the verdict is certain.",
    ),
    (
        "code",
        """s = se.one_step(["0.5", "3.3", "0.5"], "0.45")
print(s.relation, "| psi before", s.gfs_before, "| after", s.gfs_after)
for r in claims.evaluate(["0.5", "3.3", "0.5"], "0.45", claims=["step-decrease", "step-decrease-s", "step-decrease-order"]):
    print(f"{r.id:22s} hypothesis {r.hypothesis!s:5s} conclusion {r.conclusion}")""",
    ),
    (
        "md",
        "## A counterexample search\nThe unconditional claim *one GD step never increases psi* is false; the search finds verified counterexamples for D = 2.",
    ),
    (
        "code",
        """rep = search.search("step-decrease", 2, budget=20_000, seed=0, max_reports=3)
for ce in rep.counterexamples:
    print(ce.weights, ce.eta, "->", ce.detail)
    # independent re-check, exactly:
    assert se.one_step(ce.weights, ce.eta).relation == "increased\"""",
    ),
]

NOTEBOOKS["02_central_picture.ipynb"] = [
    (
        "md",
        """# 2. The central picture

Loss and sharpness oscillate while the GFS sharpness decreases monotonically
toward `2/eta`.  Here for depths 3, 4 and 5 and two step sizes each (set
through `eta * psi(w0)` > 2, i.e. beyond the edge of stability at the start),
all runs on the batched float64 fast path (`scalar_eos.fast.gd`).""",
    ),
    ("code", SETUP),
    (
        "code",
        """runs = []
for depth in (3, 4, 5):
    w0 = np.full(depth, 0.6)
    w0[0] = 3.0  # an unbalanced start: psi(w0) is large
    psi0 = fast.gfs_sharpness(w0[None, :])[0]
    for c in (2.1, 2.5):  # eta * psi(w0)
        eta = c / psi0
        out = fast.gd(w0[None, :], eta, 5000, track=("loss", "sharpness", "gfs_sharpness"))
        runs.append((depth, eta, c, out))
        psi = out["gfs_sharpness"][:, 0]
        inc = np.max(np.diff(psi) / psi[:-1])
        print(f"D={depth} eta*psi0={c}: largest relative one-step change of psi {inc:+.2e} (<= 1e-12: no increase beyond rounding), "
              f"final psi/(2/eta) = {psi[-1] * eta / 2:.4f}")""",
    ),
    (
        "code",
        """fig, axes = plt.subplots(2, 3, figsize=(13, 6), sharex=True)
for k, (depth, eta, c, out) in enumerate(runs):
    ax = axes[k % 2, k // 2]
    t = out["t"] + 1
    ax.semilogx(t, out["sharpness"][:, 0], lw=0.4, color="tab:blue", label="sharpness at the iterate")
    ax.semilogx(t, out["gfs_sharpness"][:, 0], lw=2, color="tab:red", label="GFS sharpness")
    ax.axhline(2 / eta, color="k", ls="--", lw=1, label="2/eta")
    ax.set_ylim(0, 1.05 * np.nanmax(out["sharpness"][:, 0]))  # the whole envelope of the oscillation
    ax.set_title(f"D = {depth}, eta psi(w0) = {c}", fontsize=10)
    ax.set_xlabel("step + 1 (log scale)")
    ax.set_ylabel("sharpness")
fig.legend(*axes[0, 0].get_legend_handles_labels(), loc="lower center", ncol=3, fontsize=9, frameon=False)
fig.suptitle("the sharpness oscillates; the GFS sharpness falls monotonically to just below 2/eta")
fig.tight_layout(rect=(0, 0.05, 1, 1))  # room for the legend below the panels, off the data""",
    ),
    ("md", "The loss on a log scale for the same runs: far from monotone."),
    (
        "code",
        """fig, ax = plt.subplots(figsize=(8, 3.5))
for depth, eta, c, out in runs:
    ax.loglog(out["t"] + 1, out["loss"][:, 0], lw=0.6, label=f"D={depth}, eta psi0={c}")
ax.set_xlabel("step + 1"); ax.set_ylabel("loss"); ax.legend(fontsize=7, ncol=2)
fig.tight_layout()""",
    ),
    (
        "md",
        """Depth 2 is different: from comparable starts GD overshoots and converges well
below `2/eta` (notebook 3 explains why: one step shrinks `|w1^2 - w2^2|` by the
factor `|1 - eta^2 r^2|`, which can be far below 1).""",
    ),
    (
        "code",
        """w0 = np.array([[2.0, 0.3]])
for c in (2.1, 2.3, 2.6):
    eta = c / fast.gfs_sharpness(w0)[0]
    psi = fast.gd(w0, eta, 1500)["gfs_sharpness"][:, 0]
    print(f"D=2, eta psi(w0) = {c}: final psi/(2/eta) = {psi[-1] * eta / 2:.4f}, monotone: {bool(np.all(np.diff(psi) <= 1e-12 * psi[:-1]))}")""",
    ),
    (
        "md",
        "Monotonicity over many random starts: 10 000 runs of 300 steps, GFS sharpness at every step, constant memory.",
    ),
    (
        "code",
        """rng = np.random.default_rng(0)
W0 = np.exp(rng.uniform(-1, 1, size=(10_000, 3)))
eta = rng.uniform(2.05, 2.8, 10_000) / fast.gfs_sharpness(W0)
res = fast.gd(W0, eta, 300, summary=True)
s = res["gfs_sharpness"]
ok = res["status"] == fast.Status.OK
mono = s["increases"][ok] == 0
print(f"{ok.sum()} runs stayed finite; psi never increased (1e-12 relative) in {mono.sum()} ({100 * mono.mean():.1f}%)")
prod0 = np.prod(W0[ok], axis=1)
print("initial product pi(w0) of the runs where psi rose at some step: median", np.median(prod0[~mono]),
      "- far from the target 1; of the monotone runs:", np.median(prod0[mono]))""",
    ),
]

NOTEBOOKS["03_depth2_exact.ipynb"] = [
    (
        "md",
        """# 3. Depth 2, exactly

For `D = 2` the GFS sharpness has the closed form
`psi = sqrt((w1^2 - w2^2)^2 + 4 y^2)`, and one GD step multiplies
`(w1^2 - w2^2)^2` by `(1 - eta^2 r^2)^2` (with `r = pi - y`).  So one step does
not increase `psi` iff `w1^2 = w2^2` or `(eta r)^2 <= 2`: the exact region,
derived here symbolically and checked numerically.""",
    ),
    ("code", SETUP),
    (
        "code",
        """print("psi(w) for D = 2:", symbolic.gfs_sharpness_expr(2))
diff, region = symbolic.d2_region()
print("psi(GD(w))^2 - psi(w)^2 =", diff)
print("region where one step does not increase psi:", region)
print("factored form minus the stated one (simplifies to 0):", symbolic.verify_d2_region())""",
    ),
    (
        "md",
        "The reduced dynamics: with `d = w1^2 - w2^2` (invariant under gradient flow) and `r = pi - y`, one step maps `d -> d (1 - eta^2 r^2)`.",
    ),
    (
        "code",
        """import sympy as sp
w1, w2 = symbolic.symbols(2)
step = symbolic.gd_map(2)
r = w1 * w2 - symbolic.y
d_before, d_after = w1**2 - w2**2, step[0]**2 - step[1]**2
print("d_after - d (1 - eta^2 r^2) =", sp.expand(d_after - d_before * (1 - symbolic.eta**2 * r**2)))
# iterate the reduced map numerically: d shrinks whenever (eta r)^2 < 2
tr = se.gd([0.5, 3.0], 0.3, 40)
d = [float(w[0]**2 - w[1]**2) for w in tr.weights]
print("d along GD:", np.round(d[:8], 4))""",
    ),
    (
        "md",
        "The region in the plane of `eta * |pi - y|` and `|w1^2 - w2^2|`, with sampled points decided exactly by `one_step`:",
    ),
    (
        "code",
        """plots.plot_region("d2_region.png", seed=0)
display(Image("d2_region.png"))""",
    ),
    ("md", "Exact decisions at the boundary `eta |r| = sqrt 2`, from both sides:"),
    (
        "code",
        """import mpmath  # w = (1, 3): pi - y = 2, so eta |r| = sqrt 2 at eta = sqrt(2)/2
for eps in (mpmath.mpf("1e-15"), mpmath.mpf("-1e-15")):
    eta = str(mpmath.nstr(mpmath.sqrt(2) / 2 * (1 + eps), 40))
    s = se.one_step(["1", "3"], eta)
    print(f"eta*|r| = sqrt 2 (1 {'+' if eps > 0 else '-'} 1e-15): {s.relation}")""",
    ),
]

NOTEBOOKS["04_phase_diagram.ipynb"] = [
    (
        "md",
        """# 4. Where GD ends: the phase diagram

Starting points `w0 = r^(1/D) (e^k, e^-k, 1)` (`pi_over_y = pi(w0)/y = r`, target `y = 1`, imbalance
`k = 0.5`) and step sizes set through `eta_psi = eta * psi(w0)`.  Each cell is classified by
`scalar_eos.classify_batch`: converged (and where: at the EoS, or far below
`2/eta`), periodic, diverged, chaotic, creeping into the saddle at the origin at
the budget (`saddle_approach`), undecided.""",
    ),
    ("code", SETUP),
    (
        "code",
        """pd = phase.phase_diagram(3, pi_over_y=np.linspace(0.1, 1.9, 12), eta_psi=np.linspace(0.5, 3.5, 24), max_steps=4000)
print(pd.counts())
phase.plot_phase(pd, "phase3.png")
display(Image("phase3.png"))""",
    ),
    (
        "md",
        """What it says about EoS convergence:

* left of `eta psi(w0) = 2` GD behaves like gradient flow and converges below `2/eta`;
* just right of it GD converges to a minimiser with sharpness just below `2/eta` - the edge of stability - as the theory predicts;
* further right, GD overshoots to flatter minimisers, falls into period-2 orbits (when `eta psi_min > 2`, no minimiser is stable) or diverges.

The claim `eos-convergence` states the middle behaviour; over this grid:""",
    ),
    (
        "code",
        """from scalar_eos.phase import CATEGORIES
cats = np.vectorize(lambda k: CATEGORIES[k])(pd.category)
right = pd.eta_psi > 2
for name in ("eos", "below", "periodic", "diverged", "chaotic", "saddle_approach", "undecided"):
    print(f"{name:15s} {int(np.sum(cats[:, right] == name)):4d} cells with eta psi(w0) > 2")
psi_min = 3 * 1.0 ** (2 - 2 / 3)
print("GFS sharpness stays monotone in", int(pd.gfs_monotone.sum()), "of", pd.gfs_monotone.size, "cells")""",
    ),
    ("md", "The same map from a resumable sweep (random points instead of a grid), as a scatter:"),
    (
        "code",
        """import os, tempfile
from scalar_eos import sweep
out = os.path.join(tempfile.mkdtemp(), "phase.parquet")
sweep.sweep({"depth": 3, "mode": "run", "samples": 600, "max_steps": 3000, "seed": 0}, out)
print(sweep.report(out)["categories"])
sweep.plot_report(out, "phase_sweep.png")
display(Image("phase_sweep.png"))""",
    ),
]

NOTEBOOKS["05_counterexample_hunt.ipynb"] = [
    (
        "md",
        """# 5. A counterexample hunt, step by step

A user's conjecture: *in the stable regime `eta * psi(w) <= 2`, one GD step
never increases the GFS sharpness.*  We state it as a claim, search for
counterexamples, and verify what we find exactly.""",
    ),
    ("code", SETUP),
    (
        "code",
        """from fractions import Fraction
import mpmath

def hyp(w, eta, y):      # exact inputs: Fractions
    psi = se.gfs_sharpness([str(x) for x in w], target=str(y), dps=40)
    return mpmath.mpf(eta.numerator) / eta.denominator * psi <= 2

def concl(step):         # a OneStep result
    return step.relation != "increased"

def hyp_batch(W, eta, y):   # float64 version, used by the search to sample
    return eta * fast.gfs_sharpness(W, target=y) <= 2

conj = claims.Claim("stable-step", "If eta psi(w) <= 2, one GD step does not increase psi.", hyp, concl,
                    batch_hypothesis=hyp_batch, batch_violation=claims.relative_increase)
claims.register(conj, replace=True)""",
    ),
    (
        "md",
        "First a random look: sample points, keep those inside the hypothesis, and compare `psi` before and after one step in float64.",
    ),
    (
        "code",
        """rng = np.random.default_rng(1)
W = np.exp(rng.uniform(-2, 2, size=(200_000, 3)))
eta = rng.uniform(0.1, 2.0, 200_000) / fast.gfs_sharpness(W)
inside = hyp_batch(W, eta, np.ones(len(W)))
before = fast.gfs_sharpness(W[inside])
after = fast.gfs_sharpness(fast.gd_step(W[inside], eta[inside]))
rel = (after - before) / before
print(inside.sum(), "points inside; float64 increases:", int(np.sum(rel > 1e-12)), " largest:", rel.max())
prod = np.prod(W[inside], axis=1)
fig, ax = plt.subplots(figsize=(7, 4))
up = rel > 1e-12
ax.scatter(prod[~up], eta[inside][~up] * before[~up], s=1, color="tab:blue", label="psi did not increase")
ax.scatter(prod[up], eta[inside][up] * before[up], s=3, color="tab:red", label="psi increased (float64)")
ax.axvline(2, color="k", ls=":", lw=1, label="pi/y = 2")
ax.set_xscale("log"); ax.set_xlabel("pi(w) / y"); ax.set_ylabel("eta * psi(w)")
ax.set_title("one GD step inside the conjecture's hypothesis (eta psi <= 2), D = 3")
ax.legend(markerscale=4, fontsize=8)
fig.tight_layout()""",
    ),
    (
        "md",
        "The search does this systematically: sampling, a local optimiser that pushes the violation up, shrinking to short decimals, then re-verification at 50 digits.",
    ),
    (
        "code",
        """rep = search.search("stable-step", 3, budget=30_000, seed=0, max_reports=3)
print(len(rep.counterexamples), "verified counterexamples")
for ce in rep.counterexamples:
    print(ce.weights, "eta =", ce.eta, "|", ce.detail)
    print("   reproduce:", ce.snippet)""",
    ),
    ("md", "Independent check of each report, exactly (rational GD step; sharpnesses compared at rising precision):"),
    (
        "code",
        """for ce in rep.counterexamples:
    s = se.one_step(ce.weights, ce.eta)
    psi_eta = mpmath.mpf(s.gfs_before) * mpmath.mpf(ce.eta)
    print(s.relation, "| eta*psi(w) =", mpmath.nstr(psi_eta, 8), "| relative increase", mpmath.nstr((mpmath.mpf(s.gfs_after) - mpmath.mpf(s.gfs_before)) / mpmath.mpf(s.gfs_before), 3))
    assert s.relation == "increased" and psi_eta <= 2""",
    ),
    (
        "md",
        "So the conjecture is false.  What distinguishes the counterexamples?  Their product is far from the target; the built-in claims `step-decrease-s` (adds `0 < pi/y < 2`) and `step-decrease-order` (a proved sufficient condition) exclude them:",
    ),
    (
        "code",
        """for ce in rep.counterexamples:
    res = claims.evaluate(ce.weights, ce.eta, claims=["step-decrease-s", "step-decrease-order"])
    pi = float(np.prod([float(x) for x in ce.weights]))
    print(f"pi/y = {pi:.3g}:", [(r.id, r.hypothesis) for r in res])
claims.unregister("stable-step")""",
    ),
]

NOTEBOOKS["06_zhu_minimalist.ipynb"] = [
    (
        "md",
        """# 6. The minimalist example of Zhu et al. (ICLR 2023)

`L = 1/2 (1 - x y z w)^2` with `z0 = x0`, `w0 = y0`: a depth-4 scalar network
whose weights stay of the form `(a, b, a, b)`.  Corollary 3.1 of Zhu et al.:
for small `eta`, GD started near the `eta`-EoS minimum
`a* = (1/sqrt 2) ((eta^-2 - 4)^(1/2) + 1/eta)^(1/2)`, `b* = 1/a*` converges to
a minimum with sharpness in `(2/eta - 20 eta/3, 2/eta)`.""",
    ),
    ("code", SETUP),
    (
        "code",
        """from scalar_eos.claims import zhu_point
for eta in (0.1, 0.05):
    a, b = zhu_point(eta)
    psi_star = se.gfs_sharpness([a, b, a, b])
    print(f"eta = {eta}: a* = {a:.6f}, b* = {b:.6f}, sharpness at the point {psi_star:.6f}, 2/eta = {2/eta}")""",
    ),
    ("md", "GD from starts near `(a*, b*, a*, b*)` (1% and 5% off), `eta = 0.1`:"),
    (
        "code",
        """eta = 0.1
a, b = zhu_point(eta)
fig, ax = plt.subplots(figsize=(8, 4))
for da, db in ((1.01, 0.99), (0.99, 1.01), (1.05, 0.95), (0.95, 1.05)):
    w0 = [a * da, b * db, a * da, b * db]
    o = se.classify(w0, eta, max_steps=50_000)
    lo, hi = 2 / eta - 20 * eta / 3, 2 / eta
    inside = o.final_sharpness is not None and lo < o.final_sharpness < hi
    print(f"start ({da}, {db}): {o.status}, final sharpness {o.final_sharpness}, in the predicted window: {inside}")
    out = fast.gd([w0], eta, 3000, track=("gfs_sharpness",))
    ax.plot(out["t"], out["gfs_sharpness"][:, 0], label=f"a0 = {da} a*, b0 = {db} b*")
ax.axhline(2 / eta, color="k", ls="--", label="2/eta")
ax.axhline(2 / eta - 20 * eta / 3, color="gray", ls=":", label="2/eta - 20 eta/3")
ax.set_xlabel("step"); ax.set_ylabel("GFS sharpness"); ax.legend(fontsize=8)
ax.set_title(f"minimalist example, eta = {eta}: GFS sharpness along GD")
fig.tight_layout()""",
    ),
    (
        "md",
        """Starts whose GFS sharpness is already below `2/eta` are stable: GD follows
gradient flow and keeps (nearly) `psi(w0)`, so the corollary's window
`(2/eta - 20 eta/3, 2/eta)` is met only when `psi(w0)` is above the window's lower end.
Starts above `2/eta` are pulled down to just below `2/eta`, as predicted.""",
    ),
    (
        "md",
        "The built-in claim `zhu-minimalist` reads *near* as *within 10%*.  A search over that reading finds starts where the corollary's window is missed - the corollary needs a closer start:",
    ),
    (
        "code",
        """rep = search.search("zhu-minimalist", 4, budget=300, seed=0, max_reports=2)
for ce in rep.counterexamples:
    print(ce.weights, "eta =", ce.eta, "|", ce.detail)""",
    ),
]


NOTEBOOKS["07_beyond_convergence.ipynb"] = [
    (
        "md",
        """# 7. Beyond convergence: the central flow, exact orbits, period doubling

Where GD sits *on* the edge of stability it follows, on average over its
oscillation, the **central flow** (Cohen, Damian, Talwalkar, Kolter and Lee)
`dw/dt = -eta [grad L + 1/2 sigma^2 grad S]`, with `S` the top Hessian eigenvalue
and `sigma^2 >= 0` the smallest value that keeps `eta S <= 2`.  Where it does not
converge, GD settles on periodic orbits of the map `G(w) = w - eta grad L(w)`,
which we compute to any precision with their Floquet multipliers, and which
double their period as `eta` grows.""",
    ),
    ("code", SETUP + "from scalar_eos import central, edge, orbits, bifurcation, regimes\nimport mpmath"),
    (
        "md",
        """## The central flow near the edge
A minimiser with `eta psi = 2.1` (`D = 3`, `eta = 0.5`), perturbed by `1e-3`.  GD
oscillates, its sharpness falls to the edge; the flow moves along `eta S = 2`
(`sigma^2 > 0`) and ends on a minimiser with sharpness exactly `2/eta`.""",
    ),
    (
        "code",
        """a = np.sqrt((3.2 + np.sqrt(3.2**2 - 4)) / 2)
w0 = np.array([a, 1 / a, 1.0]) * (1 + 1e-3)
c = edge.compare_gd(w0, 0.5, 300)
flow = c["flow"]
print("flow:", flow.status, flow.kind, "end point", flow.final, "eta S =", 0.5 * flow.final_sharpness)
print("GD after 300 steps:", c["gd"][-1], "eta S =", 0.5 * c["gd_final_sharpness"])
print(f"two-step average vs flow: max rel. gap {c['max_error']:.3g}, at the end {c['final_error']:.3g}; "
      f"gradient flow at the end {c['gf_error'][-1]:.3g}")
display(Image(edge.plot_central(c, "central_near_edge.png")))""",
    ),
    (
        "md",
        """The flow tracks GD's average far better than gradient flow does; what remains
is GD's `O(eta)` drift (each step adds a balancing term `a^2/w_i^2` to the
squared weights), which the central flow does not model.  Its prediction of
the time-averaged loss is `L + sigma^2 S / 2` (`= L + sigma^2/eta` on the edge).

## Where GD leaves the flow: far above the edge
From `eta S(w0) = 3.2` GD is catapulted and lands far below the edge; the flow
slides down to the edge and ends at `2/eta`.""",
    ),
    (
        "code",
        """c = edge.compare_gd([0.4, 3.0], 0.35, 150)
print("GD ends at eta S =", round(0.35 * c["gd_final_sharpness"], 4), "| flow ends at eta S =",
      round(0.35 * c["central_final_sharpness"], 12), "| they part at step", c["departure"])""",
    ),
    (
        "md",
        """## Exact periodic orbits
Past `eta psi_min = 2` no minimiser is stable and GD settles on a period-2 orbit.
`find_orbit` detects the period from a float64 run, then Newton's method on
`G^k(w) = w` runs in mpmath; the multipliers are the eigenvalues of the product
of the Jacobians `I - eta H` along the orbit.""",
    ),
    (
        "code",
        """for eta, k in (("1.1", None), ("1.26", None), ("1.292", 8), ("1.26", 2)):
    o = orbits.find_orbit(["1.05", "1.05"], eta, period=k, dps=30)
    d = o.as_dict()
    print(f"eta = {eta}: period {o.period}, {'stable' if o.stable else 'unstable'}, "
          f"max |mu| = {mpmath.nstr(max(abs(m) for m in o.multipliers), 12)}, w_0 = {d['points'][0][0][:22]}...")""",
    ),
    (
        "md",
        """## The period-doubling cascade
The first doubling is where the multiplier `1 - eta psi(w*)` of the fixed point
crosses `-1`: for balanced weights `eta_c = 2/psi_min`, found here as a root in
mpmath and compared with the formula.  Just past it the 2-cycle has amplitude
`K (eta psi_min - 2)^(1/2)` with `K` from the flip normal form.""",
    ),
    (
        "code",
        """for depth in (2, 3, 4):
    r = bifurcation.period_doubling_threshold(depth, dps=40)
    print(f"D = {depth}: root {mpmath.nstr(r['eta'], 25)}, 2/psi_min {mpmath.nstr(r['formula'], 25)}, "
          f"difference {mpmath.nstr(r['difference'], 3)}")
sup = regimes.supercritical(3, mus=(1e-2, 1e-3, 1e-4))
print("D = 3, K =", round(sup["K"], 10), " slope of log(delta) vs log(mu):", round(sup["slope"], 5))
for row in sup["rows"]:
    print(f"  mu = {row['mu']:.0e}: delta / (K sqrt mu) = {row['ratio']:.8f}, stable: {row['stable']}")
display(Image(bifurcation.plot_bifurcation("bifurcation.png", depth=2)))""",
    ),
    (
        "md",
        """## The regimes as claims
`regime-subcritical` (for `2/psi_min > eta > 2/psi(w0)`, a start above the edge
with a stable minimiser available, near the minimisers: `0 < pi/y < 2` and
`eta psi(w0) <= 2 sqrt 2`; monotone decrease of `psi`, convergence with
sharpness `<= 2/eta`) and `regime-supercritical` (a balanced 2-cycle with the
normal-form amplitude) are built-in claims, so `check`, `search` and `sweep`
work on them.  Without the nearness conditions the subcritical picture fails:
GD started far above the edge diverges (the third start below, `pi/y = 8.8`,
is outside the hypothesis for that reason).""",
    ),
    (
        "code",
        """for cid, w, eta in (("regime-subcritical", ["0.6", "2.0", "0.9"], "0.45"),
                    ("regime-supercritical", ["1.05", "0.97"], "1.03"),
                    ("regime-subcritical", [2.5594969047609393, 3.4496291476586673], 0.48605637434127225)):
    r = claims.evaluate(w, eta, claims=[cid])[0]
    print(cid, w, eta, "hypothesis:", r.hypothesis, "conclusion:", r.conclusion)""",
    ),
    (
        "md",
        """## GD's limit to any precision, and the next doublings
In the subcritical regime GD converges linearly, like `mu^t` with
`mu = 1 - eta S` for the final sharpness `S`.  `orbits.gd_limit` iterates GD
exactly (fixed-point integers) and extrapolates the limit from the last iterates;
`regimes.subcritical(..., dps=N)` adds that limit, the float64 result's error
against it and `psi` along exact GD, which falls to the limit's sharpness.
`bifurcation.period_doubling` follows a period-`k` orbit in `eta` until a
multiplier reaches `-1` and polishes the threshold by Newton on the augmented
system `G^k(w) = w, det(M + I) = 0`; at `D = 2` the 2-cycle doubles at
`eta = sqrt(5) - 1`.""",
    ),
    (
        "code",
        """r = regimes.subcritical(["1.147", "0.794"], "0.9482", dps=30)
print("final sharpness (float64):", r["final_sharpness"], " limit (30 digits):", r["limit"]["sharpness"])
print("relative error of float64:", f"{r['final_sharpness_error']:.1e}", " psi falls to it:", r["psi_decreases_to_limit"])
pd = bifurcation.period_doubling(["1.05", "1.05"], "1.1", period=2, dps=20)
print("2-cycle doubles at eta =", mpmath.nstr(pd["eta"], 20), " sqrt(5) - 1 =", mpmath.nstr(mpmath.sqrt(5) - 1, 20))""",
    ),
    (
        "md",
        """## Creeping into the saddle at the origin
For `D >= 3` the origin is a degenerate critical point (loss `y^2/2`, gradient of
order `|w|^(D-1)`).  After a chaotic stretch GD can land near the invariant ray
`|w_1| = ... = |w_D|` with `pi y < 0` and then creeps into the origin like
`t^(-1/(D-2))`: the classifier calls this `saddle_approach` - a statement about
the run at the budget, since the nearly conserved differences `w_i^2 - w_j^2`
end the creep once `|w|^2` reaches them.  A start of README's phase design:""",
    ),
    (
        "code",
        """w0, eta = [0.455445968613588, 0.2979955695796145, 0.3684031498640387], 1.231889622961729
o = se.classify(w0, eta, max_steps=20000)
print(o.status, "-", o.reason)
w = np.array(o.final_weights)
for t in range(1, 5 * 20000 + 1):  # five times the budget more, plain float64 GD
    p = w.prod()
    w = w - eta * (p - 1) * p / w
    if t % 20000 == 0:
        print(f"step {20000 + t}: max |w_i| = {np.abs(w).max():.4e}, ray law 1/(1/a0 + eta t) = "
              f"{1 / (1 / np.abs(o.final_weights).max() + eta * t):.4e}")""",
    ),
]


def build() -> list[Path]:
    written = []
    for name, cells in NOTEBOOKS.items():
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nb.metadata["language_info"] = {"name": "python"}
        for i, (kind, src) in enumerate(cells):
            cell = nbformat.v4.new_markdown_cell(src) if kind == "md" else nbformat.v4.new_code_cell(src)
            cell["id"] = f"{name[:2]}-{i:02d}"  # stable ids: regenerating gives the same files
            nb.cells.append(cell)
        nbformat.validate(nb)
        path = HERE / name
        nbformat.write(nb, path)
        written.append(path)
    return written


if __name__ == "__main__":
    for p in build():
        print("wrote", p)

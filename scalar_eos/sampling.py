r"""Scale-aware samplers for counterexample search: many decades, structured corners.

Claims about one GD step are tight in thin corners of parameter space: weights
spanning many decades, a few nearly equal small weights with the others large,
``pi / y`` close to 0, 1 or 2, ``eta * psi(w)`` at a threshold, a step that
sends the smallest weight through 0.  A point is drawn in three independent
parts, each from a mixture of *families*:

``shape``
    log10 magnitudes relative to ``|y|^{1/D}``: ``moderate`` (within one
    decade), ``wide`` (uniform over ``[-decades, decades]``), ``cluster``
    (2..D weights nearly equal, relative gaps ``10^-12 .. 10^-1``, the others
    anywhere), ``split`` (small weights against large ones, the small ones
    possibly clustered), ``balanced`` (all weights nearly equal).
``pi_over_y``
    ``pi / y``: ``uniform`` over the region, ``anchor`` (within
    ``10^-12 .. 10^-0.5`` of 0, 1, 2 or an end of the region, either side),
    ``log`` (``|pi / y|`` log-uniform over many decades), ``free`` (whatever
    the shape gives).  The weights are rescaled by a common factor to hit it;
    signs are random (mixed) with the parity ``pi / y`` requires.
``step``
    ``eta``: ``log`` (``eta * psi`` log-uniform), ``anchor`` (``eta * psi``
    within ``10^-12 .. 10^-1`` relative of 2, ``2 sqrt 2`` or an end of the
    region), ``flip`` (the step ``a = eta (pi - y) pi`` a given multiple of
    the smallest square: the smallest weight reaches 0 at ``a = w_(1)^2`` and
    changes sign to the same magnitude at ``2 w_(1)^2``; or of
    ``|w_(1) w_(2)|``), ``tiny`` (``eta * psi`` down to ``10^-12``).

A :class:`Region` tells the sampler what a claim's hypothesis allows (a range
of ``pi / y`` and of ``eta * psi``); rows outside the hypothesis are filtered by
the search, and with ``adaptive=True`` the family weights follow the fraction
of rows each family gets accepted, so a user's claim without a region is
sampled as widely as the built-ins and still concentrates where its
hypothesis holds.  All draws come from the generator passed in: a seed fixes
the sample.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from . import fast
from .errors import InvalidArgument

__all__ = ["FAMILIES", "Region", "ScaleAwareSampler", "log_coordinates"]

SQRT2 = math.sqrt(2.0)
FAMILIES: dict[str, tuple[str, ...]] = {
    "shape": ("moderate", "wide", "cluster", "split", "balanced"),
    "pi_over_y": ("uniform", "anchor", "log", "free"),
    "step": ("log", "anchor", "flip", "tiny"),
}


@dataclass(frozen=True)
class Region:
    """What a claim's hypothesis allows, as hints to the sampler (never trusted: rows are still filtered).

    Parameters
    ----------
    pi_over_y : (low, high) or None
        Range of ``pi(w) / y`` (None: any real value, both signs).
    eta_psi : (low, high) or None
        Range of ``eta * psi(w)`` (None: ``[1e-12, 1e3]``).
    pi_over_y_anchors, eta_psi_anchors : tuple of float
        Values approached from both sides (the region's ends are added).

    Examples
    --------
    >>> Region(pi_over_y=(0.0, 2.0), eta_psi=(0.0, 2 * SQRT2)).pi_over_y
    (0.0, 2.0)
    """

    pi_over_y: tuple[float, float] | None = None
    eta_psi: tuple[float, float] | None = None
    pi_over_y_anchors: tuple[float, ...] = (0.0, 1.0, 2.0)
    eta_psi_anchors: tuple[float, ...] = (2.0, 2.0 * SQRT2)


@dataclass
class ScaleAwareSampler:
    """Mixture sampler over many decades; ``sampler(rng, depth, n, target) -> (W, eta)``.

    Parameters
    ----------
    region : Region
        Hints about the hypothesis.
    decades : float
        Magnitudes span ``|y|^{1/D} 10^[-decades, decades]`` (at least 8).
    adaptive : bool
        Reweight the families by their acceptance (call :meth:`feedback`).

    Attributes
    ----------
    last : dict of str to ndarray
        Family index of every row of the last draw, per part.

    Examples
    --------
    >>> s = ScaleAwareSampler(Region(pi_over_y=(0.0, 2.0)))
    >>> W, eta = s(np.random.default_rng(0), 3, 1000, 1.0)
    >>> W.shape, bool(np.all((np.prod(W, axis=1) > 0) | s.free_rows()))
    ((1000, 3), True)
    >>> bool(np.nanmax(np.abs(np.log10(np.abs(W)))) > 6)
    True
    """

    region: Region = field(default_factory=Region)
    decades: float = 8.0
    adaptive: bool = True
    last: dict[str, np.ndarray] = field(default_factory=dict, init=False, repr=False)
    _drawn: dict[str, np.ndarray] = field(default_factory=dict, init=False, repr=False)
    _accepted: dict[str, np.ndarray] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        if not (math.isfinite(self.decades) and self.decades >= 1):
            raise InvalidArgument(f"decades must be a finite number >= 1, got {self.decades!r}")
        for part, names in FAMILIES.items():
            self._drawn[part] = np.zeros(len(names))
            self._accepted[part] = np.zeros(len(names))

    def fresh(self) -> ScaleAwareSampler:
        """A copy with the same settings and no adaptation history (a search starts from one)."""
        return ScaleAwareSampler(self.region, self.decades, self.adaptive)

    # ------------------------------------------------------------------ mixture weights

    def weights(self, part: str) -> np.ndarray:
        """Current probabilities of the families of one part (``"shape"``, ``"pi_over_y"``, ``"step"``)."""
        k = len(FAMILIES[part])
        if not self.adaptive:
            return np.full(k, 1.0 / k)
        rate = (self._accepted[part] + 1.0) / (self._drawn[part] + 2.0)
        p = rate / rate.sum()
        return 0.5 * p + 0.5 / k  # never starve a family: half of the mass stays uniform

    def feedback(self, accepted: np.ndarray) -> None:
        """Record which rows of the last draw satisfied the hypothesis."""
        acc = np.asarray(accepted, dtype=bool)
        for part, fam in self.last.items():
            k = len(FAMILIES[part])
            self._drawn[part] += np.bincount(fam, minlength=k)
            self._accepted[part] += np.bincount(fam[acc], minlength=k)

    def free_rows(self) -> np.ndarray:
        """Rows of the last draw whose ``pi / y`` was left free by the pi_over_y family."""
        return self.last["pi_over_y"] == FAMILIES["pi_over_y"].index("free")

    # ------------------------------------------------------------------ drawing

    def __call__(self, rng: np.random.Generator, depth: int, n: int, target: float) -> tuple[np.ndarray, np.ndarray]:
        fam = {part: rng.choice(len(names), size=n, p=self.weights(part)) for part, names in FAMILIES.items()}
        self.last = fam
        logs = self._shapes(rng, depth, n, fam["shape"])
        ratio = self._ratios(rng, n, fam["pi_over_y"])
        free = fam["pi_over_y"] == FAMILIES["pi_over_y"].index("free")
        # common shift so that prod |w| / |y| = |ratio| (free rows keep their shape's product)
        want = np.log10(np.where(free, 1.0, np.abs(ratio)))
        logs = logs + np.where(free, 0.0, (want - logs.sum(axis=1)) / depth)[:, None]
        sign_y = 1.0 if target > 0 else -1.0
        neg = rng.random((n, depth)) < 0.3
        wanted_odd = np.where(free, np.sum(neg, axis=1) % 2 == 1, (ratio * sign_y) < 0)
        fix = (np.sum(neg, axis=1) % 2 == 1) != wanted_odd
        col = rng.integers(0, depth, size=n)
        neg[fix, col[fix]] = ~neg[fix, col[fix]]
        s = abs(target) ** (1.0 / depth)
        W = np.where(neg, -1.0, 1.0) * s * 10.0**logs
        eta = self._steps(rng, W, target, fam["step"])
        return W, eta

    def _shapes(self, rng: np.random.Generator, depth: int, n: int, fam: np.ndarray) -> np.ndarray:
        dec = self.decades
        logs = rng.uniform(-dec, dec, size=(n, depth))  # "wide"
        moderate = fam == 0
        logs[moderate] = rng.uniform(-1.0, 1.0, size=(int(moderate.sum()), depth))
        gaps = 10.0 ** rng.uniform(-12.0, -1.0, size=n)
        jitter = np.log10(np.abs(1.0 + gaps[:, None] * rng.standard_normal((n, depth))))
        # cluster: the first k of a random permutation share a centre
        k = rng.integers(2, depth + 1, size=n) if depth >= 2 else np.ones(n, dtype=int)
        perm = np.argsort(rng.random((n, depth)), axis=1)
        member = np.zeros((n, depth), dtype=bool)
        np.put_along_axis(member, perm, np.arange(depth)[None, :] < k[:, None], axis=1)
        centre = rng.uniform(-dec, dec, size=n)
        cl = fam == 2
        logs[cl] = np.where(member[cl], centre[cl, None] + jitter[cl], logs[cl])
        # split: the first j of the permutation small, the rest large; small ones clustered half of the time
        j = rng.integers(1, depth, size=n) if depth >= 2 else np.ones(n, dtype=int)
        small = np.zeros((n, depth), dtype=bool)
        np.put_along_axis(small, perm, np.arange(depth)[None, :] < j[:, None], axis=1)
        lo = rng.uniform(-dec, -1.0, size=n)
        tight = rng.random(n) < 0.5
        small_logs = np.where(tight[:, None], lo[:, None] + jitter, rng.uniform(-dec, -1.0, size=(n, depth)))
        large_logs = rng.uniform(1.0, dec, size=(n, depth))
        sp = fam == 3
        logs[sp] = np.where(small[sp], small_logs[sp], large_logs[sp])
        # balanced: everything near one centre
        bal = fam == 4
        logs[bal] = centre[bal, None] + jitter[bal]
        return logs

    def _ratios(self, rng: np.random.Generator, n: int, fam: np.ndarray) -> np.ndarray:
        reg = self.region.pi_over_y
        lo, hi = reg if reg is not None else (-3.0, 3.0)
        out = rng.uniform(lo, hi, size=n)  # "uniform"
        anchors = np.array(sorted(set(self.region.pi_over_y_anchors) | ({lo, hi} if reg is not None else set())))
        a = anchors[rng.integers(0, anchors.size, size=n)]
        side = np.where(rng.random(n) < 0.5, -1.0, 1.0)
        near = a + side * 10.0 ** rng.uniform(-12.0, -0.5, size=n) * np.maximum(1.0, np.abs(a))
        if reg is not None:  # mirror into the region
            near = np.where((near <= lo) | (near >= hi), 2 * a - near, near)
        out = np.where(fam == 1, near, out)
        dec = self.decades
        if reg is not None and lo >= 0:  # log-uniform inside a positive region
            a_lo, a_hi = math.log10(max(lo, 10.0**-dec)), math.log10(min(hi, 10.0**dec))
            logr = 10.0 ** rng.uniform(a_lo, a_hi, size=n)
        else:
            logr = 10.0 ** rng.uniform(-dec, dec, size=n) * np.where(rng.random(n) < 0.5, -1.0, 1.0)
        out = np.where(fam == 2, logr, out)
        return np.where(out == 0, 1e-12, out)

    def _steps(self, rng: np.random.Generator, W: np.ndarray, target: float, fam: np.ndarray) -> np.ndarray:
        n = W.shape[0]
        reg = self.region.eta_psi
        lo, hi = reg if reg is not None else (1e-12, 1e3)
        lo_log = math.log10(max(lo, 1e-12))
        c = 10.0 ** rng.uniform(max(lo_log, -6.0), math.log10(hi), size=n)  # "log"
        anchors = np.array(sorted(set(self.region.eta_psi_anchors) | ({hi} if reg is not None else set())))
        anchors = anchors[(anchors >= lo) & (anchors <= hi)] if reg is not None else anchors
        if anchors.size:
            a = anchors[rng.integers(0, anchors.size, size=n)]
            side = np.where(rng.random(n) < 0.6, -1.0, 1.0)
            c = np.where(fam == 1, a * (1.0 + side * 10.0 ** rng.uniform(-12.0, -1.0, size=n)), c)
        c = np.where(fam == 3, 10.0 ** rng.uniform(lo_log, max(lo_log, -3.0), size=n), c)
        with np.errstate(all="ignore"):
            psi = fast.gfs_sharpness(W, target=target)
            eta = c / psi
            # "flip": a = eta (pi - y) pi at a chosen multiple of the smallest square or of |w_(1) w_(2)|
            p = np.prod(W, axis=1)
            rp = np.abs((p - target) * p)
            mags = np.sort(np.abs(W), axis=1)
            second = mags[:, 1] if W.shape[1] > 1 else mags[:, 0]
            scale = np.where(rng.random(n) < 0.5, mags[:, 0] ** 2, mags[:, 0] * second)
            mult = np.array([1.0, 2.0, 0.5])[rng.integers(0, 3, size=n)]
            rel = np.where(
                rng.random(n) < 0.5,
                1.0 + rng.choice([-1.0, 1.0], size=n) * 10.0 ** rng.uniform(-12, -1, n),
                10.0 ** rng.uniform(-2.0, 1.0, size=n),
            )
            eta = np.where(fam == 2, mult * rel * scale / rp, eta)
        return np.where(np.isfinite(eta) & (eta > 0), eta, np.nan)


def log_coordinates(W: np.ndarray, eta: np.ndarray, target: float) -> dict[str, np.ndarray]:
    """Coverage coordinates of sampled rows: ``log10 |w| / |y|^{1/D}`` (N, D), ``pi / y``, ``eta * psi``.

    Examples
    --------
    >>> c = log_coordinates(np.array([[10.0, 0.1]]), np.array([0.5]), 1.0)
    >>> c["log10_abs_w"].tolist(), c["pi_over_y"].tolist(), c["eta_psi"].round(6).tolist()
    ([[1.0, -1.0]], [1.0], [50.005])
    """
    depth = W.shape[1]
    with np.errstate(all="ignore"):
        return {
            "log10_abs_w": np.log10(np.abs(W)) - math.log10(abs(target)) / depth,
            "pi_over_y": np.prod(W, axis=1) / target,
            "eta_psi": eta * fast.gfs_sharpness(W, target=target),
        }

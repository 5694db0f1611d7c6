"""Problems of the central flow: sharpness, its gradient and the top eigenvector (see :mod:`scalar_eos.central`)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import InvalidArgument

# ----------------------------------------------------------------------------- problems


def finite_vector(w: Any, name: str, n: int | None = None) -> np.ndarray:
    if isinstance(w, str | bytes):
        raise InvalidArgument(f"{name} must be a sequence of numbers, got the string {w!r}")
    try:
        arr = np.array(w, dtype=float)
    except (TypeError, ValueError):
        raise InvalidArgument(f"{name} must be a sequence of real numbers, got {w!r}") from None
    if arr.ndim != 1 or arr.size == 0:
        raise InvalidArgument(f"{name} must be a non-empty one-dimensional sequence, got shape {arr.shape}")
    if n is not None and arr.size != n:
        raise InvalidArgument(f"{name} must have {n} entries, got {arr.size}")
    if not np.all(np.isfinite(arr)):
        raise InvalidArgument(f"{name} must be finite, got {w!r}")
    return arr


def check_positive(x: Any, name: str) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError):
        raise InvalidArgument(f"{name} must be a positive real number, got {x!r}") from None
    if not (math.isfinite(v) and v > 0):
        raise InvalidArgument(f"{name} must be positive and finite, got {name}={x!r}")
    return v


def _quad_products(w: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Row ``k``: coefficients of ``t^0, t^1, t^2`` in ``prod_{l != k} (w_l + t v_l)`` (no division)."""
    d = w.size
    wl, vl = w.tolist(), v.tolist()
    prefix = [(1.0, 0.0, 0.0)]
    for i in range(d - 1):
        a0, a1, a2 = prefix[-1]
        prefix.append((a0 * wl[i], a1 * wl[i] + a0 * vl[i], a2 * wl[i] + a1 * vl[i]))
    out = np.empty((d, 3))
    b0, b1, b2 = 1.0, 0.0, 0.0
    for k in range(d - 1, -1, -1):
        a0, a1, a2 = prefix[k]
        out[k] = (a0 * b0, a0 * b1 + a1 * b0, a0 * b2 + a1 * b1 + a2 * b0)
        b0, b1, b2 = b0 * wl[k], b1 * wl[k] + b0 * vl[k], b2 * wl[k] + b1 * vl[k]
    return out


def _others(w: np.ndarray) -> np.ndarray:
    if _divisible(w):
        return float(np.prod(w)) / w
    return _quad_products(w, np.zeros_like(w))[:, 0]


def _divisible(w: np.ndarray) -> bool:
    """Whether ``pi / w_i`` is accurate (no zero, tiny or huge magnitudes)."""
    a = np.abs(w)
    p = float(np.prod(a))
    return bool(a.min() > 1e-100 and 1e-250 < p < 1e250)


@dataclass(frozen=True)
class ScalarNet:
    """The scalar network ``L(w) = m/2 (prod w - y)^2`` as a central-flow problem (float64).

    Examples
    --------
    >>> net = ScalarNet(target=1.0)
    >>> s, v, gap = net.top(np.array([1.0, 1.0]))
    >>> round(s, 12), round(gap, 12)
    (2.0, 2.0)
    """

    target: float = 1.0
    scale: float = 1.0

    def loss(self, w: np.ndarray) -> float:
        r = float(np.prod(w)) - self.target
        return 0.5 * self.scale * r * r

    def grad(self, w: np.ndarray) -> np.ndarray:
        return self.scale * (float(np.prod(w)) - self.target) * _others(w)

    def hessian(self, w: np.ndarray) -> np.ndarray:
        d = w.size
        r = float(np.prod(w)) - self.target
        if _divisible(w):
            g = float(np.prod(w)) / w
            p = np.outer(g, 1 / w)
        else:
            g = _others(w)
            p = np.zeros((d, d))
            for i in range(d):
                wi = w.copy()
                wi[i] = 1.0
                p[i] = _others(wi)
        np.fill_diagonal(p, 0.0)
        return self.scale * (np.outer(g, g) + r * p)

    def top(self, w: np.ndarray) -> tuple[float, np.ndarray, float]:
        """Top eigenvalue, a unit top eigenvector and the gap to the second eigenvalue."""
        ev, vec = np.linalg.eigh(self.hessian(w))
        gap = float(ev[-1] - ev[-2]) if ev.size > 1 else math.inf
        return float(ev[-1]), vec[:, -1], gap

    def spectral_radius(self, w: np.ndarray) -> float:
        """Largest ``|eigenvalue|`` of the Hessian (bounds the stable Runge-Kutta step)."""
        return float(np.max(np.abs(np.linalg.eigvalsh(self.hessian(w)))))

    def grad_sharpness(self, w: np.ndarray, v: np.ndarray) -> np.ndarray:
        """``d/dw (v^T H(w) v)`` for a fixed unit vector ``v`` (exact formula)."""
        # degree-2 truncated products, no division: the O(D) form with a_i = v_i / w_i cancels catastrophically
        # when one weight is much smaller than the others (w = (1e-30, 1.6, 2.7): d S / d w_1 came out 0, not -8.7)
        q = _quad_products(w, v)
        g, pv, tvv = q[:, 0], q[:, 1], 2 * q[:, 2]
        full = _quad_products(np.append(w, 1.0), np.append(v, 0.0))[-1]  # prod_l (w_l + t v_l)
        vpv = 2 * full[2]
        r = float(np.prod(w)) - self.target
        return self.scale * (2 * float(g @ v) * pv + vpv * g + r * tvv)

    def grad_scale(self, w: np.ndarray) -> float:
        """Natural size of the gradient near a minimiser: ``m |y| |grad pi|``."""
        return self.scale * abs(self.target) * float(np.linalg.norm(_others(w))) + 1e-300


class ModelProblem:
    """A generic model (``loss``, ``grad``, ``hvp``; dense Hessian for the eigenpairs)."""

    def __init__(self, model: Any, x0: np.ndarray):
        for name in ("loss", "grad", "hvp", "dense_hessian"):
            if not callable(getattr(model, name, None)):
                raise InvalidArgument(f"model must provide a callable {name!r} (a scalar_eos.generic.Model)")
        self.model = model
        self._scale = 1.0 + float(np.linalg.norm(model.grad(x0)))

    def loss(self, w: np.ndarray) -> float:
        return float(self.model.loss(w))

    def grad(self, w: np.ndarray) -> np.ndarray:
        return np.asarray(self.model.grad(w), dtype=float)

    def top(self, w: np.ndarray) -> tuple[float, np.ndarray, float]:
        ev, vec = np.linalg.eigh(self.model.dense_hessian(w))
        gap = float(ev[-1] - ev[-2]) if ev.size > 1 else math.inf
        return float(ev[-1]), vec[:, -1], gap

    def spectral_radius(self, w: np.ndarray) -> float:
        return float(np.max(np.abs(np.linalg.eigvalsh(self.model.dense_hessian(w)))))

    def grad_sharpness(self, w: np.ndarray, v: np.ndarray) -> np.ndarray:
        h = 1e-3 * max(1.0, float(np.linalg.norm(w)))

        def diff(e: float) -> np.ndarray:
            return (np.asarray(self.model.hvp(w + e * v, v)) - np.asarray(self.model.hvp(w - e * v, v))) / (2 * e)

        return (4 * diff(h / 2) - diff(h)) / 3  # Richardson: error O(h^4)

    def grad_scale(self, w: np.ndarray) -> float:
        return self._scale


def sharpness_gradient(w: Any, *, target: float = 1.0, scale: float = 1.0) -> tuple[float, np.ndarray]:
    """Top Hessian eigenvalue ``S`` of the scalar network and its exact gradient.

    Valid where the top eigenvalue is simple (the gradient is not defined at a
    crossing; the gap is checked and a crossing raises).

    Examples
    --------
    >>> s, gs = sharpness_gradient([1.0, 1.0])
    >>> round(s, 12), gs.round(12).tolist()
    (2.0, [3.0, 3.0])
    """
    w = finite_vector(w, "weights")
    net = ScalarNet(float(target), check_positive(scale, "scale"))
    s, v, gap = net.top(w)
    if gap <= 1e-9 * max(1.0, abs(s)):
        raise InvalidArgument(f"the top Hessian eigenvalue is not simple at w (gap {gap:.3g}); grad S is undefined")
    return s, net.grad_sharpness(w, v)

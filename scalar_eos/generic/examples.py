"""Example models for the generic engine (:mod:`scalar_eos.generic`).

1. :func:`scalar_network` - the depth-``D`` one-neuron-per-layer linear network
   on a data set, as a SymPy expression (validates the engine against the
   scalar closed form);
2. :func:`matrix_factorization` - ``1/2 ||A - X Y^T||_F^2`` (two-layer linear network);
3. :func:`quadratic_regression` - ``f(x; u) = <u * u, x>`` with squared loss on synthetic data;
4. :func:`tanh_mlp` - a one-hidden-layer tanh network with squared loss on
   scikit-learn's digits, with hand-written gradient and exact
   Hessian-vector products (Pearlmutter's R-operator).

Adding an example: a function returning a :class:`~scalar_eos.generic.Model`
and one line in :data:`EXAMPLES` (the API, the experiments and the CLI's
``experiment`` choices all read it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import InvalidArgument, MissingDependency
from .model import Model

__all__ = [
    "EXAMPLES",
    "MODELS",
    "Example",
    "example",
    "matrix_factorization",
    "quadratic_regression",
    "scalar_network",
    "tanh_mlp",
]


def scalar_network(depth: int = 3, xs: Any = (1.0, 2.0), ys: Any = (1.0, 3.0), *, x0: Any = None) -> Model:
    """``L(w) = 1/(2n) sum_j (x_j w_1 ... w_D - y_j)^2`` as a SymPy model.

    Examples
    --------
    >>> m = scalar_network(2)
    >>> m.n_params, m.names
    (2, ['w1', 'w2'])
    """
    import sympy as sp

    if isinstance(depth, bool) or not isinstance(depth, int) or not 1 <= depth <= 16:
        raise InvalidArgument(f"depth must be an integer in [1, 16], got {depth!r}")
    xs, ys = list(xs), list(ys)
    if len(xs) != len(ys) or not xs:
        raise InvalidArgument("xs and ys must be non-empty and of the same length")
    w = sp.symbols(f"w1:{depth + 1}", real=True)
    pi = sp.Mul(*w)
    n = len(xs)
    expr = sum((sp.nsimplify(x) * pi - sp.nsimplify(y)) ** 2 for x, y in zip(xs, ys, strict=True)) / (2 * n)
    if x0 is None:  # an unbalanced start
        x0 = [3.0] + [0.6] * (depth - 1)
    return Model.from_sympy(expr, w, name=f"scalar network D={depth}", x0=x0)


def matrix_factorization(m: int = 3, n: int = 3, rank: int = 1, *, seed: int = 0, init_scale: float = 0.5) -> Model:
    """``L(X, Y) = 1/2 ||A - X Y^T||_F^2`` with ``A`` a random rank-``rank`` ``m x n`` matrix.

    Parameters are ``x = (vec X, vec Y)``, ``X`` of shape ``(m, rank)``, ``Y`` of ``(n, rank)``.
    """
    for nm, v in (("m", m), ("n", n), ("rank", rank)):
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise InvalidArgument(f"{nm} must be a positive integer, got {v!r}")
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((m, rank)) @ rng.standard_normal((rank, n)) / np.sqrt(rank)
    k = m * rank

    def split(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return x[:k].reshape(m, rank), x[k:].reshape(n, rank)

    def loss(x: np.ndarray) -> float:
        X, Y = split(x)
        R = X @ Y.T - A
        return float(0.5 * np.sum(R * R))

    def grad(x: np.ndarray) -> np.ndarray:
        X, Y = split(x)
        R = X @ Y.T - A
        return np.concatenate([(R @ Y).ravel(), (R.T @ X).ravel()])

    def hvp(x: np.ndarray, v: np.ndarray) -> np.ndarray:
        X, Y = split(x)
        U, V = split(v)
        R = X @ Y.T - A
        dR = U @ Y.T + X @ V.T
        return np.concatenate([(dR @ Y + R @ V).ravel(), (dR.T @ X + R.T @ U).ravel()])

    x0 = init_scale * rng.standard_normal(k + n * rank)
    return Model.from_callables(k + n * rank, loss, grad, hvp, name=f"matrix factorization {m}x{n}, rank {rank}", x0=x0)


def quadratic_regression(dim: int = 4, samples: int = 2, *, seed: int = 0) -> Model:
    """``L(u) = 1/(2n) sum_j (<u * u, x_j> - y_j)^2``: a model quadratic in its parameters.

    Data: ``x_j`` standard normal in ``R^dim``, ``y_j = <u* * u*, x_j>`` for a
    random ``u*`` (so the model can interpolate; ``samples < dim``
    over-parametrises it).
    """
    for nm, v in (("dim", dim), ("samples", samples)):
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise InvalidArgument(f"{nm} must be a positive integer, got {v!r}")
    rng = np.random.default_rng(seed)
    Xd = rng.standard_normal((samples, dim))
    u_star = rng.standard_normal(dim)
    yd = Xd @ (u_star * u_star)
    nn = samples

    def loss(u: np.ndarray) -> float:
        r = Xd @ (u * u) - yd
        return float(r @ r / (2 * nn))

    def grad(u: np.ndarray) -> np.ndarray:
        r = Xd @ (u * u) - yd
        return 2 * u * (Xd.T @ r) / nn

    def hessian(u: np.ndarray) -> np.ndarray:
        r = Xd @ (u * u) - yd
        J = 2 * Xd * u[None, :]  # Jacobian of the residuals
        return (J.T @ J + 2 * np.diag(Xd.T @ r)) / nn

    def hvp(u: np.ndarray, v: np.ndarray) -> np.ndarray:
        r = Xd @ (u * u) - yd
        Jv = Xd @ (2 * u * v)
        return (2 * u * (Xd.T @ Jv) + 2 * v * (Xd.T @ r)) / nn

    x0 = 1.5 * np.abs(u_star) + 0.3 * rng.standard_normal(dim)
    return Model.from_callables(
        dim, loss, grad, hvp, hessian=hessian, name=f"quadratic regression d={dim}, n={samples}", x0=x0
    )


def _digits(samples: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise MissingDependency(
            "the digits data set ships with scikit-learn: pip install 'scalar-eos[general]'"
        ) from None
    X, y = load_digits(return_X_y=True)
    rng = np.random.default_rng(seed)
    idx = rng.permutation(len(y))[:samples]
    X = X[idx] / 16.0  # pixel intensities 0..16 -> [0, 1]
    Y = np.eye(10)[y[idx]]
    return X, Y


class _TanhMLP:
    """Loss, gradient, Hessian-vector product and Hessian of a one-hidden-layer tanh network on ``(X, Y)``.

    The parameter vector is ``[W1, b1, W2, b2]`` (row-major), so ``[W1; b1]``
    and ``[W2; b2]`` are contiguous blocks: the forward pass multiplies by
    them with a column of ones appended to the inputs (one product per layer
    instead of a product and a bias), and the gradient of each block is one
    product written in place.
    """

    def __init__(self, X: np.ndarray, Y: np.ndarray, hidden: int) -> None:
        self.X, self.Y = X, Y
        self.n, self.d = X.shape
        self.k, self.h = Y.shape[1], hidden
        self.offs = np.cumsum([0, self.d * hidden, hidden, hidden * self.k, self.k])
        self.size = int(self.offs[-1])
        self.Xa = np.hstack([X, np.ones((self.n, 1))])  # inputs with a column of ones: [W1; b1] in one product
        self.XaT = np.ascontiguousarray(self.Xa.T)

    def split(self, x: np.ndarray) -> tuple[np.ndarray, ...]:
        o = self.offs
        return (
            x[..., o[0] : o[1]].reshape(*x.shape[:-1], self.d, self.h),
            x[..., o[1] : o[2]],
            x[..., o[2] : o[3]].reshape(*x.shape[:-1], self.h, self.k),
            x[..., o[3] : o[4]],
        )

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``W2``, the hidden activations ``A`` and the output ``F``."""
        h, c = self.h, int(self.offs[2])
        A = np.tanh(self.Xa @ x[:c].reshape(self.d + 1, h))
        W2a = x[c:].reshape(h + 1, self.k)
        F = A @ W2a[:h]
        F += W2a[h]
        return W2a[:h], A, F

    def loss(self, x: np.ndarray) -> float:
        R = self.forward(x)[2] - self.Y
        return float(np.sum(R * R) / (2 * self.n))

    def grad(self, x: np.ndarray) -> np.ndarray:
        W2, A, R = self.forward(x)
        R -= self.Y
        R *= 1.0 / self.n
        dZ = R @ W2.T
        dZ *= 1.0 - A * A  # tanh'
        # [dW1; db1], dW2, db2: the parameter order of x
        return np.concatenate(((self.XaT @ dZ).ravel(), (A.T @ R).ravel(), R.sum(0)))

    def hvp(self, x: np.ndarray, v: np.ndarray) -> np.ndarray:
        """Exact ``H(x) v`` by the R-operator applied to the back-propagation."""
        W2, A, R = self.forward(x)
        h, k, c = self.h, self.k, int(self.offs[2])
        R -= self.Y
        R *= 1.0 / self.n
        V2a = v[c:].reshape(h + 1, k)
        S = 1.0 - A * A  # tanh'
        RA = S * (self.Xa @ v[:c].reshape(self.d + 1, h))  # R-op of the activation
        RR = RA @ W2 + A @ V2a[:h]
        RR += V2a[h]
        RR *= 1.0 / self.n
        RdZ = (RR @ W2.T + R @ V2a[:h].T) * S - 2 * (R @ W2.T) * A * RA
        return np.concatenate(((self.XaT @ RdZ).ravel(), (RA.T @ R + A.T @ RR).ravel(), RR.sum(0)))

    def hessian(self, x: np.ndarray) -> np.ndarray:
        """Dense Hessian: the R-operator applied to every unit vector at once (batched, same formulas)."""
        W2, A, F = self.forward(x)
        B, X = self.size, self.X
        V1, c1, V2, c2 = self.split(np.eye(B))
        R = (F - self.Y) / self.n
        S = 1 - A * A
        RA = S[None] * (np.einsum("nd,bdh->bnh", X, V1) + c1[:, None, :])
        RR = (np.einsum("bnh,hk->bnk", RA, W2) + np.einsum("nh,bhk->bnk", A, V2) + c2[:, None, :]) / self.n
        dA = R @ W2.T
        RdA = np.einsum("bnk,hk->bnh", RR, W2) + np.einsum("nk,bhk->bnh", R, V2)
        RdZ = RdA * S[None] - 2 * (dA * A)[None] * RA
        Hm = np.concatenate(
            [
                np.einsum("nd,bnh->bdh", X, RdZ).reshape(B, -1),
                RdZ.sum(1),
                (np.einsum("bnh,nk->bhk", RA, R) + np.einsum("nh,bnk->bhk", A, RR)).reshape(B, -1),
                RR.sum(1),
            ],
            axis=1,
        )
        return (Hm + Hm.T) / 2


def tanh_mlp(hidden: int = 8, samples: int = 24, *, seed: int = 0, init_scale: float = 1.0) -> Model:
    """One hidden tanh layer, squared loss on ``samples`` images of scikit-learn's digits (8x8, 10 classes).

    ``F = tanh(X W1 + b1) W2 + b2``, ``L = 1/(2n) ||F - Y||^2`` with one-hot
    ``Y``.  Gradient by back-propagation and exact Hessian-vector products by
    the R-operator, both written out by hand (no autodiff framework).
    """
    for nm, v in (("hidden", hidden), ("samples", samples)):
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise InvalidArgument(f"{nm} must be a positive integer, got {v!r}")
    X, Y = _digits(samples, seed)
    net = _TanhMLP(X, Y, hidden)
    d, h, k = net.d, hidden, net.k
    rng = np.random.default_rng(seed + 1)
    x0 = np.concatenate(
        [
            init_scale * rng.standard_normal(d * h) / np.sqrt(d),
            np.zeros(h),
            init_scale * rng.standard_normal(h * k) / np.sqrt(h),
            np.zeros(k),
        ]
    )
    name = f"tanh MLP 64-{h}-10 on {samples} digits"
    return Model.from_callables(net.size, net.loss, net.grad, net.hvp, hessian=net.hessian, name=name, x0=x0)


@dataclass(frozen=True)
class Example:
    """An example model and the defaults of its experiment (``scalar-eos experiment NAME``).

    ``build(**kw)`` makes the model; ``eta_psi`` is the default ``eta * psi(x0)``
    (> 2: GD starts beyond the edge of stability); ``steps`` GD steps with the
    GFS sharpness every ``every``-th iterate; ``gtol`` the flow's tolerance.
    """

    build: Callable[..., Model]
    kw: dict[str, Any] = field(default_factory=dict)
    eta_psi: float = 2.05
    steps: int = 200
    every: int = 5
    gtol: float = 1e-9


#: The example models by name: feeds :func:`example`, the experiments, and the CLI's choices.
EXAMPLES: dict[str, Example] = {
    "scalar": Example(scalar_network, {"depth": 3}, eta_psi=2.2, steps=300, every=5),
    "factorization": Example(matrix_factorization, eta_psi=2.05, steps=400, every=4),
    "quadratic": Example(quadratic_regression, eta_psi=2.05, steps=200, every=2),
    "mlp": Example(tanh_mlp, eta_psi=2.1, steps=200, every=20),
}

#: Constructors by name (same registry as :data:`EXAMPLES`).
MODELS: dict[str, Callable[..., Model]] = {name: ex.build for name, ex in EXAMPLES.items()}


def example(name: str) -> Example:
    """The registered example ``name``, or :class:`~scalar_eos.errors.InvalidArgument` naming the choices.

    Examples
    --------
    >>> example("quadratic").steps
    200
    >>> example("resnet")
    Traceback (most recent call last):
    ...
    scalar_eos.errors.InvalidArgument: unknown model 'resnet'; choose from ['factorization', 'mlp', ...]
    """
    try:
        return EXAMPLES[name]
    except KeyError:
        raise InvalidArgument(f"unknown model {name!r}; choose from {sorted(EXAMPLES)}") from None

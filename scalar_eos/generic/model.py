"""The :class:`Model` type of the generic engine: a loss with its gradient and Hessian-vector product."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._validate import check_vector
from ..errors import InvalidArgument

__all__ = ["Model"]


@dataclass
class Model:
    """A twice-differentiable loss ``L(x)``, ``x`` a vector of ``n_params`` reals.

    Parameters
    ----------
    n_params : int
    loss : callable ``x -> float``
    grad : callable ``x -> (n,) array``
    hvp : callable ``(x, v) -> (n,) array``
        Hessian-vector product ``H(x) v``.
    hessian : callable ``x -> (n, n) array``, optional
        Dense Hessian (used for small models and for the flow's Jacobian).
    name : str
    x0 : array, optional
        A default initialisation.
    names : list of str, optional
        Parameter names.
    """

    n_params: int
    loss: Callable[[np.ndarray], float]
    grad: Callable[[np.ndarray], np.ndarray]
    hvp: Callable[[np.ndarray, np.ndarray], np.ndarray]
    hessian: Callable[[np.ndarray], np.ndarray] | None = None
    name: str = "model"
    x0: np.ndarray | None = None
    names: list[str] = field(default_factory=list)

    @classmethod
    def from_sympy(cls, expr: Any, params: Sequence[Any], *, name: str = "model", x0: Any = None) -> Model:
        """A model from a SymPy expression in the symbols ``params``.

        The gradient and the Hessian are derived exactly (``sympy.diff``) and
        lambdified to NumPy; the Hessian-vector product is ``H(x) @ v``.

        Examples
        --------
        >>> import sympy as sp
        >>> a, b = sp.symbols("a b")
        >>> m = Model.from_sympy((1 - a * b) ** 2 / 2, [a, b])
        >>> m.grad(np.array([1.0, 3.0])).tolist(), m.loss(np.array([1.0, 1.0]))
        ([6.0, 2.0], 0.0)
        """
        import sympy as sp

        params = list(params)
        if not params:
            raise InvalidArgument("params must name at least one parameter")
        expr = sp.sympify(expr)
        extra = expr.free_symbols - set(params)
        if extra:
            raise InvalidArgument(f"the loss has symbols that are not parameters: {sorted(map(str, extra))}")
        grad = [sp.diff(expr, p) for p in params]
        hess = [[sp.diff(g, q) for q in params] for g in grad]
        f_loss = sp.lambdify([params], expr, modules="numpy")
        f_grad = sp.lambdify([params], grad, modules="numpy")
        f_hess = sp.lambdify([params], hess, modules="numpy")
        n = len(params)

        def loss(x: np.ndarray) -> float:
            return float(f_loss(x))

        def gradient(x: np.ndarray) -> np.ndarray:
            return np.asarray(f_grad(x), dtype=float).reshape(n)

        def hessian(x: np.ndarray) -> np.ndarray:
            return np.asarray(f_hess(x), dtype=float).reshape(n, n)

        def hvp(x: np.ndarray, v: np.ndarray) -> np.ndarray:
            return hessian(x) @ v

        return cls(
            n,
            loss,
            gradient,
            hvp,
            hessian,
            name,
            None if x0 is None else check_vector(x0, n, "x0"),
            [str(p) for p in params],
        )

    @classmethod
    def from_callables(
        cls,
        n_params: int,
        loss: Callable[[np.ndarray], float],
        grad: Callable[[np.ndarray], np.ndarray],
        hvp: Callable[[np.ndarray, np.ndarray], np.ndarray],
        *,
        hessian: Callable[[np.ndarray], np.ndarray] | None = None,
        name: str = "model",
        x0: Any = None,
    ) -> Model:
        """A model from NumPy callables (see the class parameters)."""
        if isinstance(n_params, bool) or not isinstance(n_params, int) or n_params < 1:
            raise InvalidArgument(f"n_params must be a positive integer, got {n_params!r}")
        for nm, f in (("loss", loss), ("grad", grad), ("hvp", hvp)):
            if not callable(f):
                raise InvalidArgument(f"{nm} must be callable")
        return cls(n_params, loss, grad, hvp, hessian, name, None if x0 is None else check_vector(x0, n_params, "x0"))

    def dense_hessian(self, x: np.ndarray) -> np.ndarray:
        """The Hessian as a dense matrix (from ``hessian`` or from ``n`` Hessian-vector products)."""
        if self.hessian is not None:
            return np.asarray(self.hessian(x), dtype=float)
        eye = np.eye(self.n_params)
        cols = [self.hvp(x, eye[:, i]) for i in range(self.n_params)]
        h = np.column_stack(cols)
        return (h + h.T) / 2

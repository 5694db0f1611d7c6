"""GFS sharpness for general models (beyond scalar networks), torch-free.

A :class:`Model` is any twice-differentiable loss of a parameter vector,
given either

* as a SymPy expression in named parameters (:meth:`Model.from_sympy`):
  loss, exact gradient and exact Hessian are derived symbolically and
  lambdified to NumPy; or
* as NumPy callables (:meth:`Model.from_callables`): ``loss(x)``,
  ``grad(x)`` and a Hessian-vector product ``hvp(x, v)`` (optionally a dense
  ``hessian(x)``).

On a model the engine offers

* :func:`sharpness` - the top Hessian eigenvalue: dense ``eigvalsh`` for small
  models (exact up to rounding), Lanczos (``scipy.sparse.linalg.eigsh`` on a
  ``LinearOperator`` of Hessian-vector products) for large ones;
* :func:`gradient_flow` - gradient flow integrated until the gradient norm is
  below ``gtol``, with a stiffness-aware solver (``LSODA``: Adams while the
  flow is non-stiff, BDF with the exact Jacobian ``-H(x)`` when it becomes
  stiff).  It returns an explicit status: ``converged`` (a minimiser),
  ``saddle`` (the gradient vanished where the Hessian has a clearly negative
  eigenvalue), ``time_limit``, ``diverged`` or ``failed``;
* :func:`gfs_sharpness` - the sharpness at the end of the flow, with an error
  estimate.  By default (``method="auto"``, whenever a dense Hessian is
  affordable) the flow runs to ``|grad| <= gtol`` - from 200 parameters on
  with the explicit order-8 DOP853 for its first gradient evaluations and
  then variable-order NDF with the Jacobian ``-H(x)``, whose Newton solves
  use eigendecompositions of the Hessian (partial ones, the top eigenpairs
  by Lanczos, while the steps are small; reused along a GD run); below 200
  parameters with LSODA - and
  is finished by Newton steps along the Hessian's range onto the minimisers,
  with warm-started Lanczos for the sharpness.  The estimate adds what the
  projection changes between the end point and an iterate with a ten times
  larger gradient, the Lanczos residuals and an integration allowance.
  ``method="lsoda"`` is version 0.1's path (LSODA to ``|grad| <= gtol/10``;
  the estimate is the change of the sharpness over the last decade of
  ``|grad|`` plus the eigen-solver tolerance and an allowance) and
  ``integrator="DOP853+BDF"`` version 0.3's default, ``integrator="BDF"``
  version 0.2's;
* :func:`gd` - gradient descent recording the loss, the sharpness and the GFS
  sharpness at every ``gfs_every``-th iterate.

SciPy is needed for the flow and for Lanczos (``pip install 'scalar-eos[general]'``).

Layout: :mod:`.model` (the type), :mod:`.engine` (the methods above),
:mod:`.examples` (example models and their registry :data:`EXAMPLES`),
:mod:`.experiments` (GD runs on the examples, ``scalar-eos experiment``).
"""

from __future__ import annotations

from .engine import (
    DENSE_LIMIT,
    FLOW_STATUSES,
    EigenNotConverged,
    FlowResult,
    GDRecord,
    GFSResult,
    gd,
    gfs_sharpness,
    gradient_flow,
    sharpness,
    summarize,
)
from .examples import (
    EXAMPLES,
    MODELS,
    Example,
    example,
    matrix_factorization,
    quadratic_regression,
    scalar_network,
    tanh_mlp,
)
from .experiments import Experiment, plot_experiment, run_experiment
from .model import Model

__all__ = [
    "DENSE_LIMIT",
    "EXAMPLES",
    "FLOW_STATUSES",
    "MODELS",
    "EigenNotConverged",
    "Example",
    "Experiment",
    "FlowResult",
    "GDRecord",
    "GFSResult",
    "Model",
    "example",
    "gd",
    "gfs_sharpness",
    "gradient_flow",
    "matrix_factorization",
    "plot_experiment",
    "quadratic_regression",
    "run_experiment",
    "scalar_network",
    "sharpness",
    "summarize",
    "tanh_mlp",
]

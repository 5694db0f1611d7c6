"""scalar-eos: check claims about gradient descent at the edge of stability.

Scalar (one neuron per layer, linear) networks with squared loss: the loss,
its derivatives, the gradient flow solution (GFS) and its sharpness in closed
form and in any precision, gradient descent and gradient flow.

Examples
--------
>>> import scalar_eos as se
>>> g = se.gfs([0.5, 3.0])
>>> g.kind
'minimum'
>>> round(se.gfs_sharpness([1.0, 1.0]), 12)
2.0
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from .canonical import Canonical, reduce_data, reduce_input
from .dynamics import Trajectory, gd, gd_step
from .errors import InvalidArgument, PrecisionError, ScalarEOSError
from .flow import gradient_flow
from .gfs import GFS, gfs, gfs_sharpness, psi_min
from .model import grad, hessian, loss, product, sharpness
from .onestep import OneStep, one_step
from .outcome import Outcome, classify, classify_batch

try:
    __version__ = version("scalar-eos")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"

__all__ = [
    "GFS",
    "Canonical",
    "InvalidArgument",
    "OneStep",
    "Outcome",
    "PrecisionError",
    "ScalarEOSError",
    "Trajectory",
    "__version__",
    "classify",
    "classify_batch",
    "gd",
    "gd_step",
    "gfs",
    "gfs_sharpness",
    "grad",
    "gradient_flow",
    "hessian",
    "loss",
    "one_step",
    "product",
    "psi_min",
    "reduce_data",
    "reduce_input",
    "sharpness",
]

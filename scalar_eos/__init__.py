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

import importlib
from typing import Any

from .canonical import Canonical, reduce_data, reduce_input
from .dynamics import Trajectory, gd, gd_step
from .errors import InvalidArgument, PrecisionError, ScalarEOSError
from .flow import gradient_flow
from .gfs import GFS, gfs, gfs_sharpness, psi_min
from .model import grad, hessian, loss, product, sharpness
from .onestep import OneStep, one_step
from .outcome import Outcome, classify, classify_batch

#: Subpackages and modules reachable as attributes (``scalar_eos.claims``), imported on first use so that
#: ``import scalar_eos`` stays fast (no SymPy, matplotlib, pyarrow or Dask at import).
SUBMODULES = (
    "bifurcation",
    "canonical",
    "central",
    "claims",
    "cli",
    "dynamics",
    "edge",
    "errors",
    "fast",
    "flow",
    "generic",
    "latex",
    "model",
    "onestep",
    "orbits",
    "outcome",
    "phase",
    "plots",
    "prove",
    "regimes",
    "search",
    "strategies",
    "sweep",
    "symbolic",
)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("scalar-eos")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0.0.0+unknown"


def __getattr__(name: str) -> Any:
    if name in SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    if name == "__version__":
        globals()["__version__"] = v = _version()
        return v
    raise AttributeError(f"module 'scalar_eos' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__) | set(SUBMODULES))


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

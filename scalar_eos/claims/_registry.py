"""The registry of claims: built-ins first, then the user's own."""

from __future__ import annotations

from ..errors import InvalidArgument
from .claim import Claim

__all__ = ["get", "register", "registry", "sweep_defaults", "unregister"]

_REGISTRY: dict[str, Claim] = {}


def register(claim: Claim, *, replace: bool = False) -> Claim:
    """Add a claim to the registry (``replace=True`` to overwrite an id).

    Examples
    --------
    >>> c = register(Claim("doc-example", "psi < 5", lambda w, eta, y: True, lambda s: s.gfs_before < 5))
    >>> get("doc-example") is c
    True
    >>> unregister("doc-example")
    """
    if not isinstance(claim, Claim):
        raise InvalidArgument(f"register expects a Claim, got {type(claim).__name__}")
    if not claim.id or any(c not in "abcdefghijklmnopqrstuvwxyz0123456789-_" for c in claim.id):
        raise InvalidArgument(f"claim id must be lower-case letters, digits, '-' or '_', got {claim.id!r}")
    if claim.kind not in ("step", "trajectory"):
        raise InvalidArgument(f"claim kind must be 'step' or 'trajectory', got {claim.kind!r}")
    if claim.id in _REGISTRY and not replace:
        raise InvalidArgument(f"a claim with id {claim.id!r} exists; pass replace=True to overwrite it")
    _REGISTRY[claim.id] = claim
    return claim


def unregister(claim_id: str) -> None:
    """Remove a claim from the registry."""
    get(claim_id)
    del _REGISTRY[claim_id]


def get(claim_id: str) -> Claim:
    """The registered claim with this id."""
    try:
        return _REGISTRY[claim_id]
    except KeyError:
        raise InvalidArgument(f"unknown claim {claim_id!r}; known claims: {', '.join(sorted(_REGISTRY))}") from None


def registry() -> list[Claim]:
    """All registered claims, built-ins first."""
    return list(_REGISTRY.values())


def sweep_defaults(kind: str) -> list[str]:
    """Ids of the claims a sweep of this kind checks when its design lists none."""
    return [c.id for c in _REGISTRY.values() if c.kind == kind and c.batch_hypothesis is not None and c.sweep_default]

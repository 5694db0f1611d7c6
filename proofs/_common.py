"""Shared helpers for the proofs in this folder (not a proof itself)."""

from __future__ import annotations

import sympy as sp


class StepFailed(Exception):
    """A checked step did not hold; the message names the step."""


def check_zero(expr, step: str, log: list[str]) -> None:
    """Record ``step`` as checked if ``expr`` simplifies to exactly 0, else fail."""
    items = expr if isinstance(expr, list | tuple) else [expr]
    for e in items:
        if sp.simplify(e) != 0:
            raise StepFailed(f"{step}: expression does not simplify to 0: {e}")
    log.append(f"{step}: simplifies to 0 (checked)")


def check_true(value: bool, step: str, log: list[str]) -> None:
    if value is not True:
        raise StepFailed(f"{step}: not established ({value})")
    log.append(f"{step} (checked)")

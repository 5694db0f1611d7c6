"""Certificate files: header and region checks, box geometry and coverage (see :mod:`scalar_eos.certificate`)."""

from __future__ import annotations

import itertools
import json
from fractions import Fraction
from typing import Any

from ..errors import InvalidArgument

FORMAT = "scalar-eos-certificate/1"

# --------------------------------------------------------------------------- parsing


def _rational(text: Any, what: str) -> Fraction:
    if not isinstance(text, str):
        raise ValueError(f"{what} must be a decimal string, got {text!r}")
    value = Fraction(text)
    return value


def read_header(line: str, source: str) -> dict[str, Any]:
    try:
        head = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InvalidArgument(f"certificate {source}: header is not JSON ({exc})") from None
    if not isinstance(head, dict) or head.get("format") != FORMAT:
        raise InvalidArgument(f"certificate {source}: not a {FORMAT} file")
    from ..claims.step_decrease_s import CLAIM  # the one claim these certificates are about

    if head.get("claim") != CLAIM.id:
        raise InvalidArgument(f"certificate {source}: claim {head.get('claim')!r} is not {CLAIM.id!r}")
    depth = head.get("depth")
    if not isinstance(depth, int) or not 2 <= depth <= 5:
        raise InvalidArgument(f"certificate {source}: depth must be an integer in 2..5, got {depth!r}")
    regions = head.get("regions")
    if not isinstance(regions, list) or not regions:
        raise InvalidArgument(f"certificate {source}: header has no regions")
    parsed = []
    for k, reg in enumerate(regions):
        try:
            low, high = _rational(reg["low"], "low"), _rational(reg["high"], "high")
            ratio_max, kappa = _rational(reg["ratio_max"], "ratio_max"), _rational(reg["eta_psi_max_sq"], "kappa")
            root = [(_rational(a, "root"), _rational(b, "root")) for a, b in reg["root"]]
        except (KeyError, TypeError, ValueError, ZeroDivisionError) as exc:
            raise InvalidArgument(f"certificate {source}: region {k} is malformed ({exc})") from None
        parsed.append({"low": low, "high": high, "ratio_max": ratio_max, "kappa": kappa, "root": root})
    if not isinstance(head.get("boxes"), int):
        raise InvalidArgument(f"certificate {source}: header has no box count")
    head["_parsed"] = parsed
    return head


def region_problem(reg: dict, depth: int) -> str | None:
    """Why a stated region is not a region of the claim (None when it is)."""
    if not 0 < reg["low"] < reg["high"]:
        return "region needs 0 < low < high"
    if reg["root"] != [(reg["low"], reg["high"])] * depth:
        return "region root box is not [low, high]^D"
    if not 0 < reg["ratio_max"] <= 2:
        return "ratio_max must lie in (0, 2] (the hypothesis is 0 < pi/y < 2)"
    if reg["kappa"] != 8:
        return "eta_psi_max_sq must be 8 (the hypothesis eta psi <= 2 sqrt 2)"
    return None


# --------------------------------------------------------------------------- geometry and coverage


def box_from_path(root: list[tuple[Fraction, Fraction]], path: str, depth: int) -> list[tuple[Fraction, Fraction]]:
    box = list(root)
    for ch in path:
        code = int(ch)
        d, half = divmod(code, 2)
        if d >= depth:
            raise ValueError(f"path digit {ch} names dimension {d} >= depth {depth}")
        a, b = box[d]
        mid = (a + b) / 2
        box[d] = (mid, b) if half else (a, mid)
    return box


def coverage_problem(paths: list[str]) -> str | None:
    """None when the paths are the leaves of a complete bisection tree (each node split in one dimension)."""
    if not paths:
        return "no boxes"
    ordered = sorted(paths)
    for a, b in itertools.pairwise(ordered):
        if b.startswith(a):
            return f"path {a!r} is a prefix of (or equal to) {b!r}: boxes overlap"
    split_dim: dict[str, int] = {}
    for p in paths:
        for k, ch in enumerate(p):
            d = int(ch) // 2
            if split_dim.setdefault(p[:k], d) != d:
                return f"the node {p[:k]!r} is split in two different dimensions"
    longest = max(len(p) for p in paths)
    if sum(1 << (longest - len(p)) for p in paths) != 1 << longest:
        return "Kraft sum of the paths is not 1: the boxes leave a gap"
    return None

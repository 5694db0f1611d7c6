r"""Independent re-verification of certificate files for claim ``step-decrease-s``.

A certificate (JSON lines) is written by ``scalar-eos prove NAME --certificate FILE``: a header line stating
the claim, the depth ``D`` and the regions, then one line per box of a bisection tree.  This module re-checks it
with its own code and its own arithmetic (mpmath ``iv`` interval arithmetic and exact rationals; the certifier
uses arb balls):

* **coverage**: every box equals the geometry its bisection path implies from its region's root box (exact
  rationals); the paths of a region are prefix-free, each tree node is split in one dimension, and the Kraft sum
  :math:`\sum 2^{-|path|}` is exactly 1, so the boxes tile the root box;
* **outside** boxes: not sorted anywhere (:math:`w_i < w_{i+1}` on the whole box) or :math:`\pi \ge` the
  region's ``ratio_max`` on the whole box (exact rationals);
* **certified** boxes: with :math:`y = 1`, :math:`s = w^2`, :math:`p_{ij} = s_i s_j`,
  :math:`b = (\eta (\pi - 1) \pi)^2 \le b_{\max} = \kappa (\pi - 1)^2 \pi^2 / \psi^2` (:math:`\kappa` =
  ``eta_psi_max_sq``),

  .. math:: \psi(w) - \psi(\mathrm{GD}(w)) = \sum_{i<j} \frac{(s_i - s_j)^2}{p_{ij}} \int_0^b
            \Big(1 - \frac{\beta}{p_{ij}}\Big) \frac{d\beta}{u_i^2 u_j^2 \Psi}

  with :math:`u = s + \beta/s + c`, :math:`\prod u = 1`, :math:`\Psi = \sum 1/u`.  Either every
  :math:`p_{ij} \ge b_{\max}` on the box, or on each of the box's b-pieces the factor-weighted sum of per-pair
  lower bounds, valid for every b in the piece, is :math:`\ge 0`.

Examples
--------
>>> import json, pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "empty.jsonl"
>>> _ = path.write_text("")
>>> try:
...     verify_certificate(path)
... except InvalidArgument as exc:
...     print(exc)
certificate ...empty.jsonl: empty file
"""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InvalidArgument
from ._boxes import BACKENDS, check_line
from ._format import FORMAT as FORMAT
from ._format import coverage_problem, read_header, region_problem

__all__ = ["CertificateReport", "verify_certificate"]


@dataclass(frozen=True)
class CertificateReport:
    """Outcome of :func:`verify_certificate`.

    Attributes
    ----------
    valid : bool
        Every box re-verified, the boxes tile every stated region, header and lines agree.
    boxes : int
        Box lines read.
    regions : list of dict
        The regions stated in the header.
    first_failure : dict or None
        The first failing check: line number (1 = header), region, path and reason.
    seconds : float
        Wall time of the verification.
    """

    valid: bool
    boxes: int
    regions: list[dict[str, Any]]
    first_failure: dict[str, Any] | None
    seconds: float = 0.0
    depth: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def region(self) -> list[dict[str, Any]]:
        """The regions stated in the header (alias of ``regions``)."""
        return self.regions

    def as_dict(self) -> dict[str, Any]:
        """``{"valid", "boxes", "region", "first_failure"}`` (JSON-ready)."""
        return {"valid": self.valid, "boxes": self.boxes, "region": self.regions, "first_failure": self.first_failure}

    def format_text(self) -> str:
        """A short human-readable summary (first line VALID or INVALID)."""
        rate = self.boxes / self.seconds if self.seconds > 0 else float("inf")
        lines = [
            f"{'VALID' if self.valid else 'INVALID'}: {self.boxes} boxes, depth {self.depth} "
            f"({self.counts.get('certified', 0)} certified, {self.counts.get('outside', 0)} outside checked), "
            f"{self.seconds:.1f} s ({rate:.0f} boxes/s)"
        ]
        lines += [f"  region {k}: {reg.get('set', reg)}" for k, reg in enumerate(self.regions)]
        if self.first_failure is not None:
            f = self.first_failure
            lines.append(
                f"  first failure: line {f.get('line')}, region {f.get('region')}, path {f.get('path')!r}: "
                f"{f.get('reason')}"
            )
        return "\n".join(lines)


# --------------------------------------------------------------------------- public entry


def verify_certificate(
    path: str | Path,
    *,
    arithmetic: str = "mpmath",
    processes: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> CertificateReport:
    """Re-verify a ``step-decrease-s`` certificate file independently of the code that wrote it.

    Parameters
    ----------
    path : str or Path
        The JSON-lines certificate (gzip-compressed when the name ends in ``.gz``).
    arithmetic : {"mpmath", "float"}
        Interval arithmetic for the box checks: mpmath ``iv`` (53-bit, slower) or binary64 intervals rounded
        outward by one ulp after every operation (faster).  Both differ from the certifier's arb balls.
    processes : int
        Worker processes for the box checks (1: in this process).
    progress : callable, optional
        ``progress(done, total)`` after every chunk of boxes.

    Returns
    -------
    CertificateReport
        ``valid`` is False with ``first_failure`` naming the first failing line when a box, the coverage or the
        header does not hold.

    Raises
    ------
    InvalidArgument
        The file cannot be read or is not a well-formed certificate (not JSON, wrong format, missing fields).

    Examples
    --------
    >>> verify_certificate("no-such-file.jsonl")
    Traceback (most recent call last):
    ...
    scalar_eos.errors.InvalidArgument: certificate no-such-file.jsonl: cannot read ([Errno 2] No such file or directory)
    """
    start = time.perf_counter()
    source = str(path)
    if arithmetic not in BACKENDS:
        raise InvalidArgument(f"arithmetic must be one of {sorted(BACKENDS)}, got {arithmetic!r}")
    if not isinstance(processes, int) or processes < 1:
        raise InvalidArgument(f"processes must be a positive integer, got {processes!r}")
    lines = _read_lines(path, source)
    head = read_header(lines[0], source)
    depth, regions = head["depth"], head["_parsed"]
    records = _box_records(lines, source, depth)
    counts = {"certified": 0, "outside": 0}
    failure = _structure_failure(head, records)
    if failure is None:
        failure = _check_boxes(records, regions, depth, arithmetic, processes, counts, progress)
    return CertificateReport(
        valid=failure is None,
        boxes=len(records),
        regions=[{k: v for k, v in r.items() if k != "_parsed"} for r in head["regions"]],
        first_failure=failure,
        seconds=time.perf_counter() - start,
        depth=depth,
        counts=counts,
    )


def _read_lines(path: str | Path, source: str) -> list[str]:
    """The lines of the (possibly gzip-compressed) file; unreadable or empty is an ``InvalidArgument``."""
    try:
        if str(path).endswith(".gz"):
            with gzip.open(path, "rt", encoding="utf-8") as fh:
                lines = fh.read().splitlines()
        else:
            with open(path, encoding="utf-8") as fh:
                lines = fh.read().splitlines()
    except (OSError, UnicodeDecodeError, EOFError) as exc:
        msg = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        errno = f"[Errno {exc.errno}] " if isinstance(exc, OSError) and exc.errno is not None else ""
        raise InvalidArgument(f"certificate {source}: cannot read ({errno}{msg})") from None
    if not lines:
        raise InvalidArgument(f"certificate {source}: empty file")
    return lines


def _box_records(lines: list[str], source: str, depth: int) -> list[tuple[int, dict]]:
    """``(line number, record)`` of every box line; a line that is not a well-formed box is an ``InvalidArgument``."""
    records = []
    for n, line in enumerate(lines[1:], start=2):
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InvalidArgument(f"certificate {source}: line {n} is not JSON ({exc})") from None
        ok = (
            isinstance(rec, dict)
            and isinstance(rec.get("region"), int)
            and isinstance(rec.get("path"), str)
            and all(ch in "0123456789"[: 2 * depth] for ch in rec["path"])
            and isinstance(rec.get("box"), list)
            and len(rec["box"]) == depth
            and all(isinstance(x, list) and len(x) == 2 and all(isinstance(v, str) for v in x) for x in rec["box"])
            and isinstance(rec.get("edges", []), list)
        )
        if not ok:
            raise InvalidArgument(f"certificate {source}: line {n} is not a box record")
        records.append((n, rec))
    return records


def _structure_failure(head: dict, records: list[tuple[int, dict]]) -> dict | None:
    """The first failure of the header's regions, the box count or the tiling of each region (None: all hold)."""
    depth, regions = head["depth"], head["_parsed"]
    for k, reg in enumerate(regions):
        problem = region_problem(reg, depth)
        if problem:
            return {"line": 1, "region": k, "path": None, "reason": problem}
    if head["boxes"] != len(records):
        reason = f"header states {head['boxes']} boxes, file has {len(records)}"
        return {"line": 1, "region": None, "path": None, "reason": reason}
    by_region: dict[int, list[str]] = {k: [] for k in range(len(regions))}
    for n, rec in records:
        if not 0 <= rec["region"] < len(regions):
            return {"line": n, "region": rec["region"], "path": rec["path"], "reason": "unknown region"}
        by_region[rec["region"]].append(rec["path"])
    for k, paths in by_region.items():
        problem = coverage_problem(paths)
        if problem:
            return {"line": None, "region": k, "path": None, "reason": problem}
    return None


def _check_boxes(
    records: list, regions: list, depth: int, arithmetic: str, processes: int, counts: dict, progress: Callable | None
) -> dict | None:
    """Re-check every box (in ``processes`` worker processes when > 1); the first failure or None."""
    jobs = [(rec, regions, depth, arithmetic) for _, rec in records]
    if processes > 1:
        import multiprocessing

        with multiprocessing.get_context("spawn").Pool(processes) as pool:
            results = pool.imap(check_line, jobs, chunksize=64)
            return _first_failure(records, results, counts, progress)
    return _first_failure(records, map(check_line, jobs), counts, progress)


def _first_failure(records: list, results: Any, counts: dict, progress: Callable | None) -> dict | None:
    for done, ((n, rec), reason) in enumerate(zip(records, results, strict=True), start=1):
        if reason is not None:
            return {"line": n, "region": rec["region"], "path": rec["path"], "box": rec["box"], "reason": reason}
        counts[rec["verdict"]] = counts.get(rec["verdict"], 0) + 1
        if progress is not None and done % 500 == 0:
            progress(done, len(records))
    return None

"""Compiled (numba) kernels of the fast path (private; optional ``numba`` extra).

Each kernel performs, row by row, exactly the float64 operations of the NumPy
path (``fast.step_columns``, ``fast.gfs_columns``, :mod:`scalar_eos._classify_numpy`)
in the same order: only ``+ - * /``,
``sqrt``, ``abs``, ``min``/``max`` and comparisons on the polynomial path
(``D <= 8``), all correctly rounded in IEEE arithmetic, and no fused
multiply-add (numba does not contract without ``fastmath``).  So the two
engines agree bit for bit there; the log-domain path of the GFS shift (gaps
``>= 1e30`` or ``D > 8``) and ``hypot`` (``D = 2``) go through the C math
library and may differ from NumPy's by an ulp.  (The classifier's ``D = 2``
closed form calls ``hypot`` in both engines; they agreed bit for bit in every
test so far.)  Rows run in groups (GD: tiles of 256 columns kept in L1; GFS:
32 columns whose Newton iterations run in lockstep, each keeping its own
first accepted iterate) so the CPU overlaps independent dependency chains.

Modules: :mod:`.shared` (compile options, Newton's limits, status codes),
:mod:`.gd` (GD step of one row, blocks of GD steps, prefix/suffix products),
:mod:`.gfs` (GFS sharpness of one row), :mod:`.lockstep` (GFS sharpness of
groups of rows in lockstep); the outcome classifier's kernel is
:mod:`scalar_eos._kernels_classify`.

Importing this package imports numba; the kernels compile on first use and are
cached on disk next to their modules.
"""

from .gd import gd_block, others_row, step_row
from .gfs import gfs_row
from .lockstep import gfs_group, gfs_rows, group_scratch
from .shared import JIT

__all__ = ["JIT", "gd_block", "gfs_group", "gfs_row", "gfs_rows", "group_scratch", "others_row", "step_row"]

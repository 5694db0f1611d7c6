"""Sphinx configuration of the scalar-eos documentation.

Build (warnings are errors)::

    pip install -e ".[docs]"
    sphinx-build -W -b html docs docs/_build/html

The tutorials are the notebooks of ``notebooks/``, copied here at build time
and executed by myst-nb (set ``SCALAR_EOS_DOCS_EXECUTE=off`` to render them
without outputs).  The CLI reference, the claims table and the benchmark
figure are generated from the code while building.
"""

from __future__ import annotations

import os
import shutil
import sys
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))  # document the source tree next to this folder, not another installed copy
sys.path.insert(0, str(HERE / "_ext"))
# notebook kernels are separate processes: let them import the same source tree
os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
os.environ.setdefault("MPLBACKEND", "Agg")

project = "scalar-eos"
author = "scalar-eos developers"
copyright = "scalar-eos developers"
# the version of the source tree being documented (an installed copy may be older)
release = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_nb",
    "scalar_eos_docs",
]

exclude_patterns = ["_build", "**.ipynb_checkpoints", "Thumbs.db", ".DS_Store"]
templates_path = ["_templates"]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}

# --------------------------------------------------------------------------- API reference
autosummary_generate = True
autosummary_imported_members = False
autodoc_default_options = {"members": True, "show-inheritance": True}
autodoc_typehints = "none"  # numpydoc renders the documented types
numpydoc_show_class_members = False  # autosummary lists members; avoids duplicate entries
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_validation_checks: set[str] = set()


def _top_level_api() -> list[str]:
    """Canonical dotted names of what ``import scalar_eos`` exports (linked from the package page)."""
    import scalar_eos

    names = []
    for name in scalar_eos.__all__:
        obj = getattr(scalar_eos, name)
        module = getattr(obj, "__module__", None)
        if module and module.startswith("scalar_eos") and hasattr(obj, "__qualname__"):
            names.append(f"{module}.{obj.__qualname__}")
    return names


autosummary_context = {"top_level": "scalar_eos", "top_level_api": _top_level_api()}

# --------------------------------------------------------------------------- MyST and notebooks
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
myst_dmath_double_inline = True
_execute = os.environ.get("SCALAR_EOS_DOCS_EXECUTE", "cache").lower()
nb_execution_mode = "off" if _execute in ("0", "off", "no", "false") else _execute
nb_execution_timeout = 300  # seconds per cell; each notebook runs in well under a minute
nb_execution_raise_on_error = True  # a failing cell fails the build
nb_execution_show_tb = True
nb_execution_in_temp = True  # files written by a notebook land in a temporary folder, not in docs/
nb_execution_cache_path = str(HERE / "_build" / ".jupyter_cache")
nb_merge_streams = True

# --------------------------------------------------------------------------- HTML
html_theme = "pydata_sphinx_theme"
html_title = f"scalar-eos {release}"
html_static_path: list[str] = []
html_theme_options = {
    "navigation_with_keys": False,
    "navbar_align": "left",
    "show_toc_level": 2,
    "header_links_before_dropdown": 8,
    "secondary_sidebar_items": ["page-toc"],
}
# pages without sub-pages get no (empty) section navigation on the left
html_sidebars = {page: [] for page in ("index", "getting-started", "theory", "claims", "cli", "benchmark", "changelog")}
html_show_sourcelink = False

nitpicky = False
smartquotes = False  # keep '--flag' and quotes exactly as typed (options, code-like prose)
suppress_warnings = ["mystnb.unknown_mime_type"]


def _copy_notebooks() -> None:
    """Copy ``notebooks/*.ipynb`` to ``docs/tutorials/`` (generated, ignored by git)."""
    dest = HERE / "tutorials"
    dest.mkdir(exist_ok=True)
    wanted = {p.name for p in (ROOT / "notebooks").glob("*.ipynb")}
    for old in dest.glob("*.ipynb"):
        if old.name not in wanted:
            old.unlink()
    for src in sorted((ROOT / "notebooks").glob("*.ipynb")):
        target = dest / src.name
        if not target.exists() or target.read_bytes() != src.read_bytes():
            shutil.copyfile(src, target)


_copy_notebooks()

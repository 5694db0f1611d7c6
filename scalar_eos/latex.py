"""Export the depth-D derivation as a standalone LaTeX document.

Every formula in the document is printed from a SymPy object of
:mod:`scalar_eos.symbolic` (``sympy.latex``), and every identity stated as
verified is re-checked (simplified to 0) while the document is generated, so
the text cannot drift from the code.  Long sums are split over lines (``split``,
continuation lines aligned after the equals sign).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import sympy as sp

from . import symbolic as S
from .errors import InvalidArgument, ScalarEOSError

__all__ = ["compile_pdf", "to_latex"]

MAX_LATEX_DEPTH = 8
_WIDTH = 100  # characters of LaTeX source per displayed line (a rough proxy for the printed width)


def _symbol_names(expr: sp.Basic) -> dict[sp.Symbol, str]:
    """LaTeX names: ``x_star`` as ``x^{*}``, word subscripts (``Delta_plus``) upright."""
    names = {}
    for s in expr.free_symbols:
        if not isinstance(s, sp.Symbol) or "_" not in s.name:
            continue
        base, sub = s.name.split("_", 1)
        if sub == "star":
            names[s] = sp.latex(sp.Symbol(base)) + "^{*}"
        elif len(sub) > 1 and sub.isalpha():  # a word as subscript (Delta_plus): upright, not a product of letters
            names[s] = sp.latex(sp.Symbol(base)) + f"_{{\\mathrm{{{sub}}}}}"
    return names


def _tex(expr: sp.Basic) -> str:
    return sp.latex(expr, symbol_names=_symbol_names(expr))


def _equation(lhs: str, rhs: sp.Basic | str, label: str | None = None) -> str:
    """A numbered display; a sum too long for one line is split, continuation lines aligned after ``=``."""
    rhs_tex = rhs if isinstance(rhs, str) else _tex(rhs)
    tag = f"\\label{{{label}}}" if label else ""
    if isinstance(rhs, sp.Add) and len(rhs_tex) + len(lhs) > _WIDTH:
        lines, cur = [], ""
        for k, term in enumerate(sp.Add.make_args(rhs)):
            t = _tex(term)
            piece = t if k == 0 else (f"- {t[1:]}" if t.startswith("-") else f"+ {t}")
            if cur and len(cur) + len(piece) > _WIDTH:
                lines.append(cur)
                cur = piece
            else:
                cur = f"{cur} {piece}".strip()
        lines.append(cur)
        if len(lines) > 1:
            body = f"{lhs} &= {lines[0]}" + "".join(f"\\\\\n  &\\quad {ln}" for ln in lines[1:])
            return f"\\begin{{equation}}{tag}\n\\begin{{split}}\n  {body}\n\\end{{split}}\n\\end{{equation}}\n"
    return f"\\begin{{equation}}{tag}\n  {lhs} = {rhs_tex}\n\\end{{equation}}\n"


def _cases(lhs: str, pw: sp.Piecewise) -> str:
    """A piecewise definition, one branch per line (branch, then its condition)."""
    rows = []
    for k, (expr, cond) in enumerate(pw.args):
        cond_tex = "\\text{otherwise}" if cond is sp.true else f"\\text{{if }} {_tex(cond)}"
        rows.append(f"  {lhs if k == 0 else ''} &= {_tex(expr)} \\notag\\\\\n  &\\qquad {cond_tex}")
    return "\\begin{align}\n" + " \\notag\\\\\n".join(rows) + "\n\\end{align}\n"


def _zero(exprs: list[sp.Expr] | sp.Expr, what: str) -> None:
    items = exprs if isinstance(exprs, list) else [exprs]
    if any(sp.simplify(e) != 0 for e in items):
        raise ScalarEOSError(f"internal check failed while writing the document: {what}")


def to_latex(depth: int, *, progress: bool | None = False) -> str:
    """The derivation for depth ``depth`` as a standalone LaTeX document (amsmath).

    ``progress``: an elapsed-time line on stderr while it is built (depth 4 takes about ten seconds); None shows
    it when a terminal or a notebook watches stderr.

    Examples
    --------
    >>> doc = to_latex(2)
    >>> doc.startswith("\\\\documentclass") and "\\\\end{document}" in doc
    True
    """
    if isinstance(depth, bool) or not isinstance(depth, int) or not 1 <= depth <= MAX_LATEX_DEPTH:
        raise InvalidArgument(f"depth must be an integer in 1..{MAX_LATEX_DEPTH} for the LaTeX export, got {depth!r}")
    from ._progress import Progress

    with Progress(1, f"latex: depth-{depth} derivation", enabled=progress, ticker=True, delay=1.0):
        return _document(depth)


def _document(depth: int) -> str:
    """The whole document: preamble, then one section after another."""
    D = depth
    parts = [_model_section(D), _derivatives_section(D), _dynamics_section(D), _gfs_section(D)]
    if D <= 4:
        parts.append(_closed_form_section(D))
    else:
        parts.append(
            f"For depth {D} the shift solves a polynomial equation of degree {D}; there is no general formula "
            "in radicals, and $\\psi$ is given implicitly by \\eqref{eq:shift} and \\eqref{eq:psi}.\n"
        )
    if D <= 4:
        parts.append(_variation_section(D))
    if D == 2:
        parts.append(_depth_two_section())
    parts.append("\\end{document}\n")
    return "".join(parts)


def _model_section(D: int) -> str:
    """Preamble, title and the model: the product and the loss."""
    return "".join(
        [
            "\\documentclass[11pt]{article}\n\\usepackage[margin=2.5cm]{geometry}\n\\usepackage{amsmath,amssymb}\n"
            "\\allowdisplaybreaks\n\\title{Gradient flow solutions of a depth-" + str(D) + " scalar network}\n"
            "\\author{generated by scalar-eos}\n\\date{}\n\\begin{document}\n\\maketitle\n",
            "Every formula below is printed from a SymPy expression, and every identity "
            "called verified was simplified to zero by SymPy when this document was generated.\n",
            "\\section{Model}\n",
            f"A scalar network of depth ${D}$ with weights $w_1,\\dots,w_{D}$ computes the product\n",
            _equation("\\pi(w)", S.product(D), "eq:pi"),
            "and, on the canonical example $(x, y) = (1, y)$, has the squared loss\n",
            _equation("L(w)", S.loss(D), "eq:loss"),
        ]
    )


def _derivatives_section(D: int) -> str:
    """Gradient (the first three weights) and the Hessian's diagonal and off-diagonal entries."""
    grad = S.gradient(D)
    out = ["\\section{Gradient and Hessian}\nDifferentiating \\eqref{eq:loss} gives, for each weight,\n"]
    for i in range(min(D, 3)):
        out.append(_equation(f"\\frac{{\\partial L}}{{\\partial w_{{{i + 1}}}}}", sp.factor(grad[i])))
    if D > 3:
        out.append("and likewise for the other weights, by symmetry.\n")
    H = S.hessian(D)
    out.append("The Hessian has diagonal and off-diagonal entries\n")
    out.append(_equation("\\frac{\\partial^2 L}{\\partial w_1^2}", sp.factor(H[0, 0])))
    if D > 1:
        out.append(_equation("\\frac{\\partial^2 L}{\\partial w_1 \\partial w_2}", sp.expand(H[0, 1])))
    out.append(
        "so $\\nabla^2 L = \\nabla\\pi\\nabla\\pi^\\top + (\\pi - y)\\nabla^2\\pi$; at a minimiser "
        "($\\pi = y$) it has rank one and its largest eigenvalue is $|\\nabla\\pi|^2$.\n"
    )
    return "".join(out)


def _dynamics_section(D: int) -> str:
    """One GD step, gradient flow and its invariants, the monotone product, and GD on the squares (verified)."""
    ws = S.symbols(D)
    gd = S.gd_map(D)
    out = ["\\section{Gradient descent and gradient flow}\nOne step of gradient descent with step size $\\eta$ maps\n"]
    out.append(_equation("w_1^{+}", sp.factor(gd[0] - ws[0]) + ws[0]))
    out.append("and gradient flow follows $\\dot w = -\\nabla L(w)$.\n")
    if D > 1:
        out.append(_invariant_display(D))
    _zero(S.verify_dpi_dt(D), "d pi / dt")
    grad_pi_sq = sp.Add(*[sp.diff(S.product(D), w) ** 2 for w in ws])
    out.append("The product moves monotonically towards the target (verified):\n")
    out.append(_equation("\\frac{d\\pi}{dt}", "-(\\pi - y)\\,|\\nabla \\pi|^2", "eq:dpi"))
    out.append("with\n")
    out.append(_equation("|\\nabla \\pi|^2", grad_pi_sq))
    _a, squares = S.gd_squares(D)
    _zero(S.verify_gd_squares(D), "GD squares")
    out.append(
        "For gradient descent, with $a = \\eta(\\pi - y)\\pi$, the squares move by a common shift plus a "
        "balancing term (verified by expanding the square of the step):\n"
    )
    out.append(_equation("(w_1^{+})^2", squares[0], "eq:gdsq"))
    return "".join(out)


def _invariant_display(D: int) -> str:
    """The conservation of w_1^2 - w_2^2 along gradient flow, as a verified chain of equalities (D >= 2)."""
    ws = S.symbols(D)
    inv = S.along_flow(ws[0] ** 2 - ws[1] ** 2, D)
    _zero(S.verify_invariants(D), "GF invariants")
    field = S.gf_field(D)
    t1, t2 = sp.factor(2 * ws[0] * field[0]), sp.factor(2 * ws[1] * field[1])
    _zero(sp.expand(t1 - t2 - inv), "invariant display")
    sep = " " if len(_tex(t1)) + len(_tex(t2)) < _WIDTH else "\\\\\n  &\\quad "  # one line if it fits
    return (
        "Along gradient flow the differences of squared weights are conserved (verified):\n"
        "\\begin{equation}\n\\begin{split}\n"
        "  \\frac{d}{dt}\\left(w_1^2 - w_2^2\\right) &= 2 w_1 \\dot w_1 - 2 w_2 \\dot w_2\\\\\n"
        f"  &= {_tex(t1)}{sep}- \\left({_tex(t2)}\\right)\\\\\n  &= 0\n\\end{{split}}\n\\end{{equation}}\n"
    )


def _gfs_section(D: int) -> str:
    """The shift equation, the GFS sharpness, the saddle case and the invisibility of a common shift."""
    y = S.y
    eq, psi = S.gfs_sharpness_implicit(D)
    out = [
        "\\section{The gradient flow solution}\nSince every $w_i^2$ moves by the same shift, gradient flow ends "
        "(when it ends at a minimiser) where $w_i^2 + c^*$ solve\n"
    ]
    out.append(_equation(_tex(eq + y**2), y**2, "eq:shift"))
    out.append(
        "with $c^*$ the unique root in $(-\\min_i w_i^2, \\infty)$, where the left side increases. "
        "The GFS sharpness, the largest Hessian eigenvalue at that minimiser, is\n"
    )
    out.append(_equation("\\psi(w)", psi.subs(S.c, sp.Symbol("c^*")), "eq:psi"))
    out.append(
        "If $\\pi(w)/y < 0$ the weight of smallest magnitude changes sign along the flow; if that magnitude is "
        "attained more than once, gradient flow ends at a saddle instead.\n"
    )
    _zero(S.verify_shift_invisible(D), "shift invariance")
    out.append(
        "Adding the same constant to every square shifts the root of \\eqref{eq:shift} by minus that constant "
        "and leaves $\\psi$ unchanged (verified), so the common shift $-2a$ in \\eqref{eq:gdsq} is invisible to "
        "$\\psi$: one gradient-descent step acts on $\\psi$ only through the balancing terms $a^2/w_i^2$.\n"
    )
    return "".join(out)


def _variation_section(D: int) -> str:
    """The first-order variation of psi in one square (verified; D <= 4)."""
    _zero(S.verify_psi_variation(D), "variation of psi")
    q1 = sp.Symbol("q_1", positive=True)
    p1 = sp.Symbol("p_1")
    P1, P2 = sp.Symbol("P_1"), sp.Symbol("P_2")
    return (
        "\\section{First-order variation}\nWith $q_i = w_i^2$, $p_i = 1/(q_i + c^*)$, $P_1 = \\sum_i p_i$ "
        "and $P_2 = \\sum_i p_i^2$, implicit differentiation of \\eqref{eq:shift} gives (verified)\n"
    ) + _equation(f"\\frac{{\\partial \\psi}}{{\\partial {_tex(q1)}}}", -(S.y**2) * p1 * (p1 - P2 / P1))


def _depth_two_section() -> str:
    """The exact region where one GD step does not increase psi at depth two (verified)."""
    diff, region = S.d2_region()
    _zero(S.verify_d2_region(), "D = 2 region")
    return "".join(
        [
            "\\section{One step at depth two}\nFor $D = 2$, $\\psi^2 = (w_1^2 - w_2^2)^2 + 4y^2$ and the change "
            "of $\\psi^2$ over one gradient-descent step factors as\n",
            _equation("\\psi(w^{+})^2 - \\psi(w)^2", diff),
            "so one step does not increase $\\psi$ exactly on the region\n",
            f"\\begin{{equation}}\n  {_tex(region)}\n\\end{{equation}}\n",
        ]
    )


def _closed_form_section(D: int) -> str:
    cf = S.closed_form(D)
    parts = ["\\section{Closed form}\n"]
    if D <= 2:
        parts.append("The shift and the GFS sharpness are\n")
        parts.append(_equation("c^*", cf.shift))
        parts.append(_equation("\\psi", cf.sharpness))
        return "".join(parts)
    parts.append(
        f"For depth {D} the root is written in radicals through the following chain of definitions, "
        "each a SymPy expression of the previous ones (the branch conditions select the largest real root):\n"
    )
    aliases: dict[sp.Basic, sp.Basic] = {}  # a definition that only renames (p_3 = p) is not printed
    for sym, val in cf.definitions:
        val = val.xreplace(aliases)
        if isinstance(val, sp.Symbol):
            aliases[sym] = val
            continue
        lhs = _tex(sym)
        if isinstance(val, sp.Piecewise):
            parts.append(_cases(lhs, val))
        else:
            parts.append(_equation(lhs, val))
    parts.append("and finally\n")
    parts.append(_equation("\\psi", cf.sharpness.xreplace(aliases)))
    return "".join(parts)


def compile_pdf(tex_path: str | Path) -> Path:
    """Compile a .tex file with pdflatex (twice, for references); returns the PDF path."""
    exe = shutil.which("pdflatex")
    if exe is None:
        raise ScalarEOSError(
            "pdflatex is not installed, so no PDF was made (the .tex file was written); "
            "install it with: apt-get install texlive-latex-base"
        )
    tex_path = Path(tex_path).resolve()
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(2):
            proc = subprocess.run(
                [exe, "-interaction=nonstopmode", "-halt-on-error", f"-output-directory={tmp}", str(tex_path)],
                capture_output=True,
                text=True,
                check=False,
            )
            if proc.returncode != 0:
                tail = " | ".join(proc.stdout.strip().splitlines()[-5:])
                raise ScalarEOSError(f"pdflatex failed on {tex_path.name}: {tail}")
        pdf = tex_path.with_suffix(".pdf")
        shutil.copy(Path(tmp) / (tex_path.stem + ".pdf"), pdf)
        shutil.copy(Path(tmp) / (tex_path.stem + ".log"), tex_path.with_suffix(".log"))
    return pdf

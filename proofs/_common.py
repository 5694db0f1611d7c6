"""Shared helpers for the proofs in this folder (not a proof itself).

Every step of a proof is logged as a dict ``{"text": str, "checked": bool, "how": str}``:

* ``check_zero`` / ``check_equal`` / ``check_true`` record a step the program *established*
  (``checked=True``, ``how`` says by what: "SymPy simplify to 0", "solveset", "interval arithmetic", ...);
  when the fact does not hold they raise :class:`StepFailed` and the proof fails;
* ``argue`` records a step that is a human argument (``checked=False``, ``how="argued"``).

An optional ``"tex"`` entry holds a displayed formula (LaTeX, usually ``sympy.latex`` of the objects that were
checked) for the proofs document.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

Step = dict[str, Any]


class StepFailed(Exception):
    """A checked step did not hold; the message names the step."""


def _record(log: list, text: str, checked: bool, how: str, tex: str | None) -> None:
    entry: Step = {"text": text, "checked": checked, "how": how}
    if tex:
        entry["tex"] = tex
    log.append(entry)


def check_zero(expr, step: str, log: list, how: str = "SymPy simplify to 0", tex: str | None = None) -> None:
    """Record ``step`` as checked if ``expr`` (or every item of a list) simplifies to exactly 0, else fail."""
    items = expr if isinstance(expr, list | tuple) else [expr]
    for e in items:
        if sp.simplify(e) != 0:
            raise StepFailed(f"{step}: expression does not simplify to 0: {e}")
    _record(log, step, True, how, tex)


def check_equal(lhs, rhs, step: str, log: list, how: str = "SymPy simplify to 0", tex: str | None = None) -> None:
    """Record ``step`` as checked if ``lhs - rhs`` simplifies to 0."""
    if sp.simplify(lhs - rhs) != 0:
        raise StepFailed(f"{step}: {lhs} - ({rhs}) does not simplify to 0")
    _record(log, step, True, how, tex)


def check_true(value, step: str, log: list, how: str = "SymPy", tex: str | None = None) -> None:
    """Record ``step`` as checked if ``value`` is exactly ``True`` (a SymPy fact, a set equality, ...)."""
    if value is not True:
        raise StepFailed(f"{step}: not established ({value})")
    _record(log, step, True, how, tex)


def argue(text: str, log: list, why: str = "", tex: str | None = None) -> None:
    """Record a step that is argued in prose, not checked by the program; ``why`` says why it is not checked."""
    _record(log, f"{text} [{why}]" if why else text, False, "argued", tex)


# --------------------------------------------------------------------------- sums over i = 1..D, symbolic D

D_SYM = sp.Symbol("D", integer=True, positive=True)
I_SYM = sp.Symbol("i", integer=True, positive=True)


def linear_sums(expr: sp.Expr) -> sp.Expr:
    """Rewrite every ``Sum`` over indices running 1..D by linearity into products of single-index sums.

    Each summand is expanded; in each product term, factors free of the summation indices are pulled out, and a
    multiple sum whose factors each depend on one index is split into the product of single sums (dummy index
    renamed to ``i``).  A factor that couples two indices raises ``StepFailed`` (not separable).  Only these
    exact rules of finite sums are used, so ``linear_sums(a) - linear_sums(b) == 0`` proves ``a = b`` for every D.
    """

    def one(s: sp.Sum) -> sp.Expr:
        out = sp.S.Zero
        for term in sp.Add.make_args(sp.expand(s.function)):
            coeff, factors = sp.S.One, {}
            for f in sp.Mul.make_args(term):
                idx = [v for v, *_ in s.limits if v in f.free_symbols]
                if not idx:
                    coeff *= f
                elif len(idx) == 1:
                    factors.setdefault(idx[0], []).append(f)
                else:
                    raise StepFailed(f"factor {f} couples two summation indices")
            prod = coeff
            for v, lo, hi in s.limits:
                body = sp.Mul(*factors.get(v, [sp.S.One]))
                prod *= sp.Sum(body.xreplace({v: I_SYM}), (I_SYM, lo, hi))
            out += prod
        return out

    return sp.expand(sp.expand(expr).replace(lambda x: isinstance(x, sp.Sum), one))


def on_index_range(expr: sp.Expr, j: sp.Symbol) -> sp.Expr:
    """Resolve ``Piecewise((e, D >= j), (0, True))`` (from a Kronecker delta summed over 1..D) for 1 <= j <= D."""

    def pick(pw: sp.Piecewise) -> sp.Expr:
        (e, cond), (_, other) = pw.args
        if other is not sp.true or cond not in (D_SYM >= j, j <= D_SYM):
            raise StepFailed(f"unexpected case split {pw}")
        return e

    return expr.replace(lambda x: isinstance(x, sp.Piecewise), pick)


# --------------------------------------------------------------------------- displayed formulas

_LOCAL = {
    "cs": sp.Symbol("c^{*}"),
    "lam": sp.Symbol("lambda"),
    "Psi": sp.Symbol("Psi"),
    "gradpi": sp.Symbol(r"\nabla\pi"),
    "E": sp.Symbol("E"),
    "I": sp.Symbol("I"),
    "S": sp.Symbol("S"),
    "N": sp.Symbol("N"),
    "Q": sp.Symbol("Q"),
}


def formula(*sides: str, rel: str = "=") -> str:
    """LaTeX of ``side_1 rel side_2 rel ...``, each side SymPy source parsed without evaluation.

    >>> formula("Derivative(w_i**2, t)", "-2*(pi - y)*pi")
    '\\\\frac{d}{d t} w_{i}^{2} = - 2 \\\\pi \\\\left(\\\\pi - y\\\\right)'
    """
    from sympy.parsing.sympy_parser import parse_expr

    rel_tex = {"=": "=", "<=": r"\le", ">=": r"\ge", "<": "<", ">": ">"}[rel]
    def drop_unit(e: sp.Basic) -> sp.Basic:  # parse_expr(evaluate=False) writes 1/x as Mul(1, 1/x)
        if isinstance(e, sp.Mul) and sp.S.One in e.args:
            rest = [a for a in e.args if a != 1]
            return rest[0] if len(rest) == 1 else sp.Mul(*rest, evaluate=False)
        return e

    parsed = [parse_expr(s, local_dict=dict(_LOCAL), evaluate=False) for s in sides]
    parts = [sp.latex(e.replace(lambda x: isinstance(x, sp.Mul), drop_unit), order="none") for e in parsed]
    return f" {rel_tex} ".join(parts)

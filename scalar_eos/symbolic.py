"""Symbolic derivations (SymPy) for a depth-D scalar network.

Symbols ``w1..wD`` (weights), ``y`` (target), ``eta`` (step size), ``c``
(common shift), ``t`` (flow time).  Everything here is *derived and checked*:
each ``verify_*`` function returns the simplified difference of two sides,
which must be exactly 0.

Closed forms of the GFS sharpness: with ``q_i = w_i^2`` and
``P(c) = prod_i (q_i + c)``, the shift ``c*`` is the largest real root of
``P(c) = y^2`` and ``psi = y^2 sum_i 1/(q_i + c*) = P'(c*)`` (since
``P(c*) = y^2``).  ``c*`` is written in radicals for D = 2 (quadratic),
D = 3 (Cardano; complex radicals in the three-real-roots case, taking the
principal branch, i.e. Viete's cosine form, which is the largest root) and D = 4 (Ferrari with the
largest root of the resolvent cubic), as :class:`sympy.Piecewise` where the
branch depends on the sign of a discriminant.  For D > 4 there is no general
formula in radicals: :func:`gfs_sharpness_expr` raises, and
:func:`gfs_sharpness_implicit` gives the implicit form.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import sympy as sp

from ._validate import check_int
from .errors import InvalidArgument

__all__ = [
    "ClosedForm",
    "closed_form",
    "d2_region",
    "evaluate_closed_form",
    "gd_map",
    "gd_squares",
    "gf_field",
    "gfs_sharpness_expr",
    "gfs_sharpness_implicit",
    "gradient",
    "hessian",
    "loss",
    "product",
    "psi_variation",
    "symbols",
    "verify_d2_region",
    "verify_dpi_dt",
    "verify_gd_squares",
    "verify_invariants",
    "verify_psi_variation",
    "verify_shift_invisible",
]

y, eta, c, t = sp.symbols("y eta c t", real=True)


def _check_depth(depth: int, *, low: int = 1) -> int:
    depth = check_int(depth, "depth", low)
    if depth > 64:
        raise InvalidArgument(f"symbolic derivations are limited to depth <= 64, got {depth}")
    return depth


@cache
def symbols(depth: int) -> tuple[sp.Symbol, ...]:
    """The weight symbols ``(w1, ..., wD)`` (real)."""
    _check_depth(depth)
    return sp.symbols(f"w1:{depth + 1}", real=True)


def product(depth: int) -> sp.Expr:
    r""":math:`\pi(w) = \prod_i w_i`."""
    return sp.Mul(*symbols(depth))


def loss(depth: int) -> sp.Expr:
    r""":math:`L = \tfrac12(\pi - y)^2`."""
    return (product(depth) - y) ** 2 / 2


def gradient(depth: int) -> sp.Matrix:
    """Gradient of the loss (column vector), by differentiation."""
    L = loss(depth)
    return sp.Matrix([sp.diff(L, w) for w in symbols(depth)])


def hessian(depth: int) -> sp.Matrix:
    """Hessian of the loss, by differentiation."""
    return sp.hessian(loss(depth), symbols(depth))


def gd_map(depth: int) -> sp.Matrix:
    """One GD step ``w - eta grad L``."""
    return sp.Matrix(symbols(depth)) - eta * gradient(depth)


def gf_field(depth: int) -> sp.Matrix:
    """Gradient-flow vector field ``-grad L``."""
    return -gradient(depth)


def along_flow(expr: sp.Expr, depth: int) -> sp.Expr:
    """Time derivative of ``expr(w)`` along gradient flow (chain rule)."""
    field = gf_field(depth)
    return sp.Add(*[sp.diff(expr, w) * f for w, f in zip(symbols(depth), field, strict=True)])


def verify_invariants(depth: int) -> list[sp.Expr]:
    """``d/dt (w_i^2 - w_j^2)`` along GF for all pairs, simplified (all must be 0)."""
    ws = symbols(depth)
    return [sp.simplify(along_flow(ws[i] ** 2 - ws[j] ** 2, depth)) for i in range(depth) for j in range(i + 1, depth)]


def verify_dpi_dt(depth: int) -> sp.Expr:
    r"""``d pi/dt + (pi - y) |grad pi|^2`` along GF, simplified (must be 0)."""
    pi = product(depth)
    grad_pi = [sp.diff(pi, w) for w in symbols(depth)]
    claim = -(pi - y) * sp.Add(*[g**2 for g in grad_pi])
    return sp.simplify(sp.expand(along_flow(pi, depth) - claim))


def gd_squares(depth: int) -> tuple[sp.Symbol, list[sp.Expr]]:
    """``(a, [(w_i^+)^2])`` with ``a = eta (pi - y) pi``: ``w_i^2 - 2a + a^2/w_i^2``."""
    a = sp.Symbol("a", real=True)
    return a, [w**2 - 2 * a + a**2 / w**2 for w in symbols(depth)]


def verify_gd_squares(depth: int) -> list[sp.Expr]:
    """The squares of the GD map minus the closed form (all must simplify to 0)."""
    a, forms = gd_squares(depth)
    a_val = eta * (product(depth) - y) * product(depth)
    step = gd_map(depth)
    return [sp.simplify(sp.expand(step[i] ** 2 - f.subs(a, a_val))) for i, f in enumerate(forms)]


# --------------------------------------------------------------------------- GFS in squares


def _q(depth: int) -> tuple[sp.Symbol, ...]:
    return sp.symbols(f"q1:{depth + 1}", positive=True)


def gfs_sharpness_implicit(depth: int) -> tuple[sp.Expr, sp.Expr]:
    """``(shift equation, psi)``: ``prod(w_i^2 + c) - y^2 = 0`` and ``y^2 sum 1/(w_i^2 + c)``."""
    ws = symbols(_check_depth(depth))
    eq = sp.Mul(*[w**2 + c for w in ws]) - y**2
    psi = y**2 * sp.Add(*[1 / (w**2 + c) for w in ws])
    return eq, psi


def psi_variation(depth: int) -> tuple[sp.Expr, list[sp.Expr]]:
    """First-order variation: ``(d psi/d q_j)`` by implicit differentiation, and THEORY.md's form.

    Returns ``(derived, stated)`` lists; :func:`verify_psi_variation` checks they agree.
    """
    qs = _q(depth)
    cs = sp.Function("cstar")(*qs)
    constraint = sp.Add(*[sp.log(q + cs) for q in qs]) - sp.log(y**2)
    psi = y**2 * sp.Add(*[1 / (q + cs) for q in qs])
    derived, stated = [], []
    p = [1 / (q + c) for q in qs]
    P1, P2 = sp.Add(*p), sp.Add(*[x**2 for x in p])
    for qj, pj in zip(qs, p, strict=True):
        dc = sp.solve(sp.diff(constraint, qj), sp.diff(cs, qj))[0]
        d = sp.diff(psi, qj).subs(sp.diff(cs, qj), dc).subs(cs, c)
        derived.append(d)
        stated.append(-(y**2) * pj * (pj - P2 / P1))
    return derived, stated


def verify_psi_variation(depth: int) -> list[sp.Expr]:
    """``derived - stated`` for every ``q_j`` (all must simplify to 0)."""
    derived, stated = psi_variation(depth)
    return [sp.simplify(sp.together(a - b)) for a, b in zip(derived, stated, strict=True)]


def verify_shift_invisible(depth: int) -> sp.Expr:
    """Shifting all squares by ``s`` shifts the root by ``-s`` and leaves psi unchanged.

    Returns ``P_{q+s}(c - s) - P_q(c)`` (must be 0), which with uniqueness of
    the root gives ``c*(q + s) = c*(q) - s`` and ``psi(q + s) = psi(q)``.
    """
    qs, s = _q(depth), sp.Symbol("s", real=True)
    shifted = sp.Mul(*[(q + s) + (c - s) for q in qs])
    return sp.expand(shifted - sp.Mul(*[q + c for q in qs]))


# --------------------------------------------------------------------------- closed forms


def _largest_root_cubic(
    b2: sp.Expr, b1: sp.Expr, b0: sp.Expr, name: str, *, small_root_form: bool = True
) -> tuple[list, sp.Expr]:
    """Largest real root of ``t^3 + b2 t^2 + b1 t + b0``, as (definitions, expression).

    With ``t = z - b2/3`` the depressed cubic is ``z^3 + p z + r``; ``D = r^2/4 + p^3/27``.

    * ``D >= 0`` (one real root): Cardano's ``z = u + v``, ``v = -p/(3u)``,
      with the real cube root ``u = cbrt(-r/2 - sgn(r) sqrt D)``, the term
      without cancellation (``u = 0`` only for a triple root).  When
      ``p > 0`` the sum ``u + v`` cancels; there ``z = -r/(u^2 + p/3 + v^2)``
      (a quotient of positive terms, from ``u^3 + v^3 = -r``, ``u v = -p/3``)
      and, to avoid the cancellation in ``z - b2/3`` too,
      ``t = -(b0 - b2^3/27 + b2 z^2/3)/(z^2 + p)``.
    * ``D < 0`` (three real roots, so ``p < 0``): Viete's trigonometric form
      ``z = 2 sqrt(-p/3) cos(acos((3r/2p) sqrt(-3/p))/3)``, which equals the
      principal-branch radical ``2 Re((-r/2 + i sqrt(-D))^(1/3))`` and is the
      largest root.
    """
    p_, r_, D_, u_, z_ = sp.symbols(f"p_{name} r_{name} Delta_{name} u_{name} z_{name}", real=True)
    sgn = sp.Piecewise((1, r_ >= 0), (-1, True))
    defs = [
        (p_, b1 - b2**2 / 3),
        (r_, 2 * b2**3 / 27 - b2 * b1 / 3 + b0),
        (D_, r_**2 / 4 + p_**3 / 27),
        # -r/2 - sgn(r) sqrt(D) = -sgn(r) (|r|/2 + sqrt D): a real cube root of a positive base
        (u_, -sgn * (sp.Abs(r_) / 2 + sp.sqrt(sp.Max(D_, 0))) ** sp.Rational(1, 3)),
    ]
    v_ = -p_ / (3 * u_)  # u = 0 only at a triple root, which needs y = 0
    defs.append(
        (
            z_,
            sp.Piecewise(
                (-r_ / (u_**2 + p_ / 3 + v_**2), (D_ >= 0) & (p_ > 0)),
                (u_ + v_, D_ >= 0),
                (2 * sp.sqrt(-p_ / 3) * sp.cos(sp.acos(3 * r_ / (2 * p_) * sp.sqrt(-3 / p_)) / 3), True),
            ),
        )
    )
    if not small_root_form:  # keeps the expanded tree small (used for the quartic's resolvent)
        return defs, z_ - b2 / 3
    t = sp.Piecewise(
        (-(b0 - b2**3 / 27 + b2 * z_**2 / 3) / (z_**2 + p_), (D_ >= 0) & (p_ > 0)),
        (z_ - b2 / 3, True),
    )
    return defs, t


@dataclass(frozen=True)
class ClosedForm:
    """Closed form of ``c*`` and ``psi`` as a chain of named definitions.

    ``definitions`` is an ordered list ``(symbol, expression)``; ``shift`` and
    ``sharpness`` are expressions in those symbols, the weights and ``y``.
    :meth:`expand` substitutes the chain to give expressions in ``w`` and ``y`` only.
    """

    depth: int
    definitions: list[tuple[sp.Symbol, sp.Expr]]
    shift: sp.Expr
    sharpness: sp.Expr

    def expand(self, expr: sp.Expr) -> sp.Expr:
        """Substitute the chain of definitions into ``expr`` (a tree in ``w`` and ``y``)."""
        if self.depth >= 4:
            return _substitute_chain(expr, self.definitions)
        for sym, val in reversed(self.definitions):
            expr = expr.xreplace({sym: val})
        return expr


def _substitute_chain(expr: sp.Basic, definitions: list[tuple[sp.Symbol, sp.Expr]]) -> sp.Basic:
    """Replace defined symbols recursively, rebuilding arithmetic nodes unevaluated (memoised).

    SymPy's automatic canonicalisation of the expanded D = 4 tree takes minutes;
    the chain shares subtrees, so rebuilding without evaluation is immediate.
    """
    table = dict(definitions)
    memo: dict[int, sp.Basic] = {}

    def rebuild(node: sp.Basic) -> sp.Basic:
        key = id(node)
        if key in memo:
            return memo[key]
        if node in table:
            out = rebuild(table[node])
        elif not node.args:
            out = node
        else:
            args = [rebuild(a) for a in node.args]
            if all(a is b for a, b in zip(args, node.args, strict=True)):
                out = node
            elif isinstance(node, sp.Add | sp.Mul | sp.Pow):
                out = node.func(*args, evaluate=False)
            else:
                out = node.func(*args)
        memo[key] = out
        return out

    return rebuild(expr)


@cache
def closed_form(depth: int) -> ClosedForm:
    """The GFS shift and sharpness in radicals, for depth 1 to 4.

    Examples
    --------
    >>> cf = closed_form(2)
    >>> sp.simplify(cf.expand(cf.sharpness) ** 2)
    4*y**2 + (w1**2 - w2**2)**2
    """
    _check_depth(depth)
    if depth > 4:
        raise InvalidArgument(
            f"no closed form in radicals for depth {depth} > 4 (the shift solves a degree-{depth} equation); "
            "use gfs_sharpness_implicit(depth) or the numeric scalar_eos.gfs"
        )
    ws = symbols(depth)
    qs = [w**2 for w in ws]
    defs: list[tuple[sp.Symbol, sp.Expr]] = []
    x = sp.Symbol("x")
    if depth == 1:
        shift = y**2 - qs[0]
        sharpness: sp.Expr = sp.Integer(1)
    elif depth == 2:
        shift = (-(qs[0] + qs[1]) + sp.sqrt((qs[0] - qs[1]) ** 2 + 4 * y**2)) / 2
        sharpness = sp.sqrt((qs[0] - qs[1]) ** 2 + 4 * y**2)
    else:
        # Centre the squares: delta_i = q_i - mean(q), x = c + mean(q).  Then
        # prod(delta_i + x) = y^2 is already depressed, its coefficients are the
        # elementary symmetric polynomials of the deltas (no cancellation near
        # balance), and psi = P'(c*) = d/dx prod(delta_i + x) at the root.
        mean = sp.Symbol("m_q", real=True)
        deltas = sp.symbols(f"delta1:{depth + 1}", real=True)
        defs.append((mean, sp.Add(*qs) / depth))
        defs += [(d, q - mean) for d, q in zip(deltas, qs, strict=True)]
        coeffs = sp.Poly(sp.Mul(*[x + d for d in deltas]), x).all_coeffs()  # [1, 0, e2, e3(, e4)]
        xs = sp.Symbol("x_star", real=True)
        if depth == 3:
            p3, r3 = sp.symbols("p r", real=True)
            defs += [(p3, coeffs[2]), (r3, coeffs[3] - y**2)]
            cubic_defs, root = _largest_root_cubic(sp.Integer(0), p3, r3, "3")
            defs += [*cubic_defs, (xs, root)]
            sharpness = 3 * xs**2 + p3
        else:
            A, B, C = sp.symbols("A B C", real=True)
            defs += [(A, coeffs[2]), (B, coeffs[3]), (C, coeffs[4] - y**2)]
            # resolvent 8T^3 + 8A T^2 + (2A^2 - 8C) T - B^2 = 0: its largest root T > 0 (B != 0)
            res_defs, T_expr = _largest_root_cubic(A, (A**2 - 4 * C) / 4, -(B**2) / 8, "R")
            T, s = sp.symbols("T s", positive=True)
            # s = sqrt(2T) > 0 when B != 0; for B = 0 the biquadratic branch is used and s is
            # set to 1 so that no branch divides by zero when all are evaluated eagerly.
            defs += [*res_defs, (T, T_expr), (s, sp.Piecewise((sp.sqrt(2 * T), sp.Ne(B, 0)), (1, True)))]
            # With the largest resolvent root, x^2 - s x + ... carries the pair of roots with the
            # largest sum, which contains the largest root unless that pair is complex; then the
            # largest root is in x^2 + s x + ... .
            d_plus, d_minus = sp.symbols("Delta_plus Delta_minus", real=True)
            defs += [(d_plus, -2 * T - 2 * A - 2 * B / s), (d_minus, -2 * T - 2 * A + 2 * B / s)]
            # Which factor holds the largest root, decided on rational quantities only: with four real
            # roots (three real resolvent roots, Delta_R < 0) always the first; with two real roots
            # x1 >= x2 and a complex pair, (x1 + x2)|x1 + x3|^2 = -B, so the first iff B < 0.
            delta_R = next(sym for sym, _ in res_defs if sym.name == "Delta_R")
            ferrari = sp.Piecewise(
                ((s + sp.sqrt(d_plus)) / 2, (delta_R < 0) | (B < 0)), ((-s + sp.sqrt(d_minus)) / 2, True)
            )
            biquadratic = sp.sqrt((-A + sp.sqrt(A**2 - 4 * C)) / 2)
            defs.append((xs, sp.Piecewise((biquadratic, sp.Eq(B, 0)), (ferrari, True))))
            sharpness = (4 * xs**2 + 2 * A) * xs + B
        shift = xs - mean
    cs = sp.Symbol("c_star", real=True)
    defs.append((cs, shift))
    return ClosedForm(depth, defs, cs, sharpness)


def evaluate_closed_form(depth: int, w: list, target: object = 1, dps: int = 50) -> sp.Float:
    """Evaluate the closed-form psi exactly along the chain of definitions, then to ``dps`` digits.

    Each definition is substituted with exact rationals in turn (no giant
    tree), so this is the dependable exact evaluation for D = 3, 4.

    Examples
    --------
    >>> evaluate_closed_form(3, ["1", "2", "0.5"], 1, dps=20)
    5.2500000000000000000
    """
    cf = closed_form(depth)
    if len(w) != depth:
        raise InvalidArgument(f"expected {depth} weights, got {len(w)}")
    vals: dict[sp.Symbol, sp.Expr] = {s_: sp.Rational(str(v)) for s_, v in zip(symbols(depth), w, strict=True)}
    vals[y] = sp.Rational(str(target))
    for sym, expr in cf.definitions:
        vals[sym] = expr.xreplace(vals)
    return sp.N(cf.sharpness.xreplace(vals), dps)


def gfs_sharpness_expr(depth: int) -> sp.Expr:
    """GFS sharpness ``psi`` as a SymPy expression in ``w1..wD`` and ``y`` (D <= 4).

    Valid where gradient flow ends at a minimiser (not at a saddle).

    Examples
    --------
    >>> gfs_sharpness_expr(2)
    sqrt(4*y**2 + (w1**2 - w2**2)**2)
    """
    cf = closed_form(depth)
    expr = cf.expand(cf.sharpness)
    if depth <= 2:
        expr = sp.simplify(expr)
    return expr


# --------------------------------------------------------------------------- depth 2: the exact region


def d2_region() -> tuple[sp.Expr, sp.Boolean]:
    """D = 2: ``psi(GD(w))^2 - psi(w)^2`` factored, and the region where it is <= 0.

    From ``(w1^+)^2 - (w2^+)^2 = (w1^2 - w2^2)(1 - eta^2 r^2)`` with
    ``r = pi - y``:  ``psi^+^2 - psi^2 = (w1^2 - w2^2)^2 eta^2 r^2 (eta^2 r^2 - 2)``.

    Examples
    --------
    >>> diff, region = d2_region()
    >>> diff
    eta**2*(w1 - w2)**2*(w1 + w2)**2*(-w1*w2 + y)**2*(eta**2*w1**2*w2**2 - 2*eta**2*w1*w2*y + eta**2*y**2 - 2)
    """
    w1, w2 = symbols(2)
    step = gd_map(2)
    psi2 = (w1**2 - w2**2) ** 2 + 4 * y**2
    psi2_after = (step[0] ** 2 - step[1] ** 2) ** 2 + 4 * y**2
    diff = sp.factor(sp.expand(psi2_after - psi2))
    r = w1 * w2 - y
    region = sp.Or(sp.Eq(w1**2, w2**2), sp.Eq(r, 0), eta**2 * r**2 <= 2)
    return diff, region


def verify_d2_region() -> sp.Expr:
    """The factored form minus the stated one (must be 0)."""
    w1, w2 = symbols(2)
    diff, _ = d2_region()
    r = w1 * w2 - y
    stated = (w1**2 - w2**2) ** 2 * eta**2 * r**2 * (eta**2 * r**2 - 2)
    return sp.expand(diff - stated)

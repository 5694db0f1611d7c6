"""LaTeX for the proofs document: plain-text mathematics to LaTeX, and the document itself.

Proof statements and steps are written in plain text with ASCII mathematics
(``eta |pi - y| <= sqrt 2``, ``w_(1)``, ``x^(2 - 2/D)``).  :func:`text_to_tex`
turns such a sentence into LaTeX: runs of mathematical tokens become inline
formulas (``$\\eta |\\pi - y| \\le \\sqrt{2}$``), words stay text.  Formulas
attached to checked steps are typeset by SymPy and displayed as they are.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["CONVENTION", "document", "math_to_tex", "status_block", "text_to_tex"]

GREEK = {
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "kappa", "lambda", "mu", "nu", "xi",
    "pi", "rho", "sigma", "tau", "phi", "chi", "psi", "omega", "Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi",
    "Sigma", "Phi", "Psi", "Omega",
}  # fmt: skip
FUNCS = {"log", "exp", "min", "max", "det", "sin", "cos", "lim", "sup", "inf", "ln"}
SPECIAL = {
    "sum": r"\sum",
    "prod": r"\prod",
    "int": r"\int",
    "oo": r"\infty",
    "grad": r"\nabla",
    "iff": r"\iff",
    "lam": r"\lambda",
}
_OPS = {"<=": r"\le", ">=": r"\ge", "!=": r"\ne", "->": r"\to", "+-": r"\pm", "-+": r"\mp", "..": r"\ldots"}
_OPS["..."] = r"\ldots"
_ESC_MATH = {"%": r"\%", "&": r"\&", "#": r"\#", "$": r"\$", "~": r"\sim", "\\": r"\backslash", "*": r"\,"}
_LEX = re.compile(r"<=|>=|!=|->|\+-|-\+|\.{2,3}|\d+(?:\.\d+)?e[-+]?\d+|[A-Za-z]+\d*|\d+(?:\.\d+)?|\s+|.")
_MATH_CHARS = set("=<>^_+*/|(){}[]!-")
_TEXT_ESC = {
    "\\": r"\textbackslash{}",
    "_": r"\_",
    "^": r"\^{}",
    "%": r"\%",
    "&": r"\&",
    "#": r"\#",
    "$": r"\$",
    "{": r"\{",
    "}": r"\}",
    "~": r"\~{}",
}


def escape_text(text: str) -> str:
    """Escape LaTeX's special characters in running text (T1 encoding prints ``< > |`` as they are)."""
    return "".join(_TEXT_ESC.get(ch, ch) for ch in text)


def _ident(name: str) -> str:
    m = re.fullmatch(r"([A-Za-z]+?)(\d+)", name)
    if m and m.group(1) not in FUNCS:
        return f"{_ident(m.group(1))}_{{{m.group(2)}}}"
    if name in GREEK:
        return "\\" + name + " "
    if name in SPECIAL:
        return SPECIAL[name] + " "
    if name in FUNCS:
        return ("\\infty " if name == "inf" else "\\" + name + " ") if name != "ln" else r"\ln "
    if len(name) == 1:
        return name
    if name[0] == "d" and (name[1:] in GREEK or len(name) == 2):  # differentials: dt, dbeta
        return r"\mathrm{d}" + _ident(name[1:])
    if name[0].islower() and len(name) <= 3 and not name.islower():  # yQ: a product of one-letter symbols
        return " ".join(name)
    return rf"\mathrm{{{name}}}"


def _matching(tokens: list[str], start: int, open_: str, close: str) -> int | None:
    depth = 0
    for k in range(start, len(tokens)):
        depth += tokens[k] == open_
        depth -= tokens[k] == close
        if depth == 0:
            return k
    return None


def _convert(tokens: list[str]) -> str:
    out: list[str] = []
    k = 0
    while k < len(tokens):
        tok = tokens[k]
        nxt = tokens[k + 1] if k + 1 < len(tokens) else ""
        if tok in ("^", "_") and nxt:
            if nxt in ("(", "{"):
                end = _matching(tokens, k + 1, nxt, ")" if nxt == "(" else "}")
                if end is not None:
                    inner = _convert(tokens[k + 2 : end])
                    out.append(f"{tok}{{({inner})}}" if tok == "_" and nxt == "(" else f"{tok}{{{inner}}}")
                    k = end + 1
                    continue
            if nxt in ("-", "+") and k + 2 < len(tokens) and re.fullmatch(r"[A-Za-z0-9]+", tokens[k + 2]):
                out.append(f"{tok}{{{nxt}{_convert([tokens[k + 2]])}}}")
                k += 3
                continue
            if re.fullmatch(r"[A-Za-z0-9]+|[+*-]", nxt):
                body = nxt if (len(nxt) <= 3 and nxt not in GREEK | FUNCS | set(SPECIAL)) else _ident(nxt).strip()
                out.append(f"{tok}{{{body}}}")
                k += 2
                continue
        if tok == "sqrt":
            j = k + 1
            while j < len(tokens) and tokens[j].isspace():
                j += 1
            if j < len(tokens) and tokens[j] == "(":
                end = _matching(tokens, j, "(", ")")
                if end is not None:
                    out.append(rf"\sqrt{{{_convert(tokens[j + 1 : end])}}}")
                    k = end + 1
                    continue
            if j < len(tokens) and re.fullmatch(r"[A-Za-z0-9.]+", tokens[j]):
                out.append(rf"\sqrt{{{_convert([tokens[j]])}}}")
                k = j + 1
                continue
            out.append(r"\sqrt{\,}")
            k += 1
            continue
        after_ident = k and re.fullmatch(r"[A-Za-z]+\d*", tokens[k - 1])
        if tok == "*" and after_ident and not re.fullmatch(r"[A-Za-z0-9(]+", nxt):
            out.append("^{*}")  # c*: the root
        elif tok in _OPS:
            out.append(_OPS[tok] + " ")
        elif tok in _ESC_MATH:
            out.append(_ESC_MATH[tok] + ("" if tok == "*" else " "))
        elif m := re.fullmatch(r"(\d+(?:\.\d+)?)e([-+]?\d+)", tok):  # 2.97e-05
            out.append(rf"{m.group(1)} \times 10^{{{int(m.group(2))}}}")
        elif re.fullmatch(r"[A-Za-z]+\d*", tok):
            out.append(_ident(tok))
        elif tok.isspace():
            out.append(" ")
        else:
            out.append(tok)
        k += 1
    return "".join(out)


def math_to_tex(span: str) -> str:
    """ASCII mathematics to LaTeX math-mode content.

    Examples
    --------
    >>> math_to_tex("eta |pi - y| <= sqrt 2")
    '\\\\eta  |\\\\pi  - y| \\\\le  \\\\sqrt{2}'
    >>> math_to_tex("x^(2 - 2/D)")
    'x^{2 - 2/D}'
    """
    return _convert(_LEX.findall(span))


def _is_math(core: str, prev: str, nxt: str) -> bool:
    if not core:
        return False
    if core == "a":  # the article, unless it stands next to an operator
        return nxt in {"=", "<=", ">=", "<", ">", "+", "-", "*", "/"} or prev in {"=", "<=", ">=", "+", "-", "*"}
    if re.fullmatch(r"[A-Za-z0-9]+(-[A-Za-z0-9]+)+", core) and re.search(r"[A-Za-z]{3}", core):
        return False  # hyphenated words, proof names (d2-region)
    if _is_code(core):
        return False
    if re.fullmatch(r"[A-Za-z]+", core):
        # sum, prod, int, iff, grad alone are words ("a sum of terms"); sum_i, |grad pi| are mathematics
        return len(core) == 1 or core in GREEK | FUNCS | {"oo", "lam", "sqrt"} or (core[0] == "d" and core[1:] in GREEK)
    if core == "-":  # a minus sign, or a dash before words ("psi(w) - certified for ...")
        return _is_math(nxt, core, "") and nxt != "-"
    return bool(set(core) & _MATH_CHARS) or any(ch.isdigit() for ch in core) or core in _OPS


def _is_code(core: str) -> bool:
    """A program identifier such as kind_after or smallest_margin (typeset in typewriter)."""
    m = re.fullmatch(r"([a-z]{3,})(_[a-z]{2,})+", core)
    return bool(m) and m.group(1) not in GREEK | FUNCS | set(SPECIAL)


def _balance(span: str) -> tuple[str, str, str]:
    """Move unmatched leading '(' and trailing ')' / punctuation out of a math span."""
    pre = post = ""
    while span.startswith("(") and span.count("(") > span.count(")"):
        pre, span = pre + "(", span[1:]
    m = re.search(r"[,;:.]+$", span)
    if m and not span.endswith(".."):
        post, span = m.group(0), span[: m.start()]
    while span.endswith(")") and span.count(")") > span.count("("):
        post, span = ")" + post, span[:-1]
    return pre, span, post


def text_to_tex(text: str) -> str:
    """A sentence with ASCII mathematics as LaTeX: math runs inline (``$...$``), words as escaped text.

    Examples
    --------
    >>> text_to_tex("one step does not increase psi iff eta |pi - y| <= sqrt 2.")
    'one step does not increase $\\\\psi $ iff $\\\\eta  |\\\\pi  - y| \\\\le  \\\\sqrt{2}$.'
    """
    words = text.split(" ")
    cores = [w if re.fullmatch(r"\.{2,3}", w) else re.sub(r"[,;:.)\]]+$", "", re.sub(r"^[(\[]+", "", w)) for w in words]
    kinds = []
    for k, core in enumerate(cores):
        prev = cores[k - 1] if k else ""
        nxt = cores[k + 1] if k + 1 < len(cores) else ""
        kinds.append(_is_math(core, prev, nxt))
    out: list[str] = []
    k = 0
    while k < len(words):
        if not kinds[k]:
            core = cores[k]
            if core == "-":
                out.append("--")
                k += 1
                continue
            if _is_code(core):
                pre, post = words[k].split(core, 1)
                out.append(f"{escape_text(pre)}\\texttt{{{escape_text(core)}}}{escape_text(post)}")
            else:
                out.append(escape_text(words[k]))
            k += 1
            continue
        j, depth = k, 0
        while j < len(words) and kinds[j]:
            depth += sum(words[j].count(ch) for ch in "([{") - sum(words[j].count(ch) for ch in ")]}")
            j += 1
            if depth <= 0 and re.search(r"[,;:]$", words[j - 1]):  # a clause ends: close the formula
                break
        pre, span, post = _balance(" ".join(words[k:j]))
        tex = math_to_tex(span)
        ok = tex.count("{") == tex.count("}") and bool(span.strip())
        out.append(escape_text(pre) + (f"${tex}$" if ok else escape_text(span)) + escape_text(post))
        k = j
    return " ".join(out)


# --------------------------------------------------------------------------- the document

PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage[T1]{fontenc}
\usepackage{lmodern}
\usepackage[a4paper,left=2.5cm,right=4.2cm,top=2.5cm,bottom=2.5cm,marginparwidth=3.1cm,marginparsep=0.4cm]{geometry}
\usepackage{amsmath,amssymb,amsthm}
\usepackage{booktabs}
\usepackage{xcolor}
\newtheorem{lemma}{Lemma}
\newtheorem{theorem}[lemma]{Theorem}
\theoremstyle{definition}
\newtheorem*{convention}{Convention}
\newcommand{\checkedtag}[1]{\marginpar{\raggedright\scriptsize\sffamily\color{black!65}checked:\\ #1}}
\newcommand{\arguedtag}[1]{\marginpar{\raggedright\fbox{\sffamily\bfseries\small argued}\\[2pt]\scriptsize #1}}
\setlength{\emergencystretch}{3em}
\raggedbottom
\title{Machine-checked lemmas on one gradient-descent step\\ for scalar networks}
\date{}
\begin{document}
\maketitle
"""


def _step_tex(step: dict[str, Any]) -> str:
    text = step["text"]
    why = ""
    m = re.search(r" \[([^\[\]]*)\]$", text)
    if not step["checked"] and m:  # argue(..., why=...) appends [why]
        text, why = text[: m.start()], m.group(1)
    elif not step["checked"]:  # how = "argued (reason)"
        why = re.sub(r"^\((.*?)\)", r"\1", step["how"].removeprefix("argued").strip(" :"))
    body = text_to_tex(text)
    tag = rf"\checkedtag{{{escape_text(step['how'])}}}" if step["checked"] else rf"\arguedtag{{{escape_text(why)}}}"
    display = f"\n  \\[ {step['tex']} \\]" if step.get("tex") else ""
    return f"  \\item {tag}{body}{display}\n"


_REGION_COLUMNS = (
    (("set", "region"), "region"),
    (("boxes",), "boxes"),
    (("certified",), "certified"),
    (("outside",), "outside"),
    (("compensated",), "compensated"),
    (("smallest_margin", "margin"), "min pair bound"),
    (("seconds", "time"), "s"),
)


def _cell(value: Any) -> str:
    if value is None:
        return "--"
    if isinstance(value, float):
        return f"{value:.3g}"
    return text_to_tex(str(value))


def _regions_table(regions: list[dict[str, Any]]) -> str:
    cols = [(keys, head) for keys, head in _REGION_COLUMNS if any(k in r for r in regions for k in keys)]
    if not cols:
        return ""
    rows = []
    for r in regions:
        cells = []
        for keys, _ in cols:
            val = next((r[k] for k in keys if k in r), None)
            if keys[0] == "set" and val is None and {"low", "high"} <= set(r):
                val = f"[{r['low']}, {r['high']}]^D, pi/y < {r.get('ratio_max', 2)}"
            cells.append(_cell(val))
        rows.append(" & ".join(cells) + r" \\")
    spec = "p{4.6cm}" + "r" * (len(cols) - 1)
    head = " & ".join(h for _, h in cols) + r" \\"
    return (
        "\\begin{center}\\small\n\\begin{tabular}{" + spec + "}\n\\toprule\n" + head + "\n\\midrule\n"
        + "\n".join(rows) + "\n\\bottomrule\n\\end{tabular}\n\\end{center}\n"
        + ("\\noindent{\\small \\emph{min pair bound}: the smallest certified lower bound of one pair's "
           "$G_{ij}(b)/b$; it is negative where other pairs' positive terms compensate on the same $b$-piece, "
           "which the sound rule allows (the sum is bounded below by 0 on every piece).}\n"
           if any("smallest_margin" in r or "margin" in r for r in regions) else "")
    )  # fmt: skip


CONVENTION = (
    "psi(w) denotes y^2 sum_i 1/(w_i^2 + c*), with c* the root of prod_i (w_i^2 + c) = y^2 in "
    "(-min_i w_i^2, oo): a function of the squares w_i^2 only. When gradient flow from w ends at a minimiser it is "
    "the sharpness there (the GFS sharpness). When the flow ends at a saddle (pi(w)/y < 0 with the smallest "
    "magnitude attained twice, or two weights already 0) the sharpness at the end of the flow is the saddle's top "
    "Hessian eigenvalue |y| prod_{k>=3} |s_k| (lemma gfs-characterisation), and psi(w) is not a sharpness at all. "
    "The lemmas and the claims below are statements about psi as this function of the squares, also at such "
    "points: a step from w to a saddle landing GD(w) compares psi(GD(w)) with psi(w) by the formula, and the "
    "package reports such a step with kind_after = saddle next to the value."
)


def status_block(statuses: dict[str, str]) -> str:
    """LaTeX: the convention on psi and a table of the claims' status (derived from the proof verdicts)."""
    rows = "\n".join(f"\\texttt{{{escape_text(c)}}} & {text_to_tex(s)} \\\\" for c, s in statuses.items())
    return (
        f"\\begin{{convention}}[saddle landings]\n{text_to_tex(CONVENTION)}\n\\end{{convention}}\n"
        "\\paragraph{Status of the claims.} Derived from the verdicts below (never typed by hand).\n"
        "\\begin{center}\\small\n\\begin{tabular}{lp{9.4cm}}\n\\toprule\nclaim & status \\\\\n\\midrule\n"
        + rows
        + "\n\\bottomrule\n\\end{tabular}\n\\end{center}\n"
    )


def document(results: list[dict[str, Any]], *, notation: list[tuple[str, str]], status: str = "") -> str:
    """The whole LaTeX document for the proof results (steps already normalised).

    ``notation`` is a list of (sentence, displayed formula) pairs for the introduction; ``status`` is a LaTeX
    block (the status of each claim) placed after the introduction.
    """
    n_checked = sum(r["checked_steps"] for r in results)
    n_argued = sum(r["argued_steps"] for r in results)
    parts = [PREAMBLE, "\\section*{Introduction}\n"]
    parts.append(
        "This appendix lists the lemmas about one step of gradient descent (GD) on a scalar network that the "
        "programs in \\texttt{proofs/} establish, each with its proof as a list of steps. Every step carries a tag "
        "in the margin: \\emph{checked} steps were established by the program when this document was generated "
        "(an exact identity that SymPy simplified to zero, a set computed by \\texttt{solveset}, a sign fact, a "
        "limit, or a bound in rigorous interval arithmetic), and the tag says how; \\emph{argued} steps, framed "
        "in bold, are human reasoning that the program does not check. "
        f"Of the {n_checked + n_argued} steps below, \\textbf{{{n_checked} are checked}} and "
        f"\\textbf{{{n_argued} are argued}}. A statement ``for every $D$'' is checked either with symbolic sums "
        "over $i = 1, \\ldots, D$ or with the product of the other weights as one symbol (which is how a formula "
        "for one or two weights holds at any depth); explicit small depths are cross-checks.\n"
    )
    parts.append("\n\\paragraph{Notation.}\n")
    for sentence, formula in notation:
        parts.append(f"{text_to_tex(sentence)}\n\\[ {formula} \\]\n")
    parts.append(
        "\\begin{center}\\small\n\\begin{tabular}{lllrrr}\n\\toprule\nlemma & name & verdict & checked & argued & "
        "time (s) \\\\\n\\midrule\n"
    )
    for k, r in enumerate(results, 1):
        parts.append(
            f"{k} & \\texttt{{{escape_text(r['name'])}}} & {r['verdict']} & {r['checked_steps']} & "
            f"{r['argued_steps']} & {r['seconds']:.1f} \\\\\n"
        )
    parts.append("\\bottomrule\n\\end{tabular}\n\\end{center}\n")
    if status:
        parts.append(status)
    for r in results:
        env = "theorem" if r["verdict"] == "CERTIFIED" else "lemma"
        parts.append(f"\n\\begin{{{env}}}[\\texttt{{{escape_text(r['name'])}}}]\n{text_to_tex(r['statement'])}\n")
        parts.append(f"\\end{{{env}}}\n")
        parts.append(
            f"\\noindent\\textsc{{{r['verdict'].lower()}}} in {r['seconds']:.1f} s "
            f"({r['checked_steps']} checked, {r['argued_steps']} argued): {text_to_tex(r['details'])}.\n"
        )
        if r.get("regions"):
            parts.append(_regions_table(r["regions"]))
        if r["steps"]:
            parts.append("\\begin{proof}\\leavevmode\n\\begin{enumerate}\n")
            parts += [_step_tex(s) for s in r["steps"]]
            parts.append("\\end{enumerate}\n\\end{proof}\n")
    parts.append("\\end{document}\n")
    return "".join(parts)

"""Sphinx directives that generate pages of the scalar-eos documentation from the code.

``scalar-eos-cli``
    The command-line reference, walked from ``scalar_eos.cli.build_parser()``:
    one section per subcommand with its usage line, description and a table of
    its arguments (flags, required or default, help).  Nothing is typed by hand,
    so the page cannot drift from the parser.
``scalar-eos-claims``
    The registered claims (``scalar_eos.claims.registry()``) with kind, status,
    statement and source, as the installed code reports them.
``scalar-eos-speed``
    The speed targets (``scalar_eos.speed``): measured at build time with the
    quick sizes of ``scalar-eos plot benchmark --quick``, or read from the
    record named by ``$SCALAR_EOS_BENCHMARK_RECORD`` (written by
    ``benchmarks/run_all.py --json``); the figure of ``scalar-eos plot
    benchmark`` and the table of speed-ups, with the machine.
``scalar-eos-benchmark``
    Measures the fast path against its per-point baselines at build time (the
    quick sizes of ``scalar-eos plot benchmark --per-point --quick``), saves
    the figure next to the page and shows it with the measured numbers.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

# --------------------------------------------------------------------------- node helpers
#
# The directives build docutils nodes directly (not reST text), so they work the same in MyST
# Markdown and in reStructuredText pages.


def _text(text: str) -> str:
    return " ".join(str(text).split())


def _para(*parts: nodes.Node | str) -> nodes.paragraph:
    para = nodes.paragraph()
    for part in parts:
        para += nodes.Text(part) if isinstance(part, str) else part
    return para


def _code(text: str) -> nodes.literal:
    return nodes.literal(text=_text(text))


def _table(header: list[str], rows: list[list[nodes.Node | str]], widths: list[int]) -> nodes.table:
    table = nodes.table(classes=["scalar-eos-table"])
    group = nodes.tgroup(cols=len(header))
    table += group
    for w in widths:
        group += nodes.colspec(colwidth=w)

    def row(cells: list[nodes.Node | str]) -> nodes.row:
        r = nodes.row()
        for cell in cells:
            entry = nodes.entry()
            entry += cell if isinstance(cell, nodes.paragraph) else _para(cell if cell != "" else "")
            r += entry
        return r

    head = nodes.thead()
    head += row(list(header))
    group += head
    body = nodes.tbody()
    for cells in rows:
        body += row(cells)
    group += body
    return table


def _section(directive: SphinxDirective, title: str) -> nodes.section:
    section = nodes.section(ids=[nodes.make_id(title)], names=[nodes.fully_normalize_name(title)])
    section += nodes.title(text=title)
    directive.state.document.note_implicit_target(section, section)
    return section


# --------------------------------------------------------------------------- CLI reference


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, tuple[str, argparse.ArgumentParser]]:
    """Subcommand name -> (one-line help, parser), in the order they were added."""
    out: dict[str, tuple[str, argparse.ArgumentParser]] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help or "" for a in action._choices_actions}
            for name, sub in action.choices.items():
                out[name] = (helps.get(name, ""), sub)
    return out


def _argument_rows(parser: argparse.ArgumentParser) -> list[list[nodes.Node | str]]:
    """One row per argument: its spelling, whether it is required (or its default), its help."""
    rows: list[list[nodes.Node | str]] = []
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction | argparse._SubParsersAction | argparse._VersionAction):
            continue
        if action.option_strings:
            names = ", ".join(action.option_strings)
            if action.nargs != 0:
                names += " " + (action.metavar or action.dest.upper())
        else:
            names = action.metavar or action.dest
        if action.choices is not None:
            names += " {" + ",".join(str(c) for c in action.choices) + "}"
        need: nodes.Node | str
        if not action.option_strings:  # positional
            need = "optional" if action.nargs in ("*", "?") else nodes.strong(text="required")
        elif action.required:
            need = nodes.strong(text="required")
        elif action.nargs == 0:
            need = "flag"
        elif action.default is None or action.default is argparse.SUPPRESS:
            need = "optional"
        else:
            need = _para("default ", _code(str(action.default)))
        text = action.help or ""
        try:  # argparse's own expansion: "%%" -> "%", "%(default)s" -> the default
            text = text % {**vars(action), "prog": parser.prog}
        except (KeyError, TypeError, ValueError):
            pass
        rows.append([_para(_code(names)), need if isinstance(need, nodes.paragraph) else _para(need), _text(text)])
    return rows


def _usage(parser: argparse.ArgumentParser) -> nodes.literal_block:
    text = parser.format_usage().strip()
    block = nodes.literal_block(text, text)
    block["language"] = "text"
    return block


class CliDirective(SphinxDirective):
    """``scalar-eos-cli`` - the command-line reference walked from the argparse parser."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        from scalar_eos.cli import build_parser

        parser = build_parser()
        commands = _subcommands(parser)
        out: list[nodes.Node] = [
            _para(
                "Generated from ",
                _code("scalar_eos.cli.build_parser()"),
                " when these pages were built; ",
                _code("scalar-eos COMMAND --help"),
                " prints the same information.",
            ),
            _usage(parser),
            _table(
                ["command", "what it does"],
                [[_para(_code(f"scalar-eos {name}")), _text(short)] for name, (short, _) in commands.items()],
                [30, 70],
            ),
        ]
        rows = _argument_rows(parser)
        if rows:
            out.append(_table(["argument", "", "meaning"], rows, [30, 15, 55]))
        for name, (short, sub) in commands.items():
            out.append(self._command_section(f"scalar-eos {name}", short, sub))
        return out

    def _command_section(self, title: str, short: str, sub: argparse.ArgumentParser) -> nodes.section:
        """A section for one (sub)command; nested subcommands (``plot KIND``) get their own sections inside."""
        section = _section(self, title)
        if short:
            short = _text(short)
            section += _para(short[0].upper() + short[1:] + ("" if short.endswith(".") else "."))
        if sub.description and _text(sub.description) != _text(short):
            section += _para(_text(sub.description))
        section += _usage(sub)
        rows = _argument_rows(sub)
        if rows:
            section += _table(["argument", "", "meaning"], rows, [30, 15, 55])
        if sub.epilog:
            section += _para(_text(sub.epilog))
        for name, (child_short, child) in _subcommands(sub).items():
            section += self._command_section(f"{title} {name}", child_short, child)
        return section


# --------------------------------------------------------------------------- claims


def _statuses() -> dict[str, str]:
    """Claim id -> status as ``scalar-eos claims`` prints it (derived from the recorded proof verdicts)."""
    try:
        from scalar_eos.status import claim_statuses
    except ImportError:  # a version without recorded verdicts: the registry's own status
        return {}
    return claim_statuses()


class ClaimsDirective(SphinxDirective):
    """``scalar-eos-claims`` - the claim registry with statuses."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        from scalar_eos import claims

        status = _statuses()
        rows: list[list[nodes.Node | str]] = [
            [_para(_code(c.id)), c.kind, _text(status.get(c.id, c.status)), _text(c.statement), _text(c.source)]
            for c in claims.registry()
        ]
        return [_table(["claim", "kind", "status", "statement", "source"], rows, [16, 9, 20, 37, 18])]


# --------------------------------------------------------------------------- benchmark figure


class SpeedDirective(SphinxDirective):
    """``scalar-eos-speed`` - the speed targets: figure and table (measured now, or a record from a full run)."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        from scalar_eos import plots, speed

        out_dir = Path(self.env.srcdir) / "_generated"
        out_dir.mkdir(exist_ok=True)
        source = os.environ.get("SCALAR_EOS_BENCHMARK_RECORD")
        if source:
            record = speed.load_record(source)
            how = f"from the record {Path(source).name} (a full run of benchmarks/run_all.py)"
        else:
            start = time.perf_counter()
            record = speed.measure(quick=True, progress=False)
            how = f"while these pages were built (quick sizes, {time.perf_counter() - start:.0f} s)"
        plots.plot_speed(record, str(out_dir / "speed.png"))
        m = record.get("machine") or {}
        rows: list[list[nodes.Node | str]] = []
        for line in speed.markdown_table(record).splitlines()[2:]:
            if line.startswith("|"):
                rows.append([_text(cell) for cell in line.strip("|").split(" | ")])
        image = nodes.image(
            uri="/_generated/speed.png",
            alt="speed-up of each implementation over the plain NumPy reference, one panel per target",
            width="100%",
        )
        return [
            _para(
                f"Measured {how} on {m.get('cpu', 'an unknown CPU')} ({m.get('cores', '?')} cores, numpy "
                f"{m.get('numpy', '?')}, numba {m.get('numba', '?')}); CPU seconds of the benchmark process, "
                f"median of {record.get('reps', '?')} interleaved runs; load average {m.get('load', '?')}."
            ),
            image,
            _table(["target", "baseline", "new", "speed-up", "issue target", "met?"], rows, [20, 18, 18, 24, 12, 8]),
        ]


class BenchmarkDirective(SphinxDirective):
    """``scalar-eos-benchmark`` - measure the per-point baselines (quick sizes) and show the figure and the numbers."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        from scalar_eos import plots
        from scalar_eos.benchmark import measure

        out_dir = Path(self.env.srcdir) / "_generated"
        out_dir.mkdir(exist_ok=True)
        figure = out_dir / "benchmark.png"
        start = time.perf_counter()
        rows = measure(n_fast=20_000, n_mp=30, n_ivp=3)  # the sizes of `scalar-eos plot benchmark --per-point --quick`
        seconds = time.perf_counter() - start
        plots.plot_benchmark(rows, str(figure))
        table: list[list[nodes.Node | str]] = []
        for r in rows:
            ivp = f"{r['ratio_solve_ivp']:.3g}x" if "ratio_solve_ivp" in r else "skipped (no SciPy)"
            table.append(
                [str(r["depth"]), f"{r['fast']:.3g}", f"{r['ratio_mpmath']:.3g}x", f"{r['err_mpmath']:.1e}", ivp]
            )
        image = nodes.image(
            uri="/_generated/benchmark.png",
            alt="points per second of the fast path and its speed-up over the baselines, by depth",
            width="90%",
        )
        return [
            _para(
                f"Measured while these pages were built ({platform.machine()}, Python "
                f"{platform.python_version()}, {seconds:.0f} s of measurement, quick sample sizes)."
            ),
            image,
            _table(
                [
                    "depth D",
                    "fast path (points/s)",
                    "vs mpmath (30 digits)",
                    "max rel. error vs mpmath",
                    "vs solve_ivp",
                ],
                table,
                [10, 20, 20, 25, 25],
            ),
        ]


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("scalar-eos-cli", CliDirective)
    app.add_directive("scalar-eos-claims", ClaimsDirective)
    app.add_directive("scalar-eos-speed", SpeedDirective)
    app.add_directive("scalar-eos-benchmark", BenchmarkDirective)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}

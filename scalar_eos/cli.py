"""Command-line interface: ``scalar-eos COMMAND ...`` (also ``python -m scalar_eos``).

Every error the package raises on purpose (and every malformed argument) is
reported as one line on stderr with exit status 2; a traceback is a bug.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from . import __version__
from ._format import json_number, text_number
from .errors import InvalidArgument, ScalarEOSError

__all__ = ["main"]

EXIT_USAGE = 2

# Options whose value may legitimately start with "-" (negative numbers).
_VALUE_OPTIONS = ("--weights", "-w", "--target", "--eta", "--scale")


class _Parser(argparse.ArgumentParser):
    """ArgumentParser whose errors are one line on stderr, exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see --help)\n")


def _join_negative_values(argv: list[str]) -> list[str]:
    """Turn ``--weights -1,2`` into ``--weights=-1,2`` so argparse accepts it."""
    out: list[str] = []
    i = 0
    while i < len(argv):
        tok = argv[i]
        if (
            tok in _VALUE_OPTIONS
            and i + 1 < len(argv)
            and argv[i + 1].startswith("-")
            and argv[i + 1][1:2] in "0123456789."
        ):
            out.append(f"{tok}={argv[i + 1]}")
            i += 2
            continue
        out.append(tok)
        i += 1
    return out


def parse_number(text: str, dps: int | None, name: str) -> Any:
    """A number from the command line: exact decimal string with ``--dps``, else float."""
    s = text.strip()
    if not s:
        raise InvalidArgument(f"{name} is empty")
    if dps is not None:
        from ._exact import as_fraction

        as_fraction(s, name)  # validates; the string itself is passed on exactly
        return s
    try:
        v = float(s)
    except ValueError:
        raise InvalidArgument(f"{name} must be a number, got {text!r}") from None
    if v != v or v in (float("inf"), float("-inf")):
        raise InvalidArgument(f"{name} must be finite, got {text!r}")
    return v


def parse_weights(text: str, dps: int | None, depth: int | None = None) -> list[Any]:
    """``W1,...,WD`` -> list of numbers; checks the count against ``--depth``."""
    if text is None or not text.strip():
        raise InvalidArgument("--weights is empty; give D comma-separated numbers, e.g. --weights=0.5,3")
    parts = text.split(",")
    ws = [parse_number(p, dps, f"weight w_{i + 1} ({p.strip()!r})") for i, p in enumerate(parts)]
    if depth is not None and len(ws) != depth:
        raise InvalidArgument(f"--depth {depth} but {len(ws)} weights were given in --weights")
    return ws


def _add_point_options(p: argparse.ArgumentParser, *, eta: bool = False) -> None:
    p.add_argument(
        "--weights",
        "-w",
        required=True,
        metavar="W1,...,WD",
        help="comma-separated weights (use --weights=-1,2 for negatives)",
    )
    p.add_argument("--depth", type=int, default=None, help="expected number of weights (checked)")
    if eta:
        p.add_argument("--eta", required=True, help="step size eta > 0")
    p.add_argument("--target", default="1", help="target y != 0 (default 1)")
    p.add_argument("--scale", default="1", help="input scale m = mean(x^2) > 0 (default 1)")
    p.add_argument(
        "--dps", type=int, default=None, help="decimal digits (mpmath); numbers are then read as exact decimals"
    )


def _common(args: argparse.Namespace) -> dict[str, Any]:
    from ._validate import check_dps

    dps = check_dps(args.dps)
    out = {
        "dps": dps,
        "weights": parse_weights(args.weights, dps, args.depth),
        "target": parse_number(args.target, dps, "--target"),
        "scale": parse_number(args.scale, dps, "--scale"),
    }
    if hasattr(args, "eta"):
        out["eta"] = parse_number(args.eta, dps, "--eta")
    return out


def _real(x: Any, dps: int | None) -> Any:
    from mpmath import mp

    from ._exact import as_fraction, to_mpf, working_dps

    if dps is not None and not hasattr(x, "_mpf_"):
        with mp.workdps(working_dps(dps)):
            x = to_mpf(as_fraction(x, "value"))
    return json_number(x, dps)


def cmd_gfs(args: argparse.Namespace) -> int:
    from .gfs import gfs
    from .model import loss, product

    c = _common(args)
    dps, w, y, m = c["dps"], c["weights"], c["target"], c["scale"]
    res = gfs(w, target=y, scale=m, dps=dps)
    record = {
        "depth": len(w),
        "target": _real(y, dps),
        "weights": [_real(x, dps) for x in w],
        "product": _real(product(w, dps=dps), dps),
        "loss": _real(loss(w, target=y, scale=m, dps=dps), dps),
        "kind": res.kind,
        "shift": _real(res.shift, dps),
        "solution": [_real(x, dps) for x in res.solution],
        "sharpness": _real(res.sharpness, dps),
    }
    if m != 1 and m != "1":
        record["scale"] = _real(m, dps)
    if args.json:
        print(json.dumps(record, indent=2))
        return 0
    fmt = lambda x: text_number(x, dps)  # noqa: E731
    flip = "" if res.flipped is None else f" (w_{res.flipped + 1} changes sign along the flow)"
    lines = [
        ("depth", str(len(w))),
        ("target", fmt(_num(y))),
        ("weights", ", ".join(fmt(_num(x)) for x in w)),
        ("product", fmt(product(w, dps=dps))),
        ("loss", fmt(loss(w, target=y, scale=m, dps=dps))),
        ("kind", res.kind + flip),
        ("shift c*", fmt(res.shift)),
        ("solution", ", ".join(fmt(x) for x in res.solution)),
        ("sharpness" if res.kind == "saddle" else "GFS sharpness psi", fmt(res.sharpness)),
    ]
    width = max(len(k) for k, _ in lines)
    for k, v in lines:
        print(f"{k:<{width}}  {v}")
    if res.kind == "saddle":
        print(
            "note: gradient flow ends at a saddle point, not a minimiser; "
            "the sharpness is the top Hessian eigenvalue there"
        )
    return 0


def _num(x: Any) -> Any:
    from mpmath import mp

    return mp.mpf(x) if isinstance(x, str) else x


def cmd_run(args: argparse.Namespace) -> int:
    from .dynamics import gd

    c = _common(args)
    dps = c["dps"]
    from ._validate import check_steps

    steps = check_steps(args.steps)
    tr = gd(c["weights"], c["eta"], steps, target=c["target"], scale=c["scale"], dps=dps)
    records = [{k: (v if k == "t" else json_number(v, dps)) for k, v in r.items()} for r in tr.records()]
    outcome = _outcome(c, args.budget)
    if args.csv:
        try:
            with open(args.csv, "w", newline="") as fh:
                writer = csv.DictWriter(fh, fieldnames=["t", "loss", "product", "sharpness", "gfs_sharpness"])
                writer.writeheader()
                writer.writerows(records)
        except OSError as exc:
            raise ScalarEOSError(f"cannot write --csv file {args.csv!r}: {exc.strerror}") from None
        print(f"wrote {len(records)} rows to {args.csv}", file=sys.stderr)
        return 0
    if args.json:
        doc = {
            "depth": len(c["weights"]),
            "weights": [_real(x, dps) for x in c["weights"]],
            "eta": _real(c["eta"], dps),
            "target": _real(c["target"], dps),
            "threshold": _real(2 / _num(c["eta"]) if dps is not None else 2 / c["eta"], dps),
            "steps": steps,
            "stopped": tr.stopped,
            "trajectory": records,
            "outcome": outcome.as_dict(),
        }
        print(json.dumps(doc, indent=2))
        return 0
    print(f"GD with eta = {text_number(_num(c['eta']), dps)}, 2/eta = {text_number(2 / _num(c['eta']), dps)}")
    _print_table(tr, every=max(1, args.every), dps=dps)
    if tr.stopped:
        print(f"stopped: {tr.stopped}")
    print(_describe_outcome(outcome, float(c["eta"])))
    return 0


def _outcome(c: dict[str, Any], budget: int) -> Any:
    """Classify the run from w0 (float64 fast path) with a budget of GD steps."""
    from ._validate import check_steps
    from .outcome import classify

    budget = check_steps(budget)
    if budget < 1:
        raise InvalidArgument("--budget must be at least 1 step")
    w = [float(x) for x in c["weights"]]
    scale = float(c["scale"])
    return classify(w, float(c["eta"]), target=float(c["target"]), scale=scale, max_steps=budget)


def _describe_outcome(o: Any, eta: float) -> str:
    text = f"outcome (float64, up to {o.steps} steps): {o.status}"
    if o.period:
        text += f", period {o.period}"
    if o.final_sharpness is not None:
        text += f"; final GFS sharpness {o.final_sharpness:.10g} ({o.final_sharpness * eta / 2:.4f} x 2/eta)"
    text += f"; GFS sharpness monotone: {'yes' if o.gfs_monotone else 'no'}"
    if o.max_gfs_increase is not None:
        text += f" (largest one-step change {o.max_gfs_increase:.3g})"
    if o.reason:
        text += f"; {o.reason}"
    return text


def _print_table(tr: Any, *, every: int, dps: int | None, out: Any = None) -> None:
    out = out or sys.stdout
    cols = ("t", "loss", "product", "sharpness", "gfs_sharpness")
    digits = 10 if dps is None else min(dps, 20)
    width = digits + 8
    print("".join(f"{c:>{width if c != 't' else 6}}" for c in cols), file=out)
    n = len(tr)
    for t in range(n):
        if t % every and t != n - 1:
            continue
        vals = [tr.loss[t], tr.product[t], tr.sharpness[t], tr.gfs_sharpness[t]]
        cells = "".join(f"{text_number(v, None if dps is None else digits, digits):>{width}}" for v in vals)
        print(f"{t:>6}{cells}", file=out)


def cmd_check(args: argparse.Namespace) -> int:
    from ._validate import check_dps
    from .claims import evaluate
    from .onestep import one_step

    dps = check_dps(args.dps)
    exact = dps if dps is not None else 50  # numbers are read as exact decimals: decisions are exact
    c = _common(argparse.Namespace(**{**vars(args), "dps": exact}))
    ids = [x.strip() for x in args.claims.split(",")] if args.claims else None
    step = one_step(c["weights"], c["eta"], target=c["target"], scale=c["scale"], dps=exact)
    results = evaluate(c["weights"], c["eta"], target=c["target"], scale=c["scale"], claims=ids, step=step)
    doc = {
        "one_step": {
            "gfs_before": json_number(step.gfs_before, dps),
            "gfs_after": json_number(step.gfs_after, dps),
            "decreased": step.decreased,
            "relation": step.relation,
            "decided_at_digits": step.digits,
            "kind_before": step.kind_before,
            "kind_after": step.kind_after,
        },
        "claims": [r.as_dict() for r in results],
    }
    if args.json:
        print(json.dumps(doc, indent=2))
        return 0
    print(f"GFS sharpness before {text_number(step.gfs_before, dps or 17)}")
    print(f"GFS sharpness after  {text_number(step.gfs_after, dps or 17)}")
    print(f"one GD step: {step.relation} (decided at {step.digits} digits)")
    if "saddle" in (step.kind_before, step.kind_after):
        print(f"note: gradient flow ends at a saddle (before: {step.kind_before}, after: {step.kind_after})")
    width = max(len(r.id) for r in results)
    print(f"\n{'claim':<{width}}  hypothesis  conclusion")
    for r in results:
        concl = "n/a" if r.conclusion is None else str(r.conclusion).lower()
        print(f"{r.id:<{width}}  {str(r.hypothesis).lower():<10}  {concl}")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from .search import search

    if args.depth is None:
        raise InvalidArgument("--depth is required for search")
    target = parse_number(args.target, None, "--target")
    rep = search(
        args.claim,
        args.depth,
        budget=args.budget,
        seed=args.seed,
        target=target,
        max_reports=args.max_reports,
        progress=None if not args.json else False,
    )
    if args.json:
        print(json.dumps(rep.as_dict(), indent=2))
        return 0
    print(
        f"claim {rep.claim}, depth {rep.depth}, seed {rep.seed}: {rep.trials} trials, "
        f"{rep.in_hypothesis} sampled inside the hypothesis"
    )
    if not rep.counterexamples:
        cov = rep.coverage
        print(f"no counterexample found ({rep.candidates} float64 candidates, {rep.rejected} rejected by verification)")
        for k, v in cov.items():
            if v is not None:
                print(f"  covered {k}: [{v[0]:.4g}, {v[1]:.4g}]")
        return 0
    print(f"{len(rep.counterexamples)} counterexample(s), each verified at {rep.counterexamples[0].dps} digits:")
    for ce in rep.counterexamples:
        print(f"- w = [{', '.join(ce.weights)}], eta = {ce.eta}, target = {ce.target}: {ce.detail}")
        print(f"    GFS sharpness before {ce.gfs_before[:24]}  after {ce.gfs_after[:24]}")
        print(f"    reproduce: {ce.snippet}")
    return 0


def cmd_claims(args: argparse.Namespace) -> int:
    from .claims import registry

    items = registry()
    if args.json:
        doc = [
            {"id": c.id, "kind": c.kind, "status": c.status, "statement": c.statement, "source": c.source}
            for c in items
        ]
        print(json.dumps({"claims": doc}, indent=2))
        return 0
    for c in items:
        print(f"{c.id} [{c.kind}; {c.status}]\n    {c.statement}\n    source: {c.source}")
    return 0


def cmd_latex(args: argparse.Namespace) -> int:
    from .latex import compile_pdf, to_latex

    doc = to_latex(args.depth)
    if args.output is None:
        if args.pdf:
            raise InvalidArgument("--pdf needs -o FILE.tex (where to write the document)")
        sys.stdout.write(doc)
        return 0
    try:
        with open(args.output, "w") as fh:
            fh.write(doc)
    except OSError as exc:
        raise ScalarEOSError(f"cannot write {args.output!r}: {exc.strerror}") from None
    print(f"wrote {args.output}", file=sys.stderr)
    if args.pdf:
        pdf = compile_pdf(args.output)
        print(f"compiled {pdf}", file=sys.stderr)
    return 0


def cmd_prove(args: argparse.Namespace) -> int:
    from .prove import proof_json, regenerate, run_proofs

    results = run_proofs(args.names or None)
    # the document covers the whole theory: regenerate it only from a run of every proof
    tex = None if args.names else regenerate(results)["tex"]
    failed = any(r["verdict"] == "FAILED" for r in results)
    if args.json:
        doc = {"proofs": [proof_json(r) for r in results]}
        print(json.dumps(doc, indent=2))
    else:
        for r in results:
            steps = f"{r['checked_steps']} checked, {r['argued_steps']} argued"
            print(f"{r['name']:<24} {r['verdict']:<10} {r['seconds']:>7.2f} s  {steps:<22} {r['statement']}")
            if r["verdict"] == "FAILED":
                print(f"    {r['details']}")
        if tex is not None:
            print(f"document: {tex}", file=sys.stderr)
        else:
            print("document not regenerated (run `scalar-eos prove` without names for all proofs)", file=sys.stderr)
    return 1 if failed else 0


def cmd_plot(args: argparse.Namespace) -> int:
    from . import plots

    if args.kind == "trajectory":
        from .dynamics import gd

        if not args.weights or args.eta is None:
            raise InvalidArgument("plot trajectory needs --weights and --eta")
        ws = parse_weights(args.weights, None)
        eta = parse_number(args.eta, None, "--eta")
        from ._validate import check_steps

        tr = gd(ws, eta, check_steps(args.steps), target=parse_number(args.target, None, "--target"))
        out = plots.plot_trajectory(tr, args.output)
    elif args.kind == "phase":
        from .phase import phase_diagram, plot_phase

        out = plot_phase(phase_diagram(args.depth, max_steps=args.steps), args.output)
    elif args.kind == "region":
        out = plots.plot_region(args.output, seed=args.seed)
    elif args.kind == "benchmark":
        from .benchmark import measure

        sizes = {"n_fast": 20_000, "n_mp": 30, "n_ivp": 3} if args.quick else {}
        rows = measure(**sizes)
        for r in rows:
            ivp = (
                f", vs solve_ivp {r['ratio_solve_ivp']:.3g}x"
                if "ratio_solve_ivp" in r
                else " (no SciPy: solve_ivp skipped)"
            )
            print(
                f"D = {r['depth']}: fast {r['fast']:.3g} pts/s, vs mpmath {r['ratio_mpmath']:.3g}x "
                f"(max rel. error {r['err_mpmath']:.1e}){ivp}",
                file=sys.stderr,
            )
        out = plots.plot_benchmark(rows, args.output)
    else:  # argparse restricts the choices
        raise InvalidArgument(f"unknown plot kind {args.kind!r}")
    print(f"saved {out}", file=sys.stderr)
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:
    from . import sweep as sw

    base = sw.load_design(args.design) if args.design else {}
    claims = [c.strip() for c in args.claims.split(",") if c.strip()] if args.claims else None
    design = sw.normalize_design(
        base,
        depth=args.depth,
        samples=args.samples,
        seed=args.seed,
        mode=args.mode,
        chunk=args.chunk,
        claims=claims,
        max_steps=args.max_steps,
    )
    progress = True if args.progress else (False if args.quiet else None)
    try:
        with sw.sigterm_as_interrupt():
            res = sw.sweep(design, args.out, workers=args.workers, scheduler=args.scheduler, progress=progress)
    except KeyboardInterrupt:
        print(
            f"scalar-eos: sweep interrupted; finished chunks are saved in {args.out}.parts/ - "
            "run the same command again to resume",
            file=sys.stderr,
        )
        return 130
    if args.json:
        print(json.dumps(res.as_dict(), indent=2))
    elif res.computed == 0 and res.resumed == res.chunks:
        print(f"{res.path}: already complete ({res.rows} rows, same design); nothing to do")
    else:
        resumed = f", {res.resumed} resumed" if res.resumed else ""
        print(
            f"wrote {res.path}: {res.rows} rows in {res.chunks} chunks ({res.computed} computed{resumed}) "
            f"in {res.seconds:.1f} s"
        )
    return 0


def cmd_sweep_report(args: argparse.Namespace) -> int:
    from . import sweep as sw

    rep = sw.report(args.file, verify=args.verify)
    if args.plot:
        sw.plot_report(args.file, args.plot)
        print(f"saved {args.plot}", file=sys.stderr)
    if args.json:
        print(json.dumps(rep, indent=2))
        return 0
    d = rep["design"]
    print(
        f"{rep['file']}: {rep['rows']} rows, mode {d['mode']}, depth {d['depth']}, seed {d['seed']} "
        f"(scalar-eos {rep['version']})"
    )
    for k, v in rep["invalid_points"].items():
        print(f"  {v} points with fast-path status {k} (no result)")
    if d["mode"] == "step":
        print(f"  GFS sharpness increased in one step (float64, > 1e-12 relative): {rep['psi_increased_float64']}")
        for cid, e in rep["claims"].items():
            print(
                f"  {cid}: hypothesis holds at {e['hypothesis']}, float64 violations {e['float64_violations']}, "
                f"verified counterexamples among the worst {len(e['worst'])}: {e['verified_counterexamples']}"
            )
            for w in e["worst"]:
                tag = "VERIFIED" if w["verified"] else "not confirmed exactly"
                print(
                    f"    row {w['row']}: w = {w['weights']}, eta = {w['eta']!r}, target = {w['target']!r}, "
                    f"score {w['score']:.3g} ({tag})"
                )
    else:
        for key in ("outcomes", "categories"):
            if key in rep:
                print(f"  {key}: " + ", ".join(f"{k} {v}" for k, v in sorted(rep[key].items(), key=lambda t: -t[1])))
        if "gfs_not_monotone" in rep:
            print(f"  runs where the GFS sharpness rose (> 1e-12 relative) at some step: {rep['gfs_not_monotone']}")
        if "largest_gfs_increase" in rep:
            li = rep["largest_gfs_increase"]
            print(f"  largest one-step GFS increase: {li['value']:.3g} (row {li['row']})")
        for cid, e in rep["claims"].items():
            print(
                f"  {cid}: hypothesis at {e['hypothesis']}: holds {e['holds']}, fails {e['fails']}, "
                f"undecided {e['undecided']}"
            )
    return 0


def cmd_experiment(args: argparse.Namespace) -> int:
    from ._progress import Progress
    from ._validate import check_steps
    from .experiments import DEFAULTS, plot_experiment, run_experiment

    steps = check_steps(args.steps if args.steps is not None else DEFAULTS[args.model]["steps"])
    eta = None if args.eta is None else parse_number(args.eta, None, "--eta")
    with Progress(steps + 1, f"experiment {args.model}") as bar:
        e = run_experiment(
            args.model, eta_psi=args.eta_psi, eta=eta, steps=steps, every=args.every, progress=lambda t: bar.set(t + 1)
        )
    if args.output:
        plot_experiment(e, args.output)
        print(f"saved {args.output}", file=sys.stderr)
    s = e.summary
    if args.json:
        print(json.dumps(e.as_dict(), indent=2))
        return 0
    print(
        f"{e.model.name}: {e.model.n_params} parameters, eta = {s['eta']:.6g} (eta * psi(x0) = {s['eta_psi0']:.4g}), "
        f"{s['steps']} GD steps ({s['status']}), loss rose on {s['loss_increases']} steps"
    )
    print(
        f"GFS sharpness at {s['gfs_converged']} of {s['gfs_points']} iterates (flows converged; others: "
        f"{s['gfs_not_converged'] or 'none'}), {s['seconds_per_gfs']:.3g} s per evaluation"
    )
    mono = (
        "yes"
        if s["monotone"]
        else (
            f"no: {s['increases']} increase(s) beyond the error estimates, between steps "
            + ", ".join(f"{a}->{b}" for a, b in s["increase_steps"][:5])
        )
    )
    print(
        f"  decreased monotonically: {mono}; largest relative change between evaluations {s['largest_increase']:+.3g}"
    )
    print(
        f"  GFS sharpness / (2/eta): first {s['first_gfs_over_threshold']:.4f}, "
        f"final {s['final_gfs_over_threshold']:.4f}; "
        f"final sharpness / (2/eta) {s['final_sharpness_over_threshold']:.4f}"
    )
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from .demo import run_demo

    return run_demo(steps=args.steps, every=args.every, figure=args.output, plot=not args.no_plot)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="scalar-eos",
        description="Check claims about gradient descent at the edge of stability on scalar networks.",
    )
    parser.add_argument("--version", action="version", version=f"scalar-eos {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("gfs", help="gradient flow solution and GFS sharpness of a point")
    _add_point_options(p)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_gfs)

    p = sub.add_parser("run", help="run gradient descent and print the trajectory")
    _add_point_options(p, eta=True)
    p.add_argument("--steps", type=int, default=100, help="number of GD steps (default 100)")
    p.add_argument("--every", type=int, default=1, help="print every k-th step in the table")
    p.add_argument(
        "--budget", type=int, default=100_000, help="GD steps allowed to classify the outcome (default 100000)"
    )
    g = p.add_mutually_exclusive_group()
    g.add_argument("--json", action="store_true", help="print JSON")
    g.add_argument("--csv", metavar="FILE", help="write the trajectory as CSV")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("check", help="one GD step (decided exactly) and every claim at a point")
    _add_point_options(p, eta=True)
    p.add_argument("--claims", default=None, help="comma-separated claim ids (default: all)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("search", help="search counterexamples to a claim")
    p.add_argument("--claim", required=True, help="claim id (see 'scalar-eos claims')")
    p.add_argument("--depth", type=int, default=None, help="network depth D")
    p.add_argument("--budget", type=int, default=200_000, help="points (step claims) or runs (trajectory claims)")
    p.add_argument("--seed", type=int, default=0, help="random seed (the search is deterministic for a seed)")
    p.add_argument("--target", default="1", help="target y of the sampled problems")
    p.add_argument("--max-reports", type=int, default=5, help="verified counterexamples to report at most")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("claims", help="list the registered claims")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_claims)

    p = sub.add_parser("latex", help="the derivation for a depth as a LaTeX document")
    p.add_argument("--depth", type=int, required=True, help="network depth D (1..8)")
    p.add_argument("-o", "--output", default=None, help="write to FILE.tex (default: stdout)")
    p.add_argument("--pdf", action="store_true", help="also compile with pdflatex")
    p.set_defaults(func=cmd_latex)

    p = sub.add_parser("prove", help="run the machine-checked proofs in proofs/")
    p.add_argument("names", nargs="*", help="proof names (default: all)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_prove)

    p = sub.add_parser("plot", help="figures: trajectory, phase, region, benchmark (needs matplotlib)")
    p.add_argument("kind", choices=["trajectory", "phase", "region", "benchmark"], help="which figure")
    p.add_argument("-o", "--output", required=True, help="output file (PNG)")
    p.add_argument("--weights", "-w", default=None, help="trajectory: initial weights")
    p.add_argument("--eta", default=None, help="trajectory: step size")
    p.add_argument("--target", default="1", help="trajectory: target y")
    p.add_argument("--steps", type=int, default=300, help="GD steps (trajectory) or budget per cell (phase)")
    p.add_argument("--depth", type=int, default=3, help="phase: network depth")
    p.add_argument("--seed", type=int, default=0, help="region: sampling seed")
    p.add_argument("--quick", action="store_true", help="benchmark: small samples (a few seconds)")
    p.set_defaults(func=cmd_plot)

    p = sub.add_parser("sweep", help="map claims or GD outcomes over parameter space (resumable; Parquet)")
    p.add_argument("--design", default=None, metavar="FILE", help="design file (.toml or .json); flags override it")
    p.add_argument("--depth", type=int, default=None, help="network depth D (default 3)")
    p.add_argument("--samples", type=int, default=None, help="points drawn per grid cell (default 10000)")
    p.add_argument("--seed", type=int, default=None, help="random seed (default 0)")
    p.add_argument("--mode", choices=["step", "run"], default=None, help="one-step claim check or full GD runs")
    p.add_argument("--out", required=True, help="output Parquet file (work in progress in OUT.parts/)")
    p.add_argument("--chunk", type=int, default=None, help="rows per chunk (default 4096 step, 512 run)")
    p.add_argument("--claims", default=None, help="comma-separated claim ids to check")
    p.add_argument("--max-steps", type=int, default=None, help="run mode: GD budget per point (default 20000)")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--workers", type=int, default=None, help="run chunks on a local Dask cluster of N processes")
    g.add_argument("--scheduler", default=None, metavar="ADDRESS", help="run chunks on an existing Dask scheduler")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--progress", action="store_true", help="progress bar even when stderr is not a terminal")
    g.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--json", action="store_true", help="print a JSON summary")
    p.set_defaults(func=cmd_sweep)

    p = sub.add_parser("sweep-report", help="aggregate a finished sweep file (and plot it)")
    p.add_argument("file", help="sweep Parquet file")
    p.add_argument("--plot", default=None, metavar="FILE.png", help="save the outcome figure (needs matplotlib)")
    p.add_argument("--verify", type=int, default=3, help="worst violations per claim re-checked exactly (default 3)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_sweep_report)

    p = sub.add_parser("experiment", help="GFS sharpness under GD beyond scalar networks (generic engine)")
    p.add_argument("model", choices=["scalar", "factorization", "quadratic", "mlp"], help="example model")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--eta-psi", type=float, default=None, help="step size as eta * psi(x0) (default per model, > 2)")
    g.add_argument("--eta", default=None, help="step size")
    p.add_argument("--steps", type=int, default=None, help="GD steps (default per model)")
    p.add_argument("--every", type=int, default=None, help="GFS sharpness every k-th iterate (default per model)")
    p.add_argument("-o", "--output", default=None, help="save the figure (PNG, needs matplotlib)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_experiment)

    p = sub.add_parser("demo", help="a built-in run at the edge of stability, with a summary")
    p.add_argument("--steps", type=int, default=300, help="number of GD steps (default 300)")
    p.add_argument("--every", type=int, default=15, help="print every k-th step (default 15)")
    p.add_argument("-o", "--output", default="scalar-eos-demo.png", help="figure file (needs matplotlib)")
    p.add_argument("--no-plot", action="store_true", help="do not save a figure")
    p.set_defaults(func=cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``scalar-eos`` console script; returns the exit status."""
    argv = _join_negative_values(list(sys.argv[1:] if argv is None else argv))
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            parser.print_help()
            return EXIT_USAGE
        func: Callable[[argparse.Namespace], int] = args.func
        return func(args)
    except ScalarEOSError as exc:
        print(f"scalar-eos: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("scalar-eos: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0

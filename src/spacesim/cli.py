"""The command line: a thin layer that parses, calls the library, and reports.

Exit status: 0 on success, 2 on invalid input or a problem of the
environment (a message naming the file, the field and what is wrong: a folder
in use, one --force may not delete, a batch whose workers kept dying), 1 on
an internal error, 3 when a run failed (its state overflowed: nothing is
written) or a batch finished but some of its runs failed, 130 when stopped by
Ctrl-C (what finished is kept).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import traceback
import warnings
from pathlib import Path
from typing import Any

import yaml

from .scenario import InputError, apply_overrides, load_scenario
from .scenario.errors import LargeInputWarning, Problem, RunFailed

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT, EXIT_FAILED_RUNS = 0, 1, 2, 3


def _parse_sets(items: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        name, sep, raw = item.partition("=")
        if not sep or not name:
            raise InputError.single(
                "--set",
                item,
                f"expected NAME=VALUE, e.g. --set {name or 'legal_clarity'}={raw or '0.8'}" if sep else f"expected NAME=VALUE, e.g. --set {item}=VALUE",
            )
        try:
            out[name.strip()] = yaml.safe_load(raw)
        except yaml.YAMLError:
            raise InputError.single("--set", name, f"cannot read value {raw!r}") from None
    return out


def cmd_run(args: argparse.Namespace) -> int:
    """spacesim run: one simulation, one result folder."""
    from .output.folder import TABLES, StagedRun
    from .output.provenance import now
    from .output.run_result import handling_interrupts, run_scenario, write_run

    started = now()
    spec = load_scenario(args.scenario)
    overrides = _parse_sets(args.set)
    if args.posterior:
        from .calibration.results import posterior_mean

        fitted = posterior_mean(args.posterior)
        print("parameters from the posterior's weighted mean: " + ", ".join(f"{k} = {v:.4g}" for k, v in fitted.items()))
        overrides = {**fitted, **overrides}  # --set wins
    if args.steps is not None:
        overrides["steps"] = args.steps
    if args.seed is not None:
        overrides["seed"] = args.seed  # checked like the file's own seed (a non-negative integer)
    try:
        spec = apply_overrides(spec, overrides, source="command line")
    except InputError as exc:
        raise InputError([Problem("command line", "--seed" if p.path == "seed" else p.path, p.message) for p in exc.problems]) from None
    _check_run_size(spec, args)
    seed = spec.seed
    out = Path(args.out) if args.out else _default_run_folder(args, seed)
    folder = StagedRun(out, args.force, inputs=(args.scenario,))  # checked and locked before simulating: a second writer is refused at once
    _compile_notice()
    try:
        with handling_interrupts((signal.SIGINT, signal.SIGTERM), replace_custom=True, then_exit=True):  # Ctrl-C waits for the model's step to end
            result = run_scenario(spec, seed=seed)
    except BaseException:
        folder.discard()
        raise
    write_run(result, folder, scenario_file=args.scenario, started=started)
    _after_run(out, plots=not args.no_plots)
    print(result.summary())
    print(f"results: {out}/ (manifest.json, {'/'.join(TABLES)}.parquet{'' if args.no_plots else ', plots/'})")
    return EXIT_OK


def _check_run_size(spec: Any, args: argparse.Namespace, source: str | None = None) -> None:
    """Refuse a run too large for this machine's memory unless --allow-large; warn when it is large or long."""
    from .experiment.limits import CLI_OVERRIDE, check_run

    check_run(spec, source or args.scenario, allow_large=args.allow_large, override=CLI_OVERRIDE)


def _compile_notice(where: str = "") -> None:
    """A line on stderr before the model's first use when its compiled rules are not cached yet (~30 s of silence otherwise)."""
    from .model.compiled import compile_notice

    line = compile_notice(where)
    if line:
        print(line, file=sys.stderr, flush=True)


def _default_run_folder(args: argparse.Namespace, seed: int) -> Path:
    """``results/SCENARIO-seedS``, with the --posterior folder's name, the --set values and --steps in the name when
    given (``results/baseline-seed1-legal_clarity=0.9``), numbered (``-2``, ``-3``...) when taken; with --force, the
    unnumbered name (the folder --force replaces)."""
    from .output.folder import folder_label, free_folder

    differs: dict[str, Any] = {"posterior": Path(args.posterior).name} if getattr(args, "posterior", None) else {}  # the folder, not every fitted value
    differs.update(_parse_sets(args.set))
    if args.steps is not None:
        differs["steps"] = args.steps
    label = folder_label(differs)
    base = Path("results") / (f"{Path(args.scenario).stem}-seed{seed}" + (f"-{label}" if label else ""))
    return base if args.force else free_folder(base)


def cmd_validate(args: argparse.Namespace) -> int:
    """spacesim validate: check scenario, experiment, observed-history and calibration files (and the size of scenarios
    and experiments for this machine), report every problem."""
    from .calibration.spec import is_calibration_data, load_calibration
    from .experiment.limits import CLI_OVERRIDE, check_experiment
    from .scenario.experiment import Experiment, load_any
    from .scenario.schema import ScenarioSpec
    from .scenario.yamlfile import read_yaml

    bad = 0
    for file in args.files:
        try:
            loaded = load_calibration(file) if is_calibration_data(read_yaml(file)[0]) else load_any(file)
            if isinstance(loaded, Experiment):
                check_experiment(loaded, allow_large=args.allow_large, override=CLI_OVERRIDE)
            elif isinstance(loaded, ScenarioSpec):
                _check_run_size(loaded, args, file)
        except InputError as exc:
            bad += 1
            for problem in exc.problems:
                print(problem, file=sys.stderr)
        else:
            print(f"{file}: ok")
    return EXIT_INPUT if bad else EXIT_OK


def _analysing(folder: str | Path) -> Any:
    """The lock an analysis holds on the result folder it writes into (refused, naming the holder, while a run or batch
    writes there); nothing for a path that is not a folder."""
    import contextlib

    from .output.folder import FolderLock

    folder = Path(folder)
    if not folder.is_dir():
        return contextlib.nullcontext()
    return FolderLock(folder, option="").acquire(required=False)


def _after_run(out: Path, plots: bool) -> Any:
    """The post-run step on a folder a run or batch has just written (the engine stops at the tables): comparison, sensitivity indices, plots."""
    from .analysis.postrun import analyse_folder

    with _analysing(out):
        return analyse_folder(out, plots=plots)


def cmd_analyse(args: argparse.Namespace) -> int:
    """spacesim analyse: run the post-run step again, alone, on a finished run's or batch's folder."""
    from .analysis.postrun import analyse_folder

    with _analysing(args.folder):
        done = analyse_folder(args.folder, plots=not args.no_plots)
    for name in done.tables:
        print(done.out / name)
    for path in done.plots if not args.no_plots else []:
        print(path)
    return EXIT_OK


def cmd_plot(args: argparse.Namespace) -> int:
    """spacesim plot: redraw a result folder's plots from its tables alone."""
    with _analysing(args.folder):
        return _plot(args)


def _plot(args: argparse.Namespace) -> int:
    from .analysis.postrun import Folder, draw_single_run_plots
    from .output.result_folder import ResultFolder, RunManifest

    folder = Path(args.folder)
    if not folder.is_dir():
        raise InputError.single(folder, "", "no such result folder")
    result_folder = ResultFolder(folder)
    if result_folder.kind == "batch":
        return _plot_batch(folder)
    if not (folder / "steps.parquet").exists():
        raise InputError.single(folder, "", "not a result folder: missing steps.parquet")
    manifest = result_folder.load() if result_folder.manifest_path.exists() else RunManifest()  # a run's tables without a manifest are still drawn
    if not isinstance(manifest, RunManifest):
        raise InputError.single(result_folder.manifest_path, "kind", f"spacesim plot draws a run's or a batch's folder, not a {manifest.kind}'s")
    for p in draw_single_run_plots(Folder(folder, manifest)):
        print(p)
    return EXIT_OK


def _plot_batch(folder: Path) -> int:
    from .analysis.postrun import Folder, draw_summary_plots
    from .output.result_folder import ResultFolder

    manifest = ResultFolder(folder).read(kind="batch", needed_for="spacesim plot")  # an unfinished batch is refused with the command that finishes it
    missing = [t for t in ("runs", "steps") if not (folder / f"{t}.parquet").exists()]
    if missing:
        raise InputError.single(folder, "", f"missing {', '.join(t + '.parquet' for t in missing)}")
    paths = draw_summary_plots(Folder(folder, manifest))
    for p in paths:
        print(p)
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    """spacesim report: one self-contained HTML file of a result folder."""
    from .analysis.report import write_report
    from .output.result_folder import ResultFolder

    folder = Path(args.folder)
    with _analysing(folder):
        if folder.is_dir() and ResultFolder(folder).kind == "calibration":
            from .calibration.report import write_calibration_report

            print(write_calibration_report(folder, args.out, replace=args.force))
            return EXIT_OK
        print(write_report(args.folder, args.out, replace=args.force))
    return EXIT_OK


def cmd_sensitivity(args: argparse.Namespace) -> int:
    """spacesim sensitivity: run a sensitivity experiment's batch and estimate Sobol' or Morris indices."""
    from .scenario.experiment import load_experiment

    experiment = load_experiment(args.experiment)
    if experiment.spec.sensitivity is None:
        raise InputError.single(
            args.experiment,
            "sensitivity",
            "the experiment has no sensitivity section: declare the parameters with their ranges, the outcomes and the sample size there (see "
            "experiments/sensitivity.yaml)",
        )
    return cmd_batch(args, experiment.with_method(args.method))


def cmd_batch(args: argparse.Namespace, experiment: Any = None) -> int:
    """spacesim batch: run an experiment's batch into a crash-safe result folder."""
    from .experiment.batch import BatchInterrupted, retry_failed, run_batch
    from .experiment.wording import CLI
    from .output.run_result import handling_interrupts
    from .scenario.experiment import load_experiment

    experiment = experiment or load_experiment(args.experiment)
    if args.retry_failed and (args.resume or args.force):
        raise InputError.single(
            args.out or "--retry-failed",
            "--retry-failed",
            "choose one: --retry-failed reruns the failed runs of a finished batch, --resume finishes a stopped one, --force starts again",
        )

    # Ctrl-C and SIGTERM both stop the batch cleanly, even when this process was started with
    # SIGINT ignored (as a shell does for background jobs); while a model steps, the stop waits
    # for the step to end (an interrupt inside the compiled loops would not unwind cleanly).
    if not args.cluster:  # a cluster's workers have their own caches, which this machine cannot see
        _compile_notice(" in each worker" if args.workers != 1 else "")
    try:
        with handling_interrupts((signal.SIGINT, signal.SIGTERM), replace_custom=True, then_exit=True):
            if args.retry_failed:
                result = retry_failed(experiment, args.out, workers=args.workers, cluster=args.cluster, quiet=False, wording=CLI)
            else:
                result = run_batch(
                    experiment,
                    args.out,
                    workers=args.workers,
                    cluster=args.cluster,
                    resume=args.resume,
                    force=args.force,
                    quiet=False,
                    wording=CLI,
                    allow_large=args.allow_large,
                )
    except BatchInterrupted as exc:
        if exc.reason:
            print(f"error: {exc.out}: the batch stopped: {exc.reason}; {exc.done} of {exc.total} runs finished and are kept", file=sys.stderr)
        else:
            print(f"stopped: {exc.done} of {exc.total} runs finished, kept in {exc.out}/", file=sys.stderr)
        print(f"resume with: {_resume_command(args, exc.out)}", file=sys.stderr)
        return EXIT_INPUT if exc.reason else 130
    from .analysis.summary import batch_summary

    analysed = _after_run(result.out, plots=not args.no_plots)  # the engine stops at the tables; what is made from them comes here
    print(batch_summary(result, manifest=analysed.manifest))
    out = result.out
    tables = analysed.manifest.tables or ["runs.parquet", "steps.parquet"]  # every table written: runs, steps, kept per-run tables, comparison, sensitivity
    print(f"results: {out}/ (manifest.json, {', '.join(tables)}{', plots/' if analysed.manifest.plots else ''})")
    if result.failed:
        print(f"{result.failed} of {len(result.runs)} runs failed; see the status, error_type and error columns of runs.parquet", file=sys.stderr)
        return EXIT_FAILED_RUNS
    return EXIT_OK


def _resume_command(args: argparse.Namespace, out: Path) -> str:
    """The command that continues a stopped batch: the same command (batch or sensitivity), experiment, method and executor options, with --resume.

    >>> args = build_parser().parse_args(["sensitivity", "my exp.yaml", "--method", "morris", "--out", "r/m", "--workers", "2"])
    >>> _resume_command(args, Path("r/m"))
    "spacesim sensitivity 'my exp.yaml' --out r/m --resume --method morris --workers 2"
    """
    import shlex

    words = ["spacesim", args.command, args.experiment, "--out", str(out), "--retry-failed" if getattr(args, "retry_failed", False) else "--resume"]
    if getattr(args, "method", None):
        words += ["--method", args.method]  # resuming with another method is refused
    if args.workers is not None:
        words += ["--workers", str(args.workers)]
    if args.cluster:
        words += ["--cluster", args.cluster]
    if args.no_plots:
        words.append("--no-plots")
    if args.allow_large:
        words.append("--allow-large")
    return " ".join(shlex.quote(w) for w in words)


def cmd_compare(args: argparse.Namespace) -> int:
    """spacesim compare: paired differences between the variants of a batch (printed; written only with --out), or two single runs side by side."""
    from .analysis.comparison import compare_batch, format_comparison

    if len(args.folders) > 2:
        raise InputError.single("compare", " ".join(args.folders), "give one batch folder, or two run folders (spacesim compare RUN_A RUN_B)")
    if len(args.folders) == 2:
        return _compare_runs(args)
    folder = args.folders[0]
    if args.boot < 1:
        raise InputError.single("--boot", str(args.boot), "the number of bootstrap resamples must be at least 1 (default 10000)")
    if not 0 < args.confidence < 1:
        raise InputError.single("--confidence", str(args.confidence), "must be between 0 and 1, e.g. 0.95")
    with _analysing(folder):
        table, paths, replaced = compare_batch(
            folder,
            args.outcomes,
            args.variants,
            n_boot=args.boot,
            seed=args.seed,
            confidence=args.confidence,
            out=args.out,
            force=args.force,
            write=args.out is not None,
        )
    print(format_comparison(table))
    attrs = table.attrs
    print(f"(paired bootstrap over replicate pairs, {attrs['n_boot']} resamples, seed {attrs['seed']}; d_z = mean difference / sd of the differences)")
    for p in paths:
        print(p)
    if replaced:
        print(replaced, file=sys.stderr)
    return EXIT_OK


def _compare_runs(args: argparse.Namespace) -> int:
    """spacesim compare RUN_A RUN_B: two single runs' outcomes side by side."""
    from .analysis.comparison import compare_runs, format_run_comparison
    from .output.folder import write_parquet_atomic

    if args.variants:
        raise InputError.single("--variants", " ".join(args.variants), "two single runs have no variants; --variants is for a batch folder")
    table = compare_runs(args.folders[0], args.folders[1], args.outcomes)
    print(format_run_comparison(table))
    if args.out:
        out = Path(args.out)
        if out.suffix != ".parquet" or out.is_dir():
            raise InputError.single(out, "--out", "give a file name ending in .parquet")
        if out.exists() and not args.force:
            raise InputError.single(out, "--out", "exists; pass --force to replace it, or choose another --out")
        table.attrs = {k: (json.dumps(v) if isinstance(v, dict) else v) for k, v in table.attrs.items()}
        write_parquet_atomic(out, table)
        print(out)
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    """spacesim export: a result folder's tables as CSV files or an Excel workbook."""
    from .output.export import export_folder

    with _analysing(args.folder):
        paths = export_folder(args.folder, args.format, args.out, force=args.force)
    for p in paths:
        print(p)
    return EXIT_OK


def cmd_discover(args: argparse.Namespace) -> int:
    """spacesim discover: scenario discovery (PRIM and CART) on a finished batch."""
    from .analysis.discovery import FOLDER, format_discovery, write_discovery

    account = write_discovery(
        args.folder, args.outcome, below=args.below, above=args.above, min_density=args.min_density, max_depth=args.depth, force=args.force
    )
    print(format_discovery(account))
    print(f"results: {Path(args.folder) / FOLDER}/ ({', '.join(account['files'])})")
    return EXIT_OK


def _batch_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("experiment", metavar="EXPERIMENT.yaml", help="experiment file")
    parser.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="local worker processes (default: one per core; 1 runs in this process); not with --cluster, whose workers run the batch",
    )
    parser.add_argument(
        "--cluster", metavar="tcp://HOST:PORT", help="run on an existing Dask scheduler's workers instead of local processes (HOST:PORT also accepted)"
    )
    parser.add_argument("--out", metavar="DIR", help="result folder (default: results/EXPERIMENT, or a new results/EXPERIMENT-2, -3... when that one is taken)")
    parser.add_argument("--resume", action="store_true", help="continue a stopped batch in --out, running only what is missing")
    parser.add_argument("--force", action="store_true", help="delete an existing --out and start again")
    parser.add_argument(
        "--retry-failed",
        action="store_true",
        help="run again only the runs of a finished batch in --out that failed, keeping the others (refused if the code, experiment or scenario changed)",
    )
    parser.add_argument("--no-plots", action="store_true", help="skip drawing the summary plots")
    _allow_large_option(parser)


def _allow_large_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--allow-large",
        action="store_true",
        help="go ahead with a design of more than a million runs, or runs needing more memory than is available (refused otherwise)",
    )


def cmd_calibrate(args: argparse.Namespace) -> int:
    """spacesim calibrate: fit rule parameters to observed patterns by ABC-SMC into a resumable result folder."""
    import signal

    from .calibration.results import CalibrationInterrupted, calibrate
    from .calibration.spec import load_calibration

    calibration = load_calibration(args.calibration)
    if args.cluster is not None and args.workers is not None:
        raise InputError.single(
            "--workers", str(args.workers), "cannot be combined with --cluster: on a Dask cluster the calibration runs on the cluster's workers"
        )
    if args.workers is not None and args.workers < 1:
        raise InputError.single("--workers", str(args.workers), "must be at least 1")
    out = Path(args.out) if args.out else Path("results") / Path(args.calibration).stem

    def _stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, _stop)
    previous_int = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        manifest = calibrate(
            calibration,
            out,
            workers=args.workers,
            cluster=args.cluster,
            resume=args.resume,
            force=args.force,
            plots=not args.no_plots,
            echo=lambda line: print(line, flush=True),
            command=_calibrate_command(args, out, resume=args.resume),
        )
    except CalibrationInterrupted as exc:
        print(f"stopped: {exc.generations} complete generations ({exc.simulations:,} simulations) kept in {exc.out}/", file=sys.stderr)
        print(f"resume with: {_calibrate_command(args, exc.out, resume=True)}", file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous)
        signal.signal(signal.SIGINT, previous_int)
    for name, s in manifest.posterior_summary.items():
        print(f"{name}: mean {s.mean:.4g}, 90% interval [{s.q05:.4g}, {s.q95:.4g}]")
    print(f"results: {out}/ (manifest.json, abc.db, {', '.join(manifest.tables)}{', plots/' if manifest.plots else ''})")
    return EXIT_OK


def _calibrate_command(args: argparse.Namespace, out: Path, resume: bool) -> str:
    """The command that started (or continues, with ``resume``) a calibration.

    >>> args = build_parser().parse_args(["calibrate", "c.yaml", "--workers", "2"])
    >>> _calibrate_command(args, Path("results/c"), resume=True)
    'spacesim calibrate c.yaml --out results/c --resume --workers 2'
    """
    import shlex

    words = ["spacesim", "calibrate", args.calibration, "--out", str(out)] + (["--resume"] if resume else [])
    if args.workers is not None:
        words += ["--workers", str(args.workers)]
    if args.cluster:
        words += ["--cluster", args.cluster]
    if args.no_plots:
        words.append("--no-plots")
    return " ".join(shlex.quote(w) for w in words)


def cmd_dashboard(args: argparse.Namespace) -> int:
    """spacesim dashboard: serve the teaching dashboard on 127.0.0.1 until Ctrl-C."""
    from .viz.server import serve

    return serve(args.scenario, port=args.port)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    from . import __version__  # read here, not on import: batch workers import this module and never need it
    from .scenario.experiment import SENSITIVITY_METHODS

    parser = argparse.ArgumentParser(prog="spacesim", description="Agent-based simulation of international cooperation in space security.")
    parser.add_argument("--version", action="version", version=f"spacesim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser(
        "run", help="run one scenario and write a result folder", description="Run one scenario and write manifest.json, Parquet tables and plots."
    )
    run.add_argument("scenario", metavar="SCENARIO.yaml", help="scenario file")
    run.add_argument("--steps", type=int, metavar="N", help="number of steps (default: the scenario's)")
    run.add_argument("--seed", type=int, metavar="S", help="random seed (default: the scenario's)")
    run.add_argument(
        "--out",
        metavar="DIR",
        help=(
            "result folder (default: results/SCENARIO-seedS, with the --set values and --steps in the name when given, e.g. "
            "results/baseline-seed1-legal_clarity=0.9; a new numbered folder -2, -3... when that one is taken)"
        ),
    )
    run.add_argument("--force", action="store_true", help="replace an existing result folder")
    run.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="override a parameter or policy lever (repeatable)")
    run.add_argument(
        "--posterior",
        metavar="DIR",
        help="set the fitted parameters to the weighted mean of a calibration folder's posterior (spacesim calibrate); --set still wins",
    )
    run.add_argument("--no-plots", action="store_true", help="skip drawing plots")
    _allow_large_option(run)
    run.set_defaults(func=cmd_run)

    batch = sub.add_parser(
        "batch",
        help="run an experiment: many runs, crash-safe and resumable",
        description="Run an experiment file's batch (design points x variants x replicates) into a result folder. Chunks are committed as they finish, "
        "so a killed batch loses at most the chunks in flight; --resume runs only what is missing. Exit status 3 if some runs failed.",
    )
    _batch_options(batch)
    batch.set_defaults(func=cmd_batch)

    sens = sub.add_parser(
        "sensitivity",
        help="global sensitivity analysis (Sobol', Morris, FAST, RBD-FAST, delta, PAWN or DGSM) of an experiment",
        description="Sample the parameters of the experiment's sensitivity section with SALib, run every sample point's replicates as a batch "
        "(same executors, resume and failure handling as spacesim batch), average the replicates and estimate Sobol' indices (S1, ST, S2), "
        "Morris' mu* and sigma, FAST's S1 and ST, RBD-FAST's S1, Borgonovo's delta, PAWN or DGSM, with 95% intervals where SALib gives them. "
        "Checks convergence (the indices at N/4, N/2 and N) and computes the indices per window of steps. "
        "Writes sensitivity.parquet, sensitivity_convergence.parquet, sensitivity_over_time.parquet and plots/sensitivity_*.png and prints the "
        "parameters ranked per outcome.",
    )
    _batch_options(sens)
    sens.add_argument(
        "--method",
        choices=SENSITIVITY_METHODS,
        help="override the experiment's method: sobol, morris, fast, rbd_fast, delta (moment-independent), pawn or dgsm; each draws its own sample",
    )
    sens.set_defaults(func=cmd_sensitivity)

    calib = sub.add_parser(
        "calibrate",
        help="fit rule parameters to observed patterns (ABC-SMC)",
        description="Fit the rule parameters a calibration file names to its observed patterns by ABC-SMC (pyabc) and write a result folder: "
        "manifest.json, abc.db (pyabc's history), posterior.parquet, fit.parquet (every pattern, fitted and held out, at posterior draws), plots/. "
        "Progress is printed per generation; Ctrl-C stops cleanly and prints the command that resumes (--resume continues from the last complete generation).",
    )
    calib.add_argument("calibration", metavar="CALIBRATION.yaml", help="calibration file")
    calib.add_argument("--out", metavar="DIR", help="result folder (default: results/CALIBRATION)")
    calib.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="local worker processes (default: one per core; 1 runs in this process and is reproducible from the seed); not with --cluster",
    )
    calib.add_argument("--cluster", metavar="tcp://HOST:PORT", help="simulate on an existing Dask scheduler's workers (HOST:PORT also accepted)")
    calib.add_argument("--resume", action="store_true", help="continue the stopped calibration in --out from its last complete generation")
    calib.add_argument(
        "--force", action="store_true", help="delete an existing calibration folder --out and start again (only a calibration folder is ever deleted)"
    )
    calib.add_argument("--no-plots", action="store_true", help="skip drawing the plots")
    calib.set_defaults(func=cmd_calibrate)

    validate = sub.add_parser(
        "validate",
        help="check scenario, experiment and history files",
        description="Check scenario, experiment and observed-history files; print 'ok' or every problem with file, line and field.",
    )
    validate.add_argument("files", nargs="+", metavar="FILE")
    _allow_large_option(validate)
    validate.set_defaults(func=cmd_validate)

    plot = sub.add_parser(
        "plot", help="redraw the plots of a result folder", description="Redraw plots/ of a run's or a batch's result folder from its tables alone."
    )
    plot.add_argument("folder", metavar="DIR")
    plot.set_defaults(func=cmd_plot)

    analyse = sub.add_parser(
        "analyse",
        help="make again, from a finished result folder's tables, what follows a run or batch (comparison, sensitivity indices, plots)",
        description="Run the post-run step alone on a finished run's or batch's folder: the paired comparison of variants, the sensitivity indices "
        "and the plots, "
        "each when the folder holds what it needs; the manifest lists what was written. Gives the same files as the step that followed the run. "
        "Prints the files written.",
    )
    analyse.add_argument("folder", metavar="DIR", help="result folder of spacesim run, batch or sensitivity")
    analyse.add_argument("--no-plots", action="store_true", help="make the tables only (the plots are left as they are)")
    analyse.set_defaults(func=cmd_analyse)

    compare = sub.add_parser(
        "compare",
        help="paired differences between the variants of a batch, or two single runs side by side",
        description="Compare the variants of a finished batch pair by pair under common random numbers (replicate r of A against replicate r of B): "
        "mean difference B - A of each outcome's final value (its total over the run for a per-step count such as n_asat_tests) with a bootstrap "
        "interval, effect size d_z and how often B was higher. "
        "Prints the comparison and writes nothing, unless --out FILE.parquet (the table, and its forest plot beside it as FILE.png; "
        "--out DIR/comparison.parquet rewrites the batch's own comparison, which its report shows, and replacing it with another one needs --force). "
        "With two run folders (spacesim compare RUN_A RUN_B), prints both runs' outcomes, B - A and the settings that differ.",
    )
    compare.add_argument("folders", nargs="+", metavar="DIR", help="result folder of spacesim batch, or two result folders of spacesim run")
    compare.add_argument("--outcomes", nargs="+", metavar="NAME", help="outcomes to compare (default: the experiment's outcomes)")
    compare.add_argument("--variants", nargs="+", metavar="NAME", help="variants to compare, in this order (default: all, in the experiment file's order)")
    compare.add_argument("--boot", type=int, default=10_000, metavar="N", help="bootstrap resamples (default: 10000)")
    compare.add_argument("--seed", type=int, metavar="S", help="seed of the bootstrap (default: the experiment's base seed)")
    compare.add_argument("--confidence", type=float, default=0.95, metavar="C", help="level of the intervals (default: 0.95)")
    compare.add_argument("--out", metavar="FILE.parquet", help="write the table here and its forest plot beside it as FILE.png (default: print only)")
    compare.add_argument("--force", action="store_true", help="replace an existing --out table that holds another comparison")
    compare.set_defaults(func=cmd_compare)

    discover = sub.add_parser(
        "discover",
        help="scenario discovery: which region of the parameters leads to an outcome below or above a threshold",
        description="Scenario discovery on a finished batch (Latin hypercube, Sobol', grid or sensitivity sample): every completed run is a case, of "
        "interest when its value of "
        "--outcome (final, or total over the run for a per-step count) is below --below V (or above --above V). PRIM (the EMA Workbench's) peels a "
        "box of parameters, "
        "trading coverage for density (peeling trajectory), and reports the chosen box's limits with their quasi-p-values; a CART tree "
        "(scikit-learn) is a second view. "
        "Writes DIR/discovery/ (plots, CSV tables, discovery.json) and nothing else; spacesim report shows it.",
    )
    discover.add_argument("folder", metavar="DIR", help="result folder of spacesim batch or spacesim sensitivity")
    discover.add_argument("--outcome", required=True, metavar="NAME", help="outcome whose run value is compared with the threshold")
    threshold = discover.add_mutually_exclusive_group(required=True)
    threshold.add_argument("--below", type=float, metavar="V", help="cases of interest: runs whose value is below V")
    threshold.add_argument("--above", type=float, metavar="V", help="cases of interest: runs whose value is above V")
    discover.add_argument(
        "--min-density", type=float, default=0.8, metavar="D", help="choose the PRIM box with the most coverage among boxes at least this dense (default: 0.8)"
    )
    discover.add_argument("--depth", type=int, default=3, choices=range(1, 7), metavar="K", help="depth of the CART tree, 1-6 (default: 3)")
    discover.add_argument("--force", action="store_true", help="replace the discovery of another question in DIR/discovery/")
    discover.set_defaults(func=cmd_discover)

    report = sub.add_parser(
        "report",
        help="write a self-contained HTML report of a result folder (run, batch or calibration)",
        description="Write one HTML file (plots embedded, nothing fetched from the network) of a run's or a batch's result folder: what ran, "
        "outcome tables, plots, policy comparison, sensitivity, replication and failed runs, each when present. Prints the file's path.",
    )
    report.add_argument("folder", metavar="DIR", help="result folder of spacesim run or spacesim batch")
    report.add_argument("--out", metavar="FILE", help="HTML file to write (default: DIR/report.html, rewritten freely)")
    report.add_argument("--force", action="store_true", help="replace an existing --out file")
    report.set_defaults(func=cmd_report)
    export = sub.add_parser(
        "export",
        help="write a result folder's tables as CSV or Excel",
        description="Write every table of a finished run's or batch's result folder as CSV files (one per table) or one Excel workbook (a sheet per table) "
        "into DIR/export/ (or --out), with export.json listing them. A batch's per-run tables carry point, variant and replicate. Prints the files written.",
    )
    export.add_argument("folder", metavar="DIR", help="result folder of spacesim run or spacesim batch")
    export.add_argument("--format", choices=("csv", "xlsx"), default="csv", help="csv (default): one file per table; xlsx: one workbook, a sheet per table")
    export.add_argument("--out", metavar="DIR", help="folder to write into (default: DIR/export)")
    export.add_argument("--force", action="store_true", help="replace the files of an earlier export (never other files)")
    export.set_defaults(func=cmd_export)
    dashboard = sub.add_parser(
        "dashboard",
        help="start the teaching dashboard in the browser",
        description="Serve the teaching dashboard (a Solara app built on Mesa's SolaraViz) on 127.0.0.1 and print its address; Ctrl-C stops it. "
        "It works offline. See docs/teaching.md for a lesson plan.",
    )
    dashboard.add_argument(
        "scenario",
        nargs="?",
        metavar="SCENARIO.yaml",
        help="scenario to start with (default: the shipped baseline); the shipped scenarios are in the picker too",
    )
    dashboard.add_argument("--port", type=int, default=8765, metavar="P", help="port on 127.0.0.1 (default: 8765)")
    dashboard.set_defaults(func=cmd_dashboard)
    return parser


def _misused_set(argv: list[str]) -> str | None:
    """The message for ``--set NAME VALUE`` (a space where the ``=`` goes), which argparse would only call an unrecognised argument.

    >>> _misused_set(["run", "s.yaml", "--set", "legal_clarity", "0.4"])
    'error: --set legal_clarity: expected NAME=VALUE; write --set legal_clarity=0.4'
    >>> _misused_set(["run", "s.yaml", "--set", "legal_clarity=0.4"]) is None
    True
    """
    for i, word in enumerate(argv[:-1]):
        name = argv[i + 1]
        if word == "--set" and "=" not in name and not name.startswith("-"):
            value = argv[i + 2] if i + 2 < len(argv) and not argv[i + 2].startswith("--") else "VALUE"
            return f"error: --set {name}: expected NAME=VALUE; write --set {name}={value}"
    return None


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``spacesim`` command."""
    misused = _misused_set(list(sys.argv[1:] if argv is None else argv))
    if misused:
        print(misused, file=sys.stderr)
        return EXIT_INPUT
    args = build_parser().parse_args(argv)
    try:
        with warnings.catch_warnings():  # restores the caller's filters and display on return
            warnings.simplefilter("always", LargeInputWarning)
            warnings.showwarning = _show_warning
            return args.func(args)
    except InputError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return EXIT_INPUT
    except RunFailed as exc:
        print(f"spacesim: the run failed: {exc}", file=sys.stderr)
        return EXIT_FAILED_RUNS
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the last line of defence: no traceback for users
        if os.environ.get("SPACESIM_DEBUG"):
            traceback.print_exc()
        print(f"spacesim: internal error: {type(exc).__name__}: {exc} (set SPACESIM_DEBUG=1 to see the traceback)", file=sys.stderr)
        return EXIT_INTERNAL


def _show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int, file: Any = None, line: str | None = None) -> None:
    """A large input's warning as one line, ``warning: ...``; any other warning as Python shows it."""
    if issubclass(category, LargeInputWarning):
        print(f"warning: {message}", file=sys.stderr, flush=True)
    else:
        sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

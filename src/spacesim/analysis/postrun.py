"""The post-run step: what is made from a finished result folder, chosen by what the folder holds.

The engine (:func:`spacesim.experiment.run_batch`,
:func:`spacesim.output.run_result.write_run`) stops at the tables and the
manifest. Everything made from them afterwards is an :class:`Analysis`,
registered here in :data:`ANALYSES`: each says, from the folder's manifest,
whether the folder holds what it needs (variants to compare, a sensitivity
design, a single run's tables) and writes its files from the tables alone.
:func:`analyse_folder` runs those that apply, in order, and records what they
wrote in the manifest. The command line runs it after ``spacesim run``,
``batch`` and ``sensitivity``; ``spacesim analyse DIR`` runs it again alone on
any finished folder, and gives the same files.

A new analysis is a function of a :class:`Folder` returning the names of the
files it wrote, registered with :func:`register`; the runner is not edited.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..output.folder import TABLES
from ..output.result_folder import BatchManifest, ComparisonRecord, ResultFolder, RunManifest, SensitivityRecord, resume_command
from ..scenario.errors import InputError


@dataclass
class Folder:
    """A finished result folder as the analyses read it: its path, its manifest (typed:
    :mod:`spacesim.output.result_folder`), and its tables (each read once, on first use)."""

    out: Path
    manifest: RunManifest | BatchManifest
    _tables: dict[str, pd.DataFrame | None] = field(default_factory=dict, repr=False)

    @property
    def kind(self) -> str:
        """``batch`` or ``run``."""
        return self.manifest.kind

    @property
    def batch(self) -> BatchManifest:
        """The manifest of a batch's folder (only called by the analyses that apply to batches)."""
        assert isinstance(self.manifest, BatchManifest)
        return self.manifest

    def table(self, name: str) -> pd.DataFrame | None:
        """The table ``name.parquet`` of the folder, or ``None`` when it has none."""
        if name not in self._tables:
            path = self.out / f"{name}.parquet"
            self._tables[name] = pd.read_parquet(path) if path.exists() else None
        return self._tables[name]

    @property
    def runs(self) -> pd.DataFrame:
        """The ``runs`` table (one row per run)."""
        table = self.table("runs")
        assert table is not None  # checked by analyse_folder
        return table

    @property
    def steps(self) -> pd.DataFrame:
        """The ``steps`` table (one row per run and step)."""
        table = self.table("steps")
        assert table is not None
        return table


@dataclass(frozen=True)
class Analysis:
    """One thing made from a finished folder.

    ``applies`` says, from the folder, whether it can be made; ``make`` writes
    it and returns the files' names relative to the folder.

    ``draws`` marks pictures (``plots/``), skipped when plots are not wanted;
    the others write tables, which the manifest lists beside the engine's.
    """

    name: str
    applies: Callable[[Folder], bool]
    make: Callable[[Folder], list[str]]
    draws: bool = False


#: Every analysis, in the order :func:`analyse_folder` runs them (tables first: the plots read them).
ANALYSES: list[Analysis] = []


def register(analysis: Analysis) -> Analysis:
    """Add ``analysis`` to :data:`ANALYSES` (replacing one of the same name, in its place); return it."""
    for i, known in enumerate(ANALYSES):
        if known.name == analysis.name:
            ANALYSES[i] = analysis
            return analysis
    ANALYSES.append(analysis)
    return analysis


@dataclass
class Analysed:
    """What :func:`analyse_folder` did: the folder, its manifest as now written, the tables and plots the analyses wrote."""

    out: Path
    manifest: RunManifest | BatchManifest
    tables: list[str]
    plots: list[Path]


def engine_tables(manifest: RunManifest | BatchManifest) -> list[str]:
    """The tables the engine wrote (a batch: ``runs``, ``steps`` and the kept per-run tables; a run: those of
    :data:`~spacesim.output.folder.TABLES` its manifest lists, fewer in a folder written before a table was added), in its order."""
    if isinstance(manifest, BatchManifest):
        return [f"{name}.parquet" for name in ("runs", "steps", *manifest.kept_tables)]
    return [t for t in manifest.tables if t.removesuffix(".parquet") in TABLES]


def read_finished(out: str | Path) -> Folder:
    """The folder ``out`` with its manifest, refused (:class:`InputError`) when it is not a finished run or batch."""
    out = Path(out)
    result_folder = ResultFolder(out)
    if not out.is_dir():
        raise InputError.single(out, "", "no such result folder")
    if not result_folder.manifest_path.exists():
        raise InputError.single(out, "", "not a result folder of spacesim run or batch (no manifest.json)")
    manifest = result_folder.load()  # refused, naming the field, when it is not a manifest spacesim can read
    if not isinstance(manifest, (RunManifest, BatchManifest)):
        why = f"{manifest.kind!r} is not a run's or a batch's result folder; the post-run step reads those (a calibration has spacesim report)"
        raise InputError.single(result_folder.manifest_path, "kind", why)
    missing = [t for t in ("runs", "steps") if not result_folder.has(t)]
    if not manifest.completed or missing:
        hint = f"; resume it with {resume_command(manifest, out)}" if isinstance(manifest, BatchManifest) else ""
        if missing:
            what = f"missing {', '.join(t + '.parquet' for t in missing)}"
        else:
            what = f"the {manifest.kind} has not finished (status {manifest.status!r})"
        raise InputError.single(out, "", f"{what}{hint}")
    return Folder(out, manifest)


def analyse_folder(out: str | Path, *, plots: bool = True) -> Analysed:
    """Run every registered analysis that applies to the finished folder ``out``; record what they wrote in its manifest.

    The manifest's ``tables`` become the engine's tables followed by those
    the analyses wrote (an analysis table listed before and not written now,
    such as a comparison of runs that no longer pair, is removed), and
    ``plots`` the pictures drawn (with ``plots=False`` the pictures and their
    list are left as they are). Running it again on the same tables writes the
    same files. Raises :class:`InputError` for a folder that is not a
    finished run or batch.
    """
    folder = read_finished(out)
    manifest = folder.manifest
    tables: list[str] = []
    pictures: list[str] = []
    for analysis in ANALYSES:
        if analysis.draws and not plots:
            continue
        if analysis.applies(folder):
            (pictures if analysis.draws else tables).extend(analysis.make(folder))
    own = engine_tables(manifest)
    for stale in set(manifest.tables) - set(own) - set(tables):
        target = folder.out / stale
        if target.parent == folder.out and target.suffix == ".parquet":
            target.unlink(missing_ok=True)
    manifest.tables = own + tables
    if plots:
        manifest.plots = pictures
    ResultFolder(folder.out).write(manifest)
    return Analysed(folder.out, manifest, tables, [folder.out / p for p in manifest.plots])


# --------------------------------------------------------------------- the analyses


def _is_batch(folder: Folder) -> bool:
    return folder.kind == "batch"


def _has_variants(folder: Folder) -> bool:
    return _is_batch(folder) and len(folder.batch.design.variants) >= 2


def _has_sensitivity(folder: Folder) -> bool:
    return _is_batch(folder) and bool(folder.batch.design.sensitivity)


def _comparison(folder: Folder) -> list[str]:
    """The paired comparison of the variants (:func:`spacesim.analysis.comparison.write_batch_comparison`); its account
    goes to the manifest's ``comparison``."""
    from .comparison import write_batch_comparison

    record: ComparisonRecord | None = write_batch_comparison(folder.out, folder.batch, folder.runs)
    folder.batch.comparison = record
    return [record.table] if record is not None else []


def _sensitivity(folder: Folder) -> list[str]:
    """The indices of a sensitivity batch (:func:`spacesim.analysis.sensitivity.write_sensitivity`) at the sample the experiment layer drew.

    The account goes to the manifest's ``sensitivity``.
    """
    from ..experiment.sampling import sensitivity_design
    from ..scenario.experiment import SensitivitySpec
    from .sensitivity import write_sensitivity

    manifest = folder.batch
    spec = SensitivitySpec.model_validate(manifest.design.sensitivity)
    seed = manifest.base_seed
    x = sensitivity_design(spec, seed)
    account = SensitivityRecord.model_validate(
        write_sensitivity(folder.out, spec, x, folder.runs, folder.steps, seed=seed)
    )  # steps: windows and the indices over time
    manifest.sensitivity = account
    return [account.table, *account.extra_tables] if account.table else []


def draw_summary_plots(folder: Folder) -> list[Path]:
    """Draw a batch's summary plots into ``plots/`` from its tables, the old pictures removed first.

    The experiment's plot kinds, the sensitivity plots, the comparison's forest plot.
    """
    from .batch_plots import batch_context, draw_batch_plots

    out, manifest = folder.out, folder.batch
    plots_dir = out / "plots"
    plots_dir.mkdir(exist_ok=True)
    for old in plots_dir.glob("*.png"):
        old.unlink()
    paths = draw_batch_plots(
        plots_dir,
        folder.runs,
        folder.steps,
        folder.table("partnerships"),
        folder.table("nations"),
        manifest.design,
        manifest.outcomes,
        manifest.plot_kinds,
        manifest.experiment.name,
        context=batch_context(out, manifest),
    )
    sensitivity = folder.table("sensitivity")
    if sensitivity is not None:
        from .sensitivity import draw_sensitivity_plots

        sens = manifest.sensitivity
        noise, verdicts = (sens.noise, sens.verdicts()) if sens else (None, None)
        checks, over_time = folder.table("sensitivity_convergence"), folder.table("sensitivity_over_time")
        paths += draw_sensitivity_plots(plots_dir, sensitivity, noise, verdicts, checks, over_time)
    if _has_variants(folder):
        from .comparison import draw_batch_forest

        paths += draw_batch_forest(out, manifest, folder.runs)
    return paths


def _batch_plots(folder: Folder) -> list[str]:
    return [f"plots/{p.name}" for p in draw_summary_plots(folder)]


def draw_single_run_plots(folder: Folder) -> list[Path]:
    """Draw a single run's plots into ``plots/`` from its tables, headed by the scenario, seed and levers (:func:`spacesim.analysis.plots.run_context`)."""
    from .plots import draw_run_plots, run_context

    steps, nations, partnerships = folder.steps, folder.table("nations"), folder.table("partnerships")
    if nations is None or partnerships is None:
        missing = ", ".join(f"{n}.parquet" for n, t in (("nations", nations), ("partnerships", partnerships)) if t is None)
        raise InputError.single(folder.out, "", f"not a run's result folder: missing {missing}")
    run_id = int(steps["run_id"].min())

    def pick(df: pd.DataFrame) -> pd.DataFrame:
        return df[df["run_id"] == run_id].drop(columns="run_id")

    runs, manifest = folder.table("runs"), folder.manifest
    if runs is None:
        runs = pd.DataFrame()
    name = str(runs["scenario"].iloc[0]) if "scenario" in runs.columns else manifest.scenario.name or folder.out.name
    seeds = manifest.seeds if isinstance(manifest, RunManifest) else {}
    seed = next(iter(seeds.values())) if seeds else (int(runs["seed"].iloc[0]) if "seed" in runs.columns else None)
    context = run_context(name, seed, manifest.steps, manifest.scenario.step_meaning, manifest.scenario.start_year, manifest.parameters)
    return draw_run_plots(pick(steps), pick(nations), pick(partnerships), folder.out / "plots", context=context)


def _run_plots(folder: Folder) -> list[str]:
    return [f"plots/{p.name}" for p in draw_single_run_plots(folder)]


register(Analysis("comparison", _has_variants, _comparison))
register(Analysis("sensitivity", _has_sensitivity, _sensitivity))
register(Analysis("batch plots", _is_batch, _batch_plots, draws=True))
register(Analysis("run plots", lambda folder: folder.kind == "run", _run_plots, draws=True))

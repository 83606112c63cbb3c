"""The result folder's contract: what ``manifest.json`` holds, as versioned pydantic models, read and written through :class:`ResultFolder`.

A manifest is one of three kinds: a single run (:class:`RunManifest`), a
batch (:class:`BatchManifest`, with its design, replication, sensitivity,
comparison and session sections) or a calibration
(:class:`CalibrationManifest`). Every manifest written now carries
``manifest_version`` (:data:`MANIFEST_VERSION`). Reading one:

* version 2 (this one) is read as it is;
* version 1, a manifest without ``manifest_version`` (written before the
  contract existed, same shape), is read and upgraded in memory; it is
  written back as version 2 only when spacesim writes that folder again
  (a resume, a retry);
* a later version, an unknown kind, or a field missing or of the wrong type
  is refused: :class:`~spacesim.scenario.errors.InputError` (exit status 2)
  naming the file, the field and what is wrong.

Nothing outside this module looks a manifest's keys up by string: the
writers build these models, the readers use their attributes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from ..scenario.errors import InputError
from .folder import write_json_atomic

#: The version of the manifest this code writes. 1: manifests without a version (before the typed contract); 2:
#: ``manifest_version`` recorded, a batch's ``comparison`` section.
MANIFEST_VERSION = 2

#: The versions this code reads (older ones are upgraded in memory).
READABLE_VERSIONS = (1, 2)

#: The manifest's file name in a result folder.
MANIFEST = "manifest.json"


class _Section(BaseModel):
    """A part of a manifest whose fields are all known: an unknown one is refused (a hand edit, or a newer writer)."""

    model_config = ConfigDict(extra="forbid")


class _OpenSection(BaseModel):
    """A part of a manifest that may hold more than the fields read here (kept as written)."""

    model_config = ConfigDict(extra="allow")


class CodeIdentity(_OpenSection):
    """spacesim's version and the hash of its source (a resume refuses other code)."""

    version: str | None = None
    sha256: str | None = None


class RunCounts(_Section):
    total: int = 0
    completed: int = 0
    failed: int = 0


class ExperimentRecord(_Section):
    """The experiment file a batch ran: its name, file, hash and settings as loaded."""

    name: str
    description: str | None = None
    file: str | None = None
    sha256: str | None = None
    spec: dict[str, Any] | None = None

    @property
    def sensitivity_method(self) -> str | None:
        """The sensitivity method the experiment file names (``None`` without a sensitivity section)."""
        sensitivity = (self.spec or {}).get("sensitivity")
        return sensitivity.get("method") if isinstance(sensitivity, dict) else None


class ScenarioRecord(_Section):
    """The scenario a run or batch used."""

    name: str | None = None
    description: str | None = None
    file: str | None = None
    sha256: str | None = None
    spec: dict[str, Any] | None = None

    def _listed(self, key: str) -> list[Any] | None:
        value = (self.spec or {}).get(key)
        return value if isinstance(value, list) else None

    @property
    def step_meaning(self) -> str | None:
        """What one step is (a run's manifest records the scenario's settings)."""
        return (self.spec or {}).get("step_meaning")

    @property
    def start_year(self) -> int | None:
        """The calendar year of step 0 (a run's manifest records the scenario's settings; ``None`` when not recorded)."""
        year = (self.spec or {}).get("start_year")
        return int(year) if isinstance(year, (int, float)) and not isinstance(year, bool) else None

    @property
    def nations(self) -> int | None:
        """How many nations the scenario declares (``None`` when not recorded)."""
        nations = self._listed("nations")
        return len(nations) if nations is not None else None

    @property
    def frameworks(self) -> list[str]:
        """The names of the scenario's frameworks."""
        return [str(f.get("name", f.get("code", ""))) for f in self._listed("frameworks") or [] if isinstance(f, dict)]

    @property
    def events(self) -> int | None:
        """How many events the scenario schedules (``None`` when not recorded)."""
        events = self._listed("events")
        return len(events) if events is not None else None


class SampleRecord(_Section):
    """A sampled design: the method, the number of points and each parameter's range."""

    method: str
    n: int
    ranges: dict[str, list[Any]]


class AdaptiveRule(_OpenSection):
    """Adaptive replication as the experiment file sets it: rounds until the interval of ``outcome`` is at most
    ``target_halfwidth`` wide, ``min`` to ``max`` replicates."""

    outcome: str
    target_halfwidth: float
    min: int
    max: int


class DesignRecord(_Section):
    """A batch's design: the parameters varied, the points (each a mapping of settings), the variants and replicates."""

    varied: list[str] = Field(default_factory=list)
    grid: dict[str, list[Any]] | None = None
    sample: SampleRecord | None = None
    points: list[dict[str, Any]] = Field(default_factory=list)
    variants: dict[str, dict[str, Any]] = Field(default_factory=dict)
    replicates: int = 1
    adaptive: AdaptiveRule | None = None
    sensitivity: dict[str, Any] | None = None
    runs: int | None = None

    @property
    def sampled(self) -> bool:
        """Whether the points were drawn by a sampler (not a grid)."""
        return self.sample is not None


#: A design as the plots take it: the manifest's section, or the same as plain data (a notebook's dict).
DesignLike = DesignRecord | dict[str, Any]


def as_design(design: DesignLike) -> DesignRecord:
    """``design`` as a :class:`DesignRecord` (a dict is checked like a manifest's design section).

    >>> as_design({"varied": ["x"], "points": [{"x": 1}], "variants": {"a": {}}}).varied
    ['x']
    """
    return design if isinstance(design, DesignRecord) else DesignRecord.model_validate(design)


class VariantEstimateRecord(_Section):
    variant: str
    replicates: int
    mean: float | None = None
    halfwidth: float | None = None
    within_target: bool


class PointRecord(_Section):
    """Where adaptive replication stopped a design point (``mean``: the pooled mean that writers before the per-variant record gave)."""

    point: int
    replicates: int
    mean: float | None = None
    halfwidth: float | None = None
    widest_variant: str | None = None
    stopped: str | None = None
    variants: list[VariantEstimateRecord] = Field(default_factory=list)


class ReplicationRecord(_Section):
    """Adaptive replication: the rule, the rounds it took and where each design point stopped."""

    outcome: str
    statistic: str | None = None
    target_halfwidth: float
    min: int
    max: int
    rule: str | None = None
    rounds: int
    points: list[PointRecord]


class ConvergenceVerdict(_Section):
    """Whether the sensitivity's samples were enough for an outcome (``None``: the check cannot tell), and why not."""

    enough: bool | None
    reasons: list[str] = Field(default_factory=list)


class WindowedOutcome(_Section):
    """A sensitivity outcome summarised as its mean over a window of steps."""

    outcome: str
    window: list[int] | None = None


class SensitivityRecord(_Section):
    """How a batch's sensitivity indices were estimated, and the tables holding them (``table`` is ``None`` and ``error`` says why when they could not be)."""

    method: str
    parameters: list[dict[str, Any]] | dict[str, Any] = Field(default_factory=list)
    samples: int | None = None
    points: int | None = None
    second_order: bool | None = None
    levels: int | None = None
    resamples: int | None = None
    outcomes: list[str | WindowedOutcome] = Field(default_factory=list)
    sampler: str | None = None
    analyser: str | None = None
    seed: int | None = None
    table: str | None = None
    noise: dict[str, float | None] = Field(default_factory=dict)
    convergence: dict[str, ConvergenceVerdict] = Field(default_factory=dict)
    extra_tables: list[str] = Field(default_factory=list)
    error: str | None = None

    def verdicts(self) -> dict[str, dict[str, Any]]:
        """The convergence verdicts as plain data (outcome -> enough, reasons), as the sensitivity analysis reads them."""
        return {name: verdict.model_dump() for name, verdict in self.convergence.items()}


class ComparisonRecord(_Section):
    """The paired comparison of variants: its table and how its intervals were computed."""

    table: str
    outcomes: list[str]
    resamples: int
    seed: int
    confidence: float
    method: str


class SessionRecord(_Section):
    """One sitting of a batch (the first run, each resume or retry)."""

    started: str | None = None
    executor: str | None = None
    workers: int | None = None
    cluster: str | None = None
    command: list[str] | str | None = None
    chunks_to_run: int | None = None
    chunks_run: int | None = None
    set_aside: list[str] | None = None
    retried_failed: int | None = None
    finished: str | None = None
    stopped: str | None = None
    stopped_because: str | None = None


class _Manifest(BaseModel):
    """What every manifest holds: its version, status, package versions, times, tables and plots."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    manifest_version: int = MANIFEST_VERSION
    status: str | None = None
    versions: dict[str, Any] = Field(default_factory=dict)
    started: str | None = None
    finished: str | None = None
    tables: list[str] = Field(default_factory=list)
    plots: list[str] = Field(default_factory=list)

    @property
    def completed(self) -> bool:
        return self.status == "completed"


class _SimulationManifest(_Manifest):
    """A run's or a batch's: the code that simulated (a resume refuses other code), the git revision and the runs' counts."""

    code: CodeIdentity | None = None
    git_revision: str | None = None
    runs: RunCounts = Field(default_factory=RunCounts)


class RunManifest(_SimulationManifest):
    """A single run's folder (``spacesim run``)."""

    kind: Literal["run"] = "run"
    scenario: ScenarioRecord = Field(default_factory=ScenarioRecord)
    parameters: dict[str, Any] = Field(default_factory=dict)
    seeds: dict[str, int] = Field(default_factory=dict)
    steps: int | None = None
    command: list[str] | str | None = None


class BatchManifest(_SimulationManifest):
    """A batch's folder (``spacesim batch`` and ``spacesim sensitivity``)."""

    kind: Literal["batch"] = "batch"
    experiment: ExperimentRecord
    scenario: ScenarioRecord = Field(default_factory=ScenarioRecord)
    parameters: dict[str, Any] = Field(default_factory=dict)
    fixed_overrides: dict[str, Any] = Field(default_factory=dict)
    steps: int | None = None
    base_seed: int = 0
    seeding: str | None = None
    design: DesignRecord = Field(default_factory=DesignRecord)
    outcomes: list[str] = Field(default_factory=list)
    plot_kinds: list[str] = Field(default_factory=list)
    kept_tables: list[str] = Field(default_factory=list)
    chunk_size: int = Field(default=1, ge=1)
    chunks: int | None = None
    sessions: list[SessionRecord] = Field(default_factory=list)
    replication: ReplicationRecord | None = None
    sensitivity: SensitivityRecord | None = None
    comparison: ComparisonRecord | None = None

    @property
    def session(self) -> SessionRecord:
        """The latest session (:class:`IndexError` before the first)."""
        return self.sessions[-1]


class CalibrationFileRecord(_Section):
    """The calibration file a calibration ran: its path, SHA-256 (``None`` when it was not read from a file) and its
    settings as loaded (:class:`spacesim.calibration.spec.CalibrationSpec`, which this layer cannot import)."""

    file: str
    sha256: str | None = None
    spec: dict[str, Any] = Field(default_factory=dict)


class CalibrationScenarioRecord(_Section):
    """The scenario a calibration simulated: its file, name, steps and calendar."""

    file: str
    name: str
    steps: int
    start_year: int
    step_meaning: str


class PriorRecord(_Section):
    """A fitted parameter's prior: its kind, a sentence for readers and its parameters (those its kind uses; the others ``None``)."""

    prior: str
    described: str
    low: float | None = None
    high: float | None = None
    mean: float | None = None
    sd: float | None = None


class PatternRecord(_Section):
    """An observed pattern: what it compares, on which framework, its weight, whether it is held out of the fit, and
    the observed nations the scenario does not model."""

    name: str
    kind: str
    framework: str
    weight: float
    held_out: bool
    step: int
    described: str
    not_in_scenario: list[str] = Field(default_factory=list)


class GenerationRecord(_Section):
    """A stored ABC-SMC generation (``t`` -1: pyabc's sample of the prior that calibrates the distance; its
    ``epsilon`` is ``None``): simulations run, particles accepted, acceptance rate and when it ended."""

    t: int
    epsilon: float | None = None
    simulations: int
    accepted: int
    acceptance: float | None = None
    end: str

    @property
    def fitted(self) -> bool:
        """Whether this is a generation of the fit (not the prior's calibration sample)."""
        return self.t >= 0


class PosteriorSummaryRecord(_Section):
    """A fitted parameter's posterior: weighted mean, sd, median and 5%/95% quantiles."""

    mean: float
    sd: float
    median: float
    q05: float
    q95: float


class CalibrationManifest(_Manifest):
    """A calibration's folder (``spacesim calibrate``): what was fitted to what (the calibration file, scenario,
    priors, patterns, settings, seed, the files read with their SHA-256), how it went (the generations, simulations,
    seconds, workers, what stopped it, each resume) and the posterior's summary.

    ``status`` is ``running`` while it fits, ``stopped`` after Ctrl-C (``--resume`` continues it) and ``completed``
    once the posterior, the tables and the plots are written; the fields written only then are empty before.
    """

    kind: Literal["calibration"] = "calibration"
    name: str
    description: str | None = None
    calibration: CalibrationFileRecord
    scenario: CalibrationScenarioRecord
    #: Every file read (the calibration file, the scenario, observed histories) -> its SHA-256.
    files: dict[str, str] = Field(default_factory=dict)
    priors: dict[str, PriorRecord]
    fixed_parameters: dict[str, bool | int | float] = Field(default_factory=dict)
    patterns: list[PatternRecord]
    #: The calibration file's ``abc`` settings as loaded (:class:`spacesim.calibration.spec.AbcSettings`).
    settings: dict[str, Any] = Field(default_factory=dict)
    seed: int
    git: str | None = None
    python: str | None = None
    command: str | None = None
    stopped_by: str | None = None
    generations: list[GenerationRecord] = Field(default_factory=list)
    simulations: int = 0
    seconds: float = 0.0
    workers: int | None = None
    posterior_summary: dict[str, PosteriorSummaryRecord] = Field(default_factory=dict)
    #: When each resume started.
    resumed: list[str] = Field(default_factory=list)

    @property
    def fitted_generations(self) -> list[GenerationRecord]:
        """The generations of the fit (without pyabc's sample of the prior)."""
        return [g for g in self.generations if g.fitted]

    def pattern(self, name: str) -> PatternRecord:
        """The pattern called ``name`` (:class:`KeyError` if none is)."""
        for p in self.patterns:
            if p.name == name:
                return p
        raise KeyError(name)


Manifest = Annotated[RunManifest | BatchManifest | CalibrationManifest, Field(discriminator="kind")]
_ADAPTER: TypeAdapter[RunManifest | BatchManifest | CalibrationManifest] = TypeAdapter(Manifest)

#: The kinds of manifest spacesim writes.
KINDS = ("run", "batch", "calibration")
#: The command that writes each kind of folder.
_COMMAND = {"run": "run", "batch": "batch", "calibration": "calibrate"}


def _upgrade(data: dict[str, Any], path: Path) -> dict[str, Any]:
    """A manifest of an older version brought to :data:`MANIFEST_VERSION` (in memory); :class:`InputError` for a version this code cannot read."""
    version = data.get("manifest_version", 1)
    if not isinstance(version, int) or isinstance(version, bool):
        raise InputError.single(path, "manifest_version", f"must be an integer, not {json.dumps(version)}")
    if version > MANIFEST_VERSION:
        raise InputError.single(
            path,
            "manifest_version",
            f"{version}: written by a newer spacesim (this one reads versions {READABLE_VERSIONS[0]}-{MANIFEST_VERSION}); use that version to read it",
        )
    if version not in READABLE_VERSIONS:
        raise InputError.single(
            path, "manifest_version", f"{version} is not a manifest version spacesim ever wrote (it reads {READABLE_VERSIONS[0]}-{MANIFEST_VERSION})"
        )
    if version == 1:  # the same shape without a version (and without a comparison section)
        data = {**data, "manifest_version": 2}
    return data


def parse_manifest(data: Any, path: str | Path = MANIFEST) -> RunManifest | BatchManifest | CalibrationManifest:
    """A manifest's JSON as its model (upgraded from an older version); :class:`InputError` naming ``path``, the field and what is wrong otherwise.

    >>> parse_manifest({"kind": "run", "status": "completed"}).manifest_version
    2
    >>> parse_manifest({"kind": "run", "steps": "many"})
    Traceback (most recent call last):
    ...
    spacesim.scenario.errors.InputError: manifest.json: steps: Input should be a valid integer, unable to parse string as an integer (got "many")
    """
    path = Path(path)
    if not isinstance(data, dict):
        raise InputError.single(path, "", f"the manifest is a JSON {type(data).__name__}, not an object: not a manifest of spacesim")
    if data.get("kind") not in KINDS:
        raise InputError.single(path, "kind", f"{data.get('kind')!r} is not a kind of spacesim result folder ({', '.join(KINDS)})")
    data = _upgrade(data, path)
    try:
        return _ADAPTER.validate_python(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"][1:]) or "kind"  # the first part is the kind's model
        got = f" (got {json.dumps(error['input'], default=str)[:60]})" if error["type"] != "missing" else ""
        more = f"; and {len(exc.errors()) - 1} more" if len(exc.errors()) > 1 else ""
        raise InputError.single(path, where, f"{error['msg']}{got}{more}") from None


def dump_manifest(manifest: RunManifest | BatchManifest | CalibrationManifest) -> dict[str, Any]:
    """The manifest as the JSON object written (every field, ``None`` included, so that a reader sees what was not recorded)."""
    return manifest.model_dump(mode="json")


#: What a batch manifest must hold for a resume, and of what type (checked before the model, for messages that say how to recover).
_RESUMABLE_SHAPE: dict[str, type] = {
    "kind": str,
    "status": str,
    "experiment": dict,
    "scenario": dict,
    "design": dict,
    "chunk_size": int,
    "code": dict,
    "sessions": list,
    "runs": dict,
    "outcomes": list,
}


def _check_resumable_shape(data: Any, path: Path, again: str) -> None:
    """:class:`InputError` naming the first key of a batch manifest that is missing or of the wrong type."""
    if not isinstance(data, dict):
        raise InputError.single(path, "", f"the manifest is a JSON {type(data).__name__}, not an object; restore it, or {again}")
    for key, kind in _RESUMABLE_SHAPE.items():
        if key not in data:
            hint = " (written by a spacesim that did not record its code, so resuming cannot tell whether the code changed)" if key == "code" else ""
            raise InputError.single(path, key, f"missing{hint}; the manifest cannot be resumed: restore it, or {again}")
        value = data[key]
        if not isinstance(value, kind) or isinstance(value, bool):
            raise InputError.single(
                path,
                key,
                f"must be {'an integer' if kind is int else 'a JSON ' + kind.__name__.replace('dict', 'object')}, not {json.dumps(value)}; restore "
                f"the manifest, or {again}",
            )
    if data["chunk_size"] < 1:
        raise InputError.single(path, "chunk_size", f"must be at least 1, not {data['chunk_size']}; restore the manifest, or {again}")
    for section in ("experiment", "scenario", "code"):
        if not isinstance(data[section].get("sha256"), str):
            raise InputError.single(path, f"{section}.sha256", f"missing or not a string; restore the manifest, or {again}")


class ResultFolder:
    """A result folder of spacesim as its readers and writers see it: the manifest (typed), its tables and files.

    ``ResultFolder(path).read(kind="batch")`` checks the folder and returns
    its manifest; ``write(manifest)`` replaces the manifest atomically.
    Opening a folder does not lock it: the writers lock it first
    (:class:`~spacesim.output.folder.FolderLock`).

    >>> import tempfile, pathlib
    >>> folder = ResultFolder(pathlib.Path(tempfile.mkdtemp()))
    >>> folder.write(RunManifest(status="completed"))
    >>> folder.manifest.kind, folder.manifest.manifest_version
    ('run', 2)
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._manifest: RunManifest | BatchManifest | CalibrationManifest | None = None

    @property
    def manifest_path(self) -> Path:
        return self.path / MANIFEST

    @property
    def manifest(self) -> RunManifest | BatchManifest | CalibrationManifest:
        """The manifest (read, without checks of kind or status, on first use)."""
        if self._manifest is None:
            self._manifest = self.load()
        return self._manifest

    def _json(self) -> Any:
        path = self.manifest_path
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InputError.single(self.path, "", "no manifest.json: not a result folder of spacesim") from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError.single(path, "", f"cannot read the manifest ({exc})") from None

    @property
    def kind(self) -> str | None:
        """The kind the manifest says (``run``, ``batch``, ``calibration``), without checking the rest; ``None`` without a readable manifest."""
        try:
            data = self._json()
        except InputError:
            return None
        return data.get("kind") if isinstance(data, dict) and data.get("kind") in KINDS else None

    def load(self) -> RunManifest | BatchManifest | CalibrationManifest:
        """Read and check ``manifest.json`` as it is now."""
        self._manifest = parse_manifest(self._json(), self.manifest_path)
        return self._manifest

    def read(self, *, kind: str | None = None, finished: bool = True, needed_for: str = "this") -> Any:
        """The folder's manifest, checked; :class:`InputError` naming the folder and what is wrong otherwise.

        ``kind`` ("run", "batch" or "calibration") requires that kind of
        folder; ``finished`` requires status "completed" and ``runs.parquet``
        (for runs and batches). ``needed_for`` ends the messages ("a paired
        comparison needs ...").
        """
        folder = self.path
        made_by = "spacesim calibrate" if kind == "calibration" else "spacesim run or spacesim batch"
        if not folder.exists():
            raise InputError.single(folder, "", "no such result folder")
        if not folder.is_dir():
            raise InputError.single(folder, "", f"not a folder; give the result folder of {made_by}")
        if not self.manifest_path.exists():
            raise InputError.single(folder, "", f"no manifest.json: not a result folder of {made_by}")
        data = self._json()
        if not isinstance(data, dict) or data.get("kind") not in KINDS:
            return parse_manifest(data, self.manifest_path)  # refused, saying why
        found, status = data["kind"], data.get("status")
        if kind is not None and found != kind:
            raise InputError.single(
                self.manifest_path, "kind", f"not a {kind} result folder (kind {found!r}); {needed_for} needs the folder of spacesim {_COMMAND[kind]}"
            )
        if finished and found != "calibration" and status != "completed":  # said before any other fault of an unfinished folder
            hint = ""
            if found == "batch":
                try:
                    hint = f" (finish it with {resume_command(parse_manifest(data, self.manifest_path), folder)})"  # type: ignore[arg-type]
                except InputError:
                    hint = f" (finish it with {resume_command(None, folder)})"
            raise InputError.single(
                self.manifest_path, "status", f"the {found} is {status or 'of unknown status'}, not completed: {needed_for} needs a finished {found}{hint}"
            )
        self._manifest = manifest = parse_manifest(data, self.manifest_path)
        if finished and found != "calibration" and not self.has("runs"):
            raise InputError.single(folder, "", "missing runs.parquet: not a finished result folder")
        return manifest

    def read_for_resume(self, again: str, another_out: str = "another --out") -> BatchManifest:
        """The batch manifest a resume or a retry continues; :class:`InputError` naming the first field that is missing
        or of the wrong type (a hand-edited or foreign manifest), never a crash.

        ``again`` ends the messages (how to start the batch again instead).
        """
        path = self.manifest_path
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError.single(path, "", f"cannot read the batch manifest ({exc})") from None
        _check_resumable_shape(data, path, again)
        if data["kind"] != "batch":
            raise InputError.single(path, "kind", f"this folder holds a {data['kind']}, not a batch; choose {another_out}")
        manifest = parse_manifest(data, path)
        assert isinstance(manifest, BatchManifest)
        self._manifest = manifest
        return manifest

    def write(self, manifest: RunManifest | BatchManifest | CalibrationManifest, durable: bool = False) -> None:
        """Replace the manifest atomically (written at :data:`MANIFEST_VERSION`)."""
        manifest.manifest_version = MANIFEST_VERSION
        write_json_atomic(self.manifest_path, dump_manifest(manifest), durable=durable)
        self._manifest = manifest

    def has(self, table: str) -> bool:
        """Whether the folder holds ``table``.parquet."""
        return (self.path / f"{table}.parquet").exists()

    def table(self, name: str) -> pd.DataFrame:
        """``name``.parquet of the folder."""
        return pd.read_parquet(self.path / f"{name}.parquet")

    def resume_command(self) -> str:
        """The command that finishes the batch in this folder (see :func:`resume_command`)."""
        manifest = self.manifest
        return resume_command(manifest if isinstance(manifest, BatchManifest) else None, self.path)


def resume_command(manifest: BatchManifest | None, out: str | Path) -> str:
    """The command that finishes the batch a manifest describes: ``spacesim sensitivity FILE --method M ...`` for a
    sensitivity batch, else ``spacesim batch FILE ...``.

    >>> resume_command(BatchManifest(experiment={"name": "s", "file": "exp/s.yaml", "spec": {"sensitivity": {"method": "morris"}}}), "res/m")
    'spacesim sensitivity exp/s.yaml --out res/m --resume --method morris'
    >>> resume_command(BatchManifest(experiment={"name": "b", "file": "my exp.yaml", "spec": {"sensitivity": None}}), "res/b")
    "spacesim batch 'my exp.yaml' --out res/b --resume"
    """
    import shlex

    experiment = manifest.experiment if manifest is not None else None
    method = experiment.sensitivity_method if experiment is not None else None
    sensitivity = experiment is not None and isinstance((experiment.spec or {}).get("sensitivity"), dict)
    words = [
        "spacesim",
        "sensitivity" if sensitivity else "batch",
        str((experiment.file if experiment else None) or "EXPERIMENT.yaml"),
        "--out",
        str(out),
        "--resume",
    ]
    if method:
        words += ["--method", str(method)]  # the batch may have been started with --method
    return " ".join(shlex.quote(w) for w in words)

"""Experiment files: a base scenario, what to vary, how often, what to summarise.

An experiment file is YAML with ``schema_version`` and a ``scenario`` (the
path of the base scenario file, relative to the experiment file). It may
override any parameter of the scenario (``parameters``), vary parameters
across design points (``vary``: a full factorial over explicit lists under
``grid``, and/or ranges sampled by Latin hypercube or Sobol' sequence under
``sample``), compare named policy ``variants`` under common random numbers,
and say how many ``replicates`` to run from which base ``seed``, for how many
``steps``, which ``outcomes`` to summarise and which ``plots`` to draw.

Every problem is reported with the file, the field path, the line and what
is wrong, as for scenario files.
"""

from __future__ import annotations

import math
import os
import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, PlainValidator, StrictBool, StrictInt, Tag, ValidationError
from pydantic_core import PydanticCustomError

from ..catalogue import STEP_OUTCOMES, renamed_hint
from ..parameters import PARAMETERS_BY_NAME
from .errors import InputError, Problem
from .inputfile import NOT_FOUND
from .loader import _line, _suggest, apply_overrides, is_experiment_data, is_scenario_data, load_scenario, pydantic_problems
from .schema import Float, Int, ScenarioSpec, Seed, Strict
from .yamlfile import LineMap, dotted_path, parse_yaml, read_yaml


def _number(value: Any) -> int | float:
    """A YAML number as it was written (an int stays an int); anything else, true/false included, is refused."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PydanticCustomError("number_type", "must be a number")
    return value


def _value(value: Any) -> bool | int | float:
    """A parameter's value: a number or true/false, as it was written."""
    if not isinstance(value, bool | int | float):
        raise PydanticCustomError("value_type", "must be a number or true/false")
    return value


def _optional_number(value: Any) -> int | float | None:
    return None if value is None else _number(value)


#: A number, int or float as written (``StrictInt | StrictFloat`` would say "valid integer" for ``low: a``).
Number = Annotated[int | float, PlainValidator(_number)]
OptionalNumber = Annotated[int | float | None, PlainValidator(_optional_number)]
#: A parameter's value: true/false or a number.
Value = Annotated[bool | int | float, PlainValidator(_value)]

#: Outcomes summarised when the experiment names none.
DEFAULT_OUTCOMES = ("n_bilateral", "n_memberships", "mean_trust", "collective_security", "debris", "threat_level")


class SampleMethod(StrEnum):
    """How ranges are sampled."""

    latin_hypercube = "latin_hypercube"
    sobol = "sobol"


class PlotKind(StrEnum):
    """Summary plots a batch can draw."""

    envelope = "envelope"
    heatmap = "heatmap"
    distribution = "distribution"
    network = "network"
    scatter = "scatter"


class Table(StrEnum):
    """Per-run tables a batch may keep beside ``runs`` and ``steps`` (which it always keeps), in the order they are written.

    The one declaration of the per-run tables: a single run writes ``runs``,
    ``steps`` and each of these (``spacesim.output.folder.TABLES``), each
    built by the ``RunResult`` property of the same name.
    """

    nations = "nations"
    events = "events"
    partnerships = "partnerships"
    revisions = "revisions"


class SampleSpec(Strict):
    """Ranges sampled by a space-filling design."""

    method: SampleMethod
    n: Int = Field(ge=1, le=1_000_000, description="Number of design points drawn.")
    ranges: dict[str, tuple[Number, Number]] = Field(min_length=1)


class Distribution(StrEnum):
    """How a sensitivity analysis draws a parameter within its range."""

    uniform = "uniform"
    triangular = "triangular"
    truncnorm = "truncnorm"


class ParameterRange(Strict):
    """A parameter's range (and distribution) in a sensitivity analysis.

    ``uniform`` on [low, high] by default; ``triangular`` with its mode at
    ``peak``; ``truncnorm`` (a normal of ``mean`` and ``sd`` cut to [low, high]).
    """

    low: Number
    high: Number
    distribution: Distribution = Distribution.uniform
    peak: OptionalNumber = Field(None, description="Mode of a triangular distribution, in the parameter's units.")
    mean: OptionalNumber = Field(None, description="Mean of the normal before truncation (truncnorm).")
    sd: OptionalNumber = Field(None, description="Standard deviation of the normal before truncation (truncnorm).")


class WindowOutcome(Strict):
    """An outcome summarised as its mean over a window of steps (both ends included)."""

    outcome: str
    window: tuple[StrictInt, StrictInt]


def _mapping_or(scalar: str, mapping: str) -> Any:
    """Pick a union's branch by the value's shape, so that a mapping is told what is wrong inside it (not also that it is not a number)."""
    return Discriminator(lambda value: mapping if isinstance(value, dict | Strict) else scalar)  # a mapping when read, a model when written


#: A sensitivity outcome: a name (its final value) or ``{outcome, window}``.
SensitivityOutcome = Annotated[Annotated[str, Tag("str")] | Annotated[WindowOutcome, Tag("WindowOutcome")], _mapping_or("str", "WindowOutcome")]


#: SALib methods a sensitivity section can ask for (spacesim.analysis.sensitivity.METHODS says how each samples and analyses).
SENSITIVITY_METHODS = ("sobol", "morris", "fast", "rbd_fast", "delta", "pawn", "dgsm")
#: FAST needs more than 4 M^2 points per search curve (M = 4, SALib's default).
FAST_MIN_SAMPLES = 65


class SensitivitySpec(Strict):
    """A global sensitivity analysis: parameters with ranges, outcomes, method and sample size."""

    method: Literal[*SENSITIVITY_METHODS] = "sobol"  # type: ignore[valid-type]
    samples: Int = Field(
        ge=2,
        le=65_536,
        description="Sobol': base sample N (a power of two; N(2D+2) points with second order, N(D+2) without). Morris: trajectories (N(D+1) points). "
        "FAST: points per search curve (N D points, N > 64). RBD-FAST, delta, PAWN: Latin hypercube points. DGSM: base points (N(D+1) points).",
    )
    second_order: StrictBool = Field(True, description="Sobol' only: also estimate second-order indices.")
    levels: Int = Field(4, ge=2, le=64, description="Morris only: levels of the grid (even).")
    resamples: Int = Field(1000, ge=100, le=100_000, description="Bootstrap resamples for the confidence intervals.")
    parameters: dict[str, ParameterRange] = Field(min_length=2)
    outcomes: list[SensitivityOutcome] = Field(
        min_length=1, description="An outcome name (its final value) or {outcome, window: [first, last]} (its mean over those steps)."
    )


class AdaptiveReplicates(Strict):
    """Replicates added per design point in rounds until the outcome's 95% interval is narrow enough."""

    target_halfwidth: Float = Field(gt=0, description="Stop a point when the 95% interval of the outcome's mean is at most this wide on each side.")
    outcome: str
    min: Int = Field(3, ge=2, le=100_000, description="Replicates of every point in the first round.")
    max: Int = Field(ge=2, le=100_000, description="A point stops at this many replicates even if the target is not reached.")


#: Replicates: a number per point and variant, or an adaptive rule.
Replicates = Annotated[
    Annotated[Int, Field(ge=1, le=100_000), Tag("int")] | Annotated[AdaptiveReplicates, Tag("AdaptiveReplicates")], _mapping_or("int", "AdaptiveReplicates")
]


class VarySpec(Strict):
    """What differs between design points."""

    grid: dict[str, list[Value]] = Field(default_factory=dict, description="Full factorial over explicit lists.")
    sample: SampleSpec | None = None


class ParametersFrom(Strict):
    """Rule parameters drawn from a calibration's posterior: replicate r of every point and variant runs with draw r."""

    posterior: str = Field(min_length=1, description="A calibration folder (written by spacesim calibrate), relative to the experiment file.")
    draws: Int | None = Field(
        None,
        ge=1,
        le=100_000,
        description="Draws from the posterior (weighted, seeded by the experiment's seed); by default one per replicate. "
        "Replicates past the last draw start again from the first.",
    )


#: The table of a calibration folder that holds the posterior: a column per fitted parameter and ``weight``.
POSTERIOR_TABLE = "posterior.parquet"


class ExperimentSpec(Strict):
    """A whole experiment file, validated."""

    schema_version: Literal[1]
    name: str = Field(min_length=1)
    description: str = Field("", description="One line: what the experiment asks (optional).")
    scenario: str = Field(
        min_length=1, description="Base scenario: a file, relative to the experiment file, or the name of a shipped scenario (baseline, teaching_small, ...)."
    )
    steps: Int | None = Field(None, ge=1, le=100_000)
    replicates: Replicates = Field(
        10, description="Replicates per design point and variant, or {target_halfwidth, outcome, min, max} for adaptive replication."
    )
    seed: Seed = 0
    parameters: dict[str, Value] = Field(default_factory=dict, description="Overrides of the base scenario for every run.")
    vary: VarySpec = VarySpec()
    variants: dict[str, dict[str, Value]] = Field(default_factory=dict, description="Named lever settings run with the same seeds.")
    sensitivity: SensitivitySpec | None = Field(None, description="Sample the parameters for a Sobol' or Morris sensitivity analysis (instead of vary).")
    outcomes: list[str] = Field(default_factory=lambda: list(DEFAULT_OUTCOMES), min_length=1)
    plots: list[PlotKind] = Field(default_factory=lambda: list(PlotKind))
    tables: list[Table] = Field(default_factory=lambda: list(Table))
    chunk_size: Int | None = Field(None, ge=1, le=10_000, description="Runs per task; by default about four tasks per worker.")
    parameters_from: ParametersFrom | None = Field(None, description="Take the fitted rule parameters from a calibration's posterior, one draw per replicate.")


class Experiment:
    """A validated experiment with its resolved base scenario.

    ``spec`` is the file's content; ``scenario`` the base scenario with the
    experiment's ``parameters`` and ``steps`` applied; ``path`` and
    ``scenario_path`` where they were read from (``None`` for text).
    """

    def __init__(
        self, spec: ExperimentSpec, scenario: ScenarioSpec, path: Path | None, scenario_path: Path, lines: LineMap | None = None, filename: str | None = None
    ):
        self.spec = spec
        self.scenario = scenario
        self.path = path
        self.scenario_path = scenario_path
        self.lines = lines or {}
        self.filename = filename or (str(path) if path is not None else "<experiment>")

    @property
    def variant_names(self) -> list[str]:
        """Variant names in file order; ``["default"]`` when none are declared."""
        return list(self.spec.variants) or ["default"]

    def variant_settings(self, name: str) -> dict[str, Any]:
        """The lever settings of a variant (empty for ``default``)."""
        return dict(self.spec.variants.get(name, {}))

    @property
    def posterior_folder(self) -> Path | None:
        """The calibration folder named by ``parameters_from`` (resolved against the experiment file), or ``None``."""
        pf = self.spec.parameters_from
        if pf is None:
            return None
        base = self.path.parent if self.path is not None else Path(".")
        return Path(pf.posterior) if Path(pf.posterior).is_absolute() else (base / pf.posterior).resolve()

    @property
    def adaptive(self) -> AdaptiveReplicates | None:
        """The adaptive replication rule, or ``None`` for a fixed number of replicates."""
        r = self.spec.replicates
        return r if isinstance(r, AdaptiveReplicates) else None

    @property
    def max_replicates(self) -> int:
        """The most replicates any design point can get."""
        r = self.spec.replicates
        return r.max if isinstance(r, AdaptiveReplicates) else r

    def with_method(self, method: str | None, source: str = "--method") -> Experiment:
        """This experiment with its sensitivity ``method`` replaced (``None`` keeps it).

        The sensitivity section is checked again for the new method, as the
        file would be (a Sobol' sample size must be a power of two; a setting
        of the other method, such as ``second_order`` under Morris or
        ``levels`` under Sobol', is refused); each problem names the file,
        the line and the field, and says the method came from ``source``.
        Refused without a ``sensitivity`` section.
        """
        if method is None:
            return self
        if self.spec.sensitivity is None:
            raise InputError.single(
                self.filename,
                "sensitivity",
                "the experiment has no sensitivity section: declare the parameters, their ranges, the outcomes and the sample size there",
                self.lines.get(()),
            )
        if method not in SENSITIVITY_METHODS:
            raise InputError.single(source, "", f"unknown sensitivity method {method!r}; use one of {', '.join(SENSITIVITY_METHODS)}")
        if method == self.spec.sensitivity.method:
            return self
        sensitivity = self.spec.sensitivity.model_copy(update={"method": method})
        spec = self.spec.model_copy(update={"sensitivity": sensitivity})
        problems: list[Problem] = []

        def bad(loc: tuple, message: str) -> None:
            problems.append(Problem(self.filename, dotted_path(loc), message, _line(self.lines, loc)))

        _check_sensitivity(spec, self.scenario.steps, bad, method_from=source)
        if problems:
            raise InputError(problems)
        return Experiment(spec, self.scenario, self.path, self.scenario_path, self.lines, self.filename)

    def replace(self, **changes: Any) -> Experiment:
        """A copy with some fields changed, checked again as a file would be (the same checks and messages).

        Fields not changed keep what was given (the defaults stay defaults);
        a change replaces the whole field (``vary={"grid": {...}}``). The copy
        is not a file: :meth:`save` writes it to run a batch.

        >>> from spacesim import shipped_scenario
        >>> base = build_experiment(shipped_scenario("teaching_small"), name="clarity", steps=8, replicates=2)
        >>> base.replace(vary={"grid": {"legal_clarity": [0.2, 0.8]}}).spec.vary.grid, base.spec.vary.grid
        ({'legal_clarity': [0.2, 0.8]}, {})
        """
        data = self.spec.model_dump(mode="json", exclude_unset=True)
        data.update(changes)
        data["scenario"] = str(self.scenario_path)
        return experiment_from_data(data, PYTHON_SOURCE, None, base_dir=self.scenario_path.parent, path=None)

    def to_yaml(self) -> str:
        """The experiment as the text of an experiment file (the fields given; the scenario by its absolute path)."""
        import yaml

        data = self.spec.model_dump(mode="json", exclude_unset=True)
        data["scenario"] = str(self.scenario_path)
        data.setdefault("schema_version", 1)
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)

    def save(self, path: str | Path, force: bool = False) -> Experiment:
        """Write the experiment to ``path`` (refused if the file exists, unless ``force``) and return it as read back
        from there, ready for ``run_batch`` (which records the file's hash)."""
        path = Path(path)
        if path.exists() and not force:
            raise InputError.single(path, "", "exists; pass force=True to replace it")
        path.write_text(self.to_yaml(), encoding="utf-8")
        return load_experiment(path)


#: The file name that problems of an experiment built in Python name.
PYTHON_SOURCE = "<python>"


def build_experiment(
    scenario: str | Path, *, name: str = "notebook", description: str = "An experiment built in Python.", base_dir: str | Path = ".", **fields: Any
) -> Experiment:
    """An experiment built in Python without writing YAML, checked exactly as a file would be: the same fields, checks
    and messages (naming ``<python>`` for the file).

    ``scenario`` is a scenario file (relative to ``base_dir``); the other
    keyword arguments are the experiment file's fields.

    >>> from spacesim import shipped_scenario
    >>> e = build_experiment(shipped_scenario("teaching_small"), steps=8, replicates=2, vary={"grid": {"legal_clarity": [0.2, 0.8]}})
    >>> e.spec.replicates, e.scenario.steps
    (2, 8)
    """
    data = {"schema_version": 1, "name": name, "description": description, "scenario": str(scenario), **fields}
    return experiment_from_data(data, PYTHON_SOURCE, None, base_dir=Path(base_dir), path=None)


def load_any(path: str | Path) -> Any:
    """Read and validate a scenario, an experiment or an observed-history file, whichever it is."""
    from .history import history_from_data, is_history_data
    from .loader import scenario_from_data

    data, lines = read_yaml(path)
    if is_history_data(data):
        return history_from_data(data, str(path), lines)
    if is_experiment_data(data):
        return experiment_from_data(data, str(path), lines, base_dir=Path(path).parent, path=Path(path))
    return scenario_from_data(data, str(path), lines)


def load_experiment(path: str | Path) -> Experiment:
    """Read and validate an experiment file and the scenario it names.

    Raises :class:`InputError` listing every problem found.
    """
    path = Path(path)
    data, lines = read_yaml(path)
    return experiment_from_data(data, str(path), lines, base_dir=path.parent, path=path)


def parse_experiment(text: str, filename: str = "<string>", base_dir: str | Path = ".") -> Experiment:
    """Validate experiment YAML given as text; ``scenario`` is resolved against ``base_dir``."""
    data, lines = parse_yaml(text, filename)
    return experiment_from_data(data, filename, lines, base_dir=Path(base_dir), path=None)


def experiment_from_data(data: Any, filename: str, lines: LineMap | None, base_dir: Path, path: Path | None) -> Experiment:
    """Validate parsed experiment data and resolve its base scenario."""
    lines = lines or {}
    if not isinstance(data, dict):
        raise InputError.single(filename, "", "an experiment file must be a mapping of fields (schema_version, name, scenario, ...)", lines.get(()))
    if is_scenario_data(data):
        raise InputError.single(
            filename,
            "nations",
            "this is a scenario file (it declares nations), not an experiment: run it with spacesim run, or name it as the scenario of an experiment file",
            lines.get(("nations",)),
        )
    try:
        spec = ExperimentSpec.model_validate(data)
    except ValidationError as exc:
        raise InputError([_readable(p) for p in pydantic_problems(exc, filename, lines)]) from None

    problems: list[Problem] = []

    def bad(loc: tuple, message: str) -> None:
        problems.append(Problem(filename, dotted_path(loc), message, _line(lines, loc)))

    scenario_path = resolve_scenario(spec.scenario, base_dir)
    try:
        base = load_scenario(scenario_path)
    except InputError as exc:
        if [(p.file, p.message) for p in exc.problems] == [(str(scenario_path), NOT_FOUND)]:
            from .library import shipped_scenarios

            bad(
                ("scenario",),
                f"no such scenario file: {spec.scenario} (looked for {scenario_path}); or name a shipped scenario: {', '.join(shipped_scenarios())}",
            )
            raise InputError(problems) from None
        raise InputError([Problem(filename, "scenario", f"the scenario file {spec.scenario} is invalid", _line(lines, ("scenario",))), *exc.problems]) from None

    _check_names(spec, bad)
    _check_values(spec, base, filename, lines, bad)
    _check_replicates(spec, bad)
    if spec.parameters_from is not None:
        _check_posterior(spec, base_dir, bad)
    _check_plots(spec, bad)
    if spec.sensitivity is not None:
        _check_sensitivity(spec, spec.steps if spec.steps is not None else base.steps, bad)
    if problems:
        raise InputError(problems)

    overrides: dict[str, Any] = dict(spec.parameters)
    if spec.steps is not None:
        overrides["steps"] = spec.steps
    scenario = apply_overrides(base, overrides, source=filename) if overrides else base
    return Experiment(spec, scenario, path, scenario_path, lines, filename)


def resolve_scenario(scenario: str, base_dir: str | Path) -> Path:
    """The file an experiment's ``scenario:`` names: a path relative to the experiment file (or absolute) when that file
    exists; else a shipped scenario by name (``baseline``); else, for a shipped experiment copied elsewhere
    (``../scenarios/baseline.yaml`` no longer beside it), the shipped scenario of that file name. A path that is none of
    these is returned as it is (the caller says it does not exist).

    >>> resolve_scenario("baseline", "/nowhere").name, resolve_scenario("../scenarios/teaching_small.yaml", "/nowhere/experiments").name
    ('baseline.yaml', 'teaching_small.yaml')
    >>> str(resolve_scenario("mine.yaml", "/nowhere"))
    '/nowhere/mine.yaml'
    """
    from .library import shipped_scenarios

    named = Path(scenario)
    path = named if named.is_absolute() else _resolved(Path(base_dir) / named)
    if os.path.lexists(path):  # a symbolic link loop is named as such by the reader, not looked for elsewhere
        return path
    shipped = shipped_scenarios()
    if len(named.parts) == 1 and not named.suffix and scenario in shipped:
        return shipped[scenario]
    if named.suffix in (".yaml", ".yml") and named.parent.name == "scenarios" and named.stem in shipped and shipped[named.stem].name == named.name:
        return shipped[named.stem]
    return path


def _resolved(path: Path) -> Path:
    """``path`` made absolute with its symbolic links resolved, or only made absolute when they loop (the reader then says so)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # RuntimeError: Python 3.12's "Symlink loop"
        return Path(os.path.abspath(path))


def _readable(problem: Problem) -> Problem:
    """Pydantic's "valid dictionary or instance of ParameterRange" said in the file's terms: the fields the mapping takes."""
    match = re.match(r"Input should be a valid dictionary or instance of (\w+)", problem.message)
    if not match:
        return problem
    todo, model = [Strict], None
    while todo and model is None:
        cls = todo.pop()
        model = cls if cls.__name__ == match.group(1) else None
        todo.extend(cls.__subclasses__())
    if model is None:
        return problem
    fields = ", ".join(f.alias or name for name, f in model.model_fields.items())
    required = [f.alias or name for name, f in model.model_fields.items() if f.is_required()]
    example = "{" + ", ".join(f"{name}: ..." for name in required) + "}" if required else "{}"
    return Problem(problem.file, problem.path, f"expected a mapping like {example} (fields: {fields})", problem.line)


def _check_names(spec: ExperimentSpec, bad: Any) -> None:
    """Every parameter and outcome named exists; a parameter is set in one place only."""

    def known(name: str, loc: tuple) -> bool:
        if name in PARAMETERS_BY_NAME:
            return True
        bad(loc, "not a parameter of the model" + _suggest(name, ("parameters",)))
        return False

    for name in spec.parameters:
        known(name, ("parameters", name))
    for name in spec.vary.grid:
        if known(name, ("vary", "grid", name)) and name in spec.parameters:
            bad(("vary", "grid", name), "also set under parameters; a parameter is either fixed or varied")
    if spec.vary.sample is not None:
        for name in spec.vary.sample.ranges:
            if known(name, ("vary", "sample", "ranges", name)):
                if name in spec.vary.grid:
                    bad(("vary", "sample", "ranges", name), "also varied under vary.grid")
                elif name in spec.parameters:
                    bad(("vary", "sample", "ranges", name), "also set under parameters; a parameter is either fixed or varied")
    varied = set(spec.vary.grid) | set(spec.vary.sample.ranges if spec.vary.sample else {})
    for variant, levers in spec.variants.items():
        for name in levers:
            if known(name, ("variants", variant, name)) and name in varied:
                bad(("variants", variant, name), "also varied under vary; a variant cannot set a varied parameter")
    for i, outcome in enumerate(spec.outcomes):
        if outcome not in STEP_OUTCOMES:
            bad(("outcomes", i), _unknown_outcome(outcome))
    if len(set(spec.outcomes)) != len(spec.outcomes):
        bad(("outcomes",), "an outcome is listed twice")


def _check_values(spec: ExperimentSpec, base: ScenarioSpec, filename: str, lines: LineMap, bad: Any) -> None:
    """Every value set or varied is valid for its parameter (type and range)."""

    def check(name: str, value: Any, loc: tuple) -> None:
        if name not in PARAMETERS_BY_NAME:
            return
        try:
            apply_overrides(base, {name: value}, source=filename)
        except InputError as exc:
            for p in exc.problems:
                bad(loc, p.message)

    for name, value in spec.parameters.items():
        check(name, value, ("parameters", name))
    for name, values in spec.vary.grid.items():
        if not values:
            bad(("vary", "grid", name), "an empty list gives no design points; list at least one value")
        if len(set(map(repr, values))) != len(values):
            bad(("vary", "grid", name), "a value is listed twice")
        for i, value in enumerate(values):
            check(name, value, ("vary", "grid", name, i))
    sample = spec.vary.sample
    if sample is not None:
        if sample.method == SampleMethod.sobol and sample.n & (sample.n - 1):
            lower = 2 ** int(math.log2(sample.n))
            bad(("vary", "sample", "n"), f"a Sobol' sequence keeps its balance only with a power of two points; use {lower} or {lower * 2}, not {sample.n}")
        for name, (low, high) in sample.ranges.items():
            p = PARAMETERS_BY_NAME.get(name)
            if p is None:
                continue
            loc = ("vary", "sample", "ranges", name)
            if p.kind is bool:
                bad(loc, "a true/false lever cannot be sampled from a range; list its values under vary.grid")
                continue
            if not low < high:
                bad(loc, f"the range must be [low, high] with low < high (got [{low}, {high}])")
                continue
            if (p.low is not None and low < p.low) or (p.high is not None and high > p.high):
                bad(loc, f"[{low}, {high}] leaves the allowed range [{p.low}, {p.high}] of {name}")
    for variant, levers in spec.variants.items():
        if not variant.strip():
            bad(("variants",), "a variant needs a name")
        for name, value in levers.items():
            check(name, value, ("variants", variant, name))


def _unknown_outcome(name: str) -> str:
    import difflib

    close = difflib.get_close_matches(name, STEP_OUTCOMES, n=1)
    hint = f"; did you mean '{close[0]}'?" if close else f"; outcomes are: {', '.join(STEP_OUTCOMES)}"
    return f"unknown outcome '{name}'{renamed_hint(name) or hint}"


def posterior_columns(folder: Path) -> list[str]:
    """The parameter columns of a calibration folder's posterior table (``InputError`` if it has none)."""
    import pyarrow.parquet as pq

    table = folder / POSTERIOR_TABLE
    if not table.exists():
        raise InputError.single(folder, "", f"no {POSTERIOR_TABLE}: not a finished calibration folder (spacesim calibrate writes it)")
    try:
        names = pq.read_schema(table).names
    except Exception as exc:  # noqa: BLE001 - an unreadable table is the user's input problem
        raise InputError.single(table, "", f"cannot read the posterior ({type(exc).__name__}: {exc})") from None
    if "weight" not in names:
        raise InputError.single(table, "", "no weight column: not a posterior written by spacesim calibrate")
    return [n for n in names if n not in ("weight", "generation")]


def _check_posterior(spec: ExperimentSpec, base_dir: Path, bad: Any) -> None:
    """The posterior exists, holds model parameters, and none of them is also set or varied in the file."""
    pf = spec.parameters_from
    assert pf is not None
    folder = Path(pf.posterior) if Path(pf.posterior).is_absolute() else (base_dir / pf.posterior).resolve()
    loc = ("parameters_from", "posterior")
    try:
        names = posterior_columns(folder)
    except InputError as exc:
        bad(loc, f"{pf.posterior}: {exc.problems[0].message}" if folder.is_dir() else f"no such calibration folder: {pf.posterior} (looked for {folder})")
        return
    varied = set(spec.vary.grid) | set(spec.vary.sample.ranges if spec.vary.sample else {}) | set(spec.sensitivity.parameters if spec.sensitivity else {})
    for name in names:
        if name not in PARAMETERS_BY_NAME:
            bad(loc, f"the posterior has a column {name!r}, which is not a parameter of the model")
        elif name in spec.parameters or name in varied or any(name in levers for levers in spec.variants.values()):
            bad(loc, f"the posterior fits {name}, which the file also sets or varies; a parameter comes from one place")


def _check_replicates(spec: ExperimentSpec, bad: Any) -> None:
    """An adaptive replication rule names a known outcome and a sensible min <= max."""
    r = spec.replicates
    if not isinstance(r, AdaptiveReplicates):
        return
    if r.outcome not in STEP_OUTCOMES:
        bad(("replicates", "outcome"), _unknown_outcome(r.outcome))
    if r.min > r.max:
        bad(("replicates", "min"), f"min ({r.min}) is larger than max ({r.max})")


def _check_plots(spec: ExperimentSpec, bad: Any) -> None:
    """A plot the file asks for by name can be drawn for its design (the default list draws those that can and skips the rest)."""
    if "plots" not in spec.model_fields_set:
        return
    sampled = "vary.sample" if spec.vary.sample is not None else "the sensitivity section" if spec.sensitivity is not None else None
    for i, kind in enumerate(spec.plots):
        if kind == PlotKind.heatmap and sampled:
            bad(
                ("plots", i),
                f"a heatmap needs a grid over exactly two parameters, and {sampled} samples points that lie on no grid; "
                "use scatter (each outcome against each parameter) instead",
            )
        elif kind == PlotKind.heatmap and len(spec.vary.grid) != 2:
            bad(
                ("plots", i),
                f"a heatmap needs a grid over exactly two parameters; vary.grid has {len(spec.vary.grid)}"
                + ("; use scatter or envelope" if spec.vary.grid else ""),
            )
        elif kind == PlotKind.scatter and not (spec.vary.grid or sampled):
            bad(
                ("plots", i),
                "scatter draws each outcome against each varied parameter, and this experiment varies none (vary.grid, vary.sample or sensitivity)",
            )
        elif kind == PlotKind.network and "tables" in spec.model_fields_set and not {Table.nations, Table.partnerships} <= set(spec.tables):
            bad(("plots", i), "the network plot draws the nations and partnerships tables; keep them (tables: [nations, partnerships, ...]) or drop network")


def _check_sensitivity(spec: ExperimentSpec, steps: int, bad: Any, method_from: str | None = None) -> None:
    """A sensitivity section samples real numeric parameters within their allowed ranges, on known outcomes.

    Settings of the other method (``second_order`` under Morris, ``levels``
    under Sobol') are refused rather than ignored. ``method_from`` names
    where the method came from when it is not the file (``--method``).
    """
    s = spec.sensitivity
    assert s is not None
    if spec.vary.grid or spec.vary.sample is not None:
        bad(("vary",), "an experiment with a sensitivity section samples its parameters there; remove vary (or run the grid as another experiment)")
    if len(spec.variants) > 1:
        bad(("variants",), "a sensitivity analysis studies one policy; set its levers under parameters and run one experiment per policy")
    method = f"the method is {s.method}" + (f", from {method_from}" if method_from else "")
    if s.method == "sobol" and s.samples & (s.samples - 1):
        lower = 2 ** int(math.log2(s.samples))
        bad(
            ("sensitivity", "samples"),
            f"Sobol' sampling needs a power of two; use {lower} or {lower * 2}, not {s.samples}" + (f" ({method})" if method_from else ""),
        )
    given = s.model_fields_set
    other = f"run without {method_from} {s.method}" if method_from else None
    if s.method == "fast" and s.samples < FAST_MIN_SAMPLES:
        bad(
            ("sensitivity", "samples"),
            f"FAST needs more than 64 points per search curve (4 M^2 with M = 4); use at least {FAST_MIN_SAMPLES}, not {s.samples}"
            + (f" ({method})" if method_from else ""),
        )
    if s.method == "dgsm":
        whole = [name for name in s.parameters if name in PARAMETERS_BY_NAME and PARAMETERS_BY_NAME[name].kind is int]
        if whole:
            bad(
                ("sensitivity", "parameters", whole[0]),
                f"an integer parameter, but {method}, whose small finite-difference steps the model would round away; "
                f"use another method or leave {whole[0]} out",
            )
    if s.method != "sobol" and "second_order" in given:
        bad(
            ("sensitivity", "second_order"),
            f"a Sobol' setting, but {method}, which has no second-order indices; remove second_order from the file or {other or 'use method: sobol'}",
        )
    if s.method != "morris" and "levels" in given:
        bad(
            ("sensitivity", "levels"),
            f"a Morris setting (the levels of its grid), but {method}, which has no levels; remove levels from the file or {other or 'use method: morris'}",
        )
    elif s.method == "morris" and s.levels % 2:
        bad(("sensitivity", "levels"), f"Morris levels must be even (got {s.levels})")
    for name, r in s.parameters.items():
        loc: tuple[str | int, ...] = ("sensitivity", "parameters", name)
        p = PARAMETERS_BY_NAME.get(name)
        if p is None:
            bad(loc, "not a parameter of the model" + _suggest(name, ("parameters",)))
            continue
        if name in spec.parameters:
            bad(loc, "also set under parameters; a parameter is either fixed or sampled")
        if any(name in levers for levers in spec.variants.values()):
            bad(loc, "also set by a variant; a parameter is either fixed or sampled")
        if p.kind is bool:
            bad(loc, "a true/false lever has no range to sample; fix it under parameters or compare its settings as variants")
            continue
        if not r.low < r.high:
            bad(loc, f"empty range: low must be below high (got low {r.low}, high {r.high})")
            continue
        if (p.low is not None and r.low < p.low) or (p.high is not None and r.high > p.high):
            bad(loc, f"[{r.low}, {r.high}] leaves the allowed range [{p.low}, {p.high}] of {name}")
        if r.distribution == Distribution.triangular:
            if r.peak is None or not r.low <= r.peak <= r.high:
                bad((*loc, "peak"), f"a triangular distribution needs a peak within [{r.low}, {r.high}]")
        elif r.peak is not None:
            bad((*loc, "peak"), "peak is only used by the triangular distribution")
        if r.distribution == Distribution.truncnorm:
            if r.mean is None or r.sd is None:
                bad(loc, "a truncnorm distribution needs mean and sd")
            elif r.sd <= 0:
                bad((*loc, "sd"), f"must be positive (got {r.sd})")
        elif r.mean is not None or r.sd is not None:
            bad(loc, "mean and sd are only used by the truncnorm distribution")
    seen = set()
    for i, o in enumerate(s.outcomes):
        name = o if isinstance(o, str) else o.outcome
        loc = ("sensitivity", "outcomes", i) if isinstance(o, str) else ("sensitivity", "outcomes", i, "outcome")
        if name not in STEP_OUTCOMES:
            bad(loc, _unknown_outcome(name))
        if not isinstance(o, str):
            first, last = o.window
            if not 0 <= first <= last <= steps:
                bad(("sensitivity", "outcomes", i, "window"), f"the window must be [first, last] with 0 <= first <= last <= {steps} (the number of steps)")
        key = outcome_label(o)
        if key in seen:
            bad(("sensitivity", "outcomes", i), "this outcome is listed twice")
        seen.add(key)


def outcome_label(o: str | WindowOutcome) -> str:
    """How a sensitivity outcome is named in tables and plots.

    >>> outcome_label("debris"), outcome_label(WindowOutcome(outcome="mean_trust", window=(10, 20)))
    ('debris', 'mean_trust (mean of steps 10-20)')
    """
    return o if isinstance(o, str) else f"{o.outcome} (mean of steps {o.window[0]}-{o.window[1]})"

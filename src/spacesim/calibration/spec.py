"""Calibration files: which parameters to fit, with which priors, to which observed patterns.

A calibration file is YAML with ``schema_version``, a ``scenario`` (path,
relative to the file), the rule parameters to ``fit`` with their priors, the
observed ``patterns`` with their weights (some ``held_out``: computed on the
posterior, never used in fitting), the ABC-SMC settings (``abc``) and a
``seed``. It is validated like scenario and experiment files: every problem
is reported with the file, the line and the field, unknown parameters and
pattern kinds with a suggestion, and the command line exits with status 2.

>>> from spacesim.calibration.spec import PatternKind
>>> [k.value for k in PatternKind]
['member_set', 'member_count', 'accession_order', 'vote_split']
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from pydantic import Field, StrictBool, ValidationError

from ..parameters import PARAMETERS_BY_NAME
from ..scenario.errors import InputError, Problem
from ..scenario.experiment import OptionalNumber, Value
from ..scenario.inputfile import read_input_text
from ..scenario.loader import _line, apply_overrides, load_scenario, pydantic_problems
from ..scenario.schema import Float, Int, ScenarioSpec, Strict
from ..scenario.yamlfile import LineMap, dotted_path, parse_yaml, read_yaml


class PriorKind(StrEnum):
    """The shapes a prior may take."""

    uniform = "uniform"
    log_uniform = "log_uniform"
    truncnorm = "truncnorm"


class PatternKind(StrEnum):
    """Observed patterns a calibration can be fitted to, each with its distance (see :mod:`.patterns`)."""

    member_set = "member_set"
    member_count = "member_count"
    accession_order = "accession_order"
    vote_split = "vote_split"


#: The fields each pattern kind takes besides kind, framework, weight and held_out.
PATTERN_FIELDS: dict[PatternKind, tuple[str, ...]] = {
    PatternKind.member_set: ("history", "undated", "accessions", "accessions_file", "date"),
    PatternKind.member_count: ("history", "undated", "accessions", "accessions_file", "date"),
    PatternKind.accession_order: ("history", "undated", "accessions", "accessions_file", "date"),
    PatternKind.vote_split: ("history", "votes", "votes_file", "date", "tolerance", "unlisted"),
}

DateOrStep = str | int | dt.date


class PriorSpec(Strict):
    """A parameter's prior: uniform or log-uniform on [low, high], or a normal of mean and sd cut to [low, high].

    ``low`` and ``high`` default to the parameter's declared range.
    """

    prior: PriorKind = PriorKind.uniform
    low: OptionalNumber = None
    high: OptionalNumber = None
    mean: OptionalNumber = None
    sd: OptionalNumber = None


class PatternSpec(Strict):
    """An observed pattern, how it is compared, its weight, and whether it is held out."""

    kind: str = Field(description="member_set, member_count, accession_order or vote_split.")
    framework: str = Field(min_length=1, description="Code of the framework in the scenario whose membership is observed.")
    weight: Float = Field(1.0, gt=0, le=1000)
    held_out: StrictBool = Field(False, description="Computed on the posterior, never used in fitting.")
    history: str | None = Field(
        None,
        description="An observed-history file: a shipped one by name (artemis_accords, da_asat_pledge, unga_77_41) or a path relative to the calibration file.",
    )
    undated: Literal["not_after", "drop"] | None = Field(
        None, description="history accessions whose day is unknown: counted from the latest day the sources allow (not_after, the default) or left out (drop)."
    )
    accessions: dict[str, DateOrStep] | None = Field(None, description="Nation code -> date it joined (YYYY-MM-DD) or step.")
    accessions_file: str | None = Field(None, description="CSV with columns code and date (or step), relative to the calibration file.")
    votes: dict[str, Literal["yes", "no", "abstain"]] | None = None
    votes_file: str | None = Field(None, description="CSV with columns code and vote (yes, no, abstain).")
    date: DateOrStep | None = Field(
        None, description="When the pattern is observed (member_set, vote_split), or its last date (member_count, accession_order)."
    )
    tolerance: Float | None = Field(
        None, ge=0, le=1, description="vote_split: the simulated yes share may differ from the observed one by this much at no cost."
    )
    unlisted: Literal["yes", "no", "abstain"] | None = Field(
        None,
        description=(
            "vote_split: the vote counted for scenario nations the votes do not list (a judgement, for a roll call known only in part); by default "
            "they are left out."
        ),
    )


class AbcSettings(Strict):
    """ABC-SMC settings: population, generations, stopping rules and budget."""

    population: Int = Field(100, ge=5, le=100_000)
    generations: Int = Field(5, ge=1, le=1000)
    min_epsilon: Float = Field(0.0, ge=0)
    max_simulations: Int | None = Field(None, ge=1, description="Stop after this many simulations (all generations, resumed runs included).")
    max_minutes: Float | None = Field(None, gt=0, description="Stop after this much wall time (per invocation).")
    posterior_draws: Int = Field(40, ge=2, le=10_000, description="Posterior draws simulated again for fit.parquet and the predictive plots.")
    distance: Literal["adaptive", "fixed"] = Field(
        "adaptive", description="adaptive: pyabc rescales each pattern's distance by its spread every generation; fixed: the weighted sum as written."
    )


class CalibrationSpec(Strict):
    """A whole calibration file, validated."""

    schema_version: Literal[1]
    name: str = Field(min_length=1)
    description: str = Field(min_length=1)
    scenario: str = Field(min_length=1, description="Scenario file, relative to the calibration file.")
    steps: Int | None = Field(None, ge=1, le=100_000)
    parameters: dict[str, Value] = Field(default_factory=dict, description="Fixed overrides of the scenario.")
    fit: dict[str, PriorSpec] = Field(min_length=1, description="Parameters to fit, with their priors.")
    patterns: dict[str, PatternSpec] = Field(min_length=1)
    abc: AbcSettings = AbcSettings()
    seed: Int = Field(0, ge=0, le=2**32 - 1)


class Calibration:
    """A validated calibration: the spec, its scenario (overrides and steps applied) and the observations read."""

    def __init__(
        self,
        spec: CalibrationSpec,
        scenario: ScenarioSpec,
        path: Path | None,
        scenario_path: Path,
        observations: dict[str, dict[str, Any]],
        lines: LineMap,
        filename: str,
    ):
        self.spec = spec
        self.scenario = scenario
        self.path = path
        self.scenario_path = scenario_path
        self.observations = observations
        self.lines = lines
        self.filename = filename

    @property
    def fitted(self) -> list[str]:
        """Names of the patterns used in fitting, in file order."""
        return [n for n, p in self.spec.patterns.items() if not p.held_out]

    @property
    def held_out(self) -> list[str]:
        """Names of the held-out patterns, in file order."""
        return [n for n, p in self.spec.patterns.items() if p.held_out]

    def data_files(self) -> list[Path]:
        """Every file this calibration reads: itself, its scenario and its observation files."""
        out = [p for p in (self.path, self.scenario_path) if p is not None]
        base = self.path.parent if self.path is not None else Path(".")
        from ..scenario.history import shipped_histories

        for p in self.spec.patterns.values():
            for f in (p.accessions_file, p.votes_file, p.history):
                if f:
                    path = shipped_histories()[f] if f == p.history and f in shipped_histories() else (base / f).resolve()
                    if path not in out:
                        out.append(path)
        return out


def is_calibration_data(data: Any) -> bool:
    """Whether parsed YAML looks like a calibration file (it has ``fit`` and ``patterns``)."""
    return isinstance(data, dict) and "fit" in data and "patterns" in data


def load_calibration(path: str | Path) -> Calibration:
    """Read and validate a calibration file, its scenario and its observation files; :class:`InputError` listing every problem."""
    path = Path(path)
    data, lines = read_yaml(path)
    return calibration_from_data(data, str(path), lines, base_dir=path.parent, path=path)


def parse_calibration(text: str, filename: str = "<string>", base_dir: str | Path = ".") -> Calibration:
    """Validate calibration YAML given as text; paths are resolved against ``base_dir``."""
    data, lines = parse_yaml(text, filename)
    return calibration_from_data(data, filename, lines, base_dir=Path(base_dir), path=None)


def calibration_from_data(data: Any, filename: str, lines: LineMap | None, base_dir: Path, path: Path | None) -> Calibration:
    """Validate parsed calibration data, load its scenario and read its observations."""
    lines = lines or {}
    if not isinstance(data, dict):
        raise InputError.single(
            filename, "", "a calibration file must be a mapping of fields (schema_version, name, scenario, fit, patterns, ...)", lines.get(())
        )
    try:
        spec = CalibrationSpec.model_validate(data)
    except ValidationError as exc:
        raise InputError(pydantic_problems(exc, filename, lines)) from None
    problems: list[Problem] = []

    def bad(loc: tuple, message: str) -> None:
        problems.append(Problem(filename, dotted_path(loc), message, _line(lines, loc)))

    scenario_path = Path(spec.scenario) if Path(spec.scenario).is_absolute() else (base_dir / spec.scenario).resolve()
    if not scenario_path.exists():
        bad(("scenario",), f"no such scenario file: {spec.scenario} (looked for {scenario_path})")
        raise InputError(problems)
    try:
        base = load_scenario(scenario_path)
    except InputError as exc:
        raise InputError([Problem(filename, "scenario", f"the scenario file {spec.scenario} is invalid", _line(lines, ("scenario",))), *exc.problems]) from None

    for name, value in spec.parameters.items():
        if name not in PARAMETERS_BY_NAME:
            bad(("parameters", name), "not a parameter of the model" + _suggest_name(name, PARAMETERS_BY_NAME))
            continue
        if name in spec.fit:
            bad(("fit", name), "also fixed under parameters; a parameter is either fixed or fitted")
        try:
            apply_overrides(base, {name: value}, source=filename)
        except InputError as exc:
            for p in exc.problems:
                bad(("parameters", name), p.message)
    _check_priors(spec, bad)
    overrides: dict[str, Any] = {k: v for k, v in spec.parameters.items() if k in PARAMETERS_BY_NAME}
    if spec.steps is not None:
        overrides["steps"] = spec.steps
    scenario = base
    if not problems and overrides:
        scenario = apply_overrides(base, overrides, source=filename)
    observations = _check_patterns(spec, scenario, base_dir, bad)
    if problems:
        raise InputError(problems)
    return Calibration(spec, scenario, path, scenario_path, observations, lines, filename)


def _suggest_name(name: str, known: Any) -> str:
    close = difflib.get_close_matches(str(name), list(known), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


def _check_priors(spec: CalibrationSpec, bad: Any) -> None:
    """Each fitted parameter is a numeric rule parameter; its prior lies in its declared range."""
    for name, prior in spec.fit.items():
        loc = ("fit", name)
        p = PARAMETERS_BY_NAME.get(name)
        if p is None:
            bad(loc, "not a parameter of the model" + _suggest_name(name, PARAMETERS_BY_NAME))
            continue
        if p.kind is not float:
            bad(loc, f"{name} is a {'true/false lever' if p.kind is bool else 'whole number'}; only real-valued rule parameters can be fitted")
            continue
        if p.group != "rule":
            bad(loc, f"{name} is a policy lever, which a government chooses; calibration fits rule parameters (fix the lever under parameters)")
            continue
        low = p.low if prior.low is None else prior.low
        high = p.high if prior.high is None else prior.high
        if low is None or high is None:  # pragma: no cover - every real rule parameter declares a range
            bad(loc, "give low and high")
            continue
        if not low < high:
            bad(loc, f"empty range: low must be below high (got low {low}, high {high})")
            continue
        if (p.low is not None and low < p.low) or (p.high is not None and high > p.high):
            bad(loc, f"[{low}, {high}] leaves the declared range [{p.low}, {p.high}] of {name}")
        if prior.prior == PriorKind.log_uniform and low <= 0:
            bad((*loc, "low"), f"a log-uniform prior needs low > 0 (got {low})")
        if prior.prior == PriorKind.truncnorm:
            if prior.mean is None or prior.sd is None:
                bad(loc, "a truncnorm prior needs mean and sd")
            elif prior.sd <= 0:
                bad((*loc, "sd"), f"must be positive (got {prior.sd})")
        elif prior.mean is not None or prior.sd is not None:
            bad(loc, "mean and sd are only used by the truncnorm prior")


def date_to_step(value: DateOrStep, scenario: ScenarioSpec) -> int:
    """The step at whose end a date has passed: step 1 covers the first period from 1 January of ``start_year``.

    An integer is a step already. Dates before the start are step 0 (the initial state).

    >>> from spacesim.scenario.library import shipped_scenario
    >>> from spacesim.scenario import load_scenario
    >>> s = load_scenario(shipped_scenario()).model_copy(update={"start_year": 2020})
    >>> date_to_step("2020-10-13", s), date_to_step("2020-01-01", s), date_to_step("2019-05-01", s), date_to_step(7, s)
    (4, 1, 0, 7)
    """
    if isinstance(value, bool):
        raise ValueError("must be a date (YYYY-MM-DD) or a step number")
    if isinstance(value, int):
        if value < 0:
            raise ValueError("a step cannot be negative")
        return value
    try:
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise ValueError(f"not a date YYYY-MM-DD or a step number ({exc})") from None
    from ..scenario.history import STEPS_PER_YEAR
    from ..scenario.history import date_to_step as step_of

    if scenario.step_meaning.strip().lower() not in STEPS_PER_YEAR:
        raise ValueError(f"the scenario's steps are '{scenario.step_meaning}', which has no calendar length; give steps instead of dates")
    return max(0, step_of(day, scenario.start_year, scenario.step_meaning))


def _read_csv(path: Path, value_columns: tuple[str, ...]) -> dict[str, int | str]:
    """A two-column CSV (``code`` and the first of ``value_columns`` present) as a mapping; lines starting with # are comments."""
    text = read_input_text(path)  # a regular file of bounded size (never a FIFO or a device)
    rows = list(csv.DictReader(line for line in text.splitlines(keepends=True) if line.strip() and not line.lstrip().startswith("#")))
    if not rows:
        return {}
    column = next((c for c in value_columns if c in rows[0]), None)
    if "code" not in rows[0] or column is None:
        raise ValueError(f"needs the columns code and {' or '.join(value_columns)} (has {', '.join(rows[0])})")
    out: dict[str, int | str] = {}
    for row in rows:
        value = (row.get(column) or "").strip()
        if value:
            out[row["code"].strip()] = int(value) if column == "step" else value
    return out


def _check_patterns(spec: CalibrationSpec, scenario: ScenarioSpec, base_dir: Path, bad: Any) -> dict[str, dict[str, Any]]:
    """Each pattern has a known kind, a framework of the scenario and its observation; dates become steps.

    Returns, per pattern, its observation in steps: ``accessions`` (code -> step,
    scenario nations only), ``outside`` (observed nations the scenario lacks),
    ``step``, ``votes`` and ``tolerance``.
    """
    frameworks = [f.code for f in scenario.frameworks]
    nations = {n.code for n in scenario.nations}
    out: dict[str, dict[str, Any]] = {}
    if not [n for n, p in spec.patterns.items() if not p.held_out]:
        bad(("patterns",), "every pattern is held out; at least one must be fitted")
    for name, p in spec.patterns.items():
        loc = ("patterns", name)
        try:
            kind = PatternKind(p.kind)
        except ValueError:
            bad(
                (*loc, "kind"),
                f"unknown pattern kind '{p.kind}'"
                + (_suggest_name(p.kind, [k.value for k in PatternKind]) or f"; kinds are: {', '.join(k.value for k in PatternKind)}"),
            )
            continue
        if p.framework not in frameworks:
            bad(
                (*loc, "framework"),
                f"no framework with code {p.framework!r} in the scenario"
                + (_suggest_name(p.framework, frameworks) or f"; it has: {', '.join(frameworks) or 'none'}"),
            )
        allowed = PATTERN_FIELDS[kind]
        for field in ("history", "undated", "accessions", "accessions_file", "votes", "votes_file", "date", "tolerance", "unlisted"):
            if getattr(p, field) is not None and field not in allowed:
                bad((*loc, field), f"a {kind.value} pattern takes no {field} (it takes: {', '.join(allowed)})")
        obs: dict[str, Any] = {"kind": kind}
        if p.date is not None:
            try:
                obs["step"] = date_to_step(p.date, scenario)
            except ValueError as exc:
                bad((*loc, "date"), f"{exc} (got {p.date!r})")
                continue
            if obs["step"] > scenario.steps:
                bad((*loc, "date"), f"{p.date} is step {obs['step']}, after the last step ({scenario.steps})")
        elif kind in (PatternKind.member_set, PatternKind.vote_split):
            bad((*loc, "date"), f"a {kind.value} pattern needs the date it was observed")
        if kind == PatternKind.vote_split:
            votes = _observed(p.votes, p.votes_file, "votes", ("vote",), loc, base_dir, bad, p.history, "votes")
            if votes is None:
                continue
            if p.unlisted is not None:
                votes = {**{n: p.unlisted for n in sorted(nations)}, **votes}
            wrong = sorted(c for c, v in votes.items() if v not in ("yes", "no", "abstain"))
            if wrong:
                bad((*loc, "votes_file"), f"votes must be yes, no or abstain (not for {', '.join(wrong[:5])})")
            obs["votes"] = {c: v for c, v in votes.items() if c in nations}
            obs["outside"] = sorted(set(votes) - nations)
            obs["tolerance"] = 0.05 if p.tolerance is None else p.tolerance
            if not obs["votes"]:
                bad(loc, "none of the voting nations is in the scenario")
        else:
            raw = _observed(
                p.accessions, p.accessions_file, "accessions", ("date", "step"), loc, base_dir, bad, p.history, "accessions", p.undated or "not_after"
            )
            if raw is None:
                continue
            steps: dict[str, int] = {}
            for code, when in raw.items():
                try:
                    steps[code] = date_to_step(when, scenario)
                except ValueError as exc:
                    bad((*loc, "accessions" if p.accessions is not None else "accessions_file"), f"{code}: {exc} (got {when!r})")
            last = obs.get("step", scenario.steps)
            obs["accessions"] = {c: s for c, s in steps.items() if c in nations and s <= last}
            obs["outside"] = sorted(set(steps) - nations)
            obs.setdefault("step", min(scenario.steps, max(steps.values(), default=scenario.steps)))
            if not obs["accessions"]:
                bad(loc, "no nation of the scenario joined by the pattern's date")
        out[name] = obs
    return out


def _observed(
    inline: dict | None,
    file: str | None,
    what: str,
    columns: tuple[str, ...],
    loc: tuple,
    base_dir: Path,
    bad: Any,
    history: str | None,
    history_kind: str,
    undated: str = "not_after",
) -> dict[str, Any] | None:
    given = [x is not None for x in (inline, file, history)]
    if sum(given) != 1:
        bad(loc, f"give one of history (an observed-history file), {what} (inline) or {what}_file (a CSV), not {'several' if sum(given) > 1 else 'none'}")
        return None
    if inline is not None:
        return dict(inline)
    if history is not None:
        return _from_history(history, history_kind, loc, base_dir, bad, undated)
    assert file is not None  # exactly one of the three is given
    path = Path(file) if Path(file).is_absolute() else (base_dir / file).resolve()
    try:
        return _read_csv(path, columns)
    except FileNotFoundError:
        bad((*loc, f"{what}_file"), f"no such file: {file} (looked for {path})")
    except (OSError, UnicodeDecodeError, ValueError, csv.Error) as exc:
        bad((*loc, f"{what}_file"), f"cannot read {file}: {exc}")
    return None


def _from_history(name: str, kind: str, loc: tuple, base_dir: Path, bad: Any, undated: str = "not_after") -> dict[str, Any] | None:
    """Accessions (nation -> date; an unknown day is its not_after bound, or the row is left out) or votes (nation -> vote) from an observed-history file."""
    from ..scenario.history import load_history, shipped_histories

    target: str | Path = name if name in shipped_histories() else (Path(name) if Path(name).is_absolute() else (base_dir / name).resolve())
    if not isinstance(target, str) and not target.exists():
        bad(
            (*loc, "history"),
            f"no shipped history {name!r} and no such file (looked for {target})"
            + (_suggest_name(name, shipped_histories()) or f"; shipped: {', '.join(shipped_histories())}"),
        )
        return None
    try:
        history = load_history(target)
    except InputError as exc:
        bad((*loc, "history"), f"the history file {name} is invalid: {exc.problems[0]}")
        return None
    if history.kind != kind:
        bad((*loc, "history"), f"{name} holds {history.kind}, but this pattern needs {kind}")
        return None
    frame = history.frame()
    if kind == "votes":
        return {str(n): str(v) for n, v in zip(frame["nation"], frame["vote"])}
    days = frame["date"].fillna(frame["not_after"]) if undated == "not_after" and "not_after" in frame else frame["date"]
    return {str(n): d.date() for n, d in zip(frame["nation"], days) if not pd.isna(d)}


def prior_bounds(name: str, prior: PriorSpec) -> tuple[float, float]:
    """A prior's [low, high], defaulting to the parameter's declared range.

    >>> prior_bounds("trust_floor", PriorSpec())
    (0.0, 0.99)
    """
    p = PARAMETERS_BY_NAME[name]
    low = p.low if prior.low is None else prior.low
    high = p.high if prior.high is None else prior.high
    if low is None or high is None:  # refused when the calibration file is read
        raise ValueError(f"{name}: no range to fit over (give low and high)")
    return float(low), float(high)


__all__ = ["Calibration", "CalibrationSpec", "PatternKind", "PriorKind", "date_to_step", "load_calibration", "parse_calibration", "prior_bounds"]

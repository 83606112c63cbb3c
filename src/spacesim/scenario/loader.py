"""Load scenario files into validated :class:`ScenarioSpec` objects.

Every problem is reported with the file, the field path, the line where YAML
gives it, and what is wrong; all problems are gathered, not just the first.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..parameters import PARAMETERS_BY_NAME
from .errors import InputError, Problem
from .schema import EVENT_FIELDS, ScenarioSpec
from .yamlfile import LineMap, dotted_path, parse_yaml, read_yaml


def load_scenario(path: str | Path) -> ScenarioSpec:
    """Read and validate a scenario file.

    Raises :class:`InputError` listing every problem found.
    """
    data, lines = read_yaml(path)
    if is_experiment_data(data):
        raise InputError.single(path, "scenario", "this is an experiment file (it names a base scenario to vary), not a scenario: run it with spacesim batch", lines.get(("scenario",)))
    return scenario_from_data(data, str(path), lines)


def is_experiment_data(data: Any) -> bool:
    """Whether parsed YAML looks like an experiment (it names a base ``scenario``) rather than a scenario."""
    return isinstance(data, dict) and "scenario" in data and "nations" not in data


def is_scenario_data(data: Any) -> bool:
    """Whether parsed YAML looks like a scenario (it declares ``nations``) rather than an experiment."""
    return isinstance(data, dict) and "nations" in data and "scenario" not in data


def parse_scenario(text: str, filename: str = "<string>") -> ScenarioSpec:
    """Validate scenario YAML given as text (handy in notebooks and tests)."""
    data, lines = parse_yaml(text, filename)
    return scenario_from_data(data, filename, lines)


def scenario_from_data(data: Any, filename: str, lines: LineMap | None = None, check_horizon: bool = True) -> ScenarioSpec:
    """Validate already-parsed scenario data.

    With ``check_horizon``, an event scheduled after the last step is an error
    (a file's timeline should fit its length); a run shortened on purpose
    (``steps`` overridden) skips that check.
    """
    lines = lines or {}
    if not isinstance(data, dict):
        raise InputError.single(filename, "", "a scenario file must be a mapping of fields (schema_version, name, nations, ...)", lines.get(()))
    names = name_problems(data, filename, lines)  # checked on the file as written, so they are reported beside schema errors too
    try:
        spec = ScenarioSpec.model_validate(data)
    except ValidationError as exc:
        raise InputError(pydantic_problems(exc, filename, lines) + names) from None
    problems = names + reference_problems(spec, filename, lines, check_horizon)
    if problems:
        raise InputError(problems)
    return spec


def name_problems(data: dict[str, Any], filename: str, lines: LineMap) -> list[Problem]:
    """Nations, frameworks and blocs named (in memberships, trust, events, history) that the file does not declare.

    Works on the parsed YAML as written, skipping entries of the wrong
    shape (the schema reports those), so that an unknown name is reported
    in the same pass as every other problem.
    """
    problems: list[Problem] = []

    def entries(key: str) -> list[tuple[int, dict[str, Any]]]:
        value = data.get(key)
        return [(i, x) for i, x in enumerate(value) if isinstance(x, dict)] if isinstance(value, list) else []

    def check(loc: tuple, value: Any, known: set[str], what: str) -> None:
        if isinstance(value, str) and value not in known:
            problems.append(Problem(filename, dotted_path(loc), f"no {what} in this scenario", _line(lines, loc)))

    nations = {x["code"] for _, x in entries("nations") if isinstance(x.get("code"), str)}
    blocs = {x["bloc"] for _, x in entries("nations") if isinstance(x.get("bloc"), str)}
    frameworks = {x["code"] for _, x in entries("frameworks") if isinstance(x.get("code"), str)}
    nation = lambda code: f"nation with code {code!r}"  # noqa: E731
    for i, fw in entries("frameworks"):
        for j, member in enumerate(fw.get("members") if isinstance(fw.get("members"), list) else []):
            check(("frameworks", i, "members", j), member, nations, nation(member))
        check(("frameworks", i, "lead"), fw.get("lead"), nations, nation(fw.get("lead")))
    trust = data.get("trust") if isinstance(data.get("trust"), dict) else {}
    for i, pair in enumerate(x for x in (trust.get("pairs") if isinstance(trust.get("pairs"), list) else []) if isinstance(x, dict)):
        for field in ("from", "to"):
            check(("trust", "pairs", i, field), pair.get(field), nations, nation(pair.get(field)))
    for i, bt in enumerate(x for x in (trust.get("between_blocs") if isinstance(trust.get("between_blocs"), list) else []) if isinstance(x, dict)):
        for j, bloc in enumerate(bt.get("blocs") if isinstance(bt.get("blocs"), list) else []):
            if isinstance(bloc, str) and bloc not in blocs:
                loc = ("trust", "between_blocs", i, "blocs", j)
                problems.append(Problem(filename, dotted_path(loc), f"no nation belongs to bloc {bloc!r}", _line(lines, loc)))
    for i, event in entries("events"):
        for field in ("actor", "target"):
            check(("events", i, field), event.get(field), nations, nation(event.get(field)))
        check(("events", i, "framework"), event.get("framework"), frameworks, f"framework with code {event.get('framework')!r}")
    for i, past in entries("history"):
        check(("history", i, "actor"), past.get("actor"), nations, nation(past.get("actor")))
    return problems


def pydantic_problems(exc: ValidationError, filename: str, lines: LineMap) -> list[Problem]:
    """Turn pydantic's errors into problems with field paths and lines."""
    problems = []
    for err in _one_branch_per_union(exc.errors()):
        loc = tuple(part for part in err["loc"] if not (isinstance(part, str) and ("[" in part or part.startswith("function-") or part in _union_tags())))
        message = err["msg"]
        if err["type"] == "extra_forbidden":
            message = "unknown field" + _suggest(loc[-1], loc[:-1], exc.title)
        elif err["type"] == "missing":
            message = "required field is missing"
        elif "input" in err and err["type"] not in ("model_type", "dict_type"):
            message += f" (got {err['input']!r})"
        problems.append(Problem(filename, dotted_path(loc), message, _line(lines, loc)))
    return problems


_SHAPE_ERRORS = {"model_type", "dict_type", "int_type", "float_type", "string_type", "bool_type", "tuple_type", "list_type", "int_parsing", "float_parsing"}


def _union_tags() -> set[str]:
    """Names pydantic puts in an error's location for the branch of a union (``int``, ``AdaptiveReplicates``, ...)."""
    from .schema import Strict

    tags = {"int", "constrained-int", "str", "float", "bool", "constrained-float"}
    todo = [Strict]
    while todo:
        cls = todo.pop()
        tags.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return tags


def _one_branch_per_union(errors: list[Any]) -> list[Any]:
    """Keep, for a value that matches no branch of a union, only the errors of the branch its shape fits.

    A mapping given where a number or a mapping is allowed should be told what
    is wrong inside the mapping, not also that it is not a number.
    """
    tags = _union_tags()
    by_site: dict[tuple, dict[str, list[Any]]] = {}
    for err in errors:
        loc = err["loc"]
        cut = next((i for i, part in enumerate(loc) if isinstance(part, str) and part in tags), None)
        if cut is not None:
            by_site.setdefault(tuple(loc[:cut]), {}).setdefault(loc[cut], []).append(err)
    drop: set[int] = set()
    for branches in by_site.values():
        if len(branches) < 2:
            continue
        fitting = [b for b, errs in branches.items() if not all(e["type"] in _SHAPE_ERRORS and len(e["loc"]) == len(errs[0]["loc"]) for e in errs)]
        keep = fitting[:1] or list(branches)[:1]
        for b, errs in branches.items():
            if b not in keep:
                drop.update(id(e) for e in errs)
    return [e for e in errors if id(e) not in drop]


def _suggest(key: Any, parent: tuple, root: str | None = None) -> str:
    """``; did you mean 'legal_clarity'?`` for an unknown key: a parameter's name under ``parameters`` or ``policy``, a field of the file (``root``, the model pydantic validated) at the top level.

    >>> _suggest("descripton", (), "ScenarioSpec"), _suggest("varients", (), "ExperimentSpec"), _suggest("legal_clarity", (), "ScenarioSpec")
    ("; did you mean 'description'?", "; did you mean 'variants'?", '; legal_clarity is a parameter of the model: set it under parameters or policy')
    """
    import difflib

    if parent in (("parameters",), ("policy",)):
        close = difflib.get_close_matches(str(key), PARAMETERS_BY_NAME, n=1)
        if close:
            return f"; did you mean '{close[0]}'?"
    if parent == () and root:
        fields = _fields_of(root)
        close = difflib.get_close_matches(str(key), fields, n=1, cutoff=0.75)  # a typo, not a guess (steps_per_year is not start_year)
        if close:
            return f"; did you mean '{close[0]}'?"
        if str(key) in PARAMETERS_BY_NAME:
            return f"; {key} is a parameter of the model: set it under parameters" + (" or policy" if "policy" in fields else "")
        if fields:
            return f"; the fields are: {', '.join(fields)}"
    return ""


def _fields_of(model_name: str) -> list[str]:
    """The field names (by their aliases) of the model class of that name, for suggestions."""
    from pydantic import BaseModel

    todo, seen = [BaseModel], set()
    while todo:
        cls = todo.pop()
        if cls.__name__ == model_name and cls is not BaseModel:
            return [f.alias or name for name, f in cls.model_fields.items()]
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.add(sub)
                todo.append(sub)
    return []


def _line(lines: LineMap, loc: tuple) -> int | None:
    while loc:
        if loc in lines:
            return lines[loc]
        loc = loc[:-1]
    return lines.get(())


def reference_problems(spec: ScenarioSpec, filename: str, lines: LineMap, check_horizon: bool = True) -> list[Problem]:
    """Cross-field checks on a valid spec: unique codes and names, what each event kind needs, the timeline (names that exist: :func:`name_problems`)."""
    problems: list[Problem] = []

    def bad(loc: tuple, message: str) -> None:
        problems.append(Problem(filename, dotted_path(loc), message, _line(lines, loc)))

    for field in ("code", "name"):
        seen: set[str] = set()
        for i, nation in enumerate(spec.nations):
            value = getattr(nation, field)
            if value in seen:
                bad(("nations", i, field), f"nation {field} {value!r} is used twice")
            seen.add(value)
    seen = set()
    for i, fw in enumerate(spec.frameworks):
        if fw.code in seen:
            bad(("frameworks", i, "code"), f"framework code {fw.code!r} is used twice")
        seen.add(fw.code)
        if fw.founded_step is not None and not fw.members:
            bad(("frameworks", i, "members"), "a framework founded during the run needs its founding members")
        if check_horizon and fw.founded_step is not None and fw.founded_step > spec.steps:
            bad(("frameworks", i, "founded_step"), f"step {fw.founded_step} is after the last step ({spec.steps})")
        members: set[str] = set()
        for j, member in enumerate(fw.members):
            if member in members:
                bad(("frameworks", i, "members", j), f"{member!r} is listed twice")
            members.add(member)
        # Frameworks as clubs: the lead is a founding member; a framework opens once, while it exists, and only if closed.
        if fw.lead is not None and fw.lead not in members and fw.lead in {x.code for x in spec.nations}:  # an unknown nation is reported once, by name_problems
            bad(("frameworks", i, "lead"), f"the lead {fw.lead!r} is not one of the framework's members")
        if fw.opens_step is not None:
            if fw.open:
                bad(("frameworks", i, "opens_step"), "only a closed framework (open: false) can open at a step")
            if fw.founded_step is not None and fw.opens_step <= fw.founded_step:
                bad(("frameworks", i, "opens_step"), f"step {fw.opens_step} is not after the founding step ({fw.founded_step})")
            if check_horizon and fw.opens_step > spec.steps:
                bad(("frameworks", i, "opens_step"), f"step {fw.opens_step} is after the last step ({spec.steps})")

    for i, pair in enumerate(spec.trust.pairs):
        if pair.from_ == pair.to:
            bad(("trust", "pairs", i), "trust of a nation in itself is not a pair")

    for i, event in enumerate(spec.events):
        loc = ("events", i)
        needed = EVENT_FIELDS[event.kind]
        for field in ("actor", "target", "framework"):
            value = getattr(event, field)
            if field in needed and value is None:
                bad(loc + (field,), f"an event of kind {event.kind.value} needs a {field}")
            elif field not in needed and value is not None:
                bad(loc + (field,), f"an event of kind {event.kind.value} takes no {field}")
        if event.actor is not None and event.actor == event.target:
            bad(loc + ("target",), "an event's actor and target must differ")
        if event.debris is not None and event.kind.value != "asat_test":
            bad(loc + ("debris",), "only an asat_test event creates debris")
        if check_horizon and event.step > spec.steps:
            bad(loc + ("step",), f"step {event.step} is after the last step ({spec.steps})")
    for i, past in enumerate(spec.history):
        if past.year > spec.start_year:
            bad(("history", i, "year"), f"year {past.year} is after start_year {spec.start_year}; history is the past")
    return problems


def apply_overrides(spec: ScenarioSpec, values: dict[str, Any], source: str = "<overrides>", check_horizon: bool | None = None) -> ScenarioSpec:
    """A copy of ``spec`` with parameters, levers, ``steps`` or ``seed`` replaced, validated.

    Unknown names raise :class:`InputError`. Events after the last step are
    an error unless ``steps`` is among the values (a run shortened on
    purpose) or ``check_horizon`` is False (``spec`` was shortened before).
    """
    if not values:
        return spec
    data = spec.model_dump(mode="json", by_alias=True)
    for name, value in values.items():
        if name in ("steps", "seed"):
            data[name] = value
        elif name in PARAMETERS_BY_NAME:
            data[PARAMETERS_BY_NAME[name].group == "policy" and "policy" or "parameters"][name] = value
        else:
            raise InputError.single(source, name, "not a parameter of the model" + _suggest(name, ("parameters",)))
    try:
        return scenario_from_data(data, source, check_horizon=("steps" not in values) if check_horizon is None else check_horizon)
    except InputError as exc:  # name a value by the name it was given (legal_clarity, not policy.legal_clarity)
        given = {f"{group}.{name}": name for name in values for group in ("parameters", "policy")}
        raise InputError([Problem(p.file, given.get(p.path, p.path), p.message, p.line) for p in exc.problems]) from None

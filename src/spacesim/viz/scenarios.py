"""The scenario picker's catalogue: the shipped scenario files and their one-line descriptions."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..scenario.library import description_of, shipped_scenarios


@dataclass(frozen=True)
class ScenarioChoice:
    """A scenario the teacher can pick: its name in the picker, its file and its description."""

    name: str
    path: Path
    description: str

    @property
    def label(self) -> str:
        """The picker's text: name and description.

        >>> ScenarioChoice("demo", Path("demo.yaml"), "Two nations.").label
        'demo: Two nations.'
        """
        return f"{self.name}: {self.description}" if self.description else self.name


def scenario_catalogue(extra: str | Path | None = None) -> tuple[ScenarioChoice, ...]:
    """The shipped scenarios (sorted by name), preceded by ``extra`` when it is another scenario.

    ``extra`` is the file given on the command line. A copy of a shipped
    file (same name, same content: ``scenarios/teaching_small.yaml`` in a
    checkout is the shipped ``teaching_small``) is not listed twice. Any
    other file is named by its file stem, with "(your file)" added when a
    shipped scenario has that stem: the picker and the page's header show
    names, never a path (a projector shows them to a class).

    >>> names = [c.name for c in scenario_catalogue()]
    >>> "baseline" in names and "teaching_small" in names
    True
    """
    shipped = shipped_scenarios()
    out = [ScenarioChoice(name, path, description_of(path)) for name, path in shipped.items()]
    if extra is not None and _shipped_twin(Path(extra), shipped) is None:
        path = Path(extra)
        name = path.stem if path.stem not in shipped else f"{path.stem} (your file)"
        out.insert(0, ScenarioChoice(name, path, description_of(path)))
    return tuple(out)


def _shipped_twin(path: Path, shipped: dict[str, Path]) -> Path | None:
    """The shipped file ``path`` is, or is a byte-for-byte copy of under the same name; None when it is another scenario."""
    twin = shipped.get(path.stem)
    if twin is None:
        return None
    if path.resolve() == twin.resolve():
        return twin
    try:
        return twin if path.read_bytes() == twin.read_bytes() else None
    except OSError:
        return None


def choice_for(catalogue: tuple[ScenarioChoice, ...], path: str | Path | None) -> ScenarioChoice:
    """The catalogue entry of ``path`` (the shipped baseline when ``path`` is None).

    >>> choice_for(scenario_catalogue(), None).name
    'baseline'
    """
    if path is None:
        return next(c for c in catalogue if c.name == "baseline")
    target = Path(path).resolve()
    for choice in catalogue:
        if choice.path.resolve() == target:
            return choice
    twin = _shipped_twin(Path(path), {c.name: c.path for c in catalogue})
    return next(c for c in catalogue if twin is not None and c.path == twin)

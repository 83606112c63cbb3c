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
    """The shipped scenarios (sorted by name), preceded by ``extra`` when it is another file.

    ``extra`` is the file given on the command line; a shipped file is not
    listed twice. Its name is its file stem, or its path when a shipped
    scenario has the same stem.

    >>> names = [c.name for c in scenario_catalogue()]
    >>> "baseline" in names and "teaching_small" in names
    True
    """
    shipped = shipped_scenarios()
    out = [ScenarioChoice(name, path, description_of(path)) for name, path in shipped.items()]
    if extra is not None:
        path = Path(extra)
        if path.resolve() not in {p.resolve() for p in shipped.values()}:
            name = path.stem if path.stem not in shipped else str(path)
            out.insert(0, ScenarioChoice(name, path, description_of(path)))
    return tuple(out)


def choice_for(catalogue: tuple[ScenarioChoice, ...], path: str | Path | None) -> ScenarioChoice:
    """The catalogue entry of ``path`` (the shipped baseline when ``path`` is None).

    >>> choice_for(scenario_catalogue(), None).name
    'baseline'
    """
    if path is None:
        return next(c for c in catalogue if c.name == "baseline")
    target = Path(path).resolve()
    return next(c for c in catalogue if c.path.resolve() == target)

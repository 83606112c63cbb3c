"""The scenario files shipped with spacesim (``scenarios/`` in the repository)."""

from __future__ import annotations

from pathlib import Path

SCENARIO_DIR = Path(__file__).resolve().parent.parent / "scenarios"
DEFAULT_SCENARIO = "baseline"


def shipped_scenarios() -> dict[str, Path]:
    """Shipped scenario files by name (file stem), sorted."""
    return {p.stem: p for p in sorted(SCENARIO_DIR.glob("*.yaml"))}


def shipped_scenario(name: str = DEFAULT_SCENARIO) -> Path:
    """Path of a shipped scenario by name, e.g. ``"baseline"``."""
    found = shipped_scenarios()
    if name not in found:
        raise KeyError(f"no shipped scenario {name!r}; there are: {', '.join(found)}")
    return found[name]


def description_of(path: Path) -> str:
    """The scenario's one-line ``description`` field, read cheaply."""
    from .loader import load_scenario

    return load_scenario(path).description


EXPERIMENT_DIR = Path(__file__).resolve().parent.parent / "experiments"
DEFAULT_EXPERIMENT = "baseline"


def shipped_experiments() -> dict[str, Path]:
    """Shipped experiment files by name (file stem), sorted."""
    return {p.stem: p for p in sorted(EXPERIMENT_DIR.glob("*.yaml"))}


def shipped_experiment(name: str = DEFAULT_EXPERIMENT) -> Path:
    """Path of a shipped experiment by name, e.g. ``"baseline"``."""
    found = shipped_experiments()
    if name not in found:
        raise KeyError(f"no shipped experiment {name!r}; there are: {', '.join(found)}")
    return found[name]

"""Scenario files: typed specs, safe YAML loading and precise errors."""

from .errors import InputError, Problem
from .loader import apply_overrides, load_scenario, parse_scenario
from .schema import Domain, EventKind, FrameworkSpec, NationSpec, ScenarioSpec

__all__ = [
    "Domain",
    "EventKind",
    "FrameworkSpec",
    "InputError",
    "NationSpec",
    "Problem",
    "ScenarioSpec",
    "apply_overrides",
    "load_scenario",
    "parse_scenario",
]

"""spacesim: an agent-based policy simulation of international cooperation in space security.

The notebook API in four lines:

>>> from spacesim import load_scenario, shipped_scenario, SpaceModel
>>> spec = load_scenario(shipped_scenario("teaching_small"))
>>> model = SpaceModel(spec, rng=1, legal_clarity=0.8)
>>> steps = model.run(10)   # a pandas DataFrame, one row per step
"""

from importlib.metadata import PackageNotFoundError, version

from .model import Nation, SpaceModel
from .parameters import PARAMETERS, PARAMETERS_BY_NAME, Parameter
from .scenario import InputError, ScenarioSpec, load_scenario, parse_scenario
from .scenario.library import shipped_scenario, shipped_scenarios

try:
    __version__ = version("spacesim")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0+unknown"

__all__ = [
    "PARAMETERS",
    "PARAMETERS_BY_NAME",
    "InputError",
    "Nation",
    "Parameter",
    "ScenarioSpec",
    "SpaceModel",
    "__version__",
    "load_scenario",
    "parse_scenario",
    "shipped_scenario",
    "shipped_scenarios",
]

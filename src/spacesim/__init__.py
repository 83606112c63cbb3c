"""spacesim: an agent-based policy simulation of international cooperation in space security.

The notebook API in four lines:

>>> from spacesim import load_scenario, shipped_scenario, SpaceModel
>>> spec = load_scenario(shipped_scenario("teaching_small"))
>>> model = SpaceModel(spec, rng=1, legal_clarity=0.8)
>>> steps = model.run(10)   # a pandas DataFrame, one row per step
"""

from typing import Any

from .parameters import PARAMETERS, PARAMETERS_BY_NAME, Parameter
from .scenario import InputError, ScenarioSpec, load_scenario, parse_scenario
from .scenario.library import shipped_scenario, shipped_scenarios


def __getattr__(name: str) -> Any:
    """``spacesim.SpaceModel`` and ``spacesim.Nation``, imported when first asked for, and ``spacesim.__version__``, read from the installed package's metadata.

    (The model loads numba and its compiled rules; reading or validating a
    scenario or experiment file needs neither. ``importlib.metadata`` costs
    a tenth of a second to import; every batch worker imports spacesim and
    none needs the version.)
    """
    if name in ("SpaceModel", "Nation"):
        from . import model

        value = getattr(model, name)
        globals()[name] = value
        return value
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            value = version("spacesim")
        except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
            value = "0.0.0+unknown"
        globals()["__version__"] = value
        return value
    raise AttributeError(f"module 'spacesim' has no attribute {name!r}")


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

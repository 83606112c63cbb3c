"""The simulation: nations, partnerships, environment, and the model that steps them."""

from . import _cache  # noqa: F401 - first: numba's cache of every kernel follows the whole package's source
from .nation import Nation
from .space_model import SpaceModel

__all__ = ["Nation", "SpaceModel"]

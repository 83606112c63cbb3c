"""The simulation: nations, partnerships, environment, and the model that steps them."""

from .nation import Nation
from .space_model import SpaceModel

__all__ = ["Nation", "SpaceModel"]

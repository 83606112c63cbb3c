"""The model's rules, one idea per module; each is a few array operations.

The order in which :class:`spacesim.model.SpaceModel` applies them each step
is documented in docs/model.md (Process overview and scheduling).
"""

"""The Nation agent: a Mesa agent that reads and writes its row of the world's arrays."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

if TYPE_CHECKING:
    from .space_model import SpaceModel


class Nation(mesa.Agent):
    """A spacefaring nation. Its attributes are views on the model's arrays.

    The rules act on all nations at once (array operations in
    :class:`SpaceModel`), so a Nation holds no state of its own beyond its
    index; it is the handle through which Mesa tools, the dashboard and
    notebooks see one nation.
    """

    model: SpaceModel

    def __init__(self, model: SpaceModel, index: int):
        super().__init__(model)
        self.index = index

    @property
    def code(self) -> str:
        """ISO-like code, e.g. USA."""
        return self.model.state.codes[self.index]

    @property
    def name(self) -> str:
        """Display name."""
        return self.model.state.names[self.index]

    @property
    def bloc(self) -> str | None:
        """Alignment, if any."""
        b = int(self.model.state.bloc[self.index])
        return self.model.state.bloc_names[b] if b >= 0 else None

    @property
    def sovereignty(self) -> float:
        """How strongly the nation resists ceding control, in [0, 1] (C4)."""
        return float(self.model.state.sovereignty[self.index])

    @property
    def capability(self) -> float:
        """Space capability index (C1, C6)."""
        return float(self.model.state.capability[self.index])

    @property
    def threat_perception(self) -> float:
        """Perceived threat, in [0, 1] (C8)."""
        return float(self.model.state.threat[self.index])

    def trust_in(self, other: Nation | str) -> float:
        """This nation's trust in another, in [0, 1] (C2)."""
        j = other.index if isinstance(other, Nation) else self.model.state.index[other]
        return self.model.state.trust_of(self.index, j)

    @property
    def partners(self) -> list[str]:
        """Codes of the nations it has a bilateral agreement with."""
        row = self.model.state.tie_depth[self.index]
        return [self.model.state.codes[j] for j in row.nonzero()[0]]

    @property
    def frameworks(self) -> list[str]:
        """Codes of the frameworks it belongs to."""
        row = self.model.state.membership[self.index]
        return [self.model.state.framework_codes[f] for f in row.nonzero()[0]]

    def __repr__(self) -> str:
        return f"Nation({self.code})"

"""Typed, validated specification of a scenario file (schema version 1).

A scenario declares the nations, the trust between them, the frameworks that
exist at the start, the global rule parameters and policy levers (read from
:mod:`spacesim.parameters`), scheduled events and past context. Unknown keys
are errors everywhere, so a typo is never silently ignored.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, create_model
from pydantic import Strict as StrictValue

from ..catalogue import SCHEDULABLE
from ..parameters import PARAMETERS, Parameter

#: Steps in a year for each ``step_meaning`` (each maps to the calendar; rates are converted per step from it).
STEPS_PER_YEAR: dict[str, int] = {"quarter": 4, "month": 12, "year": 1}

#: Numbers as numbers: true/false and quoted numbers ("5") are refused, not read as 1 or 5 (an int is a valid float).
Float = Annotated[float, StrictValue()]
Int = Annotated[int, StrictValue()]
#: Largest seed: NumPy's generators and the result tables hold seeds as 64-bit integers.
MAX_SEED = 2**64 - 1
Seed = Annotated[int, StrictValue(), Field(ge=0, le=MAX_SEED)]
Unit = Annotated[float, StrictValue(), Field(ge=0.0, le=1.0)]
NationCode = Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9]{1,5}$", description="ISO-like code: 2-6 capitals or digits, starting with a capital")]


class Strict(BaseModel):
    """Base of every spec: unknown keys are errors; specs are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Domain(StrEnum):
    """What a partnership or framework shares, from shallow to deep."""

    SSA_SHARING = "ssa_sharing"
    JOINT_EXERCISES = "joint_exercises"
    MISSILE_WARNING = "missile_warning"
    TECHNOLOGY_TRANSFER = "technology_transfer"
    JOINT_COMMAND = "joint_command"


#: Kinds of event a scenario can schedule (the rules also make them at random), from :data:`spacesim.catalogue.EVENT_KINDS`.
EventKind = StrEnum("EventKind", {kind.upper(): kind for kind in SCHEDULABLE}, module=__name__)  # type: ignore[misc]

#: Which fields each scheduled event kind needs (:data:`spacesim.catalogue.SCHEDULABLE`).
EVENT_FIELDS: dict[EventKind, tuple[str, ...]] = {EventKind(kind): fields for kind, fields in SCHEDULABLE.items()}


class NationSpec(Strict):
    """A nation at the start of the run."""

    name: str = Field(min_length=1)
    code: NationCode
    sovereignty: Unit = Field(description="How strongly the nation resists ceding control (C4).")
    capability: Float = Field(ge=0.0, le=100.0, description="Space capability index; the strongest nation is about 1 (see docs/model.md).")
    capability_growth: Float = Field(0.0, ge=-0.2, le=0.5, description="Own growth of capability per quarter (share; compounded per step, 3.3.16).")
    threat_perception: Unit = Field(0.2, description="Perceived threat at the start (C8).")
    political_stability: Unit = Field(0.8, description="1 minus the relative chance of government change (C9).")
    bloc: str | None = Field(None, min_length=1, description="Alignment, if any (e.g. west, east).")
    commercial_capacity: Float = Field(0.0, ge=0.0, le=100.0, description="Commercial satellite and cyber capacity the nation can buy into (C12).")
    counterspace: Unit = Field(0.0, description="Offensive counterspace capability, 0 to 1 (C8).")
    reliability: Unit | None = Field(None, description="Hidden reliability of the government at the start: its chance to honour a commitment when defecting pays (C2). None: drawn from Beta(reliability_mean, reliability_concentration).")


class TrustPair(Strict):
    """Initial trust of one nation in another (both ways unless told)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    from_: NationCode = Field(alias="from")
    to: NationCode
    value: Unit
    both_ways: StrictBool = True


class BlocTrust(Strict):
    """Initial trust between members of two different blocs."""

    blocs: tuple[str, str]
    value: Unit


class TrustSpec(Strict):
    """How initial trust is set: a default, within-bloc and between-bloc values, then explicit pairs."""

    default: Unit = 0.4
    same_bloc: Unit | None = 0.7
    between_blocs: list[BlocTrust] = []
    pairs: list[TrustPair] = []


class FrameworkSpec(Strict):
    """A multilateral framework: one that exists at the start, or (``founded_step``) one founded during the run."""

    name: str = Field(min_length=1)
    code: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,31}$")
    members: list[NationCode] = Field([], description="The members at the start or, with `founded_step`, the founding core: the nations that found it on that step.")
    integration: Float = Field(gt=0.0, le=1.0, description="Depth of integration: near 0 = loose declaration, 1 = joint command (C11).")
    domain: Domain = Domain.SSA_SHARING
    open: StrictBool = Field(True, description="Whether outsiders may apply to join.")
    founded_step: Int | None = Field(None, ge=1, description="The step at which the framework is founded, its members (the founders) joining on that step; none: it exists at the start.")
    # Frameworks as clubs (docs/model.md 3.3.6): a lead that invites, a founding core (``members``), a date of opening.
    lead: NationCode | None = Field(None, description="The member that leads the framework and invites nations to join (3.3.6); one of `members`; none: the first of `members`.")
    opens_step: Int | None = Field(None, ge=1, description="The step at which a closed framework (`open: false`) opens to applicants (a `framework_opens` event); none: it stays as declared.")


class EventSpec(Strict):
    """An event scheduled at a step."""

    step: Int = Field(ge=1)
    kind: EventKind
    actor: NationCode | None = None
    target: NationCode | None = None
    framework: str | None = None
    debris: Float | None = Field(None, ge=0.0, description="Pieces created (ASAT tests); default asat_debris.")
    note: str | None = None


class PastEvent(Strict):
    """A destructive ASAT test before the run starts: context that colours initial trust."""

    year: Int
    kind: Literal["asat_test"] = "asat_test"
    actor: NationCode
    debris: Float | None = Field(None, ge=0.0)
    note: str | None = None


def _parameter_field(p: Parameter) -> tuple[Any, Any]:
    if p.kind is bool:
        return (StrictBool, Field(p.default, description=p.meaning))
    return (Annotated[p.kind, StrictValue()], Field(p.default, ge=p.low, le=p.high, description=p.meaning))


def _group_model(name: str, group: str) -> type[Strict]:
    fields = {p.name: _parameter_field(p) for p in PARAMETERS if p.group == group}
    return create_model(name, __base__=Strict, **fields)  # type: ignore[call-overload]


RuleParameters = _group_model("RuleParameters", "rule")
PolicyLevers = _group_model("PolicyLevers", "policy")


class ScenarioSpec(Strict):
    """A whole scenario file, validated."""

    schema_version: Literal[1]
    name: str = Field(min_length=1)
    description: str = Field(min_length=1, description="One line: what the scenario is for.")
    steps: Int = Field(120, ge=1, le=100_000)
    step_meaning: Literal[tuple(STEPS_PER_YEAR)] = Field("quarter", description="What one step lasts: quarter, month or year; rates are declared per quarter and converted per step (docs/model.md 3.3.16).")  # type: ignore[valid-type]
    start_year: Int = 2025
    seed: Seed = 1
    initial_debris: Float = Field(30_000.0, ge=0.0)
    initial_norm_strength: Unit = 0.0
    nations: list[NationSpec] = Field(min_length=2)
    trust: TrustSpec = TrustSpec()
    frameworks: list[FrameworkSpec] = []
    parameters: RuleParameters = RuleParameters()  # type: ignore[valid-type]
    policy: PolicyLevers = PolicyLevers()  # type: ignore[valid-type]
    events: list[EventSpec] = []
    history: list[PastEvent] = []

    def parameter_values(self) -> dict[str, Any]:
        """Every rule parameter and policy lever, by name, flat."""
        return {**self.parameters.model_dump(), **self.policy.model_dump()}

    def with_parameters(self, **values: Any) -> "ScenarioSpec":
        """A copy with some parameters or levers replaced (validated)."""
        from .loader import apply_overrides

        return apply_overrides(self, values)

"""The world's state as NumPy arrays indexed by nation (and framework).

Pairwise state (trust evidence, interoperability, bilateral ties) is N x N;
memberships are N x F. A step is a few array operations on these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, NamedTuple

import numpy as np
from numba import njit

from ..parameters import PARAMETERS, RATE_SCALING, RATE_UNIT
from ..scenario.history import STEPS_PER_YEAR
from ..scenario.schema import Domain, ScenarioSpec
from .equations import amount_per_step, chance_per_step, growth_per_step, kept_per_step, trust

#: The parameter naming the depth of sharing at which a bilateral agreement reaches each domain, deepest first (C3: low trust, shallow deals).
DOMAIN_DEPTHS: tuple[tuple[str, Domain], ...] = (
    ("depth_technology_transfer", Domain.TECHNOLOGY_TRANSFER),
    ("depth_missile_warning", Domain.MISSILE_WARNING),
    ("depth_joint_exercises", Domain.JOINT_EXERCISES),
)


def domain_thresholds(p: SimpleNamespace) -> tuple[tuple[float, Domain], ...]:
    """Each domain with the depth of sharing at which a bilateral agreement reaches it, deepest first (SSA sharing at any depth)."""
    return (*((float(getattr(p, name)), domain) for name, domain in DOMAIN_DEPTHS), (0.0, Domain.SSA_SHARING))


def domain_for_depth(depth: float, p: SimpleNamespace) -> Domain:
    """The deepest domain a bilateral agreement of this depth reaches (thresholds ``depth_*``, 3.3.5; :func:`domain_code`).

    >>> from spacesim.parameters import defaults
    >>> p = SimpleNamespace(**defaults())
    >>> domain_for_depth(0.1, p).value, domain_for_depth(0.8, p).value
    ('ssa_sharing', 'technology_transfer')
    """
    return _DOMAINS[domain_code(float(depth), parameter_record(p))]


_DOMAINS: tuple[Domain, ...] = tuple(Domain)
_TT, _MW, _JE, _SSA = (_DOMAINS.index(d) for d in (Domain.TECHNOLOGY_TRANSFER, Domain.MISSILE_WARNING, Domain.JOINT_EXERCISES, Domain.SSA_SHARING))


@njit(cache=True)
def domain_code(depth, record):  # noqa: ANN001, ANN201 - compiled
    """The deepest domain (its position in :class:`~spacesim.scenario.schema.Domain`) a bilateral agreement of this depth reaches:
    the first of :data:`DOMAIN_DEPTHS` whose threshold it reaches, else SSA sharing."""
    p = record[0]
    if depth >= p.depth_technology_transfer:
        return _TT
    if depth >= p.depth_missile_warning:
        return _MW
    if depth >= p.depth_joint_exercises:
        return _JE
    return _SSA


def step_length(step_meaning: str) -> float:
    """How many :data:`~spacesim.parameters.RATE_UNIT` (quarters) one step lasts (3.3.16).

    >>> step_length("quarter"), step_length("year"), round(step_length("month"), 4)
    (1.0, 4.0, 0.3333)
    """
    per_year = STEPS_PER_YEAR.get(step_meaning.strip().lower())
    if per_year is None:
        raise ValueError(f"step_meaning '{step_meaning}' has no length in time; use one of {', '.join(STEPS_PER_YEAR)}")
    return STEPS_PER_YEAR[RATE_UNIT] / per_year


_CONVERT = {"chance": chance_per_step, "kept": kept_per_step, "amount": amount_per_step, "growth": growth_per_step}


def per_step_values(values: dict[str, Any], step_meaning: str) -> dict[str, Any]:
    """Parameter values with every rate (:data:`~spacesim.parameters.RATE_SCALING`) converted from per quarter to per
    step (3.3.16); unchanged when a step is a quarter.

    >>> from spacesim.parameters import defaults
    >>> per_step_values(defaults(), "quarter")["asat_rate"], round(per_step_values(defaults(), "year")["asat_rate"], 6)
    (0.004, 0.015904)
    """
    dt = step_length(step_meaning)
    return {name: (float(_CONVERT[RATE_SCALING[name]](float(v), dt)) if name in RATE_SCALING else v) for name, v in values.items()}


@dataclass
class WorldState:
    """Every quantity the rules read and write, as arrays."""

    codes: list[str]
    names: list[str]
    bloc: np.ndarray  # int bloc index per nation, -1 for none
    bloc_names: list[str]
    sovereignty: np.ndarray
    capability: np.ndarray
    growth: np.ndarray
    threat: np.ndarray
    base_threat: np.ndarray
    stability: np.ndarray
    commercial: np.ndarray
    counterspace: np.ndarray
    alpha: np.ndarray  # evidence of trustworthiness, N x N, row = truster
    beta: np.ndarray  # evidence of untrustworthiness
    prior_alpha: np.ndarray
    prior_beta: np.ndarray
    reliability: np.ndarray  # hidden: each government's chance to honour a commitment when defecting pays (issue 15); NaN until drawn
    interop: np.ndarray
    tie_depth: np.ndarray  # symmetric; 0 means no bilateral agreement
    tie_id: np.ndarray  # symmetric; -1 means none
    framework_codes: list[str]
    framework_names: list[str]
    integration: np.ndarray  # per framework
    framework_open: np.ndarray  # per framework, bool
    framework_domain: list[Domain]
    membership: np.ndarray  # N x F bool
    membership_id: np.ndarray  # N x F int, -1 means none
    ever_member: np.ndarray  # N x F bool: former members may return to a closed framework
    debris: float
    norm: float
    index: dict[str, int] = field(default_factory=dict)
    framework_index: dict[str, int] = field(default_factory=dict)
    # Frameworks as clubs (3.3.6): each framework's declared lead (nation index; -1: none), who invites while a member.
    framework_lead: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    _co_key: tuple[bytes, bytes] | None = field(default=None, repr=False)
    _co_value: np.ndarray | None = field(default=None, repr=False)

    @property
    def framework_domain_code(self) -> np.ndarray:
        """Each framework's domain as its position in :class:`~spacesim.scenario.schema.Domain` (int64)."""
        return np.array([_DOMAINS.index(d) for d in self.framework_domain], dtype=np.int64)

    @property
    def n(self) -> int:
        """Number of nations."""
        return len(self.codes)

    @property
    def trust(self) -> np.ndarray:
        """Directed trust T[i, j] = alpha / (alpha + beta) (:func:`spacesim.model.equations.trust`): i's belief that j cooperates (C2)."""
        return self.trust_into(np.empty_like(self.alpha))

    def trust_into(self, out: np.ndarray) -> np.ndarray:
        """:attr:`trust` written into ``out`` (N x N float64) and returned: for a caller that keeps one array across steps."""
        _trust_into(self.alpha, self.beta, out)
        return out

    def trust_in(self, j: int) -> np.ndarray:
        """Column T[:, j]: every nation's trust in j (without computing the whole matrix)."""
        return _trust_column(self.alpha, self.beta, j)

    def trust_of(self, i: int, j: int) -> float:
        """T[i, j] alone."""
        return trust(float(self.alpha[i, j]), float(self.beta[i, j]))

    def co_membership(self) -> np.ndarray:
        """C[i, j] = highest integration of a framework i and j both belong to (0 if none).

        Several rules read it each step while memberships rarely change, so
        the matrix is kept until the memberships or integrations differ from
        those it was computed from. Treat the result as read-only.
        """
        key = (self.membership.tobytes(), self.integration.tobytes())
        value = self._co_value
        if value is None or self._co_key != key:
            value = _co_membership(self.membership, self.integration)
            self._co_value, self._co_key = value, key
        return value


class World(NamedTuple):
    """The state's arrays as compiled code reads and writes them in place, by name (``a.alpha``); ``env`` holds the debris stock and norm strength."""

    alpha: np.ndarray
    beta: np.ndarray
    prior_alpha: np.ndarray
    prior_beta: np.ndarray
    tie_depth: np.ndarray
    tie_id: np.ndarray
    interop: np.ndarray
    capability: np.ndarray
    commercial: np.ndarray
    growth: np.ndarray
    counterspace: np.ndarray
    threat: np.ndarray
    base_threat: np.ndarray
    stability: np.ndarray
    sovereignty: np.ndarray
    reliability: np.ndarray
    membership: np.ndarray
    membership_id: np.ndarray
    ever_member: np.ndarray
    framework_open: np.ndarray
    integration: np.ndarray
    framework_lead: np.ndarray  # frameworks as clubs (3.3.6): each framework's declared lead
    framework_domain: np.ndarray  # each framework's domain, as its position in Domain
    env: np.ndarray  # float64[2]: debris (ENV_DEBRIS), norm strength (ENV_NORM)


ENV_DEBRIS, ENV_NORM = 0, 1


def world_of(s: WorldState) -> World:
    """The :class:`World` of a state, with ``env`` from its debris and norm (write them back with :func:`settle_env`)."""
    return World(
        s.alpha,
        s.beta,
        s.prior_alpha,
        s.prior_beta,
        s.tie_depth,
        s.tie_id,
        s.interop,
        s.capability,
        s.commercial,
        s.growth,
        s.counterspace,
        s.threat,
        s.base_threat,
        s.stability,
        s.sovereignty,
        s.reliability,
        s.membership,
        s.membership_id,
        s.ever_member,
        s.framework_open,
        s.integration,
        s.framework_lead,
        s.framework_domain_code,
        np.array([s.debris, s.norm]),
    )


def settle_env(s: WorldState, w: World) -> None:
    """Debris and norm strength back from a :class:`World`'s ``env`` into the state."""
    s.debris, s.norm = float(w.env[ENV_DEBRIS]), float(w.env[ENV_NORM])


@njit(cache=True)
def _trust_into(alpha, beta, out):  # noqa: ANN001, ANN202 - compiled
    rows, cols = alpha.shape
    for i in range(rows):
        for j in range(cols):
            out[i, j] = trust(alpha[i, j], beta[i, j])


@njit(cache=True)
def _trust_column(alpha, beta, j):  # noqa: ANN001, ANN202 - compiled
    out = np.empty(alpha.shape[0])
    for i in range(alpha.shape[0]):
        out[i] = trust(alpha[i, j], beta[i, j])
    return out


@njit(cache=True)
def _co_membership(membership, integration):  # noqa: ANN001, ANN202 - compiled
    """C[i, j] = max over frameworks f of M_if M_jf I_f, zero diagonal: each framework raises its members' block."""
    n, f_count = membership.shape
    out = np.zeros((n, n))
    members = np.empty(n, dtype=np.int64)
    for f in range(f_count):
        m = 0
        for i in range(n):
            if membership[i, f]:
                members[m] = i
                m += 1
        level = integration[f]
        for a in range(m):
            row = members[a]
            for b in range(m):
                col = members[b]
                if row != col and level > out[row, col]:
                    out[row, col] = level
    return out


def build_state(spec: ScenarioSpec, p: SimpleNamespace) -> WorldState:
    """Arrays of the initial state from a validated scenario and its parameters."""
    nations = spec.nations
    n = len(nations)
    codes = [x.code for x in nations]
    index = {c: i for i, c in enumerate(codes)}
    bloc_names = sorted({x.bloc for x in nations if x.bloc})
    bloc = np.array([bloc_names.index(x.bloc) if x.bloc else -1 for x in nations], dtype=int)

    trust0 = np.full((n, n), spec.trust.default)
    if spec.trust.same_bloc is not None:
        same = (bloc[:, None] == bloc[None, :]) & (bloc[:, None] >= 0)
        trust0[same] = spec.trust.same_bloc
    for bt in spec.trust.between_blocs:
        a, b = (bloc_names.index(x) for x in bt.blocs)
        pair = ((bloc[:, None] == a) & (bloc[None, :] == b)) | ((bloc[:, None] == b) & (bloc[None, :] == a))
        trust0[pair] = bt.value
    for pair in spec.trust.pairs:
        i, j = index[pair.from_], index[pair.to]
        trust0[i, j] = pair.value
        if pair.both_ways:
            trust0[j, i] = pair.value
    np.fill_diagonal(trust0, 1.0)
    # Beta evidence counts; keep both strictly positive so trust is always defined.
    trust0 = np.clip(trust0, p.initial_trust_clip, 1 - p.initial_trust_clip)
    prior_alpha = trust0 * p.trust_prior_strength
    prior_beta = (1 - trust0) * p.trust_prior_strength

    capability = np.array([x.capability for x in nations], dtype=float)
    gap = np.abs(capability[:, None] - capability[None, :]) / np.maximum(capability[:, None] + capability[None, :], 1e-12)
    interop = 1.0 - p.incompatibility * gap

    frameworks = spec.frameworks
    f = len(frameworks)
    membership = np.zeros((n, f), dtype=bool)
    for k, fw in enumerate(frameworks):
        if fw.founded_step is not None:  # founded during the run: its founders join then (SpaceModel)
            continue
        for code in fw.members:
            membership[index[code], k] = True

    threat = np.array([x.threat_perception for x in nations], dtype=float)
    state = WorldState(
        codes=codes,
        names=[x.name for x in nations],
        bloc=bloc,
        bloc_names=bloc_names,
        sovereignty=np.clip(np.array([x.sovereignty for x in nations]) + p.sovereignty_shift, 0.0, 1.0),
        capability=capability,
        growth=np.array([growth_per_step(x.capability_growth, step_length(spec.step_meaning)) for x in nations], dtype=float),
        threat=threat.copy(),
        base_threat=threat.copy(),
        stability=np.array([x.political_stability for x in nations], dtype=float),
        commercial=np.array([x.commercial_capacity for x in nations], dtype=float),
        counterspace=np.array([x.counterspace for x in nations], dtype=float),
        alpha=prior_alpha.copy(),
        beta=prior_beta.copy(),
        prior_alpha=prior_alpha,
        prior_beta=prior_beta,
        reliability=np.array([np.nan if x.reliability is None else x.reliability for x in nations], dtype=float),
        interop=interop,
        tie_depth=np.zeros((n, n)),
        tie_id=np.full((n, n), -1, dtype=np.int64),
        framework_codes=[x.code for x in frameworks],
        framework_names=[x.name for x in frameworks],
        integration=np.array([x.integration for x in frameworks], dtype=float),
        framework_open=np.array([x.open for x in frameworks], dtype=bool),
        framework_domain=[x.domain for x in frameworks],
        membership=membership,
        membership_id=np.full((n, f), -1, dtype=np.int64),
        ever_member=membership.copy(),
        debris=float(spec.initial_debris),
        norm=float(spec.initial_norm_strength),
        index=index,
        framework_index={x.code: k for k, x in enumerate(frameworks)},
        framework_lead=np.array([index[x.lead or x.members[0]] if (x.lead or x.members) else -1 for x in frameworks], dtype=np.int64),
    )
    return state


#: The record compiled rules read parameters from: a field per declared parameter, in declaration order.
PARAMETER_RECORD = np.dtype([(q.name, np.bool_ if q.kind is bool else np.float64) for q in PARAMETERS], align=True)  # aligned: numba passes it fast


class RuleParameters(SimpleNamespace):
    """Parameter values as attributes, for terse rule code (``p.trust_gain``).

    The compiled rules read the same values from :attr:`record`, a NumPy
    record with a field per declared parameter (``record[0].trust_gain``
    inside a kernel). It is rebuilt after any attribute changes, so setting
    ``model.p.reversal_withdrawal = 1.0`` reaches the kernels too.

    >>> from spacesim.parameters import defaults
    >>> p = RuleParameters(**defaults())
    >>> float(p.record[0]["trust_gain"]), bool(p.record[0]["allow_bilateral"])
    (0.5, True)
    >>> p.trust_gain = 0.7
    >>> float(p.record[0]["trust_gain"])
    0.7
    """

    __slots__ = ("_record",)

    def __setattr__(self, name: str, value: Any) -> None:
        super().__setattr__(name, value)
        object.__setattr__(self, "_record", None)

    @property
    def record(self) -> np.ndarray:
        """A one-element array of dtype :data:`PARAMETER_RECORD` holding these values."""
        rec = getattr(self, "_record", None)
        if rec is None:
            rec = _record_of(vars(self))
            object.__setattr__(self, "_record", rec)
        return rec


def _record_of(values: dict[str, Any]) -> np.ndarray:
    names = PARAMETER_RECORD.names
    assert names is not None  # a structured dtype: one named field per parameter
    missing = [name for name in names if name not in values]
    if missing:
        raise KeyError(f"parameters missing for the compiled rules: {', '.join(missing)}")
    return np.array([tuple(values[name] for name in names)], dtype=PARAMETER_RECORD)


def parameter_record(p: SimpleNamespace) -> np.ndarray:
    """The parameters as a :data:`PARAMETER_RECORD` array, from a :class:`RuleParameters` (kept) or any namespace (built)."""
    return p.record if isinstance(p, RuleParameters) else _record_of(vars(p))


def params_namespace(values: dict[str, Any]) -> RuleParameters:
    """Parameters as attributes, for terse rule code (p.trust_gain), and as a record for compiled rules."""
    return RuleParameters(**values)

"""SpaceModel: a Mesa model of nations negotiating space-security partnerships."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pandas as pd

from ..catalogue import EVENT_COUNTS, NATION_COUNTS, NATION_OUTCOMES, STEP_OUTCOMES
from ..scenario import ScenarioSpec, apply_overrides, load_scenario
from ..scenario.library import shipped_scenario
from ..scenario.schema import EventKind
from . import events
from .equations import history_weight
from .ledger import C_ENDED, C_FORMED, C_STEP, E_ACTOR, E_KIND, KIND, REASON, S_EVENTS, Bookkeeper, EventLog, PartnershipLedger, plural
from .metrics import Recorder, record_pass
from .nation import Nation
from .rules import environment, politics
from .rules import trust as trust_rule
from .state import build_state, params_namespace, per_step_values, settle_env, world_of
from .step import run_step


class NationRecords(Mapping):
    """Mesa's ``_agent_records`` read from the recorder when asked: step -> ``(step, agent id, *nation outcomes)`` per nation.

    Building N tuples a step that nobody reads would cost more than the step
    of a large world; Mesa's readers (``get_agent_vars_dataframe``,
    ``batch_run``) only index, iterate and ``get`` this mapping.
    """

    def __init__(self, model: SpaceModel):
        self.model = model

    def _rows(self) -> dict[int, np.ndarray]:
        return dict(self.model.recorder.nation_rows())

    def __getitem__(self, step: int) -> list[tuple]:
        values = self._rows()[step]
        ids = [nation.unique_id for nation in self.model.nations]
        counts = [k in NATION_COUNTS for k in NATION_OUTCOMES]
        columns = [v.astype(np.int64).tolist() if count else v.tolist() for v, count in zip(values, counts)]
        return [(step, ids[i], *(column[i] for column in columns)) for i in range(len(ids))]

    def __iter__(self):
        return iter(self._rows())

    def __len__(self) -> int:
        return len(self._rows())


class RecordedOutcomes(mesa.DataCollector):
    """Mesa's DataCollector for every step outcome (:data:`spacesim.catalogue.STEP_OUTCOMES`) and, per nation, every
    nation outcome (:data:`spacesim.catalogue.NATION_OUTCOMES`), filled from the recorder.

    Mesa's own ``collect`` deep-copies every reporter's value each step;
    these are numbers, so they are appended as they are (a tenth of a small
    world's step saved). The nations' values are read from the recorder only
    when asked (:class:`NationRecords`). Tables, ``get_agent_vars_dataframe``
    and ``mesa.batch_run`` read it as usual.
    """

    def __init__(self, model: SpaceModel):
        super().__init__(model_reporters={k: (lambda m, k=k: m.recorder.last(k)) for k in STEP_OUTCOMES}, agent_reporters={k: k for k in NATION_OUTCOMES})
        self._agent_records = NationRecords(model)

    def collect(self, model: SpaceModel) -> None:
        """Append the latest recorded value of each reporter (and the time, as Mesa's own collect does)."""
        if hasattr(self, "_collection_steps"):
            self._collection_steps.append(model.time)
        for values, value in zip(self.model_vars.values(), model.recorder.last_values(tuple(self.model_vars))):
            values.append(value)


class SpaceModel(mesa.Model):
    """Nations negotiate bilateral and multilateral space-security partnerships.

    Args:
        spec: a validated :class:`ScenarioSpec`, a path to a scenario file, or
            ``None`` for the shipped baseline scenario.
        rng: seed or generator for the model's one random number generator;
            ``None`` uses the scenario's ``seed``.
        **parameters: overrides of any rule parameter or policy lever
            (see :mod:`spacesim.parameters`), or ``steps``/``seed``.

    >>> model = SpaceModel(rng=7, legal_clarity=0.9)
    >>> model.p.legal_clarity
    0.9
    >>> model.run(3).shape[0]  # the initial state (step 0) and three steps
    4
    """

    #: Rows the ledger's and the event log's tables start with; each doubles when a step needs more (:func:`spacesim.model.ledger.reserve`).
    book_capacity: int = 64

    def __init__(self, spec: ScenarioSpec | str | Path | None = None, *, rng: Any = None, **parameters: Any):
        if spec is None:
            spec = shipped_scenario()
        if isinstance(spec, (str, Path)):
            spec = load_scenario(spec)
        spec = apply_overrides(spec, parameters)
        super().__init__(rng=spec.seed if rng is None else rng)
        self.spec: ScenarioSpec = spec
        self.p = params_namespace(per_step_values(spec.parameter_values(), spec.step_meaning))  # rates per step (3.3.16)
        self.state = build_state(spec, self.p)
        politics.initial_reliability(self.state, self.p, self.rng)  # hidden types, from the model's generator (N uniforms)
        self._new_governments = False  # a government's reliability settled since the last record (see _recorded)
        self.keeper = Bookkeeper(self.book_capacity)
        self.ledger = PartnershipLedger(self.keeper, self.state)
        self.log = EventLog(self.keeper, self.state, events.DESCRIBERS)
        self.recorder = Recorder(spec.steps)
        self.recorder.codes = list(self.state.codes)
        self.recorder.blocs = [self.state.bloc_names[b] if b >= 0 else None for b in self.state.bloc]
        self.nations: list[Nation] = [Nation(self, i) for i in range(self.state.n)]
        self._scheduled = self._index_schedule(spec)
        self._foundings = self._index_foundings(spec)
        self._openings = self._index_openings(spec)  # frameworks as clubs: closed frameworks that open at a step
        self._scratch_arrays: dict[str, np.ndarray] = {}  # see _scratch
        s = self.state
        for f in range(s.membership.shape[1]):
            for i in np.flatnonzero(s.membership[:, f]):
                self.call(events.founding_membership, int(i), f)
        self._apply_history()
        environment.calibrate_base_threat(s, self.p)
        self.datacollector = RecordedOutcomes(self)
        self._record()

    # ------------------------------------------------------------------ set-up
    @staticmethod
    def _index_schedule(spec: ScenarioSpec) -> dict[int, list]:
        out: dict[int, list] = {}
        for event in spec.events:
            out.setdefault(event.step, []).append(event)
        return out

    @staticmethod
    def _index_foundings(spec: ScenarioSpec) -> dict[int, list[tuple[int, list[str]]]]:
        """Frameworks founded during the run, by step: (framework index, founding members' codes)."""
        out: dict[int, list[tuple[int, list[str]]]] = {}
        for f, fw in enumerate(spec.frameworks):
            if fw.founded_step is not None:
                out.setdefault(fw.founded_step, []).append((f, list(fw.members)))
        return out

    @staticmethod
    def _index_openings(spec: ScenarioSpec) -> dict[int, list[int]]:
        """Closed frameworks that open to applicants during the run, by step (their ``opens_step``): framework indices."""
        out: dict[int, list[int]] = {}
        for f, fw in enumerate(spec.frameworks):
            if fw.opens_step is not None:
                out.setdefault(fw.opens_step, []).append(f)
        return out

    def _apply_history(self) -> None:
        """Past destructive ASAT tests lower first impressions of the tester, fading with age."""
        s, p = self.state, self.p
        for past in self.spec.history:
            actor = s.index[past.actor]
            age = self.spec.start_year - past.year
            weight = history_weight(age, p.hostile_trust_damage, p.history_half_life)
            before = s.trust_in(actor)
            others = np.arange(s.n) != actor
            s.prior_beta[others, actor] += weight
            s.beta[others, actor] += weight
            drop = float((before - s.trust_in(actor))[others].mean())
            self.call(events.log_row, events.HISTORY, actor, -1, -1, True, -drop, float(past.year), drop)

    # ------------------------------------------------- compiled acts and handlers
    def call(self, fn: Any, *args: Any) -> None:
        """Run a compiled act, handler or the step, ``fn(world, books, *args) -> books``, on the state and the books; then
        settle what Python finishes (debris and norm back in the state, new governments' reliabilities)."""
        s = self.state
        world = world_of(s)
        keeper = self.keeper
        keeper.books.clock[C_STEP] = self.steps
        first = int(keeper.books.sizes[S_EVENTS])
        keeper.books = fn(world, keeper.books, *args)
        settle_env(s, world)
        if (keeper.books.events[first : int(keeper.books.sizes[S_EVENTS]), E_KIND] == events.GOVERNMENT_CHANGE).any():
            self._settle_reliabilities(first)

    def act(self, handler: Any, actor: int, target: int, framework: int, debris: float, scheduled: bool) -> None:
        """Run an event's compiled handler (:data:`spacesim.model.events.HANDLERS`) now: -1 for no nation or framework, NaN for the default debris."""
        self.call(handler, self.rng, self.p.record, actor, target, framework, debris, scheduled)

    def _settle_reliabilities(self, first: int) -> None:
        """New governments since event row ``first``: their reliability, the inverse Beta CDF of the uniform the handler drew (3.1)."""
        rows = self.keeper.rows(S_EVENTS)[first:]
        for r in np.flatnonzero((rows[:, E_KIND] == events.GOVERNMENT_CHANGE) & np.isnan(rows[:, events.GC_RELIABILITY])).tolist():
            row = rows[r]
            reliability = float(politics.reliability_from(row[events.GC_UNIFORM], self.p))
            self.state.reliability[int(row[E_ACTOR])] = reliability
            row[events.GC_RELIABILITY] = reliability  # a view: writes the log's row
            self._new_governments = True

    @property
    def _formed(self) -> int:
        """Bilateral agreements formed this step."""
        return int(self.keeper.books.clock[C_FORMED])

    @_formed.setter
    def _formed(self, value: int) -> None:
        self.keeper.books.clock[C_FORMED] = value

    @property
    def _ended(self) -> int:
        """Bilateral agreements ended this step."""
        return int(self.keeper.books.clock[C_ENDED])

    @_ended.setter
    def _ended(self, value: int) -> None:
        self.keeper.books.clock[C_ENDED] = value

    # ---------------------------------------------------------- agreements
    def _nation(self, i: int) -> int:
        """``i`` as an index of a nation, checked: compiled acts index without bounds checks."""
        if not 0 <= int(i) < self.state.n:
            raise IndexError(f"nation {i} is not one of the model's {self.state.n} nations")
        return int(i)

    def _framework(self, f: int) -> int:
        """``f`` as an index of a framework, checked."""
        if not 0 <= int(f) < self.state.membership.shape[1]:
            raise IndexError(f"framework {f} is not one of the model's {self.state.membership.shape[1]} frameworks")
        return int(f)

    def form_agreement(self, i: int, j: int, depth: float) -> None:
        """Open a bilateral agreement between nations i and j."""
        i, j = self._nation(i), self._nation(j)
        if i == j or self.state.tie_id[i, j] >= 0:
            raise ValueError(f"nations {i} and {j} cannot open an agreement: {'the same nation' if i == j else 'they have one'}")
        self.call(events.form_agreement, self.p.record, i, j, float(depth))

    def end_agreement(self, i: int, j: int, reason: str) -> None:
        """End the bilateral agreement between nations i and j."""
        i, j = self._nation(i), self._nation(j)
        if self.state.tie_id[i, j] < 0:
            raise ValueError(f"nations {i} and {j} have no agreement to end")
        self.call(events.end_agreement, i, j, REASON[reason])

    def join_framework(self, i: int, f: int) -> None:
        """Nation i joins framework f."""
        i, f = self._nation(i), self._framework(f)
        if self.state.membership[i, f]:
            raise ValueError(f"nation {i} is a member of framework {f} already")
        self.call(events.join_framework, i, f)

    def leave_framework(self, i: int, f: int, reason: str, scheduled: bool = False) -> None:
        """Nation i leaves framework f."""
        i, f = self._nation(i), self._framework(f)
        if not self.state.membership[i, f]:
            raise ValueError(f"nation {i} is not a member of framework {f}")
        self.call(events.leave_framework, i, f, REASON[reason], bool(scheduled))

    def found_framework(self, f: int, founders: list[int]) -> None:
        """A framework is founded: logged (with ``scheduled`` true), then its founding members join it now (each an accession)."""
        s = self.state
        row = len(self.log)
        self.call(events.log_row, events.FRAMEWORK_FOUNDED, -1, -1, int(f), True, 0.0, 0.0, 0.0)
        self.keeper.notes[row] = {
            "founders": plural(len(founders), "nation"),
            "names": ", ".join(s.names[i] for i in founders),
            "founders_count": len(founders),
            "status": "open" if s.framework_open[f] else "closed",
        }
        for i in founders:
            self.join_framework(i, f)

    # ------------------------------------------------------------------ step
    def step(self) -> None:
        """Advance one step, in the order documented in docs/model.md (1.3).

        Memory fades and the scheduled events happen here, in Python; the
        rest of the step (random events, debris, norms, threat, coverage,
        agreements, frameworks, the cooperation round, capability, political
        change, and the step's record with the ledger's revisions) is one
        compiled pass (:func:`spacesim.model.step.run_step`) that writes the
        ledger and the event log itself; then the recorded row is checked
        finite and Mesa's DataCollector takes it.
        """
        s = self.state
        self._formed = self._ended = 0
        trust_rule.decay(s, self.p)
        self._scheduled_events()
        run_step(self, self._scratch("trust", (s.n, s.n)), self._scratch("intensity", (s.n, s.n)), self._scratch("draws", (3, s.n, s.n)))  # and its record
        self._recorded()
        if self.steps >= self.spec.steps:
            self.running = False

    def _scratch(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """A float64 working array kept from step to step, contents undefined: a 1,000-nation step would
        otherwise allocate (and the system map in) several fresh 8 MB arrays. Only the step uses them."""
        array = self._scratch_arrays.get(name)
        if array is None or array.shape != shape:
            array = self._scratch_arrays[name] = np.empty(shape)
        return array

    def _scheduled_events(self) -> None:
        s = self.state
        for f, founders in self._foundings.get(self.steps, []):  # frameworks founded now, before the step's other events
            self.found_framework(f, [s.index[code] for code in founders])
        for f in self._openings.get(self.steps, []):  # frameworks that open now (after any founding this step), as a scheduled framework_opens
            events.happen(self, "framework_opens", framework=f, scheduled=True)
        for event in self._scheduled.get(self.steps, []):
            actor = s.index[event.actor] if event.actor else None
            target = s.index[event.target] if event.target else None
            framework = s.framework_index[event.framework] if event.framework else None
            events.happen(self, EventKind(event.kind).value, actor, target, framework, debris=event.debris, scheduled=True)

    def trigger(
        self,
        kind: EventKind | str,
        actor: int | None = None,
        target: int | None = None,
        framework: int | None = None,
        *,
        debris: float | None = None,
        scheduled: bool = False,
    ) -> None:
        """Make an event happen now, between steps (the dashboard's shock buttons, a notebook): the handler registered for
        its kind acts and logs it at the current step, which is then recorded again (:meth:`record_again`), so that the
        step's row counts the event its log row names. (Scheduled events happen inside :meth:`step`, before its record.)
        """
        events.happen(self, EventKind(kind).value, actor, target, framework, debris=debris, scheduled=scheduled)
        self.record_again()

    def record_again(self) -> None:
        """Record the current step again, after events triggered since its record (a shock between steps).

        The step's row, nation rows and DataCollector values are replaced by
        a record of the state now; the step's own event counts are kept and
        the new events added to them, so a shock counts at the step it is
        logged at.
        """
        last = self.recorder.drop_last()
        collector = self.datacollector
        for values in collector.model_vars.values():
            values.pop()
        if getattr(collector, "_collection_steps", None):
            collector._collection_steps.pop()
        for outcome, kind in EVENT_COUNTS.items():
            self.log.counts[KIND[kind]] += last[outcome]
        self._record()

    def _record(self) -> None:
        """Record the step (compiled, :func:`spacesim.model.metrics.record_pass`), then Mesa's DataCollector."""
        recorder = self.recorder
        self.call(record_pass, self.p.record, self.state.bloc, *recorder.layout, *recorder.slot(self.state.n))
        self._recorded()

    def _recorded(self) -> None:
        if self._new_governments:  # the compiled pass may have recorded a new government before its reliability was settled
            self.recorder.settle(self.state.reliability)
            self._new_governments = False
        self.recorder.commit(self.state)
        if hasattr(self, "datacollector"):
            self.datacollector.collect(self)

    # -------------------------------------------------------------- running
    def run(self, steps: int | None = None) -> pd.DataFrame:
        """Run ``steps`` more steps (default: to the scenario's end); return the step table."""
        target = self.spec.steps if steps is None else self.steps + steps
        while self.steps < target:
            self.step()
        return self.steps_frame()

    def steps_frame(self) -> pd.DataFrame:
        """One row per step (including step 0, the initial state) with every outcome."""
        return self.recorder.steps_frame()

    def nations_frame(self) -> pd.DataFrame:
        """One row per nation per step."""
        return self.recorder.nations_frame()

    def events_frame(self) -> pd.DataFrame:
        """One row per event, with its narrative."""
        return self.log.frame()

    def partnerships_frame(self) -> pd.DataFrame:
        """One row per bilateral agreement or framework membership."""
        return self.ledger.frame()

    def revisions_frame(self) -> pd.DataFrame:
        """One row per change of a bilateral agreement's depth after its start (with the domain it then reaches)."""
        return self.ledger.revisions_frame()

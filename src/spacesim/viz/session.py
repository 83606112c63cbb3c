"""What the teacher has chosen for the next Reset, and the model it builds.

Mesa's Reset button re-creates the model as ``DashboardModel(**model_params)``;
the dashboard passes one :class:`Choices` among those parameters, so a Reset
loads the scenario picked and the slider values set since.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import solara

from ..analysis.plots import FRAMEWORK_GAP, ring_layout, step_date  # noqa: F401 (FRAMEWORK_GAP: the gap the layout keeps, for tests)
from ..model import SpaceModel
from ..scenario import ScenarioSpec, load_scenario
from .controls import key_parameters
from .narrative import partnership_news, snapshot
from .scenarios import ScenarioChoice, choice_for, scenario_catalogue


@lru_cache(maxsize=32)
def _spec(path: Path) -> ScenarioSpec:
    return load_scenario(path)


def spec_of(choice: ScenarioChoice) -> ScenarioSpec:
    """The validated scenario of a picker entry (each file is read once)."""
    return _spec(choice.path)


def scenario_values(spec: ScenarioSpec) -> dict[str, Any]:
    """The key parameters' values in a scenario (its own settings, else the declared defaults).

    >>> from spacesim import load_scenario, shipped_scenario
    >>> scenario_values(load_scenario(shipped_scenario("strong_regime")))["legal_clarity"]
    0.9
    """
    values = spec.parameter_values()
    return {p.name: values[p.name] for p in key_parameters()}


class Choices:
    """What the next Reset loads (one per browser session): the scenario picked, the key parameters' values and the seed.

    The rule, as the page states it: picking a scenario, or pressing
    "Restore scenario settings", sets the sliders, switches and seed to that
    scenario's own settings; whatever you change after that is what Reset
    uses. So "pick ``strong_regime``, Reset" always runs ``strong_regime``
    as its file describes it (its seed, its legal clarity), whichever
    scenario or seed was loaded before.

    >>> from spacesim import shipped_scenario
    >>> c = Choices(shipped_scenario("teaching_small"))
    >>> c.seed.value, c.values.value["legal_clarity"]
    (7, 0.3)
    >>> c.seed.set(42); c.values.set({**c.values.value, "legal_clarity": 0.9})
    >>> c.pick("strong_regime"); c.seed.value, c.values.value["legal_clarity"]
    (1, 0.9)
    >>> c.pick("teaching_small"); c.seed.value, c.values.value["legal_clarity"]
    (7, 0.3)
    """

    def __init__(self, scenario_file: str | Path | None = None):
        self.catalogue: tuple[ScenarioChoice, ...] = scenario_catalogue(scenario_file)
        first = choice_for(self.catalogue, scenario_file)
        spec = spec_of(first)
        self.scenario: solara.Reactive[str] = solara.reactive(first.name)
        self.values: solara.Reactive[dict[str, Any]] = solara.reactive(scenario_values(spec))
        #: The seed the next Reset uses; Mesa's seed slider reads and writes it.
        self.seed: solara.Reactive[int] = solara.reactive(int(spec.seed))

    @property
    def choice(self) -> ScenarioChoice:
        """The picker entry chosen."""
        return next(c for c in self.catalogue if c.name == self.scenario.value)

    def pick(self, name: str) -> None:
        """Choose a scenario: the sliders, switches and seed take that scenario's own settings."""
        self.scenario.set(name)
        self.restore()

    def restore(self) -> None:
        """Put the chosen scenario's own settings (key parameters and seed) back in the controls, for the next Reset."""
        spec = spec_of(self.choice)
        self.values.set(scenario_values(spec))
        self.seed.set(int(spec.seed))

    @property
    def changed(self) -> list[str]:
        """What differs from the chosen scenario's own settings (names of parameters, and "seed").

        >>> c = Choices(); c.changed
        []
        >>> c.seed.set(3); c.changed
        ['seed']
        """
        spec = spec_of(self.choice)
        own = scenario_values(spec)
        out = [name for name, value in self.values.value.items() if own[name] != value]
        return out + (["seed"] if self.seed.value != spec.seed else [])

    def build(self, seed: int | None = None) -> DashboardModel:
        """The model of the current choices (``seed`` overrides the chosen seed)."""
        return DashboardModel(choices=self, seed=seed)


@lru_cache(maxsize=32)
def _layout(path: Path) -> dict[str, tuple[float, float]]:
    return network_layout(_spec(path))


def network_layout(spec: ScenarioSpec) -> dict[str, tuple[float, float]]:
    """Fixed positions of every nation and framework, computed once per scenario.

    Nations sit on a circle, each bloc on its own arc (unaligned nations last),
    largest capability in the middle of the arc; a framework sits inside the
    circle, pulled towards the nations that are its members at the start,
    and frameworks are kept :data:`FRAMEWORK_GAP` apart so that their
    diamonds and labels never overlap. Positions depend only on the scenario, never on the run, so the network
    does not jump from step to step or between runs of the same scenario.

    >>> from spacesim import load_scenario, shipped_scenario
    >>> spec = load_scenario(shipped_scenario("teaching_small"))
    >>> pos = network_layout(spec)
    >>> sorted(pos) == sorted([n.code for n in spec.nations] + [f.code for f in spec.frameworks])
    True
    >>> all(abs(x) <= 1 and abs(y) <= 1 for x, y in pos.values())
    True
    """
    return ring_layout([(x.code, x.bloc or None, float(x.capability)) for x in spec.nations], [(f.code, list(f.members)) for f in spec.frameworks])


class DashboardModel(SpaceModel):
    """A :class:`SpaceModel` built from the dashboard's choices, safe to step and shock from two threads.

    Args:
        choices: the scenario, parameter values and seed to build from
            (default: the shipped baseline with its own settings).
        seed: the random seed (default: ``choices.seed``, which is the
            scenario's own unless the teacher changed it after picking).
        scenario: Mesa's own scenario object, which Mesa's Reset passes; the
            spacesim scenario comes from ``choices``, so it is not used.
        seed_slider: what Mesa's Reset passes for the seed slider (the
            reactive ``choices.seed`` itself, or the slider's last value);
            not used: the slider writes to ``choices.seed``, and Mesa's copy
            would miss the seed a scenario pick sets.

    A shock (:meth:`trigger`) is shown at once: the current step's record
    is taken again (:meth:`SpaceModel.record_again`), so the headline numbers, the charts
    and the ASAT marks include it at the step its event names.

    >>> model = DashboardModel(Choices())
    >>> model.spec.name, sorted(model.layout)[:2]
    ('baseline', ['ARE', 'ARG'])
    """

    def __init__(self, choices: Choices | None = None, *, seed: int | None = None, scenario: Any = None, seed_slider: Any = None):
        choices = choices if choices is not None else Choices()
        choice = choices.choice
        spec = spec_of(choice)
        super().__init__(spec, rng=int(choices.seed.value if seed is None else seed), **choices.values.value)
        self.choice = choice
        self.layout = _layout(choice.path)
        self.lock = threading.RLock()
        #: What the "What just happened" panel lists, oldest first: the event log's rows as they came, each step's
        #: (or shock's) followed by lines naming the bilateral agreements it signed, deepened and ended (:mod:`spacesim.viz.narrative`).
        self.happenings: list[dict[str, Any]] = []
        self._logged = 0
        self._note_partnerships(snapshot(self.state, len(self.ledger)))

    def step(self) -> None:
        """One step (never at the same time as a shock); then name the agreements it signed, deepened and ended."""
        with self.lock:
            before = snapshot(self.state, len(self.ledger))
            super().step()
            self._note_partnerships(before)

    def _note_partnerships(self, before: tuple[np.ndarray, np.ndarray, int]) -> None:
        """Add the events logged since the last call, then the agreement lines since ``before``, to :attr:`happenings`."""
        rows = self.log.rows
        self.happenings += rows[self._logged :]
        self._logged = len(rows)
        self.happenings += partnership_news(before, self.state, self.ledger.columns, self.steps, self.p)

    def trigger(self, *args: Any, **kwargs: Any) -> None:
        """Make an event happen now (never during a step: the lock), recorded again at the current step
        (:meth:`SpaceModel.trigger`), and name the agreements it changed, so that the page shows it at once.

        >>> m = DashboardModel(Choices())
        >>> debris = m.recorder.latest["debris"]
        >>> m.trigger("asat_test", 0)
        >>> m.recorder.latest["debris"] - debris, m.recorder.latest["n_asat_tests"], len(m.recorder.steps["step"])
        (1500.0, 1, 1)
        """
        with self.lock:
            before = snapshot(self.state, len(self.ledger))
            super().trigger(*args, **kwargs)  # and records the step again
            self._note_partnerships(before)  # the page shows the shock at once, at the step its event names

    @property
    def calendar(self) -> tuple[int, int] | None:
        """The scenario's calendar for dates and the charts' time axis: its start year and steps per year (None when a
        step is not a quarter, a year or a month).

        >>> DashboardModel(Choices()).calendar
        (2025, 4)
        """
        per_year = STEPS_PER_YEAR.get(self.spec.step_meaning.strip().lower())
        return (int(self.spec.start_year), per_year) if per_year else None

    @property
    def when(self) -> str:
        """Where the run is: "step 5 of 40 (2026 Q2)" when a step is a quarter, a year or a month.

        >>> DashboardModel(Choices()).when
        'step 0 of 120 (2025 Q1)'
        """
        out = f"step {self.steps} of {self.spec.steps}"
        if self.calendar is not None:
            out += f" ({step_date(self.steps, self.calendar)})"
        return out


#: Steps per year for the step meanings the dashboard can turn into dates.
STEPS_PER_YEAR: dict[str, int] = {"quarter": 4, "year": 1, "month": 12}

"""The dashboard's page: Mesa's model controls with a scenario picker, parameter controls and shock buttons around them.

The sidebar reads top to bottom as a lesson runs: pick a scenario, then
Mesa's controls (Reset, play/pause, Step, and the play interval: the speed;
:func:`MesaControls` leaves out the Mesa controls the lesson does not use),
the seed, the shock buttons, and the policy levers and key parameters. The
main area shows the headline numbers, the network, the trust heatmap, what
just happened and the outcomes over time.

Made for a projector: :data:`PAGE_CSS` keeps the sidebar narrow, lays the
main area out for its width (one, two or three columns), never draws a
picture below the width at which its text is 12 px, and shows every
slider's value at all times. The page opens in the light theme (best on a
projector); Mesa's theme button still switches to dark or to the system's
setting, and every picture follows the theme.

``spacesim dashboard`` serves this module with ``solara run``; the scenario
file given on the command line arrives in the environment variable
:data:`SCENARIO_ENV`.
"""

from __future__ import annotations

import os
from typing import Any, cast

import solara
import solara.lab
from mesa.visualization.solara_viz import ModelController, ModelCreator

from .components import MainArea, plural
from .controls import ParameterControls
from .pictures import CHART_SIZE
from .session import Choices, DashboardModel, spec_of
from .shocks import ShockPanel

#: The environment variable that carries the scenario file ``spacesim dashboard`` was given.
SCENARIO_ENV = "SPACESIM_DASHBOARD_SCENARIO"

#: Mesa's play interval at start, in milliseconds (its "Play Interval" slider is the speed control; it moves in steps of 10 from 1).
PLAY_INTERVAL_MS = 151

#: The sidebar's width: narrow enough to leave a 1024-pixel screen's main area two columns of charts.
SIDEBAR_WIDTH = "clamp(280px, 22vw, 340px)"

#: Where the picked scenario's rule is stated on the page (and in docs/teaching.md).
SETTINGS_RULE = "Picking a scenario, or Restore, puts its own seed and settings in the controls; Reset loads them, with any change you make after."

PAGE_CSS = f"""
:root {{ --spacesim-sidebar: {SIDEBAR_WIDTH}; }}
.theme--light {{ --spacesim-bg: #ffffff; }}
.theme--dark {{ --spacesim-bg: #1e1e1e; }}

/* A narrow sidebar. Solara's drawer sizes itself to its content (400-600 px); the main area follows it. */
.v-navigation-drawer {{ min-width: 0 !important; max-width: 92vw !important; width: var(--spacesim-sidebar) !important; }}
.v-application:has(.v-navigation-drawer--open:not(.v-navigation-drawer--is-mobile)) .v-content {{ padding-left: var(--spacesim-sidebar) !important; }}
.v-navigation-drawer .v-card__title {{ font-size: 1.1rem; padding: 10px 12px 2px; word-break: normal; line-height: 1.4; }}
.v-navigation-drawer .v-card__text {{ padding: 6px 12px 10px; }}
/* Buttons fit their card at 1024 px: Reset, play and Step side by side; a long label wraps inside its button. */
.v-navigation-drawer .v-btn {{ max-width: 100%; }}
.v-navigation-drawer .v-btn:not(.v-btn--icon) {{ min-width: 44px !important; padding: 0 10px !important; }}
.v-navigation-drawer .v-btn__content {{ white-space: normal; line-height: 1.15; }}
.v-navigation-drawer .v-btn.v-size--small {{ height: auto !important; min-height: 28px; padding-top: 3px !important; padding-bottom: 3px !important; }}
.spacesim-controls .d-flex {{ gap: 6px; }}

/* Sliders: the label on its own line above a full-width track, and the value always shown, under the thumb. */
.v-navigation-drawer .v-input__slider .v-input__slot {{ flex-wrap: wrap; }}
.v-navigation-drawer .v-input__slider .v-label {{ flex: 1 0 100%; margin: 0 !important; white-space: normal; height: auto; line-height: 1.3; }}
.v-input__slider {{ padding-bottom: 22px; }}
.v-slider__thumb-label-container {{ display: block !important; }}
.v-slider__thumb-label {{
  transform: translate(-50%, 26px) !important; border-radius: 4px !important; height: 20px !important; width: auto !important;
  min-width: 24px; padding: 0 5px; font-size: 13px !important;
}}
.v-slider__thumb-label > * {{ transform: none !important; }}

/* The main area: laid out for its own width (the sidebar may be open or closed). */
.spacesim-main {{ container-type: inline-size; display: flex; flex-direction: column; gap: 8px; }}
.spacesim-main .v-card__text {{ color: inherit !important; padding: 8px !important; font-size: 0.95rem; }}
.spacesim-top {{ display: grid; gap: 8px; grid-template-columns: minmax(0, 1fr); grid-template-areas: "net" "events" "trust"; }}
.spacesim-network-card {{ grid-area: net; }}
.spacesim-trust-card {{ grid-area: trust; }}
.spacesim-events-card {{ grid-area: events; }}
.spacesim-events-card .v-card__text {{ max-height: 300px; overflow-y: auto; }}
.spacesim-picture svg {{ display: block; margin: 0 auto; max-height: max(420px, calc(100vh - 250px)); }}
.spacesim-legend {{ font-size: 13px; line-height: 1.6; margin-top: 4px; }}
.spacesim-charts {{ display: grid; gap: 8px; grid-template-columns: repeat(2, minmax({CHART_SIZE[0]}px, 1fr)); }}
svg .halo {{ stroke: var(--spacesim-bg); stroke-width: 4px; stroke-linejoin: round; paint-order: stroke; }}
svg.spacesim-network .node {{ stroke: var(--spacesim-bg); }}
@container (max-width: 619px) {{ .spacesim-charts {{ grid-template-columns: minmax(0, 1fr); }} }}
@container (min-width: 900px) {{
  .spacesim-top {{ grid-template-columns: repeat(2, minmax(0, 1fr)); grid-template-areas: "net trust" "events events"; }}
  .spacesim-events-card .v-card__text {{ max-height: 240px; }}
}}
@container (min-width: 1240px) {{ .spacesim-charts {{ grid-template-columns: repeat(4, minmax(0, 1fr)); }} }}
@container (min-width: 1400px) {{
  .spacesim-top {{ grid-template-columns: 1.1fr 1fr 0.8fr; grid-template-areas: "net trust events"; }}
  .spacesim-events-card .v-card__text {{ max-height: 640px; }}
}}
"""


@solara.component
def ScenarioPicker(choices: Choices):
    """The shipped scenarios (and the file given on the command line) with their descriptions; Reset loads the one picked.

    "Restore scenario settings" puts the picked scenario's own seed and
    settings back (the picker cannot: choosing the entry already chosen
    changes nothing).
    """
    labels = {c.label: c.name for c in choices.catalogue}
    current = choices.choice
    solara.Select("Scenario (loaded by Reset)", values=list(labels), value=current.label, on_value=lambda label: choices.pick(labels[label]))
    spec = spec_of(current)
    caption = {"font-size": "0.8rem", "opacity": "0.75", "line-height": "1.25"}
    solara.Text(
        f"{plural(len(spec.nations), 'nation')}, {plural(len(spec.frameworks), 'framework')}, "
        f"{spec.steps} steps of a {spec.step_meaning} from {spec.start_year}; seed {spec.seed}.",
        style=caption,
        classes=["spacesim-scenario-facts"],
    )
    changed = choices.changed
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap", "margin-top": "4px"}, gap="6px"):
        solara.Button("Restore scenario settings", small=True, outlined=True, color="primary", on_click=choices.restore, disabled=not changed)
        text = "changed: " + ", ".join(name.replace("_", " ") for name in changed) if changed else "its own settings"
        solara.Text(text, style=caption, classes=["spacesim-changed"])
    solara.Text(SETTINGS_RULE, style=caption)


@solara.component
def _Below(children: list | None = None):
    # Solara orders sidebar content by component depth: one level below
    # MesaControls' own sidebar puts these cards after Mesa's controls.
    with solara.Sidebar():
        with solara.Column():
            for child in children or []:
                solara.Column(children=[child])


@solara.component
def _AfterMesa(choices: Choices, model: solara.Reactive[DashboardModel]):
    with _Below():
        # Shocks first: a class asks for them mid-run; the long list of levers is for between runs.
        with solara.Card("Shocks: make it happen now"):
            ShockPanel(model)
        with solara.Card("Policy levers and key parameters"):
            ParameterControls(choices.values)


def seed_param(choices: Choices) -> dict:
    """Mesa's seed slider, bound to ``choices.seed``: it shows the seed the next Reset uses, including the one a scenario pick sets.

    >>> from spacesim import shipped_scenario
    >>> seed_param(Choices(shipped_scenario("teaching_small")))["value"].value
    7
    """
    seed = choices.seed.value
    return {"type": "SliderInt", "value": choices.seed, "min": 0, "max": max(99, seed), "step": 1, "label": "Random seed (same seed, same run)"}


@solara.component
def Dashboard(scenario_file: str | None = None, choices: Choices | None = None, model: solara.Reactive[DashboardModel] | None = None):
    """The whole page for one browser session, starting from ``scenario_file`` (default: the shipped baseline).

    A caller may pass its own ``choices`` and reactive ``model`` to watch them (the tests do).
    """
    own_choices = solara.use_memo(lambda: Choices(scenario_file) if choices is None else None, [scenario_file])
    choices = choices if choices is not None else own_choices
    assert choices is not None  # own_choices is built exactly when the caller passed none
    own_model = solara.use_reactive(solara.use_memo(lambda: choices.build() if model is None else None, [choices]))
    # own_model holds a model exactly when the caller passed none (hooks run in the same order on every render).
    model = model if model is not None else cast("solara.Reactive[DashboardModel]", own_model)
    play_interval = solara.use_reactive(PLAY_INTERVAL_MS)
    solara.use_memo(_open_in_light_theme, [])
    # Mesa passes model_params back to DashboardModel at Reset; the seed slider writes to
    # choices.seed, which DashboardModel reads (see DashboardModel's seed_slider).
    model_params = {"choices": choices, "seed_slider": seed_param(choices)}
    # The main area comes first: the sidebar and app-bar parts below render nothing here,
    # and before it they would leave an empty band at the top of the page.
    with solara.Column(gap="0px"):
        MainArea(model.value)
        solara.Style(PAGE_CSS)
        with solara.Sidebar():
            with solara.Card("Scenario"):
                ScenarioPicker(choices)
        # Mesa's controller runs the model (Reset, play/pause, Step, speed); the main area is
        # laid out here rather than in Mesa's draggable grid, whose fixed cell height would crop the pictures.
        MesaControls(model, model_params, play_interval)
        _AfterMesa(choices, model)


#: The page's title in the app bar.
TITLE = "spacesim: space-security cooperation"


@solara.component
def MesaControls(model: solara.Reactive[DashboardModel], model_params: dict, play_interval: solara.Reactive[int]):
    """Mesa's SolaraViz sidebar, with only what the lesson uses: the play interval (speed), Reset, play/pause, Step, and the seed.

    Built from Mesa's own :func:`ModelController` and :func:`ModelCreator`
    (so Reset, play and Step behave exactly as in SolaraViz), without the
    controls a class does not need and that would only invite questions:
    the "Render Interval" slider (fixed at 1, so each Step is one step),
    the "Use Threads" checkbox (off) and the "Information: Time" card (the
    step and date head the main area).
    """
    no_parameters: dict[str, Any] = {}
    model_parameters = solara.use_reactive(no_parameters)
    with solara.AppBar():
        solara.AppBarTitle(TITLE)
        solara.lab.ThemeToggle()
    with solara.Sidebar(), solara.Column():
        with solara.Card("Controls", classes=["spacesim-controls"]):
            solara.SliderInt(
                label="Play Interval (ms between steps)", value=play_interval, on_value=play_interval.set, min=1, max=500, step=10, thumb_label="always"
            )
            ModelController(
                model,
                model_parameters=model_parameters,
                play_interval=play_interval,
                render_interval=solara.use_reactive(1),
                use_threads=solara.use_reactive(False),
            )
        with solara.Card("Model Parameters"):
            ModelCreator(model, model_params, model_parameters=model_parameters)


def _open_in_light_theme() -> None:
    """The page opens light (a browser's own choice, made with the theme button, is kept by Solara)."""
    solara.lab.theme.dark = False


@solara.component
def Page():
    """The page ``solara run`` serves: the dashboard of the scenario named by :data:`SCENARIO_ENV`."""
    Dashboard(os.environ.get(SCENARIO_ENV) or None)
